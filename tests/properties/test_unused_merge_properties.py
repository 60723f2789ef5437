"""Collectors of unused values recorded apart and merged in order report what one collector would."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytemplar.templating.engine import ReadLog
from pytemplar.usage import UnusedValues
from pytemplar.values import ValuesLayer, merge_layers

FILES = ["envs/prod.yaml", "releases/a.yaml", "releases/b.yaml", "overlays/a.yaml"]
KEYS = st.sampled_from(["image", "tag", "replicas", "probe", "path"])
LEAVES = st.one_of(st.integers(0, 3), st.sampled_from(["x", "y"]), st.none())
DATA: st.SearchStrategy[dict[str, Any]] = st.recursive(
    st.dictionaries(KEYS, LEAVES, max_size=3), lambda inner: st.dictionaries(KEYS, inner, max_size=3), max_leaves=6
)


def _paths(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for key, value in data.items():
        found.append((*prefix, key))
        if isinstance(value, dict):
            found.extend(_paths(value, (*prefix, key)))
    return found


@st.composite
def releases(draw: st.DrawFn) -> list[tuple[list[ValuesLayer], ReadLog]]:
    """Releases, each with some of the files as layers and some of the merged paths read."""
    contents = {name: draw(DATA) for name in FILES}
    made = []
    for _ in range(draw(st.integers(1, 6))):
        names = draw(st.lists(st.sampled_from(FILES), min_size=1, max_size=3, unique=True))
        layers = [ValuesLayer("release", name, contents[name]) for name in names]
        merged = merge_layers(layers)
        log = ReadLog()
        log.read.update(draw(st.lists(st.sampled_from(_paths(merged) or [("image",)]), max_size=5)))
        made.append((layers, log))
    return made


def _record(unused: UnusedValues, rendered: list[tuple[list[ValuesLayer], ReadLog]], first: int) -> None:
    for number, (layers, log) in enumerate(rendered, first):
        unused.record(layers, merge_layers(layers), log, None, release=f"r{number}", environment="prod")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(releases(), st.data())
def test_merged_slices_report_what_one_collector_reports(
    rendered: list[tuple[list[ValuesLayer], ReadLog]], data: st.DataObject
) -> None:
    whole = UnusedValues()
    _record(whole, rendered, 0)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rendered)), max_size=3)))
    bounds = [0, *cuts, len(rendered)]
    first, *rest = [UnusedValues() for _ in bounds[1:]]
    for part, (start, end) in zip([first, *rest], itertools.pairwise(bounds), strict=True):
        _record(part, rendered[start:end], start)
    for part in rest:
        first.merge(part)
    assert first.problems("warning") == whole.problems("warning")
