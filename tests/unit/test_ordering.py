"""Install order: what must exist before what, Helm's order for the kinds it knows, and the peer."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pytemplar.errors import Location
from pytemplar.manifests import Manifest
from pytemplar.ordering import sort_manifests

# Helm v4's install order (pkg/release/v1/util/kind_sorter.go), as a fact about the peer.
HELM_ORDER = [
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
]
GATEWAY_API = ["GatewayClass", "Gateway", "HTTPRoute"]

# (first, then, why): what a cluster needs to exist before it accepts or runs the other.
BEFORE = [
    ("PriorityClass", "Pod", "a pod naming a missing priority class is rejected"),
    ("PriorityClass", "Deployment", "its pods name the priority class"),
    ("Namespace", "NetworkPolicy", "namespaced objects need their namespace"),
    ("Namespace", "ServiceAccount", "namespaced objects need their namespace"),
    ("Namespace", "Deployment", "namespaced objects need their namespace"),
    ("NetworkPolicy", "Deployment", "pods must not run unprotected before their policy"),
    ("ResourceQuota", "Pod", "a quota counts only what is created after it"),
    ("LimitRange", "Pod", "defaults and limits apply at pod creation"),
    ("LimitRange", "Deployment", "defaults and limits apply at pod creation"),
    ("ServiceAccount", "Deployment", "pods of a missing service account are not created"),
    ("Secret", "Deployment", "pods mounting a missing secret do not start"),
    ("ConfigMap", "StatefulSet", "pods mounting a missing config map do not start"),
    ("StorageClass", "PersistentVolumeClaim", "a claim binds through its class"),
    ("PersistentVolume", "PersistentVolumeClaim", "a claim binds to a volume"),
    ("PersistentVolumeClaim", "StatefulSet", "pods mount their claims"),
    ("CustomResourceDefinition", "Widget", "a custom resource needs its definition"),
    ("ClusterRole", "ClusterRoleBinding", "a binding refers to its role"),
    ("Role", "RoleBinding", "a binding refers to its role"),
    ("RoleBinding", "Deployment", "pods start with their permissions"),
    ("Service", "Deployment", "pods get the service environment variables of services made before"),
    ("Deployment", "HorizontalPodAutoscaler", "an autoscaler scales an existing workload"),
    ("IngressClass", "Ingress", "an ingress names its class"),
    ("GatewayClass", "Gateway", "a gateway names its class"),
    ("Gateway", "HTTPRoute", "a route attaches to its gateway"),
    ("Service", "HTTPRoute", "a route sends traffic to services"),
    ("Service", "APIService", "an API service is served by a service"),
    ("Deployment", "MutatingWebhookConfiguration", "a webhook without its server blocks every request"),
    ("Deployment", "ValidatingWebhookConfiguration", "a webhook without its server blocks every request"),
    ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "validation sees the mutated object"),
]
KNOWN = [*HELM_ORDER, *GATEWAY_API]


def manifest(kind: str, name: str = "x", namespace: str = "", release: str = "r") -> Manifest:
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    return Manifest({"apiVersion": "v1", "kind": kind, "metadata": metadata}, release, "dev", "t", Location("t"))


def kinds_sorted(kinds: list[str], seed: int = 0) -> list[str]:
    shuffled = [manifest(kind) for kind in kinds]
    random.Random(seed).shuffle(shuffled)
    return [found.kind for found in sort_manifests(shuffled)]


@pytest.mark.parametrize(("first", "then", "why"), BEFORE, ids=[f"{a}<{b}" for a, b, _ in BEFORE])
def test_what_must_exist_first_comes_first(first: str, then: str, why: str) -> None:
    for seed in range(3):
        order = kinds_sorted([then, first, "Other"], seed)
        assert order.index(first) < order.index(then), why


def test_helms_order_for_every_kind_it_orders() -> None:
    for seed in range(5):
        assert [kind for kind in kinds_sorted(KNOWN, seed) if kind in HELM_ORDER] == HELM_ORDER


def test_kinds_it_does_not_know_come_last_by_kind() -> None:
    order = kinds_sorted(["Zeta", *KNOWN, "Alpha", "Widget"])
    assert order[-3:] == ["Alpha", "Widget", "Zeta"]
    assert set(order[:-3]) == set(KNOWN)


def test_ties_by_namespace_then_name_then_release() -> None:
    items = [
        manifest("ConfigMap", "b", "ns1", "r2"),
        manifest("ConfigMap", "b", "ns1", "r1"),
        manifest("ConfigMap", "a", "ns2"),
        manifest("ConfigMap", "c", "ns1"),
    ]
    found = [(m.namespace, m.name, m.release) for m in sort_manifests(items)]
    assert found == [("ns1", "b", "r1"), ("ns1", "b", "r2"), ("ns1", "c", "r"), ("ns2", "a", "r")]


HELM = shutil.which("helm") or next(
    (str(path) for path in [Path("/root/.cache/peers/bin/helm")] if path.is_file()), None
)


@pytest.mark.skipif(HELM is None, reason="helm is not installed (bash /work/shared/get-peers.sh)")
def test_helm_template_orders_the_same_kinds_the_same_way(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: order\nversion: 0.1.0\n")
    shuffled = list(HELM_ORDER)
    random.Random(1).shuffle(shuffled)
    documents = [f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: x\n" for kind in shuffled]
    (chart / "templates" / "all.yaml").write_text("---\n".join(documents))
    assert HELM is not None
    output = subprocess.run([HELM, "template", "r", str(chart)], capture_output=True, text=True, check=True).stdout
    helm_kinds = [document["kind"] for document in yaml.safe_load_all(output) if document]
    assert helm_kinds == HELM_ORDER  # the peer still orders as written above
    assert [kind for kind in kinds_sorted(shuffled) if kind in HELM_ORDER] == helm_kinds
