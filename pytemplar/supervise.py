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
from dataclasses import dataclass

DEFAULT_TIMEOUT = 300.0  # seconds of wall-clock time for one command
DEFAULT_MEMORY_MIB = 4096  # address space of the child, in MiB

EXIT_TIMEOUT = 124  # as timeout(1)


_BOARD_SIZE = 4096
_board: mmap.mmap | None = None  # shared with the supervising parent; None when not supervised


@dataclass(frozen=True)
class Activity:
    """What a stopped command was doing: the file it was working on and a phrase."""

    file: str
    doing: str


def _note(board: mmap.mmap, data: bytes) -> None:
    # Length last: a child killed mid-note leaves the previous note readable, never a torn one.
    board[:4] = b"\0\0\0\0"
    board[4 : 4 + len(data)] = data
    board[:4] = len(data).to_bytes(4, "little")


def _read_note(board: mmap.mmap) -> bytes:
    size = int.from_bytes(board[:4], "little")
    return bytes(board[4 : 4 + min(size, _BOARD_SIZE - 4)])


@contextmanager
def activity(file: str, doing: str) -> Iterator[None]:
    """Note, for the supervising parent, that the block works on ``file`` doing ``doing``."""
    board = _board
    if board is None:
        yield
        return
    previous = _read_note(board)
    _note(board, f"{file}\t{doing}".encode("utf-8", "replace")[: _BOARD_SIZE - 4])
    try:
        yield
    finally:
        _note(board, previous)


def _last_activity(board: mmap.mmap) -> Activity | None:
    file, _, doing = _read_note(board).decode("utf-8", "replace").partition("\t")
    return Activity(file, doing) if file or doing else None


@dataclass(frozen=True)
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
    board = mmap.mmap(-1, _BOARD_SIZE)  # anonymous and shared: the child's notes are visible here
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
