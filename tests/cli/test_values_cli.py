"""``pytemplar values``: the merged values of one release, and where each leaf came from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml
from conftest import EXAMPLES, REPO, CliResult, run_pytemplar
from ruamel.yaml import YAML

SHOP = "examples/apps/shop"


def values(*args: str, cwd: Path = REPO) -> CliResult:
    return run_pytemplar("values", *args, cwd=cwd)


def leaves(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict) and value:
        return [leaf for key, child in value.items() for leaf in leaves(child, (*prefix, key))]
    if isinstance(value, list) and value:
        return [leaf for index, child in enumerate(value) for leaf in leaves(child, (*prefix, index))]
    return [prefix]


def origin_lines(*args: str) -> dict[str, str]:
    result = values(SHOP, *args, "--origin")
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    lines: dict[str, str] = {}
    for line in result.stdout.splitlines():
        key = line.split(": ", 1)[0]
        assert key not in lines, f"{key} printed twice"
        lines[key] = line
    return lines


def test_values_prints_the_merged_yaml_of_one_release() -> None:
    result = values(SHOP, "-e", "prod", "-r", "service-a")
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    merged = yaml.safe_load(result.stdout)
    assert merged == YAML(typ="safe", pure=True).load(result.stdout)
    assert merged["image"] == {
        "registry": "ghcr.io/acme-shop",  # project values
        "name": "storefront",  # release values
        "tag": "2.3.0",  # release x environment overlay, still a string
        "pullPolicy": "IfNotPresent",  # template default
    }
    assert merged["replicaCount"] == 3
    assert merged["containerPort"] == 3000
    assert merged["config"] == {
        "LOG_FORMAT": "json",
        "SHOP_CURRENCY": "EUR",
        "FEATURE_FLAGS": "none",
        "CATALOG_URL": "http://service-b",
        "ORDERS_URL": "http://service-c",
    }
    assert merged["podAnnotations"] == {"prometheus.io/scrape": "true", "prometheus.io/port": "8080"}
    assert merged["ingress"]["host"] == "shop.acme.example"
    assert merged["autoscaling"] == {
        "enabled": True,
        "minReplicas": 4,
        "maxReplicas": 12,
        "targetCPUUtilizationPercentage": 65,
    }
    lines = result.stdout.splitlines()
    assert "replicaCount: 3" in lines
    assert "  tag: 2.3.0" in lines
    assert '  prometheus.io/scrape: "true"' in lines
    # Keys keep the order of the template's values.yaml.
    assert list(merged)[:4] == ["image", "replicaCount", "strategy", "containerPort"]


def test_values_differ_per_environment_and_release() -> None:
    dev_b = yaml.safe_load(values(SHOP, "-e", "dev", "-r", "service-b").stdout)
    prod_b = yaml.safe_load(values(SHOP, "-e", "prod", "-r", "service-b").stdout)
    assert dev_b["config"]["SEARCH_BACKEND"] == "memory"
    assert prod_b["config"]["SEARCH_BACKEND"] == "opensearch"
    assert (dev_b["replicaCount"], prod_b["replicaCount"]) == (1, 3)
    assert dev_b["image"]["pullPolicy"] == "Always"
    assert dev_b["config"]["CACHE_TTL_SECONDS"] == 300


def test_origin_shows_the_layer_that_won_and_the_layers_it_overrode() -> None:
    lines = origin_lines("-e", "prod", "-r", "service-a")
    assert lines["replicaCount"] == (
        "replicaCount: 3  # examples/apps/shop/envs/prod.yaml:2:15 (environment); "
        "overrides examples/apps/microservice/values.yaml:9:15 (defaults)"
    )
    assert lines["image.tag"] == (
        "image.tag: 2.3.0  # examples/apps/shop/envs/prod/service-a.yaml:3:8 (release-environment); "
        "overrides examples/apps/shop/releases/service-a.yaml:4:8 (release), "
        "examples/apps/microservice/values.yaml:6:8 (defaults)"
    )
    assert lines["image.registry"] == (
        "image.registry: ghcr.io/acme-shop  # examples/apps/shop/pytemplar.yaml:16:15 (project); "
        "overrides examples/apps/microservice/values.yaml:4:13 (defaults)"
    )
    assert lines["resources.limits.memory"] == (
        "resources.limits.memory: 1Gi  # examples/apps/shop/envs/prod/service-a.yaml:17:13 (release-environment); "
        "overrides examples/apps/shop/envs/prod.yaml:10:13 (environment), "
        "examples/apps/microservice/values.yaml:39:13 (defaults)"
    )


def test_origin_of_a_value_nobody_overrode_has_no_overrides() -> None:
    lines = origin_lines("-e", "prod", "-r", "service-a")
    assert (
        lines["image.pullPolicy"]
        == "image.pullPolicy: IfNotPresent  # examples/apps/microservice/values.yaml:7:15 (defaults)"
    )
    assert (
        lines["config.SHOP_CURRENCY"]
        == "config.SHOP_CURRENCY: EUR  # examples/apps/shop/pytemplar.yaml:18:20 (project)"
    )
    assert lines["podAnnotations['prometheus.io/scrape']"] == (
        "podAnnotations['prometheus.io/scrape']: \"true\"  # examples/apps/shop/pytemplar.yaml:20:27 (project)"
    )


def test_origin_differs_per_environment() -> None:
    dev = origin_lines("-e", "dev", "-r", "service-a")
    assert dev["replicaCount"] == (
        "replicaCount: 1  # examples/apps/shop/envs/dev.yaml:4:15 (environment); "
        "overrides examples/apps/microservice/values.yaml:9:15 (defaults)"
    )
    assert dev["image.tag"] == (
        "image.tag: 2.3.1  # examples/apps/shop/releases/service-a.yaml:4:8 (release); "
        "overrides examples/apps/microservice/values.yaml:6:8 (defaults)"
    )


def test_origin_lists_every_leaf_once() -> None:
    merged = json.loads(values(SHOP, "-e", "prod", "-r", "service-a", "-o", "json").stdout)
    lines = origin_lines("-e", "prod", "-r", "service-a")
    assert len(lines) == len(leaves(merged))
    for line in lines.values():
        assert "  # examples/apps/" in line, line


def test_origin_names_a_command_line_values_file(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("# hotfix\nreplicaCount: 9\n", encoding="utf-8")
    result = run_pytemplar(
        "values", REPO / SHOP, "-e", "prod", "-r", "service-b", "-f", "extra.yaml", "--origin", cwd=tmp_path
    )
    assert result.code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("replicaCount:"))
    assert line.startswith("replicaCount: 9  # extra.yaml:2:15 (file); overrides ")
    assert "envs/prod.yaml:2:15 (environment)" in line


def test_values_json_is_the_same_data_as_yaml() -> None:
    as_json = values(SHOP, "-e", "prod", "-r", "service-d", "-o", "json")
    as_yaml = values(SHOP, "-e", "prod", "-r", "service-d")
    assert as_json.code == as_yaml.code == 0, as_json.stderr + as_yaml.stderr
    data = json.loads(as_json.stdout)
    assert data == yaml.safe_load(as_yaml.stdout)
    assert data["replicaCount"] == 4
    assert data["service"] == {"type": "ClusterIP", "port": 443}
    assert data["config"]["PROVIDER"] == "stripe-live"
    assert data["podDisruptionBudget"] == {"enabled": True, "minAvailable": 3}
    assert as_json.stdout.startswith("{\n  ")
    assert as_json.stdout.endswith("}\n")


def test_values_keep_the_text_of_an_unquoted_version_and_warn(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    (tmp_path / "shop" / "envs" / "prod" / "service-a.yaml").write_text("image:\n  tag: 2.40\n", encoding="utf-8")
    result = run_pytemplar("values", "shop", "-e", "prod", "-r", "service-a", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert '  tag: "2.40"\n' in result.stdout
    assert result.stderr.splitlines() == [
        "shop/envs/prod/service-a.yaml:2:8: warning: [prod/service-a] values.image.tag: 2.40 is read by YAML as the "
        "number 2.4; using the text '2.40' because the schema expects a string",
        '  hint: quote it to say so: "2.40"',
    ]


def test_values_of_an_invalid_release_fail_without_output(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    (tmp_path / "shop" / "envs" / "prod" / "service-a.yaml").write_text("replicaCount: many\n", encoding="utf-8")
    result = run_pytemplar("values", "shop", "-e", "prod", "-r", "service-a", cwd=tmp_path)
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        'shop/envs/prod/service-a.yaml:1:15: error: [prod/service-a] values.replicaCount: "many" is not of type integer'
    )
    # Other releases are not affected.
    other = run_pytemplar("values", "shop", "-e", "prod", "-r", "service-b", cwd=tmp_path)
    assert other.code == 0, other.stderr


def test_values_needs_an_environment_and_a_release() -> None:
    result = values(SHOP, "-e", "prod")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: values needs an environment (-e) and a release (-r)\n"
        "  hint: releases: service-a, service-b, service-c, service-d\n"
    )


def test_values_rejects_an_unknown_release_with_the_known_ones() -> None:
    result = values(SHOP, "-e", "prod", "-r", "service-x")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: unknown release 'service-x'",
        "  hint: releases of shop: service-a, service-b, service-c, service-d",
    ]


def test_values_accepts_the_project_file_in_place_of_its_folder() -> None:
    result = values(f"{SHOP}/pytemplar.yaml", "-e", "staging", "-r", "service-a")
    assert result.code == 0, result.stderr
    assert yaml.safe_load(result.stdout)["ingress"]["host"] == "shop.staging.acme.example"


def test_values_never_print_a_secret(make_tree: Any) -> None:
    from conftest import MINIMAL_APP

    root = make_tree(
        {
            "app/values.schema.json": """
                {"type": "object",
                 "properties": {"db": {"type": "object",
                                       "properties": {"password": {"type": "string", "writeOnly": true}}}}}
            """,
            "project/envs/prod.yaml": "db:\n  user: app\n  password: hunter2\n",
        },
        base=MINIMAL_APP,
    )
    for extra in ([], ["--origin"], ["-o", "json"]):
        result = run_pytemplar("values", root / "project", "-e", "prod", "-r", "one", *extra)
        assert result.code == 0, result.stderr
        assert "hunter2" not in result.stdout + result.stderr
        assert "<secret>" in result.stdout
