"""Which value a rendered field came from, for messages about the rendered objects.

A Kubernetes-schema error names a field of a rendered object (``spec.replicas``); the user
has to change a values file. When the template writes that field as one whole values
reference (``replicas: {{ values.replicas }}``), and that is the only such line for the
field's key in the template, and the value there is exactly the offending one, the error can
cite where the value was set. Anything less certain (an expression, a loop over several
values, two lines for the same key) cites nothing rather than guess.
"""

from __future__ import annotations

import re
from typing import Any

from pytemplar.values import ValuePath, value_at

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PLACED = re.compile(
    rf"""^\s*(?:-\s+)?(?P<key>["']?[^\s:"'{{}}]+["']?):\s*(?P<quote>["']?)"""
    rf"""\{{\{{-?\s*values(?P<path>(?:\.{_NAME}|\[(?:"[^"]*"|'[^']*'|\d+)\])+)\s*-?\}}\}}(?P=quote)\s*(?:#.*)?$"""
)
_PART = re.compile(rf"""\.({_NAME})|\[(?:"([^"]*)"|'([^']*)'|(\d+))\]""")


def _path(text: str) -> ValuePath:
    parts: list[str | int] = []
    for name, double, single, index in _PART.findall(text):
        parts.append(int(index) if index else (name or double or single))
    return tuple(parts)


def placed_values(template_source: str, key: str) -> set[ValuePath]:
    """The values paths the template writes, whole, as the value of ``key``."""
    found: set[ValuePath] = set()
    for line in template_source.splitlines():
        match = _PLACED.match(line)
        if match and match.group("key").strip("\"'") == key:
            found.add(_path(match.group("path")))
    return found


def value_source(template_source: str, key: str, value: Any, values: dict[str, Any]) -> ValuePath | None:
    """The one values path the template places under ``key`` and that holds exactly ``value``."""
    paths = placed_values(template_source, key)
    if len(paths) != 1:
        return None
    path = next(iter(paths))
    found, held = value_at(values, path)
    if not found or type(held) is not type(value) or held != value:
        return None
    return path
