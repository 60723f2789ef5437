"""Build the compact Kubernetes schemas bundled in ``schemas/kubernetes/``.

Re-run it for a new Kubernetes minor version or a new Gateway API release:

    # the official OpenAPI v3 documents of a release: a folder holding api/v1.json and
    # apis/GROUP/VERSION.json (api/openapi-spec/v3 of kubernetes/kubernetes at the release tag, named
    # api__v1_openapi.json there, which is read too), or the OpenAPI v2 spec (swagger.json);
    # --api-types is a checkout of k8s.io/api at the matching tag (v0.MINOR.PATCH), whose `+enum`
    # string types give the enums a live API server publishes and the checked-in documents leave out
    python scripts/build_kube_schemas.py kubernetes 1.35 path/to/openapi-spec/v3 --api-types path/to/api

    # where no OpenAPI document of the release is at hand: the _definitions.json of the release that
    # PyPI's kubernetes-validate bundles (kubernetes-json-schema, made from the release's v2 spec)
    python scripts/build_kube_schemas.py kubernetes 1.37 .../v1.37.0-local/_definitions.json --api-types path/to/api

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
import re
import sys
from pathlib import Path
from typing import Any

from pytemplar.crds import CompactSchemas, compact_node, load_crd_folder

FORMAT = 1
OUT = Path(__file__).resolve().parent.parent / "schemas" / "kubernetes"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"


def read_definitions(spec: Path) -> dict[str, Any]:
    """The schemas of an OpenAPI v2 file (``definitions``), of a folder of v3 documents
    (``components.schemas`` of every ``*.json`` below it, merged), or of the ``_definitions.json``
    that kubernetes-json-schema makes from the v2 spec (``$defs``; PyPI's kubernetes-validate ships
    one per release), read back as the v2 definitions it was made from."""
    if spec.is_file():
        document = json.loads(spec.read_text(encoding="utf-8"))
        if "$defs" in document:
            return {name: _from_json_schema(name, node) for name, node in document["$defs"].items()}
        found: dict[str, Any] = document.get("definitions") or document["components"]["schemas"]
        return found
    definitions: dict[str, Any] = {}
    for path in sorted(spec.rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        definitions.update(document.get("components", {}).get("schemas", {}))
    if not definitions:
        raise SystemExit(f"{spec}: no OpenAPI v3 documents (components.schemas) below it")
    return definitions


def _from_json_schema(name: str, node: Any) -> Any:
    """A definition of kubernetes-json-schema as the OpenAPI v2 definition it was made from: every
    type is nullable there (``["string", "null"]``), int-or-string and quantities are ``oneOf`` and
    the kinds' apiVersion and kind carry an enum the spec does not have."""
    if name == INT_OR_STRING:
        return {"type": "string", "format": "int-or-string"}
    if name == QUANTITY:
        return {"type": "string"}
    return _plain(node, top=True)


def _plain(node: Any, top: bool = False) -> Any:
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _plain(value) for key, value in node.items()}
    kinds = node.get("type")
    if isinstance(kinds, list):
        kept = [kind for kind in kinds if kind != "null"]
        result["type"] = kept[0] if len(kept) == 1 else kept
    if top and "x-kubernetes-group-version-kind" in node:
        for field in ("apiVersion", "kind"):
            result.get("properties", {}).get(field, {}).pop("enum", None)
    return result


def kubernetes_schemas(definitions: dict[str, Any], enums: Enums | None = None) -> CompactSchemas:
    """Every kind of the spec and the definitions it reaches, compacted; ``enums`` adds the allowed
    values of enum-typed string fields."""
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
        if enums is not None:
            _add_enums(node, enums.get(name, {}))
            _supplement(name, node)
        schemas.defs[name] = node
        pending.extend(ref for ref in _references(node) if ref not in schemas.defs)
    return schemas


def _definition(name: str, definition: dict[str, Any]) -> Any:
    if name == QUANTITY:
        return {"format": "quantity"}  # a string like "500m" or a plain number
    node = _unwrapped(compact_node(definition))
    if node.get("type") == "object" and "properties" not in node and "additionalProperties" not in node:
        # RawExtension, FieldsV1 and the like hold arbitrary objects.
        node["x-kubernetes-preserve-unknown-fields"] = True
    return node


# ---------------------------------------------------------------- enums from the Go API types

# Definition name -> JSON field name -> (allowed values, whether the field is a list of them).
Enums = dict[str, dict[str, tuple[list[str], bool]]]

_ENUM_TYPE = re.compile(r"//\s*\+enum\s*\n(?:\s*//.*\n)*\s*type\s+(\w+)\s+string\b")
_CONSTANT = re.compile(r"^\s*\w+\s+(\w+)\s*=\s*\"([^\"]*)\"", re.MULTILINE)
_STRUCT = re.compile(r"^type\s+(\w+)\s+struct\s*\{\n(.*?)^\}", re.MULTILINE | re.DOTALL)
_FIELD = re.compile(r"^\s+\w+\s+(\*|\[\])?(?:(\w+)\.)?(\w+)\s+`json:\"([^,\"]+)", re.MULTILINE)
_IMPORT = re.compile(r"^\s*(\w+)?\s*\"k8s\.io/api/([\w./]+)\"", re.MULTILINE)


def api_enums(folder: Path) -> Enums:
    """The enum fields of k8s.io/api: string types marked ``+enum``, their typed constants, and the
    struct fields of those types, keyed by OpenAPI definition name (``io.k8s.api.core.v1.Container``)."""
    packages: dict[str, str] = {}  # package path (core/v1) -> its Go source, concatenated
    for path in sorted(folder.rglob("*.go")):
        if path.name.endswith("_test.go") or path.name.startswith("zz_generated"):
            continue
        package = str(path.parent.relative_to(folder))
        packages[package] = packages.get(package, "") + path.read_text(encoding="utf-8") + "\n"
    values: dict[tuple[str, str], list[str]] = {}  # (package, type) -> constants, in source order
    for package, source in packages.items():
        for type_name in _ENUM_TYPE.findall(source):
            values[(package, type_name)] = []
        for type_name, value in _CONSTANT.findall(source):
            if (package, type_name) in values and value not in values[(package, type_name)]:
                values[(package, type_name)].append(value)
    enums: Enums = {}
    for package, source in packages.items():
        aliases = {alias or path.rsplit("/", 1)[-1]: path for alias, path in _IMPORT.findall(source)}
        for struct, body in _STRUCT.findall(source):
            for pointer_or_list, alias, type_name, json_name in _FIELD.findall(body):
                owner = aliases.get(alias, "") if alias else package
                allowed = values.get((owner, type_name))
                if allowed:
                    definition = f"io.k8s.api.{package.replace('/', '.')}.{struct}"
                    enums.setdefault(definition, {})[json_name] = (allowed, pointer_or_list == "[]")
    return enums


# What the API server's validation code requires that the OpenAPI documents do not say, from the
# API reference: enums of string types not marked +enum, the string forms int-or-string fields take
# (a port name, a percentage), and the container image (optional in the schema so that workload
# controllers can default it, refused when empty).
_PORT_NAME = r"^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
_PERCENT = r"^[0-9]+%$"
SUPPLEMENTS: dict[str, dict[str, dict[str, Any]]] = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement": {
        "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]}
    },
    "io.k8s.api.networking.v1.HTTPIngressPath": {"pathType": {"enum": ["Exact", "Prefix", "ImplementationSpecific"]}},
    "io.k8s.api.autoscaling.v2.HPAScalingRules": {"selectPolicy": {"enum": ["", "Max", "Min", "Disabled"]}},
    "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy": {
        "whenDeleted": {"enum": ["", "Retain", "Delete"]},
        "whenScaled": {"enum": ["", "Retain", "Delete"]},
    },
    "io.k8s.api.core.v1.ServicePort": {"targetPort": {"pattern": _PORT_NAME}},
    "io.k8s.api.core.v1.HTTPGetAction": {"port": {"pattern": _PORT_NAME}},
    "io.k8s.api.core.v1.TCPSocketAction": {"port": {"pattern": _PORT_NAME}},
    "io.k8s.api.networking.v1.NetworkPolicyPort": {"port": {"pattern": _PORT_NAME}},
    "io.k8s.api.apps.v1.RollingUpdateDeployment": {
        "maxUnavailable": {"pattern": _PERCENT},
        "maxSurge": {"pattern": _PERCENT},
    },
    "io.k8s.api.apps.v1.RollingUpdateDaemonSet": {
        "maxUnavailable": {"pattern": _PERCENT},
        "maxSurge": {"pattern": _PERCENT},
    },
    "io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy": {"maxUnavailable": {"pattern": _PERCENT}},
    "io.k8s.api.policy.v1.PodDisruptionBudgetSpec": {
        "minAvailable": {"pattern": _PERCENT},
        "maxUnavailable": {"pattern": _PERCENT},
    },
}
REQUIRED_SUPPLEMENTS = {"io.k8s.api.core.v1.Container": ("image",)}


def _supplement(name: str, node: dict[str, Any]) -> None:
    """Add what validation requires beyond the documents (``SUPPLEMENTS``) to a compact definition.
    A reference (int-or-string) becomes the reference plus the constraint, under allOf."""
    properties = node.get("properties") or {}
    for field_name, extra in SUPPLEMENTS.get(name, {}).items():
        field = properties.get(field_name)
        if not isinstance(field, dict):
            continue
        if "$ref" in field:
            properties[field_name] = {**field_of_ref(field), **extra}
        else:
            field.update(extra)
    for required in REQUIRED_SUPPLEMENTS.get(name, ()):
        if required in properties and required not in node.get("required", []):
            node["required"] = [*node.get("required", []), required]


def field_of_ref(field: dict[str, Any]) -> dict[str, Any]:
    """An int-or-string reference spelt out, so that a pattern can sit beside it."""
    if field["$ref"] == INT_OR_STRING:
        return {"x-kubernetes-int-or-string": True}
    return dict(field)


def _add_enums(node: dict[str, Any], fields: dict[str, tuple[list[str], bool]]) -> None:
    """Put the allowed values on the string fields (or list items) of a compact definition. The empty
    string stays allowed: the API server defaults an empty enum field as if it were not set."""
    properties = node.get("properties") or {}
    for json_name, (allowed, is_list) in fields.items():
        field = properties.get(json_name)
        target = field.get("items") if is_list and isinstance(field, dict) else field
        if isinstance(target, dict) and target.get("type") == "string":
            target["enum"] = ["", *allowed] if "" not in allowed else list(allowed)


def _unwrapped(node: Any) -> Any:
    """The node with every ``allOf: [{$ref: X}]`` alone (how OpenAPI v3 adds a default to a reference)
    replaced by the reference: the same meaning, smaller and faster to walk."""
    if not isinstance(node, dict):
        return node
    if set(node) == {"allOf"} and len(node["allOf"]) == 1:
        return _unwrapped(node["allOf"][0])
    result = dict(node)
    if "properties" in node:
        result["properties"] = {name: _unwrapped(sub) for name, sub in node["properties"].items()}
    for keyword in ("items", "additionalProperties"):
        if keyword in node:
            result[keyword] = _unwrapped(node[keyword])
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in node:
            result[keyword] = [_unwrapped(sub) for sub in node[keyword]]
    return result


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
    kube = commands.add_parser("kubernetes", help="compact the OpenAPI spec of one Kubernetes minor version")
    kube.add_argument("version", help="minor version, e.g. 1.35")
    kube.add_argument(
        "spec", type=Path, help="a folder of OpenAPI v3 documents, an OpenAPI v2 swagger.json or a _definitions.json"
    )
    kube.add_argument("--api-types", type=Path, help="a checkout of k8s.io/api at the release, for the enums")
    kube.add_argument("--source", default="", help="where the spec came from (kept in the file)")
    crds = commands.add_parser("crds", help="compact a folder of CustomResourceDefinitions")
    crds.add_argument("name", help="output name, e.g. gateway-api")
    crds.add_argument("folder", type=Path)
    crds.add_argument("--source", default="")
    args = parser.parse_args(argv)
    if args.command == "kubernetes":
        enums = api_enums(args.api_types) if args.api_types else None
        schemas = kubernetes_schemas(read_definitions(args.spec), enums)
        target = write(f"kubernetes-{args.version}", args.source or f"Kubernetes {args.version} OpenAPI", schemas)
    else:
        schemas = load_crd_folder(str(args.folder))
        target = write(args.name, args.source or args.name, schemas)
    print(f"{target}: {len(schemas.kinds)} kinds, {len(schemas.defs)} definitions, {target.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
