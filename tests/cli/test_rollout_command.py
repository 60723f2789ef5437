"""`pytemplar rollout`: status, promote, weight and abort on a copy of the shop, then render to see the effect."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, run_pytemplar


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A copy of the shop and its app template, laid out as in the repository."""
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    return tmp_path / "shop"


def rendered(shop: Path, environment: str, release: str) -> dict[tuple[str, str], dict[str, Any]]:
    result = run_pytemplar("render", shop, "-e", environment, "-r", release)
    assert result.code == 0, result.stderr
    return {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(result.stdout) if d}


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    import difflib

    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    return [(line[0], line[2:]) for line in diff if line[:1] in "+-"]


def test_status_of_a_canary_names_each_deployment_image_and_the_traffic(shop: Path) -> None:
    result = run_pytemplar("rollout", "status", shop, "-e", "prod", "-r", "service-d")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"service-d in prod: Canary (chosen at {shop}/envs/prod/service-d.yaml:24:13)"
    assert lines[1:] == [
        "  phase: running a canary at 10% of the traffic",
        f"  next: pytemplar rollout weight PERCENT {shop} -e prod -r service-d; or pytemplar rollout promote {shop}"
        f" -e prod -r service-d; or pytemplar rollout abort {shop} -e prod -r service-d",
        "  stable  Deployment service-d: ghcr.io/acme-shop/payments:0.9.12 (replicas: 4; selected by service-d)",
        "  canary  Deployment service-d-canary: ghcr.io/acme-shop/payments:0.10.0"
        " (replicas: 1; selected by service-d-canary)",
        "  traffic: 10% to the canary",
    ]


def test_blue_green_promote_switches_the_service_and_changes_one_line(shop: Path) -> None:
    overlay = shop / "envs/prod/service-c.yaml"
    before = overlay.read_text()
    selector = rendered(shop, "prod", "service-c")[("Service", "service-c")]["spec"]["selector"]
    assert selector["pytemplar.io/color"] == "blue"

    result = run_pytemplar("rollout", "promote", shop, "-e", "prod", "-r", "service-c")

    assert result.code == 0, result.stderr
    assert result.stderr == (
        f"{shop}/envs/prod/service-c.yaml:14: rollout.active: blue -> green\n"
        f"{shop}/envs/prod/service-c.yaml:18: rollout.rollbackTo: blue (new)\n"
    )
    assert result.stdout == ""
    assert changed_lines(before, overlay.read_text()) == [
        ("-", "  active: blue"),
        ("+", "  active: green"),
        ("+", "  rollbackTo: blue"),
    ]
    objects = rendered(shop, "prod", "service-c")
    assert objects[("Service", "service-c")]["spec"]["selector"]["pytemplar.io/color"] == "green"
    assert objects[("Service", "service-c-preview")]["spec"]["selector"]["pytemplar.io/color"] == "blue"


def test_blue_green_abort_gives_the_preview_the_active_version(shop: Path) -> None:
    result = run_pytemplar("rollout", "abort", shop, "-e", "prod", "-r", "service-c")
    assert result.code == 0, result.stderr
    objects = rendered(shop, "prod", "service-c")
    images = {
        name: d["spec"]["template"]["spec"]["containers"][0]["image"]
        for (kind, name), d in objects.items()
        if kind == "Deployment"
    }
    assert images == {
        "service-c-blue": "ghcr.io/acme-shop/orders:2.9.7",
        "service-c-green": "ghcr.io/acme-shop/orders:2.9.7",
    }


def test_canary_weight_changes_the_ingress_annotation(shop: Path) -> None:
    overlay = shop / "envs/prod/service-d.yaml"
    before = overlay.read_text()

    result = run_pytemplar("rollout", "weight", "25", shop, "-e", "prod", "-r", "service-d")

    assert result.code == 0, result.stderr
    assert changed_lines(before, overlay.read_text()) == [("-", "    weight: 10"), ("+", "    weight: 25")]
    annotations = rendered(shop, "prod", "service-d")[("Ingress", "service-d-canary")]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/canary-weight"] == "25"


def test_canary_weight_beyond_the_canary_pods_scales_them_first(shop: Path) -> None:
    overlay = shop / "envs/prod/service-d.yaml"
    before = overlay.read_text()

    result = run_pytemplar("rollout", "weight", "50", shop, "-e", "prod", "-r", "service-d")

    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[1:] == [
        "note: the canary needs 2 replicas for 50% of the traffic and runs 1: this change scales it up first;"
        " once its pods are ready, run the same command again to send 50%"
    ]
    assert changed_lines(before, overlay.read_text()) == [("+", "    replicas: 2")]
    objects = rendered(shop, "prod", "service-d")
    assert objects[("Deployment", "service-d-canary")]["spec"]["replicas"] == 2
    annotations = objects[("Ingress", "service-d-canary")]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/canary-weight"] == "10"

    result = run_pytemplar("rollout", "weight", "50", shop, "-e", "prod", "-r", "service-d")
    assert result.code == 0, result.stderr
    annotations = rendered(shop, "prod", "service-d")[("Ingress", "service-d-canary")]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/canary-weight"] == "50"


def test_canary_promote_makes_the_canary_tag_stable_then_finish_ends_the_canary(shop: Path) -> None:
    result = run_pytemplar("rollout", "promote", shop, "-e", "prod", "-r", "service-d")

    assert result.code == 0, result.stderr
    data = yaml.safe_load((shop / "envs/prod/service-d.yaml").read_text())
    assert data["image"]["tag"] == "0.10.0"
    assert data["rollout"]["canary"] == {"tag": "0.10.0", "weight": 10, "rollbackTo": {"tag": "0.9.12"}}
    assert ("Deployment", "service-d-canary") in rendered(shop, "prod", "service-d")

    result = run_pytemplar("rollout", "finish", shop, "-e", "prod", "-r", "service-d")
    assert result.code == 0, result.stderr
    data = yaml.safe_load((shop / "envs/prod/service-d.yaml").read_text())
    assert data["rollout"]["canary"] == {"tag": "0.10.0", "weight": 0, "rollbackTo": {"tag": "0.9.12"}}
    assert ("Deployment", "service-d-canary") in rendered(shop, "prod", "service-d")

    result = run_pytemplar("rollout", "finish", shop, "-e", "prod", "-r", "service-d")
    assert result.code == 0, result.stderr
    data = yaml.safe_load((shop / "envs/prod/service-d.yaml").read_text())
    assert data["rollout"]["canary"] == {"weight": 0}
    objects = rendered(shop, "prod", "service-d")
    deployments = [name for kind, name in objects if kind == "Deployment"]
    assert deployments == ["service-d"]
    container = objects[("Deployment", "service-d")]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/acme-shop/payments:0.10.0"
    assert ("Ingress", "service-d-canary") not in objects


def test_canary_abort_sends_the_traffic_back_then_ends_the_canary(shop: Path) -> None:
    result = run_pytemplar("rollout", "abort", shop, "-e", "prod", "-r", "service-d")
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[1:] == [
        "note: this change sends the canary's 10% back to the stable Deployment first; once the stable pods"
        " carry it, run the same command again to end the canary"
    ]
    objects = rendered(shop, "prod", "service-d")
    annotations = objects[("Ingress", "service-d-canary")]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/canary-weight"] == "0"
    assert objects[("Deployment", "service-d-canary")]["spec"]["replicas"] == 1

    result = run_pytemplar("rollout", "abort", shop, "-e", "prod", "-r", "service-d")
    assert result.code == 0, result.stderr
    assert "note:" not in result.stderr
    objects = rendered(shop, "prod", "service-d")
    assert ("Deployment", "service-d-canary") not in objects
    assert ("Service", "service-d-canary") not in objects
    image = objects[("Deployment", "service-d")]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "ghcr.io/acme-shop/payments:0.9.12"


def test_abort_without_a_running_canary_changes_nothing(shop: Path) -> None:
    for _ in range(2):  # the weight back to 0, then the canary ends
        assert run_pytemplar("rollout", "abort", shop, "-e", "prod", "-r", "service-d").code == 0
    overlay = shop / "envs/prod/service-d.yaml"
    before = overlay.read_text()
    result = run_pytemplar("rollout", "abort", shop, "-e", "prod", "-r", "service-d")
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: nothing to abort: release 'service-d' in 'prod' is idle: no canary is running\n"
        f"  hint: next: pytemplar rollout start {shop} -e prod -r service-d --tag TAG\n"
    )
    assert overlay.read_text() == before


def test_dry_run_prints_the_change_and_writes_nothing(shop: Path) -> None:
    overlay = shop / "envs/prod/service-c.yaml"
    before = overlay.read_text()
    result = run_pytemplar("rollout", "promote", shop, "-e", "prod", "-r", "service-c", "--dry-run")
    assert result.code == 0, result.stderr
    assert "-  active: blue" in result.stdout
    assert "+  active: green" in result.stdout
    assert overlay.read_text() == before


def test_weight_of_a_blue_green_release_is_a_usage_error(shop: Path) -> None:
    overlay = shop / "envs/prod/service-c.yaml"
    before = overlay.read_text()
    result = run_pytemplar("rollout", "weight", "20", shop, "-e", "prod", "-r", "service-c")
    assert result.code == 2
    assert result.stderr.splitlines()[0] == (
        "error: release 'service-c' rolls out with BlueGreen; only a Canary has a traffic weight"
    )
    assert overlay.read_text() == before


def test_promote_of_a_release_without_a_strategy_says_how_to_choose_one(shop: Path) -> None:
    result = run_pytemplar("rollout", "promote", shop, "-e", "prod", "-r", "service-b")
    assert result.code == 2
    assert result.stderr.splitlines() == [
        "error: release 'service-b' has no rollout strategy in environment 'prod'",
        f"  hint: choose one first: pytemplar set {shop} -e prod -r service-b rollout.strategy=Canary",
    ]


def test_weight_out_of_range_is_refused_by_the_parser(shop: Path) -> None:
    result = run_pytemplar("rollout", "weight", "150", shop, "-e", "prod", "-r", "service-d")
    assert result.code == 2
    assert "150" in result.stderr and "0<=x<=100" in result.stderr.replace(" ", "")
    assert "Traceback" not in result.stderr


def test_rollout_needs_environment_and_release(shop: Path) -> None:
    result = run_pytemplar("rollout", "status", shop, "-e", "prod")
    assert result.code == 2
    assert result.stderr == (
        "error: rollout status needs an environment (-e) and a release (-r)\n"
        "  hint: releases: service-a, service-b, service-c, service-d\n"
    )
