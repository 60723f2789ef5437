"""A value can never add keys or documents to a manifest, whatever text it holds.

Each one-line template below is rendered with ``values.s = s`` for arbitrary strings ``s``.
The render either refuses with a ``TemplateError`` (only where the slot cannot hold every
string, see ``may_refuse``) or produces exactly one YAML document that three readers
(pytemplar's own, PyYAML as a YAML 1.1 reader like Kubernetes' go-yaml, and ruamel's pure
Python reader) all read as exactly the template's keys, holding exactly the expected value.
"""

from __future__ import annotations

import re
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

from pytemplar.engine import TemplateEngine, template_context
from pytemplar.errors import TemplateError
from pytemplar.project import App, Workspace
from pytemplar.yamlio import load_documents

# Line breaks for YAML 1.1 readers besides "\n" (of these, YAML 1.2 counts only "\r").
OTHER_LINE_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
# Characters outside YAML's printable set (plus the byte-order mark), which only an escape in a
# double-quoted scalar can carry.
UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def breaks_a_line(s: str) -> bool:
    return "\n" in s or "\r" in s or bool(OTHER_LINE_BREAKS.search(s))


def unprintable(s: str) -> bool:
    return bool(UNPRINTABLE.search(s))


def block_text(s: str) -> str:
    """What a ``|`` block gets: CRLF read as LF, and one final line break dropped (the template
    line ends with its own)."""
    return s.replace("\r\n", "\n").removesuffix("\n")


def block_value(s: str) -> str:
    """The value of ``a: |`` holding ``block_text(s)``: clip chomping keeps exactly one final line
    break after the last non-empty line, and an all-empty block is the empty string."""
    body = block_text(s).rstrip("\n")
    return body + "\n" if body else ""


def block_needs_indentation_indicator(s: str) -> bool:
    """Whitespace before the first visible character would be taken as the block's indentation
    (a bare ``|`` detects it from the first non-empty line): no reader can get the value back."""
    leading = re.match(r"[ \t\n]*", block_text(s))
    return leading is not None and (" " in leading.group() or "\t" in leading.group())


def has_blank_but_not_empty_line(s: str) -> bool:
    # A line of only spaces or tabs inside a block scalar reads back as an empty line.
    return any(line and not line.strip(" \t") for line in s.replace("\r\n", "\n").removesuffix("\n").split("\n"))


def block_may_refuse(s: str) -> bool:
    return (
        unprintable(s)
        or bool(OTHER_LINE_BREAKS.search(s))
        or block_needs_indentation_indicator(s)
        or has_blank_but_not_empty_line(s)
    )


def never(_: str) -> bool:
    return False


def always(_: str) -> bool:
    return True


def single_line_text_only(s: str) -> bool:
    return breaks_a_line(s) or unprintable(s)


def key_too_long(s: str) -> bool:
    # YAML limits an implicit key to 1024 characters; quoted and escaped, a key of more than
    # 170 characters may exceed it (each character takes at most six: \uXXXX).
    return 6 * len(s) + 2 > 1024


@dataclass(frozen=True)
class Case:
    name: str
    template: str
    expected: Callable[[str], dict[str, Any]]
    may_refuse: Callable[[str], bool]
    non_empty: bool = False


CASES = [
    Case("value", "a: {{ values.s }}\n", lambda s: {"a": s}, never),
    Case("double-quoted", 'a: "{{ values.s }}"\n', lambda s: {"a": s}, never),
    Case("single-quoted", "a: '{{ values.s }}'\n", lambda s: {"a": s}, single_line_text_only),
    Case("plain-start", "a: {{ values.s }}-web\n", lambda s: {"a": f"{s}-web"}, always),
    Case("plain-end", "a: repo:{{ values.s }}\n", lambda s: {"a": f"repo:{s}"}, always),
    Case("plain-middle", "a: x{{ values.s }}y\n", lambda s: {"a": f"x{s}y"}, always),
    Case("plain-middle-spaced", "a: x {{ values.s }} y\n", lambda s: {"a": f"x {s} y"}, always),
    Case("plain-in-flow-sequence", "a: [x{{ values.s }}]\n", lambda s: {"a": [f"x{s}"]}, always),
    Case("plain-in-flow-mapping", "a: {b: x{{ values.s }}}\n", lambda s: {"a": {"b": f"x{s}"}}, always),
    Case("list-item", "a:\n  - {{ values.s }}\n", lambda s: {"a": [s]}, never),
    Case("flow-item", "a: [{{ values.s }}]\n", lambda s: {"a": [s]}, never),
    Case("key", "{{ values.s }}: 1\n", lambda s: {s: 1}, key_too_long, non_empty=True),
    Case("literal-block", "a: |\n  {{ values.s }}\n", lambda s: {"a": block_value(s)}, block_may_refuse),
    Case("comment", "a: 1 # {{ values.s }}\n", lambda s: {"a": 1}, single_line_text_only),
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
    app, engine = engines[case.name]
    context = template_context({"s": s}, release="r", namespace="ns", environment="dev", app=app, kube_version=None)
    (file,) = engine.render(context)
    return file.text


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
    if case.non_empty and not s:
        return
    try:
        text = rendered_text(engines, case, s)
    except TemplateError as exc:
        assert case.may_refuse(s), f"{case.name}: {s!r} refused: {exc}"
        return
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
    try:
        text = rendered_text(engines, case, s)
    except TemplateError:
        assert case.may_refuse(s)
        return
    assert "49" not in text
    (document,) = next(read_all(text))[1]
    assert document == case.expected(s)
