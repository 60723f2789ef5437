"""Build ``pytemplar/transforms/data/kube-merge-keys.json``: Kubernetes' strategic-merge keys.

Strategic merge patches merge a list item by item only where Kubernetes' OpenAPI says how: an
``x-kubernetes-patch-strategy`` of ``merge`` and the keys in ``x-kubernetes-list-map-keys`` (or,
without them, ``x-kubernetes-patch-merge-key``). Container ports merge on ``containerPort`` *and*
``protocol``, so patching the TCP side of DNS on port 53 leaves the UDP side alone.

Re-run it for a new Kubernetes minor version:

    # the official OpenAPI v2 spec of a release (api/openapi-spec/swagger.json in kubernetes/kubernetes,
    # or kubernetes/swagger.json.unprocessed in kubernetes-client/python)
    python scripts/build_merge_keys.py path/to/swagger.json "Kubernetes 1.36"

The output keeps only the definitions on a path from a kind to a list with a merge strategy:
``{"source", "clusterScoped": [kinds without a namespace], "kinds": {"group/version/Kind": def},
"defs": {def: {field: [def or null, keys or null, strategy or null]}}}``. It is byte-for-byte
reproducible.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "pytemplar" / "transforms" / "data" / "kube-merge-keys.json"
PREFIX = "io.k8s."


def _short(name: str) -> str:
    return name.removeprefix(PREFIX)


def _ref(node: dict[str, Any]) -> str | None:
    if "$ref" in node:
        return _short(node["$ref"].rsplit("/", 1)[-1])
    for part in node.get("allOf", []):
        if "$ref" in part:
            return _short(part["$ref"].rsplit("/", 1)[-1])
    if isinstance(node.get("items"), dict):
        return _ref(node["items"])
    return None


def merge_keys(swagger: dict[str, Any], source: str) -> dict[str, Any]:
    definitions = {_short(name): body for name, body in swagger["definitions"].items()}
    fields: dict[str, dict[str, list[Any]]] = {}
    for name, body in definitions.items():
        for field, node in (body.get("properties") or {}).items():
            strategy = node.get("x-kubernetes-patch-strategy")
            keys = node.get("x-kubernetes-list-map-keys")
            if keys is None and node.get("x-kubernetes-patch-merge-key"):
                keys = [node["x-kubernetes-patch-merge-key"]]
            if strategy is None:
                keys = None  # a list-map without a patch strategy is replaced by strategic merge
            fields.setdefault(name, {})[field] = [_ref(node), keys, strategy]
    # Keep the definitions from which a field with a strategy can be reached.
    useful = {name for name, own in fields.items() if any(entry[2] for entry in own.values())}
    changed = True
    while changed:
        changed = False
        for name, own in fields.items():
            if name not in useful and any(entry[0] in useful for entry in own.values()):
                useful.add(name)
                changed = True
    defs = {
        name: {field: entry for field, entry in sorted(fields[name].items()) if entry[2] or entry[0] in useful}
        for name in sorted(useful)
    }
    kinds: dict[str, str] = {}
    for name, body in definitions.items():
        if name not in useful:
            continue
        for gvk in body.get("x-kubernetes-group-version-kind", []):
            group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            kinds[f"{group}/{version}/{kind}"] = name
    return {
        "source": source,
        "clusterScoped": cluster_scoped_kinds(swagger),
        "kinds": dict(sorted(kinds.items())),
        "defs": defs,
    }


def cluster_scoped_kinds(swagger: dict[str, Any]) -> list[str]:
    """Kinds read at a path without a namespace, and never at one with a namespace."""
    namespaced: set[str] = set()
    cluster: set[str] = set()
    for path, operations in swagger["paths"].items():
        for operation in operations.values():
            if not isinstance(operation, dict) or operation.get("x-kubernetes-action") != "get":
                continue
            gvk = operation.get("x-kubernetes-group-version-kind")
            if not gvk or path.endswith(("/status", "/scale")) or "/proxy" in path:
                continue
            (namespaced if "{namespace}" in path else cluster).add(gvk["kind"])
    return sorted(cluster - namespaced)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("swagger", type=Path)
    parser.add_argument("source", help="what the spec is, e.g. 'Kubernetes 1.36'")
    args = parser.parse_args(argv)
    swagger = json.loads(args.swagger.read_text(encoding="utf-8"))
    result = merge_keys(swagger, args.source)
    OUT.write_text(json.dumps(result, indent=0, sort_keys=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(result['kinds'])} kinds, {len(result['defs'])} definitions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
