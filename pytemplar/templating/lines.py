"""Rendered lines back to template lines.

Each run of output a template writes starts with a :class:`LineMark`: an empty string that
carries the template file and line the text after it comes from. Marks travel with the text
(through macros, includes inside macros and call blocks); whatever joins the text into one
string keeps a :data:`Mark` for each: how many characters came before it, and its file and line.
A rendered position is then the last mark before it plus the line breaks in between: template
text and tokens keep their line breaks one for one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence

from pytemplar.errors import Location

Mark = tuple[int, str, int]  # (rendered offset, template file, template line)


class LineMark(str):
    """An empty piece of output saying which template file and line the text after it comes from."""

    template: str
    line: int

    @classmethod
    def at(cls, template: str, line: int) -> LineMark:
        made = cls()
        made.template, made.line = template, line
        return made


class LineMarks(dict[tuple[str, int], LineMark]):
    """The mark of each (template name, line), made the first time it is asked for."""

    def __init__(self, template_paths: Mapping[str, str]) -> None:
        super().__init__()
        self.template_paths = template_paths

    def __missing__(self, key: tuple[str, int]) -> LineMark:
        name, line = key
        made = self[key] = LineMark.at(self.template_paths.get(name, name), line)
        return made


def join_marked(chunks: Iterable[str], marks: list[Mark], start: int = 0) -> str:
    """The text of ``chunks``, adding to ``marks`` the offset of each :class:`LineMark` in it (and
    of those a fragment of marked text carries, see ``slots.Fragment``), counted from ``start``."""
    parts: list[str] = []
    size = start
    for chunk in chunks:
        kind = type(chunk)
        if kind is LineMark:
            marks.append((size, chunk.template, chunk.line))  # type: ignore[attr-defined]
            continue
        if kind is not str:
            inner = getattr(chunk, "marks", None)
            if inner:
                marks.extend([(size + offset, path, line) for offset, path, line in inner])
            chunk = getattr(chunk, "source", chunk)
        parts.append(chunk)
        size += len(chunk)
    return "".join(parts)


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
