"""Placing values in a block scalar reads its header and indentation as the patterns did.

The oracles are the patterns the slot placer used (written out here): ``[|>]([1-9+-]{0,2})``
matched at the header's position, ``[ \\t]*`` at the start of a token's line, and the line breaks
``re.finditer("\\n")`` found in a value.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytemplar.templating import slots

BLOCK_HEADER = re.compile(r"[|>]([1-9+-]{0,2})")
INDENT = re.compile(r"[ \t]*")

TEXTS = st.text(alphabet="|>0123456789+- \t\n\r\x0b\xa0\u2028a#", max_size=10)


@given(text=TEXTS, at=st.integers(0, 12))
@settings(max_examples=1500)
@example(text="|+2", at=0)
@example(text="a>-", at=1)
@example(text="|0", at=0)
@example(text="|", at=1)
def test_block_indicators_are_what_the_pattern_takes(text: str, at: int) -> None:
    header = BLOCK_HEADER.match(text, at)
    assert slots._block_indicators(text, at) == (header.group(1) if header is not None else "")


@given(text=TEXTS)
@settings(max_examples=1000)
def test_indents_and_line_breaks_are_what_the_patterns_find(text: str) -> None:
    found = INDENT.match(text)
    assert found is not None
    assert slots._leading_blanks(text) == found.group()
    assert slots._line_breaks(text) == [at.start() for at in re.finditer("\n", text)]
