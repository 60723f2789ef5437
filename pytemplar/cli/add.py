"""`pytemplar add env` and `pytemplar add release`: grow a project, editing pytemplar.yaml in place."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import DebugOpt, _err, _run
from pytemplar.errors import escape_control

add_app = typer.Typer(
    help="Add an environment or a release to a project (pytemplar.yaml is edited in place, comments kept).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

ProjectOpt = Annotated[
    Path, typer.Option("--project", "-p", metavar="PROJECT", help="Project folder (holding pytemplar.yaml).")
]


@add_app.command("env")
def add_env_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name of the environment (a DNS-1123 label).")],
    project: ProjectOpt = Path("."),
    namespace: Annotated[
        str | None,
        typer.Option("--namespace", "-n", metavar="NAMESPACE", help="Its namespace (default: PROJECT-NAME)."),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Add an environment to pytemplar.yaml and create its overlay envs/NAME.yaml."""

    def action() -> None:
        from pytemplar.projectedit import add_environment

        done = add_environment(project, name, namespace)
        _err(_describe(done.project_file, done.overlay, f"the environment {name}"))

    _run(action, debug, 0, 0)


@add_app.command("release")
def add_release_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name of the release (a DNS-1123 label).")],
    app_folder: Annotated[
        str,
        typer.Option("--app", metavar="APP", help="The app template folder, relative to the project (or to here)."),
    ],
    project: ProjectOpt = Path("."),
    debug: DebugOpt = False,
) -> None:
    """Add a release of an app template to pytemplar.yaml and create its overlay releases/NAME.yaml."""

    def action() -> None:
        from pytemplar.projectedit import add_release

        done = add_release(project, name, app_folder)
        _err(_describe(done.project_file, done.overlay, f"the release {name}"))

    _run(action, debug, 0, 0)


def _describe(project_file: Path, overlay: Path, what: str) -> str:
    return escape_control(f"added {what} to {project_file}; its values go in {overlay}") + "\n"
