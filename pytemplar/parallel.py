"""Rendering the releases of one run on several processes.

Releases are independent until the checks that look across all of them, so a run of many shares
them out: this process and forked workers (each from the same loaded project, compiled templates
and parsed shared files, inherited at the fork, not rebuilt) take the next chunk of releases in
release order until none is left. Each chunk is a share of the releases left (guided
self-scheduling), so chunks shrink as the run goes on and the processes finish within a release
of each other, whatever each one's own costs (the fork, a worker's start, sending and taking in
results) and whatever else the machine runs. Slices fixed in advance left one process waiting for
the other.

A worker sends each release's result as soon as it is rendered, and at the end of each chunk
what the run keeps across releases (warnings, Kubernetes-schema problems, the values used), all
through one pickle stream whose memo carries over, so a string sent once is sent again as a
reference and arrives shared. This process takes in what has arrived between its own releases,
so taking in overlaps rendering. The chunks are joined in release order, and the first failing
release is the one a single process would have stopped at, so the output, the warnings and the
errors are the same whatever the number of workers.

Workers exist only on Linux, where the kernel kills a worker whose parent dies
(``PR_SET_PDEATHSIG``): the time limit stops the whole run, never leaves a worker behind.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from pytemplar.errors import PytemplarError
from pytemplar.supervise import note_in_slot, share_notes

# A worker's results pipe holds this much, so a worker does not wait while this process renders a
# release before it reads again (Linux lets any process have pipes this size).
PIPE_BYTES = 1 << 20
_SET_PIPE_SIZE = 1031  # F_SETPIPE_SZ (Linux)

Result = TypeVar("Result")
State = TypeVar("State")


class WorkerStopped(PytemplarError):
    """A worker ended without sending its results: killed from outside (by the system when memory
    ran out, or by a user), not something the project's files caused."""

    def __init__(self, what: str) -> None:
        super().__init__(what, hint="run again; if it recurs, -j 1 renders in one process")


class WorkerFailed(Exception):
    """A worker hit a bug in pytemplar: the CLI reports it as one."""


class Slices(Generic[Result, State]):
    """Run ``render(index)`` for ``0 <= index < count`` in ``workers`` processes.

    ``hand_over()`` gives what a process has gathered across releases since it was last called
    and starts afresh; it is called before the first chunk and after each. ``merge(state)`` adds a
    handed-over state to this process's: the run merges them all, in release order.
    """

    def __init__(
        self,
        count: int,
        workers: int,
        render: Callable[[int], Result],
        hand_over: Callable[[], State],
        merge: Callable[[State], None],
    ) -> None:
        self.count = count
        self.workers = max(1, min(workers, count))
        self.render = render
        self.hand_over = hand_over
        self.merge = merge

    def chunks(self) -> list[range]:
        """The releases in the order the processes take them: each chunk ``1 / (2 x processes)``
        of the releases left, so the first are big (few hand-overs) and the last are one release."""
        chunks, start = [], 0
        while start < self.count:
            size = -(-(self.count - start) // (2 * self.workers))
            chunks.append(range(start, start + size))
            start += size
        return chunks

    def run(self, starting: Callable[[int, int], None] | None = None) -> list[Result]:
        """Every result in order; raises the first failing release's error, as one process would.

        ``starting(finished, index)`` is told, before this process renders a release, how many
        all processes have finished so far (workers count theirs on a shared page).
        """
        if self.workers == 1:
            results: list[Result] = []
            for index in range(self.count):
                if starting is not None:
                    starting(index, index)
                results.append(self.render(index))
            return results
        return _Run(self, starting).run()


# One slot per process on the shared page: releases it finished, and 1 + the chunk it failed in (0: none).
_SLOT = struct.Struct("=II")
_CHUNK = struct.Struct("=I")  # a chunk's number, as the processes take them from the pipe of chunks
_LENGTH = struct.Struct("=I")  # the length of a message that follows


class _Board:
    """A page of memory shared by the processes of a run."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.page = mmap.mmap(-1, _SLOT.size * slots)

    def finished(self, slot: int, count: int) -> None:
        _SLOT.pack_into(self.page, _SLOT.size * slot, count, self.failed_in(slot))

    def fail(self, slot: int, chunk: int) -> None:
        finished, _ = _SLOT.unpack_from(self.page, _SLOT.size * slot)
        _SLOT.pack_into(self.page, _SLOT.size * slot, finished, chunk + 1)

    def failed_in(self, slot: int) -> int:
        return int(_SLOT.unpack_from(self.page, _SLOT.size * slot)[1])

    def needed(self, chunk: int) -> bool:
        """Whether no process has failed in an earlier chunk (then this one's outcome is not needed)."""
        return not any(0 < self.failed_in(slot) <= chunk for slot in range(self.slots))

    def finished_by_workers(self) -> int:
        return sum(_SLOT.unpack_from(self.page, _SLOT.size * slot)[0] for slot in range(1, self.slots))


def _claims(tokens: int, board: _Board) -> Iterator[int]:
    """The chunks this process takes, in order, until none is left or an earlier one failed.

    The chunks' numbers wait in a pipe, written before the fork; a read of one number is atomic,
    so each chunk goes to one process, and they are taken in release order."""
    while True:
        data = os.read(tokens, _CHUNK.size)
        if not data:
            return
        (number,) = _CHUNK.unpack(data)
        if not board.needed(number):
            return
        yield number


class _Run(Generic[Result, State]):
    """One run on several processes, seen from the process that started it."""

    def __init__(self, slices: Slices[Result, State], starting: Callable[[int, int], None] | None) -> None:
        self.slices = slices
        self.starting = starting
        self.chunks = slices.chunks()
        self.results: dict[int, Result] = {}
        self.states: dict[int, State] = {}  # chunk -> what it handed over
        self.failures: dict[int, BaseException] = {}  # chunk -> what its first failing release raised
        self.own = 0  # releases this process rendered

    def run(self) -> list[Result]:
        slices = self.slices
        before = slices.hand_over()  # gathered before the first release, merged first
        board = _Board(slices.workers)
        share_notes()  # so that a stopped run can say what each worker was doing
        tokens, numbers = os.pipe()
        # Chunk 0 is this process's: it starts at once, while the workers start.
        os.write(numbers, b"".join(_CHUNK.pack(number) for number in range(1, len(self.chunks))))
        sys.stdout.flush()
        sys.stderr.flush()
        workers: list[_Worker[Result, State]] = []
        try:
            for slot in range(1, slices.workers):
                workers.append(_Worker.start(self, slot, board, tokens, numbers, [w.reader for w in workers]))
            os.close(numbers)
            numbers = -1
            self._render(0, board, workers)
            for number in _claims(tokens, board):
                if not self._render(number, board, workers):
                    break
            self._join(workers)
            results: list[Result] = []
            slices.merge(before)
            for number, chunk in enumerate(self.chunks):
                failure = self.failures.get(number)
                if failure is not None:
                    raise failure
                slices.merge(self.states[number])
                results.extend(self.results[index] for index in chunk)
            return results
        finally:
            for fd in (tokens, numbers):
                if fd >= 0:
                    os.close(fd)
            for worker in workers:
                worker.stop()
            board.page.close()

    def _render(self, number: int, board: _Board, workers: list[_Worker[Result, State]]) -> bool:
        """Render a chunk in this process, taking in between releases what workers sent; False when it failed."""
        for index in self.chunks[number]:
            for worker in workers:
                self._take(worker.arrived())
            if self.starting is not None:
                self.starting(board.finished_by_workers() + self.own, index)
            try:
                self.results[index] = self.slices.render(index)
            except Exception as exc:  # raised in release order by run(), as one process would
                self.failures[number] = exc
                board.fail(0, number)
                return False
            self.own += 1
        self.states[number] = self.slices.hand_over()
        return True

    def _take(self, messages: list[tuple[str, int, Any]]) -> None:
        for kind, number, payload in messages:
            if kind == "release":
                self.results[number] = payload
            elif kind == "chunk":
                self.states[number] = payload
            elif kind == "error":
                error_type, problems = payload
                self.failures[number] = error_type(problems[0].message, problems=problems)
            elif kind == "memory":
                self.failures[number] = MemoryError()
            else:
                self.failures[number] = WorkerFailed(payload)

    def _complete(self) -> bool:
        """Whether every chunk up to the first failure has its outcome."""
        for number in range(len(self.chunks)):
            if number in self.failures:
                return True
            if number not in self.states:
                return False
        return True

    def _join(self, workers: list[_Worker[Result, State]]) -> None:
        """Wait for what the workers still render, until the run's outcome is known."""
        for worker in workers:
            while not self._complete() and not worker.ended:
                self._take(worker.arrived(wait=True))
        if not self._complete():
            for worker in workers:
                stopped = worker.stopped()
                if stopped is not None:
                    raise WorkerStopped(stopped)
            raise WorkerStopped("a render worker ended without its results")


class _Feed:
    """The stream a worker's messages are unpickled from, one message's bytes at a time."""

    def __init__(self) -> None:
        self.message = io.BytesIO()

    def read(self, size: int = -1) -> bytes:
        return self.message.read(size)

    def readinto(self, buffer: Any) -> int:
        return self.message.readinto(buffer)

    def readline(self) -> bytes:
        return self.message.readline()


class _Worker(Generic[Result, State]):
    def __init__(self, pid: int, reader: int) -> None:
        self.pid = pid
        self.reader = reader
        self.ended = False  # its pipe is closed: it sends nothing more
        self.finished = False  # reaped
        self.status = 0
        self.waits = False  # its pipe is read blocking (once this process has nothing else to do)
        self.received = bytearray()
        self.feed = _Feed()
        # One unpickler for the worker's whole stream: its memo holds what came earlier.
        self.unpickler = pickle.Unpickler(self.feed)

    @classmethod
    def start(
        cls, run: _Run[Result, State], slot: int, board: _Board, tokens: int, numbers: int, others: list[int]
    ) -> _Worker[Result, State]:
        parent = os.getpid()
        reader, writer = os.pipe()
        with contextlib.suppress(OSError):  # a smaller pipe only makes the worker wait more
            import fcntl

            fcntl.fcntl(writer, _SET_PIPE_SIZE, PIPE_BYTES)
        pid = os.fork()
        if pid == 0:
            for fd in (reader, numbers, *others):
                os.close(fd)
            note_in_slot(slot)
            _serve(run, slot, board, tokens, writer, parent)
        os.close(writer)
        os.set_blocking(reader, False)
        return cls(pid, reader)

    def arrived(self, wait: bool = False) -> list[tuple[str, int, Any]]:
        """The messages that have arrived; with ``wait``, at least one unless the worker ended."""
        messages: list[tuple[str, int, Any]] = []
        if self.ended:
            return messages
        if wait and not self.waits:
            os.set_blocking(self.reader, True)
            self.waits = True
        while True:
            try:
                data = os.read(self.reader, PIPE_BYTES)
            except BlockingIOError:
                return messages
            if not data:
                self.ended = True
                return messages
            self.received += data
            self._unpickle(messages)
            if wait and messages:
                return messages

    def _unpickle(self, messages: list[tuple[str, int, Any]]) -> None:
        received = self.received
        while len(received) >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(received)
            end = _LENGTH.size + size
            if len(received) < end:
                return
            self.feed.message = io.BytesIO(received[_LENGTH.size : end])
            del received[:end]
            messages.append(self.unpickler.load())

    def stopped(self) -> str | None:
        """How the worker ended, when it did not end by itself after sending all it had."""
        self._reap()
        if os.WIFSIGNALED(self.status):
            return f"a render worker was stopped by signal {os.WTERMSIG(self.status)}"
        code = os.waitstatus_to_exitcode(self.status)
        return f"a render worker ended with exit status {code} without its results" if code else None

    def _reap(self) -> None:
        if not self.finished:
            _, self.status = os.waitpid(self.pid, 0)
            self.finished = True

    def stop(self) -> None:
        if self.reader >= 0:
            os.close(self.reader)
            self.reader = -1
        if not self.finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap()


class _Sender:
    """A worker's end of the stream: each message pickled with the memo of those before it."""

    def __init__(self, writer: int) -> None:
        self.writer = writer
        self.buffer = io.BytesIO()
        self.pickler = pickle.Pickler(self.buffer, protocol=pickle.HIGHEST_PROTOCOL)

    def send(self, message: tuple[str, int, Any]) -> None:
        buffer = self.buffer
        buffer.seek(0)
        buffer.truncate()
        buffer.write(bytes(_LENGTH.size))
        self.pickler.dump(message)
        with buffer.getbuffer() as data:
            _LENGTH.pack_into(data, 0, len(data) - _LENGTH.size)
            view = data
            while view:
                view = view[os.write(self.writer, view) :]


def _serve(run: _Run[Any, Any], slot: int, board: _Board, tokens: int, writer: int, parent: int) -> None:
    """The worker: render the chunks it takes, sending each outcome; exit without running the parent's cleanup."""
    code = 0
    try:
        _die_with(parent)
        sender = _Sender(writer)
        slices = run.slices
        finished = 0
        for number in _claims(tokens, board):
            message: tuple[str, int, Any]
            try:
                for index in run.chunks[number]:
                    if not board.needed(number):
                        return
                    sender.send(("release", index, slices.render(index)))
                    finished += 1
                    board.finished(slot, finished)
                message = ("chunk", number, slices.hand_over())
            except PytemplarError as exc:
                message = ("error", number, (type(exc), exc.problems))
            except MemoryError:
                message = ("memory", number, None)
            except Exception as exc:  # a bug: the parent reports it as one
                message = ("bug", number, f"{type(exc).__name__}: {exc}")
            sender.send(message)
            if message[0] != "chunk":
                board.fail(slot, number)
                return
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
