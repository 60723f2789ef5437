"""`pytemplar set`: change values in a release's overlay file in place, keeping everything else."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pytemplar.cli._common import (
    DebugOpt,
    MemoryOpt,
    OneEnvOpt,
    OneReleaseOpt,
    TimeoutOpt,
    _err,
    _need_release,
    _run,
    _usage,
)
from pytemplar.cli._complete import complete_value_path
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from pytemplar.setargs import SetKind
    from pytemplar.values import ValuePath


def set_command(
    arguments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PROJECT] KEY=VALUE...",
            help="Project folder (default: .), then values to set: image.tag=1.5.0 list[0].name=x l={a,b}.",
            show_default=False,
            autocompletion=complete_value_path,
        ),
    ] = None,
    env: OneEnvOpt = "",
    release: OneReleaseOpt = "",
    string: Annotated[bool, typer.Option("--string", help="Values are text, as with --set-string.")] = False,
    delete: Annotated[
        list[str] | None, typer.Option("--delete", metavar="KEY", help="Remove a key from the overlay; repeatable.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the change as a diff; write nothing.")] = False,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Set values in the release x environment overlay file, keeping its comments and layout.

    The file is envs/ENV/RELEASE.yaml (created if missing), or the one pytemplar.yaml lists for
    the release in that environment. KEY=VALUE is typed like --set (1 is a number, true a
    boolean; use --string for text). Nothing is written unless the result passes validation.
    """

    def action() -> None:
        from pytemplar import api, reporting

        project, assignments = _split_project(arguments or [])
        _need_release(project, env, release, "set")
        if not assignments and not delete:
            _usage("set needs at least one KEY=VALUE (or --delete KEY)")
        changes, raw_texts = _parse_changes(assignments, delete or [], string)
        result = api.edit_values(project, env, release, changes, dry_run=dry_run, raw_texts=raw_texts)
        _err(reporting.as_text(result.warnings))
        _err("".join(line + "\n" for line in result.describe()))
        if dry_run:
            sys.stdout.write(result.diff())

    _run(action, debug, timeout, max_memory)


def _split_project(arguments: list[str]) -> tuple[Path, list[str]]:
    """PROJECT is the first argument when it holds no '=' (a KEY=VALUE always does)."""
    if arguments and "=" not in arguments[0]:
        first = Path(arguments[0])
        if not first.is_dir():
            _usage(f"'{arguments[0]}' is neither a project folder nor KEY=VALUE")
        return first, arguments[1:]
    return Path("."), arguments


def _parse_changes(
    assignments: list[str], deletions: list[str], string: bool
) -> tuple[list[tuple[ValuePath, Any]], dict[ValuePath, str]]:
    """KEY=VALUE arguments through the --set grammar, then the keys to delete."""
    from pytemplar.overlay import DELETE
    from pytemplar.setargs import parse_set_argument

    changes: list[tuple[ValuePath, Any]] = []
    raw_texts: dict[ValuePath, str] = {}
    kind: SetKind = "set-string" if string else "set"
    for number, text in enumerate(assignments, 1):
        for item in parse_set_argument(text, kind, number):
            changes.append((item.path, item.value))
            if isinstance(item.value, list):  # {1,2}: the text of each item, read as --set-string reads it
                texts = parse_set_argument(f"x={item.raw}", "set-string", number)[0].value
                raw_texts.update({(*item.path, index): typed for index, typed in enumerate(texts)})
            else:
                raw_texts[item.path] = item.raw
    for number, key in enumerate(deletions, len(assignments) + 1):
        for item in parse_set_argument(f"{key}=", "set-string", number):
            changes.append((item.path, DELETE))
    return changes, raw_texts
