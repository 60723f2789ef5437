"""Kustomize fields pytemplar does not support are refused at the key, with what to do instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_pytemplar, write_tree

APP = {
    "app/app.yaml": "name: raw\nversion: 1.0.0\n",
    "app/templates/all.yaml.j2": """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: "{{ release.name }}-config"}
        data: {A: "1"}
    """,
}

SORT_HINT = "declare it at the top of pytemplar.yaml (every environment) or under environments.<env>"


def failure(folder: Path) -> str:
    result = run_pytemplar("render", folder, "-e", "prod")
    assert result.code == 1, result.stdout
    assert result.stdout == ""
    return result.stderr


@pytest.mark.parametrize(
    ("config", "line", "where"),
    [
        (
            "environments: {prod: {}}\nreleases:\n  web:\n    app: ./app\n    sortOptions: {order: fifo}\n",
            5,
            "releases.web",
        ),
        (
            "environments: {prod: {}}\nreleases:\n  web:\n    app: ./app\n    environments:\n"
            "      prod: {sortOptions: {order: fifo}}\n",
            6,
            "releases.web.environments.prod",
        ),
    ],
)
def test_sort_options_of_one_release_is_refused_with_where_it_goes(
    tmp_path: Path, config: str, line: int, where: str
) -> None:
    folder = write_tree(tmp_path, {**APP, "pytemplar.yaml": config})
    stderr = failure(folder)
    assert f"pytemplar.yaml:{line}:" in stderr
    assert (
        f"{where}: unknown key 'sortOptions': sortOptions orders the objects of a whole environment, "
        "not those of one release or component"
    ) in stderr
    assert SORT_HINT in stderr
    assert "generatorOptions" not in stderr


def test_a_component_with_sort_options_is_refused_at_its_line(tmp_path: Path) -> None:
    files = {
        **APP,
        "pytemplar.yaml": "environments: {prod: {}}\nreleases: {web: {app: ./app, components: [extra]}}\n",
        "extra/component.yaml": "commonLabels: {a: b}\nsortOptions:\n  order: legacy\n",
    }
    stderr = failure(write_tree(tmp_path, files))
    assert "extra/component.yaml:2:1:" in stderr
    assert "sortOptions orders the objects of a whole environment" in stderr
    assert SORT_HINT in stderr


def test_vars_points_at_replacements(tmp_path: Path) -> None:
    config = "environments: {prod: {}}\nreleases:\n  web:\n    app: ./app\n    vars: []\n"
    stderr = failure(write_tree(tmp_path, {**APP, "pytemplar.yaml": config}))
    assert "pytemplar.yaml:5:" in stderr
    assert "Kustomize's vars is not supported by pytemplar" in stderr
    assert "use replacements (or template values) instead" in stderr


def test_a_misspelt_supported_key_still_gets_the_close_match(tmp_path: Path) -> None:
    config = "environments: {prod: {}}\nreleases:\n  web:\n    app: ./app\n    generatorOption: {}\n"
    stderr = failure(write_tree(tmp_path, {**APP, "pytemplar.yaml": config}))
    assert "unknown key 'generatorOption'" in stderr
    assert "did you mean 'generatorOptions'?" in stderr
    assert "not supported" not in stderr


def test_a_values_schema_key_named_like_a_kustomize_field_gets_no_kustomize_hint(tmp_path: Path) -> None:
    files = {
        **APP,
        "app/values.schema.json": '{"type": "object", "additionalProperties": false, "properties": {"a": {}}}',
        "app/values.yaml": "sortOptions: 1\n",
        "pytemplar.yaml": "environments: {prod: {}}\nreleases: {web: {app: ./app}}\n",
    }
    stderr = failure(write_tree(tmp_path, files))
    assert "unknown key 'sortOptions'" in stderr
    assert "not supported by pytemplar" not in stderr


# Every field of Kustomize's Kustomization type (api/types/kustomization.go, v5.7).
KUSTOMIZATION_FIELDS = [
    *("apiVersion", "kind", "metadata", "openapi", "namePrefix", "nameSuffix", "namespace", "commonLabels"),
    *("labels", "commonAnnotations", "patchesStrategicMerge", "patchesJson6902", "patches", "images"),
    *("imageTags", "replacements", "replicas", "vars", "sortOptions", "resources", "components", "crds"),
    *("bases", "configMapGenerator", "secretGenerator", "helmGlobals", "helmCharts", "generatorOptions"),
    *("helmChartInflationGenerator", "configurations", "generators", "transformers", "validators"),
    "buildMetadata",
]


def test_the_migration_table_names_every_kustomization_field() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "transforms.md").read_text(encoding="utf-8")
    table = docs.split("## Migrating a kustomization", 1)[1]
    first_column = " ".join(line.split(" | ")[0] for line in table.splitlines() if line.startswith("| `"))
    missing = [field for field in KUSTOMIZATION_FIELDS if f"`{field}" not in first_column]
    assert missing == []


@pytest.mark.parametrize(
    ("field", "instead"),
    [
        ("bases", "list the base's manifest files (or its folder) under resources"),
        ("imageTags", "rename it to images"),
        ("helmChartInflationGenerator", "render the chart with helm template"),
        ("helmCharts", "render the chart with helm template"),
        ("transformers", "plugins are not supported"),
        ("buildMetadata", "remove it"),
    ],
)
def test_a_deprecated_or_plugin_field_is_refused_with_what_to_write(tmp_path: Path, field: str, instead: str) -> None:
    config = f"environments: {{prod: {{}}}}\nreleases:\n  web:\n    app: ./app\n    {field}: []\n"
    stderr = failure(write_tree(tmp_path, {**APP, "pytemplar.yaml": config}))
    where = "pytemplar.yaml:5:5: error: project.releases.web"
    assert f"{where}: unknown key '{field}': Kustomize's {field} is not supported by pytemplar" in stderr
    assert f"hint: {instead}" in stderr
