"""The manifest checks themselves: what the cluster would reject, and the intent and practice checks.

Each function maps the manifests of a run to problems carrying their check's id (``Problem.rule``);
the table of checks, with their ids, defaults and help, is ``pytemplar.checks.CHECKS``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any, TypeGuard

from pytemplar.deprecations import deprecated_in, removed_in, replacement_at
from pytemplar.errors import Problem, Severity
from pytemplar.manifests import Manifest
from pytemplar.values import format_path

DEFAULT_KUBE_VERSION = "1.35"

# Kinds whose pods are made from spec.template, and whose spec.selector must select it.
WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})
# The API server's name and label patterns, decided with string tests: compiling the four patterns
# cost a one-release render 0.35 ms. tests/properties/test_name_rule_properties.py compares each
# test with its pattern. str.strip(chars) leaves nothing exactly when every character is one of chars.
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ALNUM = frozenset(_LOWER + _LOWER.upper() + "0123456789")
_DNS_FIRST = frozenset(_LOWER)
_DNS_CHARACTERS = _LOWER + "0123456789-"
_SUBDOMAIN_CHARACTERS = _DNS_CHARACTERS + "."
_LABEL_CHARACTERS = "".join(sorted(_ALNUM)) + "-_."


def _is_label_name(text: str) -> bool:
    """``([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?\\Z``: empty, or alphanumerics at both ends."""
    return not text or (text[0] in _ALNUM and text[-1] in _ALNUM and not text.strip(_LABEL_CHARACTERS))


def _is_dns_label(text: str) -> bool:
    """``[a-z0-9]([-a-z0-9]*[a-z0-9])?\\Z``."""
    return text[:1] not in ("", "-") and text[-1] != "-" and not text.strip(_DNS_CHARACTERS)


def _is_dns1035_label(text: str) -> bool:
    """``[a-z]([-a-z0-9]*[a-z0-9])?\\Z``."""
    return text[:1] in _DNS_FIRST and text[-1] != "-" and not text.strip(_DNS_CHARACTERS)


def _is_dns_subdomain(text: str) -> bool:
    """``[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\Z``: DNS labels joined by dots."""
    return (
        text[:1] not in ("", "-", ".")
        and text[-1] not in ("-", ".")
        and not text.strip(_SUBDOMAIN_CHARACTERS)
        and ".." not in text
        and ".-" not in text
        and "-." not in text
    )


# How the API server validates metadata.name, per kind (its ValidateXName functions). Kinds not
# listed, custom resources included, take DNS-1123 subdomains.
NAME_RULES: dict[str, str] = {
    "Namespace": "dns-label",
    "Service": "dns-1035-label",
    **dict.fromkeys(
        (
            "Role",
            "ClusterRole",
            "RoleBinding",
            "ClusterRoleBinding",
            "FlowSchema",
            "PriorityLevelConfiguration",
        ),
        "path-segment",
    ),
}
_NAME_RULE_TEXT = {
    "dns-label": ("a DNS-1123 label (at most 63 characters)", "use lower-case letters, digits and '-'"),
    "dns-1035-label": (
        "a DNS-1035 label (at most 63 characters, starting with a letter)",
        "use lower-case letters, digits and '-', and start with a letter",
    ),
    "dns-subdomain": (
        "a DNS-1123 subdomain",
        "use lower-case letters, digits and '-' (and '.' between parts)",
    ),
    "path-segment": ("a valid name for this kind (not '.' or '..', no '/' or '%')", "remove '/' and '%'"),
}


def valid_name(rule: str, name: str) -> bool:
    """Whether ``name`` passes the API server's name validation ``rule`` (see ``NAME_RULES``)."""
    if rule == "path-segment":
        return name not in (".", "..") and "/" not in name and "%" not in name
    if rule == "dns-label":
        return len(name) <= 63 and _is_dns_label(name)
    if rule == "dns-1035-label":
        return len(name) <= 63 and _is_dns1035_label(name)
    return len(name) <= 253 and _is_dns_subdomain(name)


def _problem(
    manifest: Manifest,
    message: str,
    code: str,
    hint: str | None = None,
    severity: Severity = "error",
    at: Sequence[str | int] = (),
) -> Problem:
    """A problem of ``manifest`` found by check ``code``, located at the field ``at`` where known."""
    return Problem(
        f"{manifest.describe()}: {message}",
        location=manifest.location_of(at, render_again=severity == "error"),
        hint=hint,
        severity=severity,
        release=manifest.release or None,
        environment=manifest.environment,
        rule=code,
        subject=manifest.describe(),
    )


def _get(obj: Any, *path: str) -> Any:
    for part in path:
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def _replacement(manifest: Manifest, minor: int) -> str:
    replacement = replacement_at(str(manifest.obj.get("apiVersion")), manifest.kind, minor)
    return f"use apiVersion: {replacement}" if replacement else "it has no replacement"


def check_removed_apis(manifests: Sequence[Manifest], kube_version: str = DEFAULT_KUBE_VERSION) -> Iterable[Problem]:
    minor = int(kube_version.split(".")[1])
    for manifest in manifests:
        api_version = str(manifest.obj.get("apiVersion"))
        lifecycle = removed_in(api_version, manifest.kind, minor)
        if lifecycle is not None:
            yield _problem(
                manifest,
                f"apiVersion {api_version} is not served since Kubernetes 1.{lifecycle.removed} "
                f"(target {kube_version}); {_replacement(manifest, minor)}",
                "removed-api",
                at=("apiVersion",),
            )


def check_deprecated_apis(manifests: Sequence[Manifest], kube_version: str = DEFAULT_KUBE_VERSION) -> Iterable[Problem]:
    minor = int(kube_version.split(".")[1])
    for manifest in manifests:
        api_version = str(manifest.obj.get("apiVersion"))
        lifecycle = deprecated_in(api_version, manifest.kind, minor)
        if lifecycle is not None:
            removal = (
                f"Kubernetes 1.{lifecycle.removed} no longer serves it"
                if lifecycle.removed is not None
                else "no removal is planned yet"
            )
            yield _problem(
                manifest,
                f"{api_version} {manifest.kind} is deprecated since Kubernetes 1.{lifecycle.deprecated} "
                f"(target {kube_version}); {removal}; {_replacement(manifest, minor)}",
                "deprecated-api",
                severity="warning",
                at=("apiVersion",),
            )


def valid_namespace(name: str) -> bool:
    return len(name) <= 63 and _is_dns_label(name)


def check_names(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    for manifest in manifests:
        namespace = _get(manifest.obj, "metadata", "namespace")
        if isinstance(namespace, str) and namespace and not valid_namespace(namespace):
            yield _problem(
                manifest,
                f"metadata.namespace '{namespace}' is not a DNS-1123 label (at most 63 characters)",
                "dns-name",
                "use lower-case letters, digits and '-'",
                at=("metadata", "namespace"),
            )
        name = _get(manifest.obj, "metadata", "name")
        if not isinstance(name, str) or not name:
            continue  # check_required_fields reports it
        rule = NAME_RULES.get(manifest.kind, "dns-subdomain")
        if not valid_name(rule, name):
            what, hint = _NAME_RULE_TEXT[rule]
            yield _problem(manifest, f"metadata.name '{name}' is not {what}", "dns-name", hint, at=("metadata", "name"))


# Cached: a render of many releases checks the same few keys and values thousands of times.
@functools.lru_cache(maxsize=4096)
def _valid_label_key(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    return (
        bool(name)
        and len(name) <= 63
        and _is_label_name(name)
        and (not prefix or (len(prefix) <= 253 and _is_dns_subdomain(prefix)))
    )


@functools.lru_cache(maxsize=4096)
def _valid_label_value(value: str) -> bool:
    return len(value) <= 63 and _is_label_name(value)


def _label_problems(labels: Any, where: str) -> Iterable[tuple[str, str, str]]:
    if not isinstance(labels, dict):
        return
    for key, value in labels.items():
        if not _valid_label_key(str(key)):
            yield f"{where} key '{key}' is not a valid label key", "label-syntax", key
        if not isinstance(value, str):
            yield f"{where}['{key}'] is {type(value).__name__}, not text; quote it", "label-syntax", key
        elif not _valid_label_value(value):
            yield (
                f"{where}['{key}'] value '{value[:70]}' is not a valid label value "
                "(at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)",
                "label-syntax",
                key,
            )


def label_maps(manifest: Manifest) -> Iterable[tuple[tuple[str | int, ...], Any]]:
    """Every map of labels the API server validates in an object, with its path: its own labels;
    in a built-in object also every nested ``metadata.labels`` (pod and claim templates) and every
    ``matchLabels`` (selectors, affinity, spread constraints, network policies); in a custom
    resource, also its pod template's (the rest is the CRD's to say)."""
    yield ("metadata", "labels"), _get(manifest.obj, "metadata", "labels")
    if is_builtin(manifest) and manifest.kind != "CustomResourceDefinition":  # a CRD's schema names fields
        for path, value in _maps_named(manifest.obj, (), _LABEL_KEYS, _CONTAINER_LISTS):
            nested = len(path) > 2 and path[-2:] == ("metadata", "labels")
            if (nested or path[-1:] == ("matchLabels",)) and _is_label_map(value):
                yield path, value
    elif has_template_labels(manifest.obj):
        yield ("spec", "template", "metadata", "labels"), _get(manifest.obj, "spec", "template", "metadata", "labels")
        yield ("spec", "selector", "matchLabels"), _get(manifest.obj, "spec", "selector", "matchLabels")


def _is_label_map(value: Any) -> bool:
    """A map that holds labels (text, or scalars written by mistake), not a schema or other structure."""
    return isinstance(value, dict) and not any(isinstance(item, (dict, list)) for item in value.values())


def is_builtin(manifest: Manifest) -> bool:
    """Whether an object is of a Kubernetes API group (its fields are the API's, not a CRD's)."""
    return _builtin_group(manifest.group)


def _builtin_group(group: str) -> bool:
    if group in _CRD_GROUPS or group.endswith(".x-k8s.io"):
        return False  # Kubernetes projects' custom resources
    return group in _BUILTIN_GROUPS or group.endswith(".k8s.io")


def _maps_named(
    value: Any, path: tuple[str | int, ...], names: frozenset[str], skipped: frozenset[str] = frozenset()
) -> Iterable[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every map anywhere in ``value`` under a key in ``names``, with its path, parents first;
    lists under a key in ``skipped`` are not walked."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict):
                if key in names:
                    yield (*path, key), item
                yield from _maps_named(item, (*path, key), names, skipped)
            elif isinstance(item, list) and key not in skipped:
                yield from _maps_named(item, (*path, key), names, skipped)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)):
                yield from _maps_named(item, (*path, index), names, skipped)


_LABEL_KEYS = frozenset({"labels", "matchLabels"})
# A container holds no label map in any Kubernetes API, and containers are most of a workload's nodes.
_CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})
_LABELS = frozenset({"labels"})


def check_labels(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    for manifest in manifests:
        for path, labels in label_maps(manifest):
            for message, code, key in _label_problems(labels, format_path(path, "")):
                yield _problem(manifest, message, code, at=(*path, key))
        annotations = _get(manifest.obj, "metadata", "annotations")
        if isinstance(annotations, dict):
            for key, value in annotations.items():
                if not isinstance(value, str):
                    yield _problem(
                        manifest,
                        f"metadata.annotations['{key}'] is {type(value).__name__}, not text; quote it",
                        "annotation-type",
                        at=("metadata", "annotations", key),
                    )


_TEMPLATE_PATHS = (("spec", "template"), ("spec", "jobTemplate", "spec", "template"), ("template",))


def pod_template_path(obj: dict[str, Any]) -> tuple[str, ...] | None:
    """Where an object's pod template is: ``spec.template`` (workloads, ReplicationControllers, custom
    resources such as Argo Rollouts), ``spec.jobTemplate.spec.template`` (CronJob-like) or a
    PodTemplate's ``template``; None when it has none."""
    found = _find_pod_template(obj)
    return None if found is None else found[0]


def pod_template(obj: dict[str, Any]) -> Any:
    """The pod template an object makes pods from (see :func:`pod_template_path`), or None."""
    found = _find_pod_template(obj)
    return None if found is None else found[1]


def _find_pod_template(obj: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, Any]] | None:
    # The paths of _TEMPLATE_PATHS in order, read key by key: the cross-object checks ask this of
    # every object of a run.
    spec = obj.get("spec")
    if isinstance(spec, dict):
        template = spec.get("template")
        if _is_pod_template(template):
            return _TEMPLATE_PATHS[0], template
        job = spec.get("jobTemplate")
        job_spec = job.get("spec") if isinstance(job, dict) else None
        template = job_spec.get("template") if isinstance(job_spec, dict) else None
        if _is_pod_template(template):
            return _TEMPLATE_PATHS[1], template
    template = obj.get("template")
    if _is_pod_template(template):
        return _TEMPLATE_PATHS[2], template
    return None


def _is_pod_template(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and ("spec" in value or "metadata" in value)


def has_template_labels(obj: dict[str, Any]) -> bool:
    """Whether an object's spec.template and spec.selector hold pod labels (checked by label-syntax)."""
    return isinstance(_get(obj, "spec", "template"), dict)


def _pod_labels(manifest: Manifest) -> dict[str, Any] | None:
    """The labels of the pods an object makes (a Pod: its own), or None when it makes none."""
    if manifest.kind == "Pod":
        labels = _get(manifest.obj, "metadata", "labels")
    else:
        template = pod_template(manifest.obj)
        if template is None:
            return None
        labels = _get(template, "metadata", "labels")
    return labels if isinstance(labels, dict) else {}


def _selects(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def check_selectors(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    for manifest in manifests:
        if manifest.kind in ("Job", "CronJob") or pod_template(manifest.obj) is None:
            continue  # a Job's selector is generated
        selector = _get(manifest.obj, "spec", "selector")
        if manifest.kind != "ReplicationController":  # whose selector is a plain map
            selector = _get(selector, "matchLabels")
        labels = _pod_labels(manifest) or {}
        if isinstance(selector, dict) and not _selects(selector, labels):
            yield _problem(
                manifest,
                "spec.selector does not match spec.template.metadata.labels",
                "selector-matches-template",
                "every selector label must be among the pod template's labels",
                at=("spec", "selector"),
            )


# API groups of custom resources known not to make pods; any other custom resource may (an operator's
# Prometheus, Kafka or Postgres cluster), so a Service next to one may select pods no manifest shows.
_NO_PODS_GROUPS = frozenset(
    {
        "monitoring.coreos.com/ServiceMonitor",
        "monitoring.coreos.com/PodMonitor",
        "monitoring.coreos.com/Probe",
        "monitoring.coreos.com/PrometheusRule",
        "monitoring.coreos.com/AlertmanagerConfig",
        "monitoring.coreos.com/ScrapeConfig",
        "cert-manager.io",
        "acme.cert-manager.io",
        "gateway.networking.k8s.io",
        "networking.istio.io",
        "security.istio.io",
        "telemetry.istio.io",
        "policy.linkerd.io",
        "traefik.io",
        "traefik.containo.us",
        "external-secrets.io",
        "bitnami.com",
        "keda.sh/ScaledObject",
        "keda.sh/TriggerAuthentication",
        "autoscaling.k8s.io",
        "snapshot.storage.k8s.io",
        "argoproj.io/Application",
        "argoproj.io/AppProject",
        "argoproj.io/ApplicationSet",
        "argoproj.io/AnalysisTemplate",
        "argoproj.io/ClusterAnalysisTemplate",
        "argoproj.io/AnalysisRun",
        "argoproj.io/Experiment",
    }
)
_BUILTIN_GROUPS = frozenset({"", "apps", "batch", "autoscaling", "policy", "extensions"})
_CRD_GROUPS = frozenset({"gateway.networking.k8s.io", "snapshot.storage.k8s.io", "autoscaling.k8s.io"})


def may_make_hidden_pods(manifest: Manifest) -> bool:
    """Whether an object may make pods that no manifest shows: a custom resource run by an operator."""
    # Its pods are known from its template, if it has one.
    return pod_template(manifest.obj) is None and _operator_may_make_pods(manifest.group, manifest.kind)


def _operator_may_make_pods(group: str, kind: str) -> bool:
    """Whether an object of this group and kind without a pod template may make pods (through an operator)."""
    if group in _BUILTIN_GROUPS or (group.endswith(".k8s.io") and group != "gateway.networking.k8s.io"):
        return False
    return group not in _NO_PODS_GROUPS and f"{group}/{kind}" not in _NO_PODS_GROUPS


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


_INTENT_HINT = (
    "if its pods come from another release, an operator or another tool, disable the check for this object "
    "with the annotation pytemplar.io/skip-checks: {rule}"
)


_POINTING_KINDS = frozenset({"Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"})


def check_references(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    """Services, HPAs and PDBs that point at nothing in the run: warnings, since what they point at may
    be deployed by other means."""
    pods = PodIndex()
    by_name: set[tuple[str, str, str, str]] = set()
    hidden_pods: set[tuple[str, str]] = set()
    pointing: list[tuple[Manifest, str, tuple[str, str]]] = []  # Services, HPAs and PDBs, in order
    # Each object's kind, group, name and pod template are read once: a run of thousands of
    # releases spends most of this check reading them.
    for manifest in manifests:
        obj = manifest.obj
        kind = str(obj.get("kind", ""))
        metadata = obj.get("metadata")
        if isinstance(metadata, dict):
            name, namespace = str(metadata.get("name", "")), str(metadata.get("namespace") or "")
        else:
            name = namespace = ""
        group = str(obj.get("apiVersion", "")).rpartition("/")[0]
        scope = (manifest.environment, namespace)
        template = obj if kind == "Pod" else pod_template(obj)  # a Pod's labels are its own
        if template is not None:
            labels = _get(template, "metadata", "labels")
            pods.add(scope, labels if isinstance(labels, dict) else {})
        elif _operator_may_make_pods(group, kind):
            hidden_pods.add(scope)
        if not _builtin_group(group):
            # A custom resource may make pods from other templates too (an Argo Rollouts canary
            # step's templates, an operator's podMetadata): every label map in it may be a pod's.
            for path, nested in _maps_named(obj, (), _LABELS):
                if path[-1:] == ("labels",) and path[:2] != ("metadata", "labels") and _is_label_map(nested):
                    pods.add(scope, nested)
        by_name.add((*scope, kind, name))
        if kind in _POINTING_KINDS:
            pointing.append((manifest, kind, scope))
    for manifest, kind, scope in pointing:
        if kind == "Service":
            selector = _get(manifest.obj, "spec", "selector")
            if (
                isinstance(selector, dict)
                and selector
                and scope not in hidden_pods
                and not pods.selects_any(scope, selector)
            ):
                yield _problem(
                    manifest,
                    f"spec.selector {selector} matches no pod template in namespace '{scope[1]}'",
                    "service-selects-pods",
                    _INTENT_HINT.format(rule="service-selects-pods"),
                    severity="warning",
                    at=("spec", "selector"),
                )
        elif kind == "HorizontalPodAutoscaler":
            target = _get(manifest.obj, "spec", "scaleTargetRef")
            target_kind, target_name = _get(target, "kind"), _get(target, "name")
            if (*scope, str(target_kind), str(target_name)) not in by_name:
                yield _problem(
                    manifest,
                    f"spec.scaleTargetRef {target_kind} '{target_name}' is not in the render",
                    "scale-target-exists",
                    _INTENT_HINT.format(rule="scale-target-exists"),
                    severity="warning",
                    at=("spec", "scaleTargetRef"),
                )
        else:
            selector = _get(manifest.obj, "spec", "selector", "matchLabels")
            if isinstance(selector, dict) and scope not in hidden_pods and not pods.selects_any(scope, selector):
                yield _problem(
                    manifest,
                    "spec.selector.matchLabels matches no pod template of the render",
                    "scale-target-exists",
                    _INTENT_HINT.format(rule="scale-target-exists"),
                    severity="warning",
                    at=("spec", "selector"),
                )


# -- opt-in checks ---------------------------------------------------------------------------------------


def _containers(manifest: Manifest) -> Iterable[tuple[str, dict[str, Any], tuple[str | int, ...]]]:
    """Each container and init container of a Pod or of an object's pod template, named for
    messages, with its path."""
    template = pod_template_path(manifest.obj)
    spec_path: tuple[str, ...] | None = ("spec",) if manifest.kind == "Pod" else None
    if spec_path is None and template is not None:
        spec_path = (*template, "spec")
    if spec_path is None:
        return
    spec = _get(manifest.obj, *spec_path)
    for field in ("initContainers", "containers"):
        listed = _get(spec, field)
        for index, container in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(container, dict):
                name = container.get("name")
                where = f"{field}[{index}] '{name}'" if isinstance(name, str) else f"{field}[{index}]"
                yield where, container, (*spec_path, field, index)


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
        for where, container, path in _containers(manifest):
            image = container.get("image")
            reason = _unpinned(image) if isinstance(image, str) and image else None
            if reason:
                yield _problem(
                    manifest,
                    f"{where}: image '{image}' {reason}",
                    "image-pinned",
                    "name a version tag (app:1.4.2) or a digest (app@sha256:...), so every node runs the same image",
                    at=(*path, "image"),
                )


_RESOURCES = tuple(f"{section}.{name}" for section in ("requests", "limits") for name in ("cpu", "memory"))


def check_resources_set(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    for manifest in manifests:
        for where, container, path in _containers(manifest):
            resources = container.get("resources")
            missing = [f"resources.{entry}" for entry in _RESOURCES if _get(resources, *entry.split(".")) in (None, "")]
            if missing:
                yield _problem(
                    manifest,
                    f"{where} does not set {', '.join(missing)}",
                    "resources-set",
                    "set requests (what the scheduler reserves) and limits (what the container may use) "
                    "for cpu and memory",
                    at=path,
                )
