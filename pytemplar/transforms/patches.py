"""``patches``: RFC 6902 JSON patches, RFC 7386 merge patches and strategic merge patches.

A patch selects its objects with a target (group, version, kind, name, namespace, label and
annotation selectors; names are anchored regular expressions, as in Kustomize) or, for a merge
patch without one, by the ``kind`` and ``metadata.name`` it carries. A patch that selects
nothing is an error: it is almost always a typo or a renamed template.

Strategic merge is the merge patch plus what Kubernetes does for the lists people patch most:
containers, env, volumes... are merged item by item on their key (``name``, ``mountPath``,
``containerPort``), ``$patch: delete`` removes an item or a map, ``$patch: replace`` replaces a
map. Merged lists follow Kustomize's order: the patch's items first, then the others.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pytemplar.errors import ConfigError, Location
from pytemplar.transforms.table import Objects, TransformContext

PatchType = Literal["json6902", "merge", "strategic"]
Locate = Callable[[tuple[str | int, ...]], Location]

# API groups whose kinds Kubernetes defines, where strategic merge keys apply.
_BUILTIN_GROUPS = frozenset(
    {"", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io"}
)
_CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})
_KEYED_BY_NAME = frozenset({*_CONTAINER_LISTS, "env", "volumes", "imagePullSecrets"})
_KEYED_OTHERWISE = {"volumeMounts": "mountPath", "volumeDevices": "devicePath", "hostAliases": "ip"}


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Patch:
    type: PatchType
    body: Any
    target: PatchTarget
    location: Location  # where the patch is declared
    locate: Locate  # the location of a path inside the body (a JSON patch operation, say)


def apply_patches(objects: list[dict[str, Any]], patches: Sequence[Patch], release: str) -> list[dict[str, Any]]:
    """The objects with every patch applied in order; a patch that selects nothing is an error."""
    result = list(objects)
    for patch in patches:
        selected = [index for index, obj in enumerate(result) if patch.target.matches(obj)]
        if not selected:
            raise ConfigError(
                f"patch matches no object of release '{release}' (target: {patch.target.shown})",
                location=patch.location,
                hint="targets name objects as the templates render them, before namePrefix and nameSuffix; "
                "run 'pytemplar render' without the patch to see them",
            )
        for index in selected:
            result[index] = apply_patch(result[index], patch)
    return result


def apply_patch(obj: dict[str, Any], patch: Patch) -> dict[str, Any]:
    """A patched copy of ``obj``; the object's identity (apiVersion, kind, name) is kept."""
    if patch.type == "json6902":
        return apply_json_patch(obj, patch.body, patch.locate, describe(obj))
    if patch.type == "merge":
        patched = merge_patch(obj, patch.body)
    else:
        group = str(obj.get("apiVersion", "")).rpartition("/")[0]
        keyed = group in _BUILTIN_GROUPS
        patched = strategic_merge(obj, patch.body, (str(obj.get("kind", "")),) if keyed else None)
    return _keep_identity(obj, patched)


def describe(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata")
    name = metadata.get("name", "") if isinstance(metadata, dict) else ""
    return f"{obj.get('kind', '')} {name}"


def _keep_identity(original: dict[str, Any], patched: Any) -> dict[str, Any]:
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
    if isinstance(original_metadata, dict) and "name" in original_metadata:
        metadata["name"] = original_metadata["name"]
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


# -- strategic merge --------------------------------------------------------------------------


def merge_key(path: tuple[str, ...], field: str) -> str | None:
    """The key that list ``field`` (under ``path``, field names from the kind down) merges on."""
    if field in _KEYED_BY_NAME:
        return "name"
    if field in _KEYED_OTHERWISE:
        return _KEYED_OTHERWISE[field]
    if field == "ports":
        if _CONTAINER_LISTS.intersection(path):
            return "containerPort"
        if path[:1] == ("Service",):
            return "port"
    return None


def strategic_merge(target: Any, patch: Any, path: tuple[str, ...] | None) -> Any:
    """Merge ``patch`` into ``target``; ``path`` is None where no merge keys apply (custom kinds)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        child_path = None if path is None else (*path, key)
        if value is None or (isinstance(value, dict) and value.get("$patch") == "delete"):
            result.pop(key, None)
        elif isinstance(value, list) and path is not None and (field_key := merge_key(path, key)) is not None:
            result[key] = _merge_list(result.get(key), value, field_key, child_path or ())
        else:
            result[key] = strategic_merge(result.get(key), value, child_path)
    return result


def _merge_list(target: Any, patch: list[Any], key: str, path: tuple[str, ...]) -> list[Any]:
    original = [item for item in target if isinstance(item, dict)] if isinstance(target, list) else []
    by_key = {item.get(key): item for item in original if key in item}
    merged: list[Any] = []
    used: set[Any] = set()
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            merged.append(copy.deepcopy(item))
            continue
        used.add(item[key])
        if item.get("$patch") == "delete":
            continue
        merged.append(strategic_merge(by_key.get(item[key], {}), item, path))
    merged.extend(item for item in original if item.get(key) not in used)
    return merged


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
    """The patches' row of the transforms table."""
    return apply_patches(objects, patches, context.release)
