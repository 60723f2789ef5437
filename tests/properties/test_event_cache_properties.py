"""Replayed parser events build exactly what a fresh parse builds (``yamlio.EventCache``).

A template renders the same text with tokens for many releases, so its parser events are recorded
once and replayed. The oracle is the parse without the cache: for generated templates (those of
``test_slot_properties``: every scalar style, keys, anchors, aliases, tags and hostile values),
each rendered with several value sets in turn, the objects, or the problems with their messages,
locations and hints, must be the same whether the text was parsed or replayed.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pytemplar.templating.parse as parse_module
import pytemplar.yamlio as yamlio
from pytemplar.errors import PytemplarError
from pytemplar.project import App, Workspace
from pytemplar.templating.engine import RenderedFile, TemplateEngine, template_context
from pytemplar.templating.parse import parse_rendered
from pytemplar.yamlio import EventCache, ScalarRewriter, load_documents
from tests.properties.test_slot_properties import documents, values


def outcome(files: list[RenderedFile], cache: EventCache | None) -> tuple[str, Any]:
    """The objects parsed from ``files``, or the problems that refused them."""
    with mock.patch.object(parse_module, "_EVENTS", cache):
        try:
            return "objects", [(m.obj, m.source, m.template) for m in parse_rendered(files, "r", "dev")]
        except PytemplarError as exc:
            return "problems", exc.problems


class Apps:
    """Writes each generated template into a fresh app folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = itertools.count()

    def __repr__(self) -> str:
        return "<apps>"

    def __call__(self, template: str) -> App:
        root = self.folder / f"app{next(self.count)}"
        (root / "templates").mkdir(parents=True)
        (root / "app.yaml").write_text("name: demo\nversion: 0.1.0\n", encoding="utf-8")
        (root / "templates" / "t.yaml.j2").write_text(template, encoding="utf-8")
        return Workspace().app(root)


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Apps:
    return Apps(tmp_path_factory.mktemp("replayed"))


def rendered(engine: TemplateEngine, values_: dict[str, Any]) -> list[RenderedFile] | None:
    context = template_context(
        values_, release="r", namespace="ns", environment="dev", app=engine.app, kube_version=None
    )
    try:
        return engine.render(context)
    except PytemplarError:
        return None  # refused before any YAML is read: nothing to compare


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(document=documents(), data=st.data())
def test_replayed_events_build_what_parsing_builds(apps: Apps, document: tuple[str, Any, Any], data: Any) -> None:
    template, first_values, _expected = document
    others = data.draw(st.lists(st.fixed_dictionaries({name: values for name in first_values}), max_size=3))
    engine = TemplateEngine(apps(template))
    cache = EventCache()
    replayed = 0
    for values_ in [first_values, first_values, *others, first_values]:
        files = rendered(engine, values_)
        if files is None:
            continue
        expected = outcome(files, None)
        replayed += all(file.text in cache.events for file in files)
        assert outcome(files, cache) == expected, f"\n--- template\n{template}\n--- values\n{values_!r}"
    files = rendered(engine, first_values) or []
    if outcome(files, None)[0] == "objects" and all(libyaml_reads(file.text) for file in files):
        assert replayed, "a text that parsed whole is replayed from its third reading"


def libyaml_reads(text: str) -> bool:
    """Whether libyaml parses ``text`` (the parser whose events are kept; not the fallback's)."""
    try:
        load_documents(text, "t.yaml")
    except PytemplarError:
        return False
    return True


def test_a_text_is_recorded_on_its_second_reading_and_replayed_from_its_third() -> None:
    cache = EventCache()
    text = "a: 1\nb: [x, {c: d}]\n---\ne: f\n"
    parsed = [[d.data for d in load_documents(text, "f.yaml", events=cache)] for _ in range(2)]
    assert text in cache.events
    with mock.patch("pytemplar.yamlio._Parser", side_effect=AssertionError("parsed again")):
        replayed = [d.data for d in load_documents(text, "f.yaml", events=cache)]
    assert parsed == [replayed, replayed] == [[{"a": 1, "b": ["x", {"c": "d"}]}, {"e": "f"}]] * 2


def test_a_text_that_fails_to_parse_is_never_kept() -> None:
    cache = EventCache()
    text = "a: 1\nb: [unclosed\n"
    for _ in range(3):
        with pytest.raises(PytemplarError, match="invalid YAML"):
            load_documents(text, "f.yaml", events=cache)
    assert cache.events == {}


def test_the_cache_stops_recording_at_its_size() -> None:
    cache = EventCache(max_events=10)
    texts = [f"k{index}: [a, b, c]\n" for index in range(3)]  # 12 events each, the stream's included
    for text in texts * 2:
        load_documents(text, "f.yaml", events=cache)
    assert list(cache.events) == texts[:1]
    assert cache.size == 12


SLOTTED = "a: \ue0000\ue001\nb: [x, \ue0001\ue001]\nc: {d: e}\n\ue0002\ue001: 1\n"


def test_a_text_replayed_is_built_from_its_compiled_documents_without_the_builder() -> None:
    cache = EventCache()
    rewriter = ScalarRewriter("\ue000", lambda event: setattr(event, "value", event.value.replace("\ue000", "<")))
    built = [load_documents(SLOTTED, "t.yaml", rewriter=rewriter, events=cache)[0].data for _ in range(2)]
    with mock.patch.object(yamlio._Builder, "build", side_effect=AssertionError("built from events")):
        compiled = load_documents(SLOTTED, "t.yaml", rewriter=rewriter, events=cache)[0].data
    assert built == [compiled, compiled]
    assert compiled == {"a": "<0\ue001", "b": ["x", "<1\ue001"], "c": {"d": "e"}, "<2\ue001": 1}


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: \ue0000\ue001}\nc: *x\n",  # anchors and aliases
        "base: {b: 1}\nm:\n  <<: {b: 2}\n  c: \ue0000\ue001\n",  # a merge key
        "a: !!map {b: \ue0000\ue001}\n",  # a tagged collection
    ],
)
def test_what_only_the_builder_handles_is_not_compiled(text: str) -> None:
    cache = EventCache()
    for _ in range(3):
        load_documents(text, "t.yaml", rewriter=ScalarRewriter("\ue000", lambda event: None), events=cache)
    assert text in cache.events
    assert cache.skeleton(text, "core", "\ue000") is None
