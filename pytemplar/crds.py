"""Schemas of custom resources: CustomResourceDefinitions and JSON Schema files, in the compact form.

The compact form is what :mod:`pytemplar.kubeschema` validates against: a map from
``apiVersion/kind`` to a definition name, and the definitions, each a JSON-Schema-like node that
keeps only what validation needs (see ``KEPT_KEYWORDS``). The same conversion serves the CRDs a
user supplies (``--crds DIR``) and the bundled Gateway API schemas (``scripts/build_kube_schemas.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pytemplar.errors import ConfigError, Location, Problem, PytemplarError
from pytemplar.fsroot import Root
from pytemplar.yamlio import YamlDocument, load_documents

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

# Keywords the validator reads; everything else (descriptions, defaults, CEL rules, list and patch
# strategies) is dropped. Value keywords hold data; schema keywords hold subschemas.
VALUE_KEYWORDS = (
    "type",
    "required",
    "enum",
    "format",
    "nullable",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
)
KEPT_KEYWORDS = frozenset({*VALUE_KEYWORDS, "properties", "items", "additionalProperties", "anyOf", "oneOf", "allOf"})
SCHEMA_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class CompactSchemas:
    """Kinds (``group/version/Kind``, or ``v1/Kind`` for the core group) and the definitions they name."""

    kinds: dict[str, str] = field(default_factory=dict)
    defs: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # kind -> file it came from, for messages

    def add(self, api_version: str, kind: str, node: dict[str, Any], source: str) -> None:
        key = f"{api_version}/{kind}"
        self.kinds[key] = key
        self.defs[key] = node
        self.origin[key] = source

    def as_data(self) -> dict[str, Any]:
        return {"kinds": dict(sorted(self.kinds.items())), "$defs": dict(sorted(self.defs.items()))}


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def compact_node(schema: Any) -> Any:
    """A JSON-Schema/OpenAPI v3 node reduced to the keywords validation reads."""
    if not isinstance(schema, dict):
        return schema  # additionalProperties: true/false
    if isinstance(schema.get("$ref"), str):
        # OpenAPI references (#/definitions/X, #/components/schemas/X) become the bare name X.
        return {"$ref": schema["$ref"].rpartition("/")[2]}
    node: dict[str, Any] = {key: schema[key] for key in VALUE_KEYWORDS if key in schema}
    if node.get("format") == "int-or-string":
        del node["format"]
        node["x-kubernetes-int-or-string"] = True
    if isinstance(schema.get("properties"), dict):
        node["properties"] = {name: compact_node(sub) for name, sub in schema["properties"].items()}
    if "items" in schema:
        node["items"] = compact_node(schema["items"])
    if "additionalProperties" in schema:
        node["additionalProperties"] = compact_node(schema["additionalProperties"])
    for keyword in ("anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(keyword), list):
            node[keyword] = [compact_node(sub) for sub in schema[keyword]]
    if node.get("x-kubernetes-int-or-string"):
        # Structural schemas spell int-or-string as anyOf integer|string; the flag says it all.
        node.pop("anyOf", None)
    return node


def resource_root(schema: Any) -> dict[str, Any]:
    """The compact root of a resource: its own schema, with the metadata every object has."""
    node: dict[str, Any] = compact_node(_map(schema))
    if node.get("x-kubernetes-preserve-unknown-fields"):
        return node
    properties = node.setdefault("properties", {})
    # The API server validates metadata as ObjectMeta whatever the CRD says about it.
    properties["metadata"] = {"$ref": OBJECT_META}
    properties.setdefault("apiVersion", {"type": "string"})
    properties.setdefault("kind", {"type": "string"})
    node.setdefault("type", "object")
    return node


def add_crd(schemas: CompactSchemas, crd: dict[str, Any], source: str) -> list[str]:
    """Add each served version of a CustomResourceDefinition; returns what is wrong with it."""
    spec = _map(crd.get("spec"))
    group = spec.get("group")
    names = _map(spec.get("names"))
    kind = names.get("kind")
    versions = spec.get("versions")
    if not isinstance(group, str) or not isinstance(kind, str) or not isinstance(versions, list):
        return ["a CustomResourceDefinition needs spec.group, spec.names.kind and spec.versions"]
    problems = []
    for version in versions:
        if not isinstance(version, dict) or not version.get("served", True):
            continue
        schema = version.get("schema")
        root = schema.get("openAPIV3Schema") if isinstance(schema, dict) else None
        if not isinstance(root, dict):
            problems.append(f"{kind} {group}/{version.get('name')} has no schema.openAPIV3Schema")
            continue
        node = resource_root(root)
        unreadable = _unreadable_patterns(node, f"{kind} {group}/{version.get('name')}")
        if unreadable:
            problems.extend(unreadable)
            continue
        schemas.add(f"{group}/{version.get('name')}", kind, node, source)
    return problems


def _unreadable_patterns(node: Any, where: str, path: str = "") -> list[str]:
    """Why each ``pattern`` of a compact schema cannot be matched in linear time. The API server
    compiles CRD patterns with Go's RE2 and refuses such a CRD; matching them with a backtracking
    engine instead could run for hours on one crafted value."""
    from pytemplar.patterns import problem

    found: list[str] = []
    if isinstance(node, dict):
        pattern = node.get("pattern")
        if isinstance(pattern, str) and (why := problem(pattern)) is not None:
            found.append(f"{where}: the pattern {pattern!r} at {path or '.'} {why}")
        for key, child in node.items():
            if key != "pattern":
                found.extend(_unreadable_patterns(child, where, f"{path}.{key}" if path else key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.extend(_unreadable_patterns(child, where, f"{path}[{index}]"))
    return found


def add_json_schema(schemas: CompactSchemas, schema: dict[str, Any], source: str) -> list[str]:
    """Add a JSON Schema of one kind, named by x-kubernetes-group-version-kind or apiVersion/kind enums."""
    identities = _declared_kinds(schema)
    if not identities:
        return [
            "a JSON Schema must name its kind: x-kubernetes-group-version-kind, "
            "or properties.apiVersion.enum and properties.kind.enum"
        ]
    node = resource_root(schema)
    unreadable = _unreadable_patterns(node, " ".join(f"{a}/{k}" for a, k in identities))
    if unreadable:
        return unreadable
    for api_version, kind in identities:
        schemas.add(api_version, kind, node, source)
    return []


def _declared_kinds(schema: dict[str, Any]) -> list[tuple[str, str]]:
    declared = schema.get("x-kubernetes-group-version-kind")
    if isinstance(declared, list):
        found = []
        for entry in declared:
            if isinstance(entry, dict) and isinstance(entry.get("kind"), str):
                group, version = entry.get("group") or "", entry.get("version") or ""
                found.append((f"{group}/{version}" if group else str(version), entry["kind"]))
        return found
    properties = _map(schema.get("properties"))
    api_versions = _enum(properties.get("apiVersion"))
    kinds = _enum(properties.get("kind"))
    return [(a, k) for a in api_versions for k in kinds]


def _enum(node: Any) -> list[str]:
    values = node.get("enum") if isinstance(node, dict) else None
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def load_crd_folders(folders: Iterable[str], skipped: list[Problem] | None = None) -> CompactSchemas:
    """Every CRD and JSON Schema below each folder (a later folder's kind replaces an earlier one's).

    An unusable file (not YAML or JSON, or a schema that names no kind) fails the whole load, or,
    given ``skipped``, is left out with a warning there: one bad file of a downloaded schema
    catalogue (kubeconform's layout) should not stop every other object from being validated.
    """
    schemas = CompactSchemas()
    problems: list[Problem] = []
    for folder in folders:
        problems.extend(_load_folder(schemas, folder))
    if problems and skipped is None:
        raise ConfigError.collect(problems)
    for problem in problems:
        skipped_problem = dataclasses.replace(
            problem, message=f"schema skipped: {problem.message}", severity="warning", rule="kube-schema"
        )
        (skipped if skipped is not None else []).append(skipped_problem)
    return schemas


def load_crd_folder(folder: str) -> CompactSchemas:
    return load_crd_folders([folder])


def _load_folder(schemas: CompactSchemas, folder: str) -> list[Problem]:
    """Read the folder's *.yaml, *.yml and *.json files through the confined reader, with the YAML loader."""
    root = Root.at(folder)
    problems: list[Problem] = []
    for relative in root.list_files("."):
        if not relative.endswith(SCHEMA_SUFFIXES):
            continue
        shown = str(root.path / relative)
        try:
            documents = load_documents(root.read_text(relative), shown, resolver="kubernetes")
        except PytemplarError as exc:
            problems.extend(exc.problems)
            continue
        for document in documents:
            problems.extend(_add_document(schemas, document, shown))
    return problems


def _add_document(schemas: CompactSchemas, document: YamlDocument, shown: str) -> list[Problem]:
    data = document.data
    if data is None:
        return []
    location = Location(shown, document.line)
    if not isinstance(data, dict):
        return [Problem("a schema file must hold maps (CRDs or JSON Schemas)", location=location)]
    if data.get("kind") == "CustomResourceDefinition":
        reasons = add_crd(schemas, data, shown)
    elif data.get("kind") == "List" and isinstance(data.get("items"), list):
        reasons = []
        for item in data["items"]:
            if isinstance(item, dict) and item.get("kind") == "CustomResourceDefinition":
                reasons.extend(add_crd(schemas, item, shown))
    elif isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str):
        return []  # some other Kubernetes object kept beside the CRDs: not a schema
    else:
        reasons = add_json_schema(schemas, data, shown)
    hint = "give the folder CustomResourceDefinitions (apiextensions.k8s.io/v1) or JSON Schemas of one kind each"
    regex_hint = "write the pattern as RE2 reads it (the API server's regexp): no backreferences or lookarounds"
    return [
        Problem(reason, location=location, hint=regex_hint if reason.endswith(_NEEDS_BACKTRACKING) else hint)
        for reason in reasons
    ]


_NEEDS_BACKTRACKING = "which needs a backtracking matcher"
