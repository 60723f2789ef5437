"""Correctness checks on rendered manifests that the cluster, or the first rollout, would reject.

Each check has an id (shown in brackets after the message) and maps the manifests of a render to
problems; all are on by default because each catches a manifest that is wrong, not a style:

``removed-api``           an apiVersion the target Kubernetes version no longer serves
``dns-name``              metadata.name that Kubernetes refuses for the kind
``label-syntax``          label keys and values (text, at most 63 characters, the allowed characters)
``annotation-type``       annotation values that are not text
``selector-matches-template``  a workload whose selector does not select its own pod template
``service-selects-pods``  a Service whose selector matches no pod template of the render
``scale-target-exists``   an HPA whose target, or a PDB whose selector, matches nothing

Opt-in checks are about practice rather than correctness; ``--check`` or ``checks:`` in
pytemplar.yaml turns them on (``OPT_IN_CHECKS``):

``image-pinned``          every container image names a version tag (not ``latest``) or a digest
``resources-set``         every container sets requests and limits for cpu and memory
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pytemplar.errors import Location, Problem
from pytemplar.manifests import Manifest

DEFAULT_KUBE_VERSION = "1.35"

# (apiVersion, kind) -> (minor version that stopped serving it, replacement apiVersion or None)
REMOVED_APIS: dict[tuple[str, str], tuple[int, str | None]] = {
    **{("extensions/v1beta1", k): (16, "apps/v1") for k in ("Deployment", "DaemonSet", "ReplicaSet")},
    ("extensions/v1beta1", "NetworkPolicy"): (16, "networking.k8s.io/v1"),
    ("extensions/v1beta1", "PodSecurityPolicy"): (16, None),
    ("extensions/v1beta1", "Ingress"): (22, "networking.k8s.io/v1"),
    **{
        (g, k): (16, "apps/v1")
        for g in ("apps/v1beta1", "apps/v1beta2")
        for k in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
    },
    ("networking.k8s.io/v1beta1", "Ingress"): (22, "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "IngressClass"): (22, "networking.k8s.io/v1"),
    **{
        ("rbac.authorization.k8s.io/v1beta1", k): (22, "rbac.authorization.k8s.io/v1")
        for k in ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")
    },
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"): (22, "apiextensions.k8s.io/v1"),
    **{
        ("admissionregistration.k8s.io/v1beta1", k): (22, "admissionregistration.k8s.io/v1")
        for k in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
    },
    ("scheduling.k8s.io/v1beta1", "PriorityClass"): (22, "scheduling.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", "Lease"): (22, "coordination.k8s.io/v1"),
    ("batch/v1beta1", "CronJob"): (25, "batch/v1"),
    ("policy/v1beta1", "PodDisruptionBudget"): (25, "policy/v1"),
    ("policy/v1beta1", "PodSecurityPolicy"): (25, None),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): (25, "autoscaling/v2"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): (26, "autoscaling/v2"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice"): (25, "discovery.k8s.io/v1"),
    ("node.k8s.io/v1beta1", "RuntimeClass"): (25, "node.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): (27, "storage.k8s.io/v1"),
}

WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})


def _is_argo_rollout(manifest: Manifest) -> bool:
    """An Argo Rollouts ``Rollout``: a Deployment's spec.template and selector under another kind."""
    return manifest.kind == "Rollout" and manifest.group == "argoproj.io"


_LABEL_NAME = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?\Z")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
# Kinds whose names must be DNS-1123 labels (they become host names); others are subdomains.
_LABEL_NAMED = frozenset({"Namespace", "Service"})


def _problem(manifest: Manifest, message: str, code: str, hint: str | None = None) -> Problem:
    return Problem(
        f"{manifest.describe()}: {message} [{code}]",
        location=Location(manifest.source.path),
        hint=hint,
        release=manifest.release or None,
        environment=manifest.environment,
    )


def _get(obj: Any, *path: str) -> Any:
    for part in path:
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def check_removed_apis(manifests: Sequence[Manifest], kube_version: str = DEFAULT_KUBE_VERSION) -> Iterable[Problem]:
    minor = int(kube_version.split(".")[1])
    for manifest in manifests:
        removed = REMOVED_APIS.get((str(manifest.obj.get("apiVersion")), manifest.kind))
        if removed and minor >= removed[0]:
            since, replacement = removed
            use = f"use apiVersion: {replacement}" if replacement else "it has no replacement"
            yield _problem(
                manifest,
                f"apiVersion {manifest.obj['apiVersion']} is not served since Kubernetes 1.{since} "
                f"(target {kube_version}); {use}",
                "removed-api",
            )


def valid_namespace(name: str) -> bool:
    return len(name) <= 63 and bool(_DNS_LABEL.match(name))


def check_names(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    for manifest in manifests:
        namespace = _get(manifest.obj, "metadata", "namespace")
        if isinstance(namespace, str) and namespace and not valid_namespace(namespace):
            yield _problem(
                manifest,
                f"metadata.namespace '{namespace}' is not a DNS-1123 label (at most 63 characters)",
                "dns-name",
                "use lower-case letters, digits and '-'",
            )
        name = _get(manifest.obj, "metadata", "name")
        if not isinstance(name, str) or not name:
            continue  # check_required_fields reports it
        if manifest.kind in _LABEL_NAMED:
            ok, rule = len(name) <= 63 and bool(_DNS_LABEL.match(name)), "a DNS-1123 label (at most 63 characters)"
        else:
            ok, rule = len(name) <= 253 and bool(_DNS_SUBDOMAIN.match(name)), "a DNS-1123 subdomain"
        if not ok:
            yield _problem(
                manifest,
                f"metadata.name '{name}' is not {rule}",
                "dns-name",
                "use lower-case letters, digits and '-' (and '.' between parts, except in a label)",
            )


# Cached: a render of many releases checks the same few keys and values thousands of times.
@functools.lru_cache(maxsize=4096)
def _valid_label_key(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    return (
        bool(name)
        and len(name) <= 63
        and bool(_LABEL_NAME.match(name))
        and (not prefix or (len(prefix) <= 253 and bool(_DNS_SUBDOMAIN.match(prefix))))
    )


@functools.lru_cache(maxsize=4096)
def _valid_label_value(value: str) -> bool:
    return len(value) <= 63 and bool(_LABEL_NAME.match(value))


def _label_problems(labels: Any, where: str) -> Iterable[tuple[str, str]]:
    if not isinstance(labels, dict):
        return
    for key, value in labels.items():
        if not _valid_label_key(str(key)):
            yield f"{where} key '{key}' is not a valid label key", "label-syntax"
        if not isinstance(value, str):
            yield f"{where}['{key}'] is {type(value).__name__}, not text; quote it", "label-syntax"
        elif not _valid_label_value(value):
            yield (
                f"{where}['{key}'] value '{value[:70]}' is not a valid label value "
                "(at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)",
                "label-syntax",
            )


def check_labels(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    for manifest in manifests:
        places = [("metadata.labels", _get(manifest.obj, "metadata", "labels"))]
        if manifest.kind in WORKLOADS:
            places.append(
                ("spec.template.metadata.labels", _get(manifest.obj, "spec", "template", "metadata", "labels"))
            )
            places.append(("spec.selector.matchLabels", _get(manifest.obj, "spec", "selector", "matchLabels")))
        for where, labels in places:
            for message, code in _label_problems(labels, where):
                yield _problem(manifest, message, code)
        annotations = _get(manifest.obj, "metadata", "annotations")
        if isinstance(annotations, dict):
            for key, value in annotations.items():
                if not isinstance(value, str):
                    yield _problem(
                        manifest,
                        f"metadata.annotations['{key}'] is {type(value).__name__}, not text; quote it",
                        "annotation-type",
                    )


def _pod_labels(manifest: Manifest) -> dict[str, Any] | None:
    if manifest.kind in WORKLOADS or manifest.kind == "CronJob" or _is_argo_rollout(manifest):
        template = _get(manifest.obj, "spec", "template") or _get(
            manifest.obj, "spec", "jobTemplate", "spec", "template"
        )
        labels = _get(template, "metadata", "labels")
    elif manifest.kind == "Pod":
        labels = _get(manifest.obj, "metadata", "labels")
    else:
        return None
    return labels if isinstance(labels, dict) else {}


def _selects(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def check_selectors(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    for manifest in manifests:
        if manifest.kind not in WORKLOADS - {"Job"}:
            continue
        selector = _get(manifest.obj, "spec", "selector", "matchLabels")
        labels = _pod_labels(manifest) or {}
        if isinstance(selector, dict) and not _selects(selector, labels):
            yield _problem(
                manifest,
                "spec.selector.matchLabels does not match spec.template.metadata.labels",
                "selector-matches-template",
                "every selector label must be among the pod template's labels",
            )


class PodIndex:
    """Pod templates by scope and by each of their labels, so a selector is matched against the few
    templates that carry one of its labels rather than all of them: a render of thousands of
    releases in one namespace would otherwise cost services x templates comparisons."""

    def __init__(self) -> None:
        self._all: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._by_label: dict[tuple[str, str, str, Any], list[dict[str, Any]]] = {}

    def add(self, scope: tuple[str, str], labels: dict[str, Any]) -> None:
        self._all.setdefault(scope, []).append(labels)
        for key, value in labels.items():
            if isinstance(value, (str, int, float, bool)) or value is None:
                self._by_label.setdefault((*scope, str(key), value), []).append(labels)

    def selects_any(self, scope: tuple[str, str], selector: dict[str, Any]) -> bool:
        """Whether some pod template in ``scope`` has every label of ``selector`` (an empty one: any)."""
        if not selector:
            return bool(self._all.get(scope))
        lists = [
            self._by_label.get((*scope, str(key), value), [])
            for key, value in selector.items()
            if isinstance(value, (str, int, float, bool)) or value is None
        ]
        # The rarest label narrows most: every shop release shares app.kubernetes.io/name, not instance.
        candidates = min(lists, key=len) if lists else self._all.get(scope, [])
        return any(_selects(selector, labels) for labels in candidates)


def check_references(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    pods = PodIndex()
    by_name: set[tuple[str, str, str, str]] = set()
    for manifest in manifests:
        labels = _pod_labels(manifest)
        if labels is not None:
            pods.add((manifest.environment, manifest.namespace), labels)
        by_name.add((manifest.environment, manifest.namespace, manifest.kind, manifest.name))
    for manifest in manifests:
        scope = (manifest.environment, manifest.namespace)
        if manifest.kind == "Service":
            selector = _get(manifest.obj, "spec", "selector")
            if isinstance(selector, dict) and selector and not pods.selects_any(scope, selector):
                yield _problem(
                    manifest,
                    f"spec.selector {selector} matches no pod template in namespace '{manifest.namespace}'",
                    "service-selects-pods",
                )
        elif manifest.kind == "HorizontalPodAutoscaler":
            target = _get(manifest.obj, "spec", "scaleTargetRef")
            kind, name = _get(target, "kind"), _get(target, "name")
            if (*scope, str(kind), str(name)) not in by_name:
                yield _problem(
                    manifest, f"spec.scaleTargetRef {kind} '{name}' is not in the render", "scale-target-exists"
                )
        elif manifest.kind == "PodDisruptionBudget":
            selector = _get(manifest.obj, "spec", "selector", "matchLabels")
            if isinstance(selector, dict) and not pods.selects_any(scope, selector):
                yield _problem(
                    manifest, "spec.selector.matchLabels matches no pod template of the render", "scale-target-exists"
                )


# -- opt-in checks ---------------------------------------------------------------------------------------


def _containers(manifest: Manifest) -> Iterable[tuple[str, dict[str, Any]]]:
    """Each container and init container of a Pod, workload or CronJob, named for messages."""
    if manifest.kind == "Pod":
        spec = _get(manifest.obj, "spec")
    elif manifest.kind == "CronJob":
        spec = _get(manifest.obj, "spec", "jobTemplate", "spec", "template", "spec")
    elif manifest.kind in WORKLOADS or manifest.kind == "ReplicationController" or _is_argo_rollout(manifest):
        spec = _get(manifest.obj, "spec", "template", "spec")
    else:
        return
    for field in ("initContainers", "containers"):
        listed = _get(spec, field)
        for index, container in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(container, dict):
                name = container.get("name")
                yield (f"{field}[{index}] '{name}'" if isinstance(name, str) else f"{field}[{index}]"), container


def _unpinned(image: str) -> str | None:
    """Why ``image`` does not pin what runs, or None when a tag or digest pins it."""
    if "@" in image:
        return None  # a digest pins the exact image
    name = image.rsplit("/", 1)[-1]  # a registry port (host:5000/app) is not a tag
    tag = name.partition(":")[2]
    if not tag:
        return "has no tag, which means 'latest'"
    if tag == "latest":
        return "uses the tag 'latest'"
    return None


def check_image_pinned(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    for manifest in manifests:
        for where, container in _containers(manifest):
            image = container.get("image")
            reason = _unpinned(image) if isinstance(image, str) and image else None
            if reason:
                yield _problem(
                    manifest,
                    f"{where}: image '{image}' {reason}",
                    "image-pinned",
                    "name a version tag (app:1.4.2) or a digest (app@sha256:...), so every node runs the same image",
                )


_RESOURCES = tuple(f"{section}.{name}" for section in ("requests", "limits") for name in ("cpu", "memory"))


def check_resources_set(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    for manifest in manifests:
        for where, container in _containers(manifest):
            resources = container.get("resources")
            missing = [f"resources.{entry}" for entry in _RESOURCES if _get(resources, *entry.split(".")) in (None, "")]
            if missing:
                yield _problem(
                    manifest,
                    f"{where} does not set {', '.join(missing)}",
                    "resources-set",
                    "set requests (what the scheduler reserves) and limits (what the container may use) "
                    "for cpu and memory",
                )


OPT_IN_CHECKS = {"image-pinned": check_image_pinned, "resources-set": check_resources_set}
