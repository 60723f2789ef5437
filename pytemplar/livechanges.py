"""What a new revision does to objects already running: changes the cluster refuses or that drop traffic.

``diff --against REF`` and ``validate --against REF`` compare the project with itself at a git
revision, which is what runs now. Two things there are not visible in either render alone:

* a field Kubernetes does not let change in place (a Deployment's ``spec.selector``, a Job's pod
  template, ...): ``kubectl apply`` and an Argo CD sync fail on it;
* a Service whose pods all come from workloads this revision creates (a rename, or adopting
  Blue/Green): the Service switches at once, the new pods start only then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pytemplar.errors import Problem
from pytemplar.manifests import Manifest

# Fields the API server rejects changes to, by kind (apps/v1, batch/v1, core/v1).
IMMUTABLE: dict[str, tuple[tuple[str, ...], ...]] = {
    "Deployment": (("spec", "selector"),),
    "ReplicaSet": (("spec", "selector"),),
    "DaemonSet": (("spec", "selector"),),
    "StatefulSet": (
        ("spec", "selector"),
        ("spec", "serviceName"),
        ("spec", "volumeClaimTemplates"),
        ("spec", "podManagementPolicy"),
    ),
    "Job": (("spec", "selector"), ("spec", "template")),
    "PersistentVolumeClaim": (("spec", "storageClassName"), ("spec", "accessModes"), ("spec", "volumeName")),
}
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")

Key = tuple[str, str, str, str]  # group, kind, namespace, name


def _key(manifest: Manifest) -> Key:
    return (manifest.group, manifest.kind, manifest.namespace, manifest.name)


def _dig(obj: Any, path: Iterable[str]) -> Any:
    for part in path:
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def _pod_labels(workload: Manifest) -> dict[str, Any]:
    labels = _dig(workload.obj, ("spec", "template", "metadata", "labels"))
    return labels if isinstance(labels, dict) else {}


def _selected(service: Manifest, workloads: Iterable[Manifest]) -> list[Manifest]:
    selector = _dig(service.obj, ("spec", "selector"))
    if not isinstance(selector, dict) or not selector:
        return []
    return [
        w
        for w in workloads
        if w.namespace == service.namespace and all(_pod_labels(w).get(k) == v for k, v in selector.items())
    ]


def _where(namespace: str) -> str:
    return f" -n {namespace}" if namespace else ""


def live_changes(old: Sequence[Manifest], new: Sequence[Manifest], revision: str) -> list[Problem]:
    """Warnings for what applying ``new`` over ``old`` (running, from ``revision``) breaks."""
    before = {_key(m): m for m in old}
    problems: list[Problem] = []
    for manifest in new:
        then = before.get(_key(manifest))
        if then is None:
            continue
        for path in IMMUTABLE.get(manifest.kind, ()):
            if _dig(then.obj, path) != _dig(manifest.obj, path):
                problems.append(_immutable(manifest, ".".join(path), revision, _adoptable(then, manifest)))
        if manifest.kind in ("ConfigMap", "Secret") and then.obj.get("immutable") is True:
            for field in ("data", "binaryData", "stringData"):
                if then.obj.get(field) != manifest.obj.get(field):
                    problems.append(_immutable(manifest, field, revision))
                    break
    workloads_then = [m for m in old if m.kind in WORKLOADS]
    workloads_now = [m for m in new if m.kind in WORKLOADS]
    for service in new:
        then = before.get(_key(service))
        if service.kind != "Service" or service.group or then is None:
            continue
        served_then = _selected(then, workloads_then)
        served_now = _selected(service, workloads_now)
        if not served_then or not served_now or any(_key(w) in before for w in served_now):
            continue
        problems.append(_traffic_to_new_pods(service, served_then, served_now, revision))
    return problems


# The pod labels pytemplar's BlueGreen and Canary strategies add, by the strategy that adds them.
STRATEGY_LABELS = {"pytemplar.io/color": "BlueGreen", "pytemplar.io/track": "Canary"}


def _adoptable(then: Manifest, now: Manifest) -> str | None:
    """The strategy whose label the Deployment's selector gains: a running release moved onto it."""
    if now.kind != "Deployment":
        return None
    before = _dig(then.obj, ("spec", "selector", "matchLabels")) or {}
    after = _dig(now.obj, ("spec", "selector", "matchLabels")) or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return None
    gained = [label for label in STRATEGY_LABELS if label in after and label not in before]
    return STRATEGY_LABELS[gained[0]] if gained else None


def _immutable(manifest: Manifest, field: str, revision: str, strategy: str | None = None) -> Problem:
    name, namespace = manifest.name, manifest.namespace
    adopt = (
        f"adopt {strategy} without replacing the Deployment (its name and selector stay):"
        f" pytemplar rollout adopt -e {manifest.environment} -r {manifest.release} --strategy {strategy},"
        " committed instead of setting rollout.strategy; or "
        if strategy and manifest.environment and manifest.release
        else ""
    )
    return Problem(
        f"{manifest.kind} {name}: {field} changes from {revision}, and Kubernetes does not change it in place:"
        " kubectl apply and an Argo CD sync fail on it",
        location=manifest.source,
        hint=adopt
        + (
            f"replace the object in this sync (Argo CD: annotate it with argocd.argoproj.io/sync-options:"
            f" Replace=true; kubectl: kubectl{_where(namespace)} delete {manifest.kind.lower()} {name}, then apply);"
            " its pods restart, or keep the field as it was"
        ),
        severity="warning",
        release=manifest.release or None,
        environment=manifest.environment or None,
    )


def _traffic_to_new_pods(
    service: Manifest, served_then: Sequence[Manifest], served_now: Sequence[Manifest], revision: str
) -> Problem:
    now = ", ".join(f"{w.kind} {w.name}" for w in served_now)
    then = ", ".join(f"{w.kind} {w.name}" for w in served_then)
    gone = [w for w in served_then if _key(w) not in {_key(x) for x in served_now}]
    adopted = "BlueGreen" if gone and any("pytemplar.io/color" in _pod_labels(w) for w in served_now) else None
    adopt = (
        f"adopt {adopted} without replacing {gone[0].name} (it stays, as the blue colour):"
        f" pytemplar rollout adopt -e {service.environment} -r {service.release} --strategy {adopted},"
        " committed instead of setting rollout.strategy; or "
        if adopted and service.environment and service.release
        else ""
    )
    return Problem(
        f"Service {service.name} sends its traffic to {now}, new since {revision}, instead of {then}: the"
        " Service switches at once and the new pods only start then, so requests fail until they are ready"
        + (f" ({', '.join(w.name for w in gone)} goes away)" if gone else ""),
        location=service.source,
        hint=adopt
        + (
            "let the new pods start first: for this sync annotate the Service with"
            f' argocd.argoproj.io/sync-wave: "1" (Argo CD waits for {served_now[0].name} to be healthy and prunes'
            " last), or apply the new workloads, wait for them (kubectl rollout status), then the rest"
        ),
        severity="warning",
        release=service.release or None,
        environment=service.environment or None,
    )
