"""A release may be a third-party Helm chart archive, pinned by digest: helm renders it, and
pytemplar gives it the release's namespace, transforms and checks like any release."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from conftest import run_pytemplar, write_tree

from .peer import HELM, chart, helm_template, needs_helm, objects

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: edge\nversion: 2.0.0\n",
    "values.yaml": "replicas: 1\nimage: nginx:1.27\n",
    "templates/deployment.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ .Release.Name }}
        spec:
          replicas: {{ .Values.replicas }}
          selector:
            matchLabels: {app: {{ .Release.Name }}}
          template:
            metadata:
              labels: {app: {{ .Release.Name }}}
            spec:
              containers:
                - name: edge
                  image: {{ .Values.image }}
    """,
    "templates/clusterrole.yaml": """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: {{ .Release.Name }}-reader
        rules: []
    """,
    "templates/tests/test.yaml": """
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{ .Release.Name }}-test
          annotations: {"helm.sh/hook": test}
        spec:
          containers: [{name: t, image: busybox}]
    """,
}


def _project(tmp_path: Path, sha256: str | None = None) -> Path:
    source = chart(tmp_path / "src", CHART)
    assert HELM is not None
    subprocess.run(
        [HELM, "package", str(source), "-d", str(tmp_path / "p" / "charts")], check=True, capture_output=True
    )
    archive = tmp_path / "p" / "charts" / "edge-2.0.0.tgz"
    digest = sha256 or hashlib.sha256(archive.read_bytes()).hexdigest()
    write_tree(
        tmp_path / "p",
        {
            "pytemplar.yaml": f"""
                environments:
                  prod: {{namespace: edge-system}}
                releases:
                  edge:
                    helmChart: {{archive: charts/edge-2.0.0.tgz, sha256: "{digest}"}}
                    releaseName: ingress
                    commonLabels: {{team: platform}}
            """,
            "envs/prod/edge.yaml": "replicas: 3\n",
        },
    )
    return tmp_path / "p"


@needs_helm
def test_a_chart_release_is_rendered_by_helm_then_transformed(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = run_pytemplar("render", project, "-e", "prod")
    assert result.code == 0, result.stderr
    got = objects(result.stdout)
    expected = objects(
        helm_template(
            project / "charts" / "edge-2.0.0.tgz",
            "-n",
            "edge-system",
            "--set",
            "replicas=3",
            "--skip-tests",
            release="ingress",
        ).stdout
    )
    assert [o["kind"] for o in got] == ["ClusterRole", "Deployment"]  # the Helm test pod is left out
    # What pytemplar adds to helm's output: the namespace of namespaced objects, the labels.
    for obj in expected:
        obj["metadata"].setdefault("labels", {})["team"] = "platform"
        if obj["kind"] == "Deployment":
            obj["metadata"]["namespace"] = "edge-system"
            obj["spec"]["selector"]["matchLabels"]["team"] = "platform"
            obj["spec"]["template"]["metadata"]["labels"]["team"] = "platform"
    assert got == expected
    assert "# Source: edge/templates/deployment.yaml" in result.stdout


@needs_helm
def test_a_changed_archive_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path, sha256="0" * 64)
    result = run_pytemplar("render", project, "-e", "prod")
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert (
        lines[0].startswith(f"{project}/pytemplar.yaml:5:57: error: ")
        and "[prod/edge] chart archive 'charts/edge-2.0.0.tgz' has sha256 " in lines[0]
    )
    assert lines[0].endswith(f"but {'0' * 64} is expected")
    assert lines[1] == "  hint: if the chart was updated on purpose, update sha256 (sha256sum ARCHIVE)"


@needs_helm
def test_without_helm_on_path_the_error_says_so(tmp_path: Path) -> None:
    project = _project(tmp_path)
    env = dict(os.environ, PATH=os.path.dirname(os.sys.executable))
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "pytemplar", "render", str(project), "-e", "prod"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"{project}/pytemplar.yaml:5:5: error: [prod/edge] this release is a Helm chart, rendered by helm,"
        " but helm is not on PATH",
        "  hint: install helm 3 or 4 (https://helm.sh/docs/intro/install/) and put it on PATH",
    ]


@needs_helm
def test_set_edits_a_chart_release_overlay(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = run_pytemplar("set", project, "-e", "prod", "-r", "edge", "replicas=5")
    assert result.code == 0, result.stderr
    assert (project / "envs/prod/edge.yaml").read_text() == "replicas: 5\n"
    rendered = objects(run_pytemplar("render", project, "-e", "prod").stdout)
    assert rendered[1]["spec"]["replicas"] == 5
