"""Running a command under a wall-clock and memory limit.

The Jinja2 sandbox stops templates from reaching outside, but not from running long or
allocating much, and one long C-level operation (a huge integer power, a giant string
repetition) cannot be interrupted from Python: neither a signal handler nor a watchdog thread
runs until it returns. So the CLI runs each command in a forked child with an address-space
limit, and the parent, which does no work of its own, kills the child when time is up. A
fork of the already-imported process costs about a millisecond; the child writes its output
only when it has finished, so a killed render leaves nothing behind.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_TIMEOUT = 300.0  # seconds of wall-clock time for one command
DEFAULT_MEMORY_MIB = 4096  # address space of the child, in MiB

EXIT_TIMEOUT = 124  # as timeout(1)


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT  # 0: none
    memory_mib: int = DEFAULT_MEMORY_MIB  # 0: none


def run_limited(action: Callable[[], int], limits: Limits, on_timeout: Callable[[], None]) -> int:
    """Run ``action`` in a child process under ``limits``; return its exit code.

    Where fork is unavailable, or no limit is asked for, ``action`` runs in this process.
    """
    if not hasattr(os, "fork") or (not limits.timeout and not limits.memory_mib):
        return action()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: do the work, never return into the caller
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
    return _wait(pid, limits.timeout, on_timeout)


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
