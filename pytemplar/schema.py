"""JSON Schema: the home of jsonschema.

Schemas are parsed strictly (no NaN or Infinity, no duplicate keys), may only refer to
themselves (a ``$ref`` to the network or another file is refused before validation starts,
and the registry cannot retrieve anything), and each is compiled into a validator once.
Validation reports every error at once, each at the location the caller resolves for the
offending value's path.

Most schemas get a fast yes/no test (:mod:`pytemplar.schemacheck`): jsonschema is imported, and
its validator built, only when that test says no, when the schema is outside the test's subset,
or when the schema itself is checked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import field
from typing import TYPE_CHECKING, Any

from pytemplar import validitycache
from pytemplar.errors import Location, Problem, SchemaError, escape_control
from pytemplar.records import record
from pytemplar.supervise import activity
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


_REFERENCES = ("$ref", "$dynamicRef")
# Keywords whose values are data, not subschemas: a "$ref" inside them is not a reference.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})


# Keywords whose values map names to subschemas: there, "default" is a property, not a keyword.
_NAMED_SUBSCHEMAS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def _walk(node: Any, depth: int, path: str, names: bool = False) -> Iterator[str]:
    if depth > MAX_SCHEMA_DEPTH:
        raise SchemaError(f"schema nesting deeper than {MAX_SCHEMA_DEPTH} levels", location=Location(path))
    if isinstance(node, dict):
        for key, value in node.items():
            if names:  # every value is a subschema, whatever its name
                yield from _walk(value, depth + 1, path)
                continue
            if key in _DATA_KEYWORDS:
                continue
            if key in _REFERENCES and isinstance(value, str):
                yield value
            yield from _walk(value, depth + 1, path, key in _NAMED_SUBSCHEMAS)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, depth + 1, path)


def _patterns(node: Any, at: tuple[str, ...], names: bool = False) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every regular expression of a schema (``pattern``, ``patternProperties`` names), with where."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = (*at, str(key))
            if names:
                yield from _patterns(value, here)
                continue
            if key in _DATA_KEYWORDS:
                continue
            if key == "pattern" and isinstance(value, str):
                yield value, here
            elif key == "patternProperties" and isinstance(value, dict):
                yield from ((pattern, (*here, pattern)) for pattern in value)
                if len(value) > 1:  # jsonschema also matches them joined, to find additional properties
                    yield "|".join(value), here
            if isinstance(value, (dict, list)):
                yield from _patterns(value, here, key in _NAMED_SUBSCHEMAS)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _patterns(value, (*at, str(index)))


def _check_patterns(schema: Any, path: str) -> None:
    """Refuse a pattern the linear-time matcher cannot run, naming it and the feature at fault."""
    from pytemplar.patterns import problem as pattern_problem

    for pattern, at in _patterns(schema, ()):
        why = pattern_problem(pattern)
        if why is not None:
            raise SchemaError(
                f"the pattern {_shown_pattern(pattern)} at {'.'.join(at)} {why}",
                location=Location(path),
                hint="pytemplar matches schema patterns in linear time (RE2), so that no pattern can stall a "
                "run; rewrite it without that feature",
            )


def _metaschema_formats(cls: Any) -> Any:
    """The formats a schema is checked with against its metaschema: a ``regex`` is one RE2 runs."""
    import jsonschema.validators

    base = jsonschema.validators.validator_for(cls.META_SCHEMA, default=cls).FORMAT_CHECKER
    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = {**base.checkers, "regex": (_is_linear_regex, ())}
    return checker


def _is_linear_regex(instance: object) -> bool:
    from pytemplar.patterns import problem as pattern_problem

    return not isinstance(instance, str) or pattern_problem(instance) is None


def _search(pattern: str, text: str) -> bool:
    """Whether the schema pattern matches somewhere in ``text`` (:mod:`pytemplar.patterns`, loaded
    for the first pattern a run matches: a render whose checks are remembered matches none)."""
    from pytemplar.patterns import search

    return search(pattern, text)


def _shown_pattern(pattern: str) -> str:
    return "'" + escape_control(pattern if len(pattern) <= 80 else pattern[:79] + "…") + "'"


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
            self._deferred = False
            self._quick = _fast_test(self.schema, self.path)
        return self._quick

    @property
    def validator(self) -> Any:
        """jsonschema's validator for this schema, built on first use."""
        if self._validator is None:
            self._validator = _jsonschema_validator(self.schema, self.path)
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

        try:
            cls = type(self.validator)
            cls.check_schema(self.schema, format_checker=_metaschema_formats(cls))
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
        _name_forbidden_keys(errors, instance, self.schema)
        problems: list[Problem] = []
        for error in errors:
            secret = self.is_secret(tuple(error.absolute_path))
            found = _describe(error, locate, root, locate_key or locate, secret, self.schema, locate_deletion)
            problems.extend(found)
        return problems


def _at(node: Any, path: list[Any]) -> Any:
    """The node at ``path`` (keys and indexes), or None when the path leads nowhere."""
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _through_refs(root: Any, path: list[Any]) -> Any:
    """The node at a schema path as jsonschema gives it, which leaves out the ``$ref`` steps: where
    a node lacks the next step but holds a local reference, the step is looked for in what that
    names. None when the path leads nowhere."""
    node = root
    for part in path:
        while isinstance(node, dict) and part not in node and str(node.get("$ref", "")).startswith("#"):
            node = _target(root, node["$ref"])
        node = _at(node, [part])
        if node is None:
            return None
    return node


def _name_forbidden_keys(errors: list[Any], instance: Any, schema: Any) -> None:
    """Put the key into the path of each error about a key forbidden by ``"properties": {"key": false}``.

    jsonschema's shortcut for a ``false`` schema drops the key from the error's path, which would
    blame the whole map. It checks a ``properties`` keyword in the schema's order, so each such error
    is about the first forbidden key of that map, holding that value, not named by an earlier error.
    """
    named: dict[tuple[Any, ...], set[str]] = {}
    for error in errors:
        if error.schema is not False or list(error.relative_schema_path)[-1:] != ["properties"]:
            continue
        holder = _at(instance, list(error.absolute_path))
        if not isinstance(holder, dict):
            continue
        keyword = _at(schema, list(error.absolute_schema_path))
        # Through a $ref the schema path cannot be walked: fall back on the map's own order.
        order = [k for k, sub in keyword.items() if sub is False] if isinstance(keyword, dict) else list(holder)
        taken = named.setdefault((*error.absolute_path, *error.absolute_schema_path), set())
        key = next((k for k in order if k in holder and k not in taken and holder[k] == error.instance), None)
        if key is not None:
            taken.add(key)
            error.path.append(key)
            error.schema_path.append(key)


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
    compiled = CompiledSchema(path, schema, _fast_test(schema, path), _digest=digest)
    if compiled.quick is None:
        compiled.validator  # noqa: B018 - outside the fast test's subset: fail now if jsonschema cannot use it
    if check:
        compiled.check()
    if digest is not None:
        validitycache.remember(validitycache.compiled_key(digest))
    return compiled


def _fast_test(schema: Any, path: str) -> Check | None:
    """Refuse what no validator may use (a reference leaving the schema or leading nowhere, a
    pattern RE2 cannot match in linear time), then compile the fast test when the schema allows."""
    anchors = set(_anchors(schema))
    for ref in _walk(schema, 0, path):
        if not ref.startswith("#"):
            raise SchemaError(
                f"$ref '{ref}' is not allowed: schemas must be self-contained",
                location=Location(path),
                hint="copy the referenced definition under $defs and refer to it as '#/$defs/...'",
            )
        if not _resolves(schema, ref, anchors):
            raise SchemaError(f"$ref '{ref}' points to nothing in this schema", location=Location(path))
    _check_patterns(schema, path)
    from pytemplar.schemacheck import compile_check

    return compile_check(schema, lambda ref: _resolved(schema, ref), path)


def _resolved(schema: Any, ref: str) -> Any:
    target = _target(schema, ref)
    return None if target is _MISSING else target


def _jsonschema_validator(schema: Any, path: str) -> Any:
    """jsonschema's validator for ``schema``, with a registry that retrieves nothing."""
    import jsonschema
    import referencing
    import referencing.exceptions

    from pytemplar.patterns import use_in_jsonschema

    def refuse(uri: str) -> Any:
        raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]

    registry: Any = referencing.Registry(retrieve=refuse)  # type: ignore[call-arg]
    use_in_jsonschema()
    try:
        cls = _watched(jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator), path)
        return cls(schema, registry=registry)
    except Exception as exc:  # e.g. "$id": false: jsonschema cannot even build a validator
        raise SchemaError(f"the schema cannot be used: {exc}", location=Location(path)) from exc


def _watched(cls: Any, path: str) -> Any:
    """``cls`` whose regular-expression keywords note what they match, for the time limit's message.

    Patterns run in linear time (:mod:`pytemplar.patterns`), but many of them over long texts
    still take time; when the supervisor stops a command then, the note lets the message name
    the schema and the pattern.
    """
    import jsonschema.validators

    def watch(keyword: str) -> Any:
        check = cls.VALIDATORS[keyword]

        def watched(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
            patterns = list(value) if isinstance(value, dict) else [value]
            with activity(path, f"matching the {keyword} {', '.join(map(repr, patterns))}"):
                yield from check(validator, value, instance, schema)

        return watched

    keywords = [k for k in ("pattern", "patternProperties") if k in cls.VALIDATORS]
    return jsonschema.validators.extend(cls, {k: watch(k) for k in keywords})  # type: ignore[no-untyped-call]


def _description(schema: Any) -> str | None:
    return schema.get("description") if isinstance(schema, dict) else None


def _anchors(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$anchor", "$dynamicAnchor") and isinstance(value, str):
                yield value
            elif key not in _DATA_KEYWORDS:
                yield from _anchors(value)
    elif isinstance(node, list):
        for value in node:
            yield from _anchors(value)


def _resolves(schema: Any, ref: str, anchors: set[str]) -> bool:
    """Whether a local reference (``#``, ``#/json/pointer`` or ``#anchor``) finds something."""
    from urllib.parse import unquote

    fragment = unquote(ref[1:])
    if not fragment:
        return True
    if not fragment.startswith("/"):
        return fragment in anchors
    return _target(schema, ref) is not _MISSING


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _unsupported_kustomize_key(key: str, level: Any) -> tuple[str, str] | None:
    """Why a Kustomize field is refused and what to do instead, when ``key`` is one in a level that
    takes transforms (a level of pytemplar.yaml or a component: its schema includes ``$defs/transforms``)."""
    parts = level.get("allOf", []) if isinstance(level, dict) else []
    if not any(isinstance(part, dict) and part.get("$ref") == "#/$defs/transforms" for part in parts):
        return None
    from pytemplar.transforms.unsupported import refusal

    return refusal(key)


def _describe(
    error: Any,
    locate: Locator,
    root: str,
    locate_key: Locator,
    secret: bool,
    schema: Any = None,
    locate_deletion: Locator | None = None,
) -> Iterator[Problem]:
    path: ValuePath = tuple(error.absolute_path)
    where = format_path(path, root)
    kind = error.validator
    if error.schema is False and path and list(error.relative_schema_path)[-2:-1] == ["properties"]:
        # A key the schema forbids here, often only with some values of the keys beside it: the
        # description of the rule that forbids it (e.g. an if/then's "then") says when.
        rule = _description(_through_refs(schema, list(error.absolute_schema_path)[:-2]))
        yield Problem(
            f"{format_path(path[:-1], root)}: '{path[-1]}' is not allowed here",
            location=locate_key(path),
            hint=rule or "remove it: the schema does not allow this key here",
        )
        return
    if secret:  # say what is wrong without showing the value
        yield Problem(
            f"{where}: the secret value does not satisfy the schema's '{kind}' rule",
            location=locate(path),
            hint=_description(error.schema),
        )
        return
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        for key in error.instance:
            if key in known or any(_search(p, key) for p in patterns):
                continue
            unsupported = _unsupported_kustomize_key(key, error.schema)
            if unsupported is not None:
                # A Kustomize field pytemplar refuses: say so, a similar key would mislead.
                why, instead = unsupported
                yield Problem(
                    f"{where}: unknown key '{key}': {why}",
                    location=locate_key((*path, key)),
                    hint=instead,
                )
                continue
            import difflib  # only for a key the schema does not know

            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else (f"known keys: {', '.join(sorted(known))}" if known else None)
            )
            yield Problem(f"{where}: unknown key '{key}'", location=locate_key((*path, key)), hint=hint)
        return
    if kind == "required" and isinstance(error.instance, dict):
        # jsonschema reports one error per missing name; its message holds the repr of the name.
        missing = [name for name in error.validator_value if name not in error.instance]
        name = next((n for n in missing if repr(n) in error.message), missing[0] if missing else "?")
        deleted_at = locate_deletion((*path, name)) if locate_deletion is not None and missing else None
        if deleted_at is not None:
            yield Problem(
                f"{where}: '{name}' is required, and this empty key deletes it (an empty value is null, "
                "which removes what lower layers set)",
                location=deleted_at,
                hint="give it a value, or remove the line to keep the value of the layers below",
            )
            return
        yield Problem(f"{where}: '{name}' is required", location=locate(path))
        return
    if kind == "enum" and isinstance(error.instance, str) and not secret:
        from pytemplar.hints import closest_choice

        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        yield Problem(
            f"{where}: {message}", location=locate(path), hint=closest_choice(error.instance, error.validator_value)
        )
        return
    if "propertyNames" in error.relative_schema_path:
        # The offending thing is a key: point at the key, not at the map holding it.
        yield Problem(
            f"{where}: the name {_short(error.instance)} is not allowed: {error.message}",
            location=locate_key((*path, str(error.instance))),
            hint=_description(error.schema),
        )
        return
    if kind == "type":
        wanted = error.validator_value
        wanted_text = " or ".join(wanted) if isinstance(wanted, list) else wanted
        hint = None
        wanted_list = wanted if isinstance(wanted, list) else [wanted]
        if "string" in wanted_list and isinstance(error.instance, (int, float)):
            hint = "quote the value so YAML reads it as text: unquoted, 1.10 is the number 1.1 and 1e3 is 1000.0"
        elif isinstance(error.instance, str):
            from pytemplar.hints import text_for_a_type

            hint = text_for_a_type(error.instance, wanted_list)
        yield Problem(
            f"{where}: {_short(error.instance)} is not of type {wanted_text}",
            location=locate(path),
            hint=hint,
        )
        return
    if kind == "pattern":
        yield Problem(
            f"{where}: {_short(error.instance)} does not match the pattern {error.validator_value}",
            location=locate(path),
            hint=_description(error.schema),
        )
        return
    message = error.message
    if len(message) > 200:
        message = message[:197] + "..."
    yield Problem(f"{where}: {message}", location=locate(path))
