"""Checking that pytemplar, Helm and Kustomize rendered the same objects.

Every output is parsed with PyYAML (a YAML 1.1 reader, as kubectl reads manifests), indexed by
(kind, namespace, name), and each object is compared in full with pytemplar's after two documented
normalisations, so formatting, key order and quoting never count, and nothing else is hidden:

- the ``app.kubernetes.io/managed-by`` label names the tool that wrote the object (``pytemplar``,
  ``Helm``, ``kustomize``): it must be that tool's own name, and is then compared as equal;
- Kustomize cannot compute the ``checksum/config`` pod annotation (a hash of the configuration):
  for Kustomize it is left out of the comparison. Helm's chart computes the same hash as
  pytemplar's ``sha256`` filter, so between pytemplar and Helm it is compared like any field.

Empty maps and lists count as absent (Kustomize drops an ``annotations: {}`` left empty).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MANAGED_BY = "app.kubernetes.io/managed-by"
CHECKSUM = "checksum/config"
STAMPS = {"pytemplar": "pytemplar", "helm": "Helm", "kustomize": "kustomize"}
TOOLS_WITHOUT_CHECKSUM = {"kustomize"}
MAX_SHOWN = 12
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: ten times faster

Key = tuple[str, str, str]
Objects = dict[Key, dict[str, Any]]

DOCUMENTED_DIFFERENCES = (
    "managed-by label: each tool writes its own name (pytemplar, Helm, kustomize); compared as equal.",
    "checksum/config pod annotation: Kustomize cannot hash the configuration into an annotation (its own "
    "mechanism, a hash suffix on the ConfigMap name, is off so that names match); not compared for Kustomize, "
    "compared exactly between pytemplar and Helm.",
    "Namespace objects: the benchmark projects set createNamespace: false, since helm template and the "
    "Kustomize overlays write no Namespace.",
)


@dataclass
class Comparison:
    """The outcome of comparing one tool's objects with pytemplar's."""

    tool: str
    objects: int
    missing: list[Key] = field(default_factory=list)
    extra: list[Key] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    checksums_compared: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.differences)

    def lines(self) -> list[str]:
        """A readable account: the summary, then up to :data:`MAX_SHOWN` of each kind of problem."""
        verdict = "same objects" if self.ok else "DIFFERENT"
        head = f"{self.tool}: {verdict} ({self.objects} objects"
        head += f", {self.checksums_compared} checksum annotations equal)" if self.checksums_compared else ")"
        out = [head]
        for title, items in (("missing", self.missing), ("extra", self.extra)):
            out += [f"  {title}: {'/'.join(key)}" for key in items[:MAX_SHOWN]]
        out += [f"  {line}" for line in self.differences[:MAX_SHOWN]]
        hidden = max(0, len(self.missing) - MAX_SHOWN) + max(0, len(self.extra) - MAX_SHOWN)
        hidden += max(0, len(self.differences) - MAX_SHOWN)
        if hidden:
            out.append(f"  ... and {hidden} more")
        return out


def load_objects(path: Path) -> Objects:
    """The objects of a YAML stream by (kind, namespace, name); a duplicate key is an error."""
    objects: Objects = {}
    with path.open(encoding="utf-8") as handle:
        for document in yaml.load_all(handle, Loader=Loader):
            if not document:
                continue
            metadata = document.get("metadata") or {}
            key = (str(document.get("kind")), str(metadata.get("namespace") or ""), str(metadata.get("name")))
            if key in objects:
                raise ValueError(f"{path}: {'/'.join(key)} appears twice")
            objects[key] = document
    return objects


def compare(reference: Objects, other: Objects, tool: str) -> Comparison:
    """Compare ``tool``'s objects with pytemplar's (``reference``)."""
    result = Comparison(tool, len(other))
    result.missing = sorted(set(reference) - set(other))
    result.extra = sorted(set(other) - set(reference))
    drop_checksum = tool in TOOLS_WITHOUT_CHECKSUM
    for key in sorted(set(reference) & set(other)):
        expected = normalise(reference[key], "pytemplar", drop_checksum)
        actual = normalise(other[key], tool, drop_checksum)
        name = "/".join(key)
        result.differences += [f"{name}: {line}" for line in diff(expected, actual)]
        if not drop_checksum and _checksum(reference[key]) is not None:
            result.checksums_compared += _checksum(reference[key]) == _checksum(other[key])
    return result


def _checksum(obj: dict[str, Any]) -> str | None:
    annotations = ((obj.get("spec") or {}).get("template") or {}).get("metadata", {}).get("annotations") or {}
    value = annotations.get(CHECKSUM)
    return None if value is None else str(value)


def _label_maps(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    labels = (obj.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        yield labels
    template = (obj.get("spec") or {}).get("template")
    if isinstance(template, dict):
        pod_labels = (template.get("metadata") or {}).get("labels")
        if isinstance(pod_labels, dict):
            yield pod_labels


def normalise(obj: dict[str, Any], tool: str, drop_checksum: bool) -> Any:
    """A copy of ``obj`` with the documented differences made equal, empty maps and lists removed."""
    obj = copy.deepcopy(obj)
    for labels in _label_maps(obj):
        if labels.get(MANAGED_BY) == STAMPS[tool]:
            labels[MANAGED_BY] = "<the tool>"
    if drop_checksum:
        annotations = ((obj.get("spec") or {}).get("template") or {}).get("metadata", {}).get("annotations")
        if isinstance(annotations, dict):
            annotations.pop(CHECKSUM, None)
    return _prune(obj)


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in ({}, [])}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def diff(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where two parsed YAML values differ, one line per leaf (paths like ``.spec.ports[0].port``)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines = []
        for key in sorted(set(expected) | set(actual), key=str):
            where = f"{path}.{key}"
            if key not in actual:
                lines.append(f"{where}: only in pytemplar ({expected[key]!r})")
            elif key not in expected:
                lines.append(f"{where}: only in this tool ({actual[key]!r})")
            else:
                lines += diff(expected[key], actual[key], where)
        return lines
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        pairs = enumerate(zip(expected, actual, strict=True))
        return [line for index, (left, right) in pairs for line in diff(left, right, f"{path}[{index}]")]
    if expected == actual and type(expected) is type(actual):
        return []
    return [f"{path or '.'}: pytemplar {expected!r}, this tool {actual!r}"]
