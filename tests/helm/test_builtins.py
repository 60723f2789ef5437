"""Helm's built-ins and their pytemplar spelling render the same data: compared with real
``helm template`` on an equivalent chart."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import run_pytemplar

from .peer import chart, helm_template, needs_helm, objects, project, pytemplar_render

VALUES = """
    env:
      b_var: "2"
      B_VAR: "1"
      a_var: "3"
      _x: "4"
    names: [beta, Alpha, alpha, Beta, _z]
    kube: "1.30.2"
    image: "registry.example.com:5000/team/app:1.2.3"
"""

CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n"

FILES = {
    "config/app.conf": "port = 8080\n",
    "config/log.conf": "level = info\n",
    "config/nested/skip.conf": "not matched by *\n",
    "files/hosts.txt": "alpha\nbeta\ngamma\n",
}

HELM = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: builtins
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/settings.yaml") . | sha256sum }}
    data:
      envOrder: {{ keys .Values.env | sortAlpha | join "," | quote }}
      rangeOrder: "{{ range $k, $v := .Values.env }}{{ $k }}={{ $v }};{{ end }}"
      names: {{ .Values.names | sortAlpha | join "," | quote }}
      semverA: {{ semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion | quote }}
      semverB: {{ semverCompare "<1.31" .Values.kube | quote }}
      semverC: {{ semverCompare "^2.0.0 || ~1.30.0" .Values.kube | quote }}
      kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
      kubeMinor: {{ .Capabilities.KubeVersion.Minor | quote }}
      hasApps: {{ .Capabilities.APIVersions.Has "apps/v1" | quote }}
      hasOld: {{ .Capabilities.APIVersions.Has "extensions/v1beta1" | quote }}
      match: {{ regexMatch "^[a-z.]+(:[0-9]+)?/" .Values.image | quote }}
      find: {{ regexFind "[0-9]+\\\\.[0-9]+\\\\.[0-9]+$" .Values.image | quote }}
      findAll: {{ regexFindAll "[0-9]+" .Values.image -1 | join "," | quote }}
      replace: {{ regexReplaceAll "^([^/]+)/(.*)$" .Values.image "${2}@$1" | quote }}
      split: {{ regexSplit "[/:]" .Values.image -1 | join "," | quote }}
      appVersion: {{ .Chart.AppVersion | quote }}
      hosts: {{ .Files.Lines "files/hosts.txt" | join "," | quote }}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: files
    data:
      {{- (.Files.Glob "config/*.conf").AsConfig | nindent 2 }}
    ---
    apiVersion: v1
    kind: Secret
    metadata:
      name: files
    data:
      {{- (.Files.Glob "config/**.conf").AsSecrets | nindent 2 }}
"""

PYTEMPLAR = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: builtins
      annotations:
        checksum/config: {{ render_template("settings.yaml.j2") | sha256 }}
    data:
      envOrder: "{{ values.env.keys() | sortalpha | join(',') }}"
      rangeOrder: "{% for k, v in values.env | dictsort %}{{ k }}={{ v }};{% endfor %}"
      names: "{{ values.names | sortalpha | join(',') }}"
      semverA: "{{ semver_compare('>=1.21-0', capabilities.kube_version.git_version) | lower }}"
      semverB: "{{ semver_compare('<1.31', values.kube) | lower }}"
      semverC: "{{ semver_compare('^2.0.0 || ~1.30.0', values.kube) | lower }}"
      kubeVersion: "{{ capabilities.kube_version.version }}"
      kubeMinor: "{{ capabilities.kube_version.minor }}"
      hasApps: "{{ capabilities.api_versions.has('apps/v1') | lower }}"
      hasOld: "{{ capabilities.api_versions.has('extensions/v1beta1') | lower }}"
      match: "{{ values.image | regex_match('^[a-z.]+(:[0-9]+)?/') | lower }}"
      find: "{{ values.image | regex_find('[0-9]+\\\\.[0-9]+\\\\.[0-9]+$') }}"
      findAll: "{{ values.image | regex_find_all('[0-9]+') | join(',') }}"
      replace: "{{ values.image | regex_replace('^([^/]+)/(.*)$', '${2}@$1') }}"
      split: "{{ values.image | regex_split('[/:]') | join(',') }}"
      appVersion: "{{ app.appVersion }}"
      hosts: "{{ files.lines('files/hosts.txt') | join(',') }}"
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: files
    data: {{ files.glob('config/*.conf').as_config() }}
    ---
    apiVersion: v1
    kind: Secret
    metadata:
      name: files
    data: {{ files.glob('config/**.conf').as_secrets() }}
"""


def _both(tmp_path: Path) -> tuple[Path, Path]:
    helm_chart = chart(
        tmp_path / "helm",
        {
            "Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\nappVersion: '4.5.6'\n",
            "values.yaml": VALUES,
            "templates/builtins.yaml": HELM,
            "templates/settings.yaml": CONFIG,
            **FILES,
        },
    )
    folder = project(
        tmp_path / "pt",
        {
            "app.yaml": "name: app\nversion: 1.0.0\nappVersion: '4.5.6'\n",
            "values.yaml": VALUES,
            "templates/builtins.yaml.j2": PYTEMPLAR,
            "templates/settings.yaml.j2": CONFIG,
            **FILES,
        },
    )
    return helm_chart, folder


@needs_helm
def test_builtins_render_what_helm_renders(tmp_path: Path) -> None:
    helm_chart, folder = _both(tmp_path)
    expected = objects(helm_template(helm_chart).stdout)
    data = next(o for o in expected if o["metadata"]["name"] == "builtins")["data"]
    # What Helm does, stated independently of either implementation:
    assert data["envOrder"] == "B_VAR,_x,a_var,b_var"  # byte order: upper case, '_', lower case
    assert data["names"] == "Alpha,Beta,_z,alpha,beta"
    assert data["kubeVersion"] == "v1.35.0"  # validate's default target is 1.35 too
    assert (data["semverA"], data["semverB"], data["semverC"]) == ("true", "true", "true")
    annotation = next(o for o in expected if o["metadata"]["name"] == "builtins")["metadata"]["annotations"]
    assert annotation["checksum/config"] == hashlib.sha256(CONFIG.encode()).hexdigest()
    assert pytemplar_render(folder) == expected


@needs_helm
def test_the_checksum_follows_the_rendered_config(tmp_path: Path) -> None:
    helm_chart, folder = _both(tmp_path)
    for settings in (helm_chart / "templates" / "settings.yaml", folder.parent / "app/templates/settings.yaml.j2"):
        settings.write_text(CONFIG.replace("fast", "slow"), encoding="utf-8")
    expected = objects(helm_template(helm_chart).stdout)
    assert pytemplar_render(folder) == expected


@needs_helm
def test_release_service_names_the_tool_that_rendered(tmp_path: Path) -> None:
    template = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {by: %s}\n"
    helm_chart = chart(
        tmp_path / "helm",
        {
            "Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
            "templates/c.yaml": template % "{{ .Release.Service }}",
        },
    )
    folder = project(
        tmp_path / "pt",
        {"app.yaml": "name: app\nversion: 1.0.0\n", "templates/c.yaml.j2": template % "{{ release.service }}"},
    )
    assert objects(helm_template(helm_chart).stdout)[0]["data"] == {"by": "Helm"}
    # By design: app.kubernetes.io/managed-by names the tool that manages the objects.
    assert pytemplar_render(folder)[0]["data"] == {"by": "pytemplar"}


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "{{ h.lables() }}",
            "the helper '_helpers.j2' has no macro or variable 'lables'",
            "did you mean 'labels'? it has: labels",
        ),
        (
            "{{ files.Glob('config/*') }}",
            "'files' has no 'Glob'",
            "did you mean 'glob'? it has: exists, get, glob, lines",
        ),
        (
            "{{ files.glob('config/*').AsConfig() }}",
            "'files.glob(...)' has no 'AsConfig'",
            "did you mean 'as_config'? it has: as_config, as_secrets, get",
        ),
        (
            "{{ values.labels | toYaml }}",
            "template syntax error: No filter named 'toYaml'.",
            "write `key: {{ values.x }}` (maps and lists land whole), or use `| toyaml` for YAML text",
        ),
        (
            "{{ values.labels | nindent(4) }}",
            "template syntax error: No filter named 'nindent'.",
            "maps and lists land whole: write `key: {{ values.x }}` on the key's line, with no toYaml and no nindent",
        ),
        (
            "{{ include('x', values) }}",
            "'include' is Helm's; pytemplar has no such name",
            "import the helper and call its macro: {% import '_helpers.j2' as h with context %}, then h.name()",
        ),
    ],
)
def test_helm_habits_get_a_pointer_to_the_pytemplar_way(tmp_path: Path, line: str, message: str, hint: str) -> None:
    folder = project(
        tmp_path,
        {
            "app.yaml": "name: app\nversion: 1.0.0\n",
            "values.yaml": "labels: {a: b}\n",
            "config/a.conf": "x\n",
            "templates/_helpers.j2": "{% macro labels() %}a: b{% endmacro %}\n",
            "templates/c.yaml.j2": "{% import '_helpers.j2' as h with context %}\n"
            f'apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  x: "{line}"\n',
        },
    )
    result = run_pytemplar("render", folder, "-e", "prod")
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert lines[0].endswith(f"error: [prod/rel] {message}"), lines
    assert lines[1] == f"  hint: {hint}"
    assert "TemplateModule" not in result.stderr
