"""Replacements: field paths, delimiters, types, and each mistake's message at its line."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import run_pytemplar, write_tree
from hypothesis import given
from hypothesis import strategies as st

from pytemplar.transforms.replacements import Split, Target, _Writer, split_path
from pytemplar.transforms.table import TransformContext

APP = {
    "app/app.yaml": "name: raw\nversion: 1.0.0\n",
    "app/templates/all.yaml.j2": """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: "{{ release.namespace }}"}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - {name: main, image: "ghcr.io/acme/web:1.4.2", env: [{name: URL, value: "http://api"}]}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: "{{ release.namespace }}"}
        data: {replicas: "3", host: api.shop.svc}
    """,
}


def project(tmp_path: Path, replacements: str, **files: str) -> Path:
    config = "environments:\n  dev: {}\nreleases:\n  web:\n    app: ./app\n    replacements:\n" + replacements
    return write_tree(tmp_path, {**APP, "pytemplar.yaml": config, **files})


def rendered(folder: Path) -> dict[str, dict[str, object]]:
    result = run_pytemplar("render", folder, "-e", "dev")
    assert result.code == 0, result.stderr
    return {doc["kind"]: doc for doc in yaml.safe_load_all(result.stdout) if doc}


def refused(folder: Path) -> str:
    result = run_pytemplar("render", folder, "-e", "dev")
    assert result.code == 1, result.stdout
    assert result.stdout == ""
    return result.stderr


def test_a_string_into_a_number_field_keeps_the_number(tmp_path: Path) -> None:
    replacements = """
      - source: {kind: ConfigMap, name: settings, fieldPath: data.replicas}
        targets:
          - select: {kind: Deployment}
            fieldPaths: [spec.replicas]
      - source: {kind: ConfigMap, name: settings, fieldPath: data.host, options: {delimiter: ".", index: 1}}
        targets:
          - select: {kind: Deployment}
            fieldPaths: ["spec.template.spec.containers.[name=main].env.[name=URL].value"]
            options: {delimiter: "//", index: 1}
    """
    deployment = rendered(project(tmp_path, replacements))["Deployment"]
    assert deployment["spec"]["replicas"] == 3  # type: ignore[index]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "URL", "value": "http://shop"}]  # type: ignore[index]


def test_a_missing_source_is_an_error_at_the_source(tmp_path: Path) -> None:
    replacements = """
      - source: {kind: ConfigMap, name: nope}
        targets: [{select: {kind: Deployment}, fieldPaths: [metadata.labels.x]}]
    """
    stderr = refused(project(tmp_path, replacements))
    assert "pytemplar.yaml:8:9: error: [dev/web] replacement source (kind ConfigMap, name nope) selects no object" in (
        stderr
    )


def test_a_missing_source_field_is_an_error(tmp_path: Path) -> None:
    replacements = """
      - source: {kind: ConfigMap, name: settings, fieldPath: data.gone}
        targets: [{select: {kind: Deployment}, fieldPaths: [metadata.labels.x]}]
    """
    assert "replacement source ConfigMap dev/settings has no value at 'data.gone'" in refused(
        project(tmp_path, replacements)
    )


def test_a_missing_target_field_is_an_error_at_its_path(tmp_path: Path) -> None:
    replacements = """
      - sourceValue: x
        targets:
          - select: {kind: Deployment}
            fieldPaths:
              - metadata.labels.absent
    """
    stderr = refused(project(tmp_path, replacements))
    assert "pytemplar.yaml:12:17: error: [dev/web] replacement target Deployment dev/web: cannot find field" in stderr
    assert "add options: {create: true}" in stderr


def test_a_map_over_a_single_value_is_refused(tmp_path: Path) -> None:
    replacements = """
      - source: {kind: ConfigMap, name: settings, fieldPath: data}
        targets: [{select: {kind: Deployment}, fieldPaths: [spec.template.spec.containers.0.image]}]
    """
    assert "cannot put a dict into a field that holds a single value" in refused(project(tmp_path, replacements))


def test_a_replacements_file_error_names_the_file_line(tmp_path: Path) -> None:
    text = "- source: {kind: ConfigMap, name: settings}\n  targets:\n    - select: {kind: Deployment}\n      bogus: 1\n"
    files = {"r.yaml": text}
    stderr = refused(project(tmp_path, "      - path: r.yaml\n", **files))
    assert "r.yaml:4:7: error:" in stderr
    assert "unknown key 'bogus'" in stderr


def test_source_and_source_value_together_are_refused(tmp_path: Path) -> None:
    replacements = """
      - sourceValue: x
        source: {kind: ConfigMap}
        targets: [{select: {kind: Deployment}}]
    """
    assert "a replacement needs exactly one of 'source'" in refused(project(tmp_path, replacements))


# -- field paths and delimiters, against independent oracles ------------------------------------

KEY = st.text("abcxyz-/", min_size=1, max_size=6)


@given(st.lists(KEY, min_size=1, max_size=5))
def test_dotted_keys_split_back_into_the_keys(keys: list[str]) -> None:
    # Oracle: writing each key with its dots escaped, joined by dots, splits into the keys.
    written = ".".join(keys)
    assert split_path(written) == keys


@given(st.lists(st.text("ab.", min_size=1, max_size=4), min_size=1, max_size=4))
def test_bracketed_and_escaped_keys_keep_their_dots(keys: list[str]) -> None:
    escaped = ".".join(key.replace(".", "\\.") for key in keys)
    assert split_path(escaped) == keys
    bracketed = ".".join(f"[{key}]" if "." in key else key for key in keys)
    assert split_path(bracketed) == keys


@given(
    st.lists(st.text("abc", max_size=3), min_size=1, max_size=5),
    st.text("xyz", min_size=1, max_size=3),
    st.integers(-2, 7),
)
def test_a_delimited_target_gets_the_value_at_its_index(parts: list[str], value: str, index: int) -> None:
    # Oracle: list insertion by hand; an index below 0 goes first, past the end last.
    expected = list(parts)
    if index < 0:
        expected.insert(0, value)
    elif index >= len(parts):
        expected.append(value)
    else:
        expected[index] = value
    obj: dict[str, object] = {"kind": "ConfigMap", "data": {"v": ",".join(parts)}}
    target = Target(None, (), (), Split(",", index), False, None)  # type: ignore[arg-type]
    context = TransformContext("r", "dev", "dev", None)
    _Writer(obj, value, target, None, context).write(["data", "v"], "data.v")  # type: ignore[arg-type]
    assert obj["data"] == {"v": ",".join(expected)}
