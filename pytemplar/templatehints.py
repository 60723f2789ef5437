"""Hints for template errors: "did you mean" for value paths, release fields and filters.

The engine's error translation hands over the message it made and the app; these functions
return the hint. They never decide whether something is an error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytemplar.project import App

UNDEFINED_HINT = "define it in values.yaml, or test it with 'is defined' or '| default(...)'"
FIXED_FIELDS = {
    "release": ("name", "namespace", "environment", "service"),
    "app": ("name", "version", "appVersion"),
    "capabilities": ("kubeVersion", "kube_version", "api_versions"),
}
_UNDEFINED = re.compile(r"'(?P<path>[A-Za-z_][\w.\[\]-]*)' is undefined")
_NO_FILTER = re.compile(r"No filter named '(?P<name>\w+)'")


def undefined(message: str, app: App) -> str:
    """The hint for an undefined name met while rendering: the closest known path, if any."""
    found = _UNDEFINED.search(message)
    if not found:
        return UNDEFINED_HINT
    root, _, rest = found.group("path").partition(".")
    if root in FIXED_FIELDS and rest:
        fields = FIXED_FIELDS[root]
        close = difflib.get_close_matches(rest, fields, n=1, cutoff=0.6)
        named = ", ".join(f"{root}.{field}" for field in fields)
        hint = f"did you mean '{root}.{close[0]}'? " if close else ""
        return f"{hint}{root} has {named}"
    if root == "values" and rest:
        known = set(_value_paths(app)) - {rest}  # a known path that is undefined here was removed (null)
        close = difflib.get_close_matches(rest, sorted(known), n=1, cutoff=0.75)
        if close:
            return f"did you mean 'values.{close[0]}'? otherwise {UNDEFINED_HINT}"
    return UNDEFINED_HINT


def unknown_filter(message: str, filters: Iterable[str]) -> str | None:
    """The hint for "No filter named 'x'": the closest filter there is."""
    found = _NO_FILTER.search(message)
    if not found:
        return None
    close = difflib.get_close_matches(found.group("name"), sorted(filters), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _value_paths(app: App) -> Iterator[str]:
    from pytemplar.values import format_path, iter_leaves

    defaults: Any = app.defaults.data
    for path, _value in iter_leaves(defaults):
        for end in range(1, len(path) + 1):
            if all(isinstance(part, str) for part in path[:end]):
                yield format_path(path[:end], "")
    if app.schema is not None:
        yield from _schema_paths(app.schema.schema, "")


def _schema_paths(schema: Any, prefix: str, depth: int = 0) -> Iterator[str]:
    if not isinstance(schema, dict) or depth > 8:
        return
    for name, sub in (schema.get("properties") or {}).items():
        yield f"{prefix}{name}"
        yield from _schema_paths(sub, f"{prefix}{name}.", depth + 1)
