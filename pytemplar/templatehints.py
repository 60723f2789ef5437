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


# Helm's Go-template spellings, found on the template line an error points at, and the Jinja2
# that pytemplar reads instead. Checked in order; the first that matches gives the hint.
_GO_FIELDS = {
    ".Values.": "values.",
    ".Release.Name": "release.name",
    ".Release.Namespace": "release.namespace",
    ".Chart.Name": "app.name",
    ".Chart.Version": "app.version",
    ".Chart.AppVersion": "app.appVersion",
    ".Capabilities.": "capabilities.",
    ".Files.": "files.",
}
_GO_SYNTAX: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\{\{-?\s*(?:else\s+)?if\b"),
        "`{{ if }}` is Helm's: Jinja2 writes blocks as tags, `{% if values.x %}` ... `{% endif %}`",
    ),
    (
        re.compile(r"\{\{-?\s*range\b"),
        "`{{ range }}` is Helm's: write `{% for item in values.list %}` ... `{% endfor %}` "
        "(`{% for key, value in values.map | dictsort %}` for a map)",
    ),
    (
        re.compile(r"\{\{-?\s*with\b"),
        "`{{ with }}` is Helm's: write `{% if values.x %}{% set x = values.x %}` ... `{% endif %}`",
    ),
    (
        re.compile(r"\{\{-?\s*(?:end|else)\s*-?\}\}"),
        "`{{ end }}` is Helm's: Jinja2 closes blocks with `{% endif %}` or `{% endfor %}` (`{% else %}` between)",
    ),
    (
        re.compile(r"\{\{-?\s*(?:define|template|include)\b"),
        "`define`/`template`/`include` are Helm's: write a macro in templates/_helpers.j2, import it "
        "with `{% import '_helpers.j2' as h with context %}` and call it: `{{ h.name() }}`",
    ),
    (
        re.compile(r"\{\{-?\s*\$\w*\s*:?="),
        "`$x := ...` is Helm's: write `{% set x = ... %}`",
    ),
    (
        re.compile(r"\|\s*n?indent\s+\d+"),
        "a Jinja2 filter takes its arguments in parentheses (`| indent(4)`); but a map or list needs "
        "neither toyaml nor indent: write `key: {{ values.x }}` on the key's line",
    ),
    (
        re.compile(r"\|\s*(?:default|quote|squote|required|b64enc|trunc)\s+[^\s|}]"),
        'a Jinja2 filter takes its arguments in parentheses: `| default("x")`, `| required("message")`; '
        "no `| quote` is needed, a string stays a string",
    ),
    (
        re.compile(r"\{\{-?\s*(?:toYaml|toJson|quote|default|required|printf|tpl)\s+[\"$.(\w]"),
        "Helm's functions take their arguments after a space; Jinja2 pipes into filters: "
        '`{{ values.x | tojson }}`, `{{ values.x | default("y") }}` (and a map or list needs no toYaml)',
    ),
)


def go_template(line: str) -> str | None:
    """A hint for Helm's Go-template syntax on ``line`` of a template (None when there is none)."""
    fields = [(go, jinja) for go, jinja in _GO_FIELDS.items() if re.search(_field_pattern(go), line)]
    if fields or re.search(r"\{\{-?\s*\.\w", line):
        go, jinja = fields[0] if fields else (".Values.", "values.")
        named = ", ".join(f"`{g}` is `{j}`" for g, j in (fields or [(go, jinja)]))
        return f"this is Helm's Go-template syntax: in pytemplar {named} (no leading dot)"
    for pattern, hint in _GO_SYNTAX:
        if pattern.search(line):
            return hint
    return None


def _field_pattern(go: str) -> str:
    # `.Release.Name` must not match inside `.Release.Namespace`; `.Values.` is a prefix.
    return re.escape(go) + ("" if go.endswith(".") else r"(?!\w)")


def source_line(source: str, line: int | None) -> str:
    """Line ``line`` (1-based) of ``source``, or "" when there is no such line."""
    lines = source.splitlines()
    return lines[line - 1] if line and 0 < line <= len(lines) else ""
