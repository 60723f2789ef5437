"""Command-line values: ``--set``, ``--set-string``, ``--set-json`` and ``--set-file``.

Grammar (Helm's ``strvals``, which users already know)
-------------------------------------------------------

One argument holds one or more ``path=value`` pairs separated by ``,``::

    image.tag=1.20,replicas=3
    nodeSelector.kubernetes\\.io/os=linux        -> ("nodeSelector", "kubernetes.io/os")
    containers[0].name=web,args[1][0]=x          -> ("containers", 0, "name"), ("args", 1, 0)
    hosts={a.example,b.example}                  -> ["a.example", "b.example"]

* A path is keys separated by ``.``, each key optionally followed by list indexes ``[n]``.
  It starts with a key (the values are a map), and no key is empty.
* A backslash makes the next character literal, in keys and in values: ``\\.``, ``\\,``,
  ``\\=``, ``\\[``, ``\\]``, ``\\{``, ``\\\\``. As in Helm any character may follow it (``\\x``
  is ``x``); a backslash at the very end of an argument is an error.
* In a key, ``.`` ``[`` ``]`` ``=`` ``,`` are structure and need a backslash to be text.
  In a value only ``,`` ends it, so ``a=b=c`` sets ``a`` to ``b=c``.
* A value that starts with ``{`` is a list of scalars: ``{x,y}``; ``{}`` is the empty list
  (Helm reads ``[""]``); ``{x,}`` is ``["x", ""]``; items end at ``,`` or ``}``. After the
  ``}`` comes ``,`` or the end of the argument. ``\\{x`` is the text ``{x``.
* An empty pair (``a=1,,b=2``) and a trailing ``,`` are refused (Helm ignores the
  latter): both are usually a value that went missing.

Typing
------

* ``--set``: each scalar is typed like an unquoted YAML 1.2 core-schema scalar
  (:func:`pytemplar.yamlio.resolve_plain`): ``true``/``false``, ``null``/``~`` (``None``,
  which deletes the key, as in values files), integers as exact ``int`` of any size
  (``012`` is 12, ``0x1F`` is 31), ``1.5``/``1e3``/``.inf`` as ``float``, anything else a
  string. The empty value ``a=`` is the empty string, as in Helm (YAML would say null).
  :class:`SetValue` keeps the value as written in ``raw``, and :func:`set_layer` records
  the text of every number or boolean in ``raw_texts``, so that ``1.20`` becomes the string
  ``"1.20"`` where the app's schema wants a string.
* ``--set-string``: every scalar is a string, lists are lists of strings.
* ``--set-json``: ``path=JSON``; only the first ``=`` of a pair separates path and value,
  and the JSON value is read as far as it goes, so commas inside it do not split pairs
  (``a={"x":1,"y":2},b=[1,2]`` is two pairs, as in Helm). JSON is strict: no ``NaN`` or
  ``Infinity`` (nor numbers too large for a float), no duplicate keys, no lone surrogates,
  nesting at most :data:`pytemplar.yamlio.MAX_DEPTH` levels. An empty value is ``null``,
  as in Helm.
* ``--set-file``: ``path=FILE``; the value is the text of ``FILE`` as returned by the
  ``read_file`` callback, ``raw`` is the file name (escapes removed). There is no list form:
  a ``{`` is part of the file name.

Limits
------

An argument is at most 1 MiB (1,048,576 characters, checked before parsing); a list index
is at most 65,536 and never negative; a path has at most 30 parts (keys and indexes). A NUL
character (a real command line cannot carry one) and text that is not valid UTF-8 (lone
surrogates, which is how Python passes such bytes on) are refused. An integer with more
digits than Python converts (4,300) is refused rather than read as text.

Choices
-------

* Conflicts: a later path wins, within one argument and across arguments, exactly as a later
  values layer wins: ``a=1,a.b=2`` gives ``{"a": {"b": 2}}`` and ``a.b=2,a=1`` gives
  ``{"a": 1}``. (Helm gives an error for the first and overwrites for the second.) A map
  value (from ``--set-json``) merges into a map already set, key by key; lists and scalars
  replace. All arguments make one layer, which cannot say "delete, then set": after
  ``a=null`` a later ``a.b=1`` leaves ``{"a": {"b": 1}}``, merged into the ``a`` of the
  values files rather than replacing it.
* Gaps: an index that skips ahead is refused by :func:`set_layer` once all arguments are
  applied, if the skipped items were never set: ``a[1]=x`` alone would make the list
  ``[null, "x"]`` (Helm does that), which replaces the whole list of the values files and
  is almost never what was meant. ``a[1]=y,a[0]=x`` is fine.

Every malformed argument raises :class:`UsageError` whose message quotes the argument
(control characters escaped, cut to about 80 characters) and names the character at fault.
The layer locates each path at its argument, ``--set #2 image.tag=1.20``, quoted the same
way: a location is printed as it is, and a value may hold a newline or an escape sequence.

:func:`format_set` writes values back in the grammar (one argument per kind), so that
parsing its output gives the same paths and values.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pytemplar.errors import Location, UsageError, escape_control
from pytemplar.values import SECRET_MASK, ValuePath, ValuesLayer, format_path
from pytemplar.yamlio import MAX_DEPTH, resolve_plain
from pytemplar.yamlout import scalar_text

SetKind = Literal["set", "set-string", "set-json", "set-file"]
SET_KINDS: tuple[SetKind, ...] = ("set", "set-string", "set-json", "set-file")

MAX_INDEX = 65536
MAX_PATH_PARTS = 30
MAX_KEY = 1024  # characters in one key: YAML's limit for a plain key
MAX_ARGUMENT = 1024 * 1024
MAX_JSON_DEPTH = MAX_DEPTH
LAYER_SOURCE = "command line"

_SHOWN = 80  # characters of an argument quoted in a message

_HINTS: dict[str, str] = {
    "set": "write --set key.sub=value, key[0]=value or key={a,b}",
    "set-string": "write --set-string key.sub=value, key[0]=value or key={a,b}",
    "set-json": """write --set-json 'key.sub=JSON', e.g. 'key={"a":[1,2]}' or 'key="text"'""",
    "set-file": "write --set-file key.sub=FILE, or key.sub=FILE,other=FILE2",
}
_ESCAPE_HINT = "write a backslash before . , = [ ] { or \\ to use it as text: kubernetes\\.io/os=linux"

# Runs of characters that need no attention; the reader handles the rest one by one.
_KEY_PLAIN = re.compile(r"[^\\=.\[\],]+")
_VALUE_PLAIN = re.compile(r"[^\\,]+")
_ITEM_PLAIN = re.compile(r"[^\\,}]+")
_INDEX_TEXT = re.compile(r"[^\]=,]*")
_INDEX = re.compile(r"-?[0-9]+\Z")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
# Compiled on first use (_compiled): a class with surrogates becomes a 64K-entry table, 0.4 ms of a
# render given --set, and ASCII text, nearly every argument, holds none; the three below are for
# printing values back. tests/properties/test_setargs_pattern_properties.py checks the shortcuts.
_UNREADABLE = "[\x00\ud800-\udfff]"
_SURROGATE = "[\ud800-\udfff]"

_KEY_SPECIAL = r"[\\.,=\[\]]"
_VALUE_SPECIAL = r"[\\,]"
_ITEM_SPECIAL = r"[\\,}]"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _unreadable_at(text: str) -> int | None:
    """Where ``text`` first holds a NUL or a lone surrogate (``_UNREADABLE``), or None."""
    if text.isascii():
        at = text.find("\x00")
        return at if at >= 0 else None
    found = _compiled(_UNREADABLE).search(text)
    return found.start() if found else None


def _has_surrogate(text: str) -> bool:
    return not text.isascii() and _compiled(_SURROGATE).search(text) is not None


@dataclass(frozen=True)
class SetValue:
    """One ``path=value`` pair of a ``--set*`` argument."""

    path: ValuePath  # e.g. ("image", "tag") or ("list", 0, "name")
    value: Any  # typed value
    raw: str  # the value as written (escapes and braces kept); for --set-file the file name
    argument: str  # the whole argument as given, e.g. "image.tag=1.20"
    kind: SetKind
    number: int  # 1-based position of the argument among all --set* arguments of the command

    @property
    def location(self) -> Location:
        """Where messages say this value came from: ``--set #2 image.tag=1.20``."""
        return Location(f"--{self.kind} #{self.number} {_shown(self.argument)}")


def _visible(text: str) -> str:
    # A quoted argument stays on one line; lone surrogates cannot be printed as UTF-8 at all.
    text = escape_control(text).replace("\n", "\\n").replace("\t", "\\t")
    if text.isascii():
        return text
    return _compiled(_SURROGATE).sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _shown(text: str) -> str:
    """An argument as quoted in messages: short, and unable to drive the terminal."""
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 1] + "…"
    return _visible(text)


def _fail(kind: str, text: str, what: str, at: int | None, hint: str | None = None) -> UsageError:
    where = ""
    if at is not None:
        where = f" at character {at + 1}"
        if len(text) > _SHOWN and at >= _SHOWN - 1:  # the quote stops before the fault: show around it
            start, end = max(0, at - 15), min(len(text), at + 15)
            near = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
            where += f" (near '{_visible(near)}')"
    return UsageError(f"--{kind} '{_shown(text)}': {_visible(what)}{where}", hint=hint or _HINTS[kind])


def _brief(text: str, size: int = 20) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


class _JsonRefused(ValueError):
    """Valid JSON syntax that pytemplar still refuses (NaN, duplicate keys, ...)."""


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _JsonRefused(f"duplicate key '{_brief(key)}' in a JSON object")
        if "\x00" in key:
            raise _JsonRefused("a JSON object key holds a NUL character")
        result[key] = value
    return result


def _json_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _JsonRefused(f"the number {_brief(text)} is too large")
    return value


def _json_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # beyond the digits Python converts (sys.get_int_max_str_digits)
        raise _JsonRefused(f"the number {_brief(text)} has too many digits") from None


def _json_constant(text: str) -> Any:
    raise _JsonRefused(f"{text} is not a JSON number")


_JSON = json.JSONDecoder(
    object_pairs_hook=_json_pairs,
    parse_float=_json_float,
    parse_int=_json_int,
    parse_constant=_json_constant,
    strict=True,
)


def _check_json(value: Any) -> str | None:
    """Why a decoded JSON value is refused, or None: nesting depth and lone surrogates."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if _has_surrogate(node):
                return "a JSON string holds a lone surrogate (\\ud800-\\udfff), which is not text"
        elif isinstance(node, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                return f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
            items = [*node.keys(), *node.values()] if isinstance(node, dict) else node
            stack.extend((item, depth + 1) for item in items)
    return None


@dataclass
class _Pair:
    path: ValuePath
    value: Any
    raw: str


class _Reader:
    """Reads one argument left to right; ``pos`` is the index of the next character."""

    def __init__(self, text: str, kind: SetKind) -> None:
        self.text = text
        self.kind = kind
        self.pos = 0

    def fail(self, what: str, at: int | None, hint: str | None = None) -> UsageError:
        return _fail(self.kind, self.text, what, at, hint)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def run(self, plain: re.Pattern[str]) -> str:
        """Text up to the next character ``plain`` stops at, with backslash escapes applied."""
        text = self.text
        parts: list[str] = []
        while True:
            found = plain.match(text, self.pos)
            if found:
                parts.append(found.group())
                self.pos = found.end()
            if self.pos < len(text) and text[self.pos] == "\\":
                if self.pos + 1 == len(text):
                    raise self.fail("trailing backslash", self.pos, _ESCAPE_HINT)
                parts.append(text[self.pos + 1])
                self.pos += 2
                continue
            return "".join(parts)

    def pairs(self) -> list[_Pair]:
        found: list[_Pair] = []
        while True:
            path = self.path()
            start = self.pos
            value = self.value()
            found.append(_Pair(path, value, self.raw(start)))
            if self.pos >= len(self.text):
                return found
            self.pos += 1  # the ',' that every value reader stops at
            if self.pos == len(self.text):
                raise self.fail("nothing after the last ','", self.pos - 1)

    def raw(self, start: int) -> str:
        if self.kind == "set-json":
            return self.text[start : self.pos].strip(" \t\n\r")
        return self.text[start : self.pos]

    def path(self) -> ValuePath:
        parts: list[str | int] = []
        while True:  # at the start of a key
            start = self.pos
            key = self.run(_KEY_PLAIN)
            if not key:
                if self.peek() == "]":
                    raise self.fail("unexpected ']'", self.pos, _ESCAPE_HINT)
                if not parts and self.peek() == "[":
                    raise self.fail("a path starts with a key, not a list index", start)
                if self.pos == len(self.text):
                    raise self.fail("missing key and '=value' after the '.'", start - 1)
                raise self.fail("empty key", start)
            self.add_part(parts, key, start)
            while True:  # at the character after a key or a ']'
                char = self.peek()
                if char == "=":
                    self.pos += 1
                    return tuple(parts)
                if char == ".":
                    self.pos += 1
                    break
                if char == "[":
                    at = self.pos
                    self.add_part(parts, self.index(), at)
                    char = self.peek()
                    if char and char not in "=.[,]":
                        raise self.fail(f"unexpected '{char}' after ']'", self.pos)
                    continue
                if char == "]":
                    raise self.fail("unexpected ']'", self.pos, _ESCAPE_HINT)
                raise self.fail("missing '='", self.pos)  # a ',' or the end

    def add_part(self, parts: list[str | int], part: str | int, at: int) -> None:
        if isinstance(part, str) and len(part) > MAX_KEY:
            raise self.fail(f"a key longer than {MAX_KEY} characters", at)
        parts.append(part)
        if len(parts) > MAX_PATH_PARTS:
            raise self.fail(f"path nested deeper than {MAX_PATH_PARTS} levels", at)

    def index(self) -> int:
        opened = self.pos
        found = _INDEX_TEXT.match(self.text, opened + 1)
        assert found is not None  # the pattern matches the empty string
        end = found.end()
        if end >= len(self.text) or self.text[end] != "]":
            raise self.fail("unclosed '['", opened)
        content = found.group()
        self.pos = end + 1
        if not content:
            raise self.fail("empty list index", opened + 1)
        if not _INDEX.match(content):
            raise self.fail(f"list index '{_brief(content)}' is not a number", opened + 1)
        if content[0] == "-":
            raise self.fail(f"negative list index {_brief(content)}", opened + 1)
        # Compare the length first: int() refuses more than 4,300 digits.
        if len(content.lstrip("0")) > len(str(MAX_INDEX)) or int(content) > MAX_INDEX:
            raise self.fail(f"list index {_brief(content)} is larger than {MAX_INDEX}", opened + 1)
        return int(content)

    def value(self) -> Any:
        if self.kind == "set-json":
            return self.json_value()
        if self.kind == "set-file":
            start = self.pos
            name = self.run(_VALUE_PLAIN)
            if not name:
                raise self.fail("empty file name", start)
            return name
        if self.peek() == "{":
            return self.list_value()
        start = self.pos
        return self.scalar(self.run(_VALUE_PLAIN), start)

    def scalar(self, text: str, at: int) -> Any:
        if self.kind == "set-string" or not text:  # Helm reads 'a=' as "", not null
            return text
        try:
            return resolve_plain(text)
        except ValueError:  # an integer longer than Python converts
            raise self.fail(
                f"the number {_brief(text)} has too many digits", at, "use --set-string to pass it as text"
            ) from None

    def list_value(self) -> list[Any]:
        opened = self.pos
        self.pos += 1
        items: list[Any] = []
        if self.peek() == "}":
            self.pos += 1
        else:
            while True:
                start = self.pos
                items.append(self.scalar(self.run(_ITEM_PLAIN), start))
                char = self.peek()
                self.pos += 1
                if char == "}":
                    break
                if not char:
                    raise self.fail("unclosed '{'", opened, "close the list with '}', or write \\{ if it is text")
        char = self.peek()
        if char and char != ",":
            raise self.fail(f"unexpected '{char}' after '}}'", self.pos, "write items as {a,b}; write \\{ for text")
        return items

    def json_value(self) -> Any:
        space = _JSON_SPACE.match(self.text, self.pos)
        assert space is not None  # the pattern matches the empty string
        start = space.end()
        if start == len(self.text) or self.text[start] == ",":
            self.pos = start
            return None  # Helm reads an empty --set-json value as null
        try:
            value, end = _JSON.raw_decode(self.text, start)
        except json.JSONDecodeError as exc:
            # Python's messages end in "at" ("Invalid control character at"): the position follows.
            raise self.fail(f"invalid JSON: {exc.msg.removesuffix(' at')}", exc.pos) from None
        except _JsonRefused as exc:
            raise self.fail(f"invalid JSON value: {exc}", start) from None
        except ValueError as exc:  # nothing else is known to raise it; keep it a usage error anyway
            raise self.fail(f"invalid JSON value: {exc}", start) from None
        except RecursionError:
            raise self.fail(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", start) from None
        refused = _check_json(value)
        if refused:
            raise self.fail(refused, start)
        space = _JSON_SPACE.match(self.text, end)
        assert space is not None
        self.pos = space.end()
        char = self.peek()
        if char and char != ",":
            raise self.fail(
                "unexpected text after the JSON value", self.pos, """one JSON value per key; quote text: 'key="a b"'"""
            )
        return value


def parse_set_argument(
    text: str, kind: SetKind, number: int, read_file: Callable[[str], str] | None = None
) -> list[SetValue]:
    """The ``path=value`` pairs of one ``--<kind>`` argument, in order.

    ``number`` is the argument's 1-based position among all ``--set*`` arguments; for
    ``--set-file`` ``read_file(name)`` returns a file's text (its errors pass through).
    Raises :class:`UsageError` for anything malformed.
    """
    if kind not in SET_KINDS:
        raise ValueError(f"unknown --set kind {kind!r}")
    if len(text) > MAX_ARGUMENT:
        raise _fail(
            kind,
            text,
            f"argument longer than 1 MiB ({len(text):,} characters)",
            None,
            "put large values in a values file, or pass text with --set-file",
        )
    if not text:
        raise _fail(kind, text, "no key=value pair", None)
    unreadable = _unreadable_at(text)
    if unreadable is not None:
        what = "NUL byte" if text[unreadable] == "\x00" else "text that is not valid UTF-8"
        raise _fail(kind, text, what, unreadable)
    pairs = _Reader(text, kind).pairs()
    if kind == "set-file":
        if read_file is None:
            raise _fail(kind, text, "files cannot be read here", None, "pass the value with --set-string instead")
        return [SetValue(p.path, read_file(p.value), p.value, text, kind, number) for p in pairs]
    return [SetValue(p.path, p.value, p.raw, text, kind, number) for p in pairs]


# -- the values layer -------------------------------------------------------------------------------


class _Hole:
    """A list item skipped by an index; none may be left once every argument is applied."""

    def __repr__(self) -> str:
        return "<hole>"


_HOLE = _Hole()
_MISSING = object()


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part, _MISSING)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return _MISSING


def _lookup(data: Any, path: ValuePath) -> Any:
    node = data
    for part in path:
        node = _child(node, part)
        if node is _MISSING:
            break
    return node


def _subpaths(value: Any, path: ValuePath) -> list[ValuePath]:
    """``path`` and the path of every node inside ``value``."""
    found: list[ValuePath] = []
    stack: list[tuple[Any, ValuePath]] = [(value, path)]
    while stack:
        node, at = stack.pop()
        found.append(at)
        if isinstance(node, dict):
            stack.extend((child, (*at, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*at, index)) for index, child in enumerate(node))
    return found


def _value_texts(raw: str) -> str | list[str]:
    """How --set-string reads ``raw``: the text of a --set scalar or list items before typing."""
    reader = _Reader(raw, "set-string")
    value: str | list[str] = reader.value()
    return value


class _LayerBuilder:
    def __init__(self, labels: dict[int, Location] | None = None) -> None:
        self.labels = labels or {}  # argument number -> its label with secrets masked
        self.data: dict[str, Any] = {}
        self.locations: dict[ValuePath, Location] = {}
        self.raw_texts: dict[ValuePath, str] = {}
        self.holes: dict[ValuePath, SetValue] = {}

    def add(self, item: SetValue) -> None:
        path = item.path
        if not path or not isinstance(path[0], str):
            raise ValueError(f"a --set path starts with a key, not {path!r}")
        where = self.label(item)
        node: Any = self.data
        for depth in range(len(path) - 1):
            here = path[: depth + 1]
            wanted = dict if isinstance(path[depth + 1], str) else list
            child = _child(node, path[depth])
            if not isinstance(child, wanted):
                child = wanted()
                self.put(node, path[depth], child, here, item)
                self.locations[here] = where
            else:
                self.locations.setdefault(here, where)
            node = child
        self.assign(node, path[-1], copy.deepcopy(item.value), path, item)
        if item.kind == "set":
            self.record_texts(item)

    def label(self, item: SetValue) -> Location:
        return self.labels.get(item.number) or item.location

    def assign(self, node: Any, part: str | int, value: Any, path: ValuePath, item: SetValue) -> None:
        existing = _child(node, part)
        if isinstance(value, dict) and isinstance(existing, dict):
            # A later map merges into an earlier one, as a higher values layer does.
            self.locations.setdefault(path, self.label(item))
            for key, child in value.items():
                self.assign(existing, key, child, (*path, key), item)
            return
        self.put(node, part, value, path, item)
        where = self.label(item)
        for at in _subpaths(value, path):
            self.locations[at] = where

    def put(self, node: Any, part: str | int, value: Any, path: ValuePath, item: SetValue) -> None:
        """Set ``node[part]``, forgetting what was recorded at and below ``path``."""
        old = _child(node, part)
        if isinstance(node, dict):
            node[part] = value
        else:
            assert isinstance(part, int)
            for index in range(len(node), part):
                node.append(_HOLE)
                self.holes[(*path[:-1], index)] = item
            if part == len(node):
                node.append(value)
            else:
                node[part] = value
        if old is not _MISSING:
            # Only paths that exist are recorded, so the old value names every stale entry;
            # walking it rather than the tables keeps large --set-json merges linear.
            for stale in _subpaths(old, path):
                self.locations.pop(stale, None)
                self.raw_texts.pop(stale, None)

    def record_texts(self, item: SetValue) -> None:
        """The text of each --set number or boolean, for where the schema wants a string."""
        try:
            texts = _value_texts(item.raw)
        except UsageError:  # a SetValue not made by parse_set_argument: no source text to keep
            return
        if isinstance(item.value, list) and isinstance(texts, list) and len(texts) == len(item.value):
            for index, (value, text) in enumerate(zip(item.value, texts, strict=True)):
                if value is not None and not isinstance(value, str):
                    self.raw_texts[(*item.path, index)] = text
        elif item.value is not None and not isinstance(item.value, (str, list)) and isinstance(texts, str):
            self.raw_texts[item.path] = texts

    def check_holes(self) -> None:
        for path, item in self.holes.items():
            if _lookup(self.data, path) is _HOLE:
                key = format_path_argument(path[:-1])
                raise UsageError(
                    f"{format_path(path)} is not set: an index in --{item.kind} starts a new list, "
                    "which would hold null there",
                    location=self.label(item),
                    hint=f"set every item from [0] up, or the whole list with --set-json '{key}=[...]'; "
                    "the list replaces the one in the values files",
                )


def _holds_secret(item: SetValue, is_secret: Callable[[ValuePath], bool]) -> bool:
    return any(is_secret(path) for path in _subpaths(item.value, item.path))


def masked_labels(values: Sequence[SetValue], is_secret: Callable[[ValuePath], bool]) -> dict[int, Location]:
    """The labels of the arguments that hold a secret, each secret value shown as ``<secret>``:
    ``--set #1 user=admin,password=<secret>``."""
    by_number: dict[int, list[SetValue]] = {}
    for item in values:
        by_number.setdefault(item.number, []).append(item)
    labels: dict[int, Location] = {}
    for number, items in by_number.items():
        if any(_holds_secret(item, is_secret) for item in items):
            pairs = (
                f"{format_path_argument(item.path)}={SECRET_MASK if _holds_secret(item, is_secret) else item.raw}"
                for item in items
            )
            labels[number] = Location(f"--{items[0].kind} #{number} {_shown(','.join(pairs))}")
    return labels


def set_layer(values: Sequence[SetValue], is_secret: Callable[[ValuePath], bool] | None = None) -> ValuesLayer:
    """The values layer of the command line: ``values`` applied in order, later ones winning.

    Each path (and everything under it) is located at the argument that set it, e.g.
    ``--set #2 image.tag=1.20``; an argument holding a value ``is_secret`` says is secret is
    shown with that value masked. Raises :class:`UsageError` for a list left with a gap.
    """
    builder = _LayerBuilder(masked_labels(values, is_secret) if is_secret is not None else None)
    for item in values:
        builder.add(item)
    builder.check_holes()
    key_locations = {path: where for path, where in builder.locations.items() if isinstance(path[-1], str)}
    return ValuesLayer("set", LAYER_SOURCE, builder.data, builder.locations, key_locations, builder.raw_texts)


# -- printing values back -----------------------------------------------------------------------------


def _escape(pattern: str, text: str) -> str:
    return _compiled(pattern).sub(lambda m: "\\" + m.group(), text)


def format_path_argument(path: ValuePath) -> str:
    """A path in the --set grammar: ``nodeSelector.kubernetes\\.io/os``, ``list[0].name``."""
    if not path or not isinstance(path[0], str):
        raise ValueError(f"a --set path starts with a key, not {path!r}")
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + _escape(_KEY_SPECIAL, part)
    return text


def _scalar_text(value: Any, kind: SetKind) -> str:
    if kind == "set-string":
        if not isinstance(value, str):
            raise ValueError(f"--set-string values are text, not {type(value).__name__}")
        return value
    if value is None or isinstance(value, (bool, int, float)):
        return scalar_text(value)  # written as YAML writes it, which --set reads back the same
    if isinstance(value, str):
        try:
            read = value if value == "" else resolve_plain(value)
        except ValueError:
            read = 0  # a number too long to convert; --set refuses it
        if not isinstance(read, str):
            raise ValueError(f"--set reads {_brief(value)!r} as {type(read).__name__}; use --set-string")
        return value
    raise ValueError(f"--set cannot write a {type(value).__name__}; use --set-json")


def _value_argument(item: SetValue) -> str:
    if item.kind == "set-json":
        return json.dumps(item.value, ensure_ascii=False, allow_nan=False)
    if item.kind == "set-file":
        return _escape(_VALUE_SPECIAL, item.raw)
    if isinstance(item.value, list):
        if item.value == [""]:
            raise ValueError("the list [''] has no --set form ({} is the empty list)")
        return "{" + ",".join(_escape(_ITEM_SPECIAL, _scalar_text(v, item.kind)) for v in item.value) + "}"
    text = _escape(_VALUE_SPECIAL, _scalar_text(item.value, item.kind))
    return "\\" + text if text.startswith("{") else text


def format_set(values: Sequence[SetValue]) -> str:
    """``values`` written back as one argument of their kind: ``a.b=1,c={x,y}``.

    Parsing the result gives the same paths and values. Raises ValueError for values of
    several kinds and for values the kind cannot express (a string ``"true"`` with --set).
    """
    kinds = {item.kind for item in values}
    if len(kinds) > 1:
        raise ValueError(f"values of several kinds cannot share one argument: {sorted(kinds)}")
    return ",".join(f"{format_path_argument(item.path)}={_value_argument(item)}" for item in values)
