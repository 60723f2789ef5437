"""`pytemplar package`: a reproducible archive of an app template, to share it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import DebugOpt, _err, _run
from pytemplar.errors import escape_control


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
