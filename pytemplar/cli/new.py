"""`pytemplar new app`: an app template from a starting point that validates as it is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import DebugOpt, _err, _run
from pytemplar.errors import escape_control

new_app = typer.Typer(
    help="Create an app template from a starting point that validates as it is.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


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
