"""Transforms through the command line: real project files, exact messages and exit codes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from conftest import MINIMAL_APP, CliResult

APP_WITH_CONFIG = {
    **MINIMAL_APP,
    "app/templates/deployment.yaml.j2": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
        spec:
          selector:
            matchLabels: {app: "{{ release.name }}"}
          template:
            metadata:
              labels: {app: "{{ release.name }}"}
            spec:
              containers:
                - name: main
                  image: "example/demo:{{ values.image.tag }}"
    """,
    "app/templates/configmap.yaml.j2": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ release.name }}-config
          namespace: {{ release.namespace }}
        data:
          MODE: normal
    """,
}

PROJECT = """
    environments:
      dev: {}
      prod:
        namespace: production
    releases:
      one:
        app: ../app
        environments:
          dev: {}
          prod:
            namePrefix: prod-
            commonLabels: {team: shop}
            images:
              - {name: example/demo, newName: registry.local/demo, newTag: "2.0"}
            configMapGenerator:
              - name: "{release}-flags"
                literals: [BETA=on]
                envs: [prod/app.env]
            secretGenerator:
              - name: creds
                files: [token=prod/token.txt]
            patches:
              - path: prod/add-flags.yaml
                target: {kind: Deployment, name: one}
              - patch: |
                  apiVersion: apps/v1
                  kind: Deployment
                  metadata:
                    name: one
                  spec:
                    template:
                      spec:
                        containers:
                          - name: main
                            env:
                              - name: TOKEN
                                valueFrom:
                                  secretKeyRef: {name: creds, key: token}
"""

FILES = {
    "project/pytemplar.yaml": PROJECT,
    "project/prod/app.env": "# flags\nCOLOR=blue\n",
    "project/prod/token.txt": "s3cr3t",
    "project/prod/add-flags.yaml": """
        - op: add
          path: /spec/template/spec/containers/0/envFrom
          value:
            - configMapRef: {name: one-flags}
            - configMapRef: {name: one-config}
    """,
}


def render(cli: Callable[..., CliResult], root: Path, env: str) -> list[dict[str, Any]]:
    result = cli("render", "project", "-e", env, cwd=root)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {doc["kind"]: doc for doc in documents}


def test_transforms_apply_in_their_environment_only(
    make_tree: Callable[..., Path], cli: Callable[..., CliResult]
) -> None:
    root = make_tree({**APP_WITH_CONFIG, **FILES})
    dev = by_kind(render(cli, root, "dev"))
    assert dev["Deployment"]["metadata"]["name"] == "one"
    assert dev["Deployment"]["spec"]["template"]["spec"]["containers"][0]["image"] == "example/demo:1.0"
    assert "Secret" not in dev

    prod_documents = render(cli, root, "prod")
    assert sorted((doc["kind"], doc["metadata"]["name"]) for doc in prod_documents) == [
        ("ConfigMap", "prod-one-config"),
        ("ConfigMap", "prod-one-flags-255b4b49m4"),
        ("Deployment", "prod-one"),
        ("Secret", "prod-creds-ckd59g56hk"),
    ]
    assert all(doc["metadata"]["namespace"] == "production" for doc in prod_documents)
    assert all(doc["metadata"]["labels"]["team"] == "shop" for doc in prod_documents)
    deployment = by_kind(prod_documents)["Deployment"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "registry.local/demo:2.0"
    assert container["envFrom"] == [
        {"configMapRef": {"name": "prod-one-flags-255b4b49m4"}},
        {"configMapRef": {"name": "prod-one-config"}},
    ]
    assert container["env"] == [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "prod-creds-ckd59g56hk", "key": "token"}}}
    ]
    assert deployment["spec"]["selector"]["matchLabels"]["team"] == "shop"


def test_the_hash_follows_the_content(make_tree: Callable[..., Path], cli: Callable[..., CliResult]) -> None:
    root = make_tree({**APP_WITH_CONFIG, **FILES})
    first = {doc["metadata"]["name"] for doc in render(cli, root, "prod")}
    (root / "project/prod/app.env").write_text("COLOR=green\n", encoding="utf-8")
    second = {doc["metadata"]["name"] for doc in render(cli, root, "prod")}
    # The names kubectl kustomize gives the same content.
    assert first - second == {"prod-one-flags-255b4b49m4"}
    assert second - first == {"prod-one-flags-f6kt872c7t"}


def test_generated_objects_say_where_they_come_from(
    make_tree: Callable[..., Path], cli: Callable[..., CliResult]
) -> None:
    root = make_tree({**APP_WITH_CONFIG, **FILES})
    result = cli("render", "project", "-e", "prod", cwd=root)
    sources = [line for line in result.stdout.splitlines() if line.startswith("# Source:")]
    assert sources.count("# Source: one/pytemplar.yaml") == 2
    assert "# Source: one/templates/deployment.yaml.j2" in sources


def failing(make_tree: Callable[..., Path], cli: Callable[..., CliResult], files: dict[str, str]) -> CliResult:
    root = make_tree({**APP_WITH_CONFIG, **FILES, **files})
    result = cli("render", "project", "-e", "prod", cwd=root)
    assert result.code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result


def test_a_patch_that_matches_nothing(make_tree: Callable[..., Path], cli: Callable[..., CliResult]) -> None:
    result = failing(make_tree, cli, {"project/pytemplar.yaml": PROJECT.replace("name: one}", "name: two}")})
    assert result.stderr.splitlines() == [
        "project/pytemplar.yaml:23:13: error: [prod/one] patch matches no object of release 'one' "
        "(target: kind Deployment, name two)",
        "  hint: targets name objects as the templates render them, before namePrefix and nameSuffix; "
        "run 'pytemplar render' without the patch to see them",
    ]


def test_a_failing_json_patch_names_the_operation_in_its_file(
    make_tree: Callable[..., Path], cli: Callable[..., CliResult]
) -> None:
    patch = "- op: test\n  path: /kind\n  value: Deployment\n- op: remove\n  path: /spec/paused\n"
    result = failing(make_tree, cli, {"project/prod/add-flags.yaml": patch})
    assert result.stderr.splitlines() == [
        "project/prod/add-flags.yaml:4:3: error: [prod/one] JSON patch 'remove' /spec/paused on Deployment one: "
        "/spec/paused does not exist",
        "  hint: JSON patch paths are JSON pointers into the object as rendered; 'pytemplar render' shows it",
    ]


def test_a_bad_env_file_line(make_tree: Callable[..., Path], cli: Callable[..., CliResult]) -> None:
    result = failing(make_tree, cli, {"project/prod/app.env": "COLOR=blue\nexport COLOR\n"})
    assert result.stderr.splitlines() == [
        "project/prod/app.env:2: error: [prod/one] line 'export COLOR' is not KEY=VALUE",
        "  hint: env files hold KEY=VALUE lines, blank lines and # comments",
    ]


def test_a_missing_generator_file(make_tree: Callable[..., Path], cli: Callable[..., CliResult]) -> None:
    result = failing(make_tree, cli, {"project/pytemplar.yaml": PROJECT.replace("prod/token.txt", "prod/nope.txt")})
    assert result.stderr.splitlines() == [
        "project/pytemplar.yaml:21:21: error: [prod/one] generator file 'prod/nope.txt' not found",
        "  hint: files are named relative to the project folder",
    ]


def test_a_literal_without_equals_and_validate_reports_it_once(
    make_tree: Callable[..., Path], cli: Callable[..., CliResult]
) -> None:
    result = failing(make_tree, cli, {"project/pytemplar.yaml": PROJECT.replace("BETA=on", "BETA")})
    assert result.stderr.splitlines() == [
        "project/pytemplar.yaml:17:24: error: [prod/one] literal 'BETA' is not KEY=VALUE",
        "  hint: write it as KEY=VALUE",
    ]
    root = make_tree({"project/pytemplar.yaml": PROJECT.replace("BETA=on", "BETA")})
    validated = cli("validate", "project", cwd=root)
    assert validated.code == 1
    assert validated.stderr.count("literal 'BETA' is not KEY=VALUE") == 1


def test_a_typo_in_a_transform_key_is_a_schema_error(
    make_tree: Callable[..., Path], cli: Callable[..., CliResult]
) -> None:
    result = failing(make_tree, cli, {"project/pytemplar.yaml": PROJECT.replace("commonLabels", "commonLabel")})
    assert result.stderr.splitlines() == [
        "project/pytemplar.yaml:12:9: error: project.releases.one.environments.prod: unknown key 'commonLabel'",
        "  hint: did you mean 'commonLabels'?",
    ]


def test_generator_creating_an_object_the_templates_make(
    make_tree: Callable[..., Path], cli: Callable[..., CliResult]
) -> None:
    project = PROJECT.replace('name: "{release}-flags"', 'name: "{release}-config"')
    result = failing(make_tree, cli, {"project/pytemplar.yaml": project})
    assert result.stderr.splitlines() == [
        "project/pytemplar.yaml:16:13: error: [prod/one] configMapGenerator 'one-config' creates ConfigMap one-config, "
        "which the release already has",
        "  hint: use 'behavior: merge' or 'behavior: replace' to change it, or choose another name",
    ]
