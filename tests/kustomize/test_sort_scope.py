"""Where sortOptions applies in pytemplar: each environment's objects, all releases together, the
environment's declaration winning over the project's; without one, pytemplar's install order."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import run_pytemplar, write_tree

APP = {
    "app/app.yaml": "name: raw\nversion: 1.0.0\n",
    "app/templates/1-service.yaml.j2": """
        apiVersion: v1
        kind: Service
        metadata: {name: "{{ release.name }}", namespace: "{{ release.namespace }}"}
        spec: {ports: [{port: 80}]}
    """,
    "app/templates/2-config.yaml.j2": """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: "{{ release.name }}-config", namespace: "{{ release.namespace }}"}
        data: {A: "1"}
    """,
}


def written(folder: Path) -> list[tuple[str, str, str]]:
    """(environment, kind, name) of each object, in the order render writes them."""
    result = run_pytemplar("render", folder, "--all-envs")
    assert result.code == 0, result.stderr
    found = []
    for document in result.stdout.split("\n---\n"):
        comments = [line for line in document.splitlines() if line.startswith("# Environment: ")]
        environment = comments[0].removeprefix("# Environment: ")
        obj = yaml.safe_load(document)
        found.append((environment, obj["kind"], obj["metadata"]["name"]))
    return found


def test_each_environment_is_ordered_by_its_own_or_the_projects_sort_options(tmp_path: Path) -> None:
    config = """
        sortOptions: {order: fifo}
        environments:
          dev: {createNamespace: true}
          prod:
            sortOptions: {order: legacy}
          qa: {}
        releases:
          zeta: {app: ./app}
          alpha: {app: ./app}
    """
    folder = write_tree(tmp_path, {**APP, "pytemplar.yaml": config})
    assert written(folder) == [
        # fifo: the Namespace pytemplar adds first, then releases as listed, templates in order
        ("dev", "Namespace", "dev"),
        ("dev", "Service", "zeta"),
        ("dev", "ConfigMap", "zeta-config"),
        ("dev", "Service", "alpha"),
        ("dev", "ConfigMap", "alpha-config"),
        # legacy: Kustomize's kinds order (ConfigMap before Service), then names, across releases
        ("prod", "ConfigMap", "alpha-config"),
        ("prod", "ConfigMap", "zeta-config"),
        ("prod", "Service", "alpha"),
        ("prod", "Service", "zeta"),
        # the project's fifo
        ("qa", "Service", "zeta"),
        ("qa", "ConfigMap", "zeta-config"),
        ("qa", "Service", "alpha"),
        ("qa", "ConfigMap", "alpha-config"),
    ]


def test_without_sort_options_objects_come_in_install_order(tmp_path: Path) -> None:
    config = """
        environments:
          dev: {createNamespace: true}
          qa: {}
        releases:
          zeta: {app: ./app}
          alpha: {app: ./app, environments: {qa: {}}}
    """
    folder = write_tree(tmp_path, {**APP, "pytemplar.yaml": config})
    assert written(folder) == [
        ("dev", "Namespace", "dev"),
        ("dev", "ConfigMap", "zeta-config"),
        ("dev", "Service", "zeta"),
        ("qa", "ConfigMap", "alpha-config"),
        ("qa", "ConfigMap", "zeta-config"),
        ("qa", "Service", "alpha"),
        ("qa", "Service", "zeta"),
    ]
