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
    assert_template_error(tmp_path, old, new, line, message, hint)


END_OF_PRINT = "template syntax error: expected token 'end of print statement', got"
BLOCK = "{% if not values.autoscaling.enabled %}\n  replicas: {{ values.replicaCount }}\n{% endif %}\n"


@pytest.mark.parametrize(
    ("old", "new", "line", "message", "hint"),
    [
        (
            "{{ release.namespace }}",
            "{{ .Release.Namespace }}",
            6,
            "template syntax error: unexpected '.'",
            "this is Helm's Go-template syntax: in pytemplar `.Release.Namespace` is `release.namespace` "
            "(no leading dot)",
        ),
        (
            "{{ values.containerPort }}",
            "{{ .Values.containerPort }}",
            36,
            "template syntax error: unexpected '.'",
            "this is Helm's Go-template syntax: in pytemplar `.Values.` is `values.` (no leading dot)",
        ),
        (
            "labels: {{ h.labels }}\n",
            "labels: {{ h.labels | nindent 4 }}\n",
            7,
            f"{END_OF_PRINT} 'integer'",
            "a Jinja2 filter takes its arguments in parentheses (`| indent(4)`); but a map or list needs neither "
            "toyaml nor indent: write `key: {{ values.x }}` on the key's line",
        ),
        (
            BLOCK,
            "{{- if not values.autoscaling.enabled }}\n  replicas: {{ values.replicaCount }}\n{{- end }}\n",
            9,
            f"{END_OF_PRINT} 'not'",
            "`{{ if }}` is Helm's: Jinja2 writes blocks as tags, `{% if values.x %}` ... `{% endif %}`",
        ),
        (
            BLOCK,
            "  replicas: {{ values.replicaCount }}\n{{ end }}\n",
            10,
            "'end' is undefined",
            "`{{ end }}` is Helm's: Jinja2 closes blocks with `{% endif %}` or `{% endfor %}` (`{% else %}` between)",
        ),
        (
            "name: {{ h.fullname }}\n",
            'name: {{ include "microservice.fullname" . }}\n',
            5,
            f"{END_OF_PRINT} 'string'",
            "`define`/`template`/`include` are Helm's: write a macro in templates/_helpers.j2, import it with "
            "`{% import '_helpers.j2' as h with context %}` and call it: `{{ h.name() }}`",
        ),
        (
            "{{ values.containerPort }}",
            '{{ values.containerPort | default "8080" }}',
            36,
            f"{END_OF_PRINT} 'string'",
            'a Jinja2 filter takes its arguments in parentheses: `| default("x")`, `| required("message")`; '
            "no `| quote` is needed, a string stays a string",
        ),
        (
            "{{ values.containerPort }}",
            "{{ quote values.containerPort }}",
            36,
            f"{END_OF_PRINT} 'values'",
            "Helm's functions take their arguments after a space; Jinja2 pipes into filters: "
            '`{{ values.x | tojson }}`, `{{ values.x | default("y") }}` (and a map or list needs no toYaml)',
        ),
    ],
)
def test_helm_template_syntax_points_at_the_jinja2_way(
    tmp_path: Path, old: str, new: str, line: int, message: str, hint: str
) -> None:
    assert_template_error(tmp_path, old, new, line, message, hint)


def assert_template_error(tmp_path: Path, old: str, new: str, line: int, message: str, hint: str) -> None:
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
