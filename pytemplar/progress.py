"""A progress line on a terminal, for runs over many releases.

``render`` and ``validate`` of thousands of releases take seconds. On a terminal, one line,
rewritten in place, says how far they are: ``rendering 1,234/2,000 releases (prod/service-x)``.
It is written only when the stream is a terminal (never into a pipe, a file or a CI log), only
once the run has taken longer than :data:`DELAY` seconds (a quick run shows nothing), at most
every :data:`INTERVAL` seconds, and it is cleared before anything else is written. The library
never prints: the CLI passes a :class:`ProgressLine` to the API as its ``progress`` callback.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from pytemplar.errors import escape_control

DELAY = 1.0  # seconds before the line first appears
INTERVAL = 0.1  # seconds between two updates: the line is for eyes, not a log
FALLBACK_COLUMNS = 80


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def columns(stream: TextIO) -> int:
    """The width of the terminal ``stream`` writes to."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or FALLBACK_COLUMNS
    except (AttributeError, ValueError, OSError):
        return FALLBACK_COLUMNS


class ProgressLine:
    """The ``progress`` callback of :func:`pytemplar.api.render` and ``validate``, shown on ``stream``."""

    def __init__(
        self,
        stream: TextIO,
        verb: str,
        *,
        delay: float = DELAY,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._verb = verb
        self._enabled = is_terminal(stream)
        self._interval = interval
        self._clock = clock
        self._next_update = clock() + delay
        self._shown = 0  # characters of the line now on the terminal

    def __call__(self, position: int, total: int, environment: str, release: str) -> None:
        if not self._enabled:
            return
        now = self._clock()
        if now < self._next_update:
            return
        self._next_update = now + self._interval
        self._show(f"{self._verb} {position:,}/{total:,} releases ({environment}/{release})")

    def _show(self, text: str) -> None:
        # One character short of the width: a line that wraps cannot be rewritten with \r.
        text = escape_control(text)[: columns(self._stream) - 1]
        leftover = " " * (self._shown - len(text))  # covers the end of a longer previous line
        self._stream.write(f"\r{text}{leftover}")
        self._stream.flush()
        self._shown = len(text)

    def clear(self) -> None:
        """Remove the line, leaving the cursor at the start of the empty line."""
        if self._shown:
            self._stream.write("\r" + " " * self._shown + "\r")
            self._stream.flush()
            self._shown = 0


@contextmanager
def progress_line(stream: TextIO, verb: str) -> Iterator[ProgressLine]:
    """A :class:`ProgressLine` that is cleared when the block ends, by success or by an error."""
    line = ProgressLine(stream, verb, delay=DELAY)
    try:
        yield line
    finally:
        line.clear()


def clear_terminal_line(stream: TextIO) -> None:
    """Blank the current line of a terminal, for a process that cannot know what is on it.

    The supervising parent prints the time-limit message of a child it killed, whose progress
    line may still be there.
    """
    if is_terminal(stream):
        stream.write("\r" + " " * (columns(stream) - 1) + "\r")
        stream.flush()
