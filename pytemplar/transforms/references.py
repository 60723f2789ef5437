"""Which fields of which objects name other objects, so a rename can follow them.

This is the common part of Kustomize's ``nameReference`` table: when ``namePrefix``,
``nameSuffix`` or a generator's content hash renames a ConfigMap, the Deployments that mount it
must say the new name. Fields not listed here keep the old name (docs/transforms.md lists them).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pytemplar.errors import Location
from pytemplar.manifests import BINDING_KINDS
from pytemplar.records import record
from pytemplar.transforms.fieldpaths import parents
from pytemplar.transforms.kubeapi import is_cluster_scoped

# Where each kind that runs pods keeps its pod spec.
POD_SPECS: Mapping[str, str] = {
    "Pod": "spec",
    "PodTemplate": "template/spec",
    "Deployment": "spec/template/spec",
    "ReplicaSet": "spec/template/spec",
    "ReplicationController": "spec/template/spec",
    "DaemonSet": "spec/template/spec",
    "StatefulSet": "spec/template/spec",
    "Job": "spec/template/spec",
    "CronJob": "spec/jobTemplate/spec/template/spec",
}

_CONTAINER_LISTS = ("containers", "initContainers")


@record
class Referrer:
    """A string field that names an object of ``target`` kind.

    ``kind_field``: the map holding the name also says the kind it names (``scaleTargetRef``,
    ``roleRef``, ``subjects``); the reference counts only when that kind is the target's.
    ``default_kind`` is the kind assumed when that field is absent (Gateway API backendRefs).
    """

    target: str
    kind: str
    path: str
    kind_field: bool = False
    default_kind: str | None = None
    declared_at: Location | None = None  # for the project's own nameReferences
    # Not in Kustomize's default table: following it differs from kubectl kustomize, so it warns.
    beyond_kustomize: bool = False


def _in_pod_specs(target: str, paths: Iterable[str]) -> list[Referrer]:
    return [Referrer(target, kind, f"{spec}/{path}") for kind, spec in POD_SPECS.items() for path in paths]


def _in_containers(*paths: str) -> list[str]:
    return [f"{containers}/{path}" for containers in _CONTAINER_LISTS for path in paths]


def _configmap_paths() -> list[str]:
    """Where a pod spec names a ConfigMap."""
    return [
        "volumes/configMap/name",
        "volumes/projected/sources/configMap/name",
        *_in_containers("env/valueFrom/configMapKeyRef/name", "envFrom/configMapRef/name"),
    ]


def _secret_paths() -> list[str]:
    """Where a pod spec names a Secret."""
    return [
        "volumes/secret/secretName",
        "volumes/projected/sources/secret/name",
        "imagePullSecrets/name",
        *_in_containers("env/valueFrom/secretKeyRef/name", "envFrom/secretRef/name"),
    ]


@functools.cache
def _default_referrers() -> tuple[Referrer, ...]:
    """The common part of Kustomize's nameReference table.

    The tables are built on first use: a render that renames nothing never reads them."""
    return (
        *_in_pod_specs(
            "ConfigMap",
            _configmap_paths(),
        ),
        *_in_pod_specs(
            "Secret",
            _secret_paths(),
        ),
        Referrer("Secret", "Ingress", "spec/tls/secretName"),
        Referrer("Secret", "ServiceAccount", "imagePullSecrets/name"),
        *_in_pod_specs("ServiceAccount", ["serviceAccountName"]),
        Referrer("ServiceAccount", "RoleBinding", "subjects/name", kind_field=True),
        Referrer("ServiceAccount", "ClusterRoleBinding", "subjects/name", kind_field=True),
        *_in_pod_specs("PersistentVolumeClaim", ["volumes/persistentVolumeClaim/claimName"]),
        Referrer("Service", "Ingress", "spec/rules/http/paths/backend/service/name"),
        Referrer("Service", "Ingress", "spec/defaultBackend/service/name"),
        Referrer("Service", "StatefulSet", "spec/serviceName"),
        # The deprecated Ingress backends (extensions/v1beta1, networking.k8s.io/v1beta1).
        Referrer("Service", "Ingress", "spec/rules/http/paths/backend/serviceName"),
        Referrer("Service", "Ingress", "spec/backend/serviceName"),
        Referrer("Service", "HTTPRoute", "spec/rules/backendRefs/name", kind_field=True, default_kind="Service"),
        Referrer("Service", "GRPCRoute", "spec/rules/backendRefs/name", kind_field=True, default_kind="Service"),
        *(
            Referrer(workload, "HorizontalPodAutoscaler", "spec/scaleTargetRef/name", kind_field=True)
            for workload in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
        ),
        Referrer("Role", "RoleBinding", "roleRef/name", kind_field=True),
        Referrer("ClusterRole", "RoleBinding", "roleRef/name", kind_field=True),
        Referrer("ClusterRole", "ClusterRoleBinding", "roleRef/name", kind_field=True),
        *_in_pod_specs("PriorityClass", ["priorityClassName"]),
        Referrer("IngressClass", "Ingress", "spec/ingressClassName"),
        # A service reference carries its namespace beside the name.
        Referrer("Service", "ValidatingWebhookConfiguration", "webhooks/clientConfig/service/name"),
        Referrer("Service", "MutatingWebhookConfiguration", "webhooks/clientConfig/service/name"),
        Referrer("Service", "APIService", "spec/service/name"),
        Referrer("Service", "CustomResourceDefinition", "spec/conversion/webhook/clientConfig/service/name"),
        Referrer("StorageClass", "PersistentVolumeClaim", "spec/storageClassName"),
        Referrer("StorageClass", "PersistentVolume", "spec/storageClassName"),
        Referrer("StorageClass", "StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName"),
        Referrer("PersistentVolume", "PersistentVolumeClaim", "spec/volumeName"),
        Referrer("Secret", "PersistentVolume", "spec/azureFile/secretName"),
        # A Node's dynamic kubelet configuration (the reference says its namespace).
        Referrer("ConfigMap", "Node", "spec/configSource/configMap/name"),
        # A Knative Service's containers (serving.knative.dev; a core Service has no such path).
        Referrer("Secret", "Service", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name"),
        # Names of objects a Role grants access to (a list of names).
        *(
            Referrer(target, role, "rules/resourceNames")
            for target in ("ConfigMap", "Secret", "ServiceAccount")
            for role in ("Role", "ClusterRole")
        ),
        # Ingress controllers' annotations, and storage provisioners' parameters.
        *(
            Referrer("Secret", "Ingress", f"metadata/annotations/{key}")
            for key in (
                "ingress.kubernetes.io\\/auth-secret",
                "nginx.ingress.kubernetes.io\\/auth-secret",
                "nginx.ingress.kubernetes.io\\/auth-tls-secret",
            )
        ),
        Referrer("ConfigMap", "Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap"),
        *(
            Referrer("Secret", "StorageClass", f"parameters/{key}")
            for key in ("secretName", "adminSecretName", "userSecretName", "secretRef")
        ),
    )


# Custom resources of widely used projects whose fields name objects: VerticalPodAutoscaler,
# cert-manager, Argo Rollouts. Kustomize's default table has none of them, so kubectl kustomize
# leaves these names pointing at objects that a prefix or hash renamed; pytemplar follows them
# and warns, since a migrated overlay then gives other (working) objects.
_WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob")
_ROLLOUT_POD_SPEC = "spec/template/spec"


@functools.cache
def _custom_resource_referrers() -> tuple[Referrer, ...]:
    return tuple(
        Referrer(referrer.target, referrer.kind, referrer.path, referrer.kind_field, referrer.default_kind, None, True)
        for referrer in (
            *(
                Referrer(workload, "VerticalPodAutoscaler", "spec/targetRef/name", kind_field=True)
                for workload in (*_WORKLOADS, "Rollout")
            ),
            Referrer("Secret", "Certificate", "spec/secretName"),
            Referrer("Issuer", "Certificate", "spec/issuerRef/name", kind_field=True, default_kind="Issuer"),
            Referrer("ClusterIssuer", "Certificate", "spec/issuerRef/name", kind_field=True, default_kind="Issuer"),
            Referrer("Issuer", "Ingress", "metadata/annotations/cert-manager.io\\/issuer"),
            Referrer("ClusterIssuer", "Ingress", "metadata/annotations/cert-manager.io\\/cluster-issuer"),
            # An Argo Rollout: its pod template, the Deployment it takes it from, its Services.
            *(
                Referrer(target, "Rollout", f"{_ROLLOUT_POD_SPEC}/{path}")
                for target, paths in (
                    (
                        "ConfigMap",
                        _configmap_paths(),
                    ),
                    (
                        "Secret",
                        _secret_paths(),
                    ),
                    ("ServiceAccount", ("serviceAccountName",)),
                    ("PersistentVolumeClaim", ("volumes/persistentVolumeClaim/claimName",)),
                    ("PriorityClass", ("priorityClassName",)),
                )
                for path in paths
            ),
            Referrer("Deployment", "Rollout", "spec/workloadRef/name", kind_field=True),
            *(
                Referrer("Service", "Rollout", f"spec/strategy/{path}")
                for path in (
                    "canary/canaryService",
                    "canary/stableService",
                    "blueGreen/activeService",
                    "blueGreen/previewService",
                )
            ),
            Referrer("Ingress", "Rollout", "spec/strategy/canary/trafficRouting/nginx/stableIngress"),
            Referrer("Rollout", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name", kind_field=True),
        )
    )


@functools.cache
def _by_referrer_kind() -> dict[str, list[Referrer]]:
    """Both tables by the kind of object that holds the reference."""
    by_kind: dict[str, list[Referrer]] = {}
    for referrer in (*_default_referrers(), *_custom_resource_referrers()):
        by_kind.setdefault(referrer.kind, []).append(referrer)
    return by_kind


def __getattr__(name: str) -> tuple[Referrer, ...]:
    # The tables as module constants, for code that reads them whole.
    if name == "REFERRERS":
        return _default_referrers()
    if name == "CUSTOM_RESOURCE_REFERRERS":
        return _custom_resource_referrers()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


ObjectKey = tuple[str, str, str]  # (kind, namespace or "" when cluster-scoped, name)
Renames = Mapping[ObjectKey, str]  # old identity -> new name


def namespace_of(obj: Mapping[str, Any], default_namespace: str) -> str:
    """The namespace an object lands in: its own, or the release's; "" for cluster-scoped kinds."""
    if is_cluster_scoped(str(obj.get("kind", ""))):
        return ""
    metadata = obj.get("metadata")
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    return str(namespace) if namespace else default_namespace


def object_key(obj: Mapping[str, Any], default_namespace: str) -> ObjectKey | None:
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        return None
    return (str(obj.get("kind", "")), namespace_of(obj, default_namespace), name)


def rename_references(
    objects: Iterable[dict[str, Any]],
    renames: Renames,
    default_namespace: str = "",
    extra: Sequence[Referrer] = (),
    warnings: list[tuple[str, Location | None]] | None = None,
) -> None:
    """Point every known reference to a renamed object at its new name, in place.

    ``extra`` are the project's own ``nameReferences``, for fields of custom resources.
    A reference names an object in the referrer's namespace (a subject in its own ``namespace``);
    an object of the same kind and name in another namespace is another object, and a reference
    to it keeps its name.
    """
    if not renames:
        return
    for obj in objects:
        own_namespace = namespace_of(obj, default_namespace) or default_namespace
        kind = str(obj.get("kind", ""))
        # A cluster-scoped object (a ClusterRole's resourceNames) names objects of any namespace.
        anywhere = is_cluster_scoped(kind)
        for referrer in (*_by_referrer_kind().get(kind, ()), *(r for r in extra if r.kind == kind)):
            for holder, key in parents(obj, referrer.path):
                old = holder.get(key)
                if isinstance(old, list):  # a list of names (a Role's resourceNames)
                    holder[key] = [
                        _renamed_to(renames, referrer.target, own_namespace, item, anywhere, obj, warnings)
                        if isinstance(item, str)
                        else item
                        for item in old
                    ]
                    continue
                if not isinstance(old, str):
                    continue
                if not _names_kind(holder, referrer):
                    if referrer.declared_at is not None and warnings is not None and _renamed(renames, referrer, old):
                        warnings.append(
                            (
                                f"{kind} {_name(obj)}: {referrer.path} names {holder.get('kind')} {old}, not the "
                                f"renamed {referrer.target} {old}, and keeps its name; kubectl kustomize would "
                                "rename it",
                                referrer.declared_at,
                            )
                        )
                    continue
                if is_cluster_scoped(referrer.target):
                    new = renames.get((referrer.target, "", old))
                elif holder.get("namespace"):  # a subject or a service reference says its namespace
                    new = renames.get((referrer.target, str(holder["namespace"]), old))
                else:
                    new = _renamed_to(renames, referrer.target, own_namespace, old, anywhere, obj, warnings)
                    new = new if new != old else None
                if new is not None:
                    holder[key] = new
                    if referrer.beyond_kustomize and warnings is not None:
                        warnings.append(
                            (
                                f"{kind} {_name(obj)}: {referrer.path.replace(chr(92), '')} follows the rename of "
                                f"{referrer.target} {old} to {new}; kubectl kustomize would leave it naming {old}",
                                None,
                            )
                        )


def _renamed_to(
    renames: Renames,
    target: str,
    namespace: str,
    old: str,
    anywhere: bool,
    referrer: Mapping[str, Any],
    warnings: list[tuple[str, Location | None]] | None,
) -> str:
    """The new name of the ``target`` named ``old`` in ``namespace`` (``old`` if not renamed); with
    ``anywhere``, of the ``target`` objects named ``old`` in any namespace, when all got one name."""
    if not anywhere:
        return renames.get((target, namespace, old), old)
    found = {new for (kind, _, name), new in renames.items() if kind == target and name == old}
    if len(found) == 1:
        return found.pop()
    if found and warnings is not None:
        warnings.append(
            (
                f"{referrer.get('kind')} {_name(referrer)}: names {target} {old}, which objects of several "
                f"namespaces had, renamed differently ({', '.join(sorted(found))}); it keeps the name {old}",
                None,
            )
        )
    return old


def _renamed(renames: Renames, referrer: Referrer, old: str) -> bool:
    return any(key[0] == referrer.target and key[2] == old for key in renames)


def _name(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata")
    return str(metadata.get("name", "")) if isinstance(metadata, dict) else ""


def _names_kind(holder: dict[str, Any], referrer: Referrer) -> bool:
    if not referrer.kind_field:
        return True
    return holder.get("kind", referrer.default_kind) == referrer.target


def fill_subject_namespaces(objects: Iterable[dict[str, Any]], namespace: str) -> None:
    """ServiceAccount subjects of (Cluster)RoleBindings need a namespace; give them the one Kubernetes means.

    A ClusterRoleBinding's must be written (the API server refuses one without): the release's. A
    RoleBinding's defaults to the binding's own namespace, so that is the one written, which may
    not be the release's when the template puts the binding elsewhere.
    """
    for obj in objects:
        if obj.get("kind") not in BINDING_KINDS:
            continue
        subjects = obj.get("subjects")
        if not isinstance(subjects, list):
            continue
        own = namespace_of(obj, namespace) if obj.get("kind") == "RoleBinding" else namespace
        for subject in subjects:
            if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount" and not subject.get("namespace"):
                subject["namespace"] = own


def configure(objects: list[dict[str, Any]], declared: Sequence[Referrer], context: Any) -> list[dict[str, Any]]:
    """The row of ``nameReferences`` in the transforms table: the renames after it follow them too."""
    context.referrers = tuple(declared)
    return objects
