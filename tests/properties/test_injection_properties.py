"""A value can never add keys or documents to a manifest, whatever text it holds.

Each one-line template below is rendered with ``values.s = s`` for arbitrary strings ``s``,
parsed with each value placed where the parser found its ``{{ }}``, and written as pytemplar
writes manifests. Three readers (pytemplar's own, PyYAML as a YAML 1.1 reader like Kubernetes'
go-yaml, and ruamel's pure Python reader) must all read exactly the template's keys, holding
exactly the expected value: no value is refused, none changes the structure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import write_tree
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pytemplar.project import App, Workspace
from pytemplar.templating.engine import TemplateEngine, template_context
from pytemplar.templating.parse import parse_rendered
from pytemplar.yamlio import load_documents
from pytemplar.yamlout import dump_yaml


def block_value(s: str) -> str:
    """The value of ``a: |`` holding ``s`` on its own line: the value's last line break is the
    template line's, and clip chomping keeps exactly one final line break (none when empty)."""
    body = s.rstrip("\n")
    return body + "\n" if body else ""


@dataclass(frozen=True)
class Case:
    name: str
    template: str
    expected: Callable[[str], dict[str, Any]]


CASES = [
    Case("value", "a: {{ values.s }}\n", lambda s: {"a": s}),
    Case("double-quoted", 'a: "{{ values.s }}"\n', lambda s: {"a": s}),
    Case("single-quoted", "a: '{{ values.s }}'\n", lambda s: {"a": s}),
    Case("plain-start", "a: {{ values.s }}-web\n", lambda s: {"a": f"{s}-web"}),
    Case("plain-end", "a: repo:{{ values.s }}\n", lambda s: {"a": f"repo:{s}"}),
    Case("plain-middle", "a: x{{ values.s }}y\n", lambda s: {"a": f"x{s}y"}),
    Case("plain-middle-spaced", "a: x {{ values.s }} y\n", lambda s: {"a": f"x {s} y"}),
    Case("plain-in-flow-sequence", "a: [x{{ values.s }}]\n", lambda s: {"a": [f"x{s}"]}),
    Case("plain-in-flow-mapping", "a: {b: x{{ values.s }}}\n", lambda s: {"a": {"b": f"x{s}"}}),
    Case("list-item", "a:\n  - {{ values.s }}\n", lambda s: {"a": [s]}),
    Case("flow-item", "a: [{{ values.s }}]\n", lambda s: {"a": [s]}),
    Case("key", "{{ values.s }}: 1\n", lambda s: {s: 1}),
    Case("literal-block", "a: |\n  {{ values.s }}\n", lambda s: {"a": block_value(s)}),
    Case("comment", "a: 1 # {{ values.s }}\n", lambda s: {"a": 1}),
    Case("anchored", "a: &x {{ values.s }}\nb: *x\n", lambda s: {"a": s, "b": s}),
    Case("tagged", "a: !!str {{ values.s }}\n", lambda s: {"a": s}),
    Case("after-empty-if", "a: {{ values.s }}{% if false %}-x{% endif +%}\n", lambda s: {"a": s}),
    Case("multi-line-flow", "a: [\n  x,\n  {{ values.s }}\n]\n", lambda s: {"a": ["x", s]}),
    Case("multi-line-double-quoted", 'a: "x\n  {{ values.s }}"\n', lambda s: {"a": f"x {s}"}),
    Case("macro", "{% macro m() %}{{ values.s }}{% endmacro %}a: {{ m() }}\n", lambda s: {"a": s}),
    Case("macro-text", '{% macro m() %}<{{ values.s }}>{% endmacro %}a: "{{ m() }}"\n', lambda s: {"a": f"<{s}>"}),
    Case("set-block", "{% set v %}{{ values.s }}{% endset %}a: {{ v }}\n", lambda s: {"a": s}),
    Case(
        "fromyaml", "{% macro m() %}b: {{ values.s }}{% endmacro %}a: {{ m() | fromyaml }}\n", lambda s: {"a": {"b": s}}
    ),
    Case("for-loop", "a:\n{% for x in [1] %}\n  - {{ values.s }}\n{% endfor %}\n", lambda s: {"a": [s]}),
]

FRAGMENTS = [
    *("\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x00", "\x1b", "\x7f", "\t", " ", "  ", "\ufeff"),
    *(": ", ":", " #", "#", "'", "''", '"', "\\", "---", "...", "- ", "-", "? ", "?", "|", ">", "%", "@", "`"),
    *("[", "]", "{", "}", ",", "&a", "*a", "!!str", "<<", "yes", "1.0", "null", "~", "0x1F"),
    *("{{", "}}", "{%", "%}", "{#", "#}", "{{ 7*7 }}", "{% raw %}"),
    *("key: value", "\nb: 1", "\n---\nb: 1", "\n  - x", "\n  b: 1", "ü", "😀"),
]

texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=8).map("".join),
)

# Values that add keys, change the value or break the output in some slot; every case runs them.
KNOWN_HARD = [
    "",
    "q\rb: 1",
    "q\x85b: 1",
    "q\u2028b: 1",
    "q\u2029b: 1",
    "y, c",
    "y]",
    "#c",
    "\n  x",
    " x",
    "\tx",
    "q\x01",
    "q\u2028 x",
    "x\n---\nb: 1",
    "{{ 7*7 }}",
    "k" * 1100,
]


class Engines(dict[str, tuple[App, TemplateEngine]]):
    """One compiled app per case (a short repr keeps Hypothesis reports readable)."""

    def __repr__(self) -> str:
        return "<engines>"


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Engines:
    """One compiled app per case, shared by every example."""
    made = Engines()
    for case in CASES:
        root = write_tree(
            tmp_path_factory.mktemp(case.name),
            {"app/app.yaml": "name: demo\nversion: 0.1.0\n", "app/templates/t.yaml.j2": case.template},
        )
        app = Workspace().app(Path(root) / "app")
        made[case.name] = (app, TemplateEngine(app))
    return made


def rendered_text(engines: Engines, case: Case, s: str) -> str:
    """The manifest as pytemplar writes it."""
    app, engine = engines[case.name]
    context = template_context({"s": s}, release="r", namespace="ns", environment="dev", app=app, kube_version=None)
    (manifest,) = parse_rendered(engine.render(context), "r", "dev")
    return dump_yaml(manifest.obj)


READERS: dict[str, Callable[[str], list[Any]]] = {
    "pytemplar": lambda text: [document.data for document in load_documents(text, "<rendered>")],
    "PyYAML": lambda text: list(yaml.safe_load_all(text)),
    "ruamel": lambda text: list(YAML(typ="safe", pure=True).load_all(text)),
}


def read_all(text: str) -> Iterator[tuple[str, list[Any]]]:
    """The documents each reader finds in ``text``; a reader that cannot read it fails the test."""
    for reader, read in READERS.items():
        try:
            documents = read(text)
        except Exception as exc:
            pytest.fail(f"{reader} cannot read {text!r}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        yield reader, documents


def check(engines: Engines, case: Case, s: str) -> None:
    text = rendered_text(engines, case, s)
    expected = case.expected(s)
    for reader, documents in read_all(text):
        assert len(documents) == 1, f"{reader} read {len(documents)} documents from {text!r}"
        (document,) = documents
        assert isinstance(document, dict), f"{reader} read {document!r} from {text!r}"
        assert list(document) == list(expected), f"{reader} read keys {list(document)} from {text!r}"
        assert document == expected, f"{reader} read {document!r} from {text!r}"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@settings(max_examples=300, deadline=None)
@given(s=texts)
def test_a_value_is_one_scalar_in_every_slot(engines: Engines, case: Case, s: str) -> None:
    check(engines, case, s)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.parametrize("s", KNOWN_HARD, ids=[repr(s)[:24] for s in KNOWN_HARD])
def test_hard_values_are_one_scalar_or_refused(engines: Engines, case: Case, s: str) -> None:
    check(engines, case, s)


PLAIN_CASES = [case for case in CASES if case.name.startswith("plain")]


@pytest.mark.parametrize("case", PLAIN_CASES, ids=[case.name for case in PLAIN_CASES])
@settings(max_examples=100, deadline=None)
@given(s=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_./-]{0,29}", fullmatch=True))
def test_ordinary_words_are_accepted_inside_plain_scalars(engines: Engines, case: Case, s: str) -> None:
    text = rendered_text(engines, case, s)
    for reader, documents in read_all(text):
        assert documents == [case.expected(s)], reader


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.parametrize("s", ["{{ 7*7 }}", "{% if true %}yes{% endif %}", "{# hidden #}", "{{ values.s }}"])
def test_value_text_is_never_evaluated_as_a_template(engines: Engines, case: Case, s: str) -> None:
    text = rendered_text(engines, case, s)
    assert "49" not in text
    (document,) = next(read_all(text))[1]
    assert document == case.expected(s)
