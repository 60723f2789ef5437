"""Strategic merge on custom resources, with list merge keys from a schema
(api/krusty/openapicustomschema_test.go), ported.

Kustomize learns a custom resource's merge keys from an OpenAPI document named by the
kustomization's ``openapi`` field (``x-kubernetes-patch-merge-key``); pytemplar from the
resource's CustomResourceDefinition (``x-kubernetes-list-type: map`` with
``x-kubernetes-list-map-keys``, which CRDs may carry and the API server accepts), in the release
or in the project's ``crds:`` folders. Each case gives both tools the same merge keys.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kustomize.harness import KUBECTL, SKIP_REASON, Case, check

pytestmark = pytest.mark.skipif(KUBECTL is None, reason=SKIP_REASON)

SERVICE = """
apiVersion: example.com/v1alpha1
kind: MyCRD
metadata: {name: service, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: server
          image: server
          command: [example]
          ports:
            - {name: grpc, protocol: TCP, containerPort: 8080}
        - name: sidecar
          image: envoy
  routes:
    - {host: a.example.com, path: /, weight: 1}
    - {host: b.example.com, path: /, weight: 1}
  tags: [one, two]
"""

PATCH = """
patches:
  - patch: |
      apiVersion: example.com/v1alpha1
      kind: MyCRD
      metadata: {name: service, namespace: shop}
      spec:
        template:
          spec:
            containers:
              - name: server
                image: nginx
        routes:
          - {host: b.example.com, path: /, weight: 5}
          - {host: c.example.com, path: /, weight: 1}
        tags: [three]
"""


def _crd() -> str:
    container = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "image": {"type": "string"},
            "command": {"type": "array", "items": {"type": "string"}},
            "ports": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
        },
    }
    route = {"type": "object", "properties": {key: {"type": "string"} for key in ("host", "path")}}
    route["properties"]["weight"] = {"type": "integer"}  # type: ignore[index]
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "template": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {
                                    "containers": {
                                        "type": "array",
                                        "items": container,
                                        "x-kubernetes-list-type": "map",
                                        "x-kubernetes-list-map-keys": ["name"],
                                    }
                                },
                            }
                        },
                    },
                    "routes": {
                        "type": "array",
                        "items": route,
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["host"],
                    },
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
    }
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "mycrds.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "MyCRD", "plural": "mycrds", "singular": "mycrd"},
            "scope": "Namespaced",
            "versions": [{"name": "v1alpha1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}],
        },
    }
    return json.dumps(crd)


def _openapi(keys: dict[str, list[str]]) -> str:
    """Kustomize's form: an OpenAPI v2 document whose lists say their patch merge key."""

    def merged(definition: str, key: str) -> dict[str, object]:
        return {
            "type": "array",
            "items": {"$ref": f"#/definitions/{definition}"},
            "x-kubernetes-patch-strategy": "merge",
            "x-kubernetes-patch-merge-key": key,
        }

    definitions = {
        "v1alpha1.MyCRD": {
            "type": "object",
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "metadata": {"type": "object"},
                "spec": {
                    "type": "object",
                    "properties": {
                        "template": {"$ref": "#/definitions/v1alpha1.Template"},
                        "routes": merged("v1alpha1.Route", keys["routes"][0])
                        if "routes" in keys
                        else {"type": "array", "items": {"$ref": "#/definitions/v1alpha1.Route"}},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "x-kubernetes-group-version-kind": [{"group": "example.com", "kind": "MyCRD", "version": "v1alpha1"}],
        },
        "v1alpha1.Template": {
            "type": "object",
            "properties": {
                "spec": {"type": "object", "properties": {"containers": merged("v1alpha1.Container", "name")}}
            },
        },
        "v1alpha1.Container": {"type": "object", "properties": {"name": {"type": "string"}}},
        "v1alpha1.Route": {"type": "object", "properties": {"host": {"type": "string"}}},
    }
    return json.dumps({"definitions": definitions})


CASES = [
    Case(
        "a custom resource's lists merge by the keys its schema names, other lists are replaced",
        "openapicustomschema_test.go (TestCustomOpenApiFieldBasicUsage)",
        _crd() + "\n---\n" + SERVICE,
        "openapi: {path: mycrd_schema.json}\n" + PATCH,
        transforms=PATCH,
        files={"mycrd_schema.json": _openapi({"routes": ["host"]})},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_krusty_custom_resource_case(tmp_path: Path, case: Case) -> None:
    check(tmp_path, case)
