"""Hints for common mistakes, each a small function the error translations call.

They only add a hint or a better place to a message the caller has already made; none of them
decides whether something is an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytemplar.errors import Location
    from pytemplar.values import ValuePath, ValuesLayer


def closest_choice(given: str, choices: Any) -> str | None:
    """``did you mean 'X'?`` for a value outside an enum: the same word in another case, or a close one."""
    import difflib

    if not isinstance(choices, list):
        return None
    texts = [choice for choice in choices if isinstance(choice, str)]
    close = [text for text in texts if text.lower() == given.lower()]
    close = close or difflib.get_close_matches(given, texts, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def deletion_of(layers: Sequence[ValuesLayer], path: ValuePath) -> Location | None:
    """Where the highest layer that deleted ``path`` wrote its empty (null) value, if one did."""
    for layer in reversed(layers):
        node: Any = layer.data
        for part in path:
            if not isinstance(node, dict) or part not in node:
                node = ...
                break
            node = node[part]
        if node is ...:
            continue
        if node is not None:
            return None  # this layer sets a value: the key was not deleted above it
        return layer.key_locations.get(path) or layer.locations.get(path)
    return None


def tab_hint(text: str, line: int, column: int) -> tuple[str, str] | None:
    """For a YAML error at ``line``/``column`` (1-based) caused by a tab: a message and a hint."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    row = lines[line - 1]
    if "\t" not in row[: max(column, 1)] and not row[column - 1 : column].startswith("\t"):
        return None
    return (
        "a tab character indents this line; YAML indents with spaces only",
        f"replace the tab at line {line} with spaces (most editors: convert indentation to spaces)",
    )


_CONTEXT_POSITION = r"at line (\d+), column \d+"  # compiled when a problem is explained


def misplaced_block(message: str, line: int, lines: Sequence[str], slots: Sequence[Any]) -> tuple[Any, str, str] | None:
    """Helm's ``toYaml X | indent N`` on its own line (at column 0, or joined to the key by
    ``{{-``) breaks the YAML after it: ``(slot, message, hint)`` naming the ``{{ }}`` that placed
    the map or list and what to write instead, or None when no such ``{{ }}`` is near ``line``.

    ``message`` is the parser's, ``lines`` the rendered text with a token for each slot."""
    from pytemplar.templating.slots import TOKEN, YamlText
    from pytemplar.values import format_path

    context = re.search(_CONTEXT_POSITION, message)
    candidates = [int(context.group(1))] if context else []
    candidates += [line - 1, line]
    for number in candidates:
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        for found in TOKEN.finditer(text):
            slot = slots[int(found.group(1))]
            value, value_path = slot[0], slot[3]  # a templating.slots.Slot: (value, template, line, path)
            data = value.data if isinstance(value, YamlText) else None
            if not isinstance(data, (dict, list)) or not data:
                continue
            kind = "map" if isinstance(data, dict) else "list"
            before = text[: found.start()].rstrip()
            above = next((row for row in reversed(lines[: number - 1]) if row.strip()), "")
            key_line = before if before.endswith(":") else above
            path = value_path if value_path is not None else value.path
            expression = format_path(path, "values") if path is not None else "..."
            named = f" {expression}" if path is not None else ""
            if key_line.rstrip().endswith(":"):
                key = key_line.strip().removeprefix("- ").removesuffix(":")
                hint = (
                    f"a {kind} lands whole: write `{key}: {{{{ {expression} }}}}` on the key's line (no toyaml, "
                    "no indent), or put the {{ }} alone on the next line, indented below the key, without '{{-'"
                )
            elif kind == "map":
                hint = (
                    f"to add its entries among the keys here, loop at their indentation: `{{% for key, value in "
                    f"{expression} | dictsort %}}` `{{{{ key }}}}: {{{{ value }}}}` `{{% endfor %}}`"
                )
            else:
                hint = (
                    f"to add its items among the items here, loop at their indentation: `{{% for item in "
                    f"{expression} %}}` `- {{{{ item }}}}` `{{% endfor %}}`"
                )
            return (slot, f"the {kind}{named}, placed here as toyaml text, breaks the YAML around it", hint)
    return None


def missing_project(folder: str) -> str:
    """The hint for a folder without pytemplar.yaml: the project above it, or the projects below it."""
    from pathlib import Path

    start = Path(folder)
    for parent in list(start.resolve().parents)[:4]:
        if (parent / "pytemplar.yaml").is_file():
            return f"this folder is inside the project '{_shown(parent, start)}': name that folder"
    found: list[str] = []
    for depth in ("*", "*/*", "*/*/*"):
        found += sorted(
            str(p.parent) for p in start.glob(f"{depth}/pytemplar.yaml") if not _hidden(p) and not _packaged(p, start)
        )
        if len(found) >= 5:
            break
    if found:
        return f"name the project folder, e.g. {', '.join(found[:5])}"
    return "name the project folder (the one holding pytemplar.yaml), or create a project with `pytemplar init`"


def _packaged(path: Any, start: Any) -> bool:
    """Inside a Python package (e.g. a scaffold shipped as package data): not a user's project."""
    inside = [parent for parent in path.parents if parent != start and start in parent.parents]
    return any((parent / "__init__.py").is_file() for parent in inside)


def _hidden(path: Any) -> bool:
    return any(part.startswith(".") and part not in (".", "..") for part in path.parts)


def _shown(found: Any, start: Any) -> str:
    import os

    return os.path.relpath(found, start.resolve()) if not start.is_absolute() else str(found)


def choose_release(project: Any, environment: str | None, release: str | None) -> str | None:
    """For a command that needs ``-e`` and ``-r``: the names the project offers for what is missing
    (None when the project does not load: the command reports that itself)."""
    from pytemplar.completion import environments, releases

    parts = []
    if not environment:
        names = environments(project)
        if names:
            parts.append(f"environments: {', '.join(names)}")
    if not release:
        names = releases(project, environment or None)
        if names:
            parts.append(f"releases: {', '.join(names)}")
    return "; ".join(parts) or None


_YAML11_BOOLEANS = {"yes": "true", "no": "false", "on": "true", "off": "false", "y": "true", "n": "false"}


def text_for_a_type(given: str, wanted: Sequence[Any]) -> str | None:
    """The hint for text where the schema wants a boolean or a number: what YAML 1.2 made of it."""
    if "boolean" in wanted and given.lower() in _YAML11_BOOLEANS:
        return (
            f"values files are YAML 1.2, where {given} is text (YAML 1.1 and Helm read it as a boolean): "
            f"write {_YAML11_BOOLEANS[given.lower()]}"
        )
    if "integer" in wanted or "number" in wanted:
        try:
            float(given)
        except ValueError:
            return None
        where = "on the command line: --set, not --set-string"
        return f'"{given}" is text, {given} a number: write it without quotes ({where})'
    return None


def yaml_problem_hint(problem: str, text: str, line: int) -> str | None:
    """What usually causes the YAML parser's ``problem`` at ``line`` (1-based), in words to act on;
    None when the line does not show the cause plainly."""
    rows = text.splitlines()
    row = rows[line - 1] if 0 < line <= len(rows) else ""
    above = next((r for r in reversed(rows[: max(line - 1, 0)]) if r.strip() and not r.lstrip().startswith("#")), "")
    indent = len(row) - len(row.lstrip(" "))
    deeper = indent > len(above) - len(above.lstrip(" ")) and not above.rstrip().endswith((":", "|", ">", "-"))
    if "did not find expected key" in problem or "mapping values are not allowed" in problem:
        key, _, value = row.strip().partition(": ")
        if ": " in value and not value.startswith(("'", '"', "{", "[")):
            return f"a value holding ': ' must be quoted: {key}: \"{value}\""
        if deeper or "did not find expected key" in problem:
            return "check the indentation: keys of one map start in the same column as the key above"
    return None


def apps_of_project(folder: Any, shown: str) -> str:
    """The hint for a project folder given where an app template is wanted: the apps it uses."""
    import os
    from pathlib import Path

    from pytemplar.yamlio import load_yaml

    apps: list[str] = []
    try:
        path = Path(folder) / "pytemplar.yaml"
        config = load_yaml(path.read_text(encoding="utf-8"), str(path), track=False).data
        for spec in (config.get("releases") or {}).values():
            app = spec.get("app") if isinstance(spec, dict) else None
            if isinstance(app, str):
                apps.append(os.path.normpath(os.path.join(shown, app)))
    except Exception:  # a hint never fails: the project's own problems are reported when it is used
        apps = []
    named = ", ".join(dict.fromkeys(apps))
    return (
        f"'{shown}' is a project; its releases use the app templates {named}"
        if named
        else (f"'{shown}' is a project: name the folder of an app template its releases use")
    )
