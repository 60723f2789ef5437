"""Removed APIs at the boundary: served one minor version before their removal, refused from it."""

from __future__ import annotations

import pytest

from pytemplar.deprecations import APIS
from pytemplar.errors import Location
from pytemplar.manifests import Manifest
from pytemplar.policies import check_removed_apis

REMOVED_APIS = {key: life.removed for key, life in APIS.items() if life.removed is not None}

# Facts from Kubernetes' deprecated API migration guide, independent of the table.
KNOWN_REMOVALS = [
    ("extensions/v1beta1", "Deployment", 16),
    ("apps/v1beta2", "StatefulSet", 16),
    ("extensions/v1beta1", "Ingress", 22),
    ("networking.k8s.io/v1beta1", "Ingress", 22),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", 22),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", 22),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", 22),
    ("batch/v1beta1", "CronJob", 25),
    ("policy/v1beta1", "PodDisruptionBudget", 25),
    ("policy/v1beta1", "PodSecurityPolicy", 25),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", 25),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", 26),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", 27),
]


def refusals(api_version: str, kind: str, minor: int) -> list[str]:
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    manifest = Manifest(obj, "r", "dev", "templates/x.yaml", Location("x.yaml"))
    return [problem.message for problem in check_removed_apis([manifest], f"1.{minor}")]


@pytest.mark.parametrize(
    ("api_version", "kind"), sorted(REMOVED_APIS), ids=[f"{v}-{k}" for v, k in sorted(REMOVED_APIS)]
)
def test_each_removal_starts_at_its_version(api_version: str, kind: str) -> None:
    removed_in = REMOVED_APIS[(api_version, kind)]
    assert refusals(api_version, kind, removed_in - 1) == []
    [message] = refusals(api_version, kind, removed_in)
    assert f"is not served since Kubernetes 1.{removed_in} (target 1.{removed_in})" in message
    assert len(refusals(api_version, kind, removed_in + 10)) == 1


@pytest.mark.parametrize(("api_version", "kind", "removed_in"), KNOWN_REMOVALS)
def test_the_table_knows_when_kubernetes_removed_them(api_version: str, kind: str, removed_in: int) -> None:
    assert refusals(api_version, kind, removed_in - 1) == []
    assert len(refusals(api_version, kind, removed_in)) == 1
