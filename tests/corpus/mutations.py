"""Mutations of valid manifests, each a mistake the API server refuses, for measuring recall.

Each operator takes one object of the clean corpus and returns mutants: the object with one
mistake, described. The mistakes are those teams make and the cluster rejects: a misspelt enum
value, a number written as text, a misspelt field name, a required field left out, an invalid
name or label, a removed apiVersion, a malformed quantity, a selector that misses its template, a
container or volume listed twice.
The operators know nothing of pytemplar's schemas: their field lists come from the Kubernetes
API reference, so a check that misses a case shows up as a miss.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

Path = tuple[str | int, ...]
Mutant = tuple[str, dict[str, Any]]

# Enum-valued fields of the built-in API (by the last key of their path), from the API reference.
ENUM_FIELDS = frozenset(
    {
        "imagePullPolicy",
        "protocol",
        "restartPolicy",
        "pathType",
        "dnsPolicy",
        "concurrencyPolicy",
        "operator",
        "effect",
        "volumeMode",
        "reclaimPolicy",
        "volumeBindingMode",
        "sessionAffinity",
        "externalTrafficPolicy",
        "podManagementPolicy",
        "whenUnsatisfiable",
        "failurePolicy",
        "sideEffects",
        "matchPolicy",
        "preemptionPolicy",
        "selectPolicy",
        "unhealthyPodEvictionPolicy",
        "completionMode",
        "whenDeleted",
        "whenScaled",
    }
)
# Maps whose keys are data, not field names (a misspelt key there is not a mistake).
FREE_FORM = frozenset(
    {
        "labels",
        "annotations",
        "data",
        "stringData",
        "matchLabels",
        "nodeSelector",
        "parameters",
        "hard",
        "requests",
        "limits",
        "selector",
        "default",
        "defaultRequest",
        "podMetadata",
        "resources",
        "status",
    }
)
REMOVED = {
    ("apps/v1", "Deployment"): "extensions/v1beta1",
    ("apps/v1", "DaemonSet"): "extensions/v1beta1",
    ("apps/v1", "StatefulSet"): "apps/v1beta2",
    ("networking.k8s.io/v1", "Ingress"): "networking.k8s.io/v1beta1",
    ("policy/v1", "PodDisruptionBudget"): "policy/v1beta1",
    ("batch/v1", "CronJob"): "batch/v1beta1",
    ("autoscaling/v2", "HorizontalPodAutoscaler"): "autoscaling/v2beta2",
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): "rbac.authorization.k8s.io/v1beta1",
    ("scheduling.k8s.io/v1", "PriorityClass"): "scheduling.k8s.io/v1beta1",
}
REQUIRED: tuple[Path, ...] = (
    ("metadata", "name"),
    ("spec", "selector"),
    ("spec", "template", "spec", "containers", 0, "name"),
    ("spec", "template", "spec", "containers", 0, "image"),
    ("spec", "ports", 0, "port"),
    ("spec", "scaleTargetRef"),
    ("spec", "maxReplicas"),
    ("roleRef",),
    ("spec", "schedule"),
    ("spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "name"),
    ("provisioner",),
    ("value",),
)


def walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, (*path, index))


def get(obj: Any, path: Path) -> Any:
    for part in path:
        obj = obj[part]
    return obj


def has(obj: Any, path: Path) -> bool:
    try:
        get(obj, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def is_custom(obj: dict[str, Any]) -> bool:
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    return not (group in ("", "apps", "batch", "autoscaling", "policy") or group.endswith(".k8s.io"))


def _free_form(path: Path) -> bool:
    return any(part in FREE_FORM for part in path if isinstance(part, str))


def _set(obj: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    mutant = copy.deepcopy(obj)
    get(mutant, path[:-1])[path[-1]] = value
    return mutant


def enum_typos(obj: dict[str, Any]) -> list[Mutant]:
    found = []
    for path, value in walk(obj):
        if path and path[-1] in ENUM_FIELDS and isinstance(value, str) and not _free_form(path[:-1]):
            found.append((f"{_show(path)}: {value} -> {value.lower()}x", _set(obj, path, value.lower() + "x")))
    if obj.get("kind") == "Service" and isinstance(get(obj, ("spec",)).get("type"), str):
        value = obj["spec"]["type"]
        found.append(
            (f"spec.type: {value} -> {value[:-1]}{value[-1].lower()}x", _set(obj, ("spec", "type"), value + "x"))
        )
    return found


def numbers_as_text(obj: dict[str, Any]) -> list[Mutant]:
    return [
        (f"{_show(path)}: {value} -> '{value}'", _set(obj, path, str(value)))
        for path, value in walk(obj)
        if path
        and isinstance(value, int)
        and not isinstance(value, bool)
        and not _free_form(path)
        and not _quantity(path)
    ]


def _quantity(path: Path) -> bool:
    # A metric target's value and averageValue are quantities: '20' is as valid as 20 there.
    return path[-2:-1] == ("target",) and path[-1] in ("value", "averageValue")


def booleans_as_text(obj: dict[str, Any]) -> list[Mutant]:
    return [
        (f"{_show(path)}: {value} -> 'yes'", _set(obj, path, "yes"))
        for path, value in walk(obj)
        if path and isinstance(value, bool) and not _free_form(path)
    ]


def misspelt_fields(obj: dict[str, Any]) -> list[Mutant]:
    found = []
    for path, value in walk(obj):
        if not isinstance(value, dict) or _free_form(path) or (is_custom(obj) and path[:1] == ("spec",)):
            continue
        for key in value:
            if isinstance(key, str) and len(key) > 3 and key not in ("apiVersion", "kind"):
                mutant = copy.deepcopy(obj)
                holder = get(mutant, path)
                holder[key[:-1]] = holder.pop(key)
                found.append((f"{_show((*path, key))} misspelt as {key[:-1]}", mutant))
    return found


def missing_required(obj: dict[str, Any]) -> list[Mutant]:
    found = []
    for path in REQUIRED:
        if has(obj, path) and not (is_custom(obj) and path[:1] == ("spec",)):
            optional = ("Service", "Job", "CronJob", "ReplicationController", "PodDisruptionBudget")
            if path == ("spec", "selector") and obj.get("kind") in optional:
                continue  # optional there (defaulted from the template, or selecting nothing)
            mutant = copy.deepcopy(obj)
            del get(mutant, path[:-1])[path[-1]]
            found.append((f"{_show(path)} removed", mutant))
    return found


def invalid_names(obj: dict[str, Any]) -> list[Mutant]:
    if not has(obj, ("metadata", "name")):
        return []
    name = obj["metadata"]["name"]
    # RBAC names are path segments: any text without '/' or '%'; other kinds take DNS names.
    rbac = obj.get("kind") in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
    bad = name + "/x" if rbac else name.replace("-", "_").upper()
    return [(f"metadata.name: {name} -> {bad}", _set(obj, ("metadata", "name"), bad))]


def invalid_labels(obj: dict[str, Any]) -> list[Mutant]:
    found = []
    for path, value in walk(obj):
        if path[-1:] in (("labels",), ("matchLabels",)) and isinstance(value, dict) and value:
            key = next(iter(value))
            found.append((f"{_show((*path, key))}: a space in the value", _set(obj, (*path, key), "two words")))
    return found


def removed_apis(obj: dict[str, Any]) -> list[Mutant]:
    old = REMOVED.get((str(obj.get("apiVersion")), str(obj.get("kind"))))
    return [] if old is None else [(f"apiVersion -> {old}", _set(obj, ("apiVersion",), old))]


def malformed_quantities(obj: dict[str, Any]) -> list[Mutant]:
    return [
        (f"{_show(path)}: {value} -> '1 core'", _set(obj, path, "1 core"))
        for path, value in walk(obj)
        if len(path) > 2 and path[-2] in ("requests", "limits") and path[-1] in ("cpu", "memory")
    ]


def selector_mismatches(obj: dict[str, Any]) -> list[Mutant]:
    path = ("spec", "selector", "matchLabels")
    if obj.get("kind") not in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet") or not has(obj, path):
        return []
    key = next(iter(get(obj, path)))
    return [(f"{_show((*path, key))} no longer matches the template", _set(obj, (*path, key), "other"))]


def duplicate_entries(obj: dict[str, Any]) -> list[Mutant]:
    """A container or volume listed twice under one name, which the API server refuses."""
    found = []
    for path, value in walk(obj):
        if path[-1:] in (("containers",), ("volumes",)) and isinstance(value, list) and value and not is_custom(obj):
            mutant = copy.deepcopy(obj)
            get(mutant, path).append(copy.deepcopy(value[0]))
            found.append((f"{_show(path)}: item 0 listed twice", mutant))
    return found


OPERATORS: dict[str, Callable[[dict[str, Any]], list[Mutant]]] = {
    "enum-typo": enum_typos,
    "number-as-text": numbers_as_text,
    "boolean-as-text": booleans_as_text,
    "misspelt-field": misspelt_fields,
    "missing-required": missing_required,
    "invalid-name": invalid_names,
    "invalid-label": invalid_labels,
    "removed-api": removed_apis,
    "malformed-quantity": malformed_quantities,
    "selector-mismatch": selector_mismatches,
    "duplicate-entry": duplicate_entries,
}


def _show(path: Path) -> str:
    return ".".join(str(part) for part in path)


def mutants(objects: list[dict[str, Any]]) -> Iterator[tuple[str, int, str, dict[str, Any]]]:
    """(operator, index of the object mutated, description, mutant) for every operator and object."""
    for name, operator in OPERATORS.items():
        for index, obj in enumerate(objects):
            if obj.get("kind") == "CustomResourceDefinition":
                continue  # their schemas are data for the other objects
            for description, mutant in operator(obj):
                yield name, index, description, mutant
