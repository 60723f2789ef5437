"""The service-selects-pods and scale-target-exists checks, over generated runs, against a plain
reading of their rules: each Service, HPA and PDB compared with every object of its namespace."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pytemplar.errors import Location
from pytemplar.manifests import Manifest
from pytemplar.policies import check_references

KEYS = st.sampled_from(["app", "tier", "1"])
VALUES = st.one_of(st.sampled_from(["web", "api"]), st.integers(0, 1), st.booleans())
LABELS = st.dictionaries(KEYS, VALUES, max_size=2)
NAMES = st.sampled_from(["web", "api"])
TEMPLATED = {  # apiVersion, kind, where the pod template is
    "Deployment": ("apps/v1", ("spec", "template")),
    "CronJob": ("batch/v1", ("spec", "jobTemplate", "spec", "template")),
    "PodTemplate": ("v1", ("template",)),
    "Rollout": ("argoproj.io/v1alpha1", ("spec", "template")),
}
PLAIN = {  # objects without a pod template: some may make pods no manifest shows
    "ConfigMap": "v1",
    "ServiceMonitor": "monitoring.coreos.com/v1",
    "Kafka": "kafka.strimzi.io/v1beta2",
    "Gateway": "gateway.networking.k8s.io/v1",
}


def _nest(path: tuple[str, ...], leaf: Any) -> dict[str, Any]:
    for key in reversed(path):
        leaf = {key: leaf}
    return leaf  # type: ignore[no-any-return]


@st.composite
def objects(draw: st.DrawFn) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": draw(NAMES)}
    namespace = draw(st.sampled_from(["a", "b", None]))
    if namespace is not None:
        metadata["namespace"] = namespace
    choice = draw(
        st.sampled_from(["Pod", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", *TEMPLATED, *PLAIN])
    )
    obj: dict[str, Any] = {"kind": choice, "metadata": metadata}
    if choice == "Pod":
        obj["apiVersion"] = "v1"
        if draw(st.booleans()):
            metadata["labels"] = draw(LABELS)
    elif choice == "Service":
        obj["apiVersion"] = "v1"
        obj["spec"] = {"selector": draw(st.one_of(LABELS, st.none(), st.just("text")))}
    elif choice == "HorizontalPodAutoscaler":
        obj["apiVersion"] = "autoscaling/v2"
        obj["spec"] = {
            "scaleTargetRef": {"kind": draw(st.sampled_from(["Deployment", "Rollout"])), "name": draw(NAMES)}
        }
    elif choice == "PodDisruptionBudget":
        obj["apiVersion"] = "policy/v1"
        obj["spec"] = {"selector": {"matchLabels": draw(st.one_of(LABELS, st.none()))}}
    elif choice in TEMPLATED:
        obj["apiVersion"], path = TEMPLATED[choice]
        template: dict[str, Any] = {"spec": {}}
        if draw(st.booleans()):
            template["metadata"] = {"labels": draw(LABELS)}
        obj.update(_nest(path, template) if draw(st.integers(0, 4)) else {})
        if choice == "Rollout" and draw(st.booleans()):  # labels a canary step gives its pods
            obj.setdefault("spec", {})["canary"] = {"ephemeralMetadata": {"labels": draw(LABELS)}}
    else:
        obj["apiVersion"] = PLAIN[choice]
    return obj


def _selects(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    return all(key in labels and labels[key] == value for key, value in selector.items())


def _dig(obj: Any, *path: str) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _template_labels(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The labels of the pods an object makes from its template (a Pod: its own); None: it has none."""
    if obj["kind"] == "Pod":
        labels = _dig(obj, "metadata", "labels")
        return labels if isinstance(labels, dict) else {}
    for _api, path in TEMPLATED.values():  # any object may hold a pod template at one of these paths
        template = _dig(obj, *path)
        if isinstance(template, dict) and ("spec" in template or "metadata" in template):
            labels = _dig(template, "metadata", "labels")
            return labels if isinstance(labels, dict) else {}
    return None


def _other_pod_labels(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """In a custom resource, the other label maps pods may get (here: an Argo Rollouts canary's)."""
    nested = _dig(obj, "spec", "canary", "ephemeralMetadata", "labels")
    return [nested] if obj["apiVersion"].startswith("argoproj.io/") and isinstance(nested, dict) else []


def _hides_pods(obj: dict[str, Any]) -> bool:
    """Made by an operator, with no template: a Kafka cluster, a Rollout that names its Deployment."""
    return _template_labels(obj) is None and obj["kind"] in ("Kafka", "Rollout")


def expected(objs: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str]]:
    found = []
    for environment, obj in objs:
        namespace = obj["metadata"].get("namespace") or ""

        neighbours = [
            other
            for other_env, other in objs
            if other_env == environment and (other["metadata"].get("namespace") or "") == namespace
        ]
        label_maps = [labels for other in neighbours if (labels := _template_labels(other)) is not None]
        label_maps += [labels for other in neighbours for labels in _other_pod_labels(other)]
        hidden = any(_hides_pods(other) for other in neighbours)
        name = f"{obj['kind']} {namespace + '/' if namespace else ''}{obj['metadata']['name']}"
        if obj["kind"] == "Service":
            selector = obj["spec"]["selector"]
            selected = any(_selects(selector, labels) for labels in label_maps) if isinstance(selector, dict) else True
            if selector and not hidden and not selected:
                found.append((name, "service-selects-pods"))
        elif obj["kind"] == "HorizontalPodAutoscaler":
            target = obj["spec"]["scaleTargetRef"]
            if not any(o["kind"] == target["kind"] and o["metadata"]["name"] == target["name"] for o in neighbours):
                found.append((name, "scale-target-exists"))
        elif obj["kind"] == "PodDisruptionBudget":
            selector = obj["spec"]["selector"]["matchLabels"]
            if (
                isinstance(selector, dict)
                and not hidden
                and not any(_selects(selector, labels) for labels in label_maps)
            ):
                found.append((name, "scale-target-exists"))
    return found


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["dev", "prod"]), objects()), max_size=12))
@example(  # a Service that selects only the labels a canary step gives its pods
    [
        (
            "dev",
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": {"tier": 1}}},
        ),
        (
            "dev",
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Rollout",
                "metadata": {"name": "web"},
                "spec": {"template": {"spec": {}}, "canary": {"ephemeralMetadata": {"labels": {"tier": 1}}}},
            },
        ),
    ]
)
def test_references_are_judged_as_the_rules_say(objs: list[tuple[str, dict[str, Any]]]) -> None:
    manifests = [Manifest(obj, "r", env, "t.yaml", Location("t.yaml", 1)) for env, obj in objs]
    found = [(p.subject, p.rule) for p in check_references(manifests)]
    assert found == expected(objs)
