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


LOOP = "{% for key, value in values.podAnnotations | dictsort %}\n        {{ key }}: {{ value }}\n{% endfor %}\n"
BREAKS = "rendered output is not valid YAML at rendered line {line}: the map values.podAnnotations, placed here as"


@pytest.mark.parametrize(
    ("new", "hint"),
    [
        (  # Helm's `{{ toYaml .Values.podAnnotations | indent 8 }}` at the start of the line, among other keys
            "{{ values.podAnnotations | toyaml | indent(8) }}\n",
            "to add its entries among the keys here, loop at their indentation: `{% for key, value in"
            " values.podAnnotations | dictsort %}` `{{ key }}: {{ value }}` `{% endfor %}`",
        ),
        (  # Helm's `{{- toYaml . | nindent 8 }}` below the key, written with `{{-`
            "      annotations:\n        {{- values.podAnnotations | toyaml | indent(8) }}\n",
            "a map lands whole: write `annotations: {{ values.podAnnotations }}` on the key's line (no toyaml,"
            " no indent), or put the {{ }} alone on the next line, indented below the key, without '{{-'",
        ),
    ],
)
def test_toyaml_indent_on_its_own_line_names_the_template_line_and_what_to_write(
    tmp_path: Path, new: str, hint: str
) -> None:
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    template = tmp_path / TEMPLATE
    text = template.read_text(encoding="utf-8")
    assert LOOP in text
    if new.startswith("      annotations:"):  # the annotations map holds only what the {{ }} places
        text = text.replace(
            "      annotations:\n        # Changing the configuration rolls the pods.\n"
            '        checksum/config: {{ [values.config, files.get("files/logging.conf")] | sha256 }}\n',
            "",
        )
    template.write_text(text.replace(LOOP, new, 1), encoding="utf-8")
    line = text.replace(LOOP, new, 1).splitlines().index(new.splitlines()[-1]) + 1
    result = run_pytemplar("render", "shop", "-e", "prod", "-r", "service-b", cwd=tmp_path)
    assert (result.code, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{TEMPLATE}:{line}: error: [prod/service-b] " + BREAKS.split("{line}")[0])
    assert lines[0].endswith("placed here as toyaml text, breaks the YAML around it")
    assert lines[-1] == f"  hint: {hint}"
