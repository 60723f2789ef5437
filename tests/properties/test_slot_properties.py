"""Generated templates: every value lands exactly where the template's structure puts it.

Hypothesis builds a template as a tree (block and flow maps and lists; plain, double-quoted,
single-quoted, literal and folded scalars, some over several lines; anchors, aliases, tags and
comments) with ``{{ }}`` slots at random places: a whole value, a key, or a piece of a scalar of
any style. Each slot reaches the stream directly or through control flow, a macro, a ``{% set %}``
block, a call block or ``tpl``. The values are hostile text, numbers, booleans, null, maps and lists.

The oracle never parses YAML: it computes the object from the tree itself, putting each value in
its place (a whole value is itself; inside a scalar it is its text; a map or list inside text is
refused). The render must give exactly that object, or refuse exactly where the oracle does.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytemplar.errors import PytemplarError
from pytemplar.project import Workspace
from pytemplar.templating.engine import TemplateEngine, template_context
from pytemplar.templating.parse import parse_rendered

# -- values --------------------------------------------------------------------------------------------

PIECES = [
    *(": ", ":", " #", "#", "'", '"', "\\", "- ", "-", "? ", ",", "[", "]", "{", "}", "&a", "*a", "!!str", "|", ">"),
    *("\n", "\r\n", "\t", " ", "\x85", "\u2028", "---", "...", "%", "@", "`", "<<", "~", "{{ x }}", "ü"),
    *("true", "yes", "null", "1.20", "012", "0x1F", "1e3", "1e_3", ".inf", "a: b", "\nb: 1", "\n  - x"),
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=6).map("".join)
scalars = st.one_of(
    texts,
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
    max_leaves=4,
)


def text_of(value: Any) -> str:
    """A scalar's text inside a longer string (maps and lists have none: refused)."""
    if isinstance(value, (dict, list)):
        raise Refused
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:  # Helm writes a null inside text as nothing
        return ""
    return value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)


class Refused(Exception):
    """The oracle's word for a value that has no place in text."""


# -- the template tree ---------------------------------------------------------------------------------

WORDS = ["alpha", "beta", "gamma", "delta", "x1", "web", "db", "eu-west", "v2.3", "a_b"]


@dataclass
class Build:
    """The template being written: helper definitions, values, and names handed out."""

    values: dict[str, Any] = field(default_factory=dict)
    helpers: list[str] = field(default_factory=list)
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def name(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"


WRAPPERS = ["plain", "if", "for", "if-plain", "for-plain", "macro", "set", "call", "tpl", "empty-if-around"]


def slot_text(build: Build, value: Any, wrapper: str) -> str:
    """The template text of one ``{{ }}`` holding ``value``, through ``wrapper``."""
    name = build.name("v")
    build.values[name] = value
    expression = f"values.{name}"
    if wrapper == "if":
        return f"{{%+ if true +%}}{{{{ {expression} }}}}{{%+ endif +%}}"
    if wrapper == "empty-if-around":  # text that renders nothing on either side
        return f"{{%+ if false +%}}x-{{%+ endif +%}}{{{{ {expression} }}}}{{%+ if false +%}}-y{{%+ endif +%}}"
    if wrapper == "for":
        return f"{{%+ for _ in [1] +%}}{{{{ {expression} }}}}{{%+ endfor +%}}"
    # As users write them: at the start or end of a line of YAML, the tags keep its indentation
    # and its line break (Jinja2's trim_blocks and lstrip_blocks apply to lines of tags alone).
    if wrapper == "if-plain":
        return f"{{% if true %}}{{{{ {expression} }}}}{{% endif %}}"
    if wrapper == "for-plain":
        return f"{{% for _ in [1] %}}{{{{ {expression} }}}}{{% endfor %}}"
    if wrapper == "macro":
        macro = build.name("m")
        build.helpers.append(f"{{% macro {macro}() %}}{{{{ {expression} }}}}{{% endmacro %}}\n")
        return f"{{{{ {macro}() }}}}"
    if wrapper == "set":
        variable = build.name("s")
        build.helpers.append(f"{{% set {variable} %}}{{{{ {expression} }}}}{{% endset %}}\n")
        return f"{{{{ {variable} }}}}"
    if wrapper == "call":
        return f"{{%+ call passthrough() +%}}{{{{ {expression} }}}}{{%+ endcall +%}}"
    if wrapper == "tpl":
        return f'{{{{ tpl("{{{{ {expression} }}}}") }}}}'
    return f"{{{{ {expression} }}}}"


@dataclass
class Piece:
    """Part of a scalar: literal text (safe in every style) or a slot."""

    text: str | None = None
    value: Any = None
    wrapper: str = "plain"


def expected_text(pieces: list[Piece]) -> str:
    return "".join(piece.text if piece.text is not None else text_of(piece.value) for piece in pieces)


def written(build: Build, pieces: list[Piece], quote: str = "") -> str:
    """The template text of ``pieces`` (literal quotes doubled inside single quotes)."""
    return "".join(
        (piece.text.replace("'", "''") if quote == "'" else piece.text)
        if piece.text is not None
        else slot_text(build, piece.value, piece.wrapper)
        for piece in pieces
    )


# -- hypothesis strategies -----------------------------------------------------------------------------


@st.composite
def _wrapper(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(WRAPPERS))  # read when drawn: a run may narrow the list


wrappers = _wrapper()
SCALAR_KINDS = ["whole", "anchored", "tagged", "plain", "dq", "sq", "dq-lines", "plain-lines", "block", "comment"]
words = st.sampled_from(WORDS)


# Text between words: in any scalar outside flow collections, and in flow collections.
SEPARATORS = [" ", "-", " - ", "/", ":", ".", "_", ",", ", ", "[", "]", "(", ")", "=", "@", "'", "!"]
FLOW_SEPARATORS = [" ", "-", " - ", "/", ":", ".", "_", "(", ")", "=", "@", "'", "!"]


@st.composite
def pieces_of(draw: st.DrawFn, allow_values: bool = True, in_flow: bool = False) -> list[Piece]:
    """Literal words and slots (at least one slot, at least one literal: a piece of text)."""
    count = draw(st.integers(1, 3))
    made: list[Piece] = []
    for index in range(count):
        if index:
            made.append(Piece(text=draw(st.sampled_from(FLOW_SEPARATORS if in_flow else SEPARATORS))))
        made.append(Piece(text=draw(words)))
    position = draw(st.integers(0, len(made)))
    # Mostly scalars: a map or list inside text is refused, and one refusal hides the rest.
    value = draw(st.one_of(scalars, scalars, scalars, values) if allow_values else scalars)
    made.insert(position, Piece(value=value, wrapper=draw(wrappers)))
    if position + 1 < len(made) > 2 and draw(st.booleans()):
        del made[position + 1]  # the slot ends the scalar or comes right before a separator
    return made


@dataclass
class Node:
    template: Callable[[Build, int], str]  # the text after "key:" (with its own line breaks), given an indent
    expected: Any  # the oracle's value, or Refused


def _refused_or(compute: Callable[[], Any]) -> Any:
    try:
        return compute()
    except Refused:
        return Refused


@st.composite
def scalar_nodes(draw: st.DrawFn) -> Node:
    kind = draw(st.sampled_from(SCALAR_KINDS))
    if kind == "whole":
        value = draw(values)
        wrapper = draw(wrappers)
        return Node(lambda b, i: f" {slot_text(b, value, wrapper)}\n", value)
    if kind == "anchored":  # an anchored slot and an alias of it
        value = draw(values)
        wrapper = draw(wrappers)

        def anchored(b: Build, i: int) -> str:
            anchor = b.name("x")
            return f"\n{' ' * (i + 2)}a: &{anchor} {slot_text(b, value, wrapper)}\n{' ' * (i + 2)}b: *{anchor}\n"

        return Node(anchored, {"a": value, "b": value})
    if kind == "tagged":
        value = draw(scalars)
        wrapper = draw(wrappers)
        return Node(lambda b, i: f" !!str {slot_text(b, value, wrapper)}\n", text_of(value))
    if kind == "comment":
        word = draw(words)
        value = draw(values)
        return Node(lambda b, i: f" {word} # {slot_text(b, value, 'plain')}\n", word)
    pieces = draw(pieces_of())
    expected = _refused_or(lambda: expected_text(pieces))
    if kind == "plain":
        return Node(lambda b, i: f" {written(b, pieces)}\n", expected)
    if kind == "dq":
        return Node(lambda b, i: f' "{written(b, pieces)}"\n', expected)
    if kind == "sq":
        return Node(lambda b, i: f" '{written(b, pieces, quote=chr(39))}'\n", expected)
    first = draw(words)
    if kind == "dq-lines":
        return Node(
            lambda b, i: f' "{first}\n{" " * (i + 2)}{written(b, pieces)}"\n',
            _refused_or(lambda: f"{first} {expected_text(pieces)}"),
        )
    if kind == "plain-lines":
        return Node(
            lambda b, i: f" {first}\n{' ' * (i + 2)}{written(b, pieces)}\n",
            _refused_or(lambda: f"{first} {expected_text(pieces)}"),
        )
    # A literal block: a first line, then the slot's line, at the block's indentation or deeper.
    extra = draw(st.sampled_from(["", "  "]))
    chomping = draw(st.sampled_from(["", "-", "+"]))

    def block() -> str:
        value = expected_text(pieces)
        # As if the value's text were written there: further lines at the same indentation,
        # its final line break is the line's own, then the header's chomping.
        inner = value.replace("\n", "\n" + extra) if extra else value
        inner = "\n".join(line.rstrip(" ") if not line.strip(" ") else line for line in inner.split("\n"))
        inner = inner.removesuffix("\n")
        text = f"{first}\n{extra}{inner}\n"
        if chomping == "+":
            return text
        body = text.rstrip("\n")
        return body if chomping == "-" or not body else body + "\n"

    def write(b: Build, i: int) -> str:
        pad = " " * (i + 2)
        return f" |{chomping}\n{pad}{first}\n{pad}{extra}{written(b, pieces)}\n"

    return Node(write, _refused_or(block))


@st.composite
def flow_nodes(draw: st.DrawFn) -> Node:
    """A flow list or map on one line or over several, holding words and slots."""
    count = draw(st.integers(1, 3))
    items: list[tuple[str, Any, bool]] = []  # (key, value or pieces, whole)
    for index in range(count):
        if draw(st.booleans()):
            value = draw(values)
            items.append((f"f{index}", (value, draw(wrappers)), True))
        else:
            items.append((f"f{index}", draw(pieces_of(allow_values=False, in_flow=True)), False))
    as_map = draw(st.booleans())
    multi_line = draw(st.booleans())

    def write(b: Build, i: int) -> str:
        parts = []
        for key, item, whole in items:
            text = slot_text(b, item[0], item[1]) if whole else written(b, item)
            parts.append(f"{key}: {text}" if as_map else text)
        if multi_line:
            pad = " " * (i + 2)
            inner = (",\n" + pad).join(parts)
            return f" {'{' if as_map else '['}\n{pad}{inner}\n{' ' * i}{'}' if as_map else ']'}\n"
        return f" {'{' if as_map else '['}{', '.join(parts)}{'}' if as_map else ']'}\n"

    def expected() -> Any:
        got = [item[0] if whole else expected_text(item) for _, item, whole in items]
        return {key: value for (key, _, _), value in zip(items, got, strict=True)} if as_map else got

    return Node(write, _refused_or(expected))


def block_nodes(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    @st.composite
    def make(draw: st.DrawFn) -> Node:
        entries = draw(st.lists(children, min_size=1, max_size=3))
        as_list = draw(st.booleans())
        slot_key = None if as_list else draw(st.one_of(st.none(), st.tuples(texts, wrappers)))

        def write(b: Build, i: int) -> str:
            pad = " " * (i + 2)
            lines = "\n"
            for index, entry in enumerate(entries):
                if as_list:
                    lines += f"{pad}- k:{entry.template(b, i + 4)}"
                elif index == 0 and slot_key is not None:
                    lines += f"{pad}{slot_text(b, slot_key[0] + '#key', slot_key[1])}:{entry.template(b, i + 2)}"
                else:
                    lines += f"{pad}k{index}:{entry.template(b, i + 2)}"
            return lines

        def expected() -> Any:
            if any(entry.expected is Refused for entry in entries):
                return Refused
            if as_list:
                return [{"k": entry.expected} for entry in entries]
            keys = [f"k{index}" for index in range(len(entries))]
            if slot_key is not None:
                keys[0] = slot_key[0] + "#key"
            return dict(zip(keys, [entry.expected for entry in entries], strict=True))

        return Node(write, expected())

    return make()


LEAVES: list[st.SearchStrategy[Node]] = [scalar_nodes(), flow_nodes()]


@st.composite
def _leaf(draw: st.DrawFn) -> Node:
    return draw(st.one_of(*LEAVES))


nodes = st.recursive(_leaf(), block_nodes, max_leaves=6)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[str, Any], Any]:
    """(template text, values, expected object or Refused)."""
    entries = draw(st.lists(nodes, min_size=1, max_size=4))
    build = Build()
    body = "".join(f"e{index}:{entry.template(build, 0)}" for index, entry in enumerate(entries))
    header = "{% macro passthrough() %}{{ caller() }}{% endmacro %}\n" + "".join(build.helpers)
    expected: Any = {f"e{index}": entry.expected for index, entry in enumerate(entries)}
    if any(value is Refused for value in expected.values()):
        expected = Refused
    return header + body, build.values, expected


# -- the test ------------------------------------------------------------------------------------------


class Renderer:
    """Writes each generated template into a fresh app folder and renders it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = itertools.count()

    def __repr__(self) -> str:
        return "<renderer>"

    def __call__(self, template: str, values: dict[str, Any]) -> Any:
        root = self.folder / f"app{next(self.count)}"
        (root / "templates").mkdir(parents=True)
        (root / "app.yaml").write_text("name: demo\nversion: 0.1.0\n", encoding="utf-8")
        (root / "templates" / "t.yaml.j2").write_text(template, encoding="utf-8")
        app = Workspace().app(root)
        context = template_context(values, release="r", namespace="ns", environment="dev", app=app, kube_version=None)
        (manifest,) = parse_rendered(TemplateEngine(app).render(context), "r", "dev")
        return manifest.obj


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> Renderer:
    return Renderer(tmp_path_factory.mktemp("generated"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(document=documents())
def test_every_value_lands_where_the_template_structure_puts_it(
    renderer: Renderer, document: tuple[str, dict[str, Any], Any]
) -> None:
    template, values_, expected = document
    if expected is Refused:
        with pytest.raises(PytemplarError):
            renderer(template, values_)
        return
    try:
        got = renderer(template, values_)
    except PytemplarError as exc:
        pytest.fail(f"refused: {exc}\n--- template\n{template}\n--- values\n{json.dumps(values_, indent=1)}")
    assert got == expected, f"\n--- template\n{template}\n--- values\n{json.dumps(values_, indent=1)}"
