"""JSON Schema: the home of jsonschema.

Schemas are parsed strictly (no NaN or Infinity, no duplicate keys), may only refer to
themselves (a ``$ref`` to the network or another file is refused before validation starts,
and the registry cannot retrieve anything), and each is compiled into a validator once.
Validation reports every error at once, each at the location the caller resolves for the
offending value's path.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pytemplar.errors import Location, Problem, SchemaError
from pytemplar.values import ValuePath, format_path

MAX_SCHEMA_DEPTH = 100

Locator = Callable[[ValuePath], Location | None]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"'{name}' is not valid JSON")


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
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"invalid JSON: {exc.msg}", location=Location(path, exc.lineno, exc.colno)) from exc
    except ValueError as exc:
        raise SchemaError(f"invalid JSON: {exc}", location=Location(path)) from exc
    except RecursionError as exc:
        raise SchemaError("invalid JSON: nesting too deep", location=Location(path)) from exc


def _walk(node: Any, depth: int, path: str) -> Iterator[str]:
    if depth > MAX_SCHEMA_DEPTH:
        raise SchemaError(f"schema nesting deeper than {MAX_SCHEMA_DEPTH} levels", location=Location(path))
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            yield from _walk(value, depth + 1, path)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, depth + 1, path)


@dataclass
class CompiledSchema:
    path: str
    schema: Any
    validator: Any

    def validate(self, instance: Any, locate: Locator, root: str = "values") -> list[Problem]:
        try:
            errors = list(self.validator.iter_errors(instance))
        except RecursionError:
            return [Problem("the schema recurses without end", location=Location(self.path))]
        problems: list[Problem] = []
        for error in errors:
            problems.extend(_describe(error, locate, root))
        return problems


def compile_schema(schema: Any, path: str) -> CompiledSchema:
    """A validator for ``schema``; refuses external references and invalid schemas."""
    import jsonschema
    import referencing
    import referencing.exceptions

    if not isinstance(schema, (dict, bool)):
        raise SchemaError("a JSON Schema must be an object", location=Location(path))
    for ref in _walk(schema, 0, path):
        if not ref.startswith("#"):
            raise SchemaError(
                f"$ref '{ref}' is not allowed: schemas must be self-contained",
                location=Location(path),
                hint="copy the referenced definition under $defs and refer to it as '#/$defs/...'",
            )

    def refuse(uri: str) -> Any:
        raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg]

    registry: Any = referencing.Registry(retrieve=refuse)  # type: ignore[call-arg]
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)  # type: ignore[arg-type]
    except jsonschema.SchemaError as exc:
        where = format_path(tuple(exc.absolute_path), "schema")
        raise SchemaError(f"invalid JSON Schema at {where}: {exc.message}", location=Location(path)) from exc
    return CompiledSchema(path, schema, cls(schema, registry=registry))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(error: Any, locate: Locator, root: str) -> Iterator[Problem]:
    path: ValuePath = tuple(error.absolute_path)
    where = format_path(path, root)
    kind = error.validator
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        patterns = list(error.schema.get("patternProperties", {}))
        import re

        for key in error.instance:
            if key in known or any(re.search(p, key) for p in patterns):
                continue
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else (f"known keys: {', '.join(sorted(known))}" if known else None)
            )
            yield Problem(f"{where}: unknown key '{key}'", location=locate((*path, key)), hint=hint)
        return
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        yield Problem(f"{where}: '{missing}' is required", location=locate(path))
        return
    if kind == "type":
        wanted = error.validator_value
        wanted_text = " or ".join(wanted) if isinstance(wanted, list) else wanted
        yield Problem(
            f"{where}: {_short(error.instance)} is not of type {wanted_text}",
            location=locate(path),
        )
        return
    message = error.message
    if len(message) > 200:
        message = message[:197] + "..."
    yield Problem(f"{where}: {message}", location=locate(path))
