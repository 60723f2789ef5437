"""Rendered lines back to template lines.

While a template renders, each run of output in its own stream (and in every template it
includes) records a mark: how many characters were rendered before it, and the template file and
line it starts at. A rendered position is then the last mark before it plus the line breaks in
between: template text and tokens keep their line breaks one for one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from pytemplar.errors import Location

Mark = tuple[int, str, int]  # (rendered offset, template file, template line)


def offset_of_line(text: str, line: int) -> int:
    """The offset of the start of ``line`` (1-based) in ``text``."""
    offset = 0
    for _ in range(line - 1):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return offset


def template_location(text: str, marks: Sequence[Mark], offset: int, fallback: str) -> Location:
    """The template file and line that rendered the character at ``offset`` of ``text``."""
    index = bisect_right(marks, offset, key=lambda mark: mark[0]) - 1
    if index < 0:
        return Location(fallback, text.count("\n", 0, offset) + 1)
    start, path, line = marks[index]
    return Location(path, line + text.count("\n", start, offset))


def template_location_of_line(text: str, marks: Sequence[Mark], line: int, column: int, fallback: str) -> Location:
    offset = offset_of_line(text, line) + max(column - 1, 0)
    return template_location(text, marks, min(offset, len(text)), fallback)
