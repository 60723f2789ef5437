"""The string tests that read plain scalars agree with the patterns the YAML schemas define."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytemplar.helm import yaml11
from pytemplar.yamlio import is_decimal, is_float, resolve_kubernetes, resolve_plain

# The YAML 1.2 core schema's patterns (yaml.org/spec/1.2.2, 10.3.2), as a reader that uses them all.
_CORE = [
    (r"[-+]?[0-9]+\Z", lambda t: int(t, 10)),
    (r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z", float),
    (r"0o[0-7]+\Z", lambda t: int(t[2:], 8)),
    (r"0x[0-9a-fA-F]+\Z", lambda t: int(t[2:], 16)),
    (r"[-+]?\.(inf|Inf|INF)\Z", lambda t: float("-inf") if t[0] == "-" else float("inf")),
    (r"\.(nan|NaN|NAN)\Z", lambda t: float("nan")),
]
_KUBE_INT = r"[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z"

# Text made of what these patterns look at, plus digits of other scripts and a newline.
scalar_text = st.builds(
    str.__add__,
    st.sampled_from(["", "0", "0o", "0x", "0b", "+", "-", ".", "-."]),
    st.text(alphabet="0123456789+-._eExXoObBaAfFinNI\u0663\u00b2\n", max_size=8),
)


def _by_patterns(text: str) -> object:
    if not text or text[0] in "0123456789+-.~tTfFnN":
        if text in ("", "~", "null", "Null", "NULL"):
            return None
        if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
            return text.lower() == "true"
        for pattern, read in _CORE:
            if re.match(pattern, text):
                return read(text)
    return text


EDGES = [
    "0xx",
    "0x",
    "0x1F",
    "0o",
    "0o8",
    "0o17",
    ".Nan",
    ".nan",
    ".NaN",
    "-.inf",
    "+.Inf",
    ".INF",
    "-.nan",
    "\u0663",
    "-\u00b2",
    "0b1",
    "00",
    "-0",
    "+0",
    "1_000",
    "1e3",
    "+",
    "-",
    ".",
    "7\n",
]


def with_edges(test: Callable[[str], None]) -> Callable[[str], None]:
    """The edge cases always, then many generated texts."""
    for text in EDGES:
        test = example(text)(test)
    checked: Callable[[str], None] = settings(max_examples=400)(test)
    return checked


def _same(ours: object, theirs: object) -> bool:
    if isinstance(ours, float) and isinstance(theirs, float) and math.isnan(ours):
        return math.isnan(theirs)
    return type(ours) is type(theirs) and ours == theirs


@with_edges
@given(scalar_text)
def test_core_schema_reading_matches_its_patterns(text: str) -> None:
    assert _same(resolve_plain(text), _by_patterns(text))


@with_edges
@given(scalar_text)
def test_decimal_test_matches_the_pattern(text: str) -> None:
    assert is_decimal(text, signed=True) == bool(re.match(r"[-+]?[0-9]+\Z", text))
    assert is_decimal(text) == bool(re.match(r"[0-9]+\Z", text))


@with_edges
@given(scalar_text)
def test_kubernetes_integers_match_the_pattern(text: str) -> None:
    plain = text.replace("_", "")
    fast = is_decimal(plain) and (plain[0] != "0" or len(plain) == 1)
    if fast:  # the shortcut only ever says yes where the pattern does
        assert re.match(_KUBE_INT, plain)
    if plain and plain not in ("~",) and re.match(_KUBE_INT, plain) and text[0] in "0123456789+-":
        assert isinstance(resolve_kubernetes(text), (int, float))


@with_edges
@given(scalar_text)
def test_helm_plain_integer_test_matches_the_pattern(text: str) -> None:
    assert yaml11._plain_int(text) == bool(re.match(r"-?[1-9][0-9]*\Z|0\Z", text))


FLOAT = r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z"  # the core schema's, and kubectl's
HELM_OCTAL = r"[-+]?0[0-7]+\Z"
HELM_BINARY = r"[-+]?0b[01_]+\Z"
# The patterns' characters, signs and exponents in every place, digits of other scripts, whitespace.
number_text = st.one_of(
    scalar_text,
    st.text(alphabet="0123456789.eE+-_b8\u0663\u00b2 \n\x85", max_size=10),
    st.from_regex(FLOAT),
    st.from_regex(HELM_OCTAL),
    st.from_regex(HELM_BINARY),
)


@with_edges
@given(number_text)
@example("1.")
@example(".5e-3")
@example("1e")
@example("1E+5")
@example("1.5.5")
@example("-1e5e5")
@example("1.0.0")
@example("0b")
@example("-0b_")
@example("08")
@example("\u0663.")
@example("1.\u0663")
def test_float_and_helm_number_tests_match_their_patterns(text: str) -> None:
    assert is_float(text) == bool(re.match(FLOAT, text))
    assert yaml11._octal_or_binary(text) == bool(re.match(HELM_OCTAL, text) or re.match(HELM_BINARY, text))
