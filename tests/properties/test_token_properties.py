"""Tokens are found by string code exactly where the token pattern finds them.

The oracle is the pattern templating compiled before (written out here): a marker, ASCII digits,
an end mark. On texts of markers, end marks, digits (and other scripts' digits), letters and line
breaks, the whole-token test, the spans and the substitution (its result and the order in which
it asks for values) must be the pattern's, and TOKEN must behave as the compiled pattern.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytemplar.templating import slots

ORACLE = re.compile("\ue000([0-9]+)\ue001")
M, E = "\ue000", "\ue001"
TEXTS = st.one_of(
    st.text(alphabet=[M, E, "0", "1", "7", "9", "\u0663", "\u00b2", "a", " ", "\n"], max_size=14),
    st.lists(st.sampled_from([M, E, "12", "0", "x", slots.token(3), slots.token(1234)]), max_size=8).map("".join),
)
EDGES = [
    M + E,
    M + "1",
    "1" + E,
    M + M + "1" + E,
    M + "1" + E + E,
    M + "1" + M + "2" + E,
    M + "\u0663" + E,
    M + "07" + E,
]


def check(text: str) -> None:
    whole = ORACLE.fullmatch(text)
    assert slots.token_index(text) == (int(whole.group(1)) if whole else None)
    assert slots.token_spans(text) == [(m.start(), m.end(), int(m.group(1))) for m in ORACLE.finditer(text)]
    asked: list[int] = []
    expected: list[int] = []

    def ours(index: int) -> str:
        asked.append(index)
        return f"<{index}>"

    def theirs(found: re.Match[str]) -> str:
        expected.append(int(found.group(1)))
        return f"<{int(found.group(1))}>"

    assert slots._replace_tokens(text, ours) == ORACLE.sub(theirs, text)
    assert asked == expected


@given(text=TEXTS)
@settings(max_examples=3000)
def test_tokens_are_found_where_the_pattern_finds_them(text: str) -> None:
    check(text)


def test_edges() -> None:
    for text in EDGES:
        check(text)
        check("a" + text + "b")


@given(text=TEXTS, at=st.integers(0, 16))
@settings(max_examples=500)
@example(text=M + "5" + E, at=0)
def test_token_is_the_compiled_pattern(text: str, at: int) -> None:
    assert slots.TOKEN.pattern == ORACLE.pattern
    match, expected = slots.TOKEN.match(text, at), ORACLE.match(text, at)
    assert (match and (match.span(), match.group(1))) == (expected and (expected.span(), expected.group(1)))
    assert [m.span() for m in slots.TOKEN.finditer(text)] == [m.span() for m in ORACLE.finditer(text)]
    assert slots.TOKEN.sub("-", text) == ORACLE.sub("-", text)


def test_the_pattern_is_compiled_on_first_use() -> None:
    pattern = slots._CompiledOnFirstUse("a+")
    assert pattern._compiled is None
    assert pattern.fullmatch("aa") and pattern._compiled is not None
