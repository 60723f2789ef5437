"""``commonLabels``, ``labels`` and ``commonAnnotations``: the same keys on every object.

The field specs are Kustomize's: labels go on each object's metadata, on the pod templates of
workloads, and (for ``commonLabels``, or ``labels`` with ``includeSelectors``) into selectors.
A selector is immutable on a Deployment, StatefulSet, DaemonSet or Job: adding a label to it
later makes ``kubectl apply`` fail, which is why the ``labels`` form leaves selectors alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pytemplar.records import record
from pytemplar.transforms.fieldpaths import FieldSpec, maps_at
from pytemplar.transforms.table import Objects, TransformContext

_WORKLOADS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController")


def _template_specs(field: str) -> list[FieldSpec]:
    return [
        *(FieldSpec(f"spec/template/metadata/{field}", kind, create=True) for kind in _WORKLOADS),
        FieldSpec(f"spec/jobTemplate/metadata/{field}", "CronJob", "batch", create=True),
        FieldSpec(f"spec/jobTemplate/spec/template/metadata/{field}", "CronJob", "batch", create=True),
    ]


_AFFINITY = "spec/template/spec/affinity"
_TERM_SELECTORS = (
    f"{_AFFINITY}/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    f"{_AFFINITY}/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    f"{_AFFINITY}/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    f"{_AFFINITY}/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
)

METADATA_LABELS = (FieldSpec("metadata/labels", create=True),)
# Kustomize v5.7 counts a StatefulSet's volume claim templates among the templates.
TEMPLATE_LABELS = (
    *_template_specs("labels"),
    FieldSpec("spec/volumeClaimTemplates[]/metadata/labels", "StatefulSet", "apps", create=True),
)
SELECTOR_LABELS = (
    FieldSpec("spec/selector", "Service", "", create=True),
    FieldSpec("spec/selector", "ReplicationController", "", create=True),
    *(FieldSpec("spec/selector/matchLabels", kind, create=True) for kind in ("Deployment", "ReplicaSet", "DaemonSet")),
    FieldSpec("spec/selector/matchLabels", "StatefulSet", "apps", create=True),
    *(FieldSpec(path, kind, "apps") for kind in ("Deployment", "StatefulSet") for path in _TERM_SELECTORS),
    FieldSpec("spec/selector/matchLabels", "Job", "batch"),
    FieldSpec("spec/jobTemplate/spec/selector/matchLabels", "CronJob", "batch"),
    FieldSpec("spec/selector/matchLabels", "PodDisruptionBudget", "policy"),
    FieldSpec("spec/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io"),
    FieldSpec("spec/ingress/from/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io"),
    FieldSpec("spec/egress/to/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io"),
)
ANNOTATIONS = (FieldSpec("metadata/annotations", create=True), *_template_specs("annotations"))


@record
class LabelSet:
    """Labels to add, and how far they reach (``commonLabels`` reaches selectors and templates)."""

    pairs: Mapping[str, str]
    include_selectors: bool = True
    include_templates: bool = True
    fields: tuple[FieldSpec, ...] = ()  # more places, as Kustomize's labels[].fields

    def field_specs(self) -> tuple[FieldSpec, ...]:
        specs: tuple[FieldSpec, ...] = (*self.fields, *METADATA_LABELS)
        if self.include_templates or self.include_selectors:
            specs += TEMPLATE_LABELS
        if self.include_selectors:
            specs += SELECTOR_LABELS
        return specs


def add_labels(objects: Iterable[dict[str, Any]], labels: LabelSet) -> None:
    """Set the labels on each object, in place; a label already there takes the new value."""
    _set_all(objects, labels.pairs, labels.field_specs())


def add_annotations(objects: Iterable[dict[str, Any]], annotations: Mapping[str, str]) -> None:
    """Set the annotations on each object and its pod templates, in place."""
    _set_all(objects, annotations, ANNOTATIONS)


def _set_all(objects: Iterable[dict[str, Any]], pairs: Mapping[str, str], specs: tuple[FieldSpec, ...]) -> None:
    if not pairs:
        return
    for obj in objects:
        for spec in specs:
            for target in maps_at(obj, spec):
                target.update(pairs)


def label(objects: Objects, label_sets: Sequence[LabelSet], context: TransformContext) -> Objects:
    """The labels' row of the transforms table."""
    for label_set in label_sets:
        add_labels(objects, label_set)
    return objects


def annotate(objects: Objects, annotations: Mapping[str, str], context: TransformContext) -> Objects:
    """The annotations' row of the transforms table."""
    add_annotations(objects, annotations)
    return objects
