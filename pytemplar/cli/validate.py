"""`pytemplar validate`: the CI gate over every environment x release."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import (
    EXIT_INVALID,
    EXIT_USAGE,
    CheckOpt,
    CrdsOpt,
    DebugOpt,
    EnvOpt,
    JobsOpt,
    KubeSchemaOpt,
    KubeVersionOpt,
    MemoryOpt,
    ReleaseOpt,
    ReportFormat,
    SetFileOpt,
    SetJsonOpt,
    SetOpt,
    SetStringOpt,
    SkipCheckOpt,
    TimeoutOpt,
    _err,
    _run,
    _set_arguments,
    progress_on_stderr,
)
from pytemplar.errors import Problem, UsageError
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT

FilenameOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--filename",
        "-f",
        metavar="FILE|DIR|-",
        help="Validate these Kubernetes manifests instead of a project (files, folders of *.yaml, - for stdin); "
        "repeatable.",
    ),
]
ValuesLongOpt = Annotated[
    list[Path] | None,
    typer.Option("--values", metavar="FILE", help="Extra values file, above every project layer; repeatable."),
]


def validate(
    project: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PROJECT]",
            help="Project folder (holding pytemplar.yaml); default: '.'. With -f: more manifest files.",
            show_default=False,
        ),
    ] = None,
    filename: FilenameOpt = None,
    env: EnvOpt = None,
    release: ReleaseOpt = None,
    values: ValuesLongOpt = None,
    set_: SetOpt = None,
    set_string: SetStringOpt = None,
    set_json: SetJsonOpt = None,
    set_file: SetFileOpt = None,
    format: Annotated[
        ReportFormat,
        typer.Option("--format", help="text (stderr); json, github annotations or junit XML (stdout)."),
    ] = ReportFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="GITREF",
            help="Also warn about what applying the project over this git revision breaks (immutable fields,"
            " traffic to pods that do not run yet).",
        ),
    ] = None,
    kube_version: KubeVersionOpt = None,
    kube_schema: KubeSchemaOpt = True,
    crds: CrdsOpt = None,
    check: CheckOpt = None,
    skip_check: SkipCheckOpt = None,
    jobs: JobsOpt = 0,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Check values, templates and manifests of every environment x release, or plain manifests (-f); all
    problems at once."""
    if filename:
        # After -f, more files may follow (pre-commit and shell globs pass them so).
        filename = [*filename, *(str(path) for path in project or [])]
        project_only = {
            "--env": bool(env),
            "--release": bool(release),
            "--values": bool(values),
            "--set*": bool(set_ or set_string or set_json or set_file),
        }
        given = [name for name, used in project_only.items() if used]
        if given:
            _err(f"error: {', '.join(given)} cannot be used with -f: plain manifests have no values or releases\n")
            raise typer.Exit(EXIT_USAGE)

        def files_action() -> int:
            from pytemplar import reporting
            from pytemplar.api.files import STDIN, validate_files

            stdin = sys.stdin.read() if STDIN in filename else None
            result = validate_files(
                filename,
                stdin=stdin,
                kube_version=kube_version,
                kube_schema=kube_schema,
                crds=crds or [],
                checks=check or [],
                skip_checks=skip_check or [],
            )
            problems = reporting.strictly(result.problems) if strict else result.problems
            _report(problems, [], format, result.summary_of(problems), result.files, result.objects, result.checks)
            return EXIT_INVALID if any(p.severity == "error" for p in problems) else 0

        _run(_reported(files_action, format), debug, timeout, max_memory)
        return

    if project is not None and len(project) > 1:
        _err("error: validate takes one PROJECT folder (or manifest files with -f)\n")
        raise typer.Exit(EXIT_USAGE)

    def action() -> int:
        from pytemplar import api, reporting

        sets = _set_arguments(set_json, set_, set_string, set_file)
        with progress_on_stderr("validating") as progress:
            result = api.validate(
                project[0] if project else Path("."),
                env or [],
                release or [],
                values or [],
                sets,
                kube_version=kube_version,
                kube_schema=kube_schema,
                crds=crds or [],
                checks=check or [],
                skip_checks=skip_check or [],
                progress=progress,
                jobs=jobs,
                against=against,
            )
        problems = reporting.strictly(result.problems) if strict else result.problems
        _report(
            problems,
            result.releases,
            format,
            reporting.summary(problems, result.releases),
            None,
            result.objects,
            result.checks,
        )
        return EXIT_INVALID if any(p.severity == "error" for p in problems) else 0

    _run(_reported(action, format), debug, timeout, max_memory)


def _reported(action: Callable[[], int], format: ReportFormat) -> Callable[[], int]:
    """``action``, which also writes a usage error as a report in a machine-readable format, so a CI
    step that reads the report sees why nothing was checked (the exit code stays 2)."""

    def run() -> int:
        try:
            return action()
        except UsageError as exc:
            if format is not ReportFormat.text:
                _report(exc.problems, [], format, "")
            raise

    return run


def _report(
    problems: list[Problem],
    releases: list[tuple[str, str]],
    format: ReportFormat,
    summary: str,
    files: list[str] | None = None,
    objects: Sequence[tuple[str, str]] = (),
    checks: Sequence[str] = (),
) -> None:
    from pytemplar import reporting

    if format is ReportFormat.json:
        sys.stdout.write(reporting.as_json(problems, releases, files))
    elif format is ReportFormat.github:
        sys.stdout.write(reporting.as_github(problems))
    elif format is ReportFormat.junit:
        sys.stdout.write(reporting.as_junit(problems, objects, checks))
    else:
        _err(reporting.as_text(problems))
        _err(summary + "\n")
