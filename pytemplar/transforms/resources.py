"""``resources``: objects from plain YAML files, added to a release's rendered objects.

Kustomize's ``resources`` list of files, for the objects an overlay or a component adds to what
the app template renders (a ServiceMonitor, a NetworkPolicy for one environment). They are added
before every other transform, so generators, patches, prefixes, labels and images reach them as
they reach rendered objects. A namespaced object that names no namespace gets the release's, as a
generated ConfigMap does.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from pytemplar.errors import Location
from pytemplar.records import record
from pytemplar.transforms.kubeapi import is_cluster_scoped
from pytemplar.transforms.table import Objects, TransformContext


@record
class Resource:
    """One object of a ``resources`` file."""

    obj: dict[str, Any]
    file: str  # relative to the project folder, as written in ``# Source:``
    location: Location  # where the object starts
    added: int = 0  # its place among the objects resources and generators add (Kustomize's order)


def add(objects: Objects, resources: Sequence[Resource], context: TransformContext) -> Objects:
    """The resources' row of the transforms table: ``objects`` followed by the resources'."""
    cluster_kinds = _cluster_scoped_custom_kinds([*objects, *(resource.obj for resource in resources)])
    for resource in resources:
        obj = copy.deepcopy(resource.obj)
        metadata = obj.get("metadata")
        kind = str(obj.get("kind", ""))
        if isinstance(metadata, dict) and not is_cluster_scoped(kind) and kind not in cluster_kinds:
            metadata.setdefault("namespace", context.namespace)
        context.added[len(objects)] = resource
        context.origins.append(len(objects))
        objects.append(obj)
    return objects


def _cluster_scoped_custom_kinds(objects: Objects) -> set[str]:
    """Kinds that a CustomResourceDefinition among the objects declares cluster-scoped."""
    found = set()
    for obj in objects:
        spec = obj.get("spec") if obj.get("kind") == "CustomResourceDefinition" else None
        if isinstance(spec, dict) and spec.get("scope") == "Cluster" and isinstance(spec.get("names"), dict):
            found.add(str(spec["names"].get("kind")))
    return found
