"""Null and absent values behave as in Helm: compared with real ``helm template``.

An overlay's ``null`` deletes the key; a block switched off that way needs no guard; a null
inside text is empty. Where Helm would write an empty value silently, pytemplar stops and
names the null that removed the key.
"""

from __future__ import annotations

from pathlib import Path

from conftest import run_pytemplar

from .peer import chart, helm_template, needs_helm, objects, project, pytemplar_render

pytestmark = needs_helm

DEFAULTS = """
    name: web
    opt:
      enabled: true
      size: 3
    a:
      x: 1
      z: 2
    labels:
      team: shop
    nullkey: null
"""

OVERLAY = """
    opt: null
    a:
      x: null
    labels: null
    gone: null
"""

HELM_TEMPLATE = """
    {{- if .Values.opt }}
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: optional
    data:
      size: {{ .Values.opt.size | quote }}
    {{- end }}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: main
      {{- with .Values.labels }}
      labels:
        {{- toYaml . | nindent 4 }}
      {{- end }}
    data:
      text: "pre-{{ .Values.nullkey }}-post"
      x: {{ .Values.a.x | default "none" | quote }}
      z: {{ .Values.a.z | quote }}
      gone: {{ .Values.gone | default "dflt" | quote }}
      count: {{ len (.Values.opt | default dict) | quote }}
      {{- range $k, $v := .Values.opt }}
      opt-{{ $k }}: {{ $v | quote }}
      {{- end }}
"""

PYTEMPLAR_TEMPLATE = """
    {% if values.opt %}
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: optional
    data:
      size: "{{ values.opt.size }}"
    {% endif %}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: main
    {% if values.labels %}
      labels: {{ values.labels }}
    {% endif %}
    data:
      text: "pre-{{ values.nullkey }}-post"
      x: "{{ values.a.x | default('none') }}"
      z: "{{ values.a.z }}"
      gone: "{{ values.gone | default('dflt') }}"
      count: "{{ values.opt | length }}"
    {% for k, v in (values.opt or {}).items() %}
      opt-{{ k }}: "{{ v }}"
    {% endfor %}
"""


def _pair(tmp_path: Path, pytemplar_template: str = PYTEMPLAR_TEMPLATE, helm: str = HELM_TEMPLATE) -> tuple[Path, Path]:
    helm_chart = chart(
        tmp_path / "helm",
        {
            "Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
            "values.yaml": DEFAULTS,
            "templates/cm.yaml": helm,
        },
    )
    (tmp_path / "prod.yaml").write_text(OVERLAY.replace("\n    ", "\n").lstrip(), encoding="utf-8")
    folder = project(
        tmp_path / "pt",
        {
            "app.yaml": "name: app\nversion: 1.0.0\n",
            "values.yaml": DEFAULTS,
            "templates/cm.yaml.j2": pytemplar_template,
        },
        OVERLAY,
    )
    return helm_chart, folder


def test_null_switched_blocks_render_as_helm_renders_them(tmp_path: Path) -> None:
    helm_chart, folder = _pair(tmp_path)
    expected = objects(helm_template(helm_chart, "-f", str(tmp_path / "prod.yaml")).stdout)
    assert [o["metadata"]["name"] for o in expected] == ["main"]  # the optional block is off
    assert expected[0]["data"]["text"] == "pre--post"
    assert pytemplar_render(folder) == expected


def test_without_the_overlay_both_render_the_defaults(tmp_path: Path) -> None:
    helm_chart, folder = _pair(tmp_path)
    (folder / "envs" / "prod.yaml").unlink()
    expected = objects(helm_template(helm_chart).stdout)
    assert [o["metadata"]["name"] for o in expected] == ["main", "optional"]
    assert pytemplar_render(folder) == expected


def test_reading_into_a_removed_key_names_the_null_that_removed_it(tmp_path: Path) -> None:
    helm_chart, folder = _pair(
        tmp_path,
        'kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\ndata:\n  size: "{{ values.opt.size }}"\n',
        'kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\ndata:\n  size: "{{ .Values.opt.size }}"\n',
    )
    helm = helm_template(helm_chart, "-f", str(tmp_path / "prod.yaml"), check=False)
    assert helm.returncode == 1 and "nil pointer evaluating interface {}.size" in helm.stderr
    result = run_pytemplar("render", folder, "-e", "prod")
    assert result.code == 1
    template = tmp_path / "pt" / "app" / "templates" / "cm.yaml.j2"
    overlay = folder / "envs" / "prod.yaml"
    assert result.stderr.splitlines()[:2] == [
        f"{template}:5: error: [prod/rel] 'values.opt' is removed by the null at {overlay}:1:6, so it has no 'size'",
        "  hint: test it first ({% if ... %}), give it a '| default(...)', or set it in a higher layer",
    ]


def test_printing_a_removed_key_is_an_error_where_helm_writes_an_empty_value(tmp_path: Path) -> None:
    helm_chart, folder = _pair(
        tmp_path,
        "kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\ndata:\n  x: {{ values.a.x }}\n",
        "kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\ndata:\n  x: {{ .Values.a.x }}\n",
    )
    assert objects(helm_template(helm_chart, "-f", str(tmp_path / "prod.yaml")).stdout)[0]["data"] == {"x": None}
    result = run_pytemplar("render", folder, "-e", "prod")
    assert result.code == 1
    overlay = folder / "envs" / "prod.yaml"
    assert f"'values.a.x' is removed by the null at {overlay}:3:6" in result.stderr.splitlines()[0]


def test_required_of_a_removed_key_says_which_null_removed_it(tmp_path: Path) -> None:
    _, folder = _pair(
        tmp_path,
        "kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\ndata:\n"
        "  x: \"{{ values.a.x | required('a.x is needed') }}\"\n",
    )
    result = run_pytemplar("render", folder, "-e", "prod")
    assert result.code == 1
    overlay = folder / "envs" / "prod.yaml"
    assert result.stderr.splitlines()[0].endswith(
        f"error: [prod/rel] a.x is needed ('values.a.x' is removed by the null at {overlay}:3:6)"
    )


def test_a_misspelt_key_is_still_an_error_in_a_test(tmp_path: Path) -> None:
    _, folder = _pair(tmp_path, "{% if values.optt %}\nkind: ConfigMap\n{% endif %}\n")
    result = run_pytemplar("render", folder, "-e", "prod")
    assert result.code == 1
    assert "'values.optt' is undefined" in result.stderr


def test_a_key_the_schema_names_may_be_left_unset_as_in_helm(tmp_path: Path) -> None:
    helm_chart, folder = _pair(
        tmp_path,
        "kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n"
        "data:\n  extra: \"{{ values.extra | default('no') }}\"\n{% if values.tls %}\n  tls: 'on'\n{% endif %}\n",
        "kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n"
        'data:\n  extra: {{ .Values.extra | default "no" | quote }}\n'
        "{{- if .Values.tls }}\n  tls: 'on'\n{{- end }}\n",
    )
    (folder.parent / "app" / "values.schema.json").write_text(
        '{"type": "object", "properties": {"extra": {"type": "string"}, "tls": {"type": "object"}}}',
        encoding="utf-8",
    )
    expected = objects(helm_template(helm_chart, "-f", str(tmp_path / "prod.yaml")).stdout)
    assert expected[0]["data"] == {"extra": "no"}
    assert pytemplar_render(folder) == expected
