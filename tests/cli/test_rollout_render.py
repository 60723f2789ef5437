"""Rollout strategies through the CLI, on a copy of the shop example and on small apps."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, MINIMAL_APP, run_pytemplar, write_tree

UNUSED = "is not used by any template"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A copy of the shop next to the app template it renders (the project refers to ../microservice)."""
    for name in ("shop", "microservice"):
        shutil.copytree(EXAMPLES / name, tmp_path / name)
    return tmp_path


def objects(stdout: str) -> list[dict[str, Any]]:
    """The rendered documents, read as Kubernetes reads them (YAML 1.1)."""
    return [doc for doc in yaml.safe_load_all(stdout) if doc is not None]


# The kinds the rollout stage works on; the others (ConfigMaps, ...) are the example's own business.
ROLLOUT_KINDS = {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "HTTPRoute"}


def kinds_and_names(docs: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(doc["kind"], doc["metadata"]["name"]) for doc in docs if doc["kind"] in ROLLOUT_KINDS}


def find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (doc,) = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def render(root: Path, environment: str, release: str) -> list[dict[str, Any]]:
    result = run_pytemplar("render", "shop", "-e", environment, "-r", release, cwd=root)
    assert (result.code, result.stderr) == (0, "")
    return objects(result.stdout)


def overlay(root: Path, relative: str, text: str) -> None:
    write_tree(root / "shop", {relative: text})


# -- the shop example --------------------------------------------------------------------------------------


def test_the_shop_validates_and_its_rollout_keys_are_not_unused(shop: Path) -> None:
    result = run_pytemplar("validate", "shop", cwd=shop)
    assert (result.code, result.stdout) == (0, "")
    assert result.stderr == "ok: 12 releases in 3 environments; 0 errors\n"


def test_blue_green_in_prod_renders_two_colours_and_a_preview(shop: Path) -> None:
    docs = render(shop, "prod", "service-c")
    assert kinds_and_names(docs) == {
        ("Service", "service-c"),
        ("Service", "service-c-preview"),
        ("Deployment", "service-c-blue"),
        ("Deployment", "service-c-green"),
        ("HorizontalPodAutoscaler", "service-c-blue"),
        ("HorizontalPodAutoscaler", "service-c-green"),
        ("PodDisruptionBudget", "service-c-blue"),
        ("PodDisruptionBudget", "service-c-green"),
    }
    blue, green = find(docs, "Deployment", "service-c-blue"), find(docs, "Deployment", "service-c-green")
    assert blue["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme-shop/orders:2.9.7"
    assert green["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/acme-shop/orders:3.0.0"
    assert green["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] == "3.0.0"
    # The pending version runs at the active colour's capacity (its autoscaler), ready to take the traffic.
    assert "replicas" not in green["spec"]
    assert find(docs, "Service", "service-c")["spec"]["selector"]["pytemplar.io/color"] == "blue"
    assert find(docs, "Service", "service-c-preview")["spec"]["selector"]["pytemplar.io/color"] == "green"


def test_a_weighted_canary_in_prod_renders_an_ingress_nginx_canary(shop: Path) -> None:
    docs = render(shop, "prod", "service-d")
    assert kinds_and_names(docs) == {
        ("PodDisruptionBudget", "service-d"),
        ("PodDisruptionBudget", "service-d-canary"),
        ("Service", "service-d"),
        ("Service", "service-d-canary"),
        ("Deployment", "service-d"),
        ("Deployment", "service-d-canary"),
        ("Ingress", "service-d"),
        ("Ingress", "service-d-canary"),
    }
    annotations = find(docs, "Ingress", "service-d-canary")["metadata"]["annotations"]
    # Read as YAML 1.1: the weight must be the text "10", which is all ingress-nginx accepts.
    assert {k: v for k, v in annotations.items() if "canary" in k} == {
        "nginx.ingress.kubernetes.io/canary": "true",
        "nginx.ingress.kubernetes.io/canary-weight": "10",
    }
    canary = find(docs, "Deployment", "service-d-canary")
    assert canary["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":0.10.0")
    assert canary["spec"]["selector"]["matchLabels"]["pytemplar.io/track"] == "canary"


def test_a_canary_by_header_in_staging_splits_both_the_ingress_and_the_route(shop: Path) -> None:
    docs = render(shop, "staging", "service-a")
    assert kinds_and_names(docs) == {
        ("PodDisruptionBudget", "service-a"),
        ("PodDisruptionBudget", "service-a-canary"),
        ("Service", "service-a"),
        ("Service", "service-a-canary"),
        ("Deployment", "service-a"),
        ("Deployment", "service-a-canary"),
        ("Ingress", "service-a"),
        ("Ingress", "service-a-canary"),
        ("HTTPRoute", "service-a"),
    }
    annotations = find(docs, "Ingress", "service-a-canary")["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/canary-by-header"] == "X-Canary"
    assert annotations["nginx.ingress.kubernetes.io/canary-by-header-value"] == "always"
    header_rule, main_rule = find(docs, "HTTPRoute", "service-a")["spec"]["rules"]
    assert header_rule["matches"][0]["headers"] == [{"type": "Exact", "name": "X-Canary", "value": "always"}]
    assert [ref["name"] for ref in header_rule["backendRefs"]] == ["service-a-canary"]
    assert [ref["name"] for ref in main_rule["backendRefs"]] == ["service-a"]


# -- each strategy passes the checks validate runs -----------------------------------------------------------

STRATEGIES = {
    "Recreate": "rollout: {strategy: Recreate}\n",
    "RollingUpdate": "rollout: {strategy: RollingUpdate, maxSurge: 2, maxUnavailable: '10%'}\n",
    "BlueGreen": "rollout: {strategy: BlueGreen, active: green, blue: {tag: '1.9.0'}, previewReplicas: 0}\n",
    "Canary, weight through an Ingress": """
        ingress: {enabled: true, host: shop.acme.example}
        rollout: {strategy: Canary, canary: {tag: '2.0.0', weight: 25, replicas: 2}}
    """,
    "Canary, weight and header through an HTTPRoute": """
        route: {enabled: true, parentRefs: [{name: shop-gateway}], hostnames: [shop.acme.example]}
        rollout: {strategy: Canary, canary: {tag: '2.0.0', weight: 25, header: {name: X-Canary, value: 'on'}}}
    """,
    "Canary, not running": "rollout: {strategy: Canary}\n",
}


@pytest.mark.parametrize("values", STRATEGIES.values(), ids=list(STRATEGIES))
def test_every_strategy_renders_objects_that_pass_validate(shop: Path, values: str) -> None:
    overlay(shop, "envs/prod/service-b.yaml", values)
    result = run_pytemplar("validate", "shop", "-e", "prod", cwd=shop)
    assert (result.code, result.stdout) == (0, "")
    assert result.stderr == "ok: 4 releases in 1 environment; 0 errors\n"


def test_a_weighted_httproute_carries_the_split(shop: Path) -> None:
    overlay(shop, "envs/prod/service-b.yaml", STRATEGIES["Canary, weight and header through an HTTPRoute"])
    docs = render(shop, "prod", "service-b")
    rules = find(docs, "HTTPRoute", "service-b")["spec"]["rules"]
    assert [[(ref["name"], ref.get("weight")) for ref in rule["backendRefs"]] for rule in rules] == [
        [("service-b-canary", None)],
        [("service-b", 75), ("service-b-canary", 25)],
    ]


# -- bad rollout values ----------------------------------------------------------------------------------------

C_OVERLAY = "shop/envs/prod/service-c.yaml"
D_OVERLAY = "shop/envs/prod/service-d.yaml"


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(root: Path, relative: str, text: str) -> int:
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


BAD = {
    "unknown strategy": (
        C_OVERLAY,
        "strategy: BlueGreen",
        "strategy: Bluegreen",
        "strategy: Bluegreen",
        13,
        "values.rollout.strategy: 'Bluegreen' is not one of ['Recreate', 'RollingUpdate', 'BlueGreen', 'Canary']",
        "did you mean 'BlueGreen'?",
    ),
    "maxSurge with BlueGreen": (
        C_OVERLAY,
        "  active: blue\n",
        "  active: blue\n  maxSurge: 1\n",
        "maxSurge",
        3,
        "values.rollout: 'maxSurge' is not allowed here",
        "maxSurge and maxUnavailable apply to strategy RollingUpdate only: remove them or set strategy: RollingUpdate.",
    ),
    "canary weight above 100": (
        D_OVERLAY,
        "weight: 10",
        "weight: 150",
        "weight: 150",
        13,
        "values.rollout.canary.weight: 150 is greater than the maximum of 100",
        None,
    ),
    "typo canery": (
        D_OVERLAY,
        "  canary:\n",
        "  canery:\n",
        "canery",
        3,
        "values.rollout: unknown key 'canery'",
        "did you mean 'canary'?",
    ),
}


@pytest.mark.parametrize(("relative", "old", "new", "marker", "column", "message", "hint"), BAD.values(), ids=list(BAD))
def test_a_bad_rollout_value_names_its_file_line_and_key(
    shop: Path, relative: str, old: str, new: str, marker: str, column: int, message: str, hint: str | None
) -> None:
    edit(shop, relative, old, new)
    release = Path(relative).stem
    where = f"{relative}:{line_of(shop, relative, marker)}:{column}"
    expected = [f"{where}: error: [prod/{release}] {message}"]
    if hint:
        expected.append(f"  hint: {hint}")

    validated = run_pytemplar("validate", "shop", "-e", "prod", cwd=shop)
    assert (validated.code, validated.stdout) == (1, "")
    assert validated.stderr.splitlines() == [*expected, "failed: 4 releases in 1 environment; 1 error"]

    rendered = run_pytemplar("render", "shop", "-e", "prod", "-r", release, cwd=shop)
    assert (rendered.code, rendered.stdout) == (1, "")
    assert rendered.stderr.splitlines()[: len(expected)] == expected


def test_a_weight_with_nothing_to_route_it_is_refused_at_the_strategy(shop: Path) -> None:
    edit(shop, D_OVERLAY, "  enabled: true\n", "  enabled: false\n")
    result = run_pytemplar("render", "shop", "-e", "prod", "-r", "service-d", cwd=shop)
    assert (result.code, result.stdout) == (1, "")
    line = line_of(shop, D_OVERLAY, "strategy: Canary")
    assert result.stderr.splitlines()[:2] == [
        f"{D_OVERLAY}:{line}:13: error: [prod/service-d] rollout: the canary's weight or header needs an Ingress or "
        "HTTPRoute of the release routing to Service service-d; there is none",
        "  hint: enable the release's Ingress or HTTPRoute, or remove rollout.canary.weight and rollout.canary.header",
    ]


# -- the rollout key is pytemplar's, not the app's ----------------------------------------------------------------

SELECTING_DEPLOYMENT = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ release.name }}
      namespace: {{ release.namespace }}
    spec:
      replicas: {{ values.replicas }}
      selector:
        matchLabels: {app: demo}
      template:
        metadata:
          labels: {app: demo}
        spec:
          containers:
            - name: main
              image: "example/demo:{{ values.image.tag }}"
"""


def test_rollout_is_never_an_unused_value_while_other_unread_keys_are(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **MINIMAL_APP,
            "app/templates/deployment.yaml.j2": SELECTING_DEPLOYMENT,
            "project/pytemplar.yaml": """
                values:
                  unreadSetting: 1
                  rollout: {strategy: RollingUpdate, maxSurge: 1}
                environments:
                  prod: {namespace: production}
                releases:
                  one: {app: ../app}
            """,
        },
    )
    result = run_pytemplar("validate", "project", cwd=tmp_path)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        f"project/pytemplar.yaml:2:3: error: [prod/one] 'unreadSetting' {UNUSED}",
        "  hint: remove it, or describe it in the app's values.schema.json if templates read it indirectly",
        "failed: 1 release in 1 environment; 1 error",
    ]


def test_an_unquoted_number_as_a_rollout_tag_keeps_its_text_with_a_warning(shop: Path) -> None:
    overlay(shop, "envs/prod/service-d.yaml", "rollout:\n  strategy: Canary\n  canary:\n    tag: 1.10\n")
    result = run_pytemplar("render", "shop", "-e", "prod", "-r", "service-d", cwd=shop)
    assert result.code == 0, result.stderr
    assert result.stderr.startswith("shop/envs/prod/service-d.yaml:4:10: warning: [prod/service-d] ")
    assert "'1.10'" in result.stderr.splitlines()[0]
    image = find(objects(result.stdout), "Deployment", "service-d-canary")["spec"]["template"]["spec"]["containers"]
    assert image[0]["image"] == "ghcr.io/acme-shop/payments:1.10"


# -- capacity of an autoscaled release --------------------------------------------------------------------
# service-c in prod autoscales from 3 to 8 pods (envs/prod/service-c.yaml).


def autoscaler_range(docs: list[dict[str, Any]], name: str) -> tuple[int, int]:
    spec = find(docs, "HorizontalPodAutoscaler", name)["spec"]
    return spec["minReplicas"], spec["maxReplicas"]


def test_an_autoscaled_canary_runs_its_share_of_the_autoscaler_maximum_and_holds_the_stable_pods(
    shop: Path,
) -> None:
    overlay(
        shop,
        "envs/prod/service-c.yaml",
        'image: {tag: "2.9.7"}\nautoscaling: {enabled: true, minReplicas: 3, maxReplicas: 8}\n'
        "ingress: {enabled: true, host: orders.acme.example}\n"
        'rollout: {strategy: Canary, canary: {tag: "3.0.0", weight: 30}}\n',
    )
    docs = render(shop, "prod", "service-c")
    # 30% of the 8 pods the stable may run: 2.4, so 3; the canary has no autoscaler of its own.
    assert find(docs, "Deployment", "service-c-canary")["spec"]["replicas"] == 3
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "HorizontalPodAutoscaler"] == ["service-c"]
    # Any later command may send the canary's share back: the stable pods stay at the maximum.
    assert autoscaler_range(docs, "service-c") == (8, 8)

    overlay(
        shop,
        "envs/prod/service-c.yaml",
        'image: {tag: "2.9.7"}\nautoscaling: {enabled: true, minReplicas: 3, maxReplicas: 8}\n'
        "rollout: {strategy: Canary}\n",
    )
    docs = render(shop, "prod", "service-c")
    assert autoscaler_range(docs, "service-c") == (3, 8)  # no canary: the autoscaler follows the load again


def test_blue_green_holds_both_colours_at_the_autoscaler_maximum_during_a_rollout(shop: Path) -> None:
    docs = render(shop, "prod", "service-c")  # previewing: green runs 3.0.0
    assert autoscaler_range(docs, "service-c-blue") == (8, 8)
    assert autoscaler_range(docs, "service-c-green") == (8, 8)

    assert run_pytemplar("rollout", "abort", "shop", "-e", "prod", "-r", "service-c", cwd=shop).code == 0
    docs = render(shop, "prod", "service-c")  # idle: blue follows the load, green is scaled down
    assert autoscaler_range(docs, "service-c-blue") == (3, 8)
    assert ("HorizontalPodAutoscaler", "service-c-green") not in kinds_and_names(docs)
    assert find(docs, "Deployment", "service-c-green")["spec"]["replicas"] == 1  # previewReplicas


def test_a_new_version_while_a_release_adopts_its_strategy_is_refused_at_its_line(shop: Path) -> None:
    overlay(
        shop,
        "envs/prod/service-b.yaml",
        'rollout:\n  strategy: Canary\n  adoption: started\n  canary: {tag: "1.15.0"}\n',
    )
    result = run_pytemplar("render", "shop", "-e", "prod", "-r", "service-b", cwd=shop)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == (
        "shop/envs/prod/service-b.yaml:2:13: error: [prod/service-b] rollout: rollout.canary is set while the"
        " release adopts Canary (rollout.adoption: started): the Services still select every pod of Deployment"
        " 'service-b', so a new version would take traffic at once\n"
        "  hint: remove rollout.canary; once the Deployment has rolled, end the adoption with pytemplar rollout"
        " finish, then start a version\n"
    )
