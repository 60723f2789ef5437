"""Hints for common mistakes, each a small function the error translations call.

They only add a hint or a better place to a message the caller has already made; none of them
decides whether something is an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI asks helm_habit on every start: keep this module light
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


_CONTEXT_POSITION = re.compile(r"at line (\d+), column \d+")


def misplaced_block(message: str, line: int, lines: Sequence[str], slots: Sequence[Any]) -> tuple[Any, str, str] | None:
    """Helm's ``toYaml X | indent N`` on its own line (at column 0, or joined to the key by
    ``{{-``) breaks the YAML after it: ``(slot, message, hint)`` naming the ``{{ }}`` that placed
    the map or list and what to write instead, or None when no such ``{{ }}`` is near ``line``.

    ``message`` is the parser's, ``lines`` the rendered text with a token for each slot."""
    from pytemplar.templating.slots import TOKEN, YamlText
    from pytemplar.values import format_path

    context = _CONTEXT_POSITION.search(message)
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


# Flags a Helm user types out of habit, for the commands that have no such flag.
_NAMESPACE_HINT = (
    "a namespace is set per environment in pytemplar.yaml (environments.<env>.namespace) or per "
    "release (releases.<release>.namespace): choose the environment with -e"
)
HELM_HABITS = {
    "-n": _NAMESPACE_HINT,
    "--namespace": _NAMESPACE_HINT,
    "--create-namespace": "set createNamespace: true on the environment in pytemplar.yaml",
}
_COMMANDS_WITHOUT_THEM = frozenset({"render", "validate", "values", "diff", "set", "rollout"})


def _renders_an_app(arguments: Sequence[str]) -> bool:
    from pathlib import Path

    from pytemplar.helm.standalone import is_app

    first = next((a for a in arguments if not a.startswith("-")), None)
    return first is not None and is_app(Path(first))


def helm_habit(arguments: Sequence[str]) -> tuple[str, str] | None:
    """``(flag, hint)`` when a command is given a Helm flag pytemplar does not have there."""
    if not arguments or arguments[0] not in _COMMANDS_WITHOUT_THEM:
        return None
    if "--help" in arguments or "-h" in arguments:
        return None  # asked for the command's options: its help lists them
    for argument in arguments[1:]:
        if argument == "--":
            break
        flag = argument.split("=", 1)[0] if argument.startswith("--") else argument
        if flag in HELM_HABITS:
            # `render APP` takes --namespace, as `helm template` does. Looked at only now: telling
            # an app from a project loads the project reader, which a plain render loads later,
            # in the supervised child, where it costs no copied memory.
            if arguments[0] == "render" and _renders_an_app(arguments[1:]):
                return None
            return flag, HELM_HABITS[flag]
    return None
