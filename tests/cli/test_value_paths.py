"""Paths are shown one way (as a template reads them), or in --set syntax where it is to be typed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import MINIMAL_APP, CliResult

from pytemplar.setargs import format_path_argument
from pytemplar.values import format_path

LABELS_APP = {
    **MINIMAL_APP,
    "app/values.schema.json": """
        {"type": "object", "properties": {"labels": {"type": "object", "additionalProperties": {"type": "string"}}}}
    """,
    "app/values.yaml": "labels: {}\n",
}


def test_one_format_for_values_schemas_and_objects() -> None:
    path = ("spec", "my-key", 0, "app.kubernetes.io/name", "x")
    assert format_path(path) == "values.spec['my-key'][0]['app.kubernetes.io/name'].x"
    assert format_path(path, "") == "spec['my-key'][0]['app.kubernetes.io/name'].x"
    assert format_path(("my-key", "x"), "") == "['my-key'].x"
    assert format_path((), "schema") == "schema"


def test_the_set_string_hint_is_an_argument_to_type(
    make_tree: Callable[..., Path], cli: Callable[..., CliResult]
) -> None:
    root = make_tree(LABELS_APP)
    argument = r"labels.app\.kubernetes\.io/version=1.10"
    result = cli("values", "project", "-e", "dev", "-r", "one", "--set", argument, cwd=root)
    assert result.code == 0, result.stderr
    assert result.stderr == (
        f"--set #1 {argument}: warning: [dev/one] values.labels['app.kubernetes.io/version']: 1.10 is read by "
        "YAML as the number 1.1; using the text '1.10' because the schema expects a string\n"
        f"  hint: use --set-string to pass text: --set-string {argument}\n"
    )
    assert format_path_argument(("labels", "app.kubernetes.io/version")) == argument.removesuffix("=1.10")
