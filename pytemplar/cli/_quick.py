"""`pytemplar render` read without typer, for the command lines CI and Argo CD run thousands of times.

Importing typer (and the click inside it) and building the command from its annotations costs
~30 ms, a sixth of rendering one release from cold. Most command lines are plain: the command,
a project, options from the table below in their plain forms (``--name VALUE``, ``--name=VALUE``,
``-x VALUE``, flags). Such a line is read here into exactly the arguments typer would pass to
:func:`pytemplar.cli._rendering.render_command`; anything else (``--help``, a bundled ``-eprod``,
an unknown or repeated option, a value starting with ``-``, a number not written plainly, ``--``)
is declined, and the typer app handles it as before, errors and help included.
``tests/cli/test_quick_render.py`` checks the table against typer's command and the result of
both readers over generated command lines.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytemplar.cli._rendering import OutputLayout, render_command
from pytemplar.cli._running import OutputFormat
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT

Converter = Callable[[str], Any]


# String tests for ``[0-9]+`` and ``[0-9]+(?:\.[0-9]+)?`` in full (tests/properties/
# test_option_number_properties.py): compiling the two patterns cost a one-release render 0.12 ms.
def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # isdigit() alone also takes other scripts' digits


def _count(text: str) -> int | None:
    return int(text) if _digits(text) else None


def _seconds(text: str) -> float | None:
    whole, dot, fraction = text.partition(".")
    return float(text) if _digits(whole) and (not dot or _digits(fraction)) else None


def _path(text: str) -> Path | None:
    # typer refuses a path that exists but cannot be read, with its own usage error
    try:
        os.stat(text)
    except OSError:
        return Path(text)
    return Path(text) if os.access(text, os.R_OK) else None


def _output(text: str) -> OutputFormat | None:
    return OutputFormat(text) if text in OutputFormat.__members__ else None


def _layout(text: str) -> OutputLayout | None:
    return OutputLayout(text) if text in OutputLayout.__members__ else None


# parameter -> (its option names, how its value is read, whether it repeats)
VALUE_OPTIONS: dict[str, tuple[tuple[str, ...], Converter, bool]] = {
    "env": (("--env", "-e"), str, True),
    "release": (("--release", "-r"), str, True),
    "values": (("--values", "-f"), _path, True),
    "set_": (("--set",), str, True),
    "set_string": (("--set-string",), str, True),
    "set_json": (("--set-json",), str, True),
    "set_file": (("--set-file",), str, True),
    "output": (("--output", "-o"), _output, False),
    "output_dir": (("--output-dir",), _path, False),
    "layout": (("--layout",), _layout, False),
    "kube_version": (("--kube-version",), str, False),
    "crds": (("--crds",), _path, True),
    "check": (("--check",), str, True),
    "skip_check": (("--skip-check",), str, True),
    "jobs": (("--jobs", "-j"), _count, False),
    "timeout": (("--timeout",), _seconds, False),
    "max_memory": (("--max-memory",), _count, False),
    "release_name": (("--release-name",), str, False),
    "namespace": (("--namespace", "-n"), str, False),
}
# flag -> (parameter, the value it sets)
FLAGS: dict[str, tuple[str, bool]] = {
    "--all-envs": ("all_envs", True),
    "--kube-schema": ("kube_schema", True),
    "--skip-kube-schema": ("kube_schema", False),
    "--debug": ("debug", True),
    "--namespace-objects": ("namespace_objects", True),
    "--no-namespace-objects": ("namespace_objects", False),
}
DEFAULTS: dict[str, Any] = {
    "project": Path("."),
    "env": None,
    "all_envs": False,
    "release": None,
    "values": None,
    "set_": None,
    "set_string": None,
    "set_json": None,
    "set_file": None,
    "output": OutputFormat.yaml,
    "output_dir": None,
    "layout": OutputLayout.tree,
    "kube_version": None,
    "kube_schema": False,
    "crds": None,
    "check": None,
    "skip_check": None,
    "jobs": 0,
    "debug": False,
    "timeout": DEFAULT_TIMEOUT,
    "max_memory": DEFAULT_MEMORY_MIB,
    "release_name": None,
    "namespace": None,
    "namespace_objects": True,
}
_BY_NAME = {name: parameter for parameter, (names, _read, _many) in VALUE_OPTIONS.items() for name in names}


def render_arguments(argv: list[str]) -> dict[str, Any] | None:
    """The arguments of ``render_command`` for ``argv`` (``render ...``), or None to leave it to typer."""
    if not argv or argv[0] != "render":
        return None
    arguments = dict(DEFAULTS)
    given: set[str] = set()
    rest = argv[1:]
    index = 0
    while index < len(rest):
        token = rest[index]
        index += 1
        if not token.startswith("-"):
            project = _path(token) if token else None
            if project is None or "project" in given:
                return None
            arguments["project"] = project
            given.add("project")
            continue
        name, equals, value = token.partition("=") if token.startswith("--") else (token, "", "")
        if name in FLAGS and not equals:
            flag, setting = FLAGS[name]
            if flag in given:
                return None
            arguments[flag] = setting
            given.add(flag)
            continue
        parameter = _BY_NAME.get(name)
        if parameter is None:
            return None
        if not equals:
            if index == len(rest):
                return None
            value = rest[index]
            index += 1
        if not value or value.startswith("-"):
            return None
        _names, read, many = VALUE_OPTIONS[parameter]
        converted = read(value)
        if converted is None:
            return None
        if many:
            arguments[parameter] = [*(arguments[parameter] or []), converted]
        elif parameter in given:
            return None
        else:
            arguments[parameter] = converted
        given.add(parameter)
    return arguments


def quick_command(argv: list[str]) -> Callable[[], int] | None:
    """The command to run for ``argv`` without typer, or None when typer must read it."""
    arguments = render_arguments(argv)
    if arguments is None:
        return None
    return lambda: render_command(**arguments)
