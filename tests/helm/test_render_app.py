"""`pytemplar render APP` renders an app alone, as `helm template NAME ./chart` renders a chart:
defaults, then -f files in order, then --set, one release with a name and a namespace."""

from __future__ import annotations

from pathlib import Path

from conftest import run_pytemplar, write_tree

from .peer import chart, helm_template, needs_helm, objects

VALUES = """
    replicas: 1
    image: {repository: nginx, tag: "1.27"}
    service: {port: 80}
"""

HELM = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ .Release.Name }}-web
      namespace: {{ .Release.Namespace }}
    spec:
      replicas: {{ .Values.replicas }}
      selector:
        matchLabels: {app: {{ .Release.Name }}}
      template:
        metadata:
          labels: {app: {{ .Release.Name }}}
        spec:
          containers:
            - name: web
              image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
              ports:
                - containerPort: {{ .Values.service.port }}
"""

PYTEMPLAR = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ release.name }}-web
      namespace: {{ release.namespace }}
    spec:
      replicas: {{ values.replicas }}
      selector:
        matchLabels: {app: {{ release.name }}}
      template:
        metadata:
          labels: {app: {{ release.name }}}
        spec:
          containers:
            - name: web
              image: "{{ values.image.repository }}:{{ values.image.tag }}"
              ports:
                - containerPort: {{ values.service.port }}
"""


def _both(tmp_path: Path) -> tuple[Path, Path]:
    helm_chart = chart(
        tmp_path / "helm",
        {"Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n", "values.yaml": VALUES, "templates/d.yaml": HELM},
    )
    write_tree(
        tmp_path,
        {
            "web/app.yaml": "name: web\nversion: 1.0.0\n",
            "web/values.yaml": VALUES,
            "web/templates/d.yaml.j2": PYTEMPLAR,
            "prod.yaml": "replicas: 3\nimage: {tag: '1.28'}\n",
            "canary.yaml": "replicas: 1\n",
        },
    )
    return helm_chart, tmp_path / "web"


@needs_helm
def test_render_app_matches_helm_template_with_files_set_name_and_namespace(tmp_path: Path) -> None:
    helm_chart, app = _both(tmp_path)
    args = ["-f", str(tmp_path / "prod.yaml"), "-f", str(tmp_path / "canary.yaml"), "--set", "service.port=8080"]
    expected = objects(helm_template(helm_chart, *args, "-n", "shop", release="shop-web").stdout)
    assert expected[0]["spec"]["replicas"] == 1  # the later -f wins
    result = run_pytemplar("render", app, *args, "-n", "shop", "--release-name", "shop-web")
    assert result.code == 0, result.stderr
    assert objects(result.stdout) == expected


@needs_helm
def test_render_app_defaults_to_the_app_name_in_namespace_default(tmp_path: Path) -> None:
    helm_chart, app = _both(tmp_path)
    expected = objects(helm_template(helm_chart, release="web").stdout)
    result = run_pytemplar("render", app)
    assert result.code == 0, result.stderr
    assert objects(result.stdout) == expected
    assert "# Source: web/templates/d.yaml.j2" in result.stdout


def test_render_an_app_archive_alone(tmp_path: Path) -> None:
    _, app = _both(tmp_path)
    packed = run_pytemplar("package", app, "-d", tmp_path / "dist")
    assert packed.code == 0, packed.stderr
    from_folder = run_pytemplar("render", app, "--set", "replicas=2")
    from_archive = run_pytemplar("render", tmp_path / "dist" / "web-1.0.0.tgz", "--set", "replicas=2")
    assert from_archive.code == 0, from_archive.stderr
    assert objects(from_archive.stdout) == objects(from_folder.stdout)


def test_release_name_on_a_project_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"p/pytemplar.yaml": "environments: {dev: {}}\nreleases: {}\n"})
    result = run_pytemplar("render", tmp_path / "p", "-e", "dev", "--release-name", "x")
    assert result.code == 2
    assert result.stderr.splitlines()[0] == (
        "error: --release-name and --namespace are for an app rendered alone (render APP)"
    )


@needs_helm
def test_release_name_keeps_helm_object_names_when_the_key_differs(tmp_path: Path) -> None:
    helm_chart, _ = _both(tmp_path)
    write_tree(
        tmp_path,
        {
            "project/pytemplar.yaml": """
                environments:
                  prod: {namespace: shop}
                releases:
                  web-v2:
                    app: ../web
                    releaseName: shop-web
            """,
        },
    )
    expected = objects(helm_template(helm_chart, "-n", "shop", release="shop-web").stdout)
    result = run_pytemplar("render", tmp_path / "project", "-e", "prod")
    assert result.code == 0, result.stderr
    assert objects(result.stdout) == expected
    assert "# Source: web-v2/templates/d.yaml.j2" in result.stdout  # the key still names the release
