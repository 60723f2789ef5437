"""The fast command line's number options are read as their patterns read them.

``--jobs``-style counts took ``[0-9]+`` and seconds ``[0-9]+(?:\\.[0-9]+)?`` in full (the oracles,
written out here); the string tests must accept exactly the same texts, digits of other scripts
and whitespace included, and convert them alike.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytemplar.cli import _quick

DIGITS = re.compile(r"[0-9]+")
DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")

TEXTS = st.one_of(
    st.text(alphabet="0123456789.\u0663\u00b2\uff11 \t\n\x85+-e_", max_size=8),
    st.from_regex(DECIMAL, fullmatch=True),
    st.text(max_size=4),
)


@given(text=TEXTS)
@settings(max_examples=1000)
@example(text="")
@example(text=".")
@example(text="1.")
@example(text=".5")
@example(text="1.5.5")
@example(text="\u0663")
@example(text="12\n")
def test_counts_and_seconds_are_read_as_their_patterns_read_them(text: str) -> None:
    assert _quick._count(text) == (int(text) if DIGITS.fullmatch(text) else None)
    assert _quick._seconds(text) == (float(text) if DECIMAL.fullmatch(text) else None)
