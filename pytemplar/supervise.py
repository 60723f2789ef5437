"""Running a command under a wall-clock and memory limit, in the process that does the work.

The Jinja2 sandbox stops templates from reaching outside, but not from running long or
allocating much. The render budget (:mod:`pytemplar.budget`) bounds a template's work and the
engine refuses the C-level operations that could run long or build huge values in one step (big
powers, repetitions, joins, format widths), so what is left to stop is Python code: a command
sets an address-space limit on itself (an allocation past it raises ``MemoryError``) and a
one-shot wall-clock timer whose signal handler raises :class:`Stopped` at the next bytecode,
whatever the process is doing, waiting on a pipe or a child included. ``Stopped`` is not an
``Exception``, so no ``except Exception`` swallows it, and every ``try``/``finally`` on the way
out runs: a command stopped while it replaces an output folder puts the old one back.

One operation that stays in C past the limit (none is known that a template or input can
start) would delay the timer's handler; for that case the CPU-time limit, set a little above
the wall-clock one, has the kernel end the process (``SIGXCPU``). Running the work in a forked
child supervised from outside would catch that case with our message, at ~7 ms of copied
pages and a second process on every command, ArgoCD's thousands of one-release renders included.

So that a stopped command can say what it was doing, the work notes its current activity (a
file and a phrase: "rendering this template", "matching the pattern ...", :func:`activity`): the
command's own process in a variable, set in one assignment so the timer's handler never sees half
a note; render workers forked by the command (:mod:`pytemplar.parallel`) in slots of their own on
a page of memory shared with it. Each note is stamped with the monotonic clock, and the newest of
all, read when the timer fires, is the one reported. A note costs no system call.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pytemplar.records import record

if TYPE_CHECKING:
    import mmap
    import signal as _signal
else:
    # The timer needs only the C core of `signal`, whose Python layer builds three enums on
    # import (~0.4 ms of a one-release render); the same functions, without the enum wrapping.
    try:
        import _signal
    except ImportError:  # pragma: no cover - an interpreter without CPython's module layout
        import signal as _signal

DEFAULT_TIMEOUT = 300.0  # seconds of wall-clock time for one command
DEFAULT_MEMORY_MIB = 4096  # address space of the command, in MiB

EXIT_TIMEOUT = 124  # as timeout(1)


_SLOT_SIZE = 4096
_SLOTS = 16  # the command and its render workers, one slot each
_HEADER = 12  # the note's length (4 bytes) and when it was written (8 bytes, monotonic ns)
_limited = False  # whether a limit is set: notes are taken only then
_board: mmap.mmap | None = None  # shared with render workers, made when the first one is started
_slot = 0  # where this process notes: 0 is the command's own process, which notes in _own
_own = b""  # the command's own stamped note


@record
class Activity:
    """What a stopped command was doing: the file it was working on and a phrase."""

    file: str
    doing: str


def _note(board: mmap.mmap, slot: int, stamped: bytes) -> None:
    # Length last: a worker killed mid-note leaves the previous note readable, never a torn one.
    start = slot * _SLOT_SIZE
    board[start : start + 4] = b"\0\0\0\0"
    board[start + 4 : start + 4 + len(stamped)] = stamped
    board[start : start + 4] = len(stamped).to_bytes(4, "little")


def _read_note(board: mmap.mmap, slot: int) -> bytes:
    """The stamped note of ``slot`` (empty when there is none)."""
    start = slot * _SLOT_SIZE
    size = int.from_bytes(board[start : start + 4], "little")
    return bytes(board[start + 4 : start + 4 + min(size, _SLOT_SIZE - 4)])


@contextmanager
def activity(file: str, doing: str) -> Iterator[None]:
    """Note that the block works on ``file`` doing ``doing``: what a stopped command reports."""
    global _own
    if not _limited:
        yield
        return
    text = f"{file}\t{doing}".encode("utf-8", "replace")[: _SLOT_SIZE - _HEADER]
    stamped = time.monotonic_ns().to_bytes(8, "little") + text
    board = _board
    # The command's own process notes in one assignment, never half-written when the timer fires.
    if _slot == 0 or board is None:
        previous = _own
        _own = stamped
        try:
            yield
        finally:
            _own = previous
        return
    previous = _read_note(board, _slot)
    _note(board, _slot, stamped)
    try:
        yield
    finally:
        _note(board, _slot, previous)


def share_notes() -> None:
    """Make the page the render workers note on, before the first is forked (when a limit is set)."""
    global _board
    if _limited and _board is None:
        import mmap

        _board = mmap.mmap(-1, _SLOT_SIZE * _SLOTS)  # anonymous and shared: forked workers note here too


def note_in_slot(number: int) -> None:
    """Make this process (a render worker) note in slot ``number``, so it never overwrites another's."""
    global _slot
    if _board is not None and 0 < number < _SLOTS:
        _slot = number
        _note(_board, number, b"")


def _last_activity() -> Activity | None:
    """The newest note of the command and its workers: what the process that ran longest on one
    thing was doing."""
    board = _board
    noted = [_own, *(_read_note(board, slot) for slot in range(1, _SLOTS) if board is not None)]
    notes = [note for note in noted if len(note) > 8]
    if not notes:
        return None
    newest = max(notes, key=lambda note: int.from_bytes(note[:8], "little"))
    file, _, doing = newest[8:].decode("utf-8", "replace").partition("\t")
    return Activity(file, doing) if file or doing else None


@record
class Limits:
    timeout: float = DEFAULT_TIMEOUT  # 0: none
    memory_mib: int = DEFAULT_MEMORY_MIB  # 0: none


class Stopped(BaseException):
    """The wall-clock limit was reached; carries what the work was doing at that moment.

    A ``BaseException``, like ``KeyboardInterrupt``: handlers for errors never take it.
    """

    def __init__(self, doing: Activity | None) -> None:
        super().__init__("the time limit was reached")
        self.doing = doing


# The CPU-time backstop: this many seconds above the wall-clock limit, for an operation that
# stays in C (CPU time never runs ahead of wall-clock time, so it only ends a stuck process).
CPU_BACKSTOP_SECONDS = 10


def run_limited(action: Callable[[], int], limits: Limits, on_timeout: Callable[[Activity | None], None]) -> int:
    """Run ``action`` under ``limits``; return its exit code, or 124 when time ran out.

    ``on_timeout`` gets what the work was doing when the limit was reached. The limits are
    lifted again when ``action`` returns, so a caller (a test) keeps its own.
    """
    global _board, _own, _limited
    if not limits.timeout and not limits.memory_mib:
        return action()
    _own = b""
    _limited = True
    try:
        with _memory_limit(limits.memory_mib), _time_limit(limits.timeout):
            return action()
    except Stopped as stop:  # also when the timer fired just as the work ended: the limit was reached
        on_timeout(stop.doing)
        return EXIT_TIMEOUT
    finally:
        _limited = False
        if _board is not None:
            _board.close()
            _board = None


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    if not seconds or not hasattr(_signal, "setitimer"):
        yield
        return

    def stop(_number: int, _frame: object) -> None:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
        raise Stopped(_last_activity())  # read now: the blocks being left restore older notes

    previous = _signal.signal(_signal.SIGALRM, stop)
    _signal.setitimer(_signal.ITIMER_REAL, seconds)
    try:
        with _cpu_backstop(seconds):
            yield
    finally:
        _signal.setitimer(_signal.ITIMER_REAL, 0)
        _signal.signal(_signal.SIGALRM, previous)


@contextmanager
def _cpu_backstop(seconds: float) -> Iterator[None]:
    if sys.platform == "win32":
        yield
        return
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    limit = int(used.ru_utime + used.ru_stime + seconds) + 1 + CPU_BACKSTOP_SECONDS
    with _soft_limit(resource.RLIMIT_CPU, limit):
        yield


@contextmanager
def _memory_limit(mib: int) -> Iterator[None]:
    if not mib or sys.platform == "win32":
        yield
        return
    import resource

    with _soft_limit(resource.RLIMIT_AS, mib * 1024 * 1024):
        yield


@contextmanager
def _soft_limit(which: int, wanted: int) -> Iterator[None]:
    """Lower the soft limit ``which`` to ``wanted`` (never above the hard one) for the block."""
    import resource

    soft, hard = resource.getrlimit(which)
    limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft <= limit:
        yield  # already as low: the caller's own limit stays
        return
    resource.setrlimit(which, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(which, (soft, hard))
