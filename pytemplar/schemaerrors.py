"""What jsonschema finds wrong with a value, as problems located where the value was written.

:meth:`pytemplar.schema.CompiledSchema.validate` loads this module only for a value that fails
its schema: a valid one needs none of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pytemplar.errors import Problem
from pytemplar.patterns import search
from pytemplar.schema import Locator, _target
from pytemplar.values import ValuePath, format_path


def describe(
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
            if key in known or any(search(p, key) for p in patterns):
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


def name_forbidden_keys(errors: list[Any], instance: Any, schema: Any) -> None:
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


def _at(node: Any, path: list[Any]) -> Any:
    """The node at ``path`` (keys and indexes), or None when the path leads nowhere."""
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _description(schema: Any) -> str | None:
    return schema.get("description") if isinstance(schema, dict) else None


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
