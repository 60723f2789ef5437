"""--set, --set-string, --set-json and --set-file on the command line, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from conftest import MINIMAL_APP, run_pytemplar


def project(make_tree: Any) -> Path:
    root: Path = make_tree(base=MINIMAL_APP)
    return root


def deployment(stdout: str) -> dict[str, Any]:
    [document] = [d for d in yaml.safe_load_all(stdout) if d]
    return document  # type: ignore[no-any-return]


def test_set_overrides_every_values_file_and_types_like_yaml(make_tree: Any) -> None:
    root = project(make_tree)
    result = run_pytemplar("render", "project", "-e", "prod", "--set", "replicas=12345678901234567890", cwd=root)
    assert result.code == 0, result.stderr
    assert deployment(result.stdout)["spec"]["replicas"] == 12345678901234567890
    assert "replicas: 12345678901234567890\n" in result.stdout


def test_set_keeps_the_text_of_a_version_where_the_schema_wants_a_string(make_tree: Any) -> None:
    root = project(make_tree)
    result = run_pytemplar("render", "project", "-e", "prod", "--set", "image.tag=1.20", cwd=root)
    assert result.code == 0, result.stderr
    assert deployment(result.stdout)["spec"]["template"]["spec"]["containers"][0]["image"] == "example/demo:1.20"
    assert result.stderr.splitlines() == [
        "--set #1 image.tag=1.20: warning: [prod/one] values.image.tag: 1.20 is read by YAML as the number 1.2; "
        "using the text '1.20' because the schema expects a string",
        "  hint: use --set-string to pass text: --set-string image.tag=1.20",
    ]


def test_set_string_is_always_text_and_the_schema_says_so(make_tree: Any) -> None:
    root = project(make_tree)
    result = run_pytemplar("render", "project", "-e", "prod", "--set-string", "replicas=3", cwd=root)
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        '--set-string #1 replicas=3: error: [prod/one] values.replicas: "3" is not of type integer',
        '  hint: "3" is text, 3 a number: write it without quotes (on the command line: --set, not --set-string)',
    ]


def test_set_json_and_set_file(make_tree: Any) -> None:
    root = project(make_tree)
    (root / "tag.txt").write_text("from-a-file", encoding="utf-8")
    result = run_pytemplar(
        "values", "project", "-e", "prod", "-r", "one", "--set-json", 'image={"tag": "json"}', "-o", "json", cwd=root
    )
    assert result.code == 0, result.stderr
    assert '"tag": "json"' in result.stdout
    result = run_pytemplar("values", "project", "-e", "prod", "-r", "one", "--set-file", "image.tag=tag.txt", cwd=root)
    assert result.code == 0, result.stderr
    assert "  tag: from-a-file\n" in result.stdout


def test_later_set_arguments_win_and_origins_name_them(make_tree: Any) -> None:
    root = project(make_tree)
    result = run_pytemplar(
        "values",
        "project",
        "-e",
        "prod",
        "-r",
        "one",
        "--set",
        "replicas=2",
        "--set",
        "replicas=5",
        "--origin",
        cwd=root,
    )
    assert result.code == 0, result.stderr
    assert (
        result.stdout.splitlines()[0]
        == "replicas: 5  # --set #2 replicas=5 (set); overrides app/values.yaml:1:11 (defaults)"
    )


def test_a_malformed_set_is_a_usage_error_pointing_at_the_character(make_tree: Any) -> None:
    root = project(make_tree)
    result = run_pytemplar("render", "project", "-e", "prod", "--set", "image..tag=1", cwd=root)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: --set 'image..tag=1': empty key at character 7",
        "  hint: write --set key.sub=value, key[0]=value or key={a,b}",
    ]


def test_a_missing_set_file_is_a_usage_error(make_tree: Any) -> None:
    root = project(make_tree)
    result = run_pytemplar("render", "project", "-e", "prod", "--set-file", "image.tag=nope.txt", cwd=root)
    assert result.code == 2
    assert result.stderr.splitlines()[0] == "error: --set-file: file 'nope.txt' not found"


def test_a_misspelt_set_is_caught_as_an_unused_value(make_tree: Any) -> None:
    root = project(make_tree)
    result = run_pytemplar("validate", "project", "-e", "prod", "--set", "replicaz=3", cwd=root)
    assert result.code == 1
    assert result.stderr.splitlines()[:2] == [
        "--set #1 replicaz=3: error: [prod/one] 'replicaz' is not used by any template",
        "  hint: did you mean 'replicas'?",
    ]
