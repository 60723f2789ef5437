"""`pytemplar import helm`: a Helm chart turned into an app template."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import DebugOpt, MemoryOpt, TimeoutOpt, _err, _run
from pytemplar.errors import escape_control
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT

import_app = typer.Typer(
    help="Turn another tool's package into an app template.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@import_app.command("helm")
def import_helm_command(
    chart: Annotated[Path, typer.Argument(metavar="CHART", help="The chart: a folder or a .tgz archive.")],
    destination: Annotated[
        Path, typer.Option("--destination", "-d", metavar="DIR", help="Folder to create the app's folder in.")
    ] = Path("."),
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Translate a Helm chart into the app template DIR/NAME.

    Chart.yaml becomes app.yaml, values and schema are carried over (a schema is drafted when
    the chart has none), templates are translated to Jinja2; what needs a hand is marked
    TODO(import) and listed. Render it with `pytemplar render DIR/NAME`.
    """

    def action() -> None:
        from pytemplar.helm.importer import import_chart
        from pytemplar.scaffold import write_new

        imported = import_chart(chart)
        write_new(destination, imported.files)
        where = escape_control(str(destination / imported.name))
        templates = sum(1 for name in imported.files if name.endswith(".yaml.j2"))
        lines = [f"imported {templates} templates into {where}"]
        for file, why in imported.skipped:
            lines.append(f"  left out {escape_control(file)}: {why}")
        for file, what in imported.notes:
            lines.append(f"  note: {escape_control(str(destination / file))}: {what}")
        for file, line, what in imported.todos:
            place = f"{destination / file}:{line}" if line else str(destination / file)
            lines.append(f"{escape_control(place)}: TODO(import): {escape_control(what)}")
        lines.append(
            f"{len(imported.todos)} places need a hand"
            if imported.todos
            else "every template was translated; compare `pytemplar render` with `helm template`"
        )
        _err("\n".join(lines) + "\n")

    _run(action, debug, timeout, max_memory)
