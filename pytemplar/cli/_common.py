"""What the typer commands share: common options, and ``_run``, which turns failures into exit codes.

The exit codes and the machinery without typer are in :mod:`pytemplar.cli._running`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pytemplar.checks import check_help, skip_check_help
from pytemplar.cli._complete import (
    complete_any_check,
    complete_check,
    complete_environment,
    complete_release,
    complete_value_path,
)
from pytemplar.cli._running import (
    EXIT_BUG,
    EXIT_DIFF_DIFFERENT,
    EXIT_DIFF_INVALID,
    EXIT_INVALID,
    EXIT_PIPE,
    EXIT_USAGE,
    OutputFormat,
    _err,
    _need_release,
    _set_arguments,
    _usage,
    entrypoint,
    progress_on_stderr,
    run_action,
)

__all__ = [
    "EXIT_BUG",
    "EXIT_DIFF_DIFFERENT",
    "EXIT_DIFF_INVALID",
    "EXIT_INVALID",
    "EXIT_PIPE",
    "EXIT_USAGE",
    "OutputFormat",
    "_err",
    "_need_release",
    "_run",
    "_set_arguments",
    "_usage",
    "entrypoint",
    "progress_on_stderr",
]


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"


ProjectArg = Annotated[
    Path, typer.Argument(metavar="PROJECT", help="Project folder (holding pytemplar.yaml).", show_default=True)
]
EnvOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--env", "-e", metavar="ENV", help="Environment; repeat for several.", autocompletion=complete_environment
    ),
]
ReleaseOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--release",
        "-r",
        metavar="RELEASE",
        help="Release; repeat for several (default: all).",
        autocompletion=complete_release,
    ),
]
OneEnvOpt = Annotated[
    str, typer.Option("--env", "-e", metavar="ENV", help="Environment.", autocompletion=complete_environment)
]
OneReleaseOpt = Annotated[
    str, typer.Option("--release", "-r", metavar="RELEASE", help="Release.", autocompletion=complete_release)
]
ValuesOpt = Annotated[
    list[Path] | None,
    typer.Option("--values", "-f", metavar="FILE", help="Extra values file, above every project layer; repeatable."),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback for internal errors.")]
JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=0,
        metavar="N",
        help="Work on N processors (0: all available; 1: in one process). The result is the same.",
    ),
]
TimeoutOpt = Annotated[
    float,
    typer.Option("--timeout", min=0, metavar="SECONDS", help="Stop the command after this many seconds (0: no limit)."),
]
MemoryOpt = Annotated[
    int,
    typer.Option(
        "--max-memory", min=0, metavar="MIB", help="Stop the command above this many MiB of memory (0: no limit)."
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Set values: a.b=1,list[0].name=x,l={a,b}; typed like YAML. Repeatable.",
        autocompletion=complete_value_path,
    ),
]
SetStringOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set-string",
        metavar="KEY=VALUE",
        help="Like --set; values are always text.",
        autocompletion=complete_value_path,
    ),
]
SetJsonOpt = Annotated[
    list[str] | None, typer.Option("--set-json", metavar="KEY=JSON", help='Set a value from JSON: a.b={"x":1}.')
]
SetFileOpt = Annotated[
    list[str] | None, typer.Option("--set-file", metavar="KEY=FILE", help="Set a value to a file's text: a.b=FILE.")
]

KubeVersionOpt = Annotated[
    str | None,
    typer.Option(
        "--kube-version",
        metavar="1.MINOR",
        help="Kubernetes version to check against (default: kubeVersion in pytemplar.yaml or app.yaml, else 1.35).",
    ),
]
KubeSchemaOpt = Annotated[
    bool,
    typer.Option(
        "--kube-schema/--skip-kube-schema",
        help="Validate every object against the Kubernetes API schemas of the target version (offline).",
    ),
]
CrdsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--crds", metavar="DIR", help="Folder of CRDs or JSON Schemas to validate custom resources; repeatable."
    ),
]
CheckOpt = Annotated[
    list[str] | None,
    typer.Option("--check", metavar="ID,...", help=check_help(), autocompletion=complete_check),
]
SkipCheckOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--skip-check",
        metavar="ID,...",
        help=skip_check_help(),
        autocompletion=complete_any_check,
    ),
]


def _run(
    action: Callable[[], int | None], debug: bool, timeout: float, max_memory: int, invalid: int = EXIT_INVALID
) -> None:
    """Run ``action`` under the limits (:func:`run_action`); a non-zero code ends the command with it."""
    code = run_action(action, debug, timeout, max_memory, invalid)
    if code:
        raise typer.Exit(code)
