"""JSON Schema: the home of jsonschema.

Schemas are parsed strictly (no NaN or Infinity, no duplicate keys), may only refer to
themselves (a ``$ref`` to the network or another file is refused before validation starts,
and the registry cannot retrieve anything), and each is compiled into a validator once.
Validation reports every error at once, each at the location the caller resolves for the
offending value's path.

Most schemas get a fast yes/no test (:mod:`pytemplar.schemacheck`): jsonschema is imported, and
its validator built, only when that test says no, when the schema is outside the test's subset,
or when the schema itself is checked. Compiling a schema is :mod:`pytemplar.schemacompile`, and
saying what is wrong with a value :mod:`pytemplar.schemaerrors`: a run whose schemas and inputs
are remembered from an earlier one (:mod:`pytemplar.validitycache`) loads neither.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytemplar import validitycache
from pytemplar.errors import Location, Problem, SchemaError
from pytemplar.records import field, record
from pytemplar.values import ValuePath, format_path

if TYPE_CHECKING:  # the fast test is loaded when a schema is compiled, not for a remembered answer
    from pytemplar.schemacheck import Check

MAX_SCHEMA_DEPTH = 100

Locator = Callable[[ValuePath], Location | None]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"'{name}' is not valid JSON")


def _finite_float(text: str) -> float:
    # 1e999999 would become infinity and 1e-400 zero: a bound that silently stops bounding.
    value = float(text)
    if math.isinf(value) or (value == 0 and any(c in "123456789" for c in text.lower().split("e")[0])):
        raise ValueError(f"the number {text[:30]} is out of range")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key '{key}'")
        result[key] = value
    return result


def parse_json(text: str, path: str) -> Any:
    """JSON with the laxities of Python's json module turned off."""
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant, parse_float=_finite_float
        )
    except json.JSONDecodeError as exc:
        raise SchemaError(f"invalid JSON: {exc.msg}", location=Location(path, exc.lineno, exc.colno)) from exc
    except ValueError as exc:
        raise SchemaError(f"invalid JSON: {exc}", location=Location(path)) from exc
    except RecursionError as exc:
        raise SchemaError("invalid JSON: nesting too deep", location=Location(path)) from exc


def _search(pattern: str, text: str) -> bool:
    """Whether the schema pattern matches somewhere in ``text`` (:mod:`pytemplar.patterns`, loaded
    for the first pattern a run matches: a render whose checks are remembered matches none)."""
    from pytemplar.patterns import search

    return search(pattern, text)


_UNKNOWN: Any = object()
MAX_REMEMBERED_PATHS = 20_000


@record(frozen=False)
class CompiledSchema:
    path: str
    schema: Any
    _quick: Check | None = None  # the fast validity test, when the schema is within its subset
    checked: bool = False  # validated against its metaschema yet
    _validator: Any = None
    _deferred: bool = False  # compiled on first use: a schema known to compile (see compile_schema)
    _digest: Any = _UNKNOWN  # its key in the validity cache: None when nothing is remembered
    # The subschemas of each path asked about: every release asks about the same few hundred.
    _nodes: dict[ValuePath, tuple[dict[str, Any], ...]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def quick(self) -> Check | None:
        """The fast validity test, or None when the schema is outside its subset."""
        if self._deferred:
            from pytemplar.schemacompile import fast_test

            self._deferred = False
            self._quick = fast_test(self.schema, self.path)
        return self._quick

    @property
    def validator(self) -> Any:
        """jsonschema's validator for this schema, built on first use."""
        if self._validator is None:
            from pytemplar.schemacompile import jsonschema_validator

            self._validator = jsonschema_validator(self.schema, self.path)
        return self._validator

    def check(self) -> None:
        """Validate the schema against its metaschema (raises :class:`SchemaError`).

        This costs about as much as compiling Jinja2 templates, so it runs when a value fails
        validation, when validation breaks, or when asked (``pytemplar validate``); a schema
        that validates values fine is not checked on the render path.
        """
        if self.checked:
            return
        import jsonschema

        from pytemplar.schemacompile import metaschema_formats

        try:
            cls = type(self.validator)
            cls.check_schema(self.schema, format_checker=metaschema_formats(cls))
        except jsonschema.SchemaError as exc:
            where = format_path(tuple(exc.absolute_path), "schema")
            raise SchemaError(f"invalid JSON Schema at {where}: {exc.message}", location=Location(self.path)) from exc
        self.checked = True

    def declares(self, path: ValuePath) -> bool:
        return declares(self.schema, path)

    def names(self, path: ValuePath) -> bool:
        """Whether the schema lists the key at the end of ``path`` among its ``properties``."""
        if not path or not isinstance(path[-1], str):
            return False
        return any(
            isinstance(node.get("properties"), dict) and path[-1] in node["properties"]
            for node in self.nodes(path[:-1])
        )

    def nodes(self, path: ValuePath) -> tuple[dict[str, Any], ...]:
        """:func:`schema_nodes` of this schema, remembered for up to :data:`MAX_REMEMBERED_PATHS` paths."""
        found = self._nodes.get(path)
        if found is None:
            found = tuple(schema_nodes(self.schema, path))
            if len(self._nodes) < MAX_REMEMBERED_PATHS:
                self._nodes[path] = found
        return found

    def expected_types(self, path: ValuePath) -> set[str]:
        """The JSON types the schema allows at ``path`` (empty when it does not say)."""
        types: set[str] = set()
        for node in self.nodes(path):
            declared = node.get("type")
            if isinstance(declared, str):
                types.add(declared)
            elif isinstance(declared, list):
                types.update(t for t in declared if isinstance(t, str))
        return types

    def is_secret(self, path: ValuePath) -> bool:
        """Whether the value at ``path``, or a value holding it, is marked ``writeOnly``."""
        return any(node.get("writeOnly") is True for end in range(len(path) + 1) for node in self.nodes(path[:end]))

    def list_keys(self, path: ValuePath) -> tuple[str, ...] | None:
        """The item keys of a list merged by key (``x-kubernetes-list-type: map``), if any."""
        for node in self.nodes(path):
            keys = node.get("x-kubernetes-list-map-keys")
            if node.get("x-kubernetes-list-type") == "map" and isinstance(keys, list) and keys:
                return tuple(str(k) for k in keys)
        return None

    @property
    def digest(self) -> bytes | None:
        """Its key in the validity cache (:mod:`pytemplar.validitycache`); None: nothing is remembered."""
        if self._digest is _UNKNOWN:
            self._digest = validitycache.schema_digest(self.schema)
        digest: bytes | None = self._digest
        return digest

    def valid_quickly(self, instance: Any) -> bool:
        """Whether ``instance`` is known valid without jsonschema: an earlier run found it so
        (:mod:`pytemplar.validitycache`) or the fast test says so. False: ask jsonschema."""
        digest = self.digest
        key = validitycache.valid_key(digest, instance) if digest is not None else None
        if key is not None and validitycache.known(key):
            return True
        quick = self.quick
        if quick is None:
            return False
        from pytemplar.schemacheck import Undecided

        try:
            valid = quick(instance)
        except (RecursionError, Undecided):
            return False  # jsonschema decides, and says what is wrong
        if valid and key is not None:
            validitycache.remember(key)
        return valid

    def validate(
        self,
        instance: Any,
        locate: Locator,
        root: str = "values",
        locate_key: Locator | None = None,
        locate_deletion: Locator | None = None,
    ) -> list[Problem]:
        """The problems of ``instance``; ``locate_deletion(path)`` is where a layer deleted ``path`` (null)."""
        if self.valid_quickly(instance):
            return []
        import referencing.exceptions

        try:
            errors = list(self.validator.iter_errors(instance))
        except RecursionError:
            return [Problem("the schema recurses without end", location=Location(self.path))]
        except referencing.exceptions.Unresolvable as exc:
            return [Problem(f"the schema has a reference that cannot be resolved: {exc}", Location(self.path))]
        except Exception as exc:  # jsonschema trips over a broken schema: say what is wrong with it
            self.check()
            raise SchemaError(f"the schema cannot be applied: {exc}", location=Location(self.path)) from exc
        if errors:
            self.check()  # blame a broken schema before blaming the values
        from pytemplar.schemaerrors import describe, name_forbidden_keys

        name_forbidden_keys(errors, instance, self.schema)
        problems: list[Problem] = []
        for error in errors:
            secret = self.is_secret(tuple(error.absolute_path))
            found = describe(error, locate, root, locate_key or locate, secret, self.schema, locate_deletion)
            problems.extend(found)
        return problems


def declares(root: Any, path: ValuePath) -> bool:
    """Whether the schema describes ``path``: it names it, or the map holding it is free-form.

    A map is free-form when its schema lists no ``properties`` or ``patternProperties``, or
    gives ``additionalProperties`` a schema of its own; ``additionalProperties: true`` beside
    listed properties tolerates other keys without describing them.
    """
    return _declares(root, root, path, 0)


def _declares(root: Any, node: Any, path: ValuePath, depth: int) -> bool:
    if depth > MAX_SCHEMA_DEPTH:
        return True  # a recursive schema: give it the benefit of the doubt
    if node is True:
        return True
    if not isinstance(node, dict):
        return False
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#") and _declares(root, _target(root, ref), path, depth + 1):
        return True
    for combinator in ("allOf", "anyOf", "oneOf"):
        branches = node.get(combinator)
        if isinstance(branches, list) and any(_declares(root, b, path, depth + 1) for b in branches):
            return True
    if any(_declares(root, node[k], path, depth + 1) for k in ("then", "else") if k in node):
        return True
    if not path:
        return True
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        prefix = node.get("prefixItems")
        if isinstance(prefix, list) and head < len(prefix):
            return _declares(root, prefix[head], rest, depth + 1)
        items = node.get("items")
        return isinstance(items, (dict, bool)) and _declares(root, items, rest, depth + 1)
    properties = node.get("properties")
    if isinstance(properties, dict) and head in properties:
        return _declares(root, properties[head], rest, depth + 1)
    patterns = node.get("patternProperties")
    if isinstance(patterns, dict):
        for pattern, subschema in patterns.items():
            if _search(pattern, head):
                return _declares(root, subschema, rest, depth + 1)
    additional = node.get("additionalProperties")
    named = properties is not None or patterns is not None
    # A schema for the other keys (a typed map) describes them; a bare `true` beside named
    # properties only tolerates them, so a misspelt key is still not described.
    if (isinstance(additional, dict) and (additional or not named)) or (additional is True and not named):
        return _declares(root, additional, rest, depth + 1)
    if additional is False or properties is not None or patterns is not None:
        return False
    return not any(k in node for k in ("$ref", "allOf", "anyOf", "oneOf"))


def schema_nodes(root: Any, path: ValuePath) -> list[dict[str, Any]]:
    """Every subschema that applies to the value at ``path`` (through $ref, allOf/anyOf/oneOf,
    then/else, properties, patternProperties, additionalProperties, items and prefixItems)."""
    current = _expand(root, root, 0)
    for part in path:
        following: list[dict[str, Any]] = []
        for node in current:
            for child in _children(node, part):
                following.extend(_expand(root, child, 0))
        current = following
        if not current:
            break
    return current


def _expand(root: Any, node: Any, depth: int) -> list[dict[str, Any]]:
    if not isinstance(node, dict) or depth > MAX_SCHEMA_DEPTH:
        return []
    found = [node]
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        found.extend(_expand(root, _target(root, ref), depth + 1))
    for combinator in ("allOf", "anyOf", "oneOf"):
        branches = node.get(combinator)
        if isinstance(branches, list):
            for branch in branches:
                found.extend(_expand(root, branch, depth + 1))
    for key in ("then", "else"):
        if key in node:
            found.extend(_expand(root, node[key], depth + 1))
    return found


def _children(node: dict[str, Any], part: str | int) -> list[Any]:
    if isinstance(part, int):
        prefix = node.get("prefixItems")
        if isinstance(prefix, list) and part < len(prefix):
            return [prefix[part]]
        return [node["items"]] if isinstance(node.get("items"), dict) else []
    properties = node.get("properties")
    if isinstance(properties, dict) and part in properties:
        return [properties[part]]
    patterns = node.get("patternProperties")
    matched = [sub for pattern, sub in patterns.items() if _search(pattern, part)] if isinstance(patterns, dict) else []
    if matched:
        return matched
    additional = node.get("additionalProperties")
    return [additional] if isinstance(additional, dict) else []


_MISSING: Any = object()


def _target(root: Any, ref: str) -> Any:
    """The node a local JSON pointer reference (``#/$defs/x``) points to, or ``_MISSING``."""
    from urllib.parse import unquote

    node = root
    for part in unquote(ref[1:]).split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def compile_schema(
    schema: Any, path: str, *, check: bool = True, lazy: bool = False, digest: bytes | None = None
) -> CompiledSchema:
    """A validator for ``schema``; refuses external references, and invalid schemas unless
    ``check`` is False (then :meth:`CompiledSchema.check` runs when it is needed).

    ``lazy`` is for a schema known to compile (pytemplar's own, which the test suite compiles):
    its fast test is built when something is first validated against it, so a schema read only
    for what it declares costs nothing to compile. ``digest``: its key in the validity cache,
    when the caller made it from what the schema is built from
    (:func:`pytemplar.validitycache.derived_digest`); by default, the schema's own."""
    if not isinstance(schema, (dict, bool)):
        raise SchemaError("a JSON Schema must be an object", location=Location(path))
    if isinstance(schema, dict) and "$schema" in schema and not isinstance(schema["$schema"], str):
        raise SchemaError("$schema must be a string naming a JSON Schema draft", location=Location(path))
    if lazy and not check:
        return CompiledSchema(path, schema, _deferred=True, _digest=_UNKNOWN if digest is None else digest)
    if digest is None:
        digest = validitycache.schema_digest(schema)
    if not check and digest is not None and validitycache.known(validitycache.compiled_key(digest)):
        # An earlier run compiled this very schema: it passes what follows; compile on first use.
        return CompiledSchema(path, schema, _deferred=True, _digest=digest)
    from pytemplar.schemacompile import fast_test

    compiled = CompiledSchema(path, schema, fast_test(schema, path), _digest=digest)
    if compiled.quick is None:
        compiled.validator  # noqa: B018 - outside the fast test's subset: fail now if jsonschema cannot use it
    if check:
        compiled.check()
    if digest is not None:
        validitycache.remember(validitycache.compiled_key(digest))
    return compiled
