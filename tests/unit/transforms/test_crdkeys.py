"""Custom resources' list merge keys from CRDs: in the release, or in the project's crds: folders."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import run_pytemplar, write_tree

from pytemplar.transforms.crdkeys import merge_keys_with_crds
from pytemplar.transforms.kubeapi import kube_merge_keys

CRD = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: gateways.example.com}
    spec:
      group: example.com
      names: {kind: Gateway, plural: gateways}
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
                  properties:
                    listeners:
                      type: array
                      x-kubernetes-list-type: map
                      x-kubernetes-list-map-keys: [name]
                      items:
                        type: object
                        properties:
                          name: {type: string}
                          port: {type: integer}
                          hosts: {type: array, items: {type: string}}
"""

GATEWAY = """
    apiVersion: example.com/v1
    kind: Gateway
    metadata: {name: edge, namespace: "{{ release.namespace }}"}
    spec:
      listeners:
        - {name: http, port: 80, hosts: [a]}
        - {name: https, port: 443, hosts: [a]}
"""

CONFIG = """
    crds: [crds]
    environments:
      dev: {}
    releases:
      edge:
        app: ./app
        patches:
          - patch:
              apiVersion: example.com/v1
              kind: Gateway
              metadata: {name: edge}
              spec:
                listeners:
                  - {name: https, hosts: [b]}
"""


def listeners(folder: Path) -> object:
    result = run_pytemplar("render", folder, "-e", "dev")
    assert result.code == 0, result.stderr
    [gateway] = [doc for doc in yaml.safe_load_all(result.stdout) if doc and doc["kind"] == "Gateway"]
    return gateway["spec"]["listeners"]


def test_a_crd_in_a_crds_folder_gives_the_merge_keys(tmp_path: Path) -> None:
    files = {
        "app/app.yaml": "name: gw\nversion: 1.0.0\n",
        "app/templates/gateway.yaml.j2": GATEWAY,
        "crds/gateway.yaml": CRD,
        "pytemplar.yaml": CONFIG,
    }
    assert listeners(write_tree(tmp_path, files)) == [
        {"name": "https", "port": 443, "hosts": ["b"]},
        {"name": "http", "port": 80, "hosts": ["a"]},
    ]


def test_without_a_crd_the_list_is_replaced(tmp_path: Path) -> None:
    files = {
        "app/app.yaml": "name: gw\nversion: 1.0.0\n",
        "app/templates/gateway.yaml.j2": GATEWAY,
        "crds/other.yaml": CRD.replace("Gateway", "Other").replace("gateways", "others"),
        "pytemplar.yaml": CONFIG,
    }
    assert listeners(write_tree(tmp_path, files)) == [{"name": "https", "hosts": ["b"]}]


def test_a_crd_in_the_release_wins_and_builtin_kinds_keep_their_keys() -> None:
    crd = yaml.safe_load(CRD.replace("[name]", "[port]"))
    keys = merge_keys_with_crds([crd])
    schema = keys.schema_of({"apiVersion": "example.com/v1", "kind": "Gateway"})
    assert keys.list_strategy(keys.child(schema, "spec"), "listeners").keys == ("port",)  # type: ignore[union-attr]
    assert keys.list_strategy(keys.child(keys.child(schema, "spec"), "listeners"), "hosts") is None
    pod = kube_merge_keys().schema_of({"apiVersion": "v1", "kind": "Pod"})
    assert keys.schema_of({"apiVersion": "v1", "kind": "Pod"}) == pod
    assert merge_keys_with_crds([]) is kube_merge_keys()
