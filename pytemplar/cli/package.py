"""`pytemplar package`, `pytemplar new app` and `pytemplar init`: making and sharing app templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import DebugOpt, _err, _run, app
from pytemplar.errors import escape_control

new_app = typer.Typer(
    help="Create an app template from a starting point that validates as it is.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(new_app, name="new")


@app.command("package")
def package_command(
    app_folder: Annotated[Path, typer.Argument(metavar="APP", help="The app template folder.")],
    destination: Annotated[
        Path, typer.Option("--destination", "-d", metavar="DIR", help="Folder to write the archive to.")
    ] = Path("."),
    debug: DebugOpt = False,
) -> None:
    """Write NAME-VERSION.tgz and its .sha256: a reproducible archive of an app template.

    The archive leaves out what .pytemplarignore lists, and is checked before it is written:
    its templates must render with the app's defaults. Members get the time SOURCE_DATE_EPOCH
    when it is set, else 0, so the same app always gives the same bytes.
    """

    def action() -> None:
        from pytemplar.package import build_package, write_package

        package = build_package(app_folder)
        write_package(package, destination, app_folder)
        shown = escape_control(str(destination / package.file_name))
        _err(f"wrote {shown} and {shown}.sha256\n  sha256 {package.sha256}\n")

    _run(action, debug, 0, 0)


@new_app.command("app")
def new_app_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Name of the app template (a DNS-1123 label).")],
    destination: Annotated[
        Path, typer.Option("--destination", "-d", metavar="DIR", help="Folder to create NAME/ in.")
    ] = Path("."),
    debug: DebugOpt = False,
) -> None:
    """Create the app template DIR/NAME: a Deployment and a Service with a values schema."""

    def action() -> None:
        from pytemplar.scaffold import app_files, check_name, write_new

        files = app_files(check_name(name, "app name"))
        write_new(destination, {f"{name}/{path}": text for path, text in files.items()})
        _err(f"created the app template {escape_control(str(destination / name))}\n")

    _run(action, debug, 0, 0)


@app.command("init")
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
