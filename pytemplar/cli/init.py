"""`pytemplar init`: a project with its environments and one release of a new app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import DebugOpt, MemoryOpt, TimeoutOpt, _err, _run
from pytemplar.errors import escape_control
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT


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
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
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

        if "/" in app_name or app_name.startswith("."):  # a folder: an app template that exists already
            from pytemplar.errors import UsageError

            raise UsageError(
                f"--app names the app template init creates in apps/; '{app_name}' is a path",
                hint=f"to use an existing app template, create the project, then add its release: pytemplar init "
                f"{folder} && pytemplar add release NAME --app APP -p {folder} (APP relative to the project)",
            )
        files = project_files(project, check_name(app_name, "app name"), tuple(env or DEFAULT_ENVIRONMENTS))
        write_new(folder, files)
        _err(f"created the project {escape_control(project)} in {escape_control(str(folder))}\n")

    _run(action, debug, timeout, max_memory)
