"""--set arguments are checked and quoted as the patterns checked and quoted them.

The oracles are the patterns ``pytemplar.setargs`` compiled at import before and the one
``escape_control`` compiles (written out here); they are now compiled only for text that is not
ASCII, or not printable. On texts of ASCII, NULs, lone surrogates, controls and other characters
beyond ASCII, the position found, the surrogate test and the quoted and escaped forms of an
argument must be the patterns'.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytemplar import setargs
from pytemplar.errors import escape_control

UNREADABLE = re.compile("[\x00\ud800-\udfff]")
SURROGATE = re.compile("[\ud800-\udfff]")

TEXTS = st.one_of(
    st.text(st.characters(max_codepoint=0x7F)),
    st.text(
        st.one_of(
            st.characters(max_codepoint=0x7F),
            st.sampled_from("\x00\ud800\udbff\udc00\udfff\ud7ff\ue000é\u2028\n\t=\x1b\x85\u200b\u2066\ufeff\xa0"),
            st.characters(categories=["Cs"]),
        ),
        max_size=12,
    ),
)


def visible(text: str) -> str:
    text = escape_control(text).replace("\n", "\\n").replace("\t", "\\t")
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@given(text=TEXTS)
@settings(max_examples=1500)
@example(text="a\x00b")
@example(text="é\x00\ud800")
@example(text="é\udfff\x00")
@example(text="\ud7ff\ue000")
def test_unreadable_text_is_found_where_the_patterns_find_it(text: str) -> None:
    found = UNREADABLE.search(text)
    assert setargs._unreadable_at(text) == (found.start() if found else None)
    assert setargs._has_surrogate(text) == (SURROGATE.search(text) is not None)
    assert setargs._visible(text) == visible(text)


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def test_no_printable_character_is_a_control_character() -> None:
    # Why escape_control may return a printable text as it is, checked for every code point.
    printable = "".join(chr(code) for code in range(0x110000) if chr(code).isprintable())
    assert CONTROL.search(printable) is None


@given(text=TEXTS)
@settings(max_examples=1000)
@example(text="a\u200bb")
@example(text="\u2066x\u2069")
def test_control_characters_are_escaped_as_the_pattern_escapes_them(text: str) -> None:
    expected = CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    assert escape_control(text) == expected
