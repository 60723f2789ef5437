"""The command line: parses flags, calls :mod:`pytemplar.api`, prints, and sets the exit code.

This is the only module that prints or exits. Exit codes: 0 success, 1 invalid input,
2 usage error, 3 internal error (a bug: rerun with --debug for the traceback), 130 interrupted.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from pytemplar import __version__
from pytemplar.errors import PytemplarError, UsageError, escape_control
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from pytemplar.setargs import SetKind

app = typer.Typer(
    name="pytemplar",
    help="Render Kubernetes manifests from one app template for many releases and environments.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_BUG = 3


class OutputFormat(StrEnum):
    yaml = "yaml"
    json = "json"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"


ProjectArg = Annotated[
    Path, typer.Argument(metavar="PROJECT", help="Project folder (holding pytemplar.yaml).", show_default=True)
]
EnvOpt = Annotated[
    list[str] | None, typer.Option("--env", "-e", metavar="ENV", help="Environment; repeat for several.")
]
ReleaseOpt = Annotated[
    list[str] | None,
    typer.Option("--release", "-r", metavar="RELEASE", help="Release; repeat for several (default: all)."),
]
ValuesOpt = Annotated[
    list[Path] | None,
    typer.Option("--values", "-f", metavar="FILE", help="Extra values file, above every project layer; repeatable."),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback for internal errors.")]
TimeoutOpt = Annotated[
    float,
    typer.Option("--timeout", min=0, metavar="SECONDS", help="Stop the command after this many seconds (0: no limit)."),
]
MemoryOpt = Annotated[
    int,
    typer.Option(
        "--max-memory", min=0, metavar="MIB", help="Stop the command above this many MiB of memory (0: no limit)."
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", metavar="KEY=VALUE", help="Set values: a.b=1,list[0].name=x,l={a,b}; typed like YAML. Repeatable."
    ),
]
SetStringOpt = Annotated[
    list[str] | None, typer.Option("--set-string", metavar="KEY=VALUE", help="Like --set; values are always text.")
]
SetJsonOpt = Annotated[
    list[str] | None, typer.Option("--set-json", metavar="KEY=JSON", help='Set a value from JSON: a.b={"x":1}.')
]
SetFileOpt = Annotated[
    list[str] | None, typer.Option("--set-file", metavar="KEY=FILE", help="Set a value to a file's text: a.b=FILE.")
]


def _set_arguments(
    set_json: list[str] | None, set_: list[str] | None, set_string: list[str] | None, set_file: list[str] | None
) -> list[tuple[SetKind, str]]:
    """All --set* arguments in the order they apply (Helm's): JSON, plain, string, file."""
    ordered: list[tuple[SetKind, list[str] | None]] = [
        ("set-json", set_json),
        ("set", set_),
        ("set-string", set_string),
        ("set-file", set_file),
    ]
    return [(kind, text) for kind, texts in ordered for text in texts or []]


def _err(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def _run(action: Callable[[], int | None], debug: bool, timeout: float, max_memory: int) -> None:
    """Run ``action`` under the limits, turning every failure into a message and an exit code."""
    from pytemplar.supervise import Limits, run_limited

    def guarded() -> int:
        try:
            return action() or 0
        except UsageError as exc:
            _report(exc)
            return EXIT_USAGE
        except PytemplarError as exc:
            _report(exc)
            return EXIT_INVALID
        except MemoryError:
            _err(
                f"error: the command needed more than {_memory_limit_mib(max_memory)} MiB of memory and was stopped\n"
                "  hint: a template or values file builds something very large; --max-memory raises the limit\n"
            )
            return EXIT_INVALID
        except KeyboardInterrupt:
            _err("interrupted\n")
            return 130
        except typer.Exit as exc:
            return int(exc.exit_code)
        except Exception as exc:  # a bug: say so, without a traceback unless asked
            if debug:
                traceback.print_exc()
            _err(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "  this is a bug in pytemplar; rerun with --debug and report the traceback\n"
            )
            return EXIT_BUG

    def timed_out() -> None:
        _err(
            f"error: the command took longer than {timeout:g} s and was stopped\n"
            "  hint: a template loops for too long; --timeout raises the limit\n"
        )

    try:
        code = run_limited(guarded, Limits(timeout, max_memory), timed_out)
    except KeyboardInterrupt:
        _err("interrupted\n")
        code = 130
    if code:
        raise typer.Exit(code)


def _memory_limit_mib(asked: int) -> int:
    """The address-space limit in force (it may be lower than asked for, set by the caller)."""
    import resource

    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    return asked if soft == resource.RLIM_INFINITY else soft // (1024 * 1024)


def _report(exc: PytemplarError) -> None:
    from pytemplar.reporting import as_text

    _err(as_text(exc.problems))


def _usage(message: str) -> NoReturn:
    raise UsageError(message)


def _version(value: bool) -> None:
    if value:
        print(f"pytemplar {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """pytemplar: Kubernetes manifests from Jinja2 app templates with layered, validated values."""


@app.command()
def render(
    project: ProjectArg = Path("."),
    env: EnvOpt = None,
    all_envs: Annotated[bool, typer.Option("--all-envs", help="Render every environment.")] = False,
    release: ReleaseOpt = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    set_string: SetStringOpt = None,
    set_json: SetJsonOpt = None,
    set_file: SetFileOpt = None,
    output: Annotated[OutputFormat, typer.Option("--output", "-o", help="Stream format.")] = OutputFormat.yaml,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            metavar="DIR",
            help="Write DIR/<env>/<release>/<file>.yaml instead of stdout; the folder is replaced atomically.",
        ),
    ] = None,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Render manifests to stdout (for kubectl apply -f -) or to a folder."""

    def action() -> None:
        from pytemplar import api
        from pytemplar import output as out
        from pytemplar.project import Workspace, load_project

        envs = list(env or [])
        if all_envs and envs:
            _usage("use either --env or --all-envs, not both")
        if not envs and not all_envs:
            known = load_project(project, Workspace()).environments
            if len(known) != 1:
                _usage(f"choose an environment with -e ({', '.join(known)}) or use --all-envs")
        sets = _set_arguments(set_json, set_, set_string, set_file)
        result = api.render(project, envs, release or [], values or [], sets)
        if result.warnings:
            from pytemplar.reporting import as_text

            _err(as_text(result.warnings))
        if output_dir is not None:
            apps = [Path(p) for p in _app_folders(project)]
            written = out.write_folder(result.manifests, output_dir, [project, *apps], apps)
            shown = escape_control(str(output_dir))
            _err(f"wrote {len(written)} files for {len(result.releases)} releases to {shown}\n")
            return
        text = out.to_json(result.manifests) if output is OutputFormat.json else out.to_yaml_stream(result.manifests)
        sys.stdout.write(text)

    _run(action, debug, timeout, max_memory)


def _app_folders(project: Path) -> list[Path]:
    from pytemplar.project import Workspace, load_project

    loaded = load_project(project, Workspace())
    return [spec.app_path for spec in loaded.releases.values()]


@app.command()
def validate(
    project: ProjectArg = Path("."),
    env: EnvOpt = None,
    release: ReleaseOpt = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    set_string: SetStringOpt = None,
    set_json: SetJsonOpt = None,
    set_file: SetFileOpt = None,
    format: Annotated[
        ReportFormat,
        typer.Option("--format", help="text (stderr); json, github annotations or junit XML (stdout)."),
    ] = ReportFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Check values, templates and manifests of every environment x release; all problems at once."""

    def action() -> int:
        from pytemplar import api, reporting

        sets = _set_arguments(set_json, set_, set_string, set_file)
        result = api.validate(project, env or [], release or [], values or [], sets)
        problems = reporting.strictly(result.problems) if strict else result.problems
        if format is ReportFormat.json:
            sys.stdout.write(reporting.as_json(problems, result.releases))
        elif format is ReportFormat.github:
            sys.stdout.write(reporting.as_github(problems))
        elif format is ReportFormat.junit:
            sys.stdout.write(reporting.as_junit(problems, result.releases))
        else:
            _err(reporting.as_text(problems))
            _err(reporting.summary(problems, result.releases) + "\n")
        return EXIT_INVALID if any(p.severity == "error" for p in problems) else 0

    _run(action, debug, timeout, max_memory)


@app.command("values")
def values_command(
    project: ProjectArg = Path("."),
    env: Annotated[str, typer.Option("--env", "-e", metavar="ENV", help="Environment.")] = "",
    release: Annotated[str, typer.Option("--release", "-r", metavar="RELEASE", help="Release.")] = "",
    values: ValuesOpt = None,
    set_: SetOpt = None,
    set_string: SetStringOpt = None,
    set_json: SetJsonOpt = None,
    set_file: SetFileOpt = None,
    origin: Annotated[bool, typer.Option("--origin", help="Show where each value came from.")] = False,
    output: Annotated[OutputFormat, typer.Option("--output", "-o", help="Output format.")] = OutputFormat.yaml,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
) -> None:
    """Print the merged values of one release in one environment."""

    def action() -> None:
        from pytemplar import api, reporting
        from pytemplar.yamlout import dump_yaml

        if not env or not release:
            _usage("values needs an environment (-e) and a release (-r)")
        sets = _set_arguments(set_json, set_, set_string, set_file)
        result = api.release_values(project, env, release, values or [], sets)
        _err(reporting.as_text(result.warnings))
        if origin:
            sys.stdout.write(reporting.origins_table(result.shown(), result.origins))
        elif output is OutputFormat.json:
            sys.stdout.write(json.dumps(result.shown(), indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(dump_yaml(result.shown()))

    _run(action, debug, timeout, max_memory)


class SchemaName(StrEnum):
    values = "values"
    project = "project"
    app = "app"


@app.command("schema")
def schema_command(
    which: Annotated[
        SchemaName,
        typer.Argument(metavar="values|project|app", help="An app's values schema, or pytemplar's own."),
    ],
    app_folder: Annotated[
        Path | None, typer.Argument(metavar="[APP]", help="The app template folder (for 'values').")
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Print a JSON Schema: an app's values schema, or that of pytemplar.yaml or app.yaml (for editors)."""

    def action() -> None:
        from pytemplar.project import Workspace, builtin_schema

        if which is SchemaName.values:
            if app_folder is None:
                _usage("schema values needs the app template folder: pytemplar schema values APP")
            found = Workspace().app(app_folder).schema
            if found is None:
                raise UsageError(f"the app '{app_folder}' has no values.schema.json")
            schema = found.schema
        else:
            schema = builtin_schema(f"{'pytemplar' if which is SchemaName.project else 'app'}.schema.json").schema
        sys.stdout.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")

    _run(action, debug, 0, 0)


@app.command("docs")
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


def entrypoint() -> None:
    """Console-script entry: usage errors from the parser exit 2, everything else via _run."""
    try:
        app(prog_name="pytemplar")
    except KeyboardInterrupt:
        _err("interrupted\n")
        sys.exit(130)
