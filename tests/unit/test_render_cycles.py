"""A render leaves no reference cycles behind: what a release made is freed as soon as it is unused.

Objects caught in a cycle wait for the cyclic garbage collector, which a big run then pays for
again and again, and they hold on to everything they reference meanwhile (a template's slots hold
every value a release placed)."""

from __future__ import annotations

import gc
from collections import Counter

from conftest import EXAMPLES

from pytemplar.api import render

# What one release makes: parsers and builders, slots and the values placed in them.
PER_RELEASE = {"_Builder", "_Filler", "SlotPlacer", "ScalarRewriter", "Fragment", "FragmentOrigins", "YamlMap"}
PER_RELEASE |= {"ValueMap", "ValueList", "ReadLog", "RenderedFile", "YamlDocument"}


def test_rendering_releases_leaves_no_cycles_of_what_a_release_made() -> None:
    render(EXAMPLES / "shop")  # templates compiled and rendered texts seen: the next renders replay them
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(2):
            render(EXAMPLES / "shop")
        gc.collect()
        found = Counter(type(thing).__name__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not PER_RELEASE & set(found), {name: found[name] for name in PER_RELEASE & set(found)}
