"""Regular expressions over text that is nearly always ASCII, compiled when a text needs them.

Compiling a pattern runs Python code in :mod:`re`; a character class that holds characters
beyond Latin-1 (line and paragraph separators, surrogates, ``\\ufeff``) becomes a 64K-entry
table, 0.2-0.6 ms of a command that renders one release. :class:`AsciiFirst` holds such a
pattern with the one it is equivalent to on ASCII text, which compiles in a tenth of the time:
the full pattern is compiled the first time a text that is not ASCII comes. :class:`WordsOrPattern`
takes a pattern's literal alternatives out into a set. ``tests/properties/test_lazyre_properties.py``
checks each one the YAML writer uses against the pattern it stands for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable


class AsciiFirst:
    """``full``, matched as ``ascii`` on ASCII text; both are compiled on first use."""

    __slots__ = ("_ascii", "_ascii_source", "_full", "_full_source")

    def __init__(self, full: str, ascii: str) -> None:
        self._full_source, self._ascii_source = full, ascii
        self._full: re.Pattern[str] | None = None
        self._ascii: re.Pattern[str] | None = None

    def pattern_for(self, text: str) -> re.Pattern[str]:
        """The compiled pattern that decides for ``text`` (str.isascii() reads a flag: no scan)."""
        if text.isascii():
            if self._ascii is None:
                self._ascii = re.compile(self._ascii_source)
            return self._ascii
        if self._full is None:
            self._full = re.compile(self._full_source)
        return self._full

    def match(self, text: str) -> re.Match[str] | None:
        return self.pattern_for(text).match(text)

    def sub(self, replacement: Callable[[re.Match[str]], str], text: str) -> str:
        return self.pattern_for(text).sub(replacement, text)


class WordsOrPattern:
    """Whether a whole text is one of ``words`` or matches ``pattern`` from its start.

    A pattern's literal alternatives (``yes|Yes|YES|...``) cost the larger share of compiling it;
    as a set they cost a lookup. The pattern is compiled on first use.
    """

    __slots__ = ("_compiled", "_source", "_words")

    def __init__(self, words: Iterable[str], pattern: str) -> None:
        self._words = frozenset(words)
        self._source = pattern
        self._compiled: re.Pattern[str] | None = None

    def match(self, text: str) -> bool:
        if text in self._words:
            return True
        if self._compiled is None:
            self._compiled = re.compile(self._source)
        return self._compiled.match(text) is not None
