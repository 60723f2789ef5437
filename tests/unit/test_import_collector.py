"""Importing pytemplar pauses the cyclic garbage collector and leaves it as it found it.

The modules make thousands of objects that live as long as the process; scanning them while they
load is most of the collector's work in a one-release render, and finds no garbage. Each check
runs in a new interpreter, where pytemplar is not imported yet; the collector's callbacks count
the collections, not the time they take.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Counts the collections made while pytemplar's modules load: with a frame of one of them on
# the stack (not while Python finds or compiles the package's first file, which depends on the
# bytecode cache, nor the one Python 3.12 may run in the package's last lines, which scans only
# objects made after the pause).
COUNTING = """
import gc, sys
runs = []
def count(phase, info):
    try:
        frame = sys._getframe(1)
    except ValueError:  # called with no Python frame (at exit)
        return
    while frame is not None and not frame.f_globals.get("__name__", "").startswith("pytemplar."):
        frame = frame.f_back
    if phase == "stop" and frame is not None:
        runs.append(info["generation"])
gc.callbacks.append(count)
"""


def run(script: str) -> None:
    code = textwrap.dedent(COUNTING) + textwrap.dedent(script)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_importing_collects_nothing_and_leaves_the_collector_on() -> None:
    run(
        """
        frozen = gc.get_freeze_count()  # none, unless the interpreter froze some (Python 3.12)
        import pytemplar
        assert runs == [], runs
        assert gc.isenabled()
        if not frozen:  # what the modules made is in the oldest generation, which only a full collection scans
            young = {id(thing) for generation in (0, 1) for thing in gc.get_objects(generation)}
            assert id(pytemplar.Location) not in young and id(pytemplar.errors.__dict__) not in young
        garbage = [[]]
        garbage[0].append(garbage)  # a cycle made after the import is still collected
        del garbage
        assert gc.collect() > 0
        """
    )


@pytest.mark.parametrize("frozen", [False, True])
def test_a_collector_switched_off_stays_off_and_frozen_objects_stay_frozen(frozen: bool) -> None:
    run(
        f"""
        gc.disable()
        if {frozen}:
            gc.freeze()
        count = gc.get_freeze_count()
        import pytemplar
        assert not gc.isenabled()
        # none thawed (a frozen object may be freed meanwhile), none added
        assert (0 < gc.get_freeze_count() <= count) if count else gc.get_freeze_count() == 0
        """
    )
