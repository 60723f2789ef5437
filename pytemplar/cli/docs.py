"""`pytemplar docs`: the Markdown values reference of an app template, for its readers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import (
    DebugOpt,
    _run,
)


def docs_command(
    app_folder: Annotated[Path, typer.Argument(metavar="APP", help="The app template folder.")],
    debug: DebugOpt = False,
) -> None:
    """Print the Markdown values reference of an app template (key, type, default, description)."""

    def action() -> None:
        from pytemplar.docsgen import values_reference
        from pytemplar.project import Workspace

        sys.stdout.write(values_reference(Workspace().app(app_folder)))

    _run(action, debug, 0, 0)
