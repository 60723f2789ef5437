"""A misspelt key is found even where the schema lets other keys in, and when the check cannot run, it says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import MINIMAL_APP, run_pytemplar

OPEN_SCHEMA = """
    {"type": "object", "additionalProperties": true, "properties": {
      "replicas": {"type": "integer"},
      "image": {"type": "object", "properties": {"tag": {"type": "string"}}}}}
"""


def test_a_typo_is_found_when_the_schema_allows_any_key(make_tree: Any) -> None:
    root: Path = make_tree(
        {"app/values.schema.json": OPEN_SCHEMA, "project/envs/prod.yaml": "replicas: 2\nreplicsa: 3\n"},
        base=MINIMAL_APP,
    )
    result = run_pytemplar("validate", "project", cwd=root)
    assert result.code == 1
    assert result.stderr == (
        "project/envs/prod.yaml:2:1: error: [prod/one] 'replicsa' is not used by any template\n"
        "  hint: did you mean 'replicas'?\n"
        "failed: 2 releases in 2 environments; 1 error\n"
    )


def test_a_typed_map_still_takes_any_key(make_tree: Any) -> None:
    schema = OPEN_SCHEMA.replace('"additionalProperties": true', '"additionalProperties": {"type": "string"}')
    root: Path = make_tree(
        {"app/values.schema.json": schema, "project/envs/prod.yaml": "note: hello\n"},
        base=MINIMAL_APP,
    )
    result = run_pytemplar("validate", "project", cwd=root)
    assert (result.code, result.stderr) == (0, "ok: 2 releases in 2 environments; 0 errors\n")


def test_templates_that_read_all_values_make_the_check_say_it_cannot_run(make_tree: Any) -> None:
    root: Path = make_tree(
        {
            "app/values.schema.json": OPEN_SCHEMA,
            "app/templates/config.yaml.j2": """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{ release.name }}-all
                data:
                  values.json: "{{ values | tojson }}"
            """,
            "project/envs/prod.yaml": "replicsa: 3\n",
        },
        base=MINIMAL_APP,
    )
    result = run_pytemplar("validate", "project", cwd=root)
    assert result.code == 0, result.stderr
    assert result.stderr == (
        "app/values.yaml: warning: [dev/one] a template reads 'values' as a whole, so a misspelt key in a values "
        "file of this app cannot be told from a used one: that check does not run\n"
        "  hint: read values key by key in the templates, or close the top level of values.schema.json "
        "(list the keys under properties, with additionalProperties: false)\n"
        "ok: 2 releases in 2 environments; 0 errors, 1 warning\n"
    )
    closed = OPEN_SCHEMA.replace('"additionalProperties": true', '"additionalProperties": false')
    (root / "app/values.schema.json").write_text(closed, encoding="utf-8")
    (root / "project/envs/prod.yaml").write_text("replicas: 3\n", encoding="utf-8")
    again = run_pytemplar("validate", "project", cwd=root)
    assert (again.code, again.stderr) == (0, "ok: 2 releases in 2 environments; 0 errors\n")


def test_a_wrong_value_hidden_by_a_higher_layer_is_still_reported(make_tree: Any) -> None:
    root: Path = make_tree(
        {
            # tag: 2 is taken as the text "2" where the schema wants text, hidden or not: no warning
            "project/envs/prod.yaml": "replicas: three\nimage:\n  tag: 2\n",
            "project/envs/prod/one.yaml": "replicas: 3\nimage:\n  tag: '2.0'\n",
        },
        base=MINIMAL_APP,
    )
    result = run_pytemplar("validate", "project", cwd=root)
    assert result.code == 0, result.stderr
    assert result.stderr == (
        "project/envs/prod.yaml:1:11: warning: values.replicas: 'three' is not of type 'integer'; a higher layer "
        "overrides it, so it does not take effect now\n"
        "  hint: fix or remove it: it applies as soon as the override goes\n"
        "ok: 2 releases in 2 environments; 0 errors, 1 warning\n"
    )
    strict = run_pytemplar("validate", "project", "--strict", cwd=root)
    assert strict.code == 1
