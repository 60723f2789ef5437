"""`rollout.controller: ArgoRollouts`: the same rollout values render an Argo Rollouts `Rollout`,
valid against the controller's own CRD (tests/data/argo-rollouts, from argoproj/argo-rollouts)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import EXAMPLES, REPO, run_pytemplar, write_tree

CRDS = REPO / "tests" / "data" / "argo-rollouts"

ARGO_CANARY = """
rollout:
  strategy: Canary
  controller: ArgoRollouts
  canary:
    weight: 10
  steps:
    - setWeight: 10
    - pause: {duration: 5m}
    - setWeight: 50
    - pause: {}
  analysis: [success-rate]
"""
ARGO_BLUE_GREEN = """
rollout:
  strategy: BlueGreen
  controller: ArgoRollouts
  active: blue
  autoPromotionSeconds: 300
  analysis: [smoke-tests]
"""
ARGO_HEADER = """
rollout:
  strategy: Canary
  controller: ArgoRollouts
  canary:
    header: {name: X-Canary, value: always}
"""


def with_rollout(overlay: Path, block: str) -> None:
    """The overlay with its rollout block replaced."""
    text = overlay.read_text(encoding="utf-8")
    kept = text[: text.index("rollout:")] if "rollout:" in text else text
    overlay.write_text(kept + block.lstrip("\n"), encoding="utf-8")


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    shop = tmp_path / "shop"
    with_rollout(shop / "envs/prod/service-d.yaml", ARGO_CANARY)
    with_rollout(shop / "envs/prod/service-c.yaml", ARGO_BLUE_GREEN)
    with_rollout(shop / "envs/staging/service-a.yaml", ARGO_HEADER)
    return shop


def rendered(shop: Path, environment: str, release: str) -> dict[tuple[str, str], dict[str, Any]]:
    result = run_pytemplar("render", shop, "-e", environment, "-r", release)
    assert result.code == 0, result.stderr
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(result.stdout) if d}


def rollout_schema() -> dict[str, Any]:
    crd = yaml.safe_load((CRDS / "rollout-crd.yaml").read_text(encoding="utf-8"))
    [version] = [v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1"]
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return strict(schema)


def strict(node: Any) -> Any:
    """The schema with unknown fields refused where the API server would prune them
    (kubectl's --validate=strict): objects with properties and without preserve-unknown-fields."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: strict(value) for key, value in node.items()}
    open_ended = "additionalProperties" in node or node.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in node and not open_ended:
        result["additionalProperties"] = False
    return result


def check_against_crd(rollout: dict[str, Any]) -> None:
    jsonschema.validate(rollout, rollout_schema(), cls=jsonschema.Draft7Validator)


def test_canary_renders_a_rollout_with_steps_analysis_and_nginx_routing(shop: Path) -> None:
    objects = rendered(shop, "prod", "service-d")
    assert ("Deployment", "service-d") not in objects
    rollout = objects[("Rollout", "service-d")]
    assert rollout["apiVersion"] == "argoproj.io/v1alpha1"
    check_against_crd(rollout)
    assert rollout["spec"]["replicas"] == 4
    assert rollout["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme-shop/payments:0.9.12"
    assert rollout["spec"]["strategy"] == {
        "canary": {
            "canaryService": "service-d-canary",
            "stableService": "service-d",
            "trafficRouting": {"nginx": {"stableIngress": "service-d"}},
            "steps": [{"setWeight": 10}, {"pause": {"duration": "5m"}}, {"setWeight": 50}, {"pause": {}}],
            "analysis": {"templates": [{"templateName": "success-rate"}]},
        }
    }
    assert (
        objects[("Service", "service-d-canary")]["spec"]["selector"]
        == objects[("Service", "service-d")]["spec"]["selector"]
    )
    assert ("Ingress", "service-d-canary") not in objects  # the controller makes its own


def test_blue_green_renders_active_and_preview_services_and_auto_promotion(shop: Path) -> None:
    objects = rendered(shop, "prod", "service-c")
    rollout = objects[("Rollout", "service-c")]
    check_against_crd(rollout)
    assert rollout["spec"]["strategy"] == {
        "blueGreen": {
            "activeService": "service-c",
            "previewService": "service-c-preview",
            "autoPromotionEnabled": True,
            "autoPromotionSeconds": 300,
            "prePromotionAnalysis": {"templates": [{"templateName": "smoke-tests"}]},
        }
    }
    hpa = objects[("HorizontalPodAutoscaler", "service-c")]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "name": "service-c",
    }
    assert "replicas" not in rollout["spec"]  # the autoscaler owns it


def test_gateway_api_routing_uses_the_plugin_with_both_backends_in_the_route(shop: Path) -> None:
    objects = rendered(shop, "staging", "service-a")
    rollout = objects[("Rollout", "service-a")]
    check_against_crd(rollout)
    canary = rollout["spec"]["strategy"]["canary"]
    assert canary["trafficRouting"]["plugins"] == {
        "argoproj-labs/gatewayAPI": {"httpRoute": "service-a", "namespace": "shop-staging"}
    }
    assert canary["trafficRouting"]["managedRoutes"] == [{"name": "canary-header"}]
    assert canary["steps"][0] == {
        "setHeaderRoute": {
            "name": "canary-header",
            "match": [{"headerName": "X-Canary", "headerValue": {"exact": "always"}}],
        }
    }
    assert canary["trafficRouting"]["nginx"]["additionalIngressAnnotations"] == {
        "canary-by-header": "X-Canary",
        "canary-by-header-value": "always",
    }
    [rule] = objects[("HTTPRoute", "service-a")]["spec"]["rules"]
    assert [(ref["name"], ref.get("weight")) for ref in rule["backendRefs"]] == [
        ("service-a", None),
        ("service-a-canary", 0),
    ]


def test_the_crd_schema_check_catches_a_broken_rollout(shop: Path) -> None:
    rollout = rendered(shop, "prod", "service-d")[("Rollout", "service-d")]
    broken = copy.deepcopy(rollout)
    broken["spec"]["strategy"]["canary"]["steps"][0]["setWeight"] = "ten"
    with pytest.raises(jsonschema.ValidationError):
        check_against_crd(broken)
    unknown = copy.deepcopy(rollout)
    unknown["spec"]["strategy"]["canary"]["stableIngress"] = "service-d"  # belongs under trafficRouting.nginx
    with pytest.raises(jsonschema.ValidationError):
        check_against_crd(unknown)
    missing = copy.deepcopy(rollout)
    del missing["spec"]["template"]["spec"]["containers"]
    with pytest.raises(jsonschema.ValidationError):
        check_against_crd(missing)


def test_validate_with_the_crd_passes(shop: Path) -> None:
    result = run_pytemplar("validate", shop, "--crds", CRDS)
    assert (result.code, result.stdout) == (0, "")
    assert result.stderr == "ok: 12 releases in 3 environments; 0 errors\n"


def test_start_sets_the_version_and_the_controller_does_the_rest(shop: Path) -> None:
    result = run_pytemplar("rollout", "start", shop, "-e", "prod", "-r", "service-d", "--tag", "0.11.0")
    assert result.code == 0, result.stderr
    rollout = rendered(shop, "prod", "service-d")[("Rollout", "service-d")]
    assert rollout["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme-shop/payments:0.11.0"
    status = run_pytemplar("rollout", "status", shop, "-e", "prod", "-r", "service-d")
    assert status.stdout.splitlines()[1:] == [
        "  phase: run by the Argo Rollouts controller (Canary): kubectl argo rollouts get rollout shows where",
        f"  next: pytemplar rollout start {shop} -e prod -r service-d --tag TAG",
        "  Canary  Rollout service-d: ghcr.io/acme-shop/payments:0.11.0"
        " (replicas: 4; selected by service-d-canary, service-d)",
        "  traffic: as the controller's current step sets it",
    ]
    refused = run_pytemplar("rollout", "promote", shop, "-e", "prod", "-r", "service-d")
    assert (refused.code, refused.stdout) == (2, "")
    assert refused.stderr == (
        "error: release 'service-d' in 'prod' is rolled out by the Argo Rollouts controller: it shifts the traffic,"
        " promotes and aborts itself\n"
        "  hint: use its plugin: kubectl argo rollouts promote ROLLOUT -n NAMESPACE\n"
    )


def test_a_colour_version_with_the_controller_is_refused(shop: Path) -> None:
    overlay = shop / "envs/prod/service-c.yaml"
    overlay.write_text(overlay.read_text(encoding="utf-8") + "  green: {tag: '3.0.0'}\n", encoding="utf-8")
    result = run_pytemplar("render", shop, "-e", "prod", "-r", "service-c")
    assert result.code == 1
    assert "rollout.green sets a version, and with controller ArgoRollouts the controller runs the new version" in (
        result.stderr
    )


TWO_WAYS_IN = {
    "app/app.yaml": "name: web\nversion: 0.1.0\n",
    "app/values.yaml": 'image: {tag: "1.0"}\n',
    "app/templates/all.yaml.j2": """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 4
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: web, image: "example/web:{{ values.image.tag }}"}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {selector: {app: web}, ports: [{port: 80}]}
        {% for name in ["public", "internal"] %}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: "web-{{ name }}"}
        spec:
          rules:
            - host: "{{ name }}.example.com"
              http:
                paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: "web-{{ name }}"}
        spec:
          parentRefs: [{name: "{{ name }}-gateway"}]
          rules: [{backendRefs: [{name: web, port: 80}]}]
        {% endfor %}
    """,
    "project/pytemplar.yaml": """
        environments:
          prod: {namespace: web}
        releases:
          web: {app: ../app}
    """,
    "project/envs/prod/web.yaml": ARGO_HEADER,
}


def test_every_ingress_and_route_of_the_service_takes_part_in_the_split(tmp_path: Path) -> None:
    write_tree(tmp_path, TWO_WAYS_IN)
    result = run_pytemplar("render", tmp_path / "project", "-e", "prod")
    assert result.code == 0, result.stderr
    objects = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(result.stdout) if d}
    rollout = objects[("Rollout", "web")]
    check_against_crd(rollout)
    routing = rollout["spec"]["strategy"]["canary"]["trafficRouting"]
    assert routing["nginx"] == {
        "stableIngresses": ["web-internal", "web-public"],
        "additionalIngressAnnotations": {"canary-by-header": "X-Canary", "canary-by-header-value": "always"},
    }
    assert routing["plugins"] == {
        "argoproj-labs/gatewayAPI": {
            "httpRoutes": [
                {"name": "web-internal", "useHeaderRoutes": True},
                {"name": "web-public", "useHeaderRoutes": True},
            ],
        }
    }
    for name in ("web-internal", "web-public"):
        [rule] = objects[("HTTPRoute", name)]["spec"]["rules"]
        assert [(ref["name"], ref.get("weight")) for ref in rule["backendRefs"]] == [("web", None), ("web-canary", 0)]
