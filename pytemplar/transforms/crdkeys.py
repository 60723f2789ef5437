"""Merge keys of custom resources, from their CustomResourceDefinitions.

A strategic merge patch merges a list item by item where the schema says how: for Kubernetes'
own kinds, ``data/kube-merge-keys.json``; for a custom resource, the OpenAPI schema of its CRD,
found among the release's own objects or in the project's ``crds:`` folders. A list with
``x-kubernetes-list-type: map`` merges by its ``x-kubernetes-list-map-keys`` (what server-side
apply uses, and what CRD generators write for ``+listType=map``); a schema that says
``x-kubernetes-patch-strategy: merge`` merges by its ``x-kubernetes-patch-merge-key`` (the form
of Kustomize's ``openapi`` schemas). Other lists of a custom resource are replaced.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from pytemplar.transforms.kubeapi import MergeKeys, kube_merge_keys

Fields = dict[str, tuple[str | None, tuple[str, ...] | None, str | None]]


def merge_keys_with_crds(objects: Iterable[Any], folders: tuple[str, ...] = ()) -> MergeKeys:
    """Kubernetes' merge keys, plus those of the custom resources the CRDs among ``objects`` and
    in ``folders`` (absolute paths) define; a CRD in the release wins over one in a folder."""
    kinds: dict[str, str] = {}
    defs: dict[str, Fields] = {}
    if folders:
        folder_kinds, folder_defs = _folder_keys(folders)
        kinds.update(folder_kinds)
        defs.update(folder_defs)
    for obj in objects:
        if isinstance(obj, dict) and obj.get("kind") == "CustomResourceDefinition":
            _add_crd(obj, kinds, defs)
    base = kube_merge_keys()
    if not kinds:
        return base
    return MergeKeys(base.cluster_scoped, ChainMap(kinds, dict(base.kinds)), ChainMap(defs, dict(base.defs)))  # type: ignore[arg-type]


def _add_crd(crd: Mapping[str, Any], kinds: dict[str, str], defs: dict[str, Fields]) -> None:
    spec = crd.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("names"), dict):
        return
    group, kind = str(spec.get("group", "")), str(spec["names"].get("kind", ""))
    for version in spec.get("versions") or []:
        schema = (version.get("schema") or {}).get("openAPIV3Schema") if isinstance(version, dict) else None
        if isinstance(schema, dict):
            _add_kind(f"{group}/{version.get('name')}/{kind}", schema, {}, kinds, defs)


@cache
def _folder_keys(folders: tuple[str, ...]) -> tuple[dict[str, str], dict[str, Fields]]:
    from pytemplar.crds import load_crd_folders

    compact = load_crd_folders(folders)
    kinds: dict[str, str] = {}
    defs: dict[str, Fields] = {}
    for key, name in compact.kinds.items():
        if key.count("/") == 1:  # the core group: v1/Kind
            key = f"/{key}"
        node = compact.defs.get(name)
        if isinstance(node, dict):
            _add_kind(key, node, compact.defs, kinds, defs)
    return kinds, defs


def _add_kind(
    key: str, schema: Mapping[str, Any], refs: Mapping[str, Any], kinds: dict[str, str], defs: dict[str, Fields]
) -> None:
    name = f"crd:{key}"
    kinds[key] = name
    _walk(schema, name, refs, defs, depth=0)


def _resolve(node: Any, refs: Mapping[str, Any]) -> Any:
    for _ in range(32):  # a chain of references, never a loop
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] in refs:
            node = refs[node["$ref"]]
        else:
            break
    for combined in ("allOf",):
        if isinstance(node, dict) and isinstance(node.get(combined), list) and "properties" not in node:
            for part in node[combined]:
                part = _resolve(part, refs)
                if isinstance(part, dict) and "properties" in part:
                    return part
    return node


def _walk(node: Any, name: str, refs: Mapping[str, Any], defs: dict[str, Fields], depth: int) -> None:
    node = _resolve(node, refs)
    properties = node.get("properties") if isinstance(node, dict) else None
    if not isinstance(properties, dict) or depth > 40 or name in defs:
        return
    fields: Fields = {}
    defs[name] = fields
    for key, sub in properties.items():
        sub = _resolve(sub, refs)
        if not isinstance(sub, dict):
            continue
        child = f"{name}.{key}"
        if sub.get("type") == "array" or "items" in sub:
            items = _resolve(sub.get("items"), refs)
            if isinstance(items, dict) and "properties" in items:
                _walk(items, child, refs, defs, depth + 1)
            else:
                child = ""
            keys, strategy = _list_keys(sub)
            fields[key] = (child or None, keys, strategy)
        elif "properties" in sub:
            _walk(sub, child, refs, defs, depth + 1)
            fields[key] = (child, None, None)


def _list_keys(node: Mapping[str, Any]) -> tuple[tuple[str, ...] | None, str | None]:
    map_keys = node.get("x-kubernetes-list-map-keys")
    if node.get("x-kubernetes-list-type") == "map" and isinstance(map_keys, list) and map_keys:
        return tuple(str(key) for key in map_keys), "merge"
    strategy = node.get("x-kubernetes-patch-strategy")
    merge_key = node.get("x-kubernetes-patch-merge-key")
    if isinstance(strategy, str) and "merge" in strategy.split(",") and isinstance(merge_key, str):
        return (merge_key,), "merge"
    return None, None
