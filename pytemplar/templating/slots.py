"""Slots: each ``{{ }}`` placed where the YAML parser finds it, never where the text suggests.

A template renders every ``{{ expr }}`` that reaches the YAML stream as an opaque token
(:func:`token`): two private-use characters around a number, text that no template can contain
(:func:`refuse_marker`) and that is a plain scalar everywhere YAML allows one. The rendered text is
then parsed by libyaml, and :class:`SlotPlacer` rewrites the parser's scalar events before they are
built into data:

* a plain scalar that is exactly one token is the value itself: a string stays a string whatever
  its text, numbers, booleans and null keep their type, a map or list is placed as a node;
* a token inside a longer scalar of any style (plain, quoted, block, over several lines) is
  replaced by the value's text inside that string; a map or list there is refused;
* a key is a string key (the builder refuses collections as keys);
* a token in a comment never reaches an event, so it places nothing.

So the rendered object is what parsing the template's structure and putting each value in its
place gives, whatever the value's text: no value can add a key, end a scalar or change type.

Text produced inside a macro, a ``{% set %}`` block or a call block is a :class:`Fragment`: a
``str`` holding the real text (what filters, comparisons and ``~`` see), which also keeps its
source with the tokens in it, for ``| fromyaml`` and for ``{% call %}`` output to be parsed with
each value placed by the same rule.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any, cast

from jinja2.runtime import Undefined

from pytemplar.errors import Location
from pytemplar.values import ValuePath, format_path
from pytemplar.yamlio import NOT_WHOLE

MARKER = "\ue000"  # starts every token; refused in template text
_END = "\ue001"
TOKEN_PATTERN = "\ue000([0-9]+)\ue001"  # what a token is: tokens are found by the string code below
MAX_VALUE_DEPTH = 100
MAX_KEY_LENGTH = 1024


def token(index: int) -> str:
    return _TOKENS[index] if index < len(_TOKENS) else f"{MARKER}{index}{_END}"


_TOKENS = [f"{MARKER}{index}{_END}" for index in range(512)]  # made once: every {{ }} takes one


# Tokens are found with str methods, which decide exactly as TOKEN_PATTERN does
# (tests/properties/test_token_properties.py), at the same cost or less per text: compiling the
# pattern cost a one-release render 0.08 ms. TOKEN is the pattern for the rare uses of a match
# (error messages), compiled the first time one of its methods is used.


def token_index(text: str) -> int | None:
    """The slot index when ``text`` is exactly one token (``TOKEN_PATTERN`` in full), else None."""
    if text[:1] == MARKER and text[-1:] == _END:
        digits = text[1:-1]
        if digits.isdigit() and digits.isascii():
            return int(digits)
    return None


def token_spans(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, slot index)`` of each token in ``text``, as ``TOKEN.finditer`` finds them: a
    token starts at a marker, and its digits end at the first end mark before the next marker."""
    spans: list[tuple[int, int, int]] = []
    start = text.find(MARKER)
    while start >= 0:
        following = text.find(MARKER, start + 1)
        end = text.find(_END, start + 1, len(text) if following < 0 else following)
        if end > start + 1:
            digits = text[start + 1 : end]
            if digits.isdigit() and digits.isascii():
                spans.append((start, end + 1, int(digits)))
        start = following
    return spans


def _replace_tokens(source: str, replacement: Callable[[int], str]) -> str:
    """``TOKEN.sub``: each token replaced by ``replacement(index)``, called in order. Each piece
    after a marker starts a token when it is digits up to its first end mark."""
    pieces = source.split(MARKER)
    if len(pieces) == 2:  # one marker: most texts with a token
        head, piece = pieces
        end = piece.find(_END)
        digits = piece[:end]
        if end > 0 and digits.isdigit() and digits.isascii():
            return head + replacement(int(digits)) + piece[end + 1 :]
        return source
    made = [pieces[0]]
    for piece in pieces[1:]:
        end = piece.find(_END)
        digits = piece[:end]
        if end > 0 and digits.isdigit() and digits.isascii():
            made.append(replacement(int(digits)))
            made.append(piece[end + 1 :])
        else:
            made.append(MARKER)
            made.append(piece)
    return "".join(made)


class _CompiledOnFirstUse:
    """A pattern compiled the first time one of its attributes is read."""

    __slots__ = ("_compiled", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self._source)
        return getattr(self._compiled, name)


TOKEN = cast("re.Pattern[str]", _CompiledOnFirstUse(TOKEN_PATTERN))  # used as the compiled pattern


class SlotError(ValueError):
    """A value cannot be placed where the template put it."""


class YamlText(str):
    """Text that is YAML for one node (the output of ``toyaml``, ``tojson``, ``quote``).

    Placed as a whole value it is ``data``, the value it was made from; inside a string it is
    its text.
    """

    data: Any = None
    path: ValuePath | None = None  # the values entry it was made from (``values.x | toyaml``), for hints

    @classmethod
    def of(cls, text: str, data: Any = None, path: ValuePath | None = None) -> YamlText:
        made = cls(text)
        made.data = data
        made.path = path
        return made


# One ``{{ }}`` evaluated: ``(value, template file as shown to users, template line, values path)``,
# the path when the value is one values entry, else None. A plain tuple: a render makes one for
# every ``{{ }}``, and the garbage collector stops tracking plain tuples of plain values.
Slot = tuple[Any, str, int, ValuePath | None]


def slot_location(slot: Slot) -> Location:
    """The template file and line of a ``{{ }}``."""
    return Location(slot[1], slot[2])


def slot_where(slot: Slot) -> str:
    """`` (values.path)`` when the slot's value is one values entry, for messages."""
    return f" ({format_path(slot[3], 'values')})" if slot[3] is not None else ""


class Fragment(str):
    """Text made by a macro, ``{% set %}`` block or call block: the real text as a ``str``, plus
    ``source``, the same text with a token for each ``{{ }}`` in it, the table they index, and the
    line marks of ``source`` (:mod:`pytemplar.templating.lines`): which template line each part of
    it was written on, to be kept when the text is parsed (``| fromyaml``) or joins a manifest."""

    source: str
    slots: list[Slot]
    marks: list[tuple[int, str, int]]


# -- text ------------------------------------------------------------------------------------------


def _float_literal(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def _not_data(value: Any) -> Any:
    if isinstance(value, Undefined):
        str(value)  # raises the undefined error with its name
    raise SlotError(f"a {type(value).__name__} is not data and cannot be written into a manifest")


_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_not_data)


def inline_json(value: Any) -> str:
    try:
        return _JSON.encode(value)
    except ValueError as exc:
        raise SlotError(f"cannot write {type(value).__name__} as YAML: {exc}") from exc


def as_text(value: Any, *, strict: bool = True) -> str:
    """The text of a value inside a larger string. ``strict`` refuses maps and lists; otherwise
    they read as inline JSON (the text a macro's result shows to filters)."""
    if type(value) is str:
        return value
    if isinstance(value, Fragment):
        return fragment_text(value, strict=True) if strict else str.__str__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, Undefined):
        return str(value)  # StrictUndefined raises here
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:  # as Helm writes a null inside text
        return ""
    if isinstance(value, float):
        return _float_literal(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (dict, list, tuple)):
        if not strict:
            return inline_json(value)
        raise SlotError(
            f"a {'map' if isinstance(value, dict) else 'list'} cannot be placed inside text; "
            "place it as a whole value, or pipe it through tojson for its JSON text"
        )
    return _not_data(value)  # type: ignore[no-any-return]


def substitute(source: str, slots: list[Slot], *, strict: bool) -> str:
    """``source`` with each token replaced by its value's text."""
    return _replace_tokens(source, lambda index: _text_of_slot(slots[index], strict))


def _text_of_slot(slot: Slot, strict: bool) -> str:
    try:
        return as_text(slot[0], strict=strict)
    except SlotError as exc:
        raise SlotRefusal(str(exc), slot) from None


def fragment_text(fragment: Fragment, *, strict: bool) -> str:
    return substitute(fragment.source, fragment.slots, strict=strict)


def make_fragment(source: str, slots: list[Slot], marks: list[tuple[int, str, int]]) -> Fragment:
    made = Fragment(substitute(source, slots, strict=False) if MARKER in source else source)
    made.source = source
    made.slots = slots
    made.marks = marks
    return made


def single_slot(fragment: Fragment) -> Slot | None:
    """The one slot a fragment consists of (whitespace aside): a one-expression helper."""
    index = token_index(fragment.source.strip())
    return fragment.slots[index] if index is not None else None


class SlotRefusal(SlotError):
    """A value refused where its slot landed; names the slot."""

    def __init__(self, message: str, slot: Slot) -> None:
        super().__init__(message)
        self.slot = slot


def marker_line(text: str) -> int | None:
    """The line of the first character reserved for tokens in ``text``, if there is one."""
    found = [index for index in (text.find(MARKER), text.find(_END)) if index >= 0]
    return text.count("\n", 0, min(found)) + 1 if found else None


RESERVED = "the characters U+E000 and U+E001 are reserved for pytemplar and cannot appear in template text"


# -- placing -----------------------------------------------------------------------------------------


def note_whole(value: Any) -> None:
    """A map or list written whole counts as read whole."""
    note = getattr(type(value), "note_whole", None)
    if note is not None:
        note(value)


def placed(value: Any, depth: int = 0) -> Any:
    """``value`` as plain data placed whole: maps and lists copied (no two objects share one),
    a helper's one value or ``toyaml``'s data in place of their text."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if depth > MAX_VALUE_DEPTH:
        raise SlotError(f"the value is nested deeper than {MAX_VALUE_DEPTH} levels")
    if isinstance(value, dict):
        note_whole(value)
        made = {}
        for key, item in dict.items(value):
            if isinstance(key, (dict, list, tuple)):
                raise SlotError("a map with a map or list as key cannot be written into a manifest")
            made[key if type(key) is str else as_text(key)] = placed(item, depth + 1)
        return made
    if isinstance(value, (list, tuple)):
        note_whole(value)
        return [placed(item, depth + 1) for item in (list.__iter__(value) if isinstance(value, list) else value)]
    if isinstance(value, Fragment):
        inner = single_slot(value)
        return placed(inner[0], depth + 1) if inner is not None else fragment_text(value, strict=True)
    if isinstance(value, YamlText):
        return str.__str__(value) if value.data is None else placed(value.data, depth + 1)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (bool, int, float)):
        return value
    return _not_data(value)


_QUOTED = (False, True)  # the implicit flags of a quoted scalar: the builder takes its value as it is
_CHOMPING = frozenset("123456789+-")  # a block header's indicators after its '|' or '>'


class SlotPlacer:
    """Replaces the tokens of the scalar events the YAML builder hands it (see the module doc and
    :class:`pytemplar.yamlio.ScalarRewriter`): only scalars holding a token reach it."""

    __slots__ = ("slots", "text")

    def __init__(self, text: str, slots: list[Slot]) -> None:
        self.text = text
        self.slots = slots

    def place(self, event: Any) -> None:
        """Replace the event's tokens. A whole value is the event's value itself, marked
        as quoted so the builder takes it as it is (a key that is not a string is refused there)."""
        text = event.value
        if event.implicit[0]:  # plain and untagged
            value = self.whole(text)
            if value is not NOT_WHOLE:
                event.value = value
                event.implicit, event.style = _QUOTED, '"'
                return
        in_block = event.style in ("|", ">")
        event.value = self._in_block(event) if in_block else substitute(text, self.slots, strict=True)
        if event.implicit[0]:
            event.implicit, event.style = _QUOTED, '"'

    def whole(self, text: str) -> Any:
        """The value a plain scalar that is exactly one token stands for, or NOT_WHOLE."""
        index = token_index(text)
        if index is None:
            return NOT_WHOLE
        slot = self.slots[index]
        try:
            return placed(slot[0])
        except SlotRefusal:
            raise  # a value inside this one, already named
        except SlotError as exc:
            raise SlotRefusal(str(exc), slot) from None

    def _in_block(self, event: Any) -> str:
        """A block scalar with its tokens replaced: each further line of a value keeps the
        indentation of the line its token is on, and the block's chomping applies to the result,
        as if the value's text had been written there."""
        text = event.value
        parts: list[str] = []
        # Line breaks that came from a value, with the indentation of the token's line: the line
        # they start is indented as the token's was, whatever comes next on it (more of the value,
        # template text or another value), unless it holds nothing but spaces.
        value_breaks: list[tuple[int, str]] = []
        size = 0
        last = 0
        for start, end, index in token_spans(text):
            value = _text_of_slot(self.slots[index], True)
            line_start = text.rfind("\n", 0, start) + 1
            indent = _leading_blanks(text[line_start:start])
            if value.endswith("\n") and text.startswith("\n", end):
                value = value[:-1]  # the template line's own line break ends the value's last line
            parts.append(text[last:start])
            size += start - last
            if indent:
                value_breaks.extend((size + at, indent) for at in _line_breaks(value))
            parts.append(value)
            size += len(value)
            last = end
        parts.append(text[last:])
        placed = _indent_value_lines("".join(parts), value_breaks)
        chomping = _block_indicators(self.text, event.start_mark.index)
        if "+" in chomping:
            return placed
        body = placed.rstrip("\n")
        if "-" in chomping or not body:
            return body
        return body + "\n"


def _block_indicators(text: str, at: int) -> str:
    """What ``[|>]([1-9+-]{0,2})`` matched at ``at`` takes for its group: the chomping and
    indentation indicators of the block header there ("" when there is none)."""
    if text[at : at + 1] not in ("|", ">"):
        return ""
    first, second = text[at + 1 : at + 2], text[at + 2 : at + 3]
    if first not in _CHOMPING:
        return ""
    return first + second if second in _CHOMPING else first


def _leading_blanks(text: str) -> str:
    """The spaces and tabs ``text`` starts with (what ``[ \\t]*`` matches)."""
    return text[: len(text) - len(text.lstrip(" \t"))]


def _line_breaks(text: str) -> list[int]:
    """Where the "\\n" of ``text`` are."""
    found: list[int] = []
    at = text.find("\n")
    while at >= 0:
        found.append(at)
        at = text.find("\n", at + 1)
    return found


def _indent_value_lines(placed: str, value_breaks: list[tuple[int, str]]) -> str:
    """Indent the lines a value's line breaks start; a line of nothing but spaces becomes empty."""
    if not value_breaks:
        return placed
    pieces: list[str] = []
    previous = 0
    for position, indent in value_breaks:
        pieces.append(placed[previous : position + 1])
        line_end = placed.find("\n", position + 1)
        line = placed[position + 1 : line_end if line_end >= 0 else len(placed)]
        previous = position + 1
        if line.strip(" "):
            pieces.append(indent)
        else:
            previous += len(line)  # spaces alone on a value's line would be kept as content
    pieces.append(placed[previous:])
    return "".join(pieces)
