"""Properties of the --set grammar (pytemplar.setargs)."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytemplar.errors import UsageError
from pytemplar.setargs import (
    SET_KINDS,
    SetKind,
    SetValue,
    format_path_argument,
    format_set,
    parse_set_argument,
    set_layer,
)
from pytemplar.values import ValuePath, ValuesLayer
from pytemplar.yamlio import resolve_plain

# The first text draw of a fresh run builds Hypothesis' unicode tables, which trips the too_slow check.
RELAXED = settings(suppress_health_check=[HealthCheck.too_slow])

KINDS = st.sampled_from(SET_KINDS)

# Characters the grammar gives a meaning to, and some that YAML typing or terminals care about.
_SPECIAL = st.sampled_from([*".,=[]{}\\ \t\n'\"~#:-+0123456789eEx", "é", "名", "\u2028", "\x1b", "\x7f"])
_ANY_CHAR = st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")
RICH_TEXT = st.text(_SPECIAL | _ANY_CHAR, max_size=8)
_WORDS = st.sampled_from(
    ["true", "False", "null", "~", "", "012", "0o17", "0x1F", "1e3", "1.20", ".5", ".inf", "-.Inf", ".nan", "-0.0",
     "+1", "1_000", "yes", "{x}", "{", "}", "a=b", "x,y", "\\", "99999999999999999999999"]
)  # fmt: skip
SCALAR_TEXT = _WORDS | RICH_TEXT
KEYS = RICH_TEXT.filter(bool)
PATHS = st.builds(
    lambda first, rest: (first, *rest),
    KEYS,
    st.lists(KEYS | st.integers(0, 3), max_size=5),
)


def escape_key(key: str) -> str:
    return re.sub(r"([\\.,=\[\]])", r"\\\1", key)


def write_path(path: ValuePath) -> str:
    text = escape_key(str(path[0]))
    for part in path[1:]:
        text += f"[{part}]" if isinstance(part, int) else "." + escape_key(part)
    return text


def escape_value(text: str) -> str:
    escaped = re.sub(r"([\\,])", r"\\\1", text)
    return "\\" + escaped if escaped.startswith("{") else escaped


def escape_file(name: str) -> str:
    return re.sub(r"([\\,])", r"\\\1", name)


def escape_item(text: str) -> str:
    return re.sub(r"([\\,}])", r"\\\1", text)


def typed(text: str, kind: SetKind) -> Any:
    return text if kind == "set-string" or text == "" else resolve_plain(text)


def read_file(name: str) -> str:
    return f"<{name}>"


def same(a: list[SetValue], b: list[SetValue]) -> bool:
    # repr tells 1 from 1.0 and True, and makes NaN equal to itself.
    return [(v.path, repr(v.value)) for v in a] == [(v.path, repr(v.value)) for v in b]


def check_round_trip(values: list[SetValue], kind: SetKind) -> None:
    text = format_set(values)
    again = parse_set_argument(text, kind, 1, read_file)
    assert same(again, values), text
    assert format_set(again) == text


@st.composite
def scalar_pairs(draw: st.DrawFn, kind: SetKind) -> tuple[str, tuple[ValuePath, Any]]:
    """One ``path=value`` pair of --set or --set-string, and what it must parse to."""
    path = draw(PATHS)
    if draw(st.booleans()):
        text = draw(SCALAR_TEXT)
        return f"{write_path(path)}={escape_value(text)}", (path, typed(text, kind))
    items = draw(st.lists(SCALAR_TEXT, max_size=4))
    expected = [] if items == [""] else [typed(item, kind) for item in items]  # {} is the empty list
    return f"{write_path(path)}={{{','.join(map(escape_item, items))}}}", (path, expected)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | RICH_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(RICH_TEXT, children, max_size=3),
    max_leaves=10,
)


@st.composite
def json_pairs(draw: st.DrawFn) -> tuple[str, tuple[ValuePath, Any]]:
    path = draw(PATHS)
    value = draw(JSON_VALUES)
    text = json.dumps(value, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1])))
    return f"{write_path(path)}={text}", (path, value)


@st.composite
def file_pairs(draw: st.DrawFn) -> tuple[str, tuple[ValuePath, Any]]:
    path = draw(PATHS)
    name = draw(RICH_TEXT.filter(bool))
    return f"{write_path(path)}={escape_file(name)}", (path, read_file(name))


def pairs_of(kind: SetKind) -> st.SearchStrategy[tuple[str, tuple[ValuePath, Any]]]:
    if kind == "set-json":
        return json_pairs()
    if kind == "set-file":
        return file_pairs()
    return scalar_pairs(kind)


@st.composite
def arguments(draw: st.DrawFn) -> tuple[SetKind, str, list[tuple[ValuePath, Any]]]:
    kind = draw(KINDS)
    pairs = draw(st.lists(pairs_of(kind), min_size=1, max_size=4))
    return kind, ",".join(text for text, _ in pairs), [expected for _, expected in pairs]


@RELAXED
@given(arguments())
def test_generated_arguments_parse_to_their_paths_and_values_and_round_trip(
    case: tuple[SetKind, str, list[tuple[ValuePath, Any]]],
) -> None:
    kind, text, expected = case
    values = parse_set_argument(text, kind, 7, read_file)
    assert [(v.path, repr(v.value)) for v in values] == [(p, repr(v)) for p, v in expected]
    assert all(v.argument == text and v.kind == kind and v.number == 7 for v in values)
    check_round_trip(values, kind)


# Fragments that come close to the grammar, so that near misses are common, not rare.
_FRAGMENTS = st.sampled_from(
    ["a", "b", ".", "..", "[", "]", "[0]", "[1]", "[-1]", "[x]", "[99999999]", "=", "==", ",", ",,", "{", "}", "{}",
     "\\", "\\\\", "\\.", "\x00", "\ud800", "\udcff", "\n", " ", "null", "true", "1e3", "012", "1" * 30, '"', "'",
     ":", "{\"k\":", "[1,", "]]", "NaN", "-Infinity", "1e400", "\\u0000", "é", "\x1b[31m"]
)  # fmt: skip
NEAR_MISSES = st.lists(_FRAGMENTS, max_size=12).map("".join)
_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)


@st.composite
def mutated_arguments(draw: st.DrawFn) -> str:
    """A valid argument with one fragment inserted or one stretch deleted."""
    _, text, _ = draw(arguments())
    at = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        return text[:at] + draw(_FRAGMENTS) + text[at:]
    return text[:at] + text[at + draw(st.integers(1, 3)) :]


ANY_TEXT = st.text() | st.text(st.characters() | _SURROGATES, max_size=20) | NEAR_MISSES | mutated_arguments()


@RELAXED
@given(ANY_TEXT, KINDS)
def test_any_text_is_either_values_or_a_usage_error(text: str, kind: SetKind) -> None:
    try:
        values = parse_set_argument(text, kind, 1, read_file)
    except UsageError as exc:
        assert exc.problems[0].message.startswith(f"--{kind} '")
        return
    assert isinstance(values, list) and values
    try:
        assert isinstance(set_layer(values), ValuesLayer)
    except UsageError as exc:
        assert "is not set: an index in" in exc.problems[0].message  # a list with a gap
    check_round_trip(values, kind)


@RELAXED
@given(st.lists(st.tuples(ANY_TEXT, KINDS), max_size=4))
def test_set_layer_of_any_arguments_is_a_layer_or_a_usage_error(arguments: list[tuple[str, SetKind]]) -> None:
    values: list[SetValue] = []
    for number, (text, kind) in enumerate(arguments, 1):
        with contextlib.suppress(UsageError):
            values += parse_set_argument(text, kind, number, read_file)
    try:
        layer = set_layer(values)
    except UsageError:
        return
    assert all(path[:1] and path[0] in layer.data for path in layer.locations)


@RELAXED
@given(ANY_TEXT | st.builds(lambda case: case[1], arguments()))
def test_set_string_values_are_always_strings(text: str) -> None:
    try:
        values = parse_set_argument(text, "set-string", 1)
    except UsageError:
        return
    for value in values:
        assert isinstance(value.value, str) or (
            isinstance(value.value, list) and all(isinstance(item, str) for item in value.value)
        )


@RELAXED
@given(PATHS)
def test_paths_shown_in_set_syntax_read_back_as_the_same_path(path: ValuePath) -> None:
    # format_path_argument names paths in messages and hints for the user to type back.
    shown = format_path_argument(path)
    assert shown == write_path(path)
    [parsed] = parse_set_argument(f"{shown}=x", "set-string", 1)
    assert parsed.path == path
