"""What transforms need to know of Kubernetes' own kinds: list merge keys and scope.

Read from ``data/kube-merge-keys.json``, which ``scripts/build_merge_keys.py`` builds from the
Kubernetes OpenAPI spec: the strategic-merge strategy and keys of each list field of each kind,
and which kinds are cluster-scoped. Custom resources are in neither: their lists are replaced by
a strategic merge, and they are namespaced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pytemplar.records import record


@record
class ListStrategy:
    keys: tuple[str, ...]  # empty: a list of scalars merged as a set


@record
class MergeKeys:
    cluster_scoped: frozenset[str]
    kinds: Mapping[str, str]
    defs: Mapping[str, Mapping[str, tuple[str | None, tuple[str, ...] | None, str | None]]]

    def schema_of(self, obj: Mapping[str, Any]) -> str | None:
        api_version = str(obj.get("apiVersion", ""))
        group, _, version = api_version.rpartition("/")
        return self.kinds.get(f"{group}/{version}/{obj.get('kind', '')}")

    def child(self, schema: str | None, name: str) -> str | None:
        if schema is None:
            return None
        entry = self.defs.get(schema, {}).get(name)
        return entry[0] if entry else None

    def list_strategy(self, schema: str | None, name: str) -> ListStrategy | None:
        if schema is None:
            return None
        entry = self.defs.get(schema, {}).get(name)
        if not entry or not entry[2] or "merge" not in entry[2].split(","):
            return None
        return ListStrategy(tuple(entry[1] or ()))


@cache
def kube_merge_keys() -> MergeKeys:
    here = Path(__file__).resolve().parent / "data" / "kube-merge-keys.json"
    if here.is_file():
        text = here.read_text(encoding="utf-8")
    else:  # a package that is not plain files (a zip); importlib.resources costs ~1 ms to import
        from importlib import resources

        text = resources.files("pytemplar.transforms").joinpath("data/kube-merge-keys.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    defs = {
        name: {key: (entry[0], tuple(entry[1]) if entry[1] else None, entry[2]) for key, entry in fields.items()}
        for name, fields in raw["defs"].items()
    }
    return MergeKeys(frozenset(raw["clusterScoped"]), raw["kinds"], defs)


def is_cluster_scoped(kind: str) -> bool:
    """Whether objects of ``kind`` have no namespace (Kubernetes' own kinds; custom kinds are namespaced)."""
    return kind in kube_merge_keys().cluster_scoped
