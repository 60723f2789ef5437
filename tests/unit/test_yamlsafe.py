"""Slot classification and the emitters of :mod:`pytemplar.yamlsafe`.

Every emitter either returns text that reads back as exactly the value it was given, in the
place the template put it, or refuses with a :class:`SlotError` telling how to fix the template.
"""

from __future__ import annotations

import math
from typing import Any

import jinja2
import pytest
from jinja2 import StrictUndefined
from jinja2.exceptions import UndefinedError

from pytemplar.yamlio import load_yaml
from pytemplar.yamlsafe import (
    SlotError,
    YamlSlots,
    YamlText,
    classify,
    emit_block,
    emit_comment,
    emit_double_quoted,
    emit_node,
    emit_plain,
    emit_single_quoted,
    slot,
)

# Characters a YAML 1.1 reader (PyYAML, libyaml, Kubernetes' go-yaml) takes for a line break.
YAML_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")
# Characters no YAML reader accepts unescaped; only a double-quoted scalar can carry them.
NON_PRINTABLE = ("\x00", "\x1b", "\x7f", "\x9f")


def read_value(line: str) -> Any:
    """The value of key ``a`` in a one-line YAML document."""
    return load_yaml(line + "\n", "<test>").data["a"]


# -- classify -----------------------------------------------------------------------------------

CLASSIFY_CASES = [
    # (previous lines, text before {{ }} on its line, text after it, expected (kind, indent))
    pytest.param([], "name: ", "", ("node", 0), id="value-after-key"),
    pytest.param([], "  replicas: ", "  ", ("node", 0), id="value-with-trailing-space"),
    pytest.param([], "a: ", " # note", ("node", 0), id="value-before-comment"),
    pytest.param([], "- ", "", ("node", 0), id="list-item"),
    pytest.param([], "    - ", "", ("node", 0), id="indented-list-item"),
    pytest.param([], "", ": v", ("key", 0), id="key-position"),
    pytest.param([], "  ", ":", ("key", 0), id="key-position-value-on-next-line"),
    pytest.param([], "- ", ": v", ("key", 0), id="key-in-list-item"),
    pytest.param([], "a: [", ", x]", ("node", 0), id="flow-sequence-first-item"),
    pytest.param([], "a: [x, ", "]", ("node", 0), id="flow-sequence-second-item"),
    pytest.param([], "a: {k: ", "}", ("node", 0), id="flow-mapping-value"),
    pytest.param([], "a: {", ": v}", ("key", 0), id="flow-mapping-key"),
    pytest.param([], 'a: "', '"', ("dq", 0), id="inside-double-quotes"),
    pytest.param([], 'a: "pre ', ' post"', ("dq", 0), id="inside-double-quotes-mid-text"),
    pytest.param([], 'a: "say \\"hi\\" ', '"', ("dq", 0), id="double-quotes-after-escaped-quote"),
    pytest.param([], 'a: "# ', '"', ("dq", 0), id="hash-inside-double-quotes-is-not-a-comment"),
    pytest.param([], "a: '", "'", ("sq", 0), id="inside-single-quotes"),
    pytest.param([], "a: 'it''s ", "'", ("sq", 0), id="single-quotes-after-escaped-quote"),
    pytest.param([], "a: '# ", "'", ("sq", 0), id="hash-inside-single-quotes-is-not-a-comment"),
    pytest.param([], "name: ", "-web", ("plain-start", 0), id="start-of-plain-scalar"),
    pytest.param([], "image: repo:", "", ("plain", 0), id="end-of-plain-scalar"),
    pytest.param([], "name: x", "-web", ("plain", 0), id="middle-of-plain-scalar"),
    pytest.param([], "a: b#", "", ("plain", 0), id="hash-without-space-is-text"),
    pytest.param([], '"closed" ', "", ("plain", 0), id="after-a-closed-quoted-scalar"),
    pytest.param([], "# ", "", ("comment", 0), id="comment-line"),
    pytest.param([], "a: 1 # ", "", ("comment", 0), id="comment-after-value"),
    pytest.param([], "a: 'x' # ", "", ("comment", 0), id="comment-after-quoted-value"),
    pytest.param(["data: |"], "  ", "", ("block", 2), id="literal-block"),
    pytest.param(["data: |"], "  key=", "", ("block-mid", 2), id="literal-block-mid-line"),
    pytest.param(["data: |", "  first line"], "  ", "", ("block", 2), id="literal-block-second-line"),
    pytest.param(["data: |", ""], "  ", "", ("block", 2), id="literal-block-after-blank-line"),
    pytest.param(["- >-"], "  ", "", ("block", 2), id="folded-block-list-item"),
    pytest.param(["spec:", "  script: |-"], "    ", "", ("block", 4), id="nested-literal-block"),
    pytest.param(["data: |  # comment"], "  ", "", ("block", 2), id="block-header-with-comment"),
    pytest.param(["data: >+2"], "    ", "", ("block", 4), id="block-header-with-indicators"),
    pytest.param(["data: |", "  x", "other: v"], "  ", "", ("node", 0), id="not-block-after-ordinary-key"),
    pytest.param(["data: |", "  x"], "", ": v", ("key", 0), id="not-block-when-dedented"),
    pytest.param([], "a: [x", "]", ("flow-plain", 0), id="flow-sequence-mid-scalar"),
    pytest.param([], "a: {b: ", "-x}", ("flow-plain-start", 0), id="flow-mapping-start-of-scalar"),
    pytest.param([], "a: [x] ", "", ("plain", 0), id="closed-flow-sequence"),
    pytest.param(["data:"], "  ", ": 1", ("key", 0), id="not-block-under-mapping-key"),
    pytest.param(["spec:", "  other: x"], "  name: ", "", ("node", 0), id="not-block-sibling-key"),
    pytest.param(['a: "x|"'], "  ", "", ("node", 0), id="not-block-pipe-inside-quotes"),
    pytest.param(["a: x|"], "  ", "", ("node", 0), id="not-block-pipe-ending-plain-text"),
]


@pytest.mark.parametrize(("previous", "prefix", "suffix", "expected"), CLASSIFY_CASES)
def test_classify_picks_the_slot_kind_from_the_surrounding_yaml(
    previous: list[str], prefix: str, suffix: str, expected: tuple[str, int]
) -> None:
    assert classify(previous, prefix, suffix) == expected


# -- the rewrite of {{ }} ------------------------------------------------------------------------


def slot_kinds(source: str, **context: Any) -> str:
    """Render ``source`` with a slot filter that shows the kind chosen for each expression."""
    env = jinja2.Environment(extensions=[YamlSlots], undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["_slot"] = lambda value, kind, indent, *_: f"<{kind}:{indent}:{value}>"
    return env.from_string(source).render(context)


def test_every_expression_is_wrapped_in_the_slot_filter() -> None:
    source = "a: {{ v }}\nb: \"{{ v }}\"\nc: '{{ v }}'\nd: x{{ v }}\ne: {{ v }}-y\n# {{ v }}\n"
    assert slot_kinds(source, v="V") == (
        "a: <node:0:V>\nb: \"<dq:0:V>\"\nc: '<sq:0:V>'\nd: x<plain:0:V>\ne: <plain-start:0:V>-y\n# <comment:0:V>\n"
    )


def test_two_expressions_on_one_line_are_classified_separately() -> None:
    assert slot_kinds("a: [{{ x }}, {{ y }}]\n", x=1, y=2) == "a: [<node:0:1>, <node:0:2>]\n"
    assert slot_kinds("n: {{ x }}-{{ y }}\n", x=1, y=2) == "n: <plain-start:0:1>-<plain:0:2>\n"
    assert slot_kinds("{{ x }}: {{ y }}\n", x="k", y="v") == "<key:0:k>: <node:0:v>\n"


def test_block_scalar_lines_get_the_block_indent() -> None:
    source = "data: |\n  {{ x }}\n  more {{ x }}\nnext: {{ x }}\n"
    assert slot_kinds(source, x="X") == "data: |\n  <block:2:X>\n  more <block-mid:2:X>\nnext: <node:0:X>\n"


def test_expression_filters_apply_before_the_slot() -> None:
    # ``{{ a ~ b }}`` is one expression: the slot receives the concatenation, not just ``b``.
    assert slot_kinds("a: {{ x ~ y | upper }}\n", x="p", y="q") == "a: <node:0:pQ>\n"


# -- emit_node ------------------------------------------------------------------------------------

NODE_CASES = [
    pytest.param("web", '"web"', id="string-is-quoted"),
    pytest.param("", '""', id="empty-string"),
    pytest.param("true", '"true"', id="bool-like-string-stays-a-string"),
    pytest.param("012", '"012"', id="number-like-string-stays-a-string"),
    pytest.param("a: b\nc: d", '"a: b\\nc: d"', id="string-with-structure"),
    pytest.param("---", '"---"', id="document-marker"),
    pytest.param("\u2028\x85\x00\ufeff", '"\\u2028\\u0085\\u0000\\ufeff"', id="breaks-and-controls-escaped"),
    pytest.param("grüße", '"grüße"', id="unicode-kept"),
    pytest.param(True, "true", id="true"),
    pytest.param(False, "false", id="false"),
    pytest.param(None, "null", id="null"),
    pytest.param(0, "0", id="zero"),
    pytest.param(-42, "-42", id="negative-int"),
    pytest.param(1.5, "1.5", id="float"),
    pytest.param(math.inf, ".inf", id="infinity"),
    pytest.param(-math.inf, "-.inf", id="negative-infinity"),
    pytest.param({"a": [1, "b"], "c": None}, '{"a": [1, "b"], "c": null}', id="map-as-inline-json"),
    pytest.param([1, "x: y"], '[1, "x: y"]', id="list-as-inline-json"),
    pytest.param((1, 2), "[1, 2]", id="tuple-as-list"),
    pytest.param({}, "{}", id="empty-map"),
    pytest.param([], "[]", id="empty-list"),
]


@pytest.mark.parametrize(("value", "expected"), NODE_CASES)
def test_emit_node_writes_one_yaml_node(value: Any, expected: str) -> None:
    text = emit_node(value)
    assert text == expected
    read = read_value(f"a: {text}")
    assert read == (list(value) if isinstance(value, tuple) else value)


def test_emit_node_writes_nan_as_yaml_nan() -> None:
    assert emit_node(math.nan) == ".nan"
    assert math.isnan(read_value("a: .nan"))


def test_emit_node_writes_yaml_text_verbatim_or_its_data_as_json() -> None:
    assert emit_node(YamlText.of("'it''s'")) == "'it''s'"
    block_yaml = YamlText.of("a: 1\nb:\n  - x", {"a": 1, "b": ["x"]})
    assert emit_node(block_yaml) == '{"a": 1, "b": ["x"]}'


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param({1, 2}, "a set is not data and cannot be written into a manifest", id="set"),
        pytest.param(object(), "a object is not data and cannot be written into a manifest", id="object"),
        pytest.param(b"raw", "a bytes is not data and cannot be written into a manifest", id="bytes"),
        pytest.param(
            {"k": object()},
            "cannot write dict as YAML: a object is not data and cannot be written into a manifest",
            id="nested",
        ),
    ],
)
def test_emit_node_refuses_what_is_not_data(value: Any, message: str) -> None:
    with pytest.raises(SlotError) as raised:
        emit_node(value)
    assert str(raised.value) == message


def test_emit_node_refuses_nan_inside_a_collection() -> None:
    with pytest.raises(SlotError, match=r"^cannot write list as YAML: "):
        emit_node([math.nan])


def test_emit_node_raises_the_undefined_error_of_an_undefined_value() -> None:
    with pytest.raises(UndefinedError, match="'tagg' is undefined"):
        emit_node(StrictUndefined(name="tagg"))
    with pytest.raises(UndefinedError, match="'tagg' is undefined"):
        emit_node({"image": StrictUndefined(name="tagg")})


# -- emit_double_quoted ---------------------------------------------------------------------------

DOUBLE_QUOTED_CASES = [
    pytest.param("plain text", "plain text", id="plain"),
    pytest.param('say "hi"', 'say \\"hi\\"', id="quotes"),
    pytest.param("back\\slash", "back\\\\slash", id="backslash"),
    pytest.param("a\nb\r\tc", "a\\nb\\r\\tc", id="line-breaks-and-tab"),
    pytest.param("\x00\x1b\x7f\x85\x9f", "\\u0000\\u001b\\u007f\\u0085\\u009f", id="controls"),
    pytest.param("\u2028\u2029\ufeff", "\\u2028\\u2029\\ufeff", id="unicode-breaks-and-bom"),
    pytest.param("it's ü", "it's ü", id="single-quote-and-unicode"),
    pytest.param(True, "true", id="bool"),
    pytest.param(None, "", id="null-is-empty-as-in-helm"),
    pytest.param(3, "3", id="int"),
    pytest.param(2.5, "2.5", id="float"),
]


@pytest.mark.parametrize(("value", "expected"), DOUBLE_QUOTED_CASES)
def test_emit_double_quoted_escapes_for_a_double_quoted_scalar(value: Any, expected: str) -> None:
    text = emit_double_quoted(value)
    assert text == expected
    read = read_value(f'a: "{text}"')
    assert read == (value if isinstance(value, str) else expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"k": 1}, "a map cannot be placed inside text; pipe it through tojson or place it as a whole value"),
        ([1], "a list cannot be placed inside text; pipe it through tojson or place it as a whole value"),
        ({1}, "a set is not data and cannot be written into a manifest"),
    ],
)
def test_text_slots_refuse_collections_with_a_hint(value: Any, message: str) -> None:
    for emit in (emit_double_quoted, emit_single_quoted, emit_comment, lambda v: emit_block(v, 2)):
        with pytest.raises(SlotError) as raised:
            emit(value)
        assert str(raised.value) == message
    with pytest.raises(SlotError) as raised:
        emit_plain(value, at_start=False)
    assert str(raised.value) == message


# -- emit_single_quoted ---------------------------------------------------------------------------

SINGLE_QUOTE_MESSAGE = (
    "a value with a line break cannot be placed inside single quotes; use double quotes around the scalar"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        ("it's", "it''s"),
        ("''", "''''"),
        ('"double"', '"double"'),
        ("back\\slash", "back\\slash"),
        ("a: b # c", "a: b # c"),
        ("tab\there", "tab\there"),
        (False, "false"),
        (7, "7"),
    ],
)
def test_emit_single_quoted_doubles_single_quotes(value: Any, expected: str) -> None:
    text = emit_single_quoted(value)
    assert text == expected
    assert read_value(f"a: '{text}'") == (value if isinstance(value, str) else expected)


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\r\nb", "trailing\n"])
def test_emit_single_quoted_refuses_line_breaks(value: str) -> None:
    with pytest.raises(SlotError) as raised:
        emit_single_quoted(value)
    assert str(raised.value) == SINGLE_QUOTE_MESSAGE


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("a\x85 b", id="next-line"),
        pytest.param("a\u2028 b", id="line-separator"),
        pytest.param("a\u2029 b", id="paragraph-separator"),
    ],
)
def test_emit_single_quoted_refuses_unicode_line_breaks(value: str) -> None:
    # YAML folds these inside single quotes ('a\x85 b' reads as 'a b'): the value would change.
    with pytest.raises(SlotError):
        emit_single_quoted(value)


@pytest.mark.parametrize("char", NON_PRINTABLE)
def test_emit_single_quoted_refuses_characters_yaml_cannot_hold_unescaped(char: str) -> None:
    # Written raw, the rendered manifest is not valid YAML; only double quotes can escape them.
    with pytest.raises(SlotError):
        emit_single_quoted(f"a{char}b")


# -- emit_block -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "indent", "expected"),
    [
        pytest.param("line", 2, "line", id="one-line"),
        pytest.param("a\nb\nc", 4, "a\n    b\n    c", id="continuation-lines-indented"),
        pytest.param("a\nb\n", 2, "a\n  b", id="one-trailing-newline-dropped"),
        pytest.param("a\n\n", 2, "a\n  ", id="only-one-trailing-newline-dropped"),
        pytest.param("a\r\nb\r\n", 2, "a\n  b", id="crlf-normalised"),
        pytest.param("a\n  b", 2, "a\n    b", id="inner-indentation-kept"),
        pytest.param("a\n---\nb: 1", 2, "a\n  ---\n  b: 1", id="document-marker-stays-inside"),
        pytest.param("", 2, "", id="empty"),
        pytest.param(12, 2, "12", id="number"),
    ],
)
def test_emit_block_indents_continuation_lines(value: Any, indent: int, expected: str) -> None:
    assert emit_block(value, indent) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("q\rb: 1", id="carriage-return"),
        pytest.param("q\x85b: 1", id="next-line"),
        pytest.param("q\u2028b: 1", id="line-separator"),
        pytest.param("q\u2029b: 1", id="paragraph-separator"),
    ],
)
def test_emit_block_never_leaves_a_line_break_without_the_block_indent(value: str) -> None:
    # An unindented line ends the block scalar: 'b: 1' would become a key of the manifest.
    try:
        text = emit_block(value, 2)
    except SlotError:
        return
    for index, char in enumerate(text):
        if char in YAML_LINE_BREAKS and not (char == "\r" and text[index + 1 : index + 2] == "\n"):
            assert text[index + 1 : index + 3] == "  ", f"line break {char!r} not followed by the indent in {text!r}"


@pytest.mark.parametrize("char", NON_PRINTABLE)
def test_emit_block_refuses_characters_yaml_cannot_hold_unescaped(char: str) -> None:
    with pytest.raises(SlotError):
        emit_block(f"a{char}b", 2)


# -- emit_plain -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "at_start", "expected"),
    [
        ("web", True, "web"),
        ("1.0", False, "1.0"),
        ("", False, ""),
        ("", True, ""),
        ("a:b", False, "a:b"),
        ("a#b", False, "a#b"),
        ("-x", False, "-x"),
        ("[x]", False, "[x]"),
        ("a b", True, "a b"),
        (True, False, "true"),
        (None, False, ""),
        (3, True, "3"),
    ],
)
def test_emit_plain_accepts_text_that_cannot_end_the_scalar(value: Any, at_start: bool, expected: str) -> None:
    assert emit_plain(value, at_start=at_start) == expected


def plain_refusal(quoted: str, problem: str) -> str:
    return (
        f"value {quoted} {problem}, which would change the YAML structure here; put the whole scalar in double quotes"
    )


@pytest.mark.parametrize(
    ("value", "at_start", "message"),
    [
        ("a\nb", False, plain_refusal('"a\\nb"', "contains a line break")),
        ("a\rb", False, plain_refusal('"a\\rb"', "contains a line break")),
        ("a: b", False, plain_refusal('"a: b"', "contains ': ', ' #' or a tab")),
        ("a #b", False, plain_refusal('"a #b"', "contains ': ', ' #' or a tab")),
        ("a:", False, plain_refusal('"a:"', "contains ': ', ' #' or a tab")),
        ("a\tb", False, plain_refusal('"a\\tb"', "contains ': ', ' #' or a tab")),
        (" a", False, plain_refusal('" a"', "starts or ends with a space")),
        ("a ", False, plain_refusal('"a "', "starts or ends with a space")),
        ("-x", True, plain_refusal('"-x"', "starts with '-'")),
        ("*alias", True, plain_refusal('"*alias"', "starts with '*'")),
        ('"x', True, plain_refusal('"\\"x"', "starts with '\"'")),
    ],
)
def test_emit_plain_refuses_text_that_would_change_the_structure(value: str, at_start: bool, message: str) -> None:
    with pytest.raises(SlotError) as raised:
        emit_plain(value, at_start=at_start)
    assert str(raised.value) == message


@pytest.mark.parametrize("indicator", list("-?:,[]{}#&*!|>'\"%@`"))
def test_emit_plain_refuses_an_indicator_only_at_the_start_of_the_scalar(indicator: str) -> None:
    with pytest.raises(SlotError, match=r"starts with '"):
        emit_plain(f"{indicator}x", at_start=True)
    assert emit_plain(f"x{indicator}x", at_start=True) == f"x{indicator}x"


def test_emit_plain_quotes_at_most_80_characters_of_the_value_in_its_message() -> None:
    with pytest.raises(SlotError) as raised:
        emit_plain("x" * 200 + "\n", at_start=False)
    assert str(raised.value) == plain_refusal('"' + "x" * 79, "contains a line break")


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("a\x85b", id="next-line"),
        pytest.param("a\u2028b", id="line-separator"),
        pytest.param("a\u2029b", id="paragraph-separator"),
        *(pytest.param(f"a{char}b", id=f"control-{ord(char):02x}") for char in NON_PRINTABLE),
    ],
)
def test_emit_plain_refuses_unicode_line_breaks_and_control_characters(value: str) -> None:
    # Either ends the scalar (a YAML 1.1 line break) or makes the manifest unreadable.
    with pytest.raises(SlotError):
        emit_plain(value, at_start=False)


# -- emit_comment ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("note", "note"), ("a: b # c", "a: b # c"), ("'\"", "'\""), (1.5, "1.5"), (None, "")],
)
def test_emit_comment_writes_single_line_text(value: Any, expected: str) -> None:
    assert emit_comment(value) == expected


@pytest.mark.parametrize("value", ["a\nb: 1", "a\rb: 1", "a\r\nb: 1", "\n"])
def test_emit_comment_refuses_line_breaks(value: str) -> None:
    with pytest.raises(SlotError) as raised:
        emit_comment(value)
    assert str(raised.value) == "a value with a line break cannot be placed in a comment"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("a\x85b: 1", id="next-line"),
        pytest.param("a\u2028b: 1", id="line-separator"),
        pytest.param("a\u2029b: 1", id="paragraph-separator"),
    ],
)
def test_emit_comment_refuses_unicode_line_breaks(value: str) -> None:
    # YAML 1.1 readers end the comment there: 'b: 1' would become a key of the manifest.
    with pytest.raises(SlotError):
        emit_comment(value)


@pytest.mark.parametrize("char", NON_PRINTABLE)
def test_emit_comment_refuses_characters_yaml_cannot_hold(char: str) -> None:
    with pytest.raises(SlotError):
        emit_comment(f"a{char}b")


# -- slot dispatch --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "indent", "expected"),
    [
        ("node", 0, '"a\\nb"'),
        ("dq", 0, "a\\nb"),
        ("block", 4, "a\n    b"),
        ("comment", 0, SlotError),
        ("sq", 0, SlotError),
        ("plain", 0, SlotError),
        ("plain-start", 0, SlotError),
    ],
)
def test_slot_dispatches_on_kind(kind: str, indent: int, expected: str | type[Exception]) -> None:
    if isinstance(expected, str):
        assert slot("a\nb", kind, indent) == expected
    else:
        with pytest.raises(expected):
            slot("a\nb", kind, indent)


def test_plain_start_refuses_leading_indicator_where_plain_accepts_it() -> None:
    assert slot("-x", "plain", 0) == "-x"
    with pytest.raises(SlotError, match="starts with '-'"):
        slot("-x", "plain-start", 0)
