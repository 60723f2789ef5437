"""`pytemplar schema`: the JSON Schemas editors use, an app's values schema or pytemplar's own."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import (
    DebugOpt,
    _run,
    _usage,
)
from pytemplar.errors import UsageError


class SchemaName(StrEnum):
    values = "values"
    project = "project"
    app = "app"


def schema_command(
    which: Annotated[
        SchemaName,
        typer.Argument(metavar="values|project|app", help="An app's values schema, or pytemplar's own."),
    ],
    app_folder: Annotated[
        Path | None, typer.Argument(metavar="[APP]", help="The app template folder (for 'values').")
    ] = None,
    overlay: Annotated[
        bool,
        typer.Option(
            "--overlay",
            help="For 'values': the schema of an overlay (a partial values file): every key optional, "
            "null allowed, 'rollout' allowed. Save it as APP/values.overlay.schema.json for editors.",
        ),
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """Print a JSON Schema: an app's values schema, or that of pytemplar.yaml or app.yaml (for editors).

    Editors with yaml-language-server use a schema through a first-line comment
    '# yaml-language-server: $schema=PATH', PATH relative to the file.
    """

    def action() -> None:
        from pytemplar.project import Workspace, builtin_schema

        if overlay and which is not SchemaName.values:
            _usage("--overlay goes with 'schema values APP'")
        if which is SchemaName.values:
            if app_folder is None:
                _usage("schema values needs the app template folder: pytemplar schema values APP")
            if overlay:
                from pytemplar.editorschema import app_overlay_schema, schema_text

                sys.stdout.write(schema_text(app_overlay_schema(app_folder)))
                return
            found = Workspace().app(app_folder).schema
            if found is None:
                raise UsageError(f"the app '{app_folder}' has no values.schema.json")
            schema = found.schema
        else:
            schema = builtin_schema(f"{'pytemplar' if which is SchemaName.project else 'app'}.schema.json").schema
        sys.stdout.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")

    _run(action, debug, 0, 0)
