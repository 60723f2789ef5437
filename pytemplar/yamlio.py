"""Reading YAML: the home of ruamel.yaml on the read path.

Files are composed into nodes by libyaml (through ruamel.yaml's C extension when it is
installed) and turned into plain Python data here, under pytemplar's own rules:

* YAML 1.2 core schema: ``yes``/``no``/``on`` are strings, ``012`` is 12, dates stay strings;
* only the core tags (``!!str`` ``!!int`` ``!!float`` ``!!bool`` ``!!null`` ``!!map`` ``!!seq``);
* keys are strings and unique; merge keys (``<<``) follow the spec's precedence;
* bounded nesting depth, alias count and alias expansion (no billion laughs);
* optionally, a :class:`Location` for every path, which is what error messages cite.

A round-trip load is far slower; it is kept for files that are edited in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pytemplar.errors import Location, YamlError

try:  # the C composer is ~30x faster than the pure-Python one
    from _ruamel_yaml_clibz import CParser as _BaseParser

    FAST_PARSER = True
except ImportError:  # pragma: no cover - exercised only where the extension is missing
    from ruamel.yaml.composer import Composer as _PyComposer
    from ruamel.yaml.parser import Parser as _PyParser
    from ruamel.yaml.reader import Reader as _PyReader
    from ruamel.yaml.scanner import Scanner as _PyScanner

    FAST_PARSER = False

    class _BaseParser(_PyReader, _PyScanner, _PyParser, _PyComposer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            _PyReader.__init__(self, stream, loader=self)
            _PyScanner.__init__(self, loader=self)
            _PyParser.__init__(self, loader=self)
            _PyComposer.__init__(self, loader=self)

        @property
        def resolver(self) -> Any:
            return self


from ruamel.yaml.error import MarkedYAMLError, YAMLError

Path_ = tuple[str | int, ...]

MAX_DEPTH = 100
MAX_ALIASES = 1000
MAX_EXPANDED_NODES = 1_000_000

_PLAIN = "?plain"
_QUOTED = "?quoted"
_MAP = "?map"
_SEQ = "?seq"
_CORE = "tag:yaml.org,2002:"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OCT = re.compile(r"0o[0-7]+\Z")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
# First characters that a plain YAML 1.2 scalar needs to start with to be anything but a string.
_MAYBE_TYPED = frozenset("0123456789+-.~tTfFnN")


class _Composer(_BaseParser):  # type: ignore[misc]
    """libyaml composer that leaves tag resolution to :func:`resolve_plain`."""

    def descend_resolver(self, *_: Any) -> None:
        return None

    def ascend_resolver(self, *_: Any) -> None:
        return None

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if isinstance(implicit, tuple):
            return _PLAIN if implicit[0] else _QUOTED
        return _MAP if kind.__name__ == "MappingNode" else _SEQ


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar under the YAML 1.2 core schema."""
    if not text or text[0] in _MAYBE_TYPED:
        if text in _NULLS:
            return None
        if text in _BOOLS:
            return _BOOLS[text]
        if _INT.match(text):
            return int(text, 10)
        if _FLOAT.match(text):
            return float(text)
        if _INT_OCT.match(text):
            return int(text[2:], 8)
        if _INT_HEX.match(text):
            return int(text[2:], 16)
        if _INF.match(text):
            return float("-inf") if text[0] == "-" else float("inf")
        if _NAN.match(text):
            return float("nan")
    return text


@dataclass
class YamlDocument:
    """One YAML document as plain data, with the location of each value when tracked."""

    data: Any
    path: str
    line: int
    locations: dict[Path_, Location] = field(default_factory=dict)

    def location_of(self, path: Path_) -> Location | None:
        """The location of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.locations.get(path[:end])
            if found is not None:
                return found
        return None


class _Builder:
    def __init__(self, path: str, track: bool) -> None:
        self.path = path
        self.track = track
        self.locations: dict[Path_, Location] = {}
        self.built: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.in_progress: set[int] = set()
        self.aliases = 0
        self.expanded = 0

    def where(self, node: Any) -> Location:
        mark = node.start_mark
        return Location(self.path, mark.line + 1, mark.column + 1)

    def fail(self, message: str, node: Any, hint: str | None = None) -> YamlError:
        return YamlError(message, location=self.where(node), hint=hint)

    def build(self, node: Any, at: Path_, depth: int) -> Any:
        key = id(node)
        if key in self.in_progress:
            raise self.fail("recursive alias: a node contains itself", node)
        if key in self.built:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise self.fail(f"more than {MAX_ALIASES} aliases", node)
            self.expanded += self.sizes[key]
            if self.expanded > MAX_EXPANDED_NODES:
                raise self.fail(f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes", node)
            if self.track:
                self.locations.setdefault(at, self.where(node))
            return self.built[key]
        if depth > MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", node)
        before = self.expanded
        self.expanded += 1
        node_id = node.id
        if node_id == "scalar":
            value = self.scalar(node)
            if self.track:
                self.locations[at] = self.where(node)
        else:
            self.in_progress.add(key)
            value = self.mapping(node, at, depth) if node_id == "mapping" else self.sequence(node, at, depth)
            self.in_progress.discard(key)
        self.built[key] = value
        self.sizes[key] = self.expanded - before
        if self.expanded > MAX_EXPANDED_NODES:
            raise self.fail(f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes", node)
        return value

    def scalar(self, node: Any) -> Any:
        tag = node.tag
        text = node.value
        if tag == _PLAIN:
            return resolve_plain(text)
        if tag == _QUOTED:
            return text
        if not isinstance(tag, str) or not tag.startswith(_CORE):
            raise self.fail(
                f"tag '{tag}' is not allowed",
                node,
                "only the YAML core tags !!str !!int !!float !!bool !!null are accepted",
            )
        kind = tag[len(_CORE) :]
        if kind == "str":
            return text
        value = resolve_plain(text)
        expected: dict[str, type | tuple[type, ...]] = {
            "int": int,
            "float": (float, int),
            "bool": bool,
            "null": type(None),
        }
        wanted = expected.get(kind)
        if wanted is None:
            raise self.fail(
                f"tag '!!{kind}' is not allowed",
                node,
                "only the YAML core tags !!str !!int !!float !!bool !!null are accepted",
            )
        if not isinstance(value, wanted) or (kind != "bool" and isinstance(value, bool)):
            raise self.fail(f"'{text}' is not a valid !!{kind}", node)
        return float(value) if kind == "float" else value  # type: ignore[arg-type]

    def check_collection_tag(self, node: Any, implicit: str, core: str) -> None:
        if node.tag not in (implicit, _CORE + core):
            raise self.fail(
                f"tag '{node.tag}' is not allowed",
                node,
                "only the YAML core tags !!map and !!seq are accepted on collections",
            )

    def sequence(self, node: Any, at: Path_, depth: int) -> list[Any]:
        self.check_collection_tag(node, _SEQ, "seq")
        if self.track:
            self.locations.setdefault(at, self.where(node))
        return [self.build(item, (*at, index), depth + 1) for index, item in enumerate(node.value)]

    def key_of(self, key_node: Any) -> str:
        if key_node.id != "scalar":
            raise self.fail("keys must be strings, not collections", key_node)
        key = self.scalar(key_node)
        if not isinstance(key, str):
            raise self.fail(
                f"key '{key_node.value}' is read as {type(key).__name__}, not a string",
                key_node,
                f'quote it: "{key_node.value}":',
            )
        return key

    def mapping(self, node: Any, at: Path_, depth: int) -> dict[str, Any]:
        self.check_collection_tag(node, _MAP, "map")
        if self.track:
            self.locations.setdefault(at, self.where(node))
        result: dict[str, Any] = {}
        key_lines: dict[str, Any] = {}
        merge_node: Any = None
        for key_node, value_node in node.value:
            if key_node.id == "scalar" and key_node.tag == _PLAIN and key_node.value == "<<":
                if merge_node is not None:
                    raise self.fail(
                        "more than one merge key '<<' in this mapping",
                        key_node,
                        "list the maps to merge in one key: <<: [*a, *b]",
                    )
                merge_node = value_node
                continue
            key = self.key_of(key_node)
            if key in key_lines:
                first = key_lines[key].start_mark.line + 1
                raise self.fail(
                    f"duplicate key '{key}' (first defined on line {first})",
                    key_node,
                    "remove one of the two",
                )
            key_lines[key] = key_node
            child = (*at, key)
            if self.track and value_node.id != "scalar":
                self.locations[child] = self.where(key_node)
            result[key] = self.build(value_node, child, depth + 1)
        if merge_node is not None:
            self.merge_into(result, merge_node, at, depth)
        return result

    def merge_into(self, result: dict[str, Any], merge_node: Any, at: Path_, depth: int) -> None:
        sources = merge_node.value if merge_node.id == "sequence" else [merge_node]
        if merge_node.id == "scalar" or any(src.id != "mapping" for src in sources):
            raise self.fail("a merge key '<<' takes a mapping or a list of mappings", merge_node)
        # Spec precedence: keys written in the mapping win, then earlier maps over later ones.
        track, self.track = self.track, False
        try:
            merged = [self.build(source, at, depth + 1) for source in sources]
        finally:
            self.track = track
        for source in merged:
            for key, value in source.items():
                if key not in result:
                    result[key] = value
                    if track:
                        self.locations[(*at, key)] = self.where(merge_node)


def _documents(text: str, path: str) -> Iterator[Any]:
    parser = _Composer(text)
    try:
        while parser.check_node():
            yield parser.get_node()
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", location=location) from exc
    except YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", location=Location(path)) from exc
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()


def _document(node: Any, path: str, track: bool) -> YamlDocument:
    builder = _Builder(path, track)
    try:
        data = builder.build(node, (), 0)
    except RecursionError as exc:  # belt and braces: MAX_DEPTH normally stops first
        raise YamlError("nesting too deep", location=builder.where(node)) from exc
    return YamlDocument(data, path, node.start_mark.line + 1, builder.locations)


def load_documents(text: str, path: str, *, track: bool = False) -> list[YamlDocument]:
    """Every document of a YAML stream (empty documents included, as ``None`` data)."""
    return [_document(node, path, track) for node in _documents(text, path)]


def load_yaml(text: str, path: str, *, track: bool = True) -> YamlDocument:
    """A single-document YAML file; an empty file is an empty document (``None``)."""
    documents = list(_documents(text, path))
    if len(documents) > 1:
        second = documents[1].start_mark.line + 1
        raise YamlError(
            "expected one YAML document, found more",
            location=Location(path, second),
            hint="remove the '---' separator or split the file",
        )
    if not documents:
        return YamlDocument(None, path, 1)
    return _document(documents[0], path, track)


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
