"""A fast yes/no validity test for the common part of JSON Schema 2020-12.

jsonschema builds an error object tree for every value it checks, which costs milliseconds
per release and tens of milliseconds to import. Values are valid on almost every run, so a
schema made only of the keywords below is compiled into plain Python closures that answer
"valid or not" and nothing else; jsonschema runs (and explains) only when the answer is no.

The answer must be exactly jsonschema's, in both directions: ``not`` and ``if`` turn one into
the other. So each keyword mirrors jsonschema 4's semantics for draft 2020-12 (integers include
integral floats, booleans are neither numbers nor equal to 0 and 1, a type-specific keyword
ignores other types), and a schema with anything else (another draft, ``$dynamicRef``,
``unevaluated*``, ``uniqueItems``, ``multipleOf``, a malformed keyword value, a reference
that is not a local JSON pointer) gets no fast test: :func:`compile_check` returns None.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence, Sized
from typing import Any

from pytemplar.patterns import PatternError
from pytemplar.patterns import compiled as compiled_pattern
from pytemplar.supervise import activity

Check = Callable[[Any], bool]
Resolver = Callable[[str], Any]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# Keywords that never affect validity (jsonschema asserts no "format" without a format checker).
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "definitions",
        "$anchor",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "format",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
        "then",  # read through "if"; without "if" it does nothing
        "else",
    }
)


_REMEMBERED_TEXT = 256  # characters of a text whose pattern match is remembered
_REMEMBERED_TEXTS = 4096  # texts remembered per pattern


class Unsupported(Exception):
    """The schema uses something this module does not mirror exactly."""


class Undecided(Exception):
    """Raised while checking an instance this module cannot judge exactly: ask jsonschema."""


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "integer": _is_integer,
    "number": _is_number,
}


def equal(one: Any, two: Any) -> bool:
    """JSON equality: ``true`` is not ``1``, ``1`` is ``1.0``, containers compare item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return one.keys() == two.keys() and all(equal(one[key], two[key]) for key in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return False  # `one is two` above already matched equal booleans
    return bool(one == two)


def compile_check(schema: Any, resolve: Resolver, path: str) -> Check | None:
    """A function telling whether an instance is valid against ``schema``, or None when the
    schema is outside the subset. ``resolve`` finds the target of a local ``$ref``; ``path``
    names the schema in the time limit's note while a pattern is matched."""
    if isinstance(schema, dict) and schema.get("$schema", DRAFT_2020_12) != DRAFT_2020_12:
        return None  # jsonschema picks the draft's validator; only 2020-12 is mirrored here
    try:
        return _Compiler(resolve, path).compile(schema, root=True)
    except (Unsupported, PatternError, RecursionError):
        return None


class _Compiler:
    def __init__(self, resolve: Resolver, path: str) -> None:
        self.resolve = resolve
        self.path = path
        # A $ref target compiles once; recursive schemas reach it through this table.
        self.references: dict[str, Check | None] = {}

    def compile(self, node: Any, root: bool = False) -> Check:
        if node is True:
            return _always
        if node is False:
            return _never
        if not isinstance(node, dict):
            raise Unsupported("a schema must be an object or a boolean")
        if not root and ("$id" in node or "$schema" in node):
            raise Unsupported("an embedded resource changes the base URI")
        checks: list[Check] = []
        object_keywords: dict[str, Any] = {}
        for key, value in node.items():
            if key in _ANNOTATIONS or key.startswith("x-"):
                continue
            if key in _OBJECT_KEYWORDS:
                object_keywords[key] = value
                continue
            build = _BUILDERS.get(key)
            if build is None:
                raise Unsupported(f"keyword {key}")
            checks.append(build(self, value, node))
        if object_keywords:
            checks.append(self.object_check(object_keywords))
        return _all(checks)

    # -- keywords ---------------------------------------------------------------------------

    def type_check(self, value: Any, _node: dict[str, Any]) -> Check:
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n in _TYPES for n in names):
            raise Unsupported("type")
        tests = [_TYPES[name] for name in names]
        if len(tests) == 1:
            return tests[0]
        return lambda instance: any(test(instance) for test in tests)

    def enum_check(self, value: Any, _node: dict[str, Any]) -> Check:
        if not isinstance(value, list):
            raise Unsupported("enum")
        hashable = [item for item in value if isinstance(item, str)]
        if len(hashable) == len(value):  # the usual enum of strings: a set lookup
            allowed = frozenset(hashable)
            return lambda instance: isinstance(instance, str) and instance in allowed
        return lambda instance: any(equal(item, instance) for item in value)

    def const_check(self, value: Any, _node: dict[str, Any]) -> Check:
        return lambda instance: equal(instance, value)

    def number_bound(self, value: Any, node: dict[str, Any], keyword: str) -> Check:
        if not _is_number(value):
            raise Unsupported(keyword)
        passes: Callable[[Any], bool] = {
            "minimum": lambda instance: not instance < value,
            "maximum": lambda instance: not instance > value,
            "exclusiveMinimum": lambda instance: not instance <= value,
            "exclusiveMaximum": lambda instance: not instance >= value,
        }[keyword]
        return lambda instance: not _is_number(instance) or passes(instance)

    def length_bound(self, value: Any, kind: type[Sized], at_least: bool, keyword: str) -> Check:
        if not _is_count(value):
            raise Unsupported(keyword)
        if at_least:
            return lambda instance: not isinstance(instance, kind) or not len(instance) < value
        return lambda instance: not isinstance(instance, kind) or not len(instance) > value

    def unique_items_check(self, value: Any, _node: dict[str, Any]) -> Check:
        if not isinstance(value, bool):
            raise Unsupported("uniqueItems")
        return _unique if value else _always

    def pattern_check(self, value: Any, _node: dict[str, Any]) -> Check:
        if not isinstance(value, str):
            raise Unsupported("pattern")
        search = compiled_pattern(value)
        path, note = self.path, f"matching the pattern {value!r}"
        # Releases repeat their values (defaults, shared names): a text is searched once. RE2's
        # matcher is linear but costs microseconds a call through its wrapper.
        known: dict[str, bool] = {}

        def matches(instance: Any) -> bool:
            if not isinstance(instance, str):
                return True
            found = known.get(instance)
            if found is None:
                with activity(path, note):
                    found = search(instance)
                if len(instance) <= _REMEMBERED_TEXT and len(known) < _REMEMBERED_TEXTS:
                    known[instance] = found
            return found

        return matches

    def items_check(self, value: Any, node: dict[str, Any]) -> Check:
        prefix = node.get("prefixItems", [])
        if not isinstance(prefix, list):
            raise Unsupported("prefixItems")
        start = len(prefix)
        if value is False:
            return lambda instance: not isinstance(instance, list) or len(instance) <= start
        item = self.compile(value)
        return lambda instance: not isinstance(instance, list) or all(item(each) for each in instance[start:])

    def prefix_items_check(self, value: Any, _node: dict[str, Any]) -> Check:
        if not isinstance(value, list):
            raise Unsupported("prefixItems")
        checks = [self.compile(each) for each in value]
        return lambda instance: (
            not isinstance(instance, list) or all(check(each) for check, each in zip(checks, instance, strict=False))
        )

    def all_of(self, value: Any, _node: dict[str, Any]) -> Check:
        return _all(self.branches(value, "allOf"))

    def any_of(self, value: Any, _node: dict[str, Any]) -> Check:
        checks = self.branches(value, "anyOf")
        return lambda instance: any(check(instance) for check in checks)

    def one_of(self, value: Any, _node: dict[str, Any]) -> Check:
        checks = self.branches(value, "oneOf")

        def exactly_one(instance: Any) -> bool:
            found = 0
            for check in checks:
                if check(instance):
                    found += 1
                    if found > 1:
                        return False
            return found == 1

        return exactly_one

    def not_check(self, value: Any, _node: dict[str, Any]) -> Check:
        inner = self.compile(value)
        return lambda instance: not inner(instance)

    def if_check(self, value: Any, node: dict[str, Any]) -> Check:
        condition = self.compile(value)
        then = self.compile(node["then"]) if "then" in node else _always
        otherwise = self.compile(node["else"]) if "else" in node else _always
        return lambda instance: then(instance) if condition(instance) else otherwise(instance)

    def ref_check(self, value: Any, _node: dict[str, Any]) -> Check:
        if not isinstance(value, str) or not (value == "#" or value.startswith("#/")):
            raise Unsupported("$ref")
        if value not in self.references:
            self.references[value] = None  # being compiled: a recursive use goes through the table
            target = self.resolve(value)
            if target is None or not isinstance(target, (dict, bool)):
                raise Unsupported("$ref target")
            self.references[value] = self.compile(target, root=value == "#")
        found = self.references[value]
        if found is not None:
            return found
        table = self.references
        return lambda instance: table[value](instance)  # type: ignore[misc]

    def branches(self, value: Any, keyword: str) -> list[Check]:
        if not isinstance(value, list) or not value:
            raise Unsupported(keyword)
        return [self.compile(each) for each in value]

    def object_check(self, keywords: dict[str, Any]) -> Check:
        """Every object keyword of one schema in one pass over the map."""
        properties = keywords.get("properties", {})
        patterns = keywords.get("patternProperties", {})
        required = keywords.get("required", [])
        if not isinstance(properties, dict) or not isinstance(patterns, dict):
            raise Unsupported("properties")
        if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
            raise Unsupported("required")
        named = [(name, self.compile(sub)) for name, sub in properties.items()]
        path = self.path
        matched = [(compiled_pattern(pattern), self.compile(sub), pattern) for pattern, sub in patterns.items()]
        # jsonschema finds the additional properties with all patterns joined into one.
        joined = compiled_pattern("|".join(patterns)) if patterns else None
        additional = self.compile(keywords["additionalProperties"]) if "additionalProperties" in keywords else None
        names = self.compile(keywords["propertyNames"]) if "propertyNames" in keywords else None
        least = keywords.get("minProperties", 0)
        most = keywords.get("maxProperties")
        if not _is_count(least) or (most is not None and not _is_count(most)):
            raise Unsupported("minProperties/maxProperties")

        def valid_object(instance: Any) -> bool:
            if not isinstance(instance, dict):
                return True
            for name in required:
                if name not in instance:
                    return False
            for name, check in named:
                if name in instance and not check(instance[name]):
                    return False
            for search, check, pattern in matched:
                with activity(path, f"matching the patternProperties {pattern!r}"):
                    for key, item in instance.items():
                        if search(key) and not check(item):
                            return False
            if additional is not None:
                for key, item in instance.items():
                    if key not in properties and not (joined and joined(key)) and not additional(item):
                        return False
            if names is not None and not all(names(key) for key in instance):
                return False
            return len(instance) >= least and (most is None or len(instance) <= most)

        return valid_object


_OBJECT_KEYWORDS = frozenset(
    {
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "propertyNames",
        "minProperties",
        "maxProperties",
    }
)

_BUILDERS: dict[str, Callable[[_Compiler, Any, dict[str, Any]], Check]] = {
    "type": _Compiler.type_check,
    "enum": _Compiler.enum_check,
    "const": _Compiler.const_check,
    "minimum": lambda c, v, n: c.number_bound(v, n, "minimum"),
    "maximum": lambda c, v, n: c.number_bound(v, n, "maximum"),
    "exclusiveMinimum": lambda c, v, n: c.number_bound(v, n, "exclusiveMinimum"),
    "exclusiveMaximum": lambda c, v, n: c.number_bound(v, n, "exclusiveMaximum"),
    "minLength": lambda c, v, n: c.length_bound(v, str, True, "minLength"),
    "maxLength": lambda c, v, n: c.length_bound(v, str, False, "maxLength"),
    "minItems": lambda c, v, n: c.length_bound(v, list, True, "minItems"),
    "uniqueItems": _Compiler.unique_items_check,
    "maxItems": lambda c, v, n: c.length_bound(v, list, False, "maxItems"),
    "pattern": _Compiler.pattern_check,
    "items": _Compiler.items_check,
    "prefixItems": _Compiler.prefix_items_check,
    "allOf": _Compiler.all_of,
    "anyOf": _Compiler.any_of,
    "oneOf": _Compiler.one_of,
    "not": _Compiler.not_check,
    "if": _Compiler.if_check,
    "$ref": _Compiler.ref_check,
}


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _unique(instance: Any) -> bool:
    # jsonschema sorts the items and compares neighbours; for text and integers that is the
    # same as comparing every pair, for anything else (1 and 1.0, true, NaN, maps) let it decide.
    if not isinstance(instance, list):
        return True
    if all(isinstance(item, str) for item in instance) or all(
        isinstance(item, int) and not isinstance(item, bool) for item in instance
    ):
        return len(set(instance)) == len(instance)
    raise Undecided("uniqueItems over mixed items")


def _always(_instance: Any) -> bool:
    return True


def _never(_instance: Any) -> bool:
    return False


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda instance: first(instance) and second(instance)

    def every(instance: Any) -> bool:
        for check in checks:  # noqa: SIM110 - on this hot path a loop beats all() over a generator
            if not check(instance):
                return False
        return True

    return every
