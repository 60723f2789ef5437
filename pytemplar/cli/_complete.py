"""Completion callbacks of the shared options: a project's environments, releases, value paths, check ids.

Kept apart from the ``completion`` command so that ``_common`` can name them in its options
without importing the command; the names come from :mod:`pytemplar.completion`, loaded lazily.
"""

from __future__ import annotations

from pathlib import Path

import typer

# The words of the command line being completed, set by the completion responder: the parser
# stops at the option being completed, so the project named before it is read from here.
words: list[str] = []


def _project(ctx: typer.Context) -> Path:
    for word in words:
        if not word.startswith("-") and (Path(word) / "pytemplar.yaml").is_file():
            return Path(word)
    project = ctx.params.get("project")
    return project if isinstance(project, Path) else Path(".")


def _option(ctx: typer.Context, name: str, *flags: str) -> str | None:
    """The value given to an option before the word being completed (the first, if repeated)."""
    for index, word in enumerate(words):
        if word in flags and index + 1 < len(words):
            return words[index + 1]
        for flag in flags:
            if flag.startswith("--") and word.startswith(flag + "="):
                return word.split("=", 1)[1]
    value = ctx.params.get(name)
    if isinstance(value, (list, tuple)):
        return str(value[0]) if value else None
    return str(value) if value else None


def complete_environment(ctx: typer.Context, incomplete: str) -> list[str]:
    from pytemplar.completion import environments

    return [name for name in environments(_project(ctx)) if name.startswith(incomplete)]


def complete_release(ctx: typer.Context, incomplete: str) -> list[str]:
    from pytemplar.completion import releases

    names = releases(_project(ctx), _option(ctx, "env", "-e", "--env"))
    return [name for name in names if name.startswith(incomplete)]


def complete_value_path(ctx: typer.Context, incomplete: str) -> list[str]:
    from pytemplar.completion import value_paths

    if "=" in incomplete:
        return []
    paths = value_paths(_project(ctx), _option(ctx, "release", "-r", "--release"))
    return [f"{path}=" for path in paths if path.startswith(incomplete)]  # the value is typed next


def complete_check(ctx: typer.Context, incomplete: str) -> list[str]:
    return _check_list(incomplete, opt_in_only=True)


def complete_any_check(ctx: typer.Context, incomplete: str) -> list[str]:
    return _check_list(incomplete, opt_in_only=False)


def _check_list(incomplete: str, opt_in_only: bool) -> list[str]:
    """Ids after the last comma of a comma-separated list."""
    from pytemplar.completion import check_ids

    done, _, last = incomplete.rpartition(",")
    prefix = f"{done}," if done else ""
    return [prefix + name for name in check_ids(opt_in_only) if name.startswith(last)]
