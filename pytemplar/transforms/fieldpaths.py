"""Field specs: where in which kinds of object a transform reads or writes.

A field spec is a kind filter and a slash-separated path, as Kustomize writes them
(``spec/template/metadata/labels``). A list met on the way is entered item by item, so one
path reaches every container of a pod, every rule of a NetworkPolicy, and so on. A step written
``name[]`` is a list that a creating walk never creates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pytemplar.records import record


@record
class FieldSpec:
    """A path in objects of one kind (any kind when ``kind`` is empty)."""

    path: str
    kind: str = ""
    group: str | None = None  # None: any group
    create: bool = False  # create the last map when it is missing
    version: str | None = None  # None: any version

    def applies_to(self, obj: dict[str, Any]) -> bool:
        if self.kind and obj.get("kind") != self.kind:
            return False
        group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
        if self.version is not None and version != self.version:
            return False
        return self.group is None or group == self.group


def split_path(path: str) -> list[str]:
    """A path's steps; ``\\/`` is a slash inside a key (``metadata/annotations/a.io\\/b``), as Kustomize writes it."""
    return [step.replace("\\/", "/") for step in re.split(r"(?<!\\)/", path)]


def parents(obj: Any, path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Each ``(map, key)`` that the path's last field names, entering lists on the way."""
    *steps, last = split_path(path)
    for holder in _walk(obj, steps):
        yield holder, last


def _walk(node: Any, steps: list[str]) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, steps)
        return
    if not isinstance(node, dict):
        return
    if not steps:
        yield node
        return
    yield from _walk(node.get(steps[0].removesuffix("[]")), steps[1:])


def maps_at(obj: dict[str, Any], spec: FieldSpec) -> Iterator[dict[str, Any]]:
    """The maps a spec names in ``obj``; the last one is created when the spec says so.

    Only the last map is created: Kustomize adds ``spec.selector.matchLabels`` to a Deployment
    that has a ``spec.selector``, and so do we, but it never invents a whole pod template.
    """
    if not spec.applies_to(obj):
        return
    *steps, last = split_path(spec.path)
    if spec.create:
        for holder in _walk_creating(obj, steps):
            found = holder.get(last)
            if found is None:
                found = holder[last] = {}
            if isinstance(found, dict):
                yield found
        return
    for holder, key in parents(obj, spec.path):
        found = holder.get(key)
        if isinstance(found, dict):
            yield found


def _walk_creating(node: dict[str, Any], steps: list[str]) -> Iterator[dict[str, Any]]:
    """Like ``_walk``, creating missing maps on the way (never lists)."""
    if not steps:
        yield node
        return
    step = steps[0]
    if step.endswith("[]"):  # a list: never created, each item entered
        child = node.get(step[:-2])
    else:
        child = node.get(step)
        if child is None:
            child = node[step] = {}
    if isinstance(child, dict):
        yield from _walk_creating(child, steps[1:])
    elif isinstance(child, list):
        for item in child:
            if isinstance(item, dict):
                yield from _walk_creating(item, steps[1:])
