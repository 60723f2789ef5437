"""`pytemplar import helm`: a chart written the way public charts are, imported, then rendered
by `pytemplar render APP` and compared with `helm template` on the chart itself."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import run_pytemplar
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from peers import KUBECTL

from .peer import HELM, chart, helm_template, needs_helm, objects

CHART = {
    "Chart.yaml": """
        apiVersion: v2
        name: shop
        description: A web shop
        version: 1.2.3
        appVersion: "2.0.1"
    """,
    "values.yaml": """
        replicaCount: 2
        nameOverride: ""
        fullnameOverride: ""
        image:
          repository: ghcr.io/acme/shop
          tag: ""
        podAnnotations: {}
        podLabels:
          tier: web
        resources:
          limits: {cpu: 500m}
        env:
          LOG_LEVEL: info
          A_FLAG: "on"
        extraVolumes: []
        ports: [8080, 9090]
        ingress:
          enabled: false
          host: shop.example.com
        config:
          mode: fast
          workers: 4
        mode: blue
    """,
    "templates/_helpers.tpl": """
        {{/* The chart name. */}}
        {{- define "shop.name" -}}
        {{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
        {{- end }}

        {{- define "shop.fullname" -}}
        {{- if .Values.fullnameOverride }}
        {{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
        {{- else }}
        {{- $name := default .Chart.Name .Values.nameOverride }}
        {{- if contains $name .Release.Name }}
        {{- .Release.Name | trunc 63 | trimSuffix "-" }}
        {{- else }}
        {{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
        {{- end }}
        {{- end }}
        {{- end }}

        {{- define "shop.selectorLabels" -}}
        app.kubernetes.io/name: {{ include "shop.name" . }}
        app.kubernetes.io/instance: {{ .Release.Name }}
        {{- end }}

        {{- define "shop.labels" -}}
        helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
        {{ include "shop.selectorLabels" . }}
        {{- if .Chart.AppVersion }}
        app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
        {{- end }}
        {{- end }}
    """,
    "templates/configmap.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ include "shop.fullname" . }}
          labels:
            {{- include "shop.labels" . | nindent 4 }}
        data:
          mode: {{ .Values.config.mode | quote }}
          workers: {{ .Values.config.workers | quote }}
          app.conf: |
            {{- range $key, $value := .Values.config }}
            {{ $key }} = {{ $value }}
            {{- end }}
    """,
    "templates/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "shop.fullname" . }}
          labels:
            {{- include "shop.labels" . | nindent 4 }}
        spec:
          replicas: {{ .Values.replicaCount }}
          selector:
            matchLabels:
              {{- include "shop.selectorLabels" . | nindent 6 }}
          template:
            metadata:
              annotations:
                checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
                {{- with .Values.podAnnotations }}
                {{- toYaml . | nindent 8 }}
                {{- end }}
              labels:
                {{- include "shop.selectorLabels" . | nindent 8 }}
                {{- with .Values.podLabels }}
                {{- toYaml . | nindent 8 }}
                {{- end }}
            spec:
              containers:
                - name: {{ .Chart.Name }}
                  image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
                  env:
                    {{- range $name, $value := .Values.env }}
                    - name: {{ $name }}
                      value: {{ $value | quote }}
                    {{- end }}
                  ports:
                    {{- range $i, $port := .Values.ports }}
                    - name: {{ printf "port-%d" $i }}
                      containerPort: {{ $port }}
                    {{- end }}
                  {{- with .Values.resources }}
                  resources:
                    {{- toYaml . | nindent 12 }}
                  {{- end }}
                  {{- if eq .Values.mode "blue" }}
                  args: ["--colour", "blue"]
                  {{- else if eq .Values.mode "green" }}
                  args: ["--colour", "green"]
                  {{- else }}
                  args: []
                  {{- end }}
              {{- with .Values.extraVolumes }}
              volumes:
                {{- toYaml . | nindent 8 }}
              {{- end }}
    """,
    "templates/ingress.yaml": """
        {{- if .Values.ingress.enabled -}}
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: {{ include "shop.fullname" . }}
          annotations:
            owner: {{ required "ingress.host is required" .Values.ingress.host | quote }}
        spec:
          rules:
            - host: {{ .Values.ingress.host }}
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: {{ include "shop.fullname" . }}
                        port:
                          number: 80
        {{- end }}
    """,
    "templates/secret.yaml": """
        {{- $old := lookup "v1" "Secret" .Release.Namespace "shop" }}
        apiVersion: v1
        kind: Secret
        metadata:
          name: shop-secret
    """,
    "templates/NOTES.txt": "Visit http://{{ .Values.ingress.host }}\n",
}


def _import(tmp_path: Path, source: Path) -> tuple[Path, str]:
    result = run_pytemplar("import", "helm", source, "-d", tmp_path / "apps")
    assert result.code == 0, result.stderr
    return tmp_path / "apps" / "shop", result.stderr


def _import_whole(tmp_path: Path, source: Path, name: str) -> Path:
    """The chart imported with nothing left for a hand."""
    result = run_pytemplar("import", "helm", source, "-d", tmp_path / "apps")
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "every template was translated; compare `pytemplar render` with `helm template`"
    )
    return tmp_path / "apps" / name


@needs_helm
def test_an_imported_chart_renders_what_helm_renders(tmp_path: Path) -> None:
    source = chart(tmp_path, CHART)
    app, report = _import(tmp_path, source)
    apps = tmp_path / "apps"
    assert report.splitlines() == [
        f"imported 4 templates into {apps}/shop",
        "  left out templates/NOTES.txt: NOTES.txt: pytemplar prints no notes; put them in the app's README",
        f"{apps}/shop/templates/secret.yaml.j2:2: TODO(import): the function `lookup`: "
        '{{- $old := lookup "v1" "Secret" .Release.Namespace "shop" }}',
        "1 places need a hand",
    ]
    # Until the marked line is translated, a render that reaches it stops there: rendering
    # nothing in its place would give objects that differ from Helm's without a word.
    stopped = run_pytemplar("render", app, "--release-name", "prod")
    assert (stopped.code, stopped.stdout) == (1, "")
    assert stopped.stderr.splitlines() == [
        f"{app}/templates/secret.yaml.j2:2: error: [default/prod] import helm could not translate this line"
        " (the function `lookup`), so it cannot render yet",
        "  hint: translate the Helm template in the TODO(import) comment beside it into Jinja2, then delete the"
        " import_todo(...) call",
    ]
    secret = app / "templates" / "secret.yaml.j2"
    secret.write_text("".join(line for line in secret.read_text().splitlines(True) if "TODO(import)" not in line))
    for extra in ([], ["--set", "ingress.enabled=true", "--set", "mode=green", "--set", "nameOverride=store"]):
        expected = objects(helm_template(source, *extra, release="prod").stdout)
        rendered = run_pytemplar("render", app, "--release-name", "prod", *extra)
        assert rendered.code == 0, rendered.stderr
        got = objects(rendered.stdout)
        # The checksum is of each tool's own rendered text of the ConfigMap, so it differs by design;
        # it changes whenever the ConfigMap does (tests/helm/test_builtins.py).
        for objs in (expected, got):
            for obj in objs:
                obj.get("spec", {}).get("template", {}).get("metadata", {}).get("annotations", {}).pop(
                    "checksum/config", None
                )
        assert got == expected


def test_the_app_gets_its_metadata_values_and_a_drafted_schema(tmp_path: Path) -> None:
    app, _ = _import(tmp_path, chart(tmp_path, CHART))
    assert (app / "app.yaml").read_text().splitlines()[1:] == [
        'name: "shop"',
        'version: "1.2.3"',
        'description: "A web shop"',
        'appVersion: "2.0.1"',
    ]
    assert (app / "values.yaml").read_text() == (tmp_path / "chart" / "values.yaml").read_text()
    import json

    schema = json.loads((app / "values.schema.json").read_text())
    assert schema["properties"]["replicaCount"] == {"type": "integer"}
    assert schema["properties"]["ingress"]["properties"]["enabled"] == {"type": "boolean"}
    assert not (app / "templates" / "NOTES.txt").exists()


def test_a_required_value_stays_required(tmp_path: Path) -> None:
    app, _ = _import(tmp_path, chart(tmp_path, CHART))
    result = run_pytemplar("render", app, "--set", "ingress.enabled=true", "--set", "ingress.host=")
    assert result.code == 1
    assert "ingress.host is required" in result.stderr.splitlines()[0]


@needs_helm
def test_a_packaged_chart_imports_like_its_folder(tmp_path: Path) -> None:
    source = chart(tmp_path, CHART)
    assert HELM is not None
    subprocess.run([HELM, "package", str(source), "-d", str(tmp_path / "dist")], check=True, capture_output=True)
    from_folder, _ = _import(tmp_path / "a", source)
    from_archive, _ = _import(tmp_path / "b", tmp_path / "dist" / "shop-1.2.3.tgz")
    for file in sorted(p.relative_to(from_folder) for p in from_folder.rglob("*") if p.is_file()):
        assert (from_archive / file).read_text() == (from_folder / file).read_text(), file


def test_an_existing_folder_is_not_overwritten(tmp_path: Path) -> None:
    source = chart(tmp_path, CHART)
    (tmp_path / "apps" / "shop").mkdir(parents=True)
    result = run_pytemplar("import", "helm", source, "-d", tmp_path / "apps")
    assert result.code == 2
    assert result.stderr.splitlines()[0] == f"error: '{tmp_path}/apps/shop' already exists; nothing was written"


def test_a_folder_without_chart_yaml_is_refused(tmp_path: Path) -> None:
    result = run_pytemplar("import", "helm", tmp_path)
    assert result.code == 2
    assert result.stderr.splitlines()[0] == f"error: '{tmp_path}' is not a Helm chart: it has no Chart.yaml"


TPL_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: tplc\nversion: 0.1.0\n",
    "values.yaml": """
        # names rendered by tpl
        fullnameOverride: "{{ .Release.Name }}-web"
        configTemplate: "release={{ .Release.Name }} ns={{ .Release.Namespace }}"
        podAnnotations:
          owner: "{{ .Release.Name }}-team"  # who to call
          plain: text
        extraEnv:
          - name: SELF
            value: '{{ include "tplc.fullname" . }}'
        untouched: "{{ not rendered }}"
    """,
    "templates/_helpers.tpl": """
        {{- define "tplc.fullname" -}}
        {{- tpl .Values.fullnameOverride $ | trunc 63 -}}
        {{- end }}
    """,
    "templates/cm.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ include "tplc.fullname" . }}
          {{- with .Values.podAnnotations }}
          annotations:
            {{- tpl (toYaml .) $ | nindent 4 }}
          {{- end }}
        data:
          config: {{ tpl .Values.configTemplate . | quote }}
          untouched: {{ .Values.untouched | quote }}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
            - name: c
              image: busybox:1.36
              env:
                {{- tpl (toYaml .Values.extraEnv) . | nindent 8 }}
    """,
}


@needs_helm
def test_tpl_renders_the_translated_defaults_as_helm_renders_the_chart(tmp_path: Path) -> None:
    source = chart(tmp_path, TPL_CHART)
    result = run_pytemplar("import", "helm", source, "-d", tmp_path / "apps")
    assert result.code == 0, result.stderr
    app = tmp_path / "apps" / "tplc"
    note = (
        "tpl renders values written in Jinja2 ({{ release.name }}, not {{ .Release.Name }}): the chart's defaults"
        " are translated; translate the values files you pass to it"
    )
    assert result.stderr.splitlines() == [
        f"imported 1 templates into {tmp_path}/apps/tplc",
        f"  note: {app}/templates/cm.yaml.j2: {note}",
        f"  note: {app}/templates/_helpers.j2: {note}",
        "every template was translated; compare `pytemplar render` with `helm template`",
    ]
    # The defaults tpl renders are translated in place; comments and the value tpl never sees are kept.
    assert (app / "values.yaml").read_text().splitlines() == [
        "# names rendered by tpl",
        'fullnameOverride: "{{ release.name }}-web"',
        'configTemplate: "release={{ release.name }} ns={{ release.namespace }}"',
        "podAnnotations:",
        '  owner: "{{ release.name }}-team"  # who to call',
        "  plain: text",
        "extraEnv:",
        "  - name: SELF",
        "    value: '{{ (h.tplc_fullname() | fromyaml) }}'",
        'untouched: "{{ not rendered }}"',
    ]
    expected = objects(helm_template(source, "-n", "ns", release="rel").stdout)
    rendered = run_pytemplar("render", app, "--release-name", "rel", "-n", "ns")
    assert rendered.code == 0, rendered.stderr
    assert objects(rendered.stdout) == expected
    assert expected[0]["metadata"]["annotations"]["owner"] == "rel-team"


def test_a_helm_template_in_a_values_file_given_to_tpl_is_an_error_that_says_what_to_write(tmp_path: Path) -> None:
    source = chart(tmp_path, TPL_CHART)
    assert run_pytemplar("import", "helm", source, "-d", tmp_path / "apps").code == 0
    mine = tmp_path / "mine.yaml"
    mine.write_text('configTemplate: "r={{ .Release.Name }}"\n')
    result = run_pytemplar("render", tmp_path / "apps" / "tplc", "--release-name", "rel", "-f", mine)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path}/apps/tplc/templates/cm.yaml.j2:8: error: [default/rel] tpl: the text of values.configTemplate"
        " is not a template: unexpected '.' in \"r={{ .Release.Name }}\"",
        "  hint: tpl renders Jinja2: write {{ release.name }} where Helm has {{ .Release.Name }}, values.x for"
        " .Values.x",
    ]


def test_what_tpl_cannot_take_over_is_marked(tmp_path: Path) -> None:
    source = chart(
        tmp_path,
        {
            "Chart.yaml": "apiVersion: v2\nname: tplc\nversion: 0.1.0\n",
            "values.yaml": """
                owner: '{{ (lookup "v1" "Namespace" "" "x").metadata.name }}'
                items: [{name: a, text: "{{ .name }}"}]
            """,
            "templates/cm.yaml": """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c}
                data:
                  owner: {{ tpl .Values.owner $ | quote }}
                  {{- range .Values.items }}
                  {{ .name }}: {{ tpl .text . | quote }}
                  {{- end }}
            """,
        },
    )
    result = run_pytemplar("import", "helm", source, "-d", tmp_path / "apps")
    assert result.code == 0, result.stderr
    apps = tmp_path / "apps"
    assert result.stderr.splitlines()[-3:] == [
        f"{apps}/tplc/values.yaml:1: TODO(import): tpl renders owner, a Go template kept as written:"
        " the function `lookup`",
        f"{apps}/tplc/templates/cm.yaml.j2:6: TODO(import): tpl with a context other than the root: the text would"
        " read that value as `.`: {{ tpl .text . | quote }}",
        "2 places need a hand",
    ]


IDIOMS_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: idioms\nversion: 0.1.0\n",
    "values.yaml": """
        global:
          image:
            registry: registry.example.com
        image:
          image: web
          tag: "1.0"
          digest: ""
        extraArgs: {}
        autoscaling: {enabled: false, minReplicas: 3}
        replicaCount: 1
        routes:
          main:
            rules: [{path: /a}]
          admin:
            rules: {path: /admin}
    """,
    "templates/cm.yaml": """
        {{- $replicas := .Values.replicaCount }}
        {{- if .Values.autoscaling.enabled }}
        {{- $replicas = .Values.autoscaling.minReplicas }}
        {{- end }}
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: idioms
        data:
          replicas: {{ $replicas | quote }}
          {{- with (merge .Values.image .Values.global.image) }}
          image: "{{ .registry }}/{{ .image }}:{{ .tag }}{{ if .digest }}@{{ .digest }}{{ end }}"
          {{- end }}
          {{- if ne (index .Values.extraArgs "update-status") "false" }}
          status: "updated"
          {{- end }}
        {{- range $name, $route := .Values.routes }}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ $name }}
        data:
          rules:
            {{- toYaml $route.rules | nindent 4 }}
        {{- end }}
    """,
}


@needs_helm
def test_merge_index_a_changed_variable_and_a_map_or_list_render_as_in_helm(tmp_path: Path) -> None:
    source = chart(tmp_path, IDIOMS_CHART)
    app = _import_whole(tmp_path, source, "idioms")
    overrides = tmp_path / "prod.yaml"
    overrides.write_text(
        "image: {digest: null, registry: mine.example.com}\n"
        "extraArgs: {update-status: 'false'}\n"
        "autoscaling: {enabled: true}\n"
    )
    for extra in ([], ["-f", str(overrides)]):
        expected = objects(helm_template(source, *extra, release="rel").stdout)
        rendered = run_pytemplar("render", app, "--release-name", "rel", *extra)
        assert rendered.code == 0, rendered.stderr
        assert objects(rendered.stdout) == expected
    by_name = {obj["metadata"]["name"]: obj["data"] for obj in expected}
    assert by_name["idioms"] == {"replicas": "3", "image": "mine.example.com/web:1.0"}
    assert by_name["admin"] == {"rules": {"path": "/admin"}} and by_name["main"] == {"rules": [{"path": "/a"}]}


PARAMETERS_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: params\nversion: 0.1.0\n",
    "values.yaml": """
        image:
          repository: web
          tag: "1.0"
          chroot: false
        tcp:
          9000: "default/db:5432"
        ingress:
          className: ""
        extraRelabelings: []
        defaults:
          relabelings: [{action: keep}]
        job:
          ttl: 30
        config:
          LOG_LEVEL: info
          mode: "on"
        issuer: {kind: ClusterIssuer, name: letsencrypt}
        extraObjects: []
    """,
    "templates/_helpers.tpl": """
        {{- define "params.image" -}}
        {{- if .chroot -}}
        {{- printf "%s-chroot" .repository -}}
        {{- else -}}
        {{- .repository -}}
        {{- end -}}
        {{- end -}}

        {{- define "params.name" -}}
        {{ .ctx.Release.Name }}-{{ .suffix }}
        {{- end -}}

        {{- define "params.labels" -}}
        app: {{ include "params.name" (dict "ctx" .ctx "suffix" "web") }}
        chart: {{ $.ctx.Chart.Name }}
        {{- end -}}
    """,
    "templates/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "params.name" (dict "ctx" $ "suffix" "web") }}
          labels:
            {{- include "params.labels" (dict "ctx" $) | nindent 4 }}
        spec:
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: "{{ include "params.image" .Values.image }}:{{ .Values.image.tag }}"
                  ports:
                    {{- range $port, $target := .Values.tcp }}
                    - name: tcp-{{ $port }}
                      containerPort: {{ $port }}
                    {{- end }}
    """,
    "templates/configmap.yaml": """
        {{- $hooks := dict "preInstall" "pre-install" "postDelete" "post-delete" }}
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: cfg
        data:
          {{- range $name, $hook := $hooks }}
          {{ $name }}: {{ $hook }}
          {{- end }}
          {{- range $index, $item := .Values.defaults.relabelings }}
          item-{{ $index }}: {{ $item.action }}
          {{- end }}
          {{- range $key, $value := .Values.config }}
          {{- $key | nindent 2 }}: {{ $value | quote }}
          {{- end }}
          {{- range $port, $target := .Values.tcp }}
          {{ $port | quote }}: {{ $target | quote }}
          {{- end }}
          {{- if concat .Values.extraRelabelings .Values.defaults.relabelings }}
          relabelings: {{ len (concat .Values.extraRelabelings .Values.defaults.relabelings) | quote }}
          {{- end }}
          {{- if kindIs "float64" .Values.job.ttl }}
          ttl: {{ .Values.job.ttl | quote }}
          {{- end }}
    """,
    "templates/ingress.yaml": """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
        spec:
          ingressClassName: {{ .Values.ingress.className }}
          defaultBackend:
            service:
              name: web
              port:
                number: 80
    """,
    "templates/certificate.yaml": """
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata:
          name: web
        spec:
          secretName: web-tls
          issuerRef:
            {{- .Values.issuer | toYaml | trimSuffix "\\n" | nindent 4 }}
    """,
    "templates/extra.yaml": """
        {{- range .Values.extraObjects }}
        ---
        {{ tpl (. | toYaml | nindent 0) $ }}
        {{- end }}
    """,
}


@needs_helm
def test_helpers_given_another_value_and_text_read_back_as_helm_output_is(tmp_path: Path) -> None:
    source = chart(tmp_path, PARAMETERS_CHART)
    app = _import_whole(tmp_path, source, "params")
    helpers = (app / "templates" / "_helpers.j2").read_text()
    assert "{% macro params_image(dot) %}" in helpers  # include gives it .Values.image
    assert "{% macro params_name(dot) %}" in helpers and "{% macro params_labels(dot) %}" in helpers
    overrides = tmp_path / "prod.yaml"
    overrides.write_text(
        "tcp:\n  9001: default/cache:6379\n"  # an integer key, as Helm takes it: the text 9001
        "image: {chroot: true}\n"
        "extraRelabelings: [{action: drop}]\n"
        "extraObjects: [{apiVersion: v1, kind: ConfigMap, metadata: {name: extra}, data: {a: b}}]\n"
    )
    runs = []
    for extra in ([], ["-f", str(overrides), "--set", "ingress.className=nginx"]):
        expected = objects(helm_template(source, *extra, release="rel").stdout)
        rendered = run_pytemplar("render", app, "--release-name", "rel", *extra)
        assert rendered.code == 0, rendered.stderr
        assert objects(rendered.stdout) == expected
        runs.append({obj["kind"]: obj for obj in expected})
    by_kind, overridden = runs
    # What the comparison covers: an empty text alone on a line is null; a map key placed as a
    # port is the number; the macros read the image map and the root context given in a dict.
    assert by_kind["Ingress"]["spec"]["ingressClassName"] is None
    container = by_kind["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["ports"] == [{"name": "tcp-9000", "containerPort": 9000}]
    assert container["image"] == "web:1.0"
    assert by_kind["Deployment"]["metadata"]["labels"] == {"app": "rel-web", "chart": "params"}
    ports = overridden["Deployment"]["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert [port["containerPort"] for port in ports] == [9000, 9001]
    assert overridden["Deployment"]["spec"]["template"]["spec"]["containers"][0]["image"] == "web-chroot:1.0"
    configmaps = [
        obj["data"] for obj in objects(helm_template(source, "-f", str(overrides)).stdout) if obj["kind"] == "ConfigMap"
    ]
    assert configmaps[0]["relabelings"] == "2" and configmaps[1] == {"a": "b"}  # cfg, then the extra object
    assert configmaps[0]["postDelete"] == "post-delete" and configmaps[0]["item-0"] == "keep"


# Texts a values file may hold, in the forms YAML readers disagree on: words, signs, prefixes,
# leading zeros, underscores, dots, exponents.
_WORDS = ["", "yes", "No", "on", "OFF", "y", "n", "~", "null", "true", "False", "012", "09", "0x1F", "0o17"]
_WORDS += ["0b101", "1_000", "1e3", "1.5", ".5", "-7", "+3", "9000", "00", "1.0", "-", "web", "a,b", "1:30"]
TEXTS = st.one_of(st.sampled_from(_WORDS), st.text(alphabet="0123456789.-+_xobeEyYnN", min_size=1, max_size=6))


def _kubectl_reads(stream: str, folder: Path) -> list[Any]:
    """What Kubernetes takes from each object of a stream: kubectl's JSON of it."""
    assert KUBECTL is not None
    (folder / "objects.yaml").write_text(stream, encoding="utf-8")
    done = subprocess.run(
        [KUBECTL, "label", "--local", "-f", str(folder / "objects.yaml"), "x=y", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    return [item["spec"] for item in found.get("items", [found])]


@needs_helm
@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH (scripts/get-kubectl.sh)")
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXTS, min_size=1, max_size=30))
def test_a_text_placed_as_a_whole_value_means_to_kubernetes_what_helm_output_means(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    """The oracle is real Helm output read by real kubectl; the texts reach both as strings."""
    tmp_path = tmp_path_factory.mktemp("texts")
    source = chart(
        tmp_path,
        {
            "Chart.yaml": "apiVersion: v2\nname: texts\nversion: 0.1.0\n",
            "values.yaml": "texts: " + json.dumps(texts) + "\n",
            "templates/example.yaml": """
                apiVersion: example.com/v1
                kind: Example
                metadata:
                  name: texts
                spec:
                  items:
                    {{- range .Values.texts }}
                    - {{ . }}
                    {{- end }}
                  byIndex:
                    {{- range $index, $text := .Values.texts }}
                    i{{ $index }}: {{ $text }}
                    {{- end }}
            """,
        },
    )
    expected = helm_template(source, check=False)
    assume(expected.returncode == 0)  # a lone `-` written as an item is a YAML error to Helm
    assert run_pytemplar("import", "helm", source, "-d", tmp_path / "apps").code == 0
    rendered = run_pytemplar("render", tmp_path / "apps" / "texts", "--release-name", "rel")
    assert rendered.code == 0, rendered.stderr
    assert _kubectl_reads(rendered.stdout, tmp_path) == _kubectl_reads(expected.stdout, tmp_path)


HTPASSWD_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: auth\nversion: 0.1.0\n",
    "values.yaml": """
        basicAuthUsers:
          job: A7ERGdgwLHnY
          admin: "s3cret: yes"
    """,
    "templates/_helpers.tpl": """
        {{- define "auth.webConfig" -}}
        basic_auth_users:
        {{- range $user, $password := .Values.basicAuthUsers }}
          {{ $user }}: {{ htpasswd "" $password | trimPrefix ":" }}
        {{- end }}
        {{- end }}
    """,
    "templates/secret.yaml": """
        apiVersion: v1
        kind: Secret
        metadata:
          name: web-config
        data:
          web-config.yaml: {{ include "auth.webConfig" . | b64enc }}
          line: {{ htpasswd "job" .Values.basicAuthUsers.job | b64enc }}
    """,
}


@needs_helm
def test_htpasswd_hashes_check_against_the_password_and_render_the_same_bytes_each_time(tmp_path: Path) -> None:
    import base64

    import bcrypt
    import yaml

    source = chart(tmp_path, HTPASSWD_CHART)
    app = _import_whole(tmp_path, source, "auth")
    rendered = [run_pytemplar("render", app, "--release-name", "rel") for _ in range(2)]
    assert rendered[0].code == 0, rendered[0].stderr
    assert rendered[0].stdout == rendered[1].stdout  # Helm salts at random: each of its renders differs
    users = {"job": "A7ERGdgwLHnY", "admin": "s3cret: yes"}
    for stream in (helm_template(source).stdout, rendered[0].stdout):
        data = objects(stream)[0]["data"]
        config = yaml.safe_load(base64.b64decode(data["web-config.yaml"]))
        assert sorted(config["basic_auth_users"]) == ["admin", "job"]
        for user, hashed in config["basic_auth_users"].items():
            assert hashed.startswith("$2a$10$") and len(hashed) == 60
            assert bcrypt.checkpw(users[user].encode(), hashed.encode())
        name, _, hashed = base64.b64decode(data["line"]).decode().partition(":")
        assert name == "job" and bcrypt.checkpw(b"A7ERGdgwLHnY", hashed.encode())


def test_htpasswd_refuses_a_user_name_with_a_colon_where_helm_writes_an_error_text(tmp_path: Path) -> None:
    app = tmp_path / "auth"
    (app / "templates").mkdir(parents=True)
    (app / "app.yaml").write_text("name: auth\nversion: 0.1.0\n")
    (app / "templates" / "secret.yaml.j2").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  a: {{ htpasswd('a:b', 'pw') }}\n"
    )
    result = run_pytemplar("render", app)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        f"{app}/templates/secret.yaml.j2:5: error: [default/auth] htpasswd: the user name 'a:b' holds ':',"
        " which ends a user name there"
    )


PRINTF_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: fmt\nversion: 0.1.0\n",
    "values.yaml": """
        debug: true
        ratio: 1.5
        missing: null
        name: web
        ports: [80, 443]
    """,
    "templates/configmap.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ printf "%s-%v" .Release.Name .Values.debug }}
        data:
          flags: {{ printf "--debug=%v --ratio=%v --name=%s" .Values.debug .Values.ratio .Values.name | quote }}
          empty: {{ printf "[%v][%s]" .Values.missing .Values.missing | quote }}
          quoted: {{ printf "%q" .Values.name | quote }}
          percent: {{ printf "100%% %s" .Values.name | quote }}
          {{- range $i, $port := .Values.ports }}
          port-{{ $i }}: {{ printf "%d/%v" $i $.Values.debug | quote }}
          {{- end }}
    """,
}


@needs_helm
def test_printf_writes_booleans_and_nil_as_go_prints_them(tmp_path: Path) -> None:
    source = chart(tmp_path, PRINTF_CHART)
    app = _import_whole(tmp_path, source, "fmt")
    for extra in ([], ["--set", "debug=false"]):
        expected = objects(helm_template(source, *extra, release="rel").stdout)
        rendered = run_pytemplar("render", app, "--release-name", "rel", *extra)
        assert rendered.code == 0, rendered.stderr
        assert objects(rendered.stdout) == expected
    # What the comparison covers: Go's `true`, not Python's `True`; nil is `<nil>` to %v.
    data = expected[0]["data"]
    assert expected[0]["metadata"]["name"] == "rel-false"
    assert data["flags"] == "--debug=false --ratio=1.5 --name=web"
    assert data["empty"] == "[<nil>][%!s(<nil>)]"
