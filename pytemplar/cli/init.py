"""`pytemplar init`: a project with its environments and one release of a new app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import DebugOpt, _err, _run
from pytemplar.errors import escape_control


def init_command(
    folder: Annotated[Path, typer.Argument(metavar="[DIR]", help="The project folder (created when missing).")] = Path(
        "."
    ),
    project_name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="Project name (default: the folder's name).")
    ] = None,
    app_name: Annotated[
        str, typer.Option("--app", metavar="APP", help="Name of the app template and its release.")
    ] = "web",
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env", "-e", metavar="ENV", help="An environment; repeat for several (default: dev, staging, prod)."
        ),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Create a project: pytemplar.yaml with environments (dev, staging, prod), one release of a new app in apps/.

    Later: pytemplar add env NAME, pytemplar add release NAME --app APP.
    """

    def action() -> None:
        from pytemplar.scaffold import MAX_PROJECT_NAME, check_name, project_files, project_name_for, write_new

        project = (
            check_name(project_name, "project name", MAX_PROJECT_NAME)
            if project_name is not None
            else project_name_for(folder)
        )
        from pytemplar.scaffold import DEFAULT_ENVIRONMENTS

        files = project_files(project, check_name(app_name, "app name"), tuple(env or DEFAULT_ENVIRONMENTS))
        write_new(folder, files)
        _err(f"created the project {escape_control(project)} in {escape_control(str(folder))}\n")

    _run(action, debug, 0, 0)
