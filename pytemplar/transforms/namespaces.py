"""``setNamespace``: move a release's objects into its namespace, and the references that follow them.

This is Kustomize's ``namespace:`` for manifests that do not say their namespace (or say another
one): every namespaced object gets the release's namespace (``all``), or only those without one
(``unset``). Cluster-scoped objects keep none; a Namespace object is renamed to the namespace, as
Kustomize does. References that name a moved object by namespace follow it: ServiceAccount
subjects of (Cluster)RoleBindings (and any subject named ``default``, as in Kustomize), webhook
``clientConfig.service`` of (Validating|Mutating)WebhookConfigurations, the APIService's
``spec.service`` and a CRD's conversion webhook service.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pytemplar.errors import ConfigError
from pytemplar.transforms.fieldpaths import parents
from pytemplar.transforms.kubeapi import is_cluster_scoped
from pytemplar.transforms.references import ObjectKey, namespace_of
from pytemplar.transforms.table import Objects, TransformContext, identities

NamespaceMode = Literal["all", "unset"]

_WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
_ALWAYS_SET = {
    "APIService": "spec/service",
    "CustomResourceDefinition": "spec/conversion/webhook/clientConfig/service",
}


def set_namespaces(
    objects: Sequence[dict[str, Any]], namespace: str, mode: NamespaceMode, default_namespace: str
) -> dict[ObjectKey, str]:
    """Move objects in place; returns ``(kind, old namespace, name) -> new namespace``."""
    moves: dict[ObjectKey, str] = {}
    for obj in objects:
        kind = str(obj.get("kind", ""))
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict):
            continue
        if kind == "Namespace" and str(obj.get("apiVersion")) == "v1":
            if mode == "all":
                metadata["name"] = namespace
            continue
        if kind != "Namespace" and is_cluster_scoped(kind):  # another Namespace kind is a custom resource
            continue
        if mode == "unset" and metadata.get("namespace"):
            continue
        old = namespace_of(obj, default_namespace)
        metadata["namespace"] = namespace
        name = metadata.get("name")
        if isinstance(name, str) and old != namespace:
            moves[(kind, old, name)] = namespace
    for obj in objects:
        _follow(obj, moves, namespace, mode, default_namespace)
    return moves


def _follow(
    obj: dict[str, Any], moves: dict[ObjectKey, str], namespace: str, mode: NamespaceMode, default_namespace: str
) -> None:
    kind = str(obj.get("kind", ""))
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        subjects = obj.get("subjects")
        for subject in subjects if isinstance(subjects, list) else ():
            if not isinstance(subject, dict):
                continue
            if subject.get("name") == "default" and (mode == "all" or not subject.get("namespace")):
                subject["namespace"] = namespace
            elif subject.get("kind") == "ServiceAccount":
                account = (
                    "ServiceAccount",
                    str(subject.get("namespace") or default_namespace),
                    str(subject.get("name")),
                )
                if account in moves:
                    subject["namespace"] = moves[account]
    elif kind in _WEBHOOK_KINDS:
        for holder, field in parents(obj, "webhooks/clientConfig/service"):
            service = holder.get(field)
            if isinstance(service, dict):
                moved = ("Service", str(service.get("namespace") or default_namespace), str(service.get("name")))
                if moved in moves:
                    service["namespace"] = moves[moved]
    elif kind in _ALWAYS_SET and mode == "all":
        for holder, field in parents(obj, _ALWAYS_SET[kind]):
            service = holder.get(field)
            if isinstance(service, dict):
                service["namespace"] = namespace


def move(objects: Objects, mode: str, context: TransformContext) -> Objects:
    """The row of ``setNamespace`` in the transforms table: into the release's namespace."""
    if not mode:
        return objects
    if mode not in ("all", "unset"):
        raise ConfigError(f"setNamespace must be 'all' or 'unset', not '{mode}'")
    before = identities(objects)
    set_namespaces(objects, context.namespace, mode, context.namespace)  # type: ignore[arg-type]
    context.remember_ids(before, objects)
    for obj in objects:
        metadata = obj.get("metadata")
        if obj.get("kind") in KUSTOMIZE_NAMESPACES and isinstance(metadata, dict) and not metadata.get("namespace"):
            context.warn(
                f"{obj['kind']} {metadata.get('name')} is cluster-scoped and gets no namespace; kubectl kustomize "
                f"v5.7 would give it namespace {context.namespace}, not knowing the kind",
                None,
            )
    return objects


# Kubernetes' cluster-scoped kinds that kubectl kustomize v5.7's namespace transformer does not
# know, and so namespaces (found by giving it one object of each cluster-scoped kind).
KUSTOMIZE_NAMESPACES = frozenset(
    {
        "ClusterTrustBundle",
        "DeviceClass",
        "DeviceTaintRule",
        "FlowSchema",
        "IPAddress",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "PriorityLevelConfiguration",
        "ResourcePoolStatusRequest",
        "ResourceSlice",
        "ServiceCIDR",
        "StorageVersion",
        "StorageVersionMigration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "VolumeAttributesClass",
    }
)
