"""Compiling a schema: refusing what no validator may use, then building its validators.

A schema may only refer to itself (a ``$ref`` leaving it, or leading nowhere, is refused) and
its patterns must be ones RE2 matches in linear time (:mod:`pytemplar.patterns`). Then the fast
yes/no test (:mod:`pytemplar.schemacheck`) is compiled when the schema is within its subset,
and jsonschema's validator when it is needed. :mod:`pytemplar.schema` loads this module for a
schema it has not compiled before, not for one whose answers are remembered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pytemplar.errors import Location, SchemaError, escape_control
from pytemplar.patterns import problem as pattern_problem
from pytemplar.patterns import use_in_jsonschema
from pytemplar.schema import _MISSING, MAX_SCHEMA_DEPTH, _target
from pytemplar.supervise import activity

if TYPE_CHECKING:
    from pytemplar.schemacheck import Check

_REFERENCES = ("$ref", "$dynamicRef")
# Keywords whose values are data, not subschemas: a "$ref" inside them is not a reference.
_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})
# Keywords whose values map names to subschemas: there, "default" is a property, not a keyword.
_NAMED_SUBSCHEMAS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def fast_test(schema: Any, path: str) -> Check | None:
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
    for pattern, at in _patterns(schema, ()):
        why = pattern_problem(pattern)
        if why is not None:
            raise SchemaError(
                f"the pattern {_shown_pattern(pattern)} at {'.'.join(at)} {why}",
                location=Location(path),
                hint="pytemplar matches schema patterns in linear time (RE2), so that no pattern can stall a "
                "run; rewrite it without that feature",
            )


def _shown_pattern(pattern: str) -> str:
    return "'" + escape_control(pattern if len(pattern) <= 80 else pattern[:79] + "…") + "'"


def jsonschema_validator(schema: Any, path: str) -> Any:
    """jsonschema's validator for ``schema``, with a registry that retrieves nothing."""
    import jsonschema
    import referencing
    import referencing.exceptions

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


def metaschema_formats(cls: Any) -> Any:
    """The formats a schema is checked with against its metaschema: a ``regex`` is one RE2 runs."""
    import jsonschema.validators

    base = jsonschema.validators.validator_for(cls.META_SCHEMA, default=cls).FORMAT_CHECKER
    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = {**base.checkers, "regex": (_is_linear_regex, ())}
    return checker


def _is_linear_regex(instance: object) -> bool:
    return not isinstance(instance, str) or pattern_problem(instance) is None
