"""pytemplar.supervise: the child's activity notes reach the parent when the time limit stops it."""

from __future__ import annotations

import time

from pytemplar.supervise import Activity, Limits, activity, run_limited


def test_the_parent_learns_what_the_stopped_child_was_doing() -> None:
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
