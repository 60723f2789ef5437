"""pytemplar.supervise: a command stopped at its limits says what it was doing and leaves things as they were."""

from __future__ import annotations

import os
import resource
import signal
import sys
import time
from pathlib import Path

import pytest

from pytemplar.atomicfile import replacing
from pytemplar.supervise import Activity, Limits, activity, note_in_slot, run_limited, share_notes


def test_a_stopped_command_learns_what_it_was_doing() -> None:
    seen: list[Activity | None] = []

    def work() -> int:
        with activity("outer.yaml", "loading"), activity("templates/slow.yaml.j2", "rendering this template"):
            time.sleep(30)
        return 0

    code = run_limited(work, Limits(timeout=0.5, memory_mib=0), seen.append)

    assert code == 124
    assert seen == [Activity("templates/slow.yaml.j2", "rendering this template")]


def test_a_finished_activity_gives_way_to_the_one_around_it() -> None:
    seen: list[Activity | None] = []

    def work() -> int:
        with activity("outer.yaml", "loading"):
            with activity("inner.yaml", "quick"):
                pass
            time.sleep(30)
        return 0

    run_limited(work, Limits(timeout=0.5, memory_mib=0), seen.append)

    assert seen == [Activity("outer.yaml", "loading")]


def test_no_activity_noted_means_none() -> None:
    seen: list[Activity | None] = []
    run_limited(lambda: time.sleep(30) or 0, Limits(timeout=0.5, memory_mib=0), seen.append)
    assert seen == [None]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="render workers are forked on Linux only")
def test_a_worker_forked_after_the_notes_are_shared_says_what_it_was_doing() -> None:
    """The page workers note on is made when the first is started (a run of one release has
    none); the newest note, here the worker's, is the one reported."""
    seen: list[Activity | None] = []

    def work() -> int:
        with activity("project/pytemplar.yaml", "waiting for the workers"):
            share_notes()
            pid = os.fork()
            if pid == 0:  # the worker: timers are not inherited, the parent's stops it
                note_in_slot(1)
                with activity("templates/slow.yaml.j2", "rendering this template"):
                    time.sleep(30)
                os._exit(0)
            try:
                time.sleep(30)
            finally:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        return 0

    run_limited(work, Limits(timeout=1, memory_mib=0), seen.append)

    assert seen == [Activity("templates/slow.yaml.j2", "rendering this template")]


def test_a_note_longer_than_the_shared_page_is_cut() -> None:
    seen: list[Activity | None] = []

    def work() -> int:
        with activity("file.yaml", "x" * 10_000):
            time.sleep(30)
        return 0

    run_limited(work, Limits(timeout=0.5, memory_mib=0), seen.append)

    note = seen[0]
    assert note is not None and note.file == "file.yaml"
    assert 4000 < len(note.doing) < 4096 and set(note.doing) == {"x"}


def test_handlers_for_errors_do_not_swallow_the_stop() -> None:
    seen: list[Activity | None] = []

    def work() -> int:
        for _ in range(3):
            try:
                time.sleep(1)
            except Exception:  # what a careless handler in a library does
                continue
        return 0

    assert run_limited(work, Limits(timeout=0.3, memory_mib=0), seen.append) == 124
    assert seen == [None]


def test_a_file_being_replaced_when_time_runs_out_is_left_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old\n")

    def work() -> int:
        with replacing(target, b"new\n"):
            time.sleep(30)  # the last checks before the rename, taking too long
        return 0

    assert run_limited(work, Limits(timeout=0.3, memory_mib=0), lambda _doing: None) == 124
    assert target.read_text() == "old\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.yaml"], "no temporary file left"


def test_the_limits_are_lifted_when_the_command_ends() -> None:
    before = (
        resource.getrlimit(resource.RLIMIT_AS),
        resource.getrlimit(resource.RLIMIT_CPU),
        signal.getsignal(signal.SIGALRM),
    )
    during: list[tuple[object, ...]] = []

    def work() -> int:
        during.append(
            (
                resource.getrlimit(resource.RLIMIT_AS)[0],
                resource.getrlimit(resource.RLIMIT_CPU)[0],
                signal.getitimer(signal.ITIMER_REAL)[0],
            )
        )
        return 7

    assert run_limited(work, Limits(timeout=60, memory_mib=1 << 20), lambda _doing: None) == 7
    address_space, cpu, timer = during[0]
    soft_as, hard_as = before[0]
    expected_as = 1 << 40 if hard_as == resource.RLIM_INFINITY else min(1 << 40, hard_as)
    if soft_as == resource.RLIM_INFINITY or soft_as > expected_as:
        assert address_space == expected_as
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    assert used + 60 < cpu <= used + 60 + 12  # a backstop seconds above the wall-clock limit
    assert 0 < timer <= 60
    after = (
        resource.getrlimit(resource.RLIMIT_AS),
        resource.getrlimit(resource.RLIMIT_CPU),
        signal.getsignal(signal.SIGALRM),
    )
    assert after == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_allocation_past_the_memory_limit_fails_in_the_command() -> None:
    with open("/proc/self/status") as status:
        size_kib = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    limit_mib = size_kib // 1024 + 256

    def work() -> int:
        bytearray(512 * 1024 * 1024)
        return 0

    with pytest.raises(MemoryError):
        run_limited(work, Limits(timeout=0, memory_mib=limit_mib), lambda _doing: None)
    bytearray(512 * 1024 * 1024)  # lifted again
