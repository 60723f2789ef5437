"""`pytemplar rollout status|adopt|start|promote|weight N|finish|abort|rollback`: read and change a release's rollout.

Each change edits the release x environment overlay in place (the GitOps act: commit the
file and the cluster follows) and prints what changed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pytemplar.cli._common import (
    DebugOpt,
    MemoryOpt,
    OneEnvOpt,
    OneReleaseOpt,
    ProjectArg,
    TimeoutOpt,
    _err,
    _need_release,
    _run,
    _usage,
)
from pytemplar.errors import escape_control
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from pytemplar.rolloutplan import Action

rollout_app = typer.Typer(
    name="rollout",
    help="Adopt, start, show, promote, re-weigh, finish, abort or roll back a release's rollout (edits its overlay).",
    no_args_is_help=True,
)

EnvArg = OneEnvOpt
ReleaseArg = OneReleaseOpt
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the change as a diff; write nothing.")]


def _need(project: Path, env: str, release: str, what: str) -> None:
    _need_release(project, env, release, f"rollout {what}")


ImageOpt = Annotated[
    bool,
    typer.Option(
        "--image",
        help="Print only the image name (no tag) the release pulls new versions from: what CI builds and pushes.",
    ),
]


@rollout_app.command("status")
def status_command(
    project: ProjectArg = Path("."),
    env: EnvArg = "",
    release: ReleaseArg = "",
    image: ImageOpt = False,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Show the phase, the next safe command, each Deployment's image and replicas, and where the traffic goes."""

    def action() -> None:
        from pytemplar import api
        from pytemplar.errors import UsageError
        from pytemplar.rolloutplan import format_status

        _need(project, env, release, "status")
        status = api.rollout_status(project, env, release)
        if image:
            if status.repository is None:
                raise UsageError(
                    f"release '{release}' in '{env}' renders no single Deployment whose image a rollout versions",
                    hint="name it in rollout.deployment (and the container in rollout.container)",
                )
            sys.stdout.write(escape_control(status.repository) + "\n")
            return
        report = format_status(status)
        sys.stdout.write("".join(escape_control(line) + "\n" for line in report.splitlines()))

    _run(action, debug, timeout, max_memory)


def _change(
    project: Path,
    env: str,
    release: str,
    what: Action,
    dry_run: bool,
    weight: int | None = None,
    tag: str | None = None,
    strategy: str | None = None,
) -> None:
    from pytemplar import api

    _need(project, env, release, what)
    planned, edit = api.rollout(project, env, release, what, weight, tag=tag, strategy=strategy, dry_run=dry_run)
    if dry_run:
        sys.stdout.write(edit.diff())
    else:
        for line in edit.describe():
            _err(line + "\n")
    if edit.warnings:
        from pytemplar import reporting

        _err(reporting.as_text(edit.warnings))
    if planned.note:
        _err(escape_control(f"note: {planned.note}") + "\n")


TagOpt = Annotated[
    str, typer.Option("--tag", metavar="TAG", help="The new version's image tag (what CI built and pushed).")
]


@rollout_app.command("start")
def start_command(
    project: ProjectArg = Path("."),
    env: EnvArg = "",
    release: ReleaseArg = "",
    tag: TagOpt = "",
    dry_run: DryRunOpt = False,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Put a new version where the strategy wants it: the preview colour, the canary (at weight 0), or the
    Deployment itself (Recreate, RollingUpdate). The same line deploys every release from CI."""

    def action() -> None:
        if not tag:
            _usage("rollout start needs the new version's tag (--tag TAG)")
        _change(project, env, release, "start", dry_run, tag=tag)

    _run(action, debug, timeout, max_memory)


StrategyOpt = Annotated[
    str, typer.Option("--strategy", metavar="BlueGreen|Canary", help="The strategy the running release moves onto.")
]


@rollout_app.command("adopt")
def adopt_command(
    project: ProjectArg = Path("."),
    env: EnvArg = "",
    release: ReleaseArg = "",
    strategy: StrategyOpt = "",
    dry_run: DryRunOpt = False,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Move a running release onto BlueGreen or Canary without replacing its Deployment: it keeps its name
    and selector, its pods gain the strategy's label while the Services keep selecting them all; `finish`
    then makes the Services select by the label."""

    def action() -> None:
        if not strategy:
            _usage("rollout adopt needs the strategy to move onto (--strategy BlueGreen or --strategy Canary)")
        _change(project, env, release, "adopt", dry_run, strategy=strategy)

    _run(action, debug, timeout, max_memory)


def _phase_command(action: Action, help_text: str) -> None:
    """Register ``rollout ACTION``: a step of the rollout that takes no argument of its own."""

    def command(
        project: ProjectArg = Path("."),
        env: EnvArg = "",
        release: ReleaseArg = "",
        dry_run: DryRunOpt = False,
        debug: DebugOpt = False,
        timeout: TimeoutOpt = DEFAULT_TIMEOUT,
        max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
    ) -> None:
        _run(lambda: _change(project, env, release, action, dry_run), debug, timeout, max_memory)

    command.__doc__ = help_text
    command.__name__ = f"{action}_command"
    rollout_app.command(action)(command)


_phase_command(
    "promote",
    "BlueGreen: switch traffic to the preview colour; the old colour stays whole for a rollback.\n"
    "    Canary: the stable Deployment takes the canary's version while the canary keeps serving.",
)


@rollout_app.command("weight")
def weight_command(
    weight: Annotated[int, typer.Argument(metavar="PERCENT", min=0, max=100, help="Share of requests for the canary.")],
    project: ProjectArg = Path("."),
    env: EnvArg = "",
    release: ReleaseArg = "",
    dry_run: DryRunOpt = False,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Canary: send PERCENT of the requests to the canary. When the canary lacks the pods for that share,
    this run only scales it up; run the command again once its pods are ready."""
    _run(lambda: _change(project, env, release, "weight", dry_run, weight=weight), debug, timeout, max_memory)


_phase_command(
    "finish",
    "After promote: let the old version go (BlueGreen scales the old colour down; Canary ends the canary).\n"
    "    After adopt: the Services select the strategy's label.",
)
_phase_command(
    "abort",
    "Before promote: drop the new version (BlueGreen resets and scales down the preview; Canary ends the\n"
    "    canary). The traffic never left the stable version.",
)
_phase_command(
    "rollback",
    "After promote: return the traffic to the old version, which was kept whole (BlueGreen switches back;\n"
    "    Canary gives the stable Deployment its old version while the canary keeps serving).",
)
