"""A run shared out among forked workers returns what one process returns, over generated runs:
the results in release order, what the run keeps across releases merged in release order, and,
when releases fail, the error of the first failing one."""

from __future__ import annotations

import os
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytemplar.errors import Problem, ValuesError
from pytemplar.parallel import Slices

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


class Run:
    """Releases that take generated times, some failing; what is kept: the indexes rendered."""

    def __init__(self, pauses: list[int], failing: set[int]) -> None:
        self.pauses = pauses
        self.failing = failing
        self.seen: list[int] = []

    def render(self, index: int) -> tuple[int, int]:
        time.sleep(self.pauses[index] / 10_000)  # 0 to 1 ms: the processes' releases interleave differently
        if index in self.failing:
            raise ValuesError(f"release {index} is invalid", problems=[Problem(f"release {index} is invalid")])
        self.seen.append(index)
        return index, os.getpid()

    def hand_over(self) -> list[int]:
        handed, self.seen = self.seen, []
        return handed

    def merge(self, later: list[int]) -> None:
        self.seen.extend(later)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, 10), min_size=1, max_size=60),
    st.integers(1, 4),
    st.sets(st.integers(0, 59), max_size=3),
)
def test_a_shared_run_returns_what_one_process_returns(pauses: list[int], workers: int, failing: set[int]) -> None:
    count = len(pauses)
    failing = {index for index in failing if index < count}
    run = Run(pauses, failing)
    slices = Slices(count, workers, run.render, run.hand_over, run.merge)
    if failing:
        first = min(failing)  # one process stops there
        with pytest.raises(ValuesError) as raised:
            slices.run()
        assert raised.value.problems == [Problem(f"release {first} is invalid")]
        return
    results = slices.run()
    assert [index for index, _pid in results] == list(range(count))
    assert run.seen == list(range(count)), "kept across releases, merged in release order"
    assert len({pid for _index, pid in results}) <= slices.workers
