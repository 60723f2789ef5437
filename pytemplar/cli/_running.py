"""Running a command: the limits, every failure turned into a message and an exit code, the entry point.

Exit codes: 0 success, 1 invalid input (4 for ``diff``, whose 1 means "different"), 2 usage
error, 3 internal error (a bug: rerun with --debug for the traceback), 124 time limit, 130
interrupted, 141 the reader of stdout went away (``render | head``: the code a Unix tool killed
by SIGPIPE leaves, and no message).

Nothing here imports typer: a plain ``pytemplar render`` is read by :mod:`pytemplar.cli._quick`
and run from here without it (typer and its click cost ~30 ms of a ~0.2 s render); every other
command line goes through the typer app.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NoReturn

from pytemplar.errors import PytemplarError, UsageError

if TYPE_CHECKING:
    from pytemplar.progress import ProgressLine
    from pytemplar.setargs import SetKind

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_BUG = 3
EXIT_DIFF_DIFFERENT = 1
EXIT_DIFF_INVALID = 4  # diff(1) keeps 1 for "different"; a side that cannot be rendered is 4
EXIT_PIPE = 128 + 13  # SIGPIPE: what the shell reports for `yes | head`


class OutputFormat(StrEnum):
    yaml = "yaml"
    json = "json"


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
    validity = sys.modules.get("pytemplar.validitycache")
    if validity is not None:
        validity.save()


def _exit_request(exc: BaseException) -> int | None:
    """The code of a ``typer.Exit`` raised by an action; None for any other exception.

    Only an action run through the typer app can raise it, and then typer is imported.
    """
    typer = sys.modules.get("typer")
    if typer is not None and isinstance(exc, typer.Exit):
        return int(exc.exit_code)
    return None


def run_action(
    action: Callable[[], int | None],
    debug: bool,
    timeout: float,
    max_memory: int,
    invalid: int = EXIT_INVALID,
    *,
    collect_cycles: bool = True,
) -> int:
    """Run ``action`` under the limits, turning every failure into a message; the exit code.

    ``invalid`` is the code for invalid input: ``diff`` uses 1 for "different", so it passes
    :data:`EXIT_DIFF_INVALID`. ``collect_cycles=False`` leaves the cyclic garbage collector off,
    for an action that makes no reference cycles as it goes (see :func:`entrypoint`).
    """
    if collect_cycles:
        gc.enable()
    from pytemplar.supervise import Activity, Limits, run_limited

    def guarded() -> int:
        try:
            code = action() or 0
            sys.stdout.flush()  # a reader that went away is noticed here, not at exit
            if code == 0:
                _keep_compiled_templates()
            return code
        except UsageError as exc:
            _report(exc)
            return EXIT_USAGE
        except PytemplarError as exc:
            _report(exc)
            return invalid
        except MemoryError:
            _err(
                f"error: the command needed more than {_memory_limit_mib(max_memory)} MiB of memory and was stopped\n"
                "  hint: a template or values file builds something very large; --max-memory raises the limit\n"
            )
            return invalid
        except KeyboardInterrupt:
            _err("interrupted\n")
            return 130
        except BrokenPipeError:
            _discard_output()
            return EXIT_PIPE
        except Exception as exc:  # a bug: say so, without a traceback unless asked
            requested = _exit_request(exc)
            if requested is not None:
                return requested
            if debug:
                import traceback

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
        _clear_progress_line()  # the stopped command's
        _err(problem.format() + "\n")

    try:
        return run_limited(guarded, Limits(timeout, max_memory), timed_out)
    except KeyboardInterrupt:
        _clear_progress_line()
        _err("interrupted\n")
        return 130


def _clear_progress_line() -> None:
    from pytemplar.progress import clear_terminal_line

    clear_terminal_line(sys.stderr)


def progress_on_stderr(verb: str) -> contextlib.AbstractContextManager[ProgressLine | None]:
    """The progress line of a run (pytemplar.progress), or None where none is shown: stderr not a
    terminal (a pipe, a file, a CI log, Argo CD's plugin), where the module is not even loaded."""
    try:
        terminal = sys.stderr.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        terminal = False
    if not terminal:
        return contextlib.nullcontext()
    from pytemplar.progress import progress_line

    return progress_line(sys.stderr, verb)


def _discard_output() -> None:
    """After a reader closed the pipe: send what is still buffered nowhere, as ``head`` expects.

    Unix tools die quietly from SIGPIPE; Python turns it into BrokenPipeError, and the text still
    buffered would raise it again when the interpreter flushes at exit.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            os.dup2(devnull, stream.fileno())
    os.close(devnull)


def _memory_limit_mib(asked: int) -> int:
    """The address-space limit in force (it may be lower than asked for, set by the caller)."""
    import resource

    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    return asked if soft == resource.RLIM_INFINITY else soft // (1024 * 1024)


def _report(exc: PytemplarError) -> None:
    from pytemplar.reporting import as_text

    _err(as_text(exc.problems))


def _usage(message: str, hint: str | None = None) -> NoReturn:
    raise UsageError(message, hint=hint)


def _need_release(project: Any, env: str | None, release: str | None, command: str) -> None:
    """A usage error, naming the project's environments and releases, when -e or -r is missing."""
    if not env or not release:
        from pytemplar.hints import choose_release

        _usage(f"{command} needs an environment (-e) and a release (-r)", choose_release(project, env, release))


# The cyclic garbage collector's first generation is collected after 700 net allocations by
# default, a setting for long-running programs. A command is a short process that imports ~250
# modules and builds values and manifests that live until it ends: with that default it spends
# ~4% of a one-release render re-scanning objects that are never garbage. Commands collect
# cycles every 50,000 allocations (mypy's command line makes the same trade); while modules are
# imported, and for all of a render, which frees what each release made without the collector
# (tests/unit/test_render_cycles.py), it stays off: each collection of a big render re-scans
# every manifest made so far, ~5% of the parent's work with 2,000 releases, for no garbage.
COMMAND_GC_THRESHOLD = (50_000, 20, 20)


def entrypoint() -> None:
    """Console-script entry: usage errors from the parser exit 2, everything else via run_action."""
    gc.disable()  # run_action turns it on for the commands that need it
    gc.set_threshold(*COMMAND_GC_THRESHOLD)
    shell = os.environ.get("_PYTEMPLAR_COMPLETE")
    if shell:  # a completion script asks for candidates
        from pytemplar.cli.completion import respond

        sys.exit(respond(shell, sys.argv[1:]))
    from pytemplar.cli import COMMANDS
    from pytemplar.cli._habits import command_habit, helm_habit

    wrong_command = command_habit(sys.argv[1:], [command.name for command in COMMANDS])
    if wrong_command is not None:
        _err(f"error: {wrong_command[0]}\n  hint: {wrong_command[1]}\n")
        sys.exit(EXIT_USAGE)
    habit = helm_habit(sys.argv[1:])
    if habit is not None:
        _err(f"error: pytemplar {sys.argv[1]} has no option {habit[0]}\n  hint: {habit[1]}\n")
        sys.exit(EXIT_USAGE)
    try:
        from pytemplar.cli._quick import quick_command

        quick = quick_command(sys.argv[1:])
        if quick is not None:
            _leave(quick())
        from pytemplar.cli import command_app

        command_app(sys.argv[1:])(prog_name="pytemplar")
    except KeyboardInterrupt:
        _err("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:  # --version read by a consumer that stopped early
        _discard_output()
        sys.exit(EXIT_PIPE)
    except SystemExit as exc:  # how the typer app ends, whatever the outcome
        if exc.code is not None and not isinstance(exc.code, int):
            _err(f"{exc.code}\n")
        _leave(exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1)


def _leave(code: int) -> NoReturn:
    """End the process now, with ``code``, once stdout and stderr are flushed.

    The work is done and written: what the interpreter would still do on the way out (tearing
    down every module a render imported, ~15 ms) changes nothing.
    """
    if code == 1 and _reader_gone():  # how the parser ends --help on a broken pipe
        _discard_output()
        code = EXIT_PIPE
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # --version read by a consumer that stopped early
        _discard_output()
        code = EXIT_PIPE
    except ValueError:  # a stream closed by the command
        pass
    os._exit(code)


def _reader_gone() -> bool:
    """Whether stdout is a pipe whose reader has closed it (poll reports an error on it)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.__stdout__.fileno() if sys.__stdout__ else 1, select.POLLOUT)
        return any(events & select.POLLERR for _fd, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False
