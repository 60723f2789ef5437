"""`pytemplar docs`: the Markdown values reference of an app template, for its readers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import DebugOpt, MemoryOpt, TimeoutOpt, _run
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT


def docs_command(
    app_folder: Annotated[Path, typer.Argument(metavar="APP", help="The app template folder.")],
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Print the Markdown values reference of an app template (key, type, default, description)."""

    def action() -> None:
        from pytemplar.docsgen import values_reference
        from pytemplar.project import Workspace

        sys.stdout.write(values_reference(Workspace().app(app_folder)))

    _run(action, debug, timeout, max_memory)
