"""Rendering the releases of one run on several processors.

Releases are independent until the checks that look across all of them, so a run of many
splits its releases into contiguous slices: this process renders the first, forked workers the
others, each from the same loaded project, compiled templates and parsed shared files (inherited
at the fork, not rebuilt). A worker sends back, through a pipe, the manifests of its slice and
what the run keeps across releases (warnings, Kubernetes-schema problems, the values used so
far). The slices are joined in
order, and the first failing release is the one a single process would have stopped at, so the
output, the warnings and the errors are the same whatever the number of workers.

Workers exist only on Linux, where the kernel kills a worker whose parent dies
(``PR_SET_PDEATHSIG``): the time limit stops the whole run, never leaves a worker behind.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pytemplar.errors import PytemplarError
from pytemplar.supervise import note_in_slot

MIN_RELEASES_PER_WORKER = 8  # below this, a fork, a pickle and copied pages cost more than they save
MAX_JOBS = 8

Result = TypeVar("Result")
State = TypeVar("State")


def available_processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(jobs: int, releases: int) -> int:
    """How many processes render ``releases`` when ``jobs`` are allowed (0: one per processor)."""
    allowed = jobs or available_processors()
    if allowed <= 1 or not _can_fork_safely():
        return 1
    return max(1, min(allowed, MAX_JOBS, releases // MIN_RELEASES_PER_WORKER))


def _can_fork_safely() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class WorkerStopped(PytemplarError):
    """A worker ended without sending its results: killed from outside (by the system when memory
    ran out, or by a user), not something the project's files caused."""

    def __init__(self, what: str) -> None:
        super().__init__(what, hint="run again; if it recurs, -j 1 renders in one process")


class WorkerFailed(Exception):
    """A worker hit a bug in pytemplar: the CLI reports it as one."""


class Slices(Generic[Result, State]):
    """Run ``render(index)`` for ``0 <= index < count`` in ``workers`` processes.

    ``state()`` is what a worker has gathered across its releases, sent back at its end, and
    ``merge(state)`` adds a worker's to this process's, in release order.
    """

    def __init__(
        self,
        count: int,
        workers: int,
        render: Callable[[int], Result],
        state: Callable[[], State],
        merge: Callable[[State], None],
    ) -> None:
        self.count = count
        self.workers = max(1, min(workers, count))
        self.render = render
        self.state = state
        self.merge = merge

    def bounds(self) -> list[range]:
        size, extra = divmod(self.count, self.workers)
        ranges, start = [], 0
        for number in range(self.workers):
            end = start + size + (1 if number < extra else 0)
            ranges.append(range(start, end))
            start = end
        return ranges

    def run(self, starting: Callable[[int, int], None] | None = None) -> list[Result]:
        """Every result in order; raises the first failing release's error, as one process would.

        ``starting(finished, index)`` is told, before this process renders a release, how many
        all processes have finished so far (workers count theirs on a shared page).
        """
        slices = self.bounds()
        board = mmap.mmap(-1, _COUNTER.size * len(slices))
        if len(slices) > 1:
            sys.stdout.flush()
            sys.stderr.flush()
        workers = [_Worker.start(self, indexes, board, number) for number, indexes in enumerate(slices) if number]
        try:
            results: list[Result] = []
            for index in slices[0]:
                if starting is not None:
                    starting(_finished(board, len(slices)) + len(results), index)
                results.append(self.render(index))
            for worker in workers:
                results.extend(worker.results(self.merge))
            return results
        finally:
            for worker in workers:
                worker.stop()
            board.close()


_COUNTER = struct.Struct("=I")


def _finished(board: mmap.mmap, slots: int) -> int:
    return sum(_COUNTER.unpack_from(board, _COUNTER.size * slot)[0] for slot in range(1, slots))


class _Worker(Generic[Result, State]):
    def __init__(self, pid: int, reader: int) -> None:
        self.pid = pid
        self.reader = reader
        self.finished = False

    @classmethod
    def start(
        cls, slices: Slices[Result, State], indexes: range, board: mmap.mmap, slot: int
    ) -> _Worker[Result, State]:
        parent = os.getpid()
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            note_in_slot(slot)
            offset = _COUNTER.size * slot
            _serve(slices, indexes, writer, parent, lambda count: _COUNTER.pack_into(board, offset, count))
        os.close(writer)
        return cls(pid, reader)

    def results(self, merge: Callable[[State], None]) -> list[Result]:
        with os.fdopen(self.reader, "rb") as stream:
            self.reader = -1
            try:
                kind, payload = pickle.load(stream)
            except (EOFError, pickle.UnpicklingError) as exc:
                raise WorkerStopped(self._ended()) from exc
        self._reap()
        if kind == "error":
            error_type, problems = payload
            raise error_type(problems[0].message, problems=problems)
        if kind == "memory":
            raise MemoryError
        if kind == "bug":
            raise WorkerFailed(payload)
        results, state = payload
        merge(state)
        return list(results)

    def _ended(self) -> str:
        _, status = os.waitpid(self.pid, 0)
        self.finished = True
        if os.WIFSIGNALED(status):
            return f"a render worker was stopped by signal {os.WTERMSIG(status)}"
        return f"a render worker ended with exit status {os.waitstatus_to_exitcode(status)} without its results"

    def _reap(self) -> None:
        if not self.finished:
            os.waitpid(self.pid, 0)
            self.finished = True

    def stop(self) -> None:
        if self.reader >= 0:
            os.close(self.reader)
            self.reader = -1
        if not self.finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap()


def _serve(slices: Slices[Any, Any], indexes: range, writer: int, parent: int, count: Callable[[int], None]) -> None:
    """The worker: render the slice, send the outcome, exit without running the parent's cleanup."""
    code = 0
    try:
        _die_with(parent)
        message: tuple[str, Any]
        try:
            results = []
            for index in indexes:
                results.append(slices.render(index))
                count(len(results))
            message = ("ok", (results, slices.state()))
        except PytemplarError as exc:
            message = ("error", (type(exc), exc.problems))
        except MemoryError:
            message = ("memory", None)
        except Exception as exc:  # a bug: the parent reports it as one
            message = ("bug", f"{type(exc).__name__}: {exc}")
        with os.fdopen(writer, "wb") as stream:
            pickle.dump(message, stream, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # interrupted, or the parent stopped reading: nothing more to do
        code = 1
    finally:
        os._exit(code)


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when the process that forked it ends."""
    import ctypes

    set_parent_death_signal = 1  # PR_SET_PDEATHSIG
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(set_parent_death_signal, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # it ended before the signal was armed
        raise SystemExit(1)
