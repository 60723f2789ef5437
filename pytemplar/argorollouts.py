"""The release's strategy as an Argo Rollouts ``Rollout``, for clusters that run its controller.

With ``rollout.controller: ArgoRollouts`` the same ``rollout`` values render one
``argoproj.io/v1alpha1`` ``Rollout`` in place of the Deployment, and the controller runs the
transitions live: it starts the new version, shifts traffic step by step, runs analysis, pauses,
promotes or aborts on its own. pytemplar's overlay edits then only choose the version
(``rollout start`` writes ``image.tag``); ``kubectl argo rollouts promote|abort`` drive the rest.

* Canary: ``canary.steps`` (``setWeight``/``pause``; default: the canary's weight, then a pause
  until promoted), ``analysis`` templates run in the background, a ``<service>-canary`` Service,
  and traffic routing through the release's Ingress (ingress-nginx) or HTTPRoute (the Gateway API
  plugin ``argoproj-labs/gatewayAPI``).
* BlueGreen: the release's Services are the active ones, ``<service>-preview`` the preview;
  ``autoPromotionSeconds`` (or none: promotion waits for ``kubectl argo rollouts promote``) and
  ``analysis`` before promotion.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from pytemplar.manifests import Manifest
from pytemplar.strategy import (
    COLOR_LABEL,
    RolloutSpec,
    _fail,
    _ingress_backends,
    _is_service_ref,
    _route_backends,
    _services_of,
    _side_service,
    _targets,
)

API_VERSION = "argoproj.io/v1alpha1"
GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI"
# Deployment spec fields a Rollout has too (workloadRef aside, a Rollout's spec mirrors them).
KEPT_SPEC = ("replicas", "selector", "template", "minReadySeconds", "revisionHistoryLimit", "paused")


def argo_rollout(manifests: list[Manifest], deployment: Manifest, spec: RolloutSpec) -> list[Manifest]:
    """The release's objects with the Deployment replaced by a Rollout running ``spec``'s strategy."""
    if spec.adoption is not None:
        raise _fail(
            spec,
            "rollout.adoption keeps a running Deployment for pytemplar's own strategies; with controller"
            " ArgoRollouts a Rollout replaces the Deployment",
            "remove rollout.adoption, or rollout.controller to keep pytemplar's strategy",
        )
    for name, version in (*spec.colors, ("canary", spec.canary.version if spec.canary else None)):
        if version is not None and version.set:
            raise _fail(
                spec,
                f"rollout.{name} sets a version, and with controller ArgoRollouts the controller runs the new"
                " version itself",
                f"set the new version in {spec.tag_value} (pytemplar rollout start does) and remove rollout.{name}",
            )
    services = _services_of(manifests, deployment)
    if not services:
        raise _fail(
            spec,
            f"Argo Rollouts {spec.strategy} needs a Service of the release selecting the pods of"
            f" Deployment '{deployment.name}'",
            "render a Service whose selector matches the Deployment's pod labels",
        )
    service = services[0]
    rollout = _rollout_from(deployment)
    result: list[Manifest] = []
    extra: list[Manifest] = []
    ingresses: list[str] = []
    routes: list[str] = []
    for manifest in manifests:
        if manifest is deployment:
            result.append(rollout)
        elif manifest is service:
            result.append(manifest)
            suffix = "canary" if spec.strategy == "Canary" else "preview"
            extra.append(_argo_side_service(manifest, suffix))
        elif manifest.kind == "HorizontalPodAutoscaler" and _targets(manifest, deployment):
            scaled = _copy(manifest)
            scaled.obj["spec"]["scaleTargetRef"] = {"apiVersion": API_VERSION, "kind": "Rollout", "name": rollout.name}
            result.append(scaled)
        elif spec.strategy == "Canary" and manifest.kind == "Ingress":
            if service.name in _ingress_backends(manifest.obj):
                ingresses.append(manifest.name)
            result.append(manifest)
        elif spec.strategy == "Canary" and manifest.kind == "HTTPRoute":
            if service.name in _route_backends(manifest.obj):
                routes.append(manifest.name)
                manifest = _with_canary_backend(manifest, service.name)
            result.append(manifest)
        else:
            result.append(manifest)
    if spec.strategy == "Canary":
        # Every Ingress and HTTPRoute to the Service takes part in the split: one left out would
        # send all its requests to the stable pods while the canary's share says otherwise.
        strategy = {"canary": _canary(spec, service, sorted(ingresses), sorted(routes))}
    else:
        strategy = {"blueGreen": _blue_green(spec, service)}
    rollout.obj["spec"]["strategy"] = strategy
    index = result.index(rollout)
    return [*result[: index + 1], *extra, *result[index + 1 :]]


def _copy(manifest: Manifest) -> Manifest:
    return replace(manifest, obj=copy.deepcopy(manifest.obj))


def _rollout_from(deployment: Manifest) -> Manifest:
    obj = copy.deepcopy(deployment.obj)
    spec = obj.get("spec") or {}
    obj["apiVersion"] = API_VERSION
    obj["kind"] = "Rollout"
    obj["spec"] = {key: spec[key] for key in KEPT_SPEC if key in spec}
    return replace(deployment, obj=obj)


def _argo_side_service(service: Manifest, suffix: str) -> Manifest:
    """The canary or preview Service, selecting the same pods: the controller narrows both
    Services to their ReplicaSet with the pod-template-hash label."""
    side = _side_service(service, suffix, COLOR_LABEL, "")
    del side.obj["spec"]["selector"][COLOR_LABEL]
    return side


def _with_canary_backend(route: Manifest, stable: str) -> Manifest:
    """The Gateway API plugin shifts weights between two backendRefs the route must already list."""
    changed = _copy(route)
    for rule in changed.obj["spec"].get("rules") or []:
        refs = rule.get("backendRefs") or []
        extra = [
            {**{k: v for k, v in ref.items() if k != "weight"}, "name": f"{stable}-canary", "weight": 0}
            for ref in refs
            if _is_service_ref(ref) and ref.get("name") == stable
        ]
        rule["backendRefs"] = [*refs, *extra]
    return changed


def _analysis(spec: RolloutSpec) -> list[dict[str, str]]:
    return [{"templateName": name} for name in spec.analysis]


def _canary(spec: RolloutSpec, service: Manifest, ingresses: list[str], routes: list[str]) -> dict[str, Any]:
    canary = spec.canary
    first = (canary.weight if canary else None) or 10
    steps: list[dict[str, Any]] = list(spec.steps) if spec.steps else [{"setWeight": first}, {"pause": {}}]
    strategy: dict[str, Any] = {"canaryService": f"{service.name}-canary", "stableService": service.name}
    header = canary.header if canary else None
    routing: dict[str, Any] = {}
    if ingresses:
        # The controller takes one name, or a list (Argo Rollouts 1.5+), never both.
        nginx: dict[str, Any] = (
            {"stableIngress": ingresses[0]} if len(ingresses) == 1 else {"stableIngresses": ingresses}
        )
        if header is not None:
            name, value = header
            annotations = {"canary-by-header": name}
            if value is not None:
                annotations["canary-by-header-value"] = value
            nginx["additionalIngressAnnotations"] = annotations
        routing["nginx"] = nginx
    if routes:
        named: dict[str, Any] = (
            {"httpRoute": routes[0]}
            if len(routes) == 1
            else {"httpRoutes": [{"name": route, "useHeaderRoutes": True} for route in routes]}
        )
        plugin = {**named, **({"namespace": service.namespace} if service.namespace else {})}
        routing["plugins"] = {GATEWAY_PLUGIN: plugin}
        if header is not None:
            name, value = header
            if value is None:
                raise _fail(
                    spec,
                    f"HTTPRoute '{routes[0]}' routes the canary by header, and Gateway API matches need a header value",
                    "set rollout.canary.header.value",
                )
            routing["managedRoutes"] = [{"name": "canary-header"}]
            match = {"headerName": name, "headerValue": {"exact": value}}
            steps = [{"setHeaderRoute": {"name": "canary-header", "match": [match]}}, *steps]
    if routing:
        strategy["trafficRouting"] = routing
    strategy["steps"] = steps
    if spec.analysis:
        strategy["analysis"] = {"templates": _analysis(spec)}
    return strategy


def _blue_green(spec: RolloutSpec, service: Manifest) -> dict[str, Any]:
    strategy: dict[str, Any] = {
        "activeService": service.name,
        "previewService": f"{service.name}-preview",
        "autoPromotionEnabled": spec.auto_promotion_seconds is not None,
    }
    if spec.auto_promotion_seconds:
        strategy["autoPromotionSeconds"] = spec.auto_promotion_seconds
    if spec.analysis:
        strategy["prePromotionAnalysis"] = {"templates": _analysis(spec)}
    return strategy
