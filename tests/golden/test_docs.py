"""The example apps' READMEs are their generated values reference, kept current."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, MINIMAL_APP, run_pytemplar

APPS = sorted(path.parent for path in EXAMPLES.glob("*/app.yaml"))


@pytest.mark.parametrize("app", APPS, ids=[app.name for app in APPS])
def test_example_app_readme_is_its_values_reference(app: Path, golden: Callable[[str, Path], None]) -> None:
    result = run_pytemplar("docs", app)
    assert result.code == 0, result.stderr
    golden(result.stdout, app / "README.md")


def test_the_reference_lists_schema_keys_then_other_defaults_and_hides_secrets(make_tree: Any) -> None:
    root: Path = make_tree(
        {
            "app/values.yaml": "replicas: 1\nimage:\n  tag: '1.0'\ndb:\n  password: hunter2\nextra: {a: 1}\n",
            "app/values.schema.json": """
                {"type": "object", "properties": {
                  "replicas": {"type": "integer", "description": "How many | pods."},
                  "image": {"type": "object", "properties": {"tag": {"enum": ["1.0", "2.0"]}}},
                  "db": {"type": "object", "properties": {"password": {"type": "string", "writeOnly": true}}}}}
            """,
        },
        base=MINIMAL_APP,
    )
    result = run_pytemplar("docs", root / "app")
    assert result.code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| `")]
    assert rows == [
        "| `replicas` | integer | `1` | How many \\| pods. |",
        '| `image.tag` | one of `"1.0"`, `"2.0"` | `"1.0"` |  |',
        "| `db.password` | string | *(secret)* |  |",
        "| `extra.a` |  | `1` |  |",
    ]
    assert "hunter2" not in result.stdout
