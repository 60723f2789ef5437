"""`pytemplar validate`: the CI gate over every environment x release."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import (
    EXIT_INVALID,
    CheckOpt,
    CrdsOpt,
    DebugOpt,
    EnvOpt,
    JobsOpt,
    KubeSchemaOpt,
    KubeVersionOpt,
    MemoryOpt,
    ProjectArg,
    ReleaseOpt,
    ReportFormat,
    SetFileOpt,
    SetJsonOpt,
    SetOpt,
    SetStringOpt,
    TimeoutOpt,
    ValuesOpt,
    _err,
    _run,
    _set_arguments,
    app,
)
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT


@app.command()
def validate(
    project: ProjectArg = Path("."),
    env: EnvOpt = None,
    release: ReleaseOpt = None,
    values: ValuesOpt = None,
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
    jobs: JobsOpt = 0,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Check values, templates and manifests of every environment x release; all problems at once."""

    def action() -> int:
        from pytemplar import api, reporting
        from pytemplar.progress import progress_line

        sets = _set_arguments(set_json, set_, set_string, set_file)
        with progress_line(sys.stderr, "validating") as progress:
            result = api.validate(
                project,
                env or [],
                release or [],
                values or [],
                sets,
                kube_version=kube_version,
                kube_schema=kube_schema,
                crds=crds or [],
                checks=check or [],
                progress=progress,
                jobs=jobs,
                against=against,
            )
        problems = reporting.strictly(result.problems) if strict else result.problems
        if format is ReportFormat.json:
            sys.stdout.write(reporting.as_json(problems, result.releases))
        elif format is ReportFormat.github:
            sys.stdout.write(reporting.as_github(problems))
        elif format is ReportFormat.junit:
            sys.stdout.write(reporting.as_junit(problems, result.releases))
        else:
            _err(reporting.as_text(problems))
            _err(reporting.summary(problems, result.releases) + "\n")
        return EXIT_INVALID if any(p.severity == "error" for p in problems) else 0

    _run(action, debug, timeout, max_memory)
