"""Enums in the bundled Kubernetes schemas, and the schema builder that puts them there."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytemplar.kubeschema import bundled_versions, schema_set, validate_object

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import build_kube_schemas as build  # noqa: E402


def test_every_version_from_1_25_to_1_37_is_bundled() -> None:
    assert bundled_versions() == tuple(f"1.{minor}" for minor in range(25, 38))


@pytest.mark.parametrize("version", [f"1.{minor}" for minor in range(25, 38)])
@pytest.mark.parametrize(
    ("path", "value", "allowed"),
    [
        (("spec", "template", "spec", "containers", 0, "imagePullPolicy"), "Sometimes", "Always, Never, IfNotPresent"),
        (("spec", "template", "spec", "containers", 0, "ports", 0, "protocol"), "HTTP", "TCP, UDP, SCTP"),
        (("spec", "template", "spec", "restartPolicy"), "Sometimes", "Always, OnFailure, Never"),
        (("spec", "strategy", "type"), "BlueGreen", "Recreate, RollingUpdate"),
    ],
)
def test_enums_are_checked_in_every_bundled_version(
    version: str, path: tuple[str | int, ...], value: str, allowed: str
) -> None:
    deployment: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "restartPolicy": "Always",
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx",
                            "imagePullPolicy": "",
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        }
                    ],
                },
            },
        },
    }
    schemas = schema_set(version)
    assert validate_object(deployment, schemas) == []  # "" is an enum field not set
    node: Any = deployment
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    violations = validate_object(deployment, schemas)
    assert violations is not None
    assert [(v.path, v.message) for v in violations] == [(path, f"'{value}' is not one of: {allowed}")]


def test_a_close_enum_value_is_suggested() -> None:
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "ClusterIp"}}
    [violation] = validate_object(service, schema_set("1.35")) or []
    assert violation.message == (
        "'ClusterIp' is not one of: ClusterIP, NodePort, LoadBalancer, ExternalName (did you mean 'ClusterIP'?)"
    )


def test_enums_are_read_from_enum_types_their_constants_and_the_fields_that_use_them(tmp_path: Path) -> None:
    (tmp_path / "core" / "v1").mkdir(parents=True)
    (tmp_path / "apps" / "v1").mkdir(parents=True)
    (tmp_path / "core" / "v1" / "types.go").write_text(
        textwrap.dedent(
            """
            package v1

            // Protocol is a network protocol.
            // +enum
            type Protocol string

            const (
            \t// TCP it is.
            \tProtocolTCP Protocol = "TCP"
            \tProtocolUDP Protocol = "UDP"
            )

            // Not an enum: any text.
            type SecretType string

            const SecretTypeOpaque SecretType = "Opaque"

            type ContainerPort struct {
            \t// +optional
            \tProtocol Protocol `json:"protocol,omitempty" protobuf:"bytes,4,opt,name=protocol,casttype=Protocol"`
            \tKinds []Protocol `json:"kinds,omitempty"`
            \tType SecretType `json:"type,omitempty"`
            }
            """
        )
    )
    (tmp_path / "apps" / "v1" / "types.go").write_text(
        textwrap.dedent(
            """
            package v1

            import (
            \tv1 "k8s.io/api/core/v1"
            )

            type Thing struct {
            \tProtocol *v1.Protocol `json:"protocol,omitempty"`
            }
            """
        )
    )
    enums = build.api_enums(tmp_path)
    assert enums == {
        "io.k8s.api.core.v1.ContainerPort": {"protocol": (["TCP", "UDP"], False), "kinds": (["TCP", "UDP"], True)},
        "io.k8s.api.apps.v1.Thing": {"protocol": (["TCP", "UDP"], False)},
    }


def test_v3_documents_are_merged_and_references_under_all_of_unwrapped(tmp_path: Path) -> None:
    (tmp_path / "apis" / "example").mkdir(parents=True)
    schemas = {
        "io.k8s.api.example.v1.Widget": {
            "type": "object",
            "x-kubernetes-group-version-kind": [{"group": "example", "version": "v1", "kind": "Widget"}],
            "properties": {
                "spec": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.example.v1.WidgetSpec"}], "default": {}},
            },
        },
        "io.k8s.api.example.v1.WidgetSpec": {
            "type": "object",
            "properties": {"mode": {"type": "string", "description": "One of A, B."}},
        },
    }
    (tmp_path / "apis" / "example" / "v1.json").write_text(json.dumps({"components": {"schemas": schemas}}))
    definitions = build.read_definitions(tmp_path)
    compact = build.kubernetes_schemas(definitions, {"io.k8s.api.example.v1.WidgetSpec": {"mode": (["A", "B"], False)}})
    assert compact.kinds == {"example/v1/Widget": "io.k8s.api.example.v1.Widget"}
    assert compact.defs["io.k8s.api.example.v1.Widget"]["properties"]["spec"] == {
        "$ref": "io.k8s.api.example.v1.WidgetSpec"
    }
    assert compact.defs["io.k8s.api.example.v1.WidgetSpec"]["properties"]["mode"] == {
        "type": "string",
        "enum": ["", "A", "B"],
    }


@pytest.mark.parametrize(
    ("api_version", "kind", "spec"),
    [
        ("monitoring.coreos.com/v1", "ServiceMonitor", {"endpoints": [{"port": "web", "intervall": "30s"}]}),
        ("argoproj.io/v1alpha1", "Rollout", {"strategy": {"blueGreen": {"activeServce": "a"}}}),
        ("argoproj.io/v1alpha1", "Application", {"destinaton": {}}),
        ("cert-manager.io/v1", "Certificate", {"secretName": "s", "issuerRef": {"name": "i"}, "dnsNamez": ["a"]}),
        ("gateway.networking.k8s.io/v1", "HTTPRoute", {"hostname": ["a.example.com"]}),
    ],
)
def test_the_well_known_crds_are_bundled(api_version: str, kind: str, spec: dict[str, Any]) -> None:
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}, "spec": spec}
    violations = validate_object(obj, schema_set("1.35"))
    assert violations is not None, kind
    assert [v.message for v in violations if v.kind == "unknown"] == ["unknown field"], kind


def test_a_kubernetes_json_schema_definitions_file_reads_as_the_v2_definitions_it_was_made_from() -> None:
    """kubernetes-json-schema's ``_definitions.json`` (what kubernetes-validate bundles) makes every
    type nullable, int-or-string and quantities ``oneOf``, and adds apiVersion/kind enums: read
    back, it gives the definitions of the OpenAPI v2 spec."""
    made = {
        "$defs": {
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
                "oneOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]
            },
            "io.k8s.apimachinery.pkg.api.resource.Quantity": {
                "oneOf": [{"type": ["string", "null"]}, {"type": ["number", "null"]}]
            },
            "io.k8s.api.core.v1.Widget": {
                "type": "object",
                "properties": {
                    "apiVersion": {"type": ["string", "null"], "enum": ["v1"]},
                    "kind": {"type": ["string", "null"], "enum": ["Widget"]},
                    "size": {"type": ["integer", "null"], "format": "int32"},
                    "port": {"$ref": "#/$defs/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
                },
                "x-kubernetes-group-version-kind": [{"group": "", "kind": "Widget", "version": "v1"}],
            },
        }
    }
    definitions = {name: build._from_json_schema(name, node) for name, node in made["$defs"].items()}
    assert definitions == {
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
        "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string"},
        "io.k8s.api.core.v1.Widget": {
            "type": "object",
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "size": {"type": "integer", "format": "int32"},
                "port": {"$ref": "#/$defs/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
            },
            "x-kubernetes-group-version-kind": [{"group": "", "kind": "Widget", "version": "v1"}],
        },
    }
