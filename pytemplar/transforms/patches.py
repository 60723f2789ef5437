"""``patches``: RFC 6902 JSON patches, RFC 7386 merge patches and strategic merge patches.

A patch selects its objects with a target (group, version, kind, name, namespace, label and
annotation selectors; names are anchored regular expressions, as in Kustomize) or, for a merge
patch without one, by the ``kind`` and ``metadata.name`` it carries. A patch that selects
nothing is an error: it is almost always a typo or a renamed template.

Strategic merge (``strategic.py``) is the merge patch plus Kubernetes' merge keys for lists and
the ``$patch`` directives; ``$patch: delete`` at the top of a patch deletes the objects it targets.

As in Kustomize, a JSON patch may rename its target (and references follow it); a strategic or
merge patch keeps the target's name and namespace unless its entry says
``options: {allowNameChange: true}``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from pytemplar.errors import ConfigError, Location
from pytemplar.records import field, record
from pytemplar.transforms.kubeapi import MergeKeys
from pytemplar.transforms.references import ObjectKey, object_key, rename_references
from pytemplar.transforms.strategic import DELETED, MergeNotes, strategic_merge_object
from pytemplar.transforms.table import Objects, TransformContext, identities

PatchType = Literal["json6902", "merge", "strategic"]
Locate = Callable[[tuple[str | int, ...]], Location]


@record
class LabelRequirement:
    key: str
    operator: Literal["in", "notin", "exists", "!"]
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, Any]) -> bool:
        if self.operator == "exists":
            return self.key in labels
        if self.operator == "!":
            return self.key not in labels
        if self.operator == "in":
            return self.key in labels and str(labels[self.key]) in self.values
        return self.key not in labels or str(labels[self.key]) not in self.values


_SET_REQUIREMENT = re.compile(r"\s*([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)\s*\Z")
_EQUALITY = re.compile(r"\s*([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)\s*\Z")
_EXISTS = re.compile(r"\s*(!?)\s*([^\s!=(),]+)\s*\Z")


def parse_selector(text: str) -> tuple[LabelRequirement, ...]:
    """A Kubernetes label selector (``a=b,c!=d,e in (x,y),!f``); raises ValueError when malformed."""
    parts = re.split(r",(?![^(]*\))", text) if text.strip() else []
    requirements: list[LabelRequirement] = []
    for part in parts:
        if found := _SET_REQUIREMENT.match(part):
            values = frozenset(v.strip() for v in found[3].split(",") if v.strip())
            requirements.append(LabelRequirement(found[1], found[2], values))  # type: ignore[arg-type]
        elif found := _EQUALITY.match(part):
            operator: Literal["in", "notin"] = "notin" if found[2] == "!=" else "in"
            requirements.append(LabelRequirement(found[1], operator, frozenset({found[3]})))
        elif found := _EXISTS.match(part):
            requirements.append(LabelRequirement(found[2], "!" if found[1] else "exists"))
        else:
            raise ValueError(f"'{part.strip()}' is not a selector requirement")
    return tuple(requirements)


@record
class PatchTarget:
    """Which objects a patch applies to; every field given must match."""

    group: str | None = None
    version: str | None = None
    kind: str | None = None
    name: str | None = None
    namespace: str | None = None
    label_selector: tuple[LabelRequirement, ...] = ()
    annotation_selector: tuple[LabelRequirement, ...] = ()
    shown: str = ""  # as the user wrote it, for messages

    def matches(self, obj: Mapping[str, Any]) -> bool:
        group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
        metadata = obj.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        return (
            _full_match(self.group, group)
            and _full_match(self.version, version)
            and _full_match(self.kind, str(obj.get("kind", "")))
            and _full_match(self.name, str(metadata.get("name", "")))
            and _full_match(self.namespace, str(metadata.get("namespace") or ""))
            and _selects(self.label_selector, metadata.get("labels"))
            and _selects(self.annotation_selector, metadata.get("annotations"))
        )


def _full_match(pattern: str | None, value: str) -> bool:
    return pattern is None or re.fullmatch(pattern, value) is not None


def _selects(requirements: tuple[LabelRequirement, ...], labels: Any) -> bool:
    present = labels if isinstance(labels, dict) else {}
    return all(requirement.matches(present) for requirement in requirements)


@record
class Patch:
    type: PatchType
    body: Any
    target: PatchTarget
    location: Location  # where the patch is declared
    locate: Locate  # the location of a path inside the body (a JSON patch operation, say)
    allow_name_change: bool = False


@record(frozen=False)
class Patched:
    """The objects after the patches (None where a patch deleted one), the renames patches made,
    and warnings about what they did."""

    objects: list[dict[str, Any] | None]
    renames: dict[ObjectKey, str] = field(default_factory=dict)
    warnings: list[tuple[str, Location]] = field(default_factory=list)


def run_patches(
    objects: Sequence[dict[str, Any]],
    patches: Sequence[Patch],
    release: str,
    default_namespace: str = "",
    merge_keys: MergeKeys | None = None,
) -> Patched:
    """Every patch applied in order; a patch that selects nothing is an error. ``merge_keys``:
    the list merge keys of Kubernetes' kinds and of the custom resources whose CRDs are known."""
    result = Patched(list(objects))
    original_keys = [object_key(obj, default_namespace) for obj in objects]
    for patch in patches:
        selected = [index for index, obj in enumerate(result.objects) if obj is not None and patch.target.matches(obj)]
        if not selected:
            raise ConfigError(
                f"patch matches no object of release '{release}' (target: {patch.target.shown})",
                location=patch.location,
                hint="targets name objects as the templates render them, before namePrefix and nameSuffix; "
                "run 'pytemplar render' without the patch to see them",
            )
        for index in selected:
            obj = result.objects[index]
            assert obj is not None
            notes = MergeNotes()
            result.objects[index] = apply_patch(obj, patch, notes, merge_keys)
            result.warnings.extend((f"patch on {describe(obj)}: {note}", patch.location) for note in notes.notes)
    for index, obj in enumerate(result.objects):
        old = original_keys[index]
        new = object_key(obj, default_namespace) if obj is not None else None
        if old is not None and new is not None and new[0] == old[0] and new[2] != old[2]:
            result.renames[old] = new[2]
    return result


def apply_patches(objects: list[dict[str, Any]], patches: Sequence[Patch], release: str) -> list[dict[str, Any]]:
    """The objects with every patch applied in order, without those a patch deleted."""
    return [obj for obj in run_patches(objects, patches, release).objects if obj is not None]


def apply_patch(
    obj: dict[str, Any], patch: Patch, notes: MergeNotes | None = None, merge_keys: MergeKeys | None = None
) -> dict[str, Any] | None:
    """A patched copy of ``obj``, or None when the patch deletes it.

    A JSON patch may change anything; a merge or strategic patch keeps the object's apiVersion,
    kind, namespace and (unless the patch allows it) name.
    """
    if patch.type == "json6902":
        return apply_json_patch(obj, patch.body, patch.locate, describe(obj))
    if patch.type == "merge":
        patched: Any = merge_patch(obj, patch.body)
    else:
        patched = strategic_merge_object(obj, patch.body, patch.location, notes or MergeNotes(), merge_keys)
        if patched is DELETED:
            return None
    return _keep_identity(obj, patched, keep_name=not patch.allow_name_change)


def describe(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata")
    name = metadata.get("name", "") if isinstance(metadata, dict) else ""
    return f"{obj.get('kind', '')} {name}"


def _keep_identity(original: dict[str, Any], patched: Any, *, keep_name: bool) -> dict[str, Any]:
    # A merge patch that names its target carries that name; one with an explicit target
    # selects objects by other means, and must not rename them to whatever it says.
    result = patched if isinstance(patched, dict) else {}
    for key in ("apiVersion", "kind"):
        if key in original:
            result[key] = original[key]
    metadata = result.get("metadata")
    if not isinstance(metadata, dict):
        metadata = result["metadata"] = {}
    original_metadata = original.get("metadata")
    if isinstance(original_metadata, dict):
        for key in ("name", "namespace") if keep_name else ("namespace",):
            if key in original_metadata:
                metadata[key] = original_metadata[key]
            else:
                metadata.pop(key, None)
    return result


# -- RFC 7386 ---------------------------------------------------------------------------------


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: maps merge, ``null`` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# -- RFC 6902 ---------------------------------------------------------------------------------


class _PatchFailed(Exception):
    pass


def apply_json_patch(obj: dict[str, Any], operations: list[Any], locate: Locate, what: str) -> dict[str, Any]:
    document: Any = copy.deepcopy(obj)
    for index, operation in enumerate(operations):
        op = operation.get("op", "?")
        try:
            document = _apply_operation(document, operation)
        except _PatchFailed as exc:
            raise ConfigError(
                f"JSON patch '{op}' {operation.get('path', '')} on {what}: {exc}",
                location=locate((index,)),
                hint="JSON patch paths are JSON pointers into the object as rendered; 'pytemplar render' shows it",
            ) from None
    if not isinstance(document, dict):
        raise ConfigError(f"JSON patch on {what} replaced the whole object with a non-object", location=locate(()))
    return document


def _pointer(text: str) -> list[str]:
    if text == "":
        return []
    if not text.startswith("/"):
        raise _PatchFailed(f"'{text}' is not a JSON pointer (it must start with '/')")
    return [part.replace("~1", "/").replace("~0", "~") for part in text[1:].split("/")]


def _apply_operation(document: Any, operation: Mapping[str, Any]) -> Any:
    op = operation["op"]
    path = _pointer(operation["path"])
    if op == "test":
        actual = _get(document, path)
        if actual != operation["value"]:
            raise _PatchFailed(f"the value is {actual!r}, not {operation['value']!r}")
        return document
    if op == "remove":
        return _remove(document, path)[0]
    if op == "replace":
        _get(document, path)
        return _add(_remove(document, path)[0], path, copy.deepcopy(operation["value"]))
    if op == "add":
        return _add(document, path, copy.deepcopy(operation["value"]))
    source = _pointer(operation["from"])
    if op == "copy":
        return _add(document, path, copy.deepcopy(_get(document, source)))
    if path[: len(source)] == source and path != source:
        raise _PatchFailed("'move' cannot move a value into itself")
    document, value = _remove(document, source)
    return _add(document, path, value)


def _index(container: list[Any], part: str, *, appending: bool) -> int:
    if appending and part == "-":
        return len(container)
    if not re.fullmatch(r"0|[1-9][0-9]*", part):
        raise _PatchFailed(f"'{part}' is not a list index")
    index = int(part)
    if index > len(container) or (not appending and index == len(container)):
        raise _PatchFailed(f"index {index} is past the end of a list of {len(container)}")
    return index


def _get(document: Any, path: list[str]) -> Any:
    current = document
    for depth, part in enumerate(path):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list):
            current = current[_index(current, part, appending=False)]
        else:
            raise _PatchFailed(f"/{'/'.join(path[: depth + 1])} does not exist")
    return current


def _remove(document: Any, path: list[str]) -> tuple[Any, Any]:
    if not path:
        return None, document
    parent = _get(document, path[:-1])
    last = path[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _PatchFailed(f"/{'/'.join(path)} does not exist")
        return document, parent.pop(last)
    if isinstance(parent, list):
        return document, parent.pop(_index(parent, last, appending=False))
    raise _PatchFailed(f"/{'/'.join(path[:-1])} is not a map or list")


def _add(document: Any, path: list[str], value: Any) -> Any:
    if not path:
        return value
    parent = _get(document, path[:-1])
    if isinstance(parent, dict):
        parent[path[-1]] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, path[-1], appending=True), value)
    else:
        raise _PatchFailed(f"/{'/'.join(path[:-1])} is not a map or list")
    return document


def patch(objects: Objects, patches: Sequence[Patch], context: TransformContext) -> Objects:
    """The patches' row of the transforms table: objects a patch deletes are dropped, renames
    are followed by the references, and what a patch did differently from Kustomize is warned of."""
    if not patches:
        return objects
    before = identities(objects)
    merge_keys = None
    if any(patch.type == "strategic" for patch in patches):
        from pytemplar.transforms.crdkeys import merge_keys_with_crds

        merge_keys = merge_keys_with_crds(objects, context.crd_folders)
    patched = run_patches(objects, patches, context.release, context.namespace, merge_keys)
    for message, location in patched.warnings:
        context.warn(message, location)
    kept = [index for index, obj in enumerate(patched.objects) if obj is not None]
    context.origins = [context.origins[index] for index in kept]
    context.remember_ids([before[index] for index in kept], [patched.objects[index] for index in kept])
    result = [obj for obj in patched.objects if obj is not None]
    renamed: list[tuple[str, Location | None]] = []
    rename_references(result, patched.renames, context.namespace, context.referrers, renamed)
    for message, where in renamed:
        context.warn(message, where)
    return result
