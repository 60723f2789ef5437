"""`pytemplar values`: the merged values of one release, optionally with their origins."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import (
    DebugOpt,
    MemoryOpt,
    OneEnvOpt,
    OneReleaseOpt,
    OutputFormat,
    ProjectArg,
    SetFileOpt,
    SetJsonOpt,
    SetOpt,
    SetStringOpt,
    TimeoutOpt,
    ValuesOpt,
    _err,
    _need_release,
    _run,
    _set_arguments,
)
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT


def values_command(
    project: ProjectArg = Path("."),
    env: OneEnvOpt = "",
    release: OneReleaseOpt = "",
    values: ValuesOpt = None,
    set_: SetOpt = None,
    set_string: SetStringOpt = None,
    set_json: SetJsonOpt = None,
    set_file: SetFileOpt = None,
    origin: Annotated[
        bool,
        typer.Option("--origin", help="Show where each value came from (-o json: path, value, origin, overrides)."),
    ] = False,
    output: Annotated[OutputFormat, typer.Option("--output", "-o", help="Output format.")] = OutputFormat.yaml,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Print the merged values of one release in one environment."""

    def action() -> None:
        from pytemplar import api, reporting
        from pytemplar.yamlout import dump_yaml

        _need_release(project, env, release, "values")
        sets = _set_arguments(set_json, set_, set_string, set_file)
        result = api.release_values(project, env, release, values or [], sets)
        _err(reporting.as_text(result.warnings))
        if origin and output is OutputFormat.json:
            sys.stdout.write(reporting.origins_json(result.shown(), result.origins))
        elif origin:
            sys.stdout.write(reporting.origins_table(result.shown(), result.origins))
        elif output is OutputFormat.json:
            sys.stdout.write(json.dumps(result.shown(), indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(dump_yaml(result.shown()))

    _run(action, debug, timeout, max_memory)
