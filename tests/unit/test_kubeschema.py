"""The Kubernetes schema walker alone: objects against the bundled schemas and against CRDs."""

from __future__ import annotations

import copy
import gzip
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytemplar import kubeschema
from pytemplar.crds import CompactSchemas, add_crd, add_json_schema, load_crd_folder
from pytemplar.errors import ConfigError, UsageError
from pytemplar.kubeschema import SchemaSet, bundled_versions, nearest_bundled, schema_set, validate_object
from pytemplar.yamlio import load_yaml

REPO = Path(__file__).resolve().parents[2]

DEPLOYMENT = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, labels: {app: web}}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
            - name: web
              image: example/web:1.0
              imagePullPolicy: IfNotPresent
              ports: [{containerPort: 8080, name: http}]
              resources:
                requests: {cpu: 250m, memory: 128Mi}
                limits: {cpu: 1, memory: 0.5Gi}
"""


def obj(text: str) -> dict[str, Any]:
    data = load_yaml(textwrap.dedent(text), "t.yaml").data
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def k8s() -> SchemaSet:
    return schema_set("1.35")


def found(data: dict[str, Any], schemas: SchemaSet) -> list[tuple[str, str, str | None]]:
    violations = validate_object(data, schemas)
    assert violations is not None
    return [(v.where(), v.message, v.suggestion) for v in violations]


def test_a_correct_deployment_passes(k8s: SchemaSet) -> None:
    assert found(obj(DEPLOYMENT), k8s) == []


def test_an_unknown_field_is_named_with_the_closest_declared_one(k8s: SchemaSet) -> None:
    data = obj(DEPLOYMENT)
    data["spec"]["template"]["spec"]["containers"][0]["imagePulPolicy"] = "Always"
    assert found(data, k8s) == [
        ("spec.template.spec.containers[0].imagePulPolicy", "unknown field", "imagePullPolicy"),
    ]


def test_a_misspelt_required_field_is_one_violation_not_two(k8s: SchemaSet) -> None:
    data = obj(DEPLOYMENT)
    data["spec"]["selectr"] = data["spec"].pop("selector")
    assert found(data, k8s) == [("spec.selectr", "unknown field", "selector")]


def test_a_missing_required_field_is_reported_at_its_path(k8s: SchemaSet) -> None:
    data = obj(DEPLOYMENT)
    del data["spec"]["template"]["spec"]["containers"][0]["name"]
    assert found(data, k8s) == [("spec.template.spec.containers[0].name", "required field is missing", None)]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("spec", "replicas"), "3", "expected an integer, got text '3'"),
        (("spec", "replicas"), 2.5, "expected an integer, got number 2.5"),
        (("spec", "replicas"), True, "expected an integer, got boolean true"),
        (("spec", "replicas"), 2**31, "2147483648 is out of range for a 32-bit integer"),
        (("spec", "paused"), "yes", "expected true or false, got text 'yes'"),
        (("spec", "strategy", "rollingUpdate", "maxSurge"), [1], "expected an integer or text, got a list"),
        (("metadata", "annotations"), ["a"], "expected a map, got a list"),
    ],
)
def test_types_are_exact(k8s: SchemaSet, path: tuple[str, ...], value: Any, message: str) -> None:
    data = obj(DEPLOYMENT)
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    assert found(data, k8s) == [(".".join(path), message, None)]


@pytest.mark.parametrize("value", ["25%", 3, 0])
def test_int_or_string_fields_take_both(k8s: SchemaSet, value: Any) -> None:
    data = obj(DEPLOYMENT)
    data["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = value
    assert found(data, k8s) == []


def test_the_text_form_of_an_int_or_string_field_is_what_the_api_server_takes(k8s: SchemaSet) -> None:
    """maxSurge takes a percentage as text (the API server refuses "0"), a Service's targetPort a port
    name (it refuses "8080", which is not a name)."""
    data = obj(DEPLOYMENT)
    data["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = "0"
    assert found(data, k8s) == [
        (
            "spec.strategy.rollingUpdate.maxSurge",
            "'0' is neither an integer nor a percentage like 25% (write a number unquoted)",
            None,
        )
    ]
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": []}}
    for target, ok in (("http", True), ("8080", False), ("web-metrics", True), ("Http", False), (8080, True)):
        service["spec"]["ports"] = [{"port": 80, "targetPort": target}]
        assert (found(service, k8s) == []) is ok, target


@pytest.mark.parametrize(("value", "ok"), [("500m", True), (2, True), (0.5, True), ("1.5Gi", True), ("1e3", True),
                                           ("1 core", False), ("Mi", False), (True, False)])  # fmt: skip
def test_quantities_are_text_in_quantity_syntax_or_numbers(k8s: SchemaSet, value: Any, ok: bool) -> None:
    data = obj(DEPLOYMENT)
    data["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = value
    assert (found(data, k8s) == []) is ok


def test_null_means_not_set_but_not_for_a_required_field(k8s: SchemaSet) -> None:
    data = obj(DEPLOYMENT)
    data["spec"]["strategy"] = None
    data["metadata"]["annotations"] = None
    assert found(data, k8s) == []
    data["spec"]["selector"] = None
    assert found(data, k8s) == [("spec.selector", "required field is missing", None)]


def test_secret_data_must_be_base64(k8s: SchemaSet) -> None:
    secret = obj("""
        apiVersion: v1
        kind: Secret
        metadata: {name: s}
        data: {good: aGVsbG8=, bad: not base64!}
    """)
    assert found(secret, k8s) == [("data.bad", "is not base64-encoded data", None)]


def test_free_form_fields_take_anything(k8s: SchemaSet) -> None:
    crd_status = obj("""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          managedFields: [{fieldsV1: {"f:data": {"f:any": {}}}, manager: me}]
        data: {a: b}
    """)
    assert found(crd_status, k8s) == []


def test_map_keys_that_are_not_names_are_shown_in_brackets(k8s: SchemaSet) -> None:
    data = obj(DEPLOYMENT)
    data["metadata"]["labels"]["app.kubernetes.io/name"] = 5
    assert found(data, k8s) == [("metadata.labels['app.kubernetes.io/name']", "expected text, got number 5", None)]


def test_a_kind_without_schema_is_none_not_valid(k8s: SchemaSet) -> None:
    assert validate_object({"apiVersion": "example.com/v1", "kind": "Widget"}, k8s) is None
    assert validate_object({"apiVersion": "extensions/v1beta1", "kind": "Ingress"}, k8s) is None


def test_the_bundled_gateway_api_validates_httproutes(k8s: SchemaSet) -> None:
    route = obj("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web}
        spec:
          parentRefs: [{name: gateway}]
          rules:
            - backendRefs: [{name: web, port: 80, weight: 90}, {name: web-canary, port: 80, wieght: 10}]
    """)
    assert found(route, k8s) == [("spec.rules[0].backendRefs[1].wieght", "unknown field", "weight")]
    route["spec"]["rules"][0]["backendRefs"][1] = {"name": "web-canary", "port": 70000}
    assert found(route, k8s) == [("spec.rules[0].backendRefs[1].port", "70000 is above the maximum 65535", None)]


CRD = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com}
    spec:
      group: example.com
      names: {kind: Widget, plural: widgets}
      scope: Namespaced
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec:
                  type: object
                  required: [size]
                  properties:
                    size: {type: integer, minimum: 1}
                    port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
                    color: {type: string, enum: [red, blue]}
                    extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
        - name: v0
          served: false
          storage: false
          schema: {openAPIV3Schema: {type: object}}
"""


def test_a_crd_gives_its_served_versions_a_schema_with_object_metadata(k8s: SchemaSet) -> None:
    crds = CompactSchemas()
    assert add_crd(crds, obj(CRD), "crds/widget.yaml") == []
    assert list(crds.kinds) == ["example.com/v1/Widget"]
    schemas = schema_set("1.35", crds)
    widget = obj("""
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w, labels: {a: b}, annotation: {x: y}}
        spec: {size: 0, port: http, color: green, extra: {any: [thing]}, sise: 2}
    """)
    assert found(widget, schemas) == [
        ("metadata.annotation", "unknown field", "annotations"),
        ("spec.size", "0 is below the minimum 1", None),
        ("spec.color", "'green' is not one of: red, blue", None),
        ("spec.sise", "unknown field", "size"),
    ]


def test_a_json_schema_names_its_kind_by_gvk_or_by_enums() -> None:
    crds = CompactSchemas()
    by_gvk = {"x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v2", "kind": "Gadget"}]}
    by_enum = {"properties": {"apiVersion": {"enum": ["example.com/v1"]}, "kind": {"enum": ["Gizmo"]}}}
    assert add_json_schema(crds, by_gvk, "g.json") == []
    assert add_json_schema(crds, by_enum, "z.json") == []
    assert sorted(crds.kinds) == ["example.com/v1/Gizmo", "example.com/v2/Gadget"]
    assert add_json_schema(crds, {"type": "object"}, "n.json") == [
        "a JSON Schema must name its kind: x-kubernetes-group-version-kind, "
        "or properties.apiVersion.enum and properties.kind.enum"
    ]


def test_a_crd_folder_is_read_and_its_mistakes_located(tmp_path: Path) -> None:
    (tmp_path / "widget.yaml").write_text(textwrap.dedent(CRD))
    (tmp_path / "notes.txt").write_text("not a schema")
    assert list(load_crd_folder(str(tmp_path)).kinds) == ["example.com/v1/Widget"]
    (tmp_path / "broken.yaml").write_text("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n")
    with pytest.raises(ConfigError) as caught:
        load_crd_folder(str(tmp_path))
    problem = caught.value.problems[0]
    assert problem.message == "a CustomResourceDefinition needs spec.group, spec.names.kind and spec.versions"
    assert problem.location is not None and problem.location.path == str(tmp_path / "broken.yaml")


def test_versions_are_bundled_and_chosen_by_nearness() -> None:
    versions = bundled_versions()
    assert "1.35" in versions and versions == tuple(sorted(versions, key=lambda v: int(v[2:])))
    assert nearest_bundled("1.35") == "1.35"
    assert nearest_bundled("1.99") == versions[-1]
    assert nearest_bundled("1.10") == versions[0]
    assert kubeschema.require_bundled("1.35") == "1.35"
    with pytest.raises(UsageError, match=r"no bundled Kubernetes schema for 1\.99"):
        kubeschema.require_bundled("1.99")
    with pytest.raises(UsageError, match=r"'v1\.35' is not a Kubernetes minor version"):
        kubeschema.require_bundled("v1.35")


def test_an_older_version_knows_fewer_fields() -> None:
    # Pod-level resources (spec.resources) arrived in Kubernetes 1.32.
    data = obj(DEPLOYMENT)
    data["spec"]["template"]["spec"]["resources"] = {"limits": {"cpu": 1}}
    assert found(copy.deepcopy(data), schema_set("1.35")) == []
    assert found(data, schema_set("1.31")) == [("spec.template.spec.resources", "unknown field", "resourceClaims")]


def test_bundled_files_are_compact_and_reproducible() -> None:
    for path in (REPO / "schemas" / "kubernetes").glob("*.json.gz"):
        raw = path.read_bytes()
        assert raw[4:8] == b"\0\0\0\0", f"{path.name}: gzip mtime must be 0 for reproducible builds"
        data = json.loads(gzip.decompress(raw))
        assert set(data) == {"format", "name", "source", "kinds", "$defs"}
        assert path.stat().st_size < 100_000


@pytest.mark.parametrize(
    ("capacity", "found"),
    [
        pytest.param({"storage": "1Gi"}, [], id="storage"),
        pytest.param(
            {"storag": "1Gi"},
            [(("spec", "capacity", "storag"), "unknown", "storage")],
            id="misspelt",
        ),
        pytest.param(
            {"cpu": "1"},
            [(("spec", "capacity", "cpu"), "unknown", None), (("spec", "capacity", "storage"), "required", None)],
            id="another-resource",
        ),
        pytest.param(
            {"storage": "1Gi", "memory": "1Gi"}, [(("spec", "capacity", "memory"), "unknown", None)], id="one-more"
        ),
    ],
)
def test_a_persistent_volume_capacity_names_storage_alone(
    k8s: SchemaSet, capacity: dict[str, str], found: list[tuple[tuple[str, ...], str, str | None]]
) -> None:
    """The API server refuses a PersistentVolume whose capacity is not exactly ``storage``; the
    schema allows any resource name there, so the rule is added to the schema walk."""
    volume = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "data"},
        "spec": {"capacity": capacity, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/data"}},
    }
    violations = validate_object(volume, k8s) or []
    assert [(v.path, v.kind, v.suggestion) for v in violations] == found
