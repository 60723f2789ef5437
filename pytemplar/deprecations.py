"""Which Kubernetes APIs are deprecated or removed, in which version, and what replaces them.

From the Kubernetes deprecation guide (kubernetes.io/docs/reference/using-api/deprecation-guide),
for the kinds people write in manifests. ``tests/unit/test_deprecations.py`` checks every removal
from 1.26 on against the bundled schemas: the API is in the schema of the version before and gone
from the version that removes it, and every API that disappears between two bundled versions is
listed here.
"""

from __future__ import annotations


class ApiLifecycle:
    """When an API was deprecated and removed, and what replaces it. A plain class: a
    ``NamedTuple`` is made by compiling source text, 0.1-0.2 ms of every render's start-up."""

    __slots__ = ("deprecated", "removed", "replacement")

    def __init__(self, deprecated: int, removed: int | None, replacement: str | None) -> None:
        self.deprecated = deprecated  # minor version from which it is deprecated (served, with a warning)
        self.removed = removed  # minor version that no longer serves it; None: no removal is planned
        self.replacement = replacement  # apiVersion (or "apiVersion Kind" when the kind changes) to use instead

    def __repr__(self) -> str:
        return f"ApiLifecycle({self.deprecated!r}, {self.removed!r}, {self.replacement!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiLifecycle):
            return NotImplemented
        return (self.deprecated, self.removed, self.replacement) == (other.deprecated, other.removed, other.replacement)

    def __hash__(self) -> int:
        return hash((self.deprecated, self.removed, self.replacement))


def _each(
    api_versions: tuple[str, ...], kinds: tuple[str, ...], lifecycle: ApiLifecycle
) -> dict[tuple[str, str], ApiLifecycle]:
    return {(api_version, kind): lifecycle for api_version in api_versions for kind in kinds}


# (apiVersion, kind) -> lifecycle
APIS: dict[tuple[str, str], ApiLifecycle] = {
    # 1.16
    **_each(("extensions/v1beta1",), ("Deployment", "DaemonSet", "ReplicaSet"), ApiLifecycle(9, 16, "apps/v1")),
    **_each(
        ("apps/v1beta1", "apps/v1beta2"),
        ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"),
        ApiLifecycle(9, 16, "apps/v1"),
    ),
    ("extensions/v1beta1", "NetworkPolicy"): ApiLifecycle(9, 16, "networking.k8s.io/v1"),
    ("extensions/v1beta1", "PodSecurityPolicy"): ApiLifecycle(11, 16, None),
    # 1.22
    ("extensions/v1beta1", "Ingress"): ApiLifecycle(14, 22, "networking.k8s.io/v1"),
    **_each(("networking.k8s.io/v1beta1",), ("Ingress", "IngressClass"), ApiLifecycle(19, 22, "networking.k8s.io/v1")),
    **_each(
        ("admissionregistration.k8s.io/v1beta1",),
        ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
        ApiLifecycle(16, 22, "admissionregistration.k8s.io/v1"),
    ),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"): ApiLifecycle(16, 22, "apiextensions.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", "APIService"): ApiLifecycle(19, 22, "apiregistration.k8s.io/v1"),
    ("authentication.k8s.io/v1beta1", "TokenReview"): ApiLifecycle(19, 22, "authentication.k8s.io/v1"),
    **_each(
        ("authorization.k8s.io/v1beta1",),
        ("SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview"),
        ApiLifecycle(19, 22, "authorization.k8s.io/v1"),
    ),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"): ApiLifecycle(19, 22, "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", "Lease"): ApiLifecycle(19, 22, "coordination.k8s.io/v1"),
    **_each(
        ("rbac.authorization.k8s.io/v1beta1",),
        ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"),
        ApiLifecycle(17, 22, "rbac.authorization.k8s.io/v1"),
    ),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"): ApiLifecycle(14, 22, "scheduling.k8s.io/v1"),
    **_each(
        ("storage.k8s.io/v1beta1",),
        ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
        ApiLifecycle(19, 22, "storage.k8s.io/v1"),
    ),
    # 1.25
    ("batch/v1beta1", "CronJob"): ApiLifecycle(21, 25, "batch/v1"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice"): ApiLifecycle(21, 25, "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "Event"): ApiLifecycle(19, 25, "events.k8s.io/v1"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): ApiLifecycle(22, 25, "autoscaling/v2"),
    ("policy/v1beta1", "PodDisruptionBudget"): ApiLifecycle(21, 25, "policy/v1"),
    ("policy/v1beta1", "PodSecurityPolicy"): ApiLifecycle(21, 25, None),
    ("node.k8s.io/v1beta1", "RuntimeClass"): ApiLifecycle(20, 25, "node.k8s.io/v1"),
    # 1.26
    **_each(
        ("flowcontrol.apiserver.k8s.io/v1beta1",),
        ("FlowSchema", "PriorityLevelConfiguration"),
        ApiLifecycle(23, 26, "flowcontrol.apiserver.k8s.io/v1beta3"),
    ),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): ApiLifecycle(23, 26, "autoscaling/v2"),
    # 1.27
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): ApiLifecycle(24, 27, "storage.k8s.io/v1"),
    # 1.29
    **_each(
        ("flowcontrol.apiserver.k8s.io/v1beta2",),
        ("FlowSchema", "PriorityLevelConfiguration"),
        ApiLifecycle(26, 29, "flowcontrol.apiserver.k8s.io/v1"),
    ),
    # 1.32
    **_each(
        ("flowcontrol.apiserver.k8s.io/v1beta3",),
        ("FlowSchema", "PriorityLevelConfiguration"),
        ApiLifecycle(29, 32, "flowcontrol.apiserver.k8s.io/v1"),
    ),
    # 1.33
    ("authentication.k8s.io/v1beta1", "SelfSubjectReview"): ApiLifecycle(28, 33, "authentication.k8s.io/v1"),
    # 1.34
    **_each(
        ("admissionregistration.k8s.io/v1beta1",),
        ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"),
        ApiLifecycle(30, 34, "admissionregistration.k8s.io/v1"),
    ),
    # deprecated, no removal planned
    ("v1", "Endpoints"): ApiLifecycle(33, None, "discovery.k8s.io/v1 EndpointSlice"),
    ("v1", "ComponentStatus"): ApiLifecycle(19, None, None),
}


def replacement_at(api_version: str, kind: str, minor: int) -> str | None:
    """What to use instead of an API in ``1.minor``: its replacement, or the replacement's own
    replacement when that is removed by then too (flowcontrol v1beta1 to v1beta3 to v1)."""
    found = APIS.get((api_version, kind))
    seen: set[str] = set()
    while found is not None and found.replacement is not None and found.replacement not in seen:
        seen.add(found.replacement)
        replacement = found.replacement
        new_version, _, new_kind = replacement.partition(" ")
        found = removed_in(new_version, new_kind or kind, minor)
        if found is None:
            return replacement
    return None


def removed_in(api_version: str, kind: str, minor: int) -> ApiLifecycle | None:
    """The lifecycle of an API the Kubernetes version ``1.minor`` no longer serves, else None."""
    found = APIS.get((api_version, kind))
    return found if found is not None and found.removed is not None and minor >= found.removed else None


def deprecated_in(api_version: str, kind: str, minor: int) -> ApiLifecycle | None:
    """The lifecycle of an API deprecated, but still served, in ``1.minor``, else None."""
    found = APIS.get((api_version, kind))
    if found is None or minor < found.deprecated or (found.removed is not None and minor >= found.removed):
        return None
    return found
