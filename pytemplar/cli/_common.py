"""What every command shares: the typer app, common options, and ``_run``, which turns failures into exit codes.

Exit codes: 0 success, 1 invalid input, 2 usage error, 3 internal error (a bug: rerun with
--debug for the traceback), 124 time limit, 130 interrupted.
"""

from __future__ import annotations

import copy
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from pytemplar import __version__
from pytemplar.checks import check_help, skip_check_help
from pytemplar.errors import PytemplarError, UsageError

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
JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=0,
        metavar="N",
        help="Work on N processors (0: all available; 1: in one process). The result is the same.",
    ),
]
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

KubeVersionOpt = Annotated[
    str | None,
    typer.Option(
        "--kube-version",
        metavar="1.MINOR",
        help="Kubernetes version to check against (default: kubeVersion in pytemplar.yaml or app.yaml, else 1.35).",
    ),
]
KubeSchemaOpt = Annotated[
    bool,
    typer.Option(
        "--kube-schema/--skip-kube-schema",
        help="Validate every object against the Kubernetes API schemas of the target version (offline).",
    ),
]
CrdsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--crds", metavar="DIR", help="Folder of CRDs or JSON Schemas to validate custom resources; repeatable."
    ),
]
CheckOpt = Annotated[
    list[str] | None,
    typer.Option("--check", metavar="ID,...", help=check_help()),
]
SkipCheckOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--skip-check",
        metavar="ID,...",
        help=skip_check_help(),
    ),
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


def _keep_compiled_templates() -> None:
    # Only a command that succeeded writes anything, the template cache included.
    cache = sys.modules.get("pytemplar.templatecache")
    if cache is not None:
        cache.save_compiled()


def _run(action: Callable[[], int | None], debug: bool, timeout: float, max_memory: int) -> None:
    """Run ``action`` under the limits, turning every failure into a message and an exit code."""
    from pytemplar.progress import clear_terminal_line
    from pytemplar.supervise import Activity, Limits, run_limited

    def guarded() -> int:
        try:
            code = action() or 0
            if code == 0:
                _keep_compiled_templates()
            return code
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

    def timed_out(doing: Activity | None) -> None:
        from pytemplar.errors import Location, Problem

        stopped = f"the command took longer than {timeout:g} s and was stopped"
        if doing is None:
            problem = Problem(stopped, hint="a template loops for too long; --timeout raises the limit")
        else:
            problem = Problem(
                f"{stopped} while {doing.doing}",
                location=Location(doing.file) if doing.file else None,
                hint="it loops or backtracks for too long; --timeout raises the limit",
            )
        clear_terminal_line(sys.stderr)  # the killed child's progress line
        _err(problem.format() + "\n")

    try:
        code = run_limited(guarded, Limits(timeout, max_memory), timed_out)
    except KeyboardInterrupt:
        clear_terminal_line(sys.stderr)
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


def _command_app(argv: list[str]) -> typer.Typer:
    """The app to run ``argv`` with: when it names a command, an app holding only that command.

    Typer builds the parser of every registered command before it dispatches, which costs more
    than rendering one small release; the narrowed app builds one and behaves the same for it.
    """
    wanted = argv[0] if argv and not argv[0].startswith("-") else None
    if wanted is None:
        return app
    commands = [info for info in app.registered_commands if _command_name(info) == wanted]
    groups = [info for info in app.registered_groups if _group_name(info) == wanted]
    if len(commands) + len(groups) != 1:
        return app  # an unknown command: the full app says so, with the list of commands
    narrowed = copy.copy(app)
    narrowed.registered_commands = commands
    narrowed.registered_groups = groups
    return narrowed


def _command_name(info: typer.models.CommandInfo) -> str | None:
    name = info.name or (info.callback.__name__ if info.callback is not None else None)
    return name.lower().replace("_", "-") if name else None


def _group_name(info: typer.models.TyperInfo) -> str | None:
    typer_instance = info.typer_instance
    for name in (info.name, typer_instance.info.name if typer_instance is not None else None):
        if isinstance(name, str):
            return name
    return None


def entrypoint() -> None:
    """Console-script entry: usage errors from the parser exit 2, everything else via _run."""
    try:
        _command_app(sys.argv[1:])(prog_name="pytemplar")
    except KeyboardInterrupt:
        _err("interrupted\n")
        sys.exit(130)
