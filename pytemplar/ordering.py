"""Install order: the order in which kubectl should create objects."""

from __future__ import annotations

from collections.abc import Sequence

from pytemplar.manifests import Manifest

# Dependencies first: namespaces and policies, identities and configuration, storage, CRDs,
# RBAC, then Services before the workloads that use them, and routing last.
INSTALL_ORDER = (
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
    "GatewayClass",
    "Gateway",
    "HTTPRoute",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)
_RANK = {kind: rank for rank, kind in enumerate(INSTALL_ORDER)}
_UNKNOWN = len(INSTALL_ORDER)


def install_key(manifest: Manifest, environment_rank: int = 0) -> tuple[int, str, int, str, str, str, str, str]:
    rank = _RANK.get(manifest.kind, _UNKNOWN)
    return (
        environment_rank,
        manifest.environment,
        rank,
        manifest.kind if rank == _UNKNOWN else "",
        manifest.namespace,
        manifest.name,
        manifest.release,
        manifest.template,
    )


def sort_manifests(manifests: Sequence[Manifest], environments: Sequence[str] = ()) -> list[Manifest]:
    """Manifests by environment (in the given order), then install order; ties by namespace, name, release."""
    order = {name: rank for rank, name in enumerate(environments)}
    return sorted(manifests, key=lambda m: install_key(m, order.get(m.environment, len(order))))
