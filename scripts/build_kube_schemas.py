"""Build the compact Kubernetes schemas bundled in ``schemas/kubernetes/``.

Re-run it for a new Kubernetes minor version or a new Gateway API release:

    # the official OpenAPI v2 spec of a release (api/openapi-spec/swagger.json in kubernetes/kubernetes,
    # or kubernetes/swagger.json.unprocessed in kubernetes-client/python, whose scripts/constants.py
    # names the release branch it came from)
    python scripts/build_kube_schemas.py kubernetes 1.36 path/to/swagger.json

    # CustomResourceDefinitions (here: config/crd/standard/ of kubernetes-sigs/gateway-api at a release tag)
    python scripts/build_kube_schemas.py crds gateway-api path/to/config/crd/standard --source "Gateway API v1.6.1"

Each output is gzip-compressed JSON: ``{"format", "name", "source", "kinds", "$defs"}`` where ``kinds``
maps ``apiVersion/Kind`` to a definition name and each definition keeps only what validation reads
(types, properties, required, enums, maps, int-or-string, preserve-unknown-fields; see
``pytemplar.crds.KEPT_KEYWORDS``). Output is byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

from pytemplar.crds import CompactSchemas, compact_node, load_crd_folder

FORMAT = 1
OUT = Path(__file__).resolve().parent.parent / "schemas" / "kubernetes"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"


def kubernetes_schemas(swagger: dict[str, Any]) -> CompactSchemas:
    """Every kind of the spec and the definitions it reaches, compacted."""
    definitions: dict[str, Any] = swagger["definitions"]
    schemas = CompactSchemas()
    for name, definition in definitions.items():
        for gvk in definition.get("x-kubernetes-group-version-kind", []):
            group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            schemas.kinds[f"{group}/{version}/{kind}" if group else f"{version}/{kind}"] = name
    pending = sorted(set(schemas.kinds.values()))
    while pending:
        name = pending.pop()
        if name in schemas.defs:
            continue
        node = _definition(name, definitions[name])
        schemas.defs[name] = node
        pending.extend(ref for ref in _references(node) if ref not in schemas.defs)
    return schemas


def _definition(name: str, definition: dict[str, Any]) -> Any:
    if name == QUANTITY:
        return {"format": "quantity"}  # a string like "500m" or a plain number
    node = compact_node(definition)
    if node.get("type") == "object" and "properties" not in node and "additionalProperties" not in node:
        # RawExtension, FieldsV1 and the like hold arbitrary objects.
        node["x-kubernetes-preserve-unknown-fields"] = True
    return node


def _references(node: Any) -> list[str]:
    """The definition names a compact node refers to (property names are names, not keywords)."""
    if not isinstance(node, dict):
        return []
    found = [node["$ref"]] if "$ref" in node else []
    children = [*node.get("properties", {}).values(), node.get("items"), node.get("additionalProperties")]
    for keyword in ("anyOf", "oneOf", "allOf"):
        children.extend(node.get(keyword, []))
    for child in children:
        found.extend(_references(child))
    return found


def write(name: str, source: str, schemas: CompactSchemas) -> Path:
    data = {"format": FORMAT, "name": name, "source": source, **schemas.as_data()}
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    target = OUT / f"{name}.json.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    kube = commands.add_parser("kubernetes", help="compact the OpenAPI v2 spec of one Kubernetes minor version")
    kube.add_argument("version", help="minor version, e.g. 1.35")
    kube.add_argument("swagger", type=Path)
    kube.add_argument("--source", default="", help="where the spec came from (kept in the file)")
    crds = commands.add_parser("crds", help="compact a folder of CustomResourceDefinitions")
    crds.add_argument("name", help="output name, e.g. gateway-api")
    crds.add_argument("folder", type=Path)
    crds.add_argument("--source", default="")
    args = parser.parse_args(argv)
    if args.command == "kubernetes":
        swagger = json.loads(args.swagger.read_text(encoding="utf-8"))
        schemas = kubernetes_schemas(swagger)
        target = write(f"kubernetes-{args.version}", args.source or f"Kubernetes {args.version} OpenAPI v2", schemas)
    else:
        schemas = load_crd_folder(str(args.folder))
        target = write(args.name, args.source or args.name, schemas)
    print(f"{target}: {len(schemas.kinds)} kinds, {len(schemas.defs)} definitions, {target.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
