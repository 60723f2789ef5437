"""yamlio.events: the parse events, with positions, that the overlay editor builds its tree from."""

from __future__ import annotations

from pathlib import Path

import pytemplar.overlay
from pytemplar.yamlio import events


def test_each_event_with_its_kind_and_position() -> None:
    text = "a: &x 1\nb: *x\nc: [1, 'two']\nd:\n  - |\n    text\n...\n"
    found = [
        (e.kind, text[e.start : e.end], e.line, e.column, e.anchor, e.value, e.style, e.flow) for e in events(text)
    ]
    assert found[:6] == [
        ("map", "", 0, 0, None, None, "", False),
        ("scalar", "a", 0, 0, None, "a", "", False),
        ("scalar", "&x 1", 0, 3, "x", "1", "", False),
        ("scalar", "b", 1, 0, None, "b", "", False),
        ("alias", "*x", 1, 3, None, "x", "", False),
        ("scalar", "c", 2, 0, None, "c", "", False),
    ]
    kinds = [event.kind for event in events(text)]
    assert kinds == ["map", "scalar", "scalar", "scalar", "alias", "scalar", "seq", "scalar", "scalar", "end",
                     "scalar", "seq", "scalar", "end", "end", "document_end"]  # fmt: skip
    flow = [event for event in events(text) if event.kind == "seq"]
    assert [event.flow for event in flow] == [True, False]
    [literal] = [event for event in events(text) if event.style == "|"]
    assert literal.value == "text\n"
    assert [event.explicit for event in events(text) if event.kind == "document_end"] == [True]


def test_the_editor_uses_only_the_public_event_api() -> None:
    source = (Path(pytemplar.overlay.__file__).parent / "editor.py").read_text("utf-8")
    assert "yamlio._" not in source  # no private parser
    assert "ruamel" not in source and 'Event"' not in source  # no dispatch on ruamel's event classes
    assert "def _emit" not in source  # blocks come from yamlout
