"""The YAML writer's cheaper patterns decide every text as the patterns they stand for.

The oracles are the patterns the writer compiled at import before (written out here): on any
text, ASCII or not, an AsciiFirst constant must match the same span and substitute the same
result, and the words-or-pattern test of ambiguous scalars must say what the full pattern says.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytemplar import yamlout
from pytemplar.lazyre import AsciiFirst, WordsOrPattern

ORACLES = {
    "_NOT_PRINTABLE": re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]"),
    "_PLAIN_SAFE": re.compile(r"[A-Za-z0-9_./$(][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]*\Z"),
    "_BLOCK_SAFE": re.compile(r"[^\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff\r]*\Z"),
}
# Characters at the edges of the classes, ASCII controls and text a manifest holds.
EDGES = "\x00\x08\t\n\x0b\r\x1f \x7f\x80\x85\x9f\xa0\u2027\u2028\u2029\ufeff\ufffd\ufffe\uffff\ud800\udfff"
CHARACTERS = st.one_of(
    st.characters(max_codepoint=0x7F),
    st.sampled_from(EDGES),
    st.characters(codec="utf-8"),
    st.characters(categories=["Cs"]),  # lone surrogates, as surrogateescape makes them
)
TEXTS = st.one_of(st.text(st.characters(max_codepoint=0x7F)), st.text(CHARACTERS))


def escaped(found: re.Match[str]) -> str:
    return f"<{found.group()!r}>"


@pytest.mark.parametrize("name", sorted(ORACLES))
@given(text=TEXTS)
@settings(max_examples=400, deadline=None)
def test_an_ascii_first_pattern_decides_as_its_full_pattern(name: str, text: str) -> None:
    made, oracle = getattr(yamlout, name), ORACLES[name]
    assert isinstance(made, AsciiFirst)
    found, expected = made.match(text), oracle.match(text)
    assert (found and found.span()) == (expected and expected.span())
    assert made.sub(escaped, text) == oracle.sub(escaped, text)


def test_the_full_pattern_is_compiled_only_for_text_that_is_not_ascii() -> None:
    pattern = AsciiFirst("[\x7f\u2028]", "\x7f")
    assert pattern.match("\x7f") and not pattern.match("a")
    assert pattern.pattern_for("abc").pattern == "\x7f"
    assert pattern._full is None  # what the class saves
    assert pattern.match("\u2028") and pattern.pattern_for("\u2028").pattern == "[\x7f\u2028]"


AMBIGUOUS = re.compile(
    r"""(?x)
    (?: y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
      | null|Null|NULL|~
      | [-+]?(?:[0-9_]*\.[0-9_]*|[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?
      | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
      | [-+]?0[bB][01_]+ | [-+]?0[oO]?[0-7_]+ | [-+]?0[xX][0-9a-fA-F_]+
      | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
      | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+).*)?
      | =
    )\Z
    """
)
# Texts near the edges: pieces of the words and numbers the pattern knows, glued at random.
PIECES = st.sampled_from(
    ["y", "Y", "es", "ES", "n", "o", "O", "true", "False", "on", "ff", "null", "NULL", "~", "=", ".", "nan", "NaN",
     "inf", "INF", "+", "-", "0", "7", "9", "_", "e", "E", "x", "X", "b", "o", "a", "F", ":", "5", "T", "t", " ", "\t",
     "\n", "2024", "-01", "-1", "é", "\u2028"]
)  # fmt: skip
# The pattern's literal alternatives, each also cut short, lengthened and signed.
LITERALS = [
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
    "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "=",
]  # fmt: skip
LITERALS += [f"{sign}.{word}" for sign in ("", "+", "-") for word in ("inf", "Inf", "INF", "nan", "NaN", "NAN", "nAn")]
EDITED = st.sampled_from(LITERALS).flatmap(
    lambda word: st.sampled_from([word, word[:-1], word + "s", "+" + word, word.lower(), word.swapcase()])
)
SCALARS = st.one_of(
    EDITED,
    st.from_regex(AMBIGUOUS),
    st.lists(PIECES, max_size=8).map("".join),
    st.text(max_size=6),
)


@given(text=SCALARS)
@settings(max_examples=2000, deadline=None)
def test_ambiguous_scalars_are_the_ones_the_full_pattern_finds(text: str) -> None:
    made = yamlout._AMBIGUOUS
    assert isinstance(made, WordsOrPattern)
    assert made.match(text) == (AMBIGUOUS.match(text) is not None)
