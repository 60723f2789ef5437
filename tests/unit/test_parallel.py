"""Slices of releases rendered by forked workers: order, errors and progress as in one process."""

from __future__ import annotations

import os
import sys

import pytest

from pytemplar.errors import Problem, ValuesError
from pytemplar.parallel import MIN_RELEASES_PER_WORKER, Slices, WorkerFailed, WorkerStopped, worker_count

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


class Gathered:
    """What a run keeps across releases: here, the indexes rendered, in the order merged."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def render(self, index: int) -> str:
        self.seen.append(index)
        return f"release {index} in process {os.getpid()}"

    def state(self) -> list[int]:
        return self.seen

    def merge(self, later: list[int]) -> None:
        self.seen.extend(later)


def test_results_and_state_come_back_in_release_order() -> None:
    gathered = Gathered()
    results = Slices(10, 3, gathered.render, gathered.state, gathered.merge).run()
    assert [text.split(" in ")[0] for text in results] == [f"release {index}" for index in range(10)]
    assert gathered.seen == list(range(10))
    assert len({text.split(" in ")[1] for text in results}) == 3, "three processes rendered"


def test_slices_are_contiguous_and_balanced() -> None:
    slices = Slices(10, 3, str, list, print).bounds()
    assert [list(indexes) for indexes in slices] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]


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
    def render(index: int) -> int:
        if index == 7:
            os._exit(9)
        return index

    with pytest.raises(WorkerStopped) as raised:
        Slices(8, 2, render, list, print).run()
    assert raised.value.problems == [
        Problem(
            "a render worker ended with exit status 9 without its results",
            hint="run again; if it recurs, -j 1 renders in one process",
        )
    ]


def test_a_bug_in_a_worker_is_reported_as_one() -> None:
    def render(index: int) -> int:
        if index == 5:
            raise KeyError("broken")
        return index

    with pytest.raises(WorkerFailed, match="KeyError: 'broken'"):
        Slices(8, 2, render, list, print).run()


def test_progress_counts_every_process_release() -> None:
    told: list[tuple[int, int]] = []
    Slices(12, 3, lambda index: index, list, print).run(lambda finished, index: told.append((finished, index)))
    assert [index for _, index in told] == [0, 1, 2, 3], "this process reports its own slice"
    counts = [finished for finished, _ in told]
    assert counts == sorted(counts) and counts[0] >= 0 and counts[-1] <= 11
    assert [finished - index for finished, index in told] == sorted(finished - index for finished, index in told)


def test_one_slice_reports_each_release_before_it_renders() -> None:
    told: list[tuple[int, int]] = []
    Slices(3, 1, lambda index: index, list, print).run(lambda finished, index: told.append((finished, index)))
    assert told == [(0, 0), (1, 1), (2, 2)]


def test_few_releases_or_one_job_render_in_this_process() -> None:
    assert worker_count(1, 1000) == 1
    assert worker_count(4, 2 * MIN_RELEASES_PER_WORKER - 1) == 1
    assert worker_count(4, 4 * MIN_RELEASES_PER_WORKER) == 4
    assert worker_count(64, 10_000) == 8
