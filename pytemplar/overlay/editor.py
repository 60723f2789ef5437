"""Editing overlay files in place: ``pytemplar set`` and ``pytemplar rollout`` change one value
and leave every other byte of the file as it was.

A round-trip YAML library re-indents sequences, moves comments, rewraps long strings and changes
``~`` or ``True``; in a GitOps repository each of those is noise in a reviewed diff. So edits here
are made on the text: libyaml's events give the position of every node, the node to change is
found by its path, and only its span is replaced, or new lines are inserted at the end of the
mapping that gets a new key. The rest of the file (comments, quotes, indentation, line endings,
a byte-order mark, a missing final newline) is copied unchanged.

What is refused rather than edited, each with the file and line:

* a value reached through an alias (``image: *img``) or inside an anchored node that an alias
  uses: changing it here would silently change every other place that shares it;
* a key inside a non-empty flow mapping or sequence (``{a: 1}``): their layout is the author's;
* a path that crosses a value of another kind (``image.tag`` where ``image`` is a string);
* a value that only exists through a merge key ``<<`` when the path goes below it (setting the
  value itself adds the key to the mapping, where it takes precedence over the merged one).

After each edit the new text is read back and compared with the old data plus the change: an edit
that would change anything else is never returned.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pytemplar import yamlio
from pytemplar.errors import Location, PytemplarError, YamlError
from pytemplar.setargs import format_path_argument
from pytemplar.values import ValuePath, format_path
from pytemplar.yamlio import load_yaml
from pytemplar.yamlout import block_lines, block_scalar, double_quoted, scalar_text


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


DELETE: Any = _Sentinel("DELETE")  # as a new value: remove the key
MISSING: Any = _Sentinel("MISSING")  # as an old value: the key was not in the file

_BOM = "\ufeff"
_MERGE = "<<"
_DEFAULT_STEP = 2
_FLOW_PLAIN = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./-]*\Z")
_SINGLE_QUOTABLE = re.compile(r"[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]*\Z")


class EditError(PytemplarError):
    """An overlay file cannot be edited as asked without changing more than the asked value."""


@dataclass(frozen=True)
class TextEdit:
    """The result of one edit: the new text, the (1-based) line of the edited key, the value
    that was there (``MISSING`` when none was) and the new value (``DELETE`` for a removal)."""

    text: str
    line: int
    old: Any
    new: Any

    @property
    def changed(self) -> bool:
        if self.new is DELETE:
            return self.old is not MISSING
        return self.old is MISSING or not same_value(self.old, self.new)


def set_value(text: str, path: ValuePath, value: Any, source_name: str) -> str:
    """``text`` with the value at ``path`` set to ``value``, every other byte kept."""
    return edit_text(text, path, value, source_name).text


def delete_value(text: str, path: ValuePath, source_name: str) -> str:
    """``text`` without the key at ``path`` (unchanged when there is none)."""
    return edit_text(text, path, DELETE, source_name).text


def edit_text(text: str, path: ValuePath, value: Any, source_name: str) -> TextEdit:
    """Set (or, with ``DELETE``, remove) the value at ``path`` in the YAML ``text`` of a values file.

    ``source_name`` is the file name that error messages cite. Raises :class:`EditError` (or the
    YAML error of the text as it is) when the edit cannot be made as described in the module docs.
    """
    if not path or not isinstance(path[0], str):
        raise ValueError(f"a values path starts with a key, not {path!r}")
    if value is not DELETE:
        _check_plain(value, path)
    bom = _BOM if text.startswith(_BOM) else ""
    body = text[len(bom) :]
    lone_cr = re.search(r"\r(?!\n)", body)
    if lone_cr:
        line = body.count("\n", 0, lone_cr.start()) + 1
        raise EditError(
            "the file has a line ending made of a lone carriage return (old Mac style)",
            location=Location(source_name, line),
            hint="save the file with LF or CRLF line endings, then run the command again",
        )
    before = load_yaml(body, source_name, track=False).data
    if before is not None and not isinstance(before, dict):
        raise EditError("a values file must hold a mapping", location=Location(source_name, 1))
    editor = _Editor(body, source_name)
    old = _lookup(before, path)
    if value is DELETE:
        if old is MISSING:
            return TextEdit(text, 0, MISSING, DELETE)
        new_body, line = editor.delete(path)
        _check_result(new_body, before, path, value, source_name)
        return TextEdit(bom + new_body, line, old, value)
    if old is not MISSING and same_value(old, value):
        return TextEdit(text, editor.line_of(path), old, value)
    new_body = editor.set(path, value)
    _check_result(new_body, before, path, value, source_name)
    # The line of the key itself, below any parents the edit created.
    return TextEdit(bom + new_body, _Editor(new_body, source_name).line_of(path), old, value)


def line_of(text: str, path: ValuePath, source_name: str) -> int:
    """The line of the key (or list item) at ``path`` in ``text``; 0 when it is not written there."""
    body = text[1:] if text.startswith(_BOM) else text
    return _Editor(body, source_name).line_of(path)


def same_value(a: Any, b: Any) -> bool:
    """Equal data, types included: ``1`` is not ``1.0``, ``True`` or ``"1"``."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


# -- values as plain data ----------------------------------------------------------------------------


def _check_plain(value: Any, path: ValuePath) -> None:
    """Only what a values file can hold: maps with text keys, lists, text, numbers, booleans, null."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in item:
                if not isinstance(key, str):
                    raise ValueError(f"keys of a value for {path!r} must be strings, not {key!r}")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None and not isinstance(item, (str, int, float)):
            raise ValueError(f"a value for {path!r} must be plain data, not {type(item).__name__}")


def _lookup(data: Any, path: ValuePath) -> Any:
    for part in path:
        if not isinstance(data, (dict, list)) or not _has(data, part):
            return MISSING
        data = data[part]  # type: ignore[index]
    return data


def _apply(data: Any, path: ValuePath, value: Any) -> Any:
    """A copy of ``data`` with ``path`` set to ``value`` (or removed): what the edited file must hold."""
    root = copy.deepcopy(data) if data is not None else {}
    node = root
    for index, part in enumerate(path[:-1]):
        child = node[part] if _has(node, part) else None
        if not isinstance(child, dict if isinstance(path[index + 1], str) else list):
            child = _nest(path[index + 1 :], value)
            if isinstance(node, list) and part == len(node):
                node.append(child)
            else:
                node[part] = child
            return root
        node = child
    last = path[-1]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list) and last == len(node):
        node.append(value)
    else:
        node[last] = value
    return root


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)


def _nest(parts: ValuePath, value: Any) -> Any:
    """``value`` placed at ``parts`` below an empty place: ``("a", 0)`` gives ``{"a": [value]}``."""
    for part in reversed(parts):
        value = [value] if isinstance(part, int) else {part: value}
    return value


def _check_result(new_text: str, before: Any, path: ValuePath, value: Any, source_name: str) -> None:
    """The edited text must hold exactly the old data with the change: never more, never less."""
    try:
        after = load_yaml(new_text, source_name, track=False).data
    except YamlError as exc:
        raise EditError(
            f"this edit of {_shown_path(path)} would make the file invalid YAML: {exc.problems[0].message}",
            location=Location(source_name),
            hint="the file was not changed; make this edit by hand",
        ) from None
    expected = _apply(before, path, value)
    if not same_value(after if after is not None else {}, expected):
        # The last safeguard: a layout the editor does not place text in correctly (such as a map
        # written with explicit '?' keys) is refused, never written with other values changed.
        raise EditError(
            f"this edit of {_shown_path(path)} would change other values of the file, as it is laid out",
            location=Location(source_name),
            hint="the file was not changed; make this edit by hand",
        )


def _shown_path(path: ValuePath) -> str:
    """A path in the file as the command line names it (--set syntax); the file itself is ''."""
    if path and isinstance(path[0], str):
        return format_path_argument(path)
    return format_path(path, "")


# -- the nodes of a file, with their positions --------------------------------------------------------


@dataclass(eq=False)
class _Node:
    kind: str  # "scalar", "map", "seq" or "alias"
    start: int  # index of the first character (an anchor or tag included)
    end: int  # index after the last character (block collections: set from their last child)
    line: int  # 0-based
    column: int
    anchor: str | None = None
    flow: bool = False
    style: str | None = None  # scalar style: "", "'", '"', "|", ">"
    value: str | None = None  # scalar text, or the alias's anchor name
    entries: list[tuple[_Node, _Node]] = field(default_factory=list)  # maps: (key, value)
    items: list[_Node] = field(default_factory=list)  # sequences

    @property
    def is_empty_scalar(self) -> bool:
        return self.kind == "scalar" and self.start == self.end

    @property
    def is_block_collection(self) -> bool:
        return self.kind in ("map", "seq") and not self.flow and bool(self.entries or self.items)

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.style in ("", None) and self.value in ("", "~", "null", "Null", "NULL")

    def children(self) -> Iterator[_Node]:
        for key, value in self.entries:
            yield key
            yield value
        yield from self.items

    def find(self, key: str) -> tuple[_Node, _Node] | None:
        for entry in self.entries:
            if entry[0].value == key and entry[0].style in ("", "'", '"') and entry[0].kind == "scalar":
                return entry
        return None

    def merge_entry(self) -> tuple[_Node, _Node] | None:
        for entry in self.entries:
            if entry[0].value == _MERGE and entry[0].style == "":
                return entry
        return None


@dataclass
class _Tree:
    root: _Node | None
    document_end: int  # where a new first key goes in an empty document
    aliases: dict[str, list[_Node]]  # anchor name -> the aliases that use it


def _parse(text: str) -> _Tree:
    """The node tree of a (checked, single-document) YAML text, built from its events."""
    root: _Node | None = None
    stack: list[_Node] = []
    pending_keys: list[_Node | None] = []
    aliases: dict[str, list[_Node]] = {}
    document_end = len(text)
    for event in yamlio.events(text):
        if event.kind == "document_end":
            if event.explicit:
                document_end = _line_start(text, event.start)
            continue
        if event.kind == "scalar":
            node = _Node("scalar", event.start, event.end, event.line, event.column, event.anchor)
            node.style, node.value = event.style, event.value
        elif event.kind == "alias":
            node = _Node("alias", event.start, event.end, event.line, event.column, value=event.value)
            aliases.setdefault(event.value or "", []).append(node)
        elif event.kind in ("map", "seq"):
            start = _Node(event.kind, event.start, event.end, event.line, event.column, event.anchor)
            start.flow = event.flow
            stack.append(start)
            pending_keys.append(None)
            continue
        else:  # the innermost collection ends
            node = stack.pop()
            pending_keys.pop()
            node.end = event.end if node.flow else _block_end(node, event.start)
        if not stack:
            root = node
        elif stack[-1].kind == "seq":
            stack[-1].items.append(node)
        elif pending_keys[-1] is None:
            pending_keys[-1] = node
        else:
            key = pending_keys[-1]
            assert key is not None
            stack[-1].entries.append((key, node))
            pending_keys[-1] = None
    return _Tree(root, document_end, aliases)


def _block_end(node: _Node, fallback: int) -> int:
    last = node.entries[-1][1] if node.entries else (node.items[-1] if node.items else None)
    return last.end if last is not None else fallback


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _line_break(text: str, pos: int) -> tuple[int, int]:
    """Where the line holding ``pos`` ends: (start of its line break, start of the next line)."""
    found = text.find("\n", pos)
    if found < 0:
        return len(text), len(text)
    return (found - 1 if found > 0 and text[found - 1] == "\r" else found), found + 1


# -- the editor ------------------------------------------------------------------------------------


@dataclass
class _Slot:
    """Where a value sits: the entry of a mapping or the item of a sequence (``owner`` None: the root)."""

    owner: _Node | None
    key: _Node | None  # mapping entries
    value: _Node | None  # None: an empty document
    lead: int  # index after the ':' of a mapping entry or the '-' of a sequence item


class _Editor:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.tree = _parse(text)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.step, self.indented_lists = self._style()

    # -- public operations ------------------------------------------------------------------------

    def set(self, path: ValuePath, value: Any) -> str:
        slot, depth = self._walk(path, for_delete=False)
        rest = path[depth:]
        if not rest:  # the value is there: replace it
            self._refuse_shared(slot.value, path)
            return self._replace(slot, value, path)
        target = slot.value
        if target is None or target.is_null or (target.flow and not (target.entries or target.items)):
            self._refuse_shared(target, path[:depth])
            return self._replace(slot, _nest(rest, value), path)
        assert target.kind in ("map", "seq")
        return self._insert(target, rest, value, path)

    def delete(self, path: ValuePath) -> tuple[str, int]:
        slot, depth = self._walk(path, for_delete=True)
        assert depth == len(path) and slot.value is not None and slot.owner is not None
        self._refuse_shared(slot.value, path)
        owner = slot.owner
        if owner.flow:
            raise self._flow_refusal(owner, path)
        siblings = len(owner.entries) if owner.kind == "map" else len(owner.items)
        if siblings == 1:
            if owner is self.tree.root:
                return self._remove_lines(slot, path)
            parent_slot, _ = self._walk(path[:-1], for_delete=True)
            empty: dict[str, Any] | list[Any] = {} if owner.kind == "map" else []
            return self._replace(parent_slot, empty, path[:-1]), (slot.key or slot.value).line + 1
        return self._remove_lines(slot, path)

    def line_of(self, path: ValuePath) -> int:
        """The line of the key (or item) at ``path``; 0 when it is not written in this text."""
        try:
            slot, depth = self._walk(path, for_delete=True)
        except EditError:
            return 0
        node = slot.key or slot.value
        return node.line + 1 if node is not None and depth == len(path) else 0

    # -- finding ---------------------------------------------------------------------------------------

    def _walk(self, path: ValuePath, *, for_delete: bool) -> tuple[_Slot, int]:
        """The slot of the deepest node on ``path`` that exists in the text, and how many parts
        of the path it covers. Refuses to go through an alias or into a merged value."""
        root = self.tree.root
        slot = _Slot(None, None, root, 0)
        for depth, part in enumerate(path):
            node = slot.value
            if node is None or node.is_null or (node.flow and not (node.entries or node.items)):
                return slot, depth
            if node.kind == "alias":
                raise self._alias_refusal(node, path[:depth], path)
            wanted = "map" if isinstance(part, str) else "seq"
            if node.kind != wanted:
                raise self._kind_refusal(node, path[:depth], "a map" if wanted == "map" else "a list", path)
            if node.anchor is not None and node.anchor in self.tree.aliases:
                raise self._shared_refusal(node, node.anchor, path)
            if isinstance(part, str):
                if part == _MERGE:
                    raise EditError(
                        f"'{_MERGE}' is a merge key, not a value; it cannot be set or removed here",
                        location=self._at(node),
                        hint="edit the merged mapping by hand",
                    )
                entry = node.find(part)
                if entry is None:
                    self._refuse_merged(node, path, depth, for_delete)
                    return slot, depth
                slot = _Slot(node, entry[0], entry[1], self._colon_end(entry[0]))
                continue
            if part >= len(node.items):
                if part > len(node.items) and not for_delete:
                    raise EditError(
                        f"{_shown_path(path[:depth])} has {len(node.items)} item(s): "
                        f"{_shown_path(path[: depth + 1])} would leave a gap",
                        location=self._at(node),
                        hint=f"add items in order: the next one is [{len(node.items)}]",
                    )
                return slot, depth
            item = node.items[part]
            slot = _Slot(node, None, item, item.start if node.flow else self._dash_end(item))
        return slot, len(path)

    def _refuse_merged(self, node: _Node, path: ValuePath, depth: int, for_delete: bool) -> None:
        merge = node.merge_entry()
        if merge is None:
            return
        merged = _lookup(load_yaml(self.text, self.source, track=False).data, path[: depth + 1])
        if merged is MISSING:
            return
        last = depth == len(path) - 1
        if last and not for_delete:
            return  # a key written in the mapping takes precedence over the merged one: add it
        what = "removed" if for_delete else "changed in part"
        raise EditError(
            f"{_shown_path(path[: depth + 1])} comes from the merge key '{_MERGE}' on line {merge[0].line + 1}; "
            f"it cannot be {what} here without changing the mapping it is merged from",
            location=self._at(node),
            hint=f"write {path[depth]} out in full in this mapping, then run the command again",
        )

    # -- refusals --------------------------------------------------------------------------------------

    def _at(self, node: _Node) -> Location:
        return Location(self.source, node.line + 1, node.column + 1)

    def _uses(self, anchor: str) -> str:
        uses = self.tree.aliases.get(anchor, [])
        return ", ".join(str(alias.line + 1) for alias in uses[:5]) + (", ..." if len(uses) > 5 else "")

    def _refuse_shared(self, node: _Node | None, path: ValuePath) -> None:
        """A node whose anchor (or an anchor inside it) some alias uses must not change."""
        if node is None:
            return
        stack = [node]
        while stack:
            current = stack.pop()
            if current.anchor is not None and current.anchor in self.tree.aliases:
                raise self._shared_refusal(current, current.anchor, path)
            stack.extend(current.children())

    def _shared_refusal(self, node: _Node, anchor: str, path: ValuePath) -> EditError:
        return EditError(
            f"{_shown_path(path)} is shared through the anchor &{anchor} (used by *{anchor} on line(s) "
            f"{self._uses(anchor)}): changing it here would change those places too",
            location=self._at(node),
            hint=f"write the value out in full where it should differ instead of *{anchor}, "
            "or change the anchored value by hand if every place should change",
        )

    def _alias_refusal(self, node: _Node, at: ValuePath, path: ValuePath) -> EditError:
        return EditError(
            f"{_shown_path(at)} is the alias *{node.value}: setting {_shown_path(path)} here would change "
            f"the anchored value &{node.value} and every place that uses it",
            location=self._at(node),
            hint=f"write {_shown_path(at)} out in full instead of *{node.value}, then run the command again",
        )

    def _kind_refusal(self, node: _Node, at: ValuePath, wanted: str, path: ValuePath) -> EditError:
        kinds = {"scalar": "a single value", "map": "a map", "seq": "a list", "alias": "an alias"}
        return EditError(
            f"{_shown_path(at) or 'the file'} is {kinds[node.kind]}, not {wanted}: "
            f"{_shown_path(path)} cannot be set inside it",
            location=self._at(node),
            hint=f"set {_shown_path(at)} itself to replace it, or check the path",
        )

    def _flow_refusal(self, node: _Node, path: ValuePath) -> EditError:
        brackets = "{...}" if node.kind == "map" else "[...]"
        return EditError(
            f"{_shown_path(path)} is inside a flow-style {brackets} collection, which pytemplar does not edit",
            location=self._at(node),
            hint="write that collection in block style (one entry per line), or edit it by hand",
        )

    # -- positions -------------------------------------------------------------------------------------

    def _colon_end(self, key: _Node) -> int:
        pos = key.end
        text = self.text
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text) or text[pos] != ":":
            raise EditError(
                "this key is written in a form pytemplar does not edit (an explicit '?' key)",
                location=self._at(key),
                hint="write it as 'key: value', or edit the file by hand",
            )
        return pos + 1

    def _dash_end(self, item: _Node) -> int:
        """Index after the '-' of a block sequence item. Between the dash and the item there can
        only be blanks, the dash line's own comment and comment lines."""
        text = self.text
        end = item.start
        while True:
            start = _line_start(text, end)
            content = text[start:end].split("#", 1)[0].rstrip() if end != item.start else text[start:end].rstrip()
            if content:
                if not content.endswith("-"):
                    raise RuntimeError(f"no '-' before the list item at index {item.start}")
                return start + len(content)
            if start == 0:
                raise RuntimeError(f"no '-' before the list item at index {item.start}")
            end = start - 1

    def _column(self, index: int) -> int:
        return index - _line_start(self.text, index)

    def _dash_column(self, seq: _Node) -> int:
        return self._column(self._dash_end(seq.items[0]) - 1)

    def _content_column(self, node: _Node) -> int:
        """The indentation of a block collection's entries (its keys, or its dashes)."""
        if node.kind == "map":
            return node.entries[0][0].column
        return self._dash_column(node)

    def _end(self, node: _Node) -> int:
        """Where a node's text ends: block scalars without the line breaks after them (but for
        the last one, those of a ``|+`` scalar are its content)."""
        end = node.end
        if node.kind == "scalar" and node.style in ("|", ">"):
            if self._keeps_trailing_lines(node):
                return end - (2 if self.text.endswith("\r\n", 0, end) else 1 if self.text.endswith("\n", 0, end) else 0)
            while end > node.start and self.text[end - 1] in " \t\r\n":
                end -= 1
        if node.is_block_collection:
            last = node.entries[-1][1] if node.kind == "map" else node.items[-1]
            end = max(end, self._end(last))
        return end

    def _keeps_trailing_lines(self, node: _Node) -> bool:
        header = self.text[node.start : _line_break(self.text, node.start)[0]].split(" #", 1)[0].split()
        return bool(header) and header[-1][:1] in "|>" and "+" in header[-1]

    def _style(self) -> tuple[int, bool]:
        """The file's indentation step and whether lists under a key are indented (defaults 2, yes)."""
        step: int | None = None
        indented: bool | None = None
        stack = [self.tree.root] if self.tree.root is not None else []
        while stack and (step is None or indented is None):
            node = stack.pop()
            for key, value in node.entries:
                if value.is_block_collection and value.line > key.line:
                    column = self._content_column(value)
                    if value.kind == "map" and step is None and column > key.column:
                        step = column - key.column
                    if value.kind == "seq" and indented is None:
                        indented = column > key.column
            stack.extend(child for child in node.children() if child.kind in ("map", "seq"))
        return step or _DEFAULT_STEP, True if indented is None else indented

    # -- writing -----------------------------------------------------------------------------------

    def _splice(self, start: int, end: int, new: str) -> str:
        return self.text[:start] + new + self.text[end:]

    def _line_number(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def _trailing_comment(self, pos: int) -> str:
        """The comment after ``pos`` on its line, with the spaces before it, or ''."""
        end, _ = _line_break(self.text, pos)
        rest = self.text[pos:end]
        return rest.rstrip() if rest.strip().startswith("#") else ""

    def _replace(self, slot: _Slot, value: Any, path: ValuePath) -> str:
        old = slot.value
        if slot.owner is None:
            return self._replace_root(old, value)
        assert old is not None
        if slot.owner.flow:
            flow = _flow_inline(value, old)
            if flow is None:
                raise self._flow_refusal(slot.owner, path)
            return self._splice(old.start, self._end(old), flow)
        inline = _inline(value, old)
        in_map = slot.owner.kind == "map"
        if inline is not None:
            if old.is_block_collection and in_map:
                comment = self._trailing_comment(slot.lead)
                end = _line_break(self.text, self._end(old))[0]  # the last line's comment goes with it
                return self._splice(slot.lead, end, f" {inline}{comment}")
            if old.is_empty_scalar:
                gap = "" if self.text[old.start - 1] in " \t" else " "  # after 'key:' or '-'
                return self._splice(old.start, old.end, gap + inline)
            if old.is_block_collection:  # in a list: the last line's comment goes with it
                return self._splice(old.start, _line_break(self.text, self._end(old))[0], inline)
            return self._splice(old.start, self._end(old), inline)
        if in_map:
            assert slot.key is not None
            if old.is_block_collection and _same_kind(old, value):
                indent = self._content_column(old)
            else:
                indent = self._child_indent(slot.key.column, value)
            header, lines = self._block(value, indent)
            if old.is_block_collection:
                comment = self._trailing_comment(slot.lead)
                start, end = slot.lead, _line_break(self.text, self._end(old))[0]
            else:
                comment = self._trailing_comment(self._end(old))
                start, end = slot.lead, _line_break(self.text, self._end(old))[0]
            head = f" {header}" if header else ""
            return self._splice(start, end, head + comment + self.newline + self.newline.join(lines))
        # a list item: the first line goes where the old value starts (after the dash)
        if old.is_empty_scalar:
            start, prefix, indent = slot.lead, " ", self._column(slot.lead - 1) + 2
        else:
            start, prefix, indent = old.start, "", old.column
        header, lines = self._block(value, indent)
        # The old value's comment stays on the first line: after the last, it would be block text.
        end = _line_break(self.text, self._end(old))[0]
        comment = "" if old.is_block_collection else self._trailing_comment(self._end(old))
        if header:
            new = header + comment + self.newline + self.newline.join(lines)
        else:
            new = lines[0][indent:] + comment + "".join(self.newline + rest for rest in lines[1:])
        return self._splice(start, end, prefix + new)

    def _replace_root(self, old: _Node | None, value: Any) -> str:
        header, lines = self._block(value, 0)
        assert not header and lines
        body = self.newline.join(lines)
        if old is not None and not old.is_empty_scalar:  # '~', 'null' or '{}' alone
            before = self.text[_line_start(self.text, old.start) : old.start]
            if before.strip():  # '--- null': the map starts on the line after the document marker
                return self._splice(
                    old.start - (len(before) - len(before.rstrip())), self._end(old), self.newline + body
                )
            return self._splice(old.start, self._end(old), body)
        pos = self.tree.document_end if old is None else old.start
        if pos != _line_start(self.text, pos):
            pos = _line_break(self.text, pos)[1]
        if pos >= len(self.text) and self.text and not self.text.endswith("\n"):
            return self.text + self.newline + body
        return self._splice(pos, pos, body + self.newline)

    def _insert(self, owner: _Node, rest: ValuePath, value: Any, path: ValuePath) -> str:
        """Add the missing ``rest`` of ``path`` to the collection ``owner`` as new lines at its end."""
        part = rest[0]
        if owner.flow:
            raise self._flow_refusal(owner, path)
        if owner.kind == "map":
            assert isinstance(part, str)
            header, lines = self._block({part: _nest(rest[1:], value)}, self._content_column(owner))
        else:
            header, lines = self._block([_nest(rest[1:], value)], self._content_column(owner))
        assert not header
        body = self.newline.join(lines)
        _, next_line = _line_break(self.text, self._end(owner))
        if next_line == len(self.text) and not self.text.endswith("\n"):
            return self.text + self.newline + body
        return self._splice(next_line, next_line, body + self.newline)

    def _remove_lines(self, slot: _Slot, path: ValuePath) -> tuple[str, int]:
        """Remove one entry or item (the lines from its key or dash to the end of its value)."""
        owner = slot.owner
        node = slot.value
        assert owner is not None and node is not None
        first = slot.key.start if slot.key is not None else slot.lead - 1
        line = self._line_number(first)
        line_start = _line_start(self.text, first)
        _, after = _line_break(self.text, self._end(node))
        if self.text[line_start:first].strip():  # `- name: a`: the first key of a list item
            entries = owner.entries if owner.kind == "map" else []
            if owner.kind != "map" or entries[0][0] is not slot.key or len(entries) < 2:
                raise EditError(
                    f"{_shown_path(path)} shares its line with other text; pytemplar does not remove it",
                    location=Location(self.source, line),
                    hint="remove it by hand",
                )
            return self._splice(first, entries[1][0].start, ""), line
        if after == len(self.text) and not self.text.endswith("\n") and line_start > 0:
            # keep the file without a final line break: take the break before the entry instead
            line_start = _line_break(self.text, line_start - 1)[0]
        return self._splice(line_start, after, ""), line

    def _child_indent(self, key_column: int, value: Any) -> int:
        if isinstance(value, list) and not self.indented_lists:
            return key_column
        return key_column + self.step

    def _block(self, value: Any, indent: int) -> tuple[str, list[str]]:
        """A value that needs lines of its own: (what goes after 'key:' or '-', the lines),
        written by yamlout as pytemplar writes manifests, in this file's indentation."""
        if isinstance(value, str):
            return _literal(value, indent)
        list_step = self.step if self.indented_lists else 0
        return "", block_lines(value, indent, self.step, list_step)


def _same_kind(node: _Node, value: Any) -> bool:
    return (node.kind == "map" and isinstance(value, dict)) or (node.kind == "seq" and isinstance(value, list))


def _inline(value: Any, old: _Node | None) -> str | None:
    """The one-line YAML text of ``value``, in the quote style of the value it replaces where
    that style can hold it; None for values that need lines of their own."""
    if isinstance(value, dict):
        return None if value else "{}"
    if isinstance(value, list):
        return None if value else "[]"
    if not isinstance(value, str):
        return scalar_text(value)
    style = old.style if old is not None and old.kind == "scalar" else None
    if "\n" in value:
        return None
    if style == '"':
        return double_quoted(value)
    if style == "'" and _SINGLE_QUOTABLE.match(value):
        return "'" + value.replace("'", "''") + "'"
    return scalar_text(value)


def _flow_inline(value: Any, old: _Node) -> str | None:
    """Like :func:`_inline`, for a value inside ``{...}`` or ``[...]``, where ``,``, ``]`` and
    ``}`` end a plain scalar: text is plain only when it is a simple word."""
    if isinstance(value, (dict, list)):
        return None if value else _inline(value, old)
    text = _inline(value, old)
    if isinstance(value, str) and (text is None or (text == value and not _FLOW_PLAIN.match(value))):
        return double_quoted(value)
    return text


def _literal(text: str, indent: int) -> tuple[str, list[str]]:
    """Multi-line text as a literal block scalar (``|``) with its lines at ``indent``, or
    double-quoted on one line when a literal block cannot hold it exactly."""
    header, *lines = block_scalar(text, indent).split("\n")
    return header, lines


# -- describing an edit ------------------------------------------------------------------------------

_SHOWN = 60  # characters of a value shown in a change line


def describe_change(path: ValuePath, old: Any, new: Any) -> str:
    """``image.tag: 1.4.2 -> 1.5.0``, ``image.pullPolicy: Always (new)``, ``x: 1 -> (deleted)``."""
    key = format_path_argument(path)
    if new is DELETE:
        return f"{key}: (not there)" if old is MISSING else f"{key}: {_shown(old)} -> (deleted)"
    if old is MISSING:
        return f"{key}: {_shown(new)} (new)"
    if same_value(old, new):
        return f"{key}: {_shown(new)} (unchanged)"
    return f"{key}: {_shown(old)} -> {_shown(new)}"


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    else:
        text = scalar_text(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def unified_diff(before: str, after: str, name: str, *, created: bool = False) -> str:
    """A unified diff of an edit, with git's marker for a last line without a line break."""
    diff = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile="/dev/null" if created else f"a/{name}",
        tofile=f"b/{name}",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff)
