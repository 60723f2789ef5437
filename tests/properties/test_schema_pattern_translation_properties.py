"""A schema pattern without a ``\\u`` escape is given to RE2 as it is, as the rewrite would give it.

The oracle is the rewrite itself, ``\\\\(\\\\)|\\\\u([0-9A-Fa-f]{4})`` substituted (written out
here): escaped backslashes stay, ``\\uXXXX`` becomes ``\\x{XXXX}``. Patterns are built from
backslashes, ``u``, hex digits, braces and other characters, so both paths are taken.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pytemplar import patterns

UNICODE_ESCAPE = re.compile(r"\\(\\)|\\u([0-9A-Fa-f]{4})")


def rewritten(pattern: str) -> str:
    return UNICODE_ESCAPE.sub(lambda m: "\\\\" if m[1] else "\\x{" + m[2] + "}", pattern)


@given(pattern=st.text(alphabet="\\uU0aFg{}x^$.[]-é", max_size=14))
@settings(max_examples=2000)
@example(pattern="^[a-z]+$")
@example(pattern="\\\\u0041")
@example(pattern="\\u00e9")
@example(pattern="\\\\\\u0041")
@example(pattern="\\u004")
@example(pattern="\\uFFFF")
@example(pattern="x\\ua0F0y")
def test_translation_is_the_rewrite(pattern: str) -> None:
    assert patterns._translated(pattern) == rewritten(pattern)
