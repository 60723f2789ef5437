"""``replicas``: set the replica count of workloads by name, as Kustomize's ``replicas`` does.

An entry names a Deployment, ReplicaSet, ReplicationController or StatefulSet by its name as the
templates render it, before a prefix, suffix or patch renames it (Kustomize refuses the new name
too). An entry that names no such object is an error at its line: a typo would otherwise leave
the count unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytemplar.errors import ConfigError, Location
from pytemplar.records import record
from pytemplar.transforms.table import Objects, TransformContext

SCALED_KINDS = frozenset({"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"})


@record
class Replicas:
    name: str
    count: int
    location: Location


def scale(objects: Objects, declared: Sequence[Replicas], context: TransformContext) -> Objects:
    """The replicas' row of the transforms table."""
    for replicas in declared:
        found = False
        for obj, origin in zip(objects, context.origins, strict=True):
            if obj.get("kind") not in SCALED_KINDS:
                continue
            former = context.former_names.get(origin)
            rendered = former[0] if former else obj.get("metadata", {}).get("name")
            if replicas.name == rendered:
                spec = obj.setdefault("spec", {})
                spec["replicas"] = replicas.count
                found = True
        if not found:
            raise ConfigError(
                f"replicas: no Deployment, StatefulSet, ReplicaSet or ReplicationController is named '{replicas.name}'",
                location=replicas.location,
                hint="name the workload as the templates render it; 'pytemplar render' shows the names",
            )
    return objects
