"""The YAML writer's string tests decide every text as the patterns they stand for.

The oracles are the patterns the writer compiled before (written out here): on any text, ASCII or
not, each test must say what its pattern says, and the escaping must substitute what the pattern's
substitution did. Texts are built from the patterns' own characters, with controls, whitespace
and characters beyond ASCII at the edges of their classes; every single character is tried too.
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytemplar import yamlout

NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./$(][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]*\Z")
BLOCK_SAFE = re.compile(r"[^\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff\r]*\Z")
PLAIN_BREAKERS = re.compile(r": |:\Z| #|\s\Z|\A(?:---|\.\.\.)(?:\s|\Z)")
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


def escaped(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"


# Characters at the edges of the classes, ASCII controls, whitespace of every kind, text a manifest holds.
EDGES = (
    "\x00\x08\t\n\x0b\x0c\r\x1c\x1f \x7f\x80\x85\x9f\xa0\u1680\u2000\u2007\u200b\u2027\u2028\u2029\u202f"
    "\u3000\ufeff\ufffd\ufffe\uffff\ud800\udfff\U0001f600é#:-.$(_/"
)
CHARACTERS = st.one_of(
    st.characters(max_codepoint=0x7F),
    st.sampled_from(EDGES),
    st.characters(codec="utf-8"),
    st.characters(categories=["Cs"]),  # lone surrogates, as surrogateescape makes them
)
TEXTS = st.one_of(st.text(st.characters(max_codepoint=0x7F)), st.text(CHARACTERS))
# Pieces of what the breakers look for, glued at random with other characters.
BREAKER_TEXTS = st.lists(
    st.one_of(st.sampled_from(["---", "...", ":", " ", "#", "-", ".", "a", "\t", "\n"]), st.sampled_from(EDGES)),
    max_size=6,
).map("".join)


def test_every_character_is_decided_as_the_patterns_decide() -> None:
    for code in range(sys.maxunicode + 1):
        one = chr(code)
        assert yamlout.escape_for_yaml(one) == NOT_PRINTABLE.sub(escaped, one), hex(code)
        assert yamlout._plain_safe(one) == bool(PLAIN_SAFE.match(one)), hex(code)
        assert yamlout._plain_safe("a" + one) == bool(PLAIN_SAFE.match("a" + one)), hex(code)
        assert yamlout._block_safe(one) == bool(BLOCK_SAFE.match(one)), hex(code)
        assert yamlout._breaks_plain("a" + one) == bool(PLAIN_BREAKERS.search("a" + one)), hex(code)


@given(text=TEXTS)
@settings(max_examples=1000, deadline=None)
@example(text="a\u00a0b")  # printable to YAML, not to str.isprintable()
@example(text="a\u200db")
def test_the_character_tests_decide_as_their_patterns(text: str) -> None:
    assert yamlout.escape_for_yaml(text) == NOT_PRINTABLE.sub(escaped, text)
    assert yamlout._plain_safe(text) == bool(PLAIN_SAFE.match(text))
    assert yamlout._block_safe(text) == bool(BLOCK_SAFE.match(text))
    assert yamlout._breaks_plain(text) == bool(PLAIN_BREAKERS.search(text))


@given(text=st.one_of(BREAKER_TEXTS, TEXTS))
@settings(max_examples=2000, deadline=None)
@example(text="---")
@example(text="...\u2028")
@example(text="--- a")
@example(text="a:")
@example(text="a\x1c")
def test_the_plain_breakers_are_the_ones_the_pattern_finds(text: str) -> None:
    assert yamlout._breaks_plain(text) == bool(PLAIN_BREAKERS.search(text))


# Texts near the edges: pieces of the words and numbers the pattern knows, glued at random.
PIECES = st.sampled_from(
    ["y", "Y", "es", "ES", "n", "o", "O", "true", "False", "on", "ff", "null", "NULL", "~", "=", ".", "nan", "NaN",
     "inf", "INF", "+", "-", "0", "1", "7", "9", "_", "e", "E", "x", "X", "b", "B", "o", "a", "F", "f", ":", "5", "T",
     "t", " ", "\t", "\n", "2024", "-01", "-1", "0b", "0o", "0x", ".i", ".I", "é", "\u0663", "\u00b2", "\u2028",
     "\x85", "\xa0", "m", "Mi", "%"]
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
# What the pattern matches, with one character changed, added or taken away.
EDITED_MATCHES = st.tuples(
    st.from_regex(AMBIGUOUS), st.integers(0, 40), st.sampled_from(["", ".", "-", "_", ":", "e", "a", "x", "\n", "é"])
).map(lambda made: made[0][: made[1]] + made[2] + made[0][made[1] + 1 :])
SCALARS = st.one_of(
    EDITED,
    st.from_regex(AMBIGUOUS),
    EDITED_MATCHES,
    st.lists(PIECES, max_size=8).map("".join),
    st.text(alphabet="0123456789._:+-eEbBoOxXaAfFiI ", max_size=12),
    st.text(max_size=6),
)


@given(text=SCALARS)
@settings(max_examples=5000, deadline=None)
@example(text=".")
@example(text="-.")
@example(text="_")
@example(text="2024-01-01")
@example(text="2024-01-01T\n")
@example(text="1.0.0")
@example(text="0b1.1")
@example(text="-.inf")
@example(text="12:30.5.5")
def test_ambiguous_scalars_are_the_ones_the_full_pattern_finds(text: str) -> None:
    assert yamlout._ambiguous(text) == (AMBIGUOUS.match(text) is not None)


@pytest.mark.parametrize(
    "text", ["1.0.0", "500m", "512Mi", "25%", "0", "8080", "0.5", "v1", "nginx:1.25", "a" * 64, "9f86d081884c7d65" * 4]
)
def test_the_scalars_of_a_manifest_are_told_without_a_pattern(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pattern(*args: object) -> None:
        raise AssertionError("a pattern was used")

    monkeypatch.setattr(yamlout.re, "match", no_pattern)
    monkeypatch.setattr(yamlout.re, "search", no_pattern)
    monkeypatch.setattr(yamlout.re, "sub", no_pattern)
    assert yamlout._ambiguous(text) == (AMBIGUOUS.match(text) is not None)
    assert yamlout._plain_safe(text) and not yamlout._breaks_plain(text)
