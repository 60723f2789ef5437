"""Output order: pytemplar's install order (the order in which kubectl should create objects), or
the one a project's ``sortOptions`` asks for: Kustomize's legacy order or the order objects were
rendered in (fifo)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Literal

from pytemplar.manifests import Manifest
from pytemplar.records import record

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


# Kustomize's legacy order (its default; sortOptions.order: legacy without legacySortOptions).
LEGACY_ORDER_FIRST = (
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
)
LEGACY_ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


@record
class SortOptions:
    """Kustomize's ``sortOptions``: ``legacy`` puts the kinds of ``first`` first and those of
    ``last`` last, in their order, other kinds between them; ``fifo`` keeps the rendered order."""

    order: Literal["legacy", "fifo"]
    first: tuple[str, ...] = LEGACY_ORDER_FIRST
    last: tuple[str, ...] = LEGACY_ORDER_LAST


def sort_manifests(
    manifests: Sequence[Manifest],
    environments: Sequence[str] = (),
    sort_options: Mapping[str, SortOptions] | None = None,
) -> list[Manifest]:
    """Manifests by environment (in the given order), then in the order the environment's
    ``sort_options`` ask for, else install order (ties by namespace, name, release).

    With ``fifo`` an environment's objects keep the order they come in, except that the
    Namespace objects pytemplar adds for it (``createNamespace``) come first."""
    order = {name: rank for rank, name in enumerate(environments)}

    def environment_key(manifest: Manifest) -> tuple[int, str]:
        return order.get(manifest.environment, len(order)), manifest.environment

    options = sort_options or {}
    if not options:
        return sorted(manifests, key=lambda m: install_key(m, order.get(m.environment, len(order))))
    by_environment: dict[tuple[int, str], list[Manifest]] = {}
    for manifest in manifests:
        by_environment.setdefault(environment_key(manifest), []).append(manifest)
    result: list[Manifest] = []
    for key in sorted(by_environment):
        group = by_environment[key]
        chosen = options.get(key[1])
        if chosen is None:
            result.extend(sorted(group, key=install_key))
        elif chosen.order == "fifo":
            result.extend(sorted(group, key=lambda m: not _added_namespace(m)))
        else:
            result.extend(_legacy_sorted(group, chosen))
    return result


def _added_namespace(manifest: Manifest) -> bool:
    """A Namespace pytemplar made for an environment (it belongs to no release)."""
    return manifest.kind == "Namespace" and not manifest.release


@record
class _LegacyId:
    """What Kustomize's legacy order compares: the kind's place in the lists, the group, version
    and kind, and the namespace and name."""

    rank: int
    kind: str
    group: str
    gvk: str
    resource: str
    tie: tuple[str, str]


def _legacy_id(manifest: Manifest, ranks: Mapping[str, int]) -> _LegacyId:
    api_version = str(manifest.obj.get("apiVersion") or "")
    group, slash, version = api_version.partition("/")
    if not slash:
        group, version = "", api_version
    kind = manifest.kind
    gvk = "_".join((group or "~G", version or "~V", kind or "~K"))
    # Objects of one group, version and kind: compared as Kustomize writes their ids.
    resource = f"{manifest.namespace or '~X'}|{manifest.name or '~N'}"
    return _LegacyId(ranks.get(kind, 0), kind, group, gvk, resource, (manifest.release, manifest.template))


def _legacy_compare(a: _LegacyId, b: _LegacyId) -> int:
    if a.gvk != b.gvk:
        if a.rank != b.rank:
            return -1 if a.rank < b.rank else 1
        if a.kind == b.kind == "Namespace" and (not a.group or not b.group):
            return -1 if a.gvk > b.gvk else 1  # Kustomize orders these Namespaces backwards
        return -1 if a.gvk < b.gvk else 1
    if a.resource != b.resource:
        return -1 if a.resource < b.resource else 1
    return -1 if a.tie < b.tie else 1 if a.tie > b.tie else 0


def _legacy_sorted(manifests: Sequence[Manifest], options: SortOptions) -> list[Manifest]:
    """Kustomize's legacy order: first kinds (in order), other kinds, last kinds (in order); kinds
    of one rank by group, version and kind; objects of one kind by namespace and name."""
    ranks: dict[str, int] = {}
    for index, kind in enumerate(options.first):
        ranks[kind] = index - len(options.first)
    for index, kind in enumerate(options.last):
        ranks[kind] = index + 1
    ids = {id(manifest): _legacy_id(manifest, ranks) for manifest in manifests}
    return sorted(manifests, key=functools.cmp_to_key(lambda a, b: _legacy_compare(ids[id(a)], ids[id(b)])))


def declared_sort_options(document: Mapping[str, object] | None, environments: Sequence[str]) -> dict[str, SortOptions]:
    """The ``sortOptions`` of each environment: its own, else the project's (pytemplar.yaml's
    top level). Only these levels take it: as in Kustomize, where only the outermost
    kustomization's counts, it orders a whole output, not one release's objects."""
    if document is None:
        return {}
    project = document.get("sortOptions")
    listed = document.get("environments")
    found: dict[str, SortOptions] = {}
    for environment in environments:
        section = listed.get(environment) if isinstance(listed, Mapping) else None
        written = section.get("sortOptions") if isinstance(section, Mapping) else None
        chosen = _sort_options(written if written is not None else project)
        if chosen is not None:
            found[environment] = chosen
    return found


def _sort_options(written: object) -> SortOptions | None:
    """Kustomize's defaults: legacy without legacySortOptions is its own order; a
    legacySortOptions list left out is empty."""
    if not isinstance(written, Mapping):
        return None
    order = written.get("order")
    if order == "fifo":
        return SortOptions("fifo")
    if order != "legacy":
        return None
    legacy = written.get("legacySortOptions")
    if not isinstance(legacy, Mapping):
        return SortOptions("legacy")
    first, last = legacy.get("orderFirst"), legacy.get("orderLast")
    return SortOptions(
        "legacy",
        tuple(str(kind) for kind in first) if isinstance(first, list) else (),
        tuple(str(kind) for kind in last) if isinstance(last, list) else (),
    )
