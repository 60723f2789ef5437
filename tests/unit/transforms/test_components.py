"""Components and resources: what a user writes, what comes out, and each mistake's message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from conftest import run_pytemplar, write_tree

APP = {
    "app/app.yaml": "name: raw\nversion: 1.0.0\n",
    "app/templates/all.yaml.j2": """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: "{{ release.name }}-config", namespace: "{{ release.namespace }}"}
        data: {A: "1"}
    """,
}

MONITORING = {
    "components/monitoring/component.yaml": """
        commonLabels: {monitored: "true"}
        resources: [monitor.yaml]
    """,
    "components/monitoring/monitor.yaml": """
        apiVersion: monitoring.coreos.com/v1
        kind: ServiceMonitor
        metadata: {name: "{release}-monitor"}
        spec: {endpoints: [{port: http}]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: "{release}-scraper"}
        rules: []
    """,
}


def project(tmp_path: Path, config: str, **files: str) -> Path:
    return write_tree(tmp_path, {**APP, **MONITORING, "pytemplar.yaml": config, **files})


def render(folder: Path, *args: str) -> list[dict[str, object]]:
    result = run_pytemplar("render", folder, *args)
    assert result.code == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def failure(folder: Path) -> str:
    result = run_pytemplar("render", folder, "-e", "prod")
    assert result.code == 1, result.stdout
    assert result.stdout == ""
    return result.stderr


CONFIG = """
    environments:
      dev: {}
      prod:
        namespace: shop
        components: [components/monitoring]
    releases:
      web: {app: ./app}
      api: {app: ./app}
"""


def test_an_environment_switches_a_component_on_for_each_release(tmp_path: Path) -> None:
    folder = project(tmp_path, CONFIG)
    prod = render(folder, "-e", "prod")
    names = sorted((doc["kind"], doc["metadata"]["name"], doc["metadata"].get("namespace")) for doc in prod)  # type: ignore[index,union-attr]
    assert names == [
        ("ClusterRole", "api-scraper", None),
        ("ClusterRole", "web-scraper", None),
        ("ConfigMap", "api-config", "shop"),
        ("ConfigMap", "web-config", "shop"),
        ("ServiceMonitor", "api-monitor", "shop"),
        ("ServiceMonitor", "web-monitor", "shop"),
    ]
    assert all(doc["metadata"]["labels"] == {"monitored": "true"} for doc in prod)  # type: ignore[index]
    dev = render(folder, "-e", "dev")
    assert sorted(doc["kind"] for doc in dev) == ["ConfigMap", "ConfigMap"]  # type: ignore[type-var]


def test_added_objects_name_their_file_as_source(tmp_path: Path) -> None:
    result = run_pytemplar("render", project(tmp_path, CONFIG), "-e", "prod", "-r", "web")
    assert "# Source: web/components/monitoring/monitor.yaml" in result.stdout


def test_a_missing_component_is_an_error_at_its_entry(tmp_path: Path) -> None:
    folder = project(tmp_path, CONFIG.replace("components/monitoring]", "components/monitor]"))
    assert "pytemplar.yaml:5:18: error: [prod/" in failure(folder)
    assert "component folder 'components/monitor' does not exist" in failure(folder)


def test_a_kustomize_component_is_named_with_the_fix(tmp_path: Path) -> None:
    folder = project(tmp_path, CONFIG, **{"components/monitoring/component.yaml": "", "kust/kustomization.yaml": ""})
    (folder / "components/monitoring/component.yaml").unlink()
    (folder / "components/monitoring/kustomization.yaml").write_text("kind: Component\n", encoding="utf-8")
    stderr = failure(folder)
    assert "no component.yaml in component folder 'components/monitoring'" in stderr
    assert "rename its kustomization.yaml to component.yaml" in stderr


def test_a_component_key_error_names_the_component_file_and_line(tmp_path: Path) -> None:
    folder = project(
        tmp_path,
        CONFIG,
        **{"components/monitoring/component.yaml": "resources: [monitor.yaml]\nvars: []\n"},
    )
    assert "components/monitoring/component.yaml:2:1: error: [prod/" in failure(folder)
    assert "unknown key 'vars'" in failure(folder)


def test_a_component_of_another_api_version_is_refused(tmp_path: Path) -> None:
    text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\nresources: [monitor.yaml]\n"
    folder = project(tmp_path, CONFIG, **{"components/monitoring/component.yaml": text})
    stderr = failure(folder)
    assert "components/monitoring/component.yaml:1:" in stderr
    assert "kustomize.config.k8s.io/v1alpha1" in stderr


def test_a_component_switched_on_twice_is_refused(tmp_path: Path) -> None:
    config = CONFIG.replace("web: {app: ./app}", "web: {app: ./app, components: [components/monitoring]}")
    stderr = failure(project(tmp_path, config))
    assert "pytemplar.yaml:7:34: error: [prod/web] component 'components/monitoring' is switched on twice" in stderr
    assert "(also at line 5)" in stderr


def test_nested_components_name_folders_relative_to_their_own(tmp_path: Path, make_tree: Callable[..., Path]) -> None:
    files = {
        "components/prod/component.yaml": """
            components: [../monitoring]
            patches:
              - path: patch.yaml
            configMapGenerator:
              - {name: "{release}-flags", envs: [flags.env]}
        """,
        "components/prod/patch.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\ndata: {B: '2'}\n",
        "components/prod/flags.env": "COLOR=blue\n",
    }
    config = CONFIG.replace("components/monitoring]", "components/prod]").replace("api: {app: ./app}\n", "")
    docs = render(project(tmp_path, config, **files), "-e", "prod")
    by_name = {doc["metadata"]["name"]: doc for doc in docs}  # type: ignore[index]
    assert by_name["web-config"]["data"] == {"A": "1", "B": "2"}
    assert any(name.startswith("web-flags-") for name in by_name)
    assert "web-monitor" in by_name


def test_a_cycle_of_components_is_refused(tmp_path: Path) -> None:
    files = {"components/monitoring/component.yaml": "components: [.]\n"}
    stderr = failure(project(tmp_path, CONFIG, **files))
    assert "components/monitoring/component.yaml:1:14: error:" in stderr
    assert "is switched on twice" in stderr


def test_a_resources_file_must_hold_objects(tmp_path: Path) -> None:
    files = {"components/monitoring/monitor.yaml": "apiVersion: v1\nkind: ConfigMap\n---\n- not an object\n"}
    stderr = failure(project(tmp_path, CONFIG, **files))
    assert "components/monitoring/monitor.yaml:4: error:" in stderr
    assert "a resources file holds Kubernetes objects" in stderr


def test_a_missing_resources_file_is_an_error_at_its_entry(tmp_path: Path) -> None:
    files = {"components/monitoring/component.yaml": "resources: [gone.yaml]\n"}
    stderr = failure(project(tmp_path, CONFIG, **files))
    assert "components/monitoring/component.yaml:1:13: error:" in stderr
    assert "resources file 'components/monitoring/gone.yaml' not found" in stderr


def test_resources_at_a_release_level_are_added_too(tmp_path: Path) -> None:
    config = CONFIG.replace("web: {app: ./app}", "web: {app: ./app, resources: [extra.yaml]}")
    extra = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {X: '1'}\n"
    docs = render(project(tmp_path, config, **{"extra.yaml": extra}), "-e", "dev", "-r", "web")
    assert {(doc["metadata"]["name"], doc["metadata"]["namespace"]) for doc in docs} == {  # type: ignore[index]
        ("web-config", "dev"),
        ("extra", "dev"),
    }


def test_an_object_adding_component_after_a_transforming_one_is_refused(tmp_path: Path) -> None:
    files = {"components/labels/component.yaml": "commonLabels: {team: shop}\n"}
    config = CONFIG.replace("components/monitoring]", "components/labels, components/monitoring]")
    stderr = failure(project(tmp_path, config, **files))
    assert "pytemplar.yaml:5:37: error:" in stderr
    assert "component 'components/monitoring' adds objects after component 'components/labels'" in stderr
    assert "list 'components/monitoring' before 'components/labels'" in stderr
    fixed = CONFIG.replace("components/monitoring]", "components/monitoring, components/labels]")
    docs = render(project(tmp_path, fixed, **files), "-e", "prod")
    assert all(doc["metadata"]["labels"]["team"] == "shop" for doc in docs)  # type: ignore[index]
