"""Releases rendered by forked workers: order, errors and progress as in one process."""

from __future__ import annotations

import mmap
import os
import sys
import time
from collections.abc import Callable

import pytest

from pytemplar.api.rendering import MIN_RELEASES_PER_WORKER, worker_count
from pytemplar.errors import Problem, ValuesError
from pytemplar.parallel import Slices, WorkerFailed, WorkerStopped

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


class Gathered:
    """What a run keeps across releases: here, the indexes rendered, in the order merged."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def render(self, index: int) -> str:
        self.seen.append(index)
        if index < 3:
            time.sleep(0.05)  # the workers take the other chunks meanwhile
        return f"release {index} in process {os.getpid()}"

    def state(self) -> list[int]:
        handed, self.seen = self.seen, []
        return handed

    def merge(self, later: list[int]) -> None:
        self.seen.extend(later)


def test_results_and_state_come_back_in_release_order() -> None:
    gathered = Gathered()
    results = Slices(10, 3, gathered.render, gathered.state, gathered.merge).run()
    assert [text.split(" in ")[0] for text in results] == [f"release {index}" for index in range(10)]
    assert gathered.seen == list(range(10))
    assert len({text.split(" in ")[1] for text in results}) == 3, "three processes rendered"


def test_chunks_take_a_share_of_the_releases_left_in_order() -> None:
    chunks = Slices(10, 2, str, list, print).chunks()
    assert [list(indexes) for indexes in chunks] == [[0, 1, 2], [3, 4], [5, 6], [7], [8], [9]]
    chunks = Slices(200, 2, str, list, print).chunks()
    assert [index for chunk in chunks for index in chunk] == list(range(200))
    assert [len(chunk) for chunk in chunks] == [50, 38, 28, 21, 16, 12, 9, 7, 5, 4, 3, 2, 2, 1, 1, 1]


def in_a_worker_once_it_renders(act: Callable[[int], int]) -> Callable[[int], int]:
    """``act`` in a worker; this process's first release waits until a worker renders one."""
    parent = os.getpid()
    page = mmap.mmap(-1, 1)

    def render(index: int) -> int:
        if os.getpid() != parent:
            page[0] = 1
            return act(index)
        deadline = time.monotonic() + 60
        while index == 0 and not page[0] and time.monotonic() < deadline:
            time.sleep(0.001)
        return index

    return render


def test_the_first_failing_release_is_reported_as_one_process_would() -> None:
    def render(index: int) -> int:
        if index in (6, 8):
            raise ValuesError(f"release {index} is invalid", problems=[Problem(f"release {index} is invalid")])
        return index

    with pytest.raises(ValuesError) as raised:
        Slices(10, 3, render, list, print).run()
    assert raised.value.problems == [Problem("release 6 is invalid")]


def test_a_failure_in_this_process_stops_before_the_workers_are_read() -> None:
    def render(index: int) -> int:
        if index in (1, 8):
            raise ValuesError("bad", problems=[Problem(f"release {index} is invalid")])
        return index

    with pytest.raises(ValuesError) as raised:
        Slices(10, 2, render, list, print).run()
    assert raised.value.problems == [Problem("release 1 is invalid")]


def test_a_worker_that_dies_is_reported() -> None:
    def die(index: int) -> int:
        os._exit(9)

    with pytest.raises(WorkerStopped) as raised:
        Slices(8, 2, in_a_worker_once_it_renders(die), list, print).run()
    assert raised.value.problems == [
        Problem(
            "a render worker ended with exit status 9 without its results",
            hint="run again; if it recurs, -j 1 renders in one process",
        )
    ]


def test_a_bug_in_a_worker_is_reported_as_one() -> None:
    def bug(index: int) -> int:
        raise KeyError("broken")

    with pytest.raises(WorkerFailed, match="KeyError: 'broken'"):
        Slices(8, 2, in_a_worker_once_it_renders(bug), list, print).run()


def test_progress_counts_every_process_release() -> None:
    told: list[tuple[int, int]] = []
    Slices(12, 3, lambda index: index, list, print).run(lambda finished, index: told.append((finished, index)))
    indexes = [index for _, index in told]
    assert indexes[:2] == [0, 1] and indexes == sorted(set(indexes)), "this process reports its own, in order"
    counts = [finished for finished, _ in told]
    # Workers may have finished releases before this process reports its first one (a loaded machine).
    assert counts == sorted(counts) and counts[-1] <= 11
    assert all(finished >= mine for mine, (finished, _) in enumerate(told)), "its own are counted"


def test_one_slice_reports_each_release_before_it_renders() -> None:
    told: list[tuple[int, int]] = []
    Slices(3, 1, lambda index: index, list, print).run(lambda finished, index: told.append((finished, index)))
    assert told == [(0, 0), (1, 1), (2, 2)]


def test_few_releases_or_one_job_render_in_this_process() -> None:
    assert worker_count(1, 1000) == 1
    assert worker_count(4, 2 * MIN_RELEASES_PER_WORKER - 1) == 1
    assert worker_count(4, 4 * MIN_RELEASES_PER_WORKER) == 4
    assert worker_count(64, 10_000) == 8
