"""``replacements``: copy a field of one object into fields of others, as Kustomize's.

A replacement reads one value (from the single object its ``source`` selects, at a dotted field
path, or a literal ``sourceValue``) and writes it into the field paths of every object its
``targets`` select. It runs after every other transform, as Kustomize's does, and before the
generated objects get their content hash (so a copied generated name has no hash, as in
Kustomize, unless the field is a reference the hash renaming follows).

Field paths are Kustomize's: fields separated by dots (``\\.`` or ``[a.b]`` for a dot inside a
key), ``[key=value]`` for the list items whose ``key`` is ``value``, a number for one item,
``*`` for every item. Where Kustomize reads ``[key=value]`` in a target as a regular expression
found anywhere in the item's value (``[name=app]`` also selects ``my-app-sidecar``), pytemplar
matches the whole value and warns about the items Kustomize would also have changed.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from pytemplar.errors import ConfigError, Location
from pytemplar.records import record
from pytemplar.transforms.patches import PatchTarget
from pytemplar.transforms.table import Objects, TransformContext
from pytemplar.yamlio import resolve_plain

DEFAULT_FIELD_PATH = "metadata.name"


@record
class Split:
    """``options.delimiter`` and ``options.index``: one part of a delimited string."""

    delimiter: str
    index: int


@record
class ValueSource:
    """The one object a replacement reads from (exact group, version, kind, name, namespace)."""

    group: str | None
    version: str | None
    kind: str | None
    name: str | None
    namespace: str | None
    field_path: str
    split: Split | None
    location: Location
    shown: str


@record
class Target:
    select: PatchTarget
    reject: tuple[PatchTarget, ...]
    field_paths: tuple[tuple[str, Location], ...]
    split: Split | None
    create: bool
    location: Location


@record
class Replacement:
    source: ValueSource | None
    value: str | None  # sourceValue
    targets: tuple[Target, ...]
    location: Location
    level: int = 0  # where it is declared: 0 the project ... 3 a release in an environment


class _NotFound(Exception):
    pass


def split_path(path: str) -> list[str]:
    """Kustomize's field path: parts split at dots, except escaped (``\\.``) or inside brackets;
    a bracketed part without ``=`` is one key holding dots."""
    pieces: list[str] = []
    for piece in path.removeprefix(".").split("."):
        if pieces and pieces[-1].endswith("\\"):
            pieces[-1] = pieces[-1][:-1] + "." + piece
        else:
            pieces.append(piece)
    parts: list[str] = []
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        if piece.startswith("[") and not piece.endswith("]"):
            bracketed = [piece]
            while index < len(pieces) - 1:
                index += 1
                bracketed.append(pieces[index])
                if pieces[index].endswith("]"):
                    break
            joined = ".".join(bracketed)
            parts.append(joined if "=" in joined else joined.strip("[]"))
        else:
            parts.append(piece)
        index += 1
    return parts


def replace(objects: Objects, replacements: Sequence[Replacement], context: TransformContext) -> Objects:
    """The replacements' row of the transforms table: each replacement in order."""
    # Where a replacement is declared below a level whose transforms change objects, Kustomize (a
    # base's replacements, an overlay's transforms) would run it before those transforms: compare
    # the objects as they stand now, before any replacement, with what its own level and those
    # below give (context.earlier) to find the fields that the levels above changed.
    now = {}
    if context.earlier:
        now = {
            context.stable_key(origin): copy.deepcopy(obj) for obj, origin in zip(objects, context.origins, strict=True)
        }
    for replacement in replacements:
        earlier = context.earlier.get(replacement.level)
        changed = _Changed(now, earlier) if earlier is not None else None
        value = _source_value(objects, replacement, context, changed)
        for target in replacement.targets:
            _write_targets(objects, value, target, context, changed)
    return objects


@record
class _Changed:
    """Fields that the transforms of the levels above a replacement's changed."""

    now: dict[tuple[str, int], Any]
    earlier: dict[tuple[str, int], Any]

    def values(self, key: tuple[str, int], path: str) -> tuple[Any, Any] | None:
        """(the value the levels above left, the value below them), where the two differ."""
        if key not in self.earlier or key not in self.now:
            return None
        now, before = _value_at(self.now[key], path), _value_at(self.earlier[key], path)
        return (now, before) if now != before else None


# -- the source ---------------------------------------------------------------------------------


Id = tuple[str, str]  # (name, namespace)


def _ids(obj: Any, origin: int, context: TransformContext) -> list[Id]:
    """The object's name and namespace now, then those it had before a transform renamed or moved
    it: Kustomize selects an object by any of these ids."""
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    metadata = metadata if isinstance(metadata, dict) else {}
    current = (str(metadata.get("name") or ""), str(metadata.get("namespace") or ""))
    return [current, *context.former_ids.get(origin, [])]


def _source_value(
    objects: Objects, replacement: Replacement, context: TransformContext, changed: _Changed | None
) -> Any:
    if replacement.source is None:
        return replacement.value
    source = replacement.source
    found = [
        (obj, origin)
        for obj, origin in zip(objects, context.origins, strict=True)
        if _is_source(obj, source, _ids(obj, origin, context))
    ]
    if not found:
        raise ConfigError(
            f"replacement source ({source.shown}) selects no object of release '{context.release}'",
            location=source.location,
            hint="the source names one object by kind, name and namespace (as rendered, or as a prefix, "
            "suffix, patch or setNamespace left them)",
        )
    if len(found) > 1:
        shown = ", ".join(_shown(obj) for obj, _ in found)
        raise ConfigError(
            f"replacement source ({source.shown}) selects {len(found)} objects: {shown}",
            location=source.location,
            hint="add namespace, group or version so that it selects one",
        )
    obj, origin = found[0]
    value = _read_source(obj, source)
    differs = changed.values(context.stable_key(origin), source.field_path) if changed is not None else None
    if differs is not None and differs[1] is not None:
        context.warn(
            f"replacement source {_shown(obj)}: '{source.field_path}' is {_quoted(differs[0])} after the transforms "
            f"of the levels above this replacement's, and is copied so; kubectl kustomize runs a base's "
            f"replacements before an overlay's transforms, so it would copy {_quoted(differs[1])}",
            source.location,
        )
    return value


def _quoted(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else json.dumps(value, default=str)


def _read_source(obj: Any, source: ValueSource) -> Any:
    """The value a source names in ``obj``, split as its options say."""
    try:
        value = _lookup(obj, split_path(source.field_path))
    except _NotFound:
        value = None
    if value is None or value == {} or value == []:
        raise ConfigError(
            f"replacement source {_shown(obj)} has no value at '{source.field_path}'",
            location=source.location,
        )
    if source.split is None:
        return copy.deepcopy(value)
    if isinstance(value, (dict, list)):
        raise ConfigError("options.delimiter needs a source field that is a string", location=source.location)
    parts = scalar_text(value).split(source.split.delimiter)
    if not 0 <= source.split.index < len(parts):
        raise ConfigError(
            f"options.index {source.split.index} is out of range for '{scalar_text(value)}' "
            f"split at '{source.split.delimiter}' ({len(parts)} parts)",
            location=source.location,
        )
    return parts[source.split.index]


def _is_source(obj: Any, source: ValueSource, ids: list[Id]) -> bool:
    if not isinstance(obj, dict):
        return False
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    return (
        source.group in (None, "", group)
        and source.version in (None, "", version)
        and source.kind in (None, "", obj.get("kind"))
        and any(
            (not source.name or source.name == name)
            and (not source.namespace or source.namespace == (namespace or "default"))
            for name, namespace in ids
        )
    )


def _lookup(node: Any, parts: list[str]) -> Any:
    """The value at ``parts`` (Kustomize's path getter: the first list item a ``[k=v]`` names)."""
    for part in parts:
        if isinstance(node, dict) and not part.startswith("["):
            if part not in node:
                raise _NotFound
            node = node[part]
        elif isinstance(node, list) and (part.isdigit() or part == "-"):
            if not node or (part.isdigit() and int(part) >= len(node)):
                raise _NotFound
            node = node[-1 if part == "-" else int(part)]
        elif isinstance(node, list) and part.startswith("[") and part.endswith("]") and "=" in part:
            key, _, wanted = part[1:-1].partition("=")
            items = [item for item in node if scalar_text(item.get(key) if key else item) == wanted]
            if not items or (key and not isinstance(items[0], dict)):
                raise _NotFound
            node = items[0]
        else:
            raise _NotFound
    return node


# -- the targets --------------------------------------------------------------------------------


def _rejected(obj: Any, ids: list[Id], reject: PatchTarget) -> bool:
    """Kustomize rejects an object that a reject's kind, name... match, or that its selectors match."""
    by_id = any(getattr(reject, key) is not None for key in ("group", "version", "kind", "name", "namespace"))
    by_selector = bool(reject.label_selector or reject.annotation_selector)
    by_name = PatchTarget(reject.group, reject.version, reject.kind, reject.name, reject.namespace)
    if by_id and _matches(obj, ids, by_name):
        return True
    selectors = PatchTarget(label_selector=reject.label_selector, annotation_selector=reject.annotation_selector)
    return by_selector and selectors.matches(obj)


def _matches(obj: Any, ids: list[Id], target: PatchTarget) -> bool:
    if not isinstance(obj, dict):
        return False
    metadata = _metadata(obj)
    return any(
        target.matches({**obj, "metadata": {**metadata, "name": name, "namespace": namespace}})
        for name, namespace in ids
    )


def _write_targets(
    objects: Objects,
    value: Any,
    target: Target,
    context: TransformContext,
    changed: _Changed | None,
) -> None:
    selected = [
        (obj, origin)
        for obj, origin in zip(objects, context.origins, strict=True)
        if _matches(obj, ids := _ids(obj, origin, context), target.select)
        and not any(_rejected(obj, ids, reject) for reject in target.reject)
    ]
    if not selected:
        raise ConfigError(
            f"replacement target ({target.select.shown or 'every object'}) selects no object of release "
            f"'{context.release}'",
            location=target.location,
            hint="a target that changes nothing is a mistake; kind, name and namespace are matched exactly "
            "(as rendered, or as a prefix, suffix, patch or setNamespace left them), as kubectl kustomize v5.7 "
            "matches them",
        )
    for obj, origin in selected:
        for path, where in target.field_paths:
            if changed is not None and changed.values(context.stable_key(origin), path) is not None:
                # The levels above set this field: their value stays, as in Kustomize, where an
                # overlay's transforms run after a base's replacements.
                continue
            writer = _Writer(obj, value, target, where, context)
            writer.write(split_path(path), path)


def _value_at(obj: Any, path: str) -> Any:
    try:
        return _lookup(obj, split_path(path))
    except _NotFound:
        return None


class _Writer:
    """Writes one value at one field path of one object, Kustomize's way."""

    def __init__(self, obj: dict[str, Any], value: Any, target: Target, where: Location, context: TransformContext):
        self.obj = obj
        self.value = value
        self.target = target
        self.where = where
        self.context = context

    def write(self, parts: list[str], path: str) -> None:
        written = self._walk(self.obj, parts, None, lambda new: None, path)
        if not written:
            what = "find or create" if self.target.create else "find"
            raise ConfigError(
                f"replacement target {_shown(self.obj)}: cannot {what} field '{path}'",
                location=self.where,
                hint="add options: {create: true} to create missing fields"
                if not self.target.create
                else "the path crosses a list or a value that is not a map",
            )

    def _walk(self, node: Any, parts: list[str], holder: Any, put: Callable[[Any], None], path: str) -> int:
        """Write below ``node`` (which ``put`` replaces in its holder); how many fields were written."""
        if not parts:
            put(self._new_value(node, created=False))
            return 1
        part, rest = parts[0], parts[1:]
        if part == "*":
            if not isinstance(node, list):
                return 0
            return sum(self._walk(item, rest, node, _setter(node, index), path) for index, item in enumerate(node))
        if part.isdigit():
            if not isinstance(node, list):
                return 0
            index = int(part)
            if index == len(node) and self.target.create:
                node.append(self._empty(rest))
            if index >= len(node):
                return 0
            return self._walk(node[index], rest, node, _setter(node, index), path)
        if part.startswith("[") and part.endswith("]") and "=" in part:
            return self._walk_items(node, part, rest, path)
        if not isinstance(node, dict):
            if isinstance(node, str) and rest is not None:
                raise ConfigError(
                    f"replacement target {_shown(self.obj)}: '{path}' goes into the text of a string field",
                    location=self.where,
                    hint="pytemplar does not edit YAML or JSON held in a string; replace the whole field",
                )
            return 0
        if part not in node:
            if not self.target.create:
                return 0
            if not rest:
                node[part] = self._new_value(None, created=True)
                return 1
            node[part] = self._empty(rest)
        return self._walk(node[part], rest, node, _setter(node, part), path)

    def _walk_items(self, node: Any, part: str, rest: list[str], path: str) -> int:
        if not isinstance(node, list):
            return 0
        key, _, pattern = part[1:-1].partition("=")
        try:
            expression = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"'{part}' in '{path}' is not a regular expression: {exc}", location=self.where) from None

        def text(item: Any) -> str | None:
            if key:
                return scalar_text(item[key]) if isinstance(item, dict) and item.get(key) is not None else None
            return None if isinstance(item, (dict, list)) else scalar_text(item)

        whole = [index for index, item in enumerate(node) if (t := text(item)) is not None and expression.fullmatch(t)]
        anywhere = [index for index, item in enumerate(node) if (t := text(item)) is not None and expression.search(t)]
        if set(anywhere) - set(whole):
            others = ", ".join(str(text(node[index])) for index in anywhere if index not in whole)
            self.context.warn(
                f"replacement target {_shown(self.obj)}: '{part}' in '{path}' matches the whole value; kubectl "
                f"kustomize would also change the items whose {key or 'value'} only contains it: {others}",
                self.where,
            )
        if not whole and self.target.create:
            node.append({key: pattern} if key else pattern)
            whole = [len(node) - 1]
        return sum(self._walk(node[index], rest, node, _setter(node, index), path) for index in whole)

    def _empty(self, rest: list[str]) -> Any:
        following = rest[0] if rest else ""
        return [] if following.isdigit() or following.startswith("[") or following == "*" else {}

    def _new_value(self, old: Any, *, created: bool) -> Any:
        """What a field becomes: a scalar keeps its type (Kustomize copies the text only), a map,
        a list or a new field takes the value as it is."""
        value = self.value
        split = self.target.split
        if split is not None:
            if isinstance(old, (dict, list)) or isinstance(value, (dict, list)):
                raise ConfigError(
                    "options.delimiter needs target and source fields that are strings", location=self.where
                )
            parts = scalar_text(old).split(split.delimiter) if old is not None else [""]
            text = scalar_text(value)
            if split.index < 0:
                parts.insert(0, text)
            elif split.index >= len(parts):
                parts.append(text)
            else:
                parts[split.index] = text
            value = split.delimiter.join(parts)
        if isinstance(old, (dict, list)):
            return copy.deepcopy(value)
        if isinstance(value, (dict, list)):
            if created:
                return copy.deepcopy(value)
            raise ConfigError(
                f"replacement target {_shown(self.obj)}: cannot put a {type(value).__name__} into a field "
                "that holds a single value",
                location=self.where,
                hint="kubectl kustomize would write an empty string there; copy a single value, or target the map",
            )
        text = scalar_text(value)
        if isinstance(old, str):
            return text
        if created or old is None:
            return value if split is None else text
        # A number, boolean or null keeps its type, as in Kustomize, which copies only the text.
        return resolve_plain(text)


def _setter(holder: Any, key: Any) -> Callable[[Any], None]:
    def put(new: Any) -> None:
        holder[key] = new

    return put


def scalar_text(value: Any) -> str:
    """A scalar as YAML writes it (the text Kustomize copies)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _metadata(obj: Any) -> dict[str, Any]:
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def _shown(obj: Any) -> str:
    metadata = _metadata(obj)
    namespace = metadata.get("namespace")
    return f"{obj.get('kind')} {namespace + '/' if namespace else ''}{metadata.get('name')}"
