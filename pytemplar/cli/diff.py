"""`pytemplar diff`: what changes between two environments, or between a git revision and now.

The diff goes to stdout, the summary to stderr. Exit codes follow diff(1) and ``git diff
--exit-code``: 0 equal, 1 different, 2 usage error, and for failures codes other than 1 (4 a side
does not render, 3 a bug, 124 time limit), so a script can accept "different" without
swallowing errors: ``pytemplar diff … || [ $? -eq 1 ]``.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import (
    EXIT_DIFF_DIFFERENT,
    EXIT_DIFF_INVALID,
    DebugOpt,
    EnvOpt,
    MemoryOpt,
    ProjectArg,
    ReleaseOpt,
    SetFileOpt,
    SetJsonOpt,
    SetOpt,
    SetStringOpt,
    TimeoutOpt,
    ValuesOpt,
    _err,
    _run,
    _set_arguments,
)
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT


class DiffFormat(StrEnum):
    text = "text"
    json = "json"


class ColorMode(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


def use_colour(mode: ColorMode) -> bool:
    """Colour when asked to, or in auto mode when stdout is a terminal and NO_COLOR is not set."""
    if mode is not ColorMode.auto:
        return mode is ColorMode.always
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def diff_command(
    project: ProjectArg = Path("."),
    env: EnvOpt = None,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="GITREF",
            help="Compare with the project at this git revision (branch, tag, commit) instead of another environment.",
        ),
    ] = None,
    release: ReleaseOpt = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    set_string: SetStringOpt = None,
    set_json: SetJsonOpt = None,
    set_file: SetFileOpt = None,
    format: Annotated[
        DiffFormat, typer.Option("--format", help="text: unified diffs; json: path-level changes for machines.")
    ] = DiffFormat.text,
    color: Annotated[
        ColorMode, typer.Option("--color", help="Colour the text diff: auto (a terminal, unless NO_COLOR is set).")
    ] = ColorMode.auto,
    context: Annotated[
        int, typer.Option("--context", "-U", min=0, metavar="LINES", help="Lines of context around each change.")
    ] = 3,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Show what changes between two renders: -e A -e B, or [-e ENV]... --against GITREF.

    Exit code 0: the renders are equal; 1: they differ; 2: usage error; 4: a side does not render.
    Secret values stay masked.
    """

    def action() -> int:
        from pytemplar import api, diffing, reporting

        sets = _set_arguments(set_json, set_, set_string, set_file)
        report = api.diff(project, env or [], against, release or [], values or [], sets)
        _err(reporting.as_text(report.warnings))
        if format is DiffFormat.json:
            sys.stdout.write(diffing.as_json(report.result, report.old_label, report.new_label))
        else:
            sys.stdout.write(diffing.as_text(report.result, context, use_colour(color)))
        _err(f"{report.old_label} -> {report.new_label}: {report.result.summary()}\n")
        return EXIT_DIFF_DIFFERENT if report.result.differs else 0

    _run(action, debug, timeout, max_memory, invalid=EXIT_DIFF_INVALID)
