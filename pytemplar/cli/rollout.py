"""`pytemplar rollout status|promote|weight N|abort`: read and change a release's rollout.

Each change edits the release x environment overlay in place (the GitOps act: commit the
file and the cluster follows) and prints what changed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pytemplar.cli._common import DebugOpt, ProjectArg, _err, _run, _usage
from pytemplar.errors import escape_control

if TYPE_CHECKING:
    from pytemplar.rolloutplan import Action

rollout_app = typer.Typer(
    name="rollout",
    help="Show, promote, re-weigh or abort a release's Blue/Green or Canary rollout (edits its overlay).",
    no_args_is_help=True,
)

EnvArg = Annotated[str, typer.Option("--env", "-e", metavar="ENV", help="Environment.")]
ReleaseArg = Annotated[str, typer.Option("--release", "-r", metavar="RELEASE", help="Release.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the change as a diff; write nothing.")]


def _need(env: str, release: str, what: str) -> None:
    if not env or not release:
        _usage(f"rollout {what} needs an environment (-e) and a release (-r)")


@rollout_app.command("status")
def status_command(
    project: ProjectArg = Path("."), env: EnvArg = "", release: ReleaseArg = "", debug: DebugOpt = False
) -> None:
    """Show the strategy, each Deployment's image and replicas, and where the traffic goes."""

    def action() -> None:
        from pytemplar import api
        from pytemplar.rolloutplan import format_status

        _need(env, release, "status")
        report = format_status(api.rollout_status(project, env, release))
        sys.stdout.write("".join(escape_control(line) + "\n" for line in report.splitlines()))

    _run(action, debug, 0, 0)


def _change(project: Path, env: str, release: str, what: Action, weight: int | None, dry_run: bool) -> None:
    from pytemplar import api

    _need(env, release, what)
    _, edit = api.rollout(project, env, release, what, weight, dry_run=dry_run)
    if edit is None:
        _err(f"nothing to {what}: release '{release}' in '{env}' has no pending version\n")
        return
    if dry_run:
        sys.stdout.write(edit.diff())
        return
    for line in edit.describe():
        _err(line + "\n")


@rollout_app.command("promote")
def promote_command(
    project: ProjectArg = Path("."),
    env: EnvArg = "",
    release: ReleaseArg = "",
    dry_run: DryRunOpt = False,
    debug: DebugOpt = False,
) -> None:
    """BlueGreen: switch traffic to the preview colour. Canary: make the canary's version stable."""
    _run(lambda: _change(project, env, release, "promote", None, dry_run), debug, 0, 0)


@rollout_app.command("weight")
def weight_command(
    weight: Annotated[int, typer.Argument(metavar="PERCENT", min=0, max=100, help="Share of requests for the canary.")],
    project: ProjectArg = Path("."),
    env: EnvArg = "",
    release: ReleaseArg = "",
    dry_run: DryRunOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Canary: send PERCENT of the requests to the canary."""
    _run(lambda: _change(project, env, release, "weight", weight, dry_run), debug, 0, 0)


@rollout_app.command("abort")
def abort_command(
    project: ProjectArg = Path("."),
    env: EnvArg = "",
    release: ReleaseArg = "",
    dry_run: DryRunOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Send all traffic back to the stable version: end the canary, or reset the preview colour."""
    _run(lambda: _change(project, env, release, "abort", None, dry_run), debug, 0, 0)
