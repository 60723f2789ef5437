"""The progress line: shown on a terminal only, late, throttled, and cleared; the API's callback."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_APP

from pytemplar import api, progress
from pytemplar.progress import ProgressLine, progress_line


class FakeTerminal(io.StringIO):
    def __init__(self, terminal: bool = True) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def shown(written: str) -> str:
    """What a terminal shows on its current line after ``written``: \\r goes back to the start."""
    line: list[str] = []
    column = 0
    for character in written.split("\n")[-1]:
        if character == "\r":
            column = 0
            continue
        if column < len(line):
            line[column] = character
        else:
            line.append(character)
        column += 1
    return "".join(line)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "columns", lambda stream: 100)


def test_the_line_appears_only_after_the_delay(clock: Clock) -> None:
    terminal = FakeTerminal()
    line = ProgressLine(terminal, "rendering", delay=1.0, clock=clock)
    clock.now = 0.9
    line(1, 2000, "prod", "service-a")
    assert terminal.getvalue() == ""
    clock.now = 1.0
    line(1234, 2000, "prod", "service-x")
    assert terminal.getvalue() == "\rrendering 1,234/2,000 releases (prod/service-x)"


def test_updates_come_at_most_once_per_interval(clock: Clock) -> None:
    terminal = FakeTerminal()
    line = ProgressLine(terminal, "validating", delay=0, interval=0.1, clock=clock)
    line(1, 3, "prod", "a")
    clock.now = 0.05
    line(2, 3, "prod", "b")
    assert shown(terminal.getvalue()) == "validating 1/3 releases (prod/a)"
    clock.now = 0.1
    line(3, 3, "prod", "c")
    assert shown(terminal.getvalue()) == "validating 3/3 releases (prod/c)"


def test_a_shorter_line_covers_all_of_the_longer_one(clock: Clock) -> None:
    terminal = FakeTerminal()
    line = ProgressLine(terminal, "rendering", delay=0, interval=0, clock=clock)
    line(9, 10, "production", "a-very-long-release-name")
    line(10, 10, "dev", "b")
    assert shown(terminal.getvalue()).rstrip(" ") == "rendering 10/10 releases (dev/b)"


def test_clear_leaves_an_empty_line_and_only_once(clock: Clock) -> None:
    terminal = FakeTerminal()
    line = ProgressLine(terminal, "rendering", delay=0, clock=clock)
    line(1, 2, "prod", "a")
    line.clear()
    assert shown(terminal.getvalue()).strip(" ") == ""
    assert terminal.getvalue().endswith("\r")
    written = terminal.getvalue()
    line.clear()
    assert terminal.getvalue() == written


def test_nothing_is_written_when_the_stream_is_not_a_terminal(clock: Clock) -> None:
    stream = FakeTerminal(terminal=False)
    line = ProgressLine(stream, "rendering", delay=0, clock=clock)
    clock.now = 5
    line(1, 2, "prod", "a")
    line.clear()
    assert stream.getvalue() == ""


def test_the_line_fits_the_terminal_width(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "columns", lambda stream: 30)
    terminal = FakeTerminal()
    ProgressLine(terminal, "rendering", delay=0, clock=clock)(1, 2000, "prod", "service-with-a-long-name")
    assert terminal.getvalue() == "\rrendering 1/2,000 releases (p"  # 29 characters: no wrap


def test_control_characters_in_names_cannot_drive_the_terminal(clock: Clock) -> None:
    terminal = FakeTerminal()
    ProgressLine(terminal, "rendering", delay=0, clock=clock)(1, 1, "prod", "a\x1b[2Jb")
    assert terminal.getvalue() == "\rrendering 1/1 releases (prod/a\\x1b[2Jb)"


def test_the_context_clears_the_line_when_the_block_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "DELAY", 0)
    terminal = FakeTerminal()
    with pytest.raises(RuntimeError), progress_line(terminal, "rendering") as line:
        line(1, 2, "prod", "a")
        assert shown(terminal.getvalue()) == "rendering 1/2 releases (prod/a)"
        raise RuntimeError("a failing release")
    assert shown(terminal.getvalue()).strip(" ") == ""


TWO_RELEASES = {
    "project/pytemplar.yaml": """
        environments:
          dev: {}
          prod: {}
        releases:
          one:
            app: ../app
          two:
            app: ../app
    """,
}


@pytest.mark.parametrize("run", [api.render, api.validate])
def test_the_api_reports_each_release_before_rendering_it(
    run: Callable[..., object], make_tree: Callable[..., Path]
) -> None:
    root = make_tree(TWO_RELEASES, base=MINIMAL_APP)
    calls: list[tuple[int, int, str, str]] = []
    run(root / "project", ["prod", "dev"], progress=lambda *call: calls.append(call))
    assert calls == [(1, 4, "prod", "one"), (2, 4, "prod", "two"), (3, 4, "dev", "one"), (4, 4, "dev", "two")]
