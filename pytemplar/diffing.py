"""Semantic diffs of two renders: which objects changed, were added or removed, and how.

Objects are compared as data (key order and YAML spelling do not matter, types do: ``1`` and
``"1"`` and ``true`` all differ). Which object on one side is "the same" as one on the other
is the matching rule:

- ``"object"`` (one environment against a git revision): the object's identity in the cluster,
  API group + kind + namespace + name. Moving an object to another release is a change.
- ``"release"`` (one environment against another): namespaces differ by environment, so the
  identity is release + API group + kind + name, and the namespace is compared like any other
  field. Objects named after the environment (its ``Namespace``) show as removed and added.

Secret ``data`` and ``stringData`` values never leave this module unmasked: a changed secret
value is reported as changed, never shown.

Everything here is pure: plain data in, plain data or text out.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pytemplar.manifests import Manifest
from pytemplar.values import SECRET_MASK
from pytemplar.yamlout import dump_yaml

Match = Literal["object", "release"]
Op = Literal["add", "remove", "replace"]
PathPart = str | int

SECRET_CHANGED = "<secret (changed)>"  # the new side of a secret value that differs
SECRET_FIELDS = ("data", "stringData")

# ANSI colours for a terminal: removed, added, hunk/resource headers.
RED, GREEN, CYAN, RESET = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[0m"


@dataclass(frozen=True)
class Change:
    """One difference at one path: JSON-patch-like, with the old value kept for reading."""

    op: Op
    path: tuple[PathPart, ...]
    old: Any = None
    new: Any = None

    def pointer(self) -> str:
        """The path as a JSON pointer (RFC 6901): ``/spec/template/spec/containers/0/image``."""
        return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in self.path)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op, "path": self.pointer()}
        if self.op != "add":
            out["old"] = self.old
        if self.op != "remove":
            out["new"] = self.new
        return out


@dataclass(frozen=True)
class ResourceDiff:
    """One matched object: present on either side or both, with its changes."""

    old: Manifest | None
    new: Manifest | None
    changes: tuple[Change, ...] = ()

    @property
    def status(self) -> Literal["changed", "added", "removed", "unchanged"]:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed" if self.changes else "unchanged"

    @property
    def current(self) -> Manifest:
        """The newest version of the object (the old one when it was removed)."""
        manifest = self.new or self.old
        assert manifest is not None  # a ResourceDiff always has at least one side
        return manifest


@dataclass(frozen=True)
class DiffResult:
    """Every matched object, in the new render's order, then the removed ones in the old render's order."""

    resources: tuple[ResourceDiff, ...]

    def with_status(self, status: str) -> list[ResourceDiff]:
        return [r for r in self.resources if r.status == status]

    @property
    def differs(self) -> bool:
        return any(r.status != "unchanged" for r in self.resources)

    def summary(self) -> str:
        counts = {status: len(self.with_status(status)) for status in ("changed", "added", "removed", "unchanged")}
        return ", ".join(f"{count} {status}" for status, count in counts.items())


# --- matching and comparing ---------------------------------------------------------------


def identity(manifest: Manifest, match: Match) -> tuple[str, ...]:
    """What makes two objects on either side the same object under the matching rule."""
    if match == "object":
        return (manifest.group, manifest.kind, manifest.namespace, manifest.name)
    return (manifest.release, manifest.group, manifest.kind, manifest.name)


def _keyed(manifests: Sequence[Manifest], match: Match) -> dict[tuple[str, ...], Manifest]:
    """Manifests by identity; a repeated identity gets an ordinal so that nothing is dropped."""
    keyed: dict[tuple[str, ...], Manifest] = {}
    for manifest in manifests:
        key = identity(manifest, match)
        ordinal = 1
        while key in keyed:
            ordinal += 1
            key = (*identity(manifest, match), f"#{ordinal}")
        keyed[key] = manifest
    return keyed


def diff_manifests(old: Sequence[Manifest], new: Sequence[Manifest], match: Match = "object") -> DiffResult:
    """Match the objects of two renders and compare each pair as data."""
    old_keyed, new_keyed = _keyed(old, match), _keyed(new, match)
    resources: list[ResourceDiff] = []
    for key, after in new_keyed.items():
        before = old_keyed.get(key)
        changes = tuple(changes_between(before.obj, after.obj)) if before is not None else ()
        resources.append(ResourceDiff(before, after, _masked_changes(after, changes)))
    resources.extend(ResourceDiff(before, None) for key, before in old_keyed.items() if key not in new_keyed)
    return DiffResult(tuple(resources))


def changes_between(old: Any, new: Any, at: tuple[PathPart, ...] = ()) -> Iterator[Change]:
    """The changes that turn ``old`` into ``new``, applicable in order (list removals from the end)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            if key not in new:
                yield Change("remove", (*at, key), old=old[key])
            elif key not in old:
                yield Change("add", (*at, key), new=new[key])
            else:
                yield from changes_between(old[key], new[key], (*at, key))
    elif isinstance(old, list) and isinstance(new, list):
        for index, (before, after) in enumerate(zip(old, new, strict=False)):
            yield from changes_between(before, after, (*at, index))
        for index in range(len(old), len(new)):
            yield Change("add", (*at, index), new=new[index])
        for index in reversed(range(len(new), len(old))):
            yield Change("remove", (*at, index), old=old[index])
    elif not same_data(old, new):
        yield Change("replace", at, old=old, new=new)


def same_data(a: Any, b: Any) -> bool:
    """Equal as data and as types: unlike ``==``, ``1``, ``1.0`` and ``True`` all differ."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_data(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# --- secrets --------------------------------------------------------------------------------


def is_secret(manifest: Manifest) -> bool:
    return manifest.kind == "Secret" and manifest.group == ""


def _is_secret_path(path: tuple[PathPart, ...]) -> bool:
    return bool(path) and path[0] in SECRET_FIELDS


def _mask_value(path: tuple[PathPart, ...], value: Any) -> Any:
    """A secret field's value with every entry masked (a whole ``data`` map keeps its keys)."""
    if len(path) == 1 and isinstance(value, dict):
        return dict.fromkeys(value, SECRET_MASK)
    return SECRET_MASK


def _masked_changes(manifest: Manifest, changes: tuple[Change, ...]) -> tuple[Change, ...]:
    if not is_secret(manifest):
        return changes
    return tuple(
        Change(c.op, c.path, _mask_value(c.path, c.old), _mask_value(c.path, c.new)) if _is_secret_path(c.path) else c
        for c in changes
    )


def shown_pair(old: Manifest | None, new: Manifest | None) -> tuple[Any, Any]:
    """Both sides' objects as they may be printed: secret values masked, a changed one marked."""
    old_obj = old.obj if old is not None else None
    new_obj = new.obj if new is not None else None
    secret = (old is not None and is_secret(old)) or (new is not None and is_secret(new))
    if not secret:
        return old_obj, new_obj
    old_shown = _mask_secret_fields(old_obj, None)
    new_shown = _mask_secret_fields(new_obj, old_obj)
    return old_shown, new_shown


def _mask_secret_fields(obj: Any, compared_to: Any) -> Any:
    """``obj`` with secret values masked; values that differ from ``compared_to`` marked as changed."""
    if not isinstance(obj, dict):
        return obj
    shown = dict(obj)
    before = compared_to if isinstance(compared_to, dict) else {}
    for field in SECRET_FIELDS:
        entries = obj.get(field)
        if not isinstance(entries, dict):
            continue
        earlier = before.get(field)
        previous: dict[str, Any] = earlier if isinstance(earlier, dict) else {}
        shown[field] = {
            key: SECRET_CHANGED if key in previous and not same_data(previous[key], value) else SECRET_MASK
            for key, value in entries.items()
        }
    return shown


# --- text -----------------------------------------------------------------------------------


def canonical(value: Any) -> Any:
    """The same data with map keys sorted at every level, so that dumps compare line by line."""
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


def describe(resource: ResourceDiff) -> str:
    """``Deployment shop-prod/service-a (release service-a)``; a namespace or release that moved shows both."""
    old, new = resource.old, resource.new
    current = resource.current
    where = _qualified(current)
    if old is not None and new is not None and old.namespace != new.namespace:
        where = f"{_qualified(old)} -> {_qualified(new)}"
    releases = [m.release for m in (old, new) if m is not None and m.release]
    release = " -> ".join(dict.fromkeys(releases))
    return f"{current.kind} {where}" + (f" (release {release})" if release else "")


def _qualified(manifest: Manifest) -> str:
    return f"{manifest.namespace}/{manifest.name}" if manifest.namespace else manifest.name


def _lines(value: Any) -> list[str]:
    return dump_yaml(canonical(value)).splitlines() if value is not None else []


def resource_text(resource: ResourceDiff, context: int = 3) -> list[str]:
    """The lines for one object: a header, then a unified diff (or the whole object when added/removed)."""
    old_shown, new_shown = shown_pair(resource.old, resource.new)
    status = resource.status
    if status == "added":
        return [f"+ {describe(resource)}", *(f"+ {line}" for line in _lines(new_shown))]
    if status == "removed":
        return [f"- {describe(resource)}", *(f"- {line}" for line in _lines(old_shown))]
    hunks = difflib.unified_diff(_lines(old_shown), _lines(new_shown), n=context, lineterm="")
    body = [line for line in hunks if not line.startswith(("---", "+++"))]
    return [f"~ {describe(resource)}", *body]


def colour(line: str) -> str:
    """A diff line in the colour of what it says: removed red, added green, headers cyan."""
    if line.startswith(("@@", "~ ")):
        return f"{CYAN}{line}{RESET}"
    if line.startswith("+"):
        return f"{GREEN}{line}{RESET}"
    if line.startswith("-"):
        return f"{RED}{line}{RESET}"
    return line


def as_text(result: DiffResult, context: int = 3, coloured: bool = False) -> str:
    """Every changed, added and removed object; nothing at all when the renders are equal."""
    lines = [line for r in result.resources if r.status != "unchanged" for line in resource_text(r, context)]
    if coloured:
        lines = [colour(line) for line in lines]
    return "".join(line + "\n" for line in lines)


# --- JSON -----------------------------------------------------------------------------------


def _summary_of(manifest: Manifest) -> dict[str, str]:
    return {
        "apiVersion": str(manifest.obj.get("apiVersion", "")),
        "kind": manifest.kind,
        "namespace": manifest.namespace,
        "name": manifest.name,
        "release": manifest.release,
        "environment": manifest.environment,
    }


def as_json(result: DiffResult, old_label: str, new_label: str) -> str:
    """The diff for machines.

    ``{"old": label, "new": label, "changed": [object + "changes"], "added": [object],
    "removed": [object], "unchanged": count}``, where an object is its apiVersion, kind,
    namespace, name, release and environment (the new side's, or the old side's when removed),
    and each change is ``{"op": "add"|"remove"|"replace", "path": JSON pointer, "old", "new"}``
    (no "old" for add, no "new" for remove). Secret values are masked.
    """
    document = {
        "old": old_label,
        "new": new_label,
        "changed": [
            {**_summary_of(r.current), "changes": [c.as_dict() for c in r.changes]}
            for r in result.with_status("changed")
        ],
        "added": [_summary_of(r.current) for r in result.with_status("added")],
        "removed": [_summary_of(r.current) for r in result.with_status("removed")],
        "unchanged": len(result.with_status("unchanged")),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
