"""Template errors name what was probably meant: value paths, release fields, filters."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, run_pytemplar

TEMPLATE = "microservice/templates/deployment.yaml.j2"
UNDEFINED = "define it in values.yaml, or test it with 'is defined' or '| default(...)'"


@pytest.mark.parametrize(
    ("old", "new", "line", "message", "hint"),
    [
        (
            "{{ release.namespace }}",
            "{{ release.namspace }}",
            6,
            "'release.namspace' is undefined",
            "did you mean 'release.namespace'? release has release.name, release.namespace, release.environment,"
            " release.service",
        ),
        (
            "{{ values.containerPort }}",
            "{{ values.containerPrt }}",
            36,
            "'values.containerPrt' is undefined",
            f"did you mean 'values.containerPort'? otherwise {UNDEFINED}",
        ),
        (
            "{{ values.containerPort }}",
            "{{ values.somethingElse }}",
            36,
            "'values.somethingElse' is undefined",
            UNDEFINED,
        ),
        (
            "{{ h.fullname }}\n",
            "{{ h.fullname | tojsn }}\n",
            5,
            "template syntax error: No filter named 'tojsn'.",
            "did you mean 'tojson'?",
        ),
        (  # inside an if: the filter is looked up when the branch runs
            "{{ values.replicaCount }}",
            "{{ values.replicaCount | tojsn }}",
            10,
            "No filter named 'tojsn'",
            "did you mean 'tojson'?",
        ),
    ],
)
def test_a_misspelt_name_in_a_template_gets_the_closest_known_one(
    tmp_path: Path, old: str, new: str, line: int, message: str, hint: str
) -> None:
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    template = tmp_path / TEMPLATE
    text = template.read_text(encoding="utf-8")
    assert old in text
    template.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_pytemplar("render", "shop", "-e", "prod", "-r", "service-b", cwd=tmp_path)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [f"{TEMPLATE}:{line}: error: [prod/service-b] {message}", f"  hint: {hint}"]
