"""Rollout strategies: a pipeline stage over the rendered objects of one release.

A release chooses its strategy in the ``rollout`` key of its values (checked against
``schemas/rollout.schema.json``, never the app's schema). The stage works on what the
templates rendered, not on any template's private values, so every app template gets the
four strategies for free:

* ``Recreate`` / ``RollingUpdate``: the Deployment's ``spec.strategy``.
* ``BlueGreen``: the Deployment becomes ``<name>-blue`` and ``<name>-green``, each with its
  own image and the pod label ``pytemplar.io/color``; every Service that selected the pods
  now selects the active colour, and a ``<service>-preview`` copy selects the other.
  HorizontalPodAutoscalers and PodDisruptionBudgets are split per colour.
* ``Canary``: the Deployment keeps its name and gains the pod label
  ``pytemplar.io/track: stable``; while a canary runs, a ``<name>-canary`` Deployment and a
  ``<service>-canary`` Service carry the new version, and traffic is split by a copy of each
  Ingress (ingress-nginx canary annotations) or by each HTTPRoute (Gateway API weighted
  ``backendRefs`` and a header ``matches`` rule).

The track/colour labels join the Deployment's selector. A selector cannot change in place, so
a release that already runs adopts the strategy in two commits (``rollout.adoption``, written by
``pytemplar rollout adopt``): its Deployment keeps its name and selector and becomes the stable
track (Canary) or the blue colour (BlueGreen); first only its pods gain the label (``started``:
the Services keep selecting all of them while they roll), then the Services select by the label
(``done``). See docs/rollout.md.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from typing import Any, Literal

from pytemplar.errors import Location, ValuesError
from pytemplar.manifests import Manifest
from pytemplar.records import record, replace
from pytemplar.values import ROLLOUT_KEY

TRACK_LABEL = "pytemplar.io/track"
COLOR_LABEL = "pytemplar.io/color"
VERSION_LABEL = "app.kubernetes.io/version"
DEFAULT_TAG_VALUE = "image.tag"
NGINX = "nginx.ingress.kubernetes.io/"
MAX_ROUTE_RULES = 16  # Gateway API v1: HTTPRoute spec.rules maxItems
MAX_BACKEND_WEIGHT = 1_000_000  # Gateway API v1: backendRefs[].weight maximum

Strategy = Literal["Recreate", "RollingUpdate", "BlueGreen", "Canary"]
ADOPTABLE = ("BlueGreen", "Canary")  # the strategies that add a label to a running Deployment's pods
Color = Literal["blue", "green"]
# Where a release stands in its rollout (docs/rollout.md draws the transitions):
#   adopting    a running release's pods gain the strategy's label; its Services still select them all
#   idle        one version runs; BlueGreen's other colour is scaled down, Canary has no canary
#   previewing  BlueGreen: the other colour runs a new version at full capacity, without traffic
#   canary      Canary: the canary runs a new version and takes its weight of the traffic
#   promoted    the new version takes the traffic; the old one is kept whole for a rollback
Phase = Literal["adopting", "idle", "previewing", "canary", "promoted"]
Adoption = Literal["started", "done"]
Locator = Callable[[tuple[str | int, ...]], Location | None]


@record
class Version:
    """An image choice: a whole reference, or a tag put on the rendered image."""

    tag: str | None = None
    image: str | None = None

    @property
    def set(self) -> bool:
        return self.tag is not None or self.image is not None

    def applied_to(self, rendered: str) -> str:
        if self.image is not None:
            return self.image
        if self.tag is not None:
            return with_tag(rendered, self.tag)
        return rendered


@record
class CanarySpec:
    version: Version
    weight: int | None
    header: tuple[str, str | None] | None
    replicas: int  # at least this many; more when the weight needs them
    rollback_to: Version = Version()  # after promote: the stable version it replaced

    @property
    def running(self) -> bool:
        return self.version.set

    def pods(self, stable_capacity: int) -> int:
        """The canary's replicas: enough for its weight's share of the stable capacity."""
        return max(self.replicas, pods_for(self.weight or 0, stable_capacity))


def pods_for(weight: int, capacity: int) -> int:
    """Pods that take ``weight`` percent of the traffic a capacity of ``capacity`` pods takes."""
    return math.ceil(weight * capacity / 100)


@record
class RolloutSpec:
    """The ``rollout`` values of one release, read after schema validation."""

    strategy: Strategy
    deployment: str | None = None
    container: str | None = None
    tag_value: str = DEFAULT_TAG_VALUE
    max_surge: int | str | None = None
    max_unavailable: int | str | None = None
    active: Color = "blue"
    colors: tuple[tuple[Color, Version], ...] = (("blue", Version()), ("green", Version()))
    preview_replicas: int | None = None
    rollback_to: Color | None = None  # BlueGreen after promote: the old colour, kept whole
    canary: CanarySpec | None = None
    stable_tag: str | None = None  # the value at tag_value, which a colour without a version runs
    controller: Literal["pytemplar", "ArgoRollouts"] = "pytemplar"
    steps: tuple[dict[str, Any], ...] = ()  # ArgoRollouts canary steps
    analysis: tuple[str, ...] = ()  # ArgoRollouts AnalysisTemplate names
    auto_promotion_seconds: int | None = None  # ArgoRollouts blue/green
    where: Location | None = None  # where the strategy was chosen: errors point there
    # A release that ran before its strategy: its Deployment keeps its name and selector.
    adoption: Adoption | None = None

    @property
    def preview(self) -> Color:
        return "green" if self.active == "blue" else "blue"

    def color(self, name: Color) -> Version:
        return dict(self.colors)[name]

    def runs(self, version: Version) -> tuple[str, str | None]:
        """What a version amounts to: a whole image, or a tag (the stable tag when it names none)."""
        if version.image is not None:
            return ("image", version.image)
        return ("tag", version.tag if version.tag is not None else self.stable_tag)

    @property
    def phase(self) -> Phase:
        if self.adoption == "started":
            return "adopting"
        if self.controller == "ArgoRollouts":
            return "idle"  # the controller holds the live phase
        if self.strategy == "BlueGreen":
            if self.rollback_to is not None:
                return "promoted"
            pending = self.runs(self.color(self.active)) != self.runs(self.color(self.preview))
            return "previewing" if pending else "idle"
        if self.strategy == "Canary" and self.canary is not None and self.canary.running:
            return "promoted" if self.canary.rollback_to.set else "canary"
        return "idle"


def _version(data: dict[str, Any] | None) -> Version:
    data = data or {}
    return Version(data.get("tag"), data.get("image"))


def read_rollout(values: dict[str, Any], locate: Locator) -> RolloutSpec | None:
    """The release's strategy from its (validated) values, or None when it has none."""
    data = values.get(ROLLOUT_KEY)
    if not isinstance(data, dict):
        return None
    canary = None
    if isinstance(data.get("canary"), dict):
        raw = data["canary"]
        header = raw.get("header")
        canary = CanarySpec(
            _version(raw),
            raw.get("weight"),
            (header["name"], header.get("value")) if header else None,
            raw.get("replicas", 1),
            _version(raw.get("rollbackTo")),
        )
    tag_value = data.get("tagValue", DEFAULT_TAG_VALUE)
    stable: Any = values
    for part in tag_value.split("."):
        stable = stable.get(part) if isinstance(stable, dict) else None
    return RolloutSpec(
        strategy=data["strategy"],
        deployment=data.get("deployment"),
        container=data.get("container"),
        tag_value=tag_value,
        max_surge=data.get("maxSurge"),
        max_unavailable=data.get("maxUnavailable"),
        active=data.get("active", "blue"),
        colors=(("blue", _version(data.get("blue"))), ("green", _version(data.get("green")))),
        preview_replicas=data.get("previewReplicas"),
        rollback_to=data.get("rollbackTo"),
        canary=canary,
        controller=data.get("controller", "pytemplar"),
        steps=tuple(data.get("steps") or ()),
        analysis=tuple(data.get("analysis") or ()),
        auto_promotion_seconds=data.get("autoPromotionSeconds"),
        stable_tag=None if stable is None or isinstance(stable, (dict, list)) else str(stable),
        where=locate((ROLLOUT_KEY, "strategy")),
        adoption=data.get("adoption"),
    )


def with_tag(image: str, tag: str) -> str:
    """``image`` with its tag replaced and any digest dropped: ``reg:5000/app:1@sha256:..`` -> ``reg:5000/app:tag``."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name = name[:colon]
    return f"{name}:{tag}"


def repository_of(image: str) -> str:
    """``image`` without its tag and digest: ``reg:5000/app:1@sha256:..`` -> ``reg:5000/app``."""
    name = image.split("@", 1)[0]
    colon = name.rfind(":")
    return name[:colon] if colon > name.rfind("/") else name


def tag_of(image: str) -> str | None:
    name = image.split("@", 1)[0]
    colon = name.rfind(":")
    return name[colon + 1 :] if colon > name.rfind("/") else None


# -- finding the objects a strategy works on ---------------------------------------------------------


def _dig(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _labels(obj: dict[str, Any], *path: str) -> dict[str, Any]:
    """The label map at ``path``, created when missing."""
    node = obj
    for key in path:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    return node


def _fail(spec: RolloutSpec, message: str, hint: str) -> ValuesError:
    return ValuesError(f"rollout: {message}", location=spec.where, hint=hint)


def target_deployment(manifests: list[Manifest], spec: RolloutSpec) -> Manifest:
    deployments = [m for m in manifests if m.kind == "Deployment" and m.group == "apps"]
    if spec.deployment is not None:
        for manifest in deployments:
            if manifest.name == spec.deployment:
                return manifest
        names = ", ".join(m.name for m in deployments) or "none"
        raise _fail(spec, f"no Deployment named '{spec.deployment}' in the release", f"rendered Deployments: {names}")
    if len(deployments) != 1:
        found = f"{len(deployments)} ({', '.join(m.name for m in deployments)})" if deployments else "none"
        raise _fail(
            spec,
            f"{spec.strategy} needs one Deployment in the release; found {found}",
            "name the one to roll out in rollout.deployment" if deployments else "the templates render no Deployment",
        )
    return deployments[0]


def _pod_labels(deployment: dict[str, Any]) -> dict[str, Any]:
    labels = _dig(deployment, "spec", "template", "metadata", "labels")
    return labels if isinstance(labels, dict) else {}


def selects(selector: Any, labels: dict[str, Any]) -> bool:
    """Whether a map selector (Service ``spec.selector``) picks pods with ``labels``."""
    return isinstance(selector, dict) and bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _services_of(manifests: Iterable[Manifest], deployment: Manifest) -> list[Manifest]:
    labels = _pod_labels(deployment.obj)
    return [
        m
        for m in manifests
        if m.kind == "Service"
        and not m.group
        and m.namespace == deployment.namespace
        and selects(_dig(m.obj, "spec", "selector"), labels)
    ]


def _targets(manifest: Manifest, deployment: Manifest) -> bool:
    """An HPA whose scaleTargetRef is the Deployment."""
    ref = _dig(manifest.obj, "spec", "scaleTargetRef")
    return (
        isinstance(ref, dict)
        and ref.get("kind") == "Deployment"
        and ref.get("name") == deployment.name
        and manifest.namespace == deployment.namespace
    )


def _budgets_of(manifests: Iterable[Manifest], deployment: Manifest) -> list[Manifest]:
    labels = _pod_labels(deployment.obj)
    return [
        m
        for m in manifests
        if m.kind == "PodDisruptionBudget"
        and m.namespace == deployment.namespace
        and selects(_dig(m.obj, "spec", "selector", "matchLabels"), labels)
    ]


# -- editing copies ------------------------------------------------------------------------------------


def _copy(manifest: Manifest, name: str | None = None) -> Manifest:
    obj = copy.deepcopy(manifest.obj)
    if name is not None:
        obj["metadata"]["name"] = name
    return replace(manifest, obj=obj)


def _mark_pods(deployment: Manifest, label: str, value: str, *, selector: bool = True) -> None:
    """Put ``label: value`` on the Deployment, its pod template and (unless it must keep the one it
    runs with: an adopted Deployment) its selector."""
    obj = deployment.obj
    _labels(obj, "metadata", "labels")[label] = value
    if selector:
        _labels(obj, "spec", "selector", "matchLabels")[label] = value
    _labels(obj, "spec", "template", "metadata", "labels")[label] = value


def _adopting(
    manifests: list[Manifest], deployment: Manifest, spec: RolloutSpec, label: str, value: str
) -> list[Manifest]:
    """The first commit of adopting a strategy: the Deployment's pods gain the label, nothing else
    changes. The Services go on selecting every pod of the Deployment while it rolls; only once
    all its pods carry the label may a later commit select by it."""
    pending: list[str] = [name for name, version in spec.colors if version.set and spec.strategy == "BlueGreen"]
    if spec.strategy == "Canary" and spec.canary is not None and spec.canary.running:
        pending.append("canary")
    if spec.rollback_to is not None:
        pending.append("rollbackTo")
    if spec.strategy == "BlueGreen" and spec.active != "blue":
        pending.append("active")
    if pending:
        what = f"rollout.{pending[0]}"
        raise _fail(
            spec,
            f"{what} is set while the release adopts {spec.strategy} (rollout.adoption: started): the Services"
            f" still select every pod of Deployment '{deployment.name}', so a new version would take traffic"
            " at once",
            (
                "set rollout.active: blue (the adopted Deployment is blue)"
                if what == "rollout.active"
                else f"remove {what}"
            )
            + "; once the Deployment has rolled, end the adoption with pytemplar rollout finish, then start a version",
        )
    marked = _copy(deployment)
    _mark_pods(marked, label, value, selector=False)
    return [marked if m is deployment else m for m in manifests]


def _containers(deployment: Manifest, spec: RolloutSpec) -> dict[str, Any]:
    containers = _dig(deployment.obj, "spec", "template", "spec", "containers")
    if not isinstance(containers, list) or not containers:
        raise _fail(spec, f"Deployment '{deployment.name}' has no containers", "the templates must render containers")
    if spec.container is None:
        first: dict[str, Any] = containers[0]
        return first
    for container in containers:
        if isinstance(container, dict) and container.get("name") == spec.container:
            return container
    names = ", ".join(str(c.get("name")) for c in containers if isinstance(c, dict))
    raise _fail(spec, f"Deployment '{deployment.name}' has no container '{spec.container}'", f"its containers: {names}")


def _set_version(deployment: Manifest, spec: RolloutSpec, version: Version) -> None:
    """Give the Deployment's container the version's image; keep a version label in step with its tag."""
    container = _containers(deployment, spec)
    rendered = str(container.get("image", ""))
    image = version.applied_to(rendered)
    container["image"] = image
    old, new = tag_of(rendered), tag_of(image)
    if old is None or new is None or old == new:
        return
    for labels in (_dig(deployment.obj, "metadata", "labels"), _pod_labels(deployment.obj)):
        if isinstance(labels, dict) and labels.get(VERSION_LABEL) == old:
            labels[VERSION_LABEL] = new


def _side_service(service: Manifest, suffix: str, label: str, value: str) -> Manifest:
    """A ClusterIP copy of ``service`` named ``<name>-<suffix>`` selecting pods with ``label: value``."""
    side = _copy(service, f"{service.name}-{suffix}")
    body = side.obj.setdefault("spec", {})
    for key in (
        "clusterIP",
        "clusterIPs",
        "externalIPs",
        "loadBalancerIP",
        "loadBalancerSourceRanges",
        "healthCheckNodePort",
    ):
        body.pop(key, None)
    body["type"] = "ClusterIP"
    body.pop("externalTrafficPolicy", None)
    for port in body.get("ports") or []:
        if isinstance(port, dict):
            port.pop("nodePort", None)
    body["selector"][label] = value
    return side


# -- the strategies ------------------------------------------------------------------------------------


def apply_rollout(manifests: list[Manifest], spec: RolloutSpec | None) -> list[Manifest]:
    """The release's objects with its rollout strategy applied; untouched without one."""
    if spec is None:
        return manifests
    deployment = target_deployment(manifests, spec)
    _containers(deployment, spec)  # an unknown rollout.container is reported with the rendered name
    if spec.strategy in ("Recreate", "RollingUpdate"):
        return update_strategy(manifests, deployment, spec)
    if spec.controller == "ArgoRollouts":
        from pytemplar.argorollouts import argo_rollout

        return argo_rollout(manifests, deployment, spec)
    if spec.strategy == "BlueGreen":
        return blue_green(manifests, deployment, spec)
    return canary(manifests, deployment, spec)


def update_strategy(manifests: list[Manifest], deployment: Manifest, spec: RolloutSpec) -> list[Manifest]:
    """Recreate or RollingUpdate: the Deployment's ``spec.strategy``."""
    changed = _copy(deployment)
    strategy: dict[str, Any] = {"type": spec.strategy}
    if spec.strategy == "RollingUpdate":
        # A bound the values leave out keeps what the template rendered, not Kubernetes' 25%.
        rendered = _dig(deployment.obj, "spec", "strategy", "rollingUpdate")
        kept = dict(rendered) if isinstance(rendered, dict) else {}
        chosen = {"maxSurge": spec.max_surge, "maxUnavailable": spec.max_unavailable}
        kept.update({k: v for k, v in chosen.items() if v is not None})
        if kept:
            strategy["rollingUpdate"] = kept
    changed.obj.setdefault("spec", {})["strategy"] = strategy
    return [changed if m is deployment else m for m in manifests]


def blue_green(manifests: list[Manifest], deployment: Manifest, spec: RolloutSpec) -> list[Manifest]:
    """Two coloured Deployments; Services select the active colour; previews select the other."""
    if spec.adoption == "started":
        return _adopting(manifests, deployment, spec, COLOR_LABEL, "blue")
    services = _services_of(manifests, deployment)
    if not services:
        raise _fail(
            spec,
            "BlueGreen switches traffic with a Service, and no Service of the release selects the pods"
            f" of Deployment '{deployment.name}'",
            "render a Service whose selector matches the Deployment's pod labels",
        )
    if spec.rollback_to is not None and spec.rollback_to == spec.active:
        raise _fail(
            spec,
            f"rollbackTo names the active colour '{spec.active}'; it keeps the colour a promote switched away from",
            f"set rollout.rollbackTo to '{spec.preview}', or remove it",
        )
    autoscalers = [m for m in manifests if m.kind == "HorizontalPodAutoscaler" and _targets(m, deployment)]
    budgets = _budgets_of(manifests, deployment)
    replaced = {id(m) for m in [deployment, *autoscalers, *budgets]}
    # Both colours run at full capacity while a new version waits or the old one is kept for a
    # rollback; only an idle release scales its other colour down (no autoscaler, no budget).
    idle = spec.phase == "idle"
    whole: list[Color] = [spec.active] if idle else ["blue", "green"]
    result: list[Manifest] = []
    for manifest in manifests:
        if id(manifest) in replaced:
            if manifest is deployment:
                colors: tuple[Color, ...] = ("blue", "green")
                result.extend(_colored_deployment(deployment, spec, color, color in whole) for color in colors)
            elif any(manifest is a for a in autoscalers):
                # During a rollout either colour may take all the traffic in the next commit, at
                # whatever load the active colour scaled to: both are held at the autoscaler's maximum.
                result.extend(_colored_autoscaler(manifest, spec, color, held=not idle) for color in whole)
            else:
                result.extend(_colored_budget(manifest, spec, color) for color in whole)
        elif any(manifest is s for s in services):
            active = _copy(manifest)
            active.obj["spec"]["selector"][COLOR_LABEL] = spec.active
            result.append(active)
            result.append(_side_service(manifest, "preview", COLOR_LABEL, spec.preview))
        else:
            result.append(manifest)
    return result


def _kept(spec: RolloutSpec, color: Color) -> bool:
    """Whether the colour is an adopted Deployment, which keeps its name and selector (and its
    autoscaler's and budget's names: they go on guarding the same pods without a gap)."""
    return spec.adoption is not None and color == "blue"


def _colored_deployment(deployment: Manifest, spec: RolloutSpec, color: Color, whole: bool) -> Manifest:
    kept = _kept(spec, color)
    colored = _copy(deployment, None if kept else f"{deployment.name}-{color}")
    _mark_pods(colored, COLOR_LABEL, color, selector=not kept)
    _set_version(colored, spec, spec.color(color))
    if not whole:
        colored.obj["spec"]["replicas"] = spec.preview_replicas or 0
    return colored


def _colored_autoscaler(autoscaler: Manifest, spec: RolloutSpec, color: Color, *, held: bool) -> Manifest:
    if _kept(spec, color):
        colored = _copy(autoscaler)
    else:
        colored = _copy(autoscaler, f"{autoscaler.name}-{color}")
        ref = colored.obj["spec"]["scaleTargetRef"]
        ref["name"] = f"{ref['name']}-{color}"
    return _held_at_maximum(colored) if held else colored


def _held_at_maximum(autoscaler: Manifest) -> Manifest:
    """The autoscaler with ``minReplicas`` raised to ``maxReplicas``.

    Pods that are about to take traffic must already run in the number the traffic needs, and
    what an autoscaled Deployment needs is known only live (it follows the load). Until the
    commit after the traffic moved, the Deployments of a rollout therefore keep the most pods
    their autoscaler allows: lowering ``minReplicas`` in the same commit that sends traffic would
    let the autoscaler scale the pods down on metrics taken before the traffic arrived.
    """
    most = _dig(autoscaler.obj, "spec", "maxReplicas")
    if not isinstance(most, int):
        return autoscaler
    held = _copy(autoscaler)
    held.obj["spec"]["minReplicas"] = most
    return held


def _colored_budget(budget: Manifest, spec: RolloutSpec, color: Color) -> Manifest:
    colored = _copy(budget, None if _kept(spec, color) else f"{budget.name}-{color}")
    colored.obj["spec"]["selector"]["matchLabels"][COLOR_LABEL] = color
    return colored


def canary(manifests: list[Manifest], deployment: Manifest, spec: RolloutSpec) -> list[Manifest]:
    """A stable track always; while a canary runs, its Deployment, Service and traffic split."""
    if spec.adoption == "started":
        return _adopting(manifests, deployment, spec, TRACK_LABEL, "stable")
    services = _services_of(manifests, deployment)
    budgets = _budgets_of(manifests, deployment)
    autoscalers = [m for m in manifests if m.kind == "HorizontalPodAutoscaler" and _targets(m, deployment)]
    running = spec.canary is not None and spec.canary.running
    stable_capacity = capacity(manifests, deployment)
    pods = spec.canary.pods(stable_capacity) if spec.canary is not None else 0
    service_names = {s.name for s in services}
    routed = False
    result: list[Manifest] = []
    for manifest in manifests:
        if manifest is deployment:
            stable = _copy(deployment)
            _mark_pods(stable, TRACK_LABEL, "stable", selector=spec.adoption is None)
            result.append(stable)
            if running:
                result.append(_canary_deployment(deployment, spec, pods))
        elif any(manifest is s for s in services):
            stable_service = _copy(manifest)
            stable_service.obj["spec"]["selector"][TRACK_LABEL] = "stable"
            result.append(stable_service)
            if running:
                result.append(_side_service(manifest, "canary", TRACK_LABEL, "canary"))
        elif running and any(manifest is a for a in autoscalers):
            # Any command may send the canary's share back to the stable pods: they stay at the
            # most the autoscaler allows while a canary runs (see _held_at_maximum).
            result.append(_held_at_maximum(manifest))
        elif any(manifest is b for b in budgets):
            stable_budget = _copy(manifest)
            stable_budget.obj["spec"]["selector"]["matchLabels"][TRACK_LABEL] = "stable"
            result.append(stable_budget)
            if running:
                result.append(_canary_budget(manifest, stable_capacity, pods))
        elif running and manifest.kind == "Ingress" and _ingress_backends(manifest.obj) & service_names:
            routed = True
            result.append(manifest)
            result.append(_canary_ingress(manifest, service_names, spec))
        elif running and manifest.kind == "HTTPRoute" and _route_backends(manifest.obj) & service_names:
            routed = True
            result.append(_canary_route(manifest, service_names, spec))
        else:
            result.append(manifest)
    wants_traffic = spec.canary is not None and (spec.canary.weight or spec.canary.header)
    if running and wants_traffic and not service_names:
        raise _fail(
            spec,
            f"the canary's weight or header needs a Service of the release selecting the pods of Deployment"
            f" '{deployment.name}', and an Ingress or HTTPRoute routing to it; there is no such Service",
            "render a Service for the Deployment, or remove rollout.canary.weight and rollout.canary.header",
        )
    if running and wants_traffic and not routed:
        raise _fail(
            spec,
            f"the canary's weight or header needs an Ingress or HTTPRoute of the release routing to Service "
            f"{', '.join(sorted(service_names))}; there is none",
            "enable the release's Ingress or HTTPRoute, or remove rollout.canary.weight and rollout.canary.header",
        )
    return result


def capacity(manifests: Iterable[Manifest], deployment: Manifest) -> int:
    """The pods a Deployment may need for all its traffic: its replicas (Kubernetes' default 1), or,
    when an autoscaler follows the load, the most it scales to (``maxReplicas``): the live count is
    not known when the commit is written, and the traffic a share sends follows the live load."""
    for manifest in manifests:
        if manifest.kind == "HorizontalPodAutoscaler" and _targets(manifest, deployment):
            most = _dig(manifest.obj, "spec", "maxReplicas")
            return most if isinstance(most, int) else 1
    replicas = _dig(deployment.obj, "spec", "replicas")
    return replicas if isinstance(replicas, int) else 1


def _canary_deployment(deployment: Manifest, spec: RolloutSpec, pods: int) -> Manifest:
    assert spec.canary is not None
    side = _copy(deployment, f"{deployment.name}-canary")
    _mark_pods(side, TRACK_LABEL, "canary")
    _set_version(side, spec, spec.canary.version)
    side.obj["spec"]["replicas"] = pods
    return side


def _canary_budget(budget: Manifest, stable_capacity: int, pods: int) -> Manifest:
    """The canary's own budget, allowing the disruptions the stable one allows (a copy would block drains)."""
    side = _copy(budget, f"{budget.name}-canary")
    body = side.obj["spec"]
    body["selector"]["matchLabels"][TRACK_LABEL] = "canary"
    least = body.get("minAvailable")
    if isinstance(least, int):
        body["minAvailable"] = max(0, pods - max(0, stable_capacity - least))
    return side


def _ingress_backends(ingress: dict[str, Any]) -> set[str]:
    return {str(service["name"]) for service in _ingress_services(ingress)}


def _ingress_services(ingress: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``backend.service`` maps of an Ingress (default backend and every path)."""
    found: list[dict[str, Any]] = []
    default = _dig(ingress, "spec", "defaultBackend", "service")
    if isinstance(default, dict):
        found.append(default)
    for rule in _dig(ingress, "spec", "rules") or []:
        for path in _dig(rule, "http", "paths") or []:
            service = _dig(path, "backend", "service")
            if isinstance(service, dict) and "name" in service:
                found.append(service)
    return found


def _canary_ingress(ingress: Manifest, services: set[str], spec: RolloutSpec) -> Manifest:
    """A copy of the Ingress that ingress-nginx treats as the canary of the original."""
    assert spec.canary is not None
    side = _copy(ingress, f"{ingress.name}-canary")
    for service in _ingress_services(side.obj):
        if service["name"] in services:
            service["name"] = f"{service['name']}-canary"
    annotations = _labels(side.obj, "metadata", "annotations")
    for key in [k for k in annotations if k.startswith(NGINX + "canary")]:
        del annotations[key]
    annotations[NGINX + "canary"] = "true"
    if spec.canary.weight is not None:
        annotations[NGINX + "canary-weight"] = str(spec.canary.weight)
    if spec.canary.header is not None:
        name, value = spec.canary.header
        annotations[NGINX + "canary-by-header"] = name
        if value is not None:
            annotations[NGINX + "canary-by-header-value"] = value
    return side


def _is_service_ref(ref: Any) -> bool:
    return isinstance(ref, dict) and ref.get("group", "") == "" and ref.get("kind", "Service") == "Service"


def _route_backends(route: dict[str, Any]) -> set[str]:
    return {
        str(ref["name"])
        for rule in _dig(route, "spec", "rules") or []
        for ref in (rule.get("backendRefs") or [] if isinstance(rule, dict) else [])
        if _is_service_ref(ref) and "name" in ref
    }


def _canary_route(route: Manifest, services: set[str], spec: RolloutSpec) -> Manifest:
    """The HTTPRoute with header rules to the canary first, then weighted rules."""
    assert spec.canary is not None
    changed = _copy(route)
    rules: list[dict[str, Any]] = []
    for rule in changed.obj["spec"]["rules"]:
        refs = [r for r in rule.get("backendRefs") or [] if _is_service_ref(r) and r.get("name") in services]
        if not refs:
            rules.append(rule)
            continue
        if spec.canary.header is not None:
            rules.append(_header_rule(rule, services, spec, route))
        if spec.canary.weight:
            rule["backendRefs"] = _weighted(rule["backendRefs"], services, spec.canary.weight)
            heaviest = max(ref.get("weight", 0) for ref in rule["backendRefs"])
            if heaviest > MAX_BACKEND_WEIGHT:
                raise _fail(
                    spec,
                    f"HTTPRoute '{route.name}': splitting its weights for the canary gives {heaviest},"
                    f" above Gateway API's maximum of {MAX_BACKEND_WEIGHT:,}",
                    "use smaller backendRefs weights in the route (their ratios are what counts)",
                )
        rules.append(rule)
    if len(rules) > MAX_ROUTE_RULES:
        raise _fail(
            spec,
            f"HTTPRoute '{route.name}' would need {len(rules)} rules for the canary's header;"
            f" Gateway API allows {MAX_ROUTE_RULES}",
            "split the route, or use the canary weight without a header",
        )
    changed.obj["spec"]["rules"] = rules
    return changed


def _header_rule(rule: dict[str, Any], services: set[str], spec: RolloutSpec, route: Manifest) -> dict[str, Any]:
    assert spec.canary is not None and spec.canary.header is not None
    name, value = spec.canary.header
    if value is None:
        raise _fail(
            spec,
            f"HTTPRoute '{route.name}' routes the canary by header, and Gateway API matches need a header value",
            "set rollout.canary.header.value",
        )
    header = {"type": "Exact", "name": name, "value": value}
    matches = copy.deepcopy(rule.get("matches") or [{"path": {"type": "PathPrefix", "value": "/"}}])
    for match in matches:
        match["headers"] = [*match.get("headers", []), header]
    side = copy.deepcopy(rule)
    side.pop("name", None)  # rule names must be unique within a route
    side["matches"] = matches
    side["backendRefs"] = [
        {**{k: v for k, v in ref.items() if k != "weight"}, "name": f"{ref['name']}-canary"}
        for ref in rule["backendRefs"]
        if _is_service_ref(ref) and ref.get("name") in services
    ]
    return side


def _weighted(refs: list[dict[str, Any]], services: set[str], weight: int) -> list[dict[str, Any]]:
    """Each reference to a stable Service split into stable and canary shares of its weight."""
    split: list[dict[str, Any]] = []
    for ref in refs:
        if not (_is_service_ref(ref) and ref.get("name") in services):
            # Scaled like the split shares, so this backend keeps its part of the traffic.
            split.append({**ref, "weight": ref.get("weight", 1) * 100})
            continue
        share = ref.get("weight", 1)
        split.append({**ref, "weight": share * (100 - weight)})
        split.append({**ref, "name": f"{ref['name']}-canary", "weight": share * weight})
    return split
