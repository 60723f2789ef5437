"""Running a command under a wall-clock and memory limit.

The Jinja2 sandbox stops templates from reaching outside, but not from running long or
allocating much, and one long C-level operation (a huge integer power, a giant string
repetition) cannot be interrupted from Python: neither a signal handler nor a watchdog thread
runs until it returns. So the CLI runs each command in a forked child with an address-space
limit, and the parent, which does no work of its own, kills the child when time is up. A
fork of the already-imported process costs about a millisecond; the child writes its output
only when it has finished, so a killed render leaves nothing behind.

So that a stopped command can still say what it was doing, the child notes its current
activity (a file and a phrase: "rendering this template", "matching the pattern ...") on a
page of memory shared with the parent (:func:`activity`). A note is a memory copy, no system
call, so it costs nothing measurable; the parent reads the page only after killing the child.
Render workers forked by the child (:mod:`pytemplar.parallel`) note in slots of their own, each
note stamped with the monotonic clock, and the newest note of all is the one reported.
"""

from __future__ import annotations

import mmap
import os
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pytemplar.records import record

DEFAULT_TIMEOUT = 300.0  # seconds of wall-clock time for one command
DEFAULT_MEMORY_MIB = 4096  # address space of the child, in MiB

EXIT_TIMEOUT = 124  # as timeout(1)


_SLOT_SIZE = 4096
_SLOTS = 16  # the child and its render workers, one slot each
_HEADER = 12  # the note's length (4 bytes) and when it was written (8 bytes, monotonic ns)
_board: mmap.mmap | None = None  # shared with the supervising parent; None when not supervised
_slot = 0  # where this process notes


@record
class Activity:
    """What a stopped command was doing: the file it was working on and a phrase."""

    file: str
    doing: str


def _note(board: mmap.mmap, slot: int, stamped: bytes) -> None:
    # Length last: a process killed mid-note leaves the previous note readable, never a torn one.
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
    """Note, for the supervising parent, that the block works on ``file`` doing ``doing``."""
    board = _board
    if board is None:
        yield
        return
    slot = _slot
    previous = _read_note(board, slot)
    text = f"{file}\t{doing}".encode("utf-8", "replace")[: _SLOT_SIZE - _HEADER]
    _note(board, slot, time.monotonic_ns().to_bytes(8, "little") + text)
    try:
        yield
    finally:
        _note(board, slot, previous)


def note_in_slot(number: int) -> None:
    """Make this process (a render worker) note in slot ``number``, so it never overwrites another's."""
    global _slot
    if _board is not None and 0 < number < _SLOTS:
        _slot = number
        _note(_board, number, b"")


def _last_activity(board: mmap.mmap) -> Activity | None:
    """The newest note of any slot: what the process that ran longest on one thing was doing."""
    notes = [note for note in (_read_note(board, slot) for slot in range(_SLOTS)) if len(note) > 8]
    if not notes:
        return None
    newest = max(notes, key=lambda note: int.from_bytes(note[:8], "little"))
    file, _, doing = newest[8:].decode("utf-8", "replace").partition("\t")
    return Activity(file, doing) if file or doing else None


@record
class Limits:
    timeout: float = DEFAULT_TIMEOUT  # 0: none
    memory_mib: int = DEFAULT_MEMORY_MIB  # 0: none


def run_limited(action: Callable[[], int], limits: Limits, on_timeout: Callable[[Activity | None], None]) -> int:
    """Run ``action`` in a child process under ``limits``; return its exit code.

    ``on_timeout`` gets the child's last :func:`activity`. Where fork is unavailable, or no
    limit is asked for, ``action`` runs in this process.
    """
    if not hasattr(os, "fork") or (not limits.timeout and not limits.memory_mib):
        return action()
    sys.stdout.flush()
    sys.stderr.flush()
    board = mmap.mmap(-1, _SLOT_SIZE * _SLOTS)  # anonymous and shared: the child's notes are visible here
    pid = os.fork()
    if pid == 0:  # the child: do the work, never return into the caller
        global _board
        _board = board
        code = 3
        try:
            _limit_memory(limits.memory_mib)
            code = action()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    try:
        return _wait(pid, limits.timeout, lambda: on_timeout(_last_activity(board)))
    finally:
        board.close()


def _limit_memory(mib: int) -> None:
    if not mib:
        return
    import resource

    size = mib * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        size = min(size, hard)
    resource.setrlimit(resource.RLIMIT_AS, (size, hard))


def _wait(pid: int, timeout: float, on_timeout: Callable[[], None]) -> int:
    deadline = time.monotonic() + timeout if timeout else None
    pidfd = _pidfd(pid)
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return _exit_code(status)
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                on_timeout()
                return EXIT_TIMEOUT
            if pidfd is not None:
                select.select([pidfd], [], [], remaining)
            else:
                time.sleep(min(0.01, remaining) if remaining is not None else 0.01)
    except KeyboardInterrupt:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _pidfd(pid: int) -> int | None:
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        return int(opener(pid))
    except OSError:  # kernels before 5.3
        return None


def _exit_code(status: int) -> int:
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)
