"""Values that Helm reads otherwise (YAML 1.1, numbers as float64) are warned about, naming the
file:line and both readings; real ``helm template`` shows Helm's reading."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_pytemplar

from .peer import chart, helm_template, needs_helm, objects, project

VALUES = """
    enabled: yes
    mode: on
    letter: n
    octal: 012
    underscored: 1_000
    binary: 0b11
    ratio: 1.0
    thousand: 1e3
    plain: 12
    decimal: 1.5
    quoted: "yes"
    word: yesterday
"""

KEYS = [
    "enabled",
    "mode",
    "letter",
    "octal",
    "underscored",
    "binary",
    "ratio",
    "thousand",
    "plain",
    "decimal",
    "quoted",
]


def _helm_reading(tmp_path: Path) -> dict[str, str]:
    lines = "".join(f'  {key}: {{{{ printf "%v" .Values.{key} | quote }}}}\n' for key in KEYS)
    folder = chart(
        tmp_path,
        {
            "Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
            "values.yaml": VALUES,
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n" + lines,
        },
    )
    return objects(helm_template(folder).stdout)[0]["data"]  # type: ignore[no-any-return]


@needs_helm
def test_each_warning_states_what_helm_reads(tmp_path: Path) -> None:
    helm = _helm_reading(tmp_path / "helm")
    assert helm == {
        "enabled": "true",
        "mode": "true",
        "letter": "false",
        "octal": "10",
        "underscored": "1000",
        "binary": "3",
        "ratio": "1",
        "thousand": "1000",
        "plain": "12",
        "decimal": "1.5",
        "quoted": "yes",
    }
    folder = project(
        tmp_path / "pt",
        {
            "app.yaml": "name: app\nversion: 1.0.0\n",
            "values.yaml": VALUES,
            "templates/cm.yaml.j2": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n"
            + "".join(f'  {key}: "{{{{ values.{key} }}}}"\n' for key in KEYS),
        },
    )
    result = run_pytemplar("render", folder, "-e", "prod")
    assert result.code == 0, result.stderr
    values = tmp_path / "pt" / "app" / "values.yaml"
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    expected = {
        "enabled": (1, 'yes is the string "yes" here (YAML 1.2), but Helm reads it as the boolean true'),
        "mode": (2, 'on is the string "on" here (YAML 1.2), but Helm reads it as the boolean true'),
        "letter": (3, 'n is the string "n" here (YAML 1.2), but Helm reads it as the boolean false'),
        "octal": (4, "012 is the number 12 here (YAML 1.2), but Helm reads it as the number 10"),
        "underscored": (5, '1_000 is the string "1_000" here (YAML 1.2), but Helm reads it as the number 1000'),
        "binary": (6, '0b11 is the string "0b11" here (YAML 1.2), but Helm reads it as the number 3'),
        "ratio": (7, "1.0 is the number 1.0 here (YAML 1.2), but Helm reads it as the number 1"),
        "thousand": (8, "1e3 is the number 1000.0 here (YAML 1.2), but Helm reads it as the number 1000"),
    }
    assert len(warnings) == len(expected), result.stderr
    for key, (line, text) in expected.items():
        column = 3 + len(key)
        assert f"{values}:{line}:{column}: warning: [prod/rel] values.{key}: {text} (YAML 1.1)" in warnings
        # Helm's reading, as the warning states it, is what helm template wrote.
        stated = text.rsplit(" ", 1)[-1]
        assert helm[key] == stated


def test_the_hint_says_how_to_write_either_meaning(tmp_path: Path) -> None:
    folder = project(
        tmp_path,
        {
            "app.yaml": "name: app\nversion: 1.0.0\n",
            "values.yaml": "enabled: true\n",
            "templates/cm.yaml.j2": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
            "data: {a: '{{ values.enabled }}'}\n",
        },
        "enabled: yes\n",
    )
    result = run_pytemplar("render", folder, "-e", "prod")
    assert result.code == 0
    assert result.stderr.splitlines()[:2] == [
        f'{folder}/envs/prod.yaml:1:10: warning: [prod/rel] values.enabled: yes is the string "yes" here (YAML 1.2),'
        " but Helm reads it as the boolean true (YAML 1.1)",
        '  hint: write true for a boolean, or "yes" for text',
    ]


def test_a_schema_that_allows_one_reading_settles_it(tmp_path: Path) -> None:
    folder = project(
        tmp_path,
        {
            "app.yaml": "name: app\nversion: 1.0.0\n",
            "values.yaml": "mode: on\nmask: 0644\ncount: 012\n",
            "values.schema.json": '{"type": "object", "properties": {"mode": {"type": "string"},'
            ' "mask": {"type": "string"}, "count": {"type": "integer"}}}',
            "templates/cm.yaml.j2": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
            "data: {a: '{{ values.mode }}{{ values.mask }}{{ values.count }}'}\n",
        },
    )
    result = run_pytemplar("render", folder, "-e", "prod")
    assert result.code == 0
    # mode is text by the schema: no warning; mask keeps its text (warned to quote it);
    # count is an integer either way, so the two readings still differ: warned.
    assert "values.mode" not in result.stderr
    assert "values.count: 012 is the number 12 here (YAML 1.2), but Helm reads it as the number 10" in result.stderr


KEY_VALUES = """
k1:
  on: x
k2:
  off: x
k3:
  y: x
k4:
  n: x
k5:
  yes: x
k6:
  no: x
k7:
  "on": x
k8:
  ontario: x
"""


@needs_helm
def test_a_key_helm_reads_as_a_boolean_is_warned_with_helms_name_for_it(tmp_path: Path) -> None:
    folder = chart(
        tmp_path / "helm",
        {
            "Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n",
            "values.yaml": KEY_VALUES,
            "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
            "data: {values: {{ .Values | toJson | quote }}}\n",
        },
    )
    helm = json.loads(objects(helm_template(folder).stdout)[0]["data"]["values"])
    helm_keys = {name: list(inner) for name, inner in helm.items()}
    assert helm_keys == {
        "k1": ["true"],
        "k2": ["false"],
        "k3": ["true"],
        "k4": ["false"],
        "k5": ["true"],
        "k6": ["false"],
        "k7": ["on"],
        "k8": ["ontario"],
    }
    app = {
        "app.yaml": "name: app\nversion: 1.0.0\n",
        "values.yaml": KEY_VALUES,
        "templates/cm.yaml.j2": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
        "data: {k1: '{{ values.k1.on }}'}\n",
    }
    result = run_pytemplar("render", project(tmp_path / "pt", app), "-e", "prod")
    assert result.code == 0, result.stderr
    values = tmp_path / "pt" / "app" / "values.yaml"
    lines = result.stderr.splitlines()
    warned = {}
    for index, line in enumerate(lines):
        if "warning:" in line:
            where, message = line.split(": warning: [prod/rel] ", 1)
            warned[message.split(":", 1)[0]] = (where, message, lines[index + 1])
    assert sorted(warned) == [f"values.k{n}.{key}" for n, key in enumerate(["on", "off", "y", "n", "yes", "no"], 1)]
    for n, key in enumerate(["on", "off", "y", "n", "yes", "no"], 1):
        where, message, hint = warned[f"values.k{n}.{key}"]
        helm_name = helm_keys[f"k{n}"][0]
        assert where == f"{values}:{2 * n}:3"
        assert message == (
            f'values.k{n}.{key}: the key {key} is the text "{key}" here (YAML 1.2), but Helm reads it as'
            f' the boolean {helm_name} and names the key "{helm_name}" (YAML 1.1)'
        )
        assert hint == f'  hint: quote the key so that both read the text: "{key}":'
