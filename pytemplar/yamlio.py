"""Reading YAML: the home of ruamel.yaml on the read path.

Files are parsed into events by libyaml (through ruamel.yaml's C extension when it is
installed) and turned into plain Python data here, with an explicit stack rather than
recursion, under pytemplar's own rules:

* YAML 1.2 core schema: ``yes``/``no``/``on`` are strings, ``012`` is 12, dates stay strings;
* only the core tags (``!!str`` ``!!int`` ``!!float`` ``!!bool`` ``!!null`` ``!!map`` ``!!seq``);
* keys are strings and unique; merge keys (``<<``) follow the spec's precedence;
* bounded nesting depth, alias count and alias expansion (no billion laughs);
* optionally, a :class:`Location` for every path, which is what error messages cite.

A round-trip load is far slower; it is kept for files that are edited in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Literal

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from pytemplar.errors import Location, PytemplarError, YamlError
from pytemplar.records import field, record


def python_parser(text: str) -> Any:
    """ruamel.yaml's pure-Python YAML 1.2 parser over ``text``: the same events as libyaml's
    (imported on first use: only rare inputs need it)."""
    from ruamel.yaml.parser import Parser
    from ruamel.yaml.reader import Reader
    from ruamel.yaml.scanner import Scanner

    class PythonParser(Reader, Scanner, Parser):
        processing_version = (1, 2)

        def __init__(self, stream: str) -> None:
            # ruamel's parts find each other through the loader: here, this one object.
            self._reader = self._scanner = self._parser = self._resolver = self
            Reader.__init__(self, stream, loader=self)
            Scanner.__init__(self, loader=self)
            Parser.__init__(self, loader=self)

    return PythonParser(text)


try:  # libyaml's parser is ~30x faster than the pure-Python one
    from _ruamel_yaml_clibz import CParser as _Parser

    FAST_PARSER = True
except ImportError:  # pragma: no cover - exercised only where the extension is missing
    _Parser = python_parser
    FAST_PARSER = False


Path_ = tuple[str | int, ...]

MAX_DEPTH = 100
MAX_ALIASES = 1000
MAX_EXPANDED_NODES = 1_000_000
MAX_LOCATION_COPIES = 100_000  # locations copied under aliases, per document

_CORE = "tag:yaml.org,2002:"
_MERGE = "<<"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# The core schema's integers, floats, octals, hexadecimals, infinities and NaNs are told by string
# tests, equivalent to its patterns (tests/properties/test_yaml_scalar_properties.py): compiling
# the patterns cost a one-release render ~0.45 ms.
_OCTAL_DIGITS = frozenset("01234567")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_INFINITIES = frozenset(sign + dot for sign in ("", "+", "-") for dot in (".inf", ".Inf", ".INF"))
_NANS = frozenset({".nan", ".NaN", ".NAN"})
# First characters that a plain YAML 1.2 scalar needs to start with to be anything but a string.
_MAYBE_TYPED = frozenset("0123456789+-.~tTfFnN")
_HELM_SUSPECT = frozenset("yYnNoO0123456789+-.")
_SCALAR_TAGS: dict[str, type | tuple[type, ...]] = {"int": int, "float": (float, int), "bool": bool, "null": type(None)}


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar under the YAML 1.2 core schema."""
    if not text or text[0] in _MAYBE_TYPED:
        if text in _NULLS:
            return None
        if text in _BOOLS:
            return _BOOLS[text]
        if is_decimal(text, signed=True):
            return int(text, 10)
        if is_float(text):
            return float(text)
        prefix, digits = text[:2], text[2:]
        if prefix == "0o" and digits and _OCTAL_DIGITS.issuperset(digits):
            return int(digits, 8)
        if prefix == "0x" and digits and _HEX_DIGITS.issuperset(digits):
            return int(digits, 16)
        if text in _INFINITIES:
            return float("-inf") if text[0] == "-" else float("inf")
        if text in _NANS:
            return float("nan")
    return text


def is_decimal(text: str, *, signed: bool = False) -> bool:
    """Whether ``text`` is ASCII digits (``[0-9]+``), after one sign when ``signed`` (``[-+]?[0-9]+``)."""
    digits = text[1:] if signed and text[:1] in ("-", "+") else text
    return digits.isascii() and digits.isdigit()  # isdigit() alone also takes other scripts' digits


def is_float(text: str) -> bool:
    """Whether ``text`` is a float of the core schema: ``[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?\\Z``
    from its start."""
    unsigned = text[1:] if text[:1] in ("-", "+") else text
    mantissa, e, exponent = unsigned.replace("E", "e").partition("e")
    if e and not is_decimal(exponent, signed=True):
        return False
    whole, dot, fraction = mantissa.partition(".")
    if not (dot and fraction):
        return whole.isascii() and whole.isdigit()
    return fraction.isascii() and fraction.isdigit() and (not whole or (whole.isascii() and whole.isdigit()))


# How kubectl and the API server read a plain scalar (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1
# style): y/yes/on are true, a leading 0 is octal, 0o/0b/0x prefixes and '_' between digits are
# numbers, there are no sexagesimal numbers and dates stay text.
_KUBE_WORDS: dict[str, Any] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
}
_KUBE_NOT_JSON = frozenset(
    (".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF")
)
# Compiled on first use: most integers in manifests are plain decimals, told without it.
_KUBE_INT = r"[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z"
_KUBE_MAYBE_TYPED = frozenset("0123456789+-.~yYnNtTfFoO")
_INT64 = (-(2**63), 2**63 - 1)


class NotJsonError(ValueError):
    """A plain scalar Kubernetes reads as a value JSON cannot hold (NaN, infinity)."""


def resolve_kubernetes(text: str) -> Any:
    """The value kubectl takes an untagged plain scalar for, as it would send it in JSON.

    A float with an integral value is the integer JSON carries (``1e3`` is 1000); NaN and infinity
    raise :class:`NotJsonError`, as kubectl refuses them.
    """
    if text in _KUBE_WORDS:
        return _KUBE_WORDS[text]
    if text in _KUBE_NOT_JSON:
        raise NotJsonError(text)
    first = text[0]
    if first == ".":
        return _json_number(float(text)) if is_float(text) else text  # the core schema's floats
    if first not in "0123456789+-":
        return text
    plain = text.replace("_", "")
    if (is_decimal(plain) and (plain[0] != "0" or len(plain) == 1)) or re.match(_KUBE_INT, plain):
        sign, digits = (-1, plain[1:]) if plain[0] == "-" else (1, plain.lstrip("+"))
        value = sign * _int_of(digits)
        if _INT64[0] <= value <= _INT64[1] or (0 <= value < 2**64 and plain[0] != "+"):
            return value
        return _json_number(float(value))
    if is_float(plain):
        return _json_number(float(plain))
    return text


def _int_of(digits: str) -> int:
    prefix = digits[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        return int(digits[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    return int(digits, 8) if digits.startswith("0") and len(digits) > 1 else int(digits)


def _json_number(value: float) -> Any:
    return int(value) if value.is_integer() else value


RESOLVERS = {"core": (resolve_plain, _MAYBE_TYPED), "kubernetes": (resolve_kubernetes, _KUBE_MAYBE_TYPED)}
"""How plain scalars are read: ``core`` is YAML 1.2 (values files, pytemplar's own files),
``kubernetes`` is how kubectl reads manifests (rendered templates, ``validate -f`` input)."""


def show_tag(tag: str) -> str:
    """A tag as users write it: ``!!set`` rather than ``tag:yaml.org,2002:set``."""
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


@record(frozen=False)
class YamlDocument:
    """One YAML document as plain data, with the location of each value when tracked."""

    data: Any
    path: str
    line: int
    locations: dict[Path_, Location] = field(default_factory=dict)  # where each value starts
    key_locations: dict[Path_, Location] = field(default_factory=dict)  # where each map key is
    raw_texts: dict[Path_, str] = field(default_factory=dict)  # source text of unquoted non-strings
    raw_keys: dict[Path_, str] = field(default_factory=dict)  # unquoted keys YAML 1.1 may read otherwise

    def location_of(self, path: Path_) -> Location:
        """The location of ``path``, of its nearest ancestor that has one, or the document's."""
        for end in range(len(path), -1, -1):
            found = self.locations.get(path[:end])
            if found is not None:
                return found
        return Location(self.path, self.line)

    def key_location_of(self, path: Path_) -> Location:
        """Where the key at the end of ``path`` is written (for errors about the key itself)."""
        return self.key_locations.get(path) or self.location_of(path)


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = (
        "anchor",
        "is_map",
        "key",
        "key_event",
        "keys",
        "merge",
        "merge_entries",
        "path",
        "start_count",
        "start_entries",
        "value",
    )

    def __init__(self, is_map: bool, path: Path_, anchor: str | None, start_count: int, start_entries: int) -> None:
        self.is_map = is_map
        self.value: Any = {} if is_map else []
        self.path = path
        self.anchor = anchor
        self.start_count = start_count
        self.start_entries = start_entries  # where this node's locations start in _Builder.entries
        self.merge_entries = 0
        self.key: str | None = None  # the key whose value comes next (maps)
        self.key_event: Any = None
        self.keys: dict[str, int] = {}  # key -> line, for duplicate errors
        self.merge: Any = None  # the value of '<<', applied when the map ends


@record
class ScalarRewriter:
    """Rewrites each scalar event whose text holds ``marker`` (in place) before it is built: how
    the template engine puts values where the parser found their tokens (``templating/slots.py``).
    Only scalars are looked at, and only their text is searched: other events cost nothing."""

    marker: str
    rewrite: Callable[[Any], None]
    # The value a plain, untagged scalar with this text stands for as a whole, or NOT_WHOLE: what
    # ``rewrite`` would make the builder read from it, without copying the event (optional).
    whole: Callable[[str], Any] | None = None


NOT_WHOLE: Any = object()


class _Builder:
    """Builds one document from parser events, enforcing the rules in the module docstring."""

    def __init__(self, path: str, track: bool, resolver: str = "core", rewriter: ScalarRewriter | None = None) -> None:
        self.rewriter = rewriter
        self.path = path
        self.track = track
        self.kubernetes = resolver == "kubernetes"
        self.resolve, self.maybe_typed = RESOLVERS[resolver]
        self.locations: dict[Path_, Location] = {}
        self.key_locations: dict[Path_, Location] = {}
        self.raw_texts: dict[Path_, str] = {}
        self.raw_keys: dict[Path_, str] = {}
        # anchor -> (value, nodes it expands to, its path, its slice of `entries`)
        self.anchors: dict[str, tuple[Any, int, Path_, int, int]] = {}
        # Every located path in the order located: an anchor's or merge's locations are a slice
        # of it, so copying them under an alias does not scan the whole document.
        self.entries: list[Path_] = []
        self.copies = 0
        self.stack: list[_Frame] = []
        self.aliases = 0
        self.expanded = 0

    def where(self, event: Any) -> Location:
        mark = event.start_mark
        return Location(self.path, mark.line + 1, mark.column + 1)

    def fail(self, message: str, event: Any, hint: str | None = None) -> YamlError:
        return YamlError(message, location=self.where(event), hint=hint)

    def here(self) -> Path_:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if frame.is_map:
            return (*frame.path, frame.key if frame.key is not None else "")
        return (*frame.path, len(frame.value))

    def build(self, parser: Any) -> tuple[Any, int]:
        """Consume the events of one document; return its data and first line."""
        # The hot loop of every load: scalars, the ends of collections and attaching values to
        # their parent are handled inline; rarer events go to methods.
        root: Any = None
        first_line = 0
        stack = self.stack
        track = self.track
        maybe_typed = self.maybe_typed
        get_event = parser.get_event
        marker, rewrite = (self.rewriter.marker, self.rewriter.rewrite) if self.rewriter else ("", None)
        while True:
            event = get_event()
            kind = type(event)
            if not first_line and kind is not DocumentEndEvent:
                first_line = event.start_mark.line + 1
            if kind is ScalarEvent:
                if rewrite is not None and marker in event.value:
                    event = _copied_scalar(event)  # the parser's event may be replayed (EventCache)
                    rewrite(event)
                frame = stack[-1] if stack else None
                if frame is not None and frame.is_map and frame.key is None:
                    self.take_key(event, frame)
                    continue
                if len(stack) > MAX_DEPTH:
                    raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", event)
                self.expanded += 1
                value = event.value
                # Quoted text and plain text that cannot be a number, bool or null are strings as
                # written (``ctag`` is the tag without the property that copies it).
                if event.ctag is not None or (event.implicit[0] and (not value or value[0] in maybe_typed)):
                    value = self.scalar(event)
                if track or event.anchor is not None:
                    self.note_scalar(event, value, frame)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                self.start_collection(event, kind is MappingStartEvent)
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                ended = stack.pop()
                if ended.is_map and ended.merge is not None:
                    self.apply_merge(ended)
                if ended.anchor is not None:
                    self.anchors[ended.anchor] = (
                        ended.value,
                        self.expanded - ended.start_count,
                        ended.path,
                        ended.start_entries,
                        len(self.entries),
                    )
                value = ended.value
            elif kind is DocumentEndEvent:
                return root, first_line
            elif kind is AliasEvent:
                value = self.alias(event)
            else:  # pragma: no cover - libyaml sends nothing else inside a document
                raise self.fail(f"unexpected YAML event {kind.__name__}", event)
            if not stack:
                root = value
            else:
                parent = stack[-1]
                if not parent.is_map:
                    parent.value.append(value)
                elif parent.merge is _PENDING_MERGE:  # the value of '<<', merged when the map ends
                    parent.merge = value
                    parent.key = None
                else:
                    parent.value[parent.key] = value
                    parent.key = None
            if self.expanded > MAX_EXPANDED_NODES:
                raise self.fail(f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes", event)

    def note_scalar(self, event: Any, value: Any, frame: _Frame | None) -> None:
        """Record where a scalar value is (when tracking) and the anchor it defines."""
        if frame is None:
            at: Path_ = ()
        elif frame.is_map:
            at = (*frame.path, frame.key if frame.key is not None else "")
        else:
            at = (*frame.path, len(frame.value))
        if self.track:
            self.locate(at, self.where(event))
            if value is not None and not isinstance(value, str):
                self.raw_texts[at] = event.value
            elif type(value) is str and value[:1] in _HELM_SUSPECT and event.implicit[0] and event.tag is None:
                self.raw_texts[at] = value  # a plain string Helm's YAML 1.1 may read otherwise (helm/yaml11.py)
        if event.anchor is not None:
            end = len(self.entries)
            self.anchors[event.anchor] = (value, 1, at, end - 1 if self.track else end, end)

    def take_key(self, event: Any, frame: _Frame) -> None:
        text = event.value
        if event.ctag is not None:
            key = self.scalar(event)
        elif not event.implicit[0]:  # quoted
            key = text
        elif text == _MERGE:
            if frame.merge is not None:
                raise self.fail(
                    "more than one merge key '<<' in this mapping",
                    event,
                    "list the maps to merge in one key: <<: [*a, *b]",
                )
            frame.key, frame.key_event, frame.merge = _MERGE, event, _PENDING_MERGE
            frame.merge_entries = len(self.entries)
            return
        elif text and text[0] not in self.maybe_typed:
            key = text
        else:
            key = self.scalar(event)
        if isinstance(key, (bool, int, float)) and _go_key_text(key) == text and _same_key_text(key, text):
            # The same text either way (8080, 1.5, true): a key is text in Kubernetes objects, and
            # Helm turns such a values key into that text too.
            key = text
        if self.kubernetes and isinstance(key, (bool, int, float)):
            # kubectl would silently send the key as the text of that value ("on" becomes "true").
            raise self.fail(
                f"key '{event.value}' is read by Kubernetes as {_go_key_text(key)}, not as the text '{event.value}'",
                event,
                f'quote it: "{event.value}":',
            )
        if self.track and not self.kubernetes and text[:1] in _HELM_SUSPECT and event.implicit[0] and type(key) is str:
            self.raw_keys[(*frame.path, key)] = text  # a plain key Helm's YAML 1.1 may read otherwise (helm/yaml11.py)
        if not isinstance(key, str):
            raise self.fail(
                f"key '{event.value}' is read as {type(key).__name__}, not a string",
                event,
                f'quote it: "{event.value}":',
            )
        keys = frame.keys
        if key in keys:
            raise self.fail(
                f"duplicate key '{key}' (first defined on line {keys[key]})", event, "remove one of the two"
            )
        keys[key] = event.start_mark.line + 1
        frame.key, frame.key_event = key, event
        if self.track:
            self.key_locations[(*frame.path, key)] = self.where(event)

    def start_collection(self, event: Any, is_map: bool) -> None:
        stack = self.stack
        parent = stack[-1] if stack else None
        if parent is not None and parent.is_map and parent.key is None:
            raise self.fail("keys must be strings, not collections", event)
        if len(stack) > MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", event)
        if event.ctag is not None:
            tag = event.tag
            if tag != "!" and tag != _CORE + ("map" if is_map else "seq"):
                raise self.fail(
                    f"tag '{show_tag(tag)}' is not allowed",
                    event,
                    "only the YAML core tags !!map and !!seq are accepted on collections",
                )
        # Paths are only needed for locations and for re-rooting them under aliases.
        if self.track:
            at = self.here()
            key_event = parent.key_event if parent is not None and parent.is_map else None
            self.locate(at, self.where(key_event if key_event is not None else event))
            start = len(self.entries) - 1
        else:
            at, start = (), 0
        stack.append(_Frame(is_map, at, event.anchor, self.expanded, start))
        self.expanded += 1

    def apply_merge(self, frame: _Frame) -> None:
        merge = frame.merge
        event = frame.key_event
        sources = merge if isinstance(merge, list) else [merge]
        if merge is _PENDING_MERGE or not all(isinstance(source, dict) for source in sources):
            raise self.fail("a merge key '<<' takes a mapping or a list of mappings", event)
        base: Path_ = (*frame.path, _MERGE)
        merged_entries = (frame.merge_entries, len(self.entries))
        # Spec precedence: keys written in the mapping win, then earlier maps over later ones.
        for index, source in enumerate(sources):
            source_path = (*base, index) if isinstance(merge, list) else base
            for key, value in source.items():
                if key not in frame.value:
                    frame.value[key] = value
                    if self.track:
                        self.reroot((*source_path, key), (*frame.path, key), merged_entries)
        if self.track:
            for path in self.entries[merged_entries[0] : merged_entries[1]]:
                if path[: len(base)] == base:
                    self.locations.pop(path, None)

    def locate(self, path: Path_, location: Location) -> None:
        if path not in self.locations:
            self.entries.append(path)
        self.locations[path] = location

    def reroot(self, old: Path_, new: Path_, entries: tuple[int, int]) -> None:
        """Copy the locations under ``old`` (found in ``entries``, a slice of ``self.entries``)
        to ``new``, up to a budget: past it, a value under an alias is located at the alias."""
        size = len(old)
        for path in self.entries[entries[0] : entries[1]]:
            location = self.locations.get(path)  # merge sources' own paths are dropped
            if location is None or path[:size] != old:
                continue
            if self.copies >= MAX_LOCATION_COPIES:
                return
            self.copies += 1
            target = (*new, *path[size:])
            if target not in self.locations:
                self.locate(target, location)

    def alias(self, event: Any) -> Any:
        name = event.anchor
        if any(frame.anchor == name for frame in self.stack):
            raise self.fail(f"recursive alias '*{name}': a node contains itself", event)
        found = self.anchors.get(name)
        if found is None:
            raise self.fail(f"alias '*{name}' refers to no anchor '&{name}' before it", event)
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise self.fail(f"more than {MAX_ALIASES} aliases", event)
        value, size, anchored_at, first, last = found
        self.expanded += size
        if self.expanded > MAX_EXPANDED_NODES:
            raise self.fail(f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes", event)
        if self.track:
            at = self.here()
            self.locate(at, self.where(event))
            self.reroot(anchored_at, at, (first, last))
        # A copy: objects that share an anchor must not share a dict a later edit changes.
        return _copied(value)

    def scalar(self, event: Any) -> Any:
        tag = event.tag
        text = event.value
        if tag is None:
            if not event.implicit[0]:
                return text  # quoted
            try:
                return self.resolve(text)
            except NotJsonError:
                raise self.fail(
                    f"'{text}' is read by Kubernetes as a number JSON cannot hold, which kubectl refuses",
                    event,
                    f'quote it if it is text: "{text}"',
                ) from None
            except ValueError as exc:  # an integer longer than Python converts
                raise self.fail(
                    f"the number {text[:20]}... has too many digits", event, "quote it if it is text"
                ) from exc
        if tag == "!" or tag == _CORE + "str":
            return text
        wanted = _SCALAR_TAGS.get(tag[len(_CORE) :]) if tag.startswith(_CORE) else None
        if wanted is None:
            raise self.fail(
                f"tag '{show_tag(tag)}' is not allowed",
                event,
                "only the YAML core tags !!str !!int !!float !!bool !!null are accepted",
            )
        try:
            value = self.resolve(text)
        except ValueError:
            value = text
        kind = tag[len(_CORE) :]
        if not isinstance(value, wanted) or (kind != "bool" and isinstance(value, bool)):
            raise self.fail(f"'{text}' is not a valid !!{kind}", event)
        return float(value) if kind == "float" else value  # type: ignore[arg-type]


def _same_key_text(key: bool | int | float, text: str) -> bool:
    # A float key stays as written only where Go's shortest form agrees (1.5, not 1000.0 or 1e3).
    return not isinstance(key, float) or ("." in text and not text.endswith("0") and "e" not in text.lower())


def _go_key_text(key: bool | int | float) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


_PENDING_MERGE = object()


def _copied(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is list:
        return [_copied(item) for item in value]
    return value


class _ScalarCopy(ScalarEvent):
    """A copy of a scalar event, made in one call (ruamel's events chain three ``__init__``)."""

    __slots__ = ()

    def __init__(self, event: Any) -> None:  # sets every slot itself
        self.start_mark = event.start_mark
        self.end_mark = event.end_mark
        self.comment = event.comment
        self.anchor = event.anchor
        self.ctag = event.ctag
        self.implicit = event.implicit
        self.value = event.value
        self.style = event.style


_copied_scalar = _ScalarCopy


class _Replay:
    """The events of a text parsed before, handed out again in order (see :class:`EventCache`)."""

    __slots__ = ("get_event",)

    def __init__(self, events: list[Any]) -> None:
        self.get_event = iter(events).__next__


class _Recording:
    """libyaml's parser over a text, keeping each event it hands out."""

    __slots__ = ("events", "parser")

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.events: list[Any] = []

    def get_event(self) -> Any:
        event = self.parser.get_event()
        self.events.append(event)
        return event

    def dispose(self) -> None:
        self.parser.dispose()


class EventCache:
    """libyaml's events of the texts read more than once, replayed instead of parsing again.

    A template renders the same text for many releases (their values are in slots, not in the
    text). Events depend on the text alone and the builder never changes one (a scalar it
    rewrites is copied first), so a replay builds what a parse would. A text is recorded on its
    second reading, and kept only when its whole stream parsed; at most ``max_events`` are kept
    (about 300 bytes each), so texts that never repeat cost a hash each."""

    def __init__(self, max_events: int = 50_000, max_seen: int = 100_000) -> None:
        self.max_events = max_events
        self.max_seen = max_seen
        self.size = 0
        self.seen: set[int] = set()  # hashes of texts read once
        self.events: dict[str, list[Any]] = {}
        self.skeletons: dict[tuple[str, str, str], _Skeleton | None] = {}

    def parser(self, text: str) -> Any:
        """What hands out the events of ``text``: a replay, or libyaml's parser (recording)."""
        found = self.events.get(text)
        if found is not None:
            return _Replay(found)
        parser = _Parser(text)
        key = hash(text)
        if key not in self.seen:
            if len(self.seen) >= self.max_seen:
                self.seen.clear()
            self.seen.add(key)
            return parser
        return _Recording(parser) if self.size < self.max_events else parser

    def keep(self, text: str, parser: Any) -> None:
        """Keep what ``parser`` recorded, now that it reached the end of ``text``'s stream."""
        if type(parser) is _Recording:
            self.events[text] = parser.events
            self.size += len(parser.events)

    def skeleton(self, text: str, resolver: str, marker: str) -> _Skeleton | None:
        """The documents of a kept text compiled (see :class:`_Skeleton`), or None when it is not
        kept or cannot be compiled."""
        found = self.events.get(text)
        if found is None:
            return None
        key = (text, resolver, marker)
        if key not in self.skeletons:
            self.skeletons[key] = _Skeleton.compile(found, resolver, marker)
        return self.skeletons[key]


# Nodes of a compiled document (tuples: made once per text, walked once per release):
_COPY, _HOLE, _MAP, _KEYED_MAP, _SEQ = range(5)


class _NotCompiled(Exception):
    """The text holds what only the builder handles (see :class:`_Skeleton`)."""


class _Skeleton:
    """The documents of a text whose scalars with the marker (slots) are holes, built again for each
    set of slot values without going through every event.

    Compiled from the text's events by the builder's own methods, and only for what needs no
    more than they give: no anchors, aliases, merge keys or tagged collections, every key outside
    the holes valid and unique. A part without holes is built once and copied; a hole is rewritten
    and read as the builder reads it; a map with a hole for a key checks its keys as the builder
    does, in order. What is refused here is built by the builder from the events (a text that has
    a problem without its values, too), so the data and the first problem are the builder's."""

    __slots__ = ("documents", "maybe_typed")

    def __init__(self, documents: list[tuple[Any, int]], maybe_typed: frozenset[str]) -> None:
        self.documents = documents  # (root node, first line)
        self.maybe_typed = maybe_typed

    @classmethod
    def compile(cls, events: list[Any], resolver: str, marker: str) -> _Skeleton | None:
        if len(events) > MAX_EXPANDED_NODES:
            return None
        compiler = _Compiler(events, _Builder("", False, resolver), marker)
        documents: list[tuple[Any, int]] = []
        try:
            while True:
                event = compiler.next()
                kind = type(event)
                if kind is StreamEndEvent:
                    return cls(documents, compiler.builder.maybe_typed)
                if kind is not DocumentStartEvent:
                    continue
                first = events[compiler.position]
                if type(first) is DocumentEndEvent:
                    root, line = (_COPY, None), 0
                else:
                    root, line = compiler.node(0), first.start_mark.line + 1
                compiler.next()  # the document's end
                documents.append((root, line or event.start_mark.line + 1))
        except (_NotCompiled, PytemplarError):
            return None

    def build(self, path: str, resolver: str, rewriter: ScalarRewriter | None) -> list[YamlDocument]:
        filler = _Filler(_Builder(path, False, resolver, rewriter), rewriter, self.maybe_typed)
        return [YamlDocument(filler.made(root), path, line, {}, {}, {}, {}) for root, line in self.documents]


class _Compiler:
    """Turns a text's events into the nodes of :class:`_Skeleton` (methods, not nested functions:
    a recursive closure is a reference cycle, which only the garbage collector frees)."""

    __slots__ = ("builder", "events", "marker", "position")

    def __init__(self, events: list[Any], builder: _Builder, marker: str) -> None:
        self.events = events
        self.builder = builder
        self.marker = marker
        self.position = 0

    def next(self) -> Any:
        event = self.events[self.position]
        self.position += 1
        return event

    def node(self, depth: int) -> Any:
        event = self.next()
        kind = type(event)
        marker, builder = self.marker, self.builder
        if kind is ScalarEvent:
            if event.anchor is not None or depth > MAX_DEPTH:
                raise _NotCompiled
            if marker and marker in event.value:
                return (_HOLE, event)
            value = event.value
            if event.ctag is not None or (event.implicit[0] and (not value or value[0] in builder.maybe_typed)):
                value = builder.scalar(event)
            return (_COPY, value)
        if kind is not MappingStartEvent and kind is not SequenceStartEvent:
            raise _NotCompiled  # an alias, or what libyaml does not send inside a document
        if event.anchor is not None or event.ctag is not None or depth > MAX_DEPTH:
            raise _NotCompiled
        if kind is SequenceStartEvent:
            items = []
            while type(self.events[self.position]) is not SequenceEndEvent:
                items.append(self.node(depth + 1))
            self.position += 1
            if all(item[0] == _COPY for item in items):
                return (_COPY, [item[1] for item in items])
            return (_SEQ, items)
        entries: list[tuple[str | None, Any, Any]] = []
        frame = _Frame(True, (), None, 0, 0)
        keyed = False
        while type(self.events[self.position]) is not MappingEndEvent:
            key_event = self.next()
            if type(key_event) is not ScalarEvent or key_event.anchor is not None:
                raise _NotCompiled
            if marker and marker in key_event.value:
                keyed = True
                entries.append((None, key_event, self.node(depth + 1)))
                continue
            if key_event.implicit[0] and key_event.ctag is None and key_event.value == _MERGE:
                raise _NotCompiled
            builder.take_key(key_event, frame)
            entries.append((frame.key, key_event, self.node(depth + 1)))
        self.position += 1
        if keyed:
            return (_KEYED_MAP, entries)
        if all(entry[2][0] == _COPY for entry in entries):
            return (_COPY, {key: value[1] for key, _event, value in entries})
        return (_MAP, [(key, value) for key, _event, value in entries])


class _Filler:
    """Builds a compiled document's nodes for one set of slot values (methods, not nested
    functions: a recursive closure is a reference cycle, which only the garbage collector frees)."""

    __slots__ = ("builder", "marker", "maybe_typed", "rewrite", "whole")

    def __init__(self, builder: _Builder, rewriter: ScalarRewriter | None, maybe_typed: frozenset[str]) -> None:
        self.builder = builder
        self.rewrite = rewriter.rewrite if rewriter is not None else None
        self.whole = rewriter.whole if rewriter is not None else None
        self.marker = rewriter.marker if rewriter is not None else ""
        self.maybe_typed = maybe_typed

    def hole(self, event: Any) -> Any:
        if self.whole is not None and event.ctag is None and event.implicit[0]:
            value = self.whole(event.value)  # most holes: one value, placed as it is
            if value is not NOT_WHOLE:
                return value
        event = _copied_scalar(event)
        if self.rewrite is not None:
            self.rewrite(event)
        value = event.value
        if event.ctag is not None or (event.implicit[0] and (not value or value[0] in self.maybe_typed)):
            value = self.builder.scalar(event)
        return value

    def made(self, node: Any) -> Any:
        kind = node[0]
        if kind == _COPY:
            return _copied(node[1])
        if kind == _HOLE:
            return self.hole(node[1])
        if kind == _MAP:
            return {key: self.made(value) for key, value in node[1]}
        if kind == _SEQ:
            return [self.made(item) for item in node[1]]
        data: dict[str, Any] = {}
        frame = _Frame(True, (), None, 0, 0)
        marker = self.marker
        for _key, key_event, value in node[1]:
            if marker and isinstance(key_event.value, str) and marker in key_event.value:
                key_event = _copied_scalar(key_event)
                if self.rewrite is not None:
                    self.rewrite(key_event)
            self.builder.take_key(key_event, frame)
            data[frame.key] = self.made(value)  # type: ignore[index]
        return data


def load_documents(
    text: str,
    path: str,
    *,
    track: bool = False,
    resolver: str = "core",
    rewriter: ScalarRewriter | None = None,
    parser_class: Callable[[str], Any] | None = None,
    events: EventCache | None = None,
) -> list[YamlDocument]:
    """Every document of a YAML stream (empty documents included, as ``None`` data); plain scalars
    are read by ``resolver`` (see ``RESOLVERS``).

    ``rewriter`` rewrites the scalars that hold its marker before they are built into data;
    ``parser_class`` replaces libyaml's parser (e.g. :func:`python_parser`); ``events`` replays
    the events of a text read before instead of parsing it again (libyaml's parser only)."""
    parser: Any = None
    documents: list[YamlDocument] = []
    if parser_class is not None:
        events = None
    if events is not None and not track:
        skeleton = events.skeleton(text, resolver, rewriter.marker if rewriter is not None else "")
        if skeleton is not None:
            return skeleton.build(path, resolver, rewriter)
    try:
        parser = events.parser(text) if events is not None else (parser_class or _Parser)(text)
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is StreamEndEvent:
                if events is not None:
                    events.keep(text, parser)
                break
            if kind is DocumentStartEvent:
                builder = _Builder(path, track, resolver, rewriter)
                data, line = builder.build(parser)
                documents.append(
                    YamlDocument(
                        data,
                        path,
                        line or event.start_mark.line + 1,
                        builder.locations,
                        builder.key_locations,
                        builder.raw_texts,
                        builder.raw_keys,
                    )
                )
    except MarkedYAMLError as exc:
        problem = exc.problem or "invalid YAML"
        mark = exc.problem_mark
        # libyaml's context helps when a scalar was left open ("while scanning a quoted scalar");
        # "while parsing a block mapping" only names the enclosing map, which is noise.
        if exc.context and exc.context_mark is not None and exc.context.startswith("while scanning"):
            start = exc.context_mark
            problem = f"{exc.context} at line {start.line + 1}, column {start.column + 1}: {problem}"
            if mark is None or "end of stream" in problem or exc.context == "while scanning a simple key":
                # The construct left open is the thing to fix; a key without its ':' is noticed
                # only on a later line, but the line to edit is the key's.
                mark = start
        location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        from pytemplar.hints import tab_hint

        tab = tab_hint(text, mark.line + 1, mark.column + 1) if mark else None
        if tab is not None:
            raise YamlError(f"invalid YAML: {tab[0]}", location=location, hint=tab[1]) from exc
        from pytemplar.hints import yaml_problem_hint

        hint = yaml_problem_hint(problem, text, mark.line + 1 if mark else 0)
        raise YamlError(f"invalid YAML: {problem}", location=location, hint=hint) from exc
    except YAMLError as exc:
        position = getattr(exc, "position", None)  # a reader error: a character YAML refuses
        if isinstance(position, int) and 0 <= position <= len(text):
            line = text.count("\n", 0, position) + 1
            column = position - (text.rfind("\n", 0, position) + 1) + 1
            character = getattr(exc, "character", None)
            if isinstance(character, str) and len(character) == 1:
                character = ord(character)
            what = f"the control character U+{character:04X}" if isinstance(character, int) else "a character"
            raise YamlError(
                f"invalid YAML: {what} is not allowed in YAML text",
                location=Location(path, line, column),
                hint="remove it, or write it as an escape inside double quotes (\\u0000)",
            ) from exc
        raise YamlError(f"invalid YAML: {exc}", location=Location(path)) from exc
    except UnicodeError as exc:  # lone surrogates cannot be handed to libyaml
        raise YamlError("invalid YAML: the text is not valid Unicode", location=Location(path)) from exc
    finally:
        dispose = getattr(parser, "dispose", None) if parser is not None else None
        if dispose is not None:
            dispose()
    return documents


def load_yaml(text: str, path: str, *, track: bool = True) -> YamlDocument:
    """A single-document YAML file; an empty file is an empty document (``None``)."""
    documents = load_documents(text, path, track=track)
    if len(documents) > 1:
        raise YamlError(
            "expected one YAML document, found more",
            location=Location(path, documents[1].line),
            hint="remove the '---' separator or split the file",
        )
    if not documents:
        return YamlDocument(None, path, 1)
    return documents[0]


def load_mapping(text: str, path: str, *, what: str = "this file") -> YamlDocument:
    """A single-document YAML file that must hold a mapping (empty counts as ``{}``)."""
    document = load_yaml(text, path)
    if document.data is None:
        document.data = {}
    elif not isinstance(document.data, dict):
        raise YamlError(
            f"{what} must be a mapping, not a {_kind(document.data)}",
            location=Location(path, document.line),
        )
    return document


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


# -- events with positions, for editing text in place -------------------------------------------------

EventKind = Literal["scalar", "alias", "map", "seq", "end", "document_end"]


@record
class Event:
    """One parse event of a YAML text, with where it is in the text.

    ``kind``: ``scalar``, ``alias``, ``map`` or ``seq`` (a collection starts), ``end`` (the
    innermost collection ends), ``document_end``. Positions are character indexes; ``line`` and
    ``column`` are 0-based. ``value`` is a scalar's text or the anchor an alias names; ``style``
    a scalar's (``""`` plain, ``'``, ``"``, ``|``, ``>``); ``flow`` is true for ``{...}`` and
    ``[...]``; ``explicit`` for a document end written as ``...``.
    """

    kind: EventKind
    start: int
    end: int
    line: int
    column: int
    anchor: str | None = None
    value: str | None = None
    style: str = ""
    flow: bool = False
    explicit: bool = False


_EVENT_KINDS: dict[type, EventKind] = {
    ScalarEvent: "scalar",
    AliasEvent: "alias",
    MappingStartEvent: "map",
    SequenceStartEvent: "seq",
    MappingEndEvent: "end",
    SequenceEndEvent: "end",
    DocumentEndEvent: "document_end",
}


def events(text: str) -> Iterator[Event]:
    """The events of ``text`` (read by the same parser as :func:`load_yaml`), up to its end.

    Meant for text already checked by :func:`load_yaml`; a YAML error is raised as ruamel's.
    """
    parser: Any = _Parser(text)
    try:
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is StreamEndEvent:
                return
            name = _EVENT_KINDS.get(kind)
            if name is None:
                continue
            start, end = event.start_mark, event.end_mark
            if name == "alias":
                yield Event(name, start.index, end.index, start.line, start.column, value=event.anchor)
            elif name == "scalar":
                style = event.style or ""
                yield Event(name, start.index, end.index, start.line, start.column, event.anchor, event.value, style)
            elif name in ("map", "seq"):
                flow = bool(event.flow_style)
                yield Event(name, start.index, end.index, start.line, start.column, event.anchor, flow=flow)
            else:
                explicit = bool(getattr(event, "explicit", False))
                yield Event(name, start.index, end.index, start.line, start.column, explicit=explicit)
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
