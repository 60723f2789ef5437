"""`pytemplar validate -f`: any Kubernetes YAML (files, folders, stdin), the output of helm and kustomize."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, TEMPLATE_CACHE, run_pytemplar
from peers import HELM, KUBECTL

GOOD = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.25"}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""

BAD = """
apiVersion: v1
kind: ConfigMap
metadata: {name: Settings}
data:
  mode: 0644
---
apiVersion: v1
kind: List
items:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: "system:aggregated-metrics-reader"}
    rules: []
  - apiVersion: policy/v1beta1
    kind: PodDisruptionBudget
    metadata: {name: web}
    spec: {selector: {matchLabels: {app: web}}}
"""


def run_with_stdin(*args: str, stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
    env["PYTEMPLAR_CACHE_DIR"] = str(TEMPLATE_CACHE)
    return subprocess.run(
        [sys.executable, "-m", "pytemplar", *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=env
    )


def test_a_valid_file_passes(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    result = run_pytemplar("validate", "-f", "good.yaml", cwd=tmp_path)
    assert (result.code, result.stdout, result.stderr) == (0, "", "ok: 2 objects in 1 file; 0 errors\n")


def test_every_problem_of_a_folder_at_once_with_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "manifests" / "nested").mkdir(parents=True)
    (tmp_path / "manifests" / "good.yaml").write_text(GOOD)
    (tmp_path / "manifests" / "nested" / "bad.yml").write_text(BAD)
    (tmp_path / "manifests" / "notes.txt").write_text("not read")
    (tmp_path / "manifests" / ".hidden").mkdir()
    (tmp_path / "manifests" / ".hidden" / "x.yaml").write_text("{")
    result = run_pytemplar("validate", "-f", "manifests", cwd=tmp_path)
    assert result.code == 1
    # The PodDisruptionBudget selects the pods of good.yaml's Deployment: no warning. Each problem is
    # located at its field.
    assert result.stderr.splitlines() == [
        "manifests/nested/bad.yml:4:18: error: ConfigMap Settings: metadata.name 'Settings' is not a DNS-1123 "
        "subdomain [dns-name]",
        "  hint: use lower-case letters, digits and '-' (and '.' between parts)",
        "manifests/nested/bad.yml:6:9: error: ConfigMap Settings: data.mode: expected text, got number 420 "
        "[kube-schema]",
        "  hint: write the type the v1 ConfigMap API of Kubernetes 1.35 expects (quote text, unquote numbers)",
        "manifests/nested/bad.yml:15:17: error: PodDisruptionBudget web: apiVersion policy/v1beta1 is not served since "
        "Kubernetes 1.25 (target 1.35); use apiVersion: policy/v1 [removed-api]",
        "failed: 5 objects in 2 files; 3 errors",
    ]


def test_stdin_and_files_together_and_json_output(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    result = run_with_stdin("validate", "-f", "-", "-f", "good.yaml", "--format", "json", stdin=BAD, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["checked"] == [{"file": "<stdin>"}, {"file": "good.yaml"}]
    assert [(p["rule"], p["object"], p["file"]) for p in report["problems"]] == [
        ("dns-name", "ConfigMap Settings", "<stdin>"),
        ("kube-schema", "ConfigMap Settings", "<stdin>"),
        ("removed-api", "PodDisruptionBudget web", "<stdin>"),
    ]


def test_checks_are_chosen_by_id_and_the_target_version(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD)
    result = run_pytemplar(
        "validate", "-f", "bad.yaml", "--skip-check", "dns-name,kube-schema", "--kube-version", "1.24", cwd=tmp_path
    )
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "bad.yaml:15:17: warning: PodDisruptionBudget web: policy/v1beta1 PodDisruptionBudget is deprecated since "
        "Kubernetes 1.21 (target 1.24); Kubernetes 1.25 no longer serves it; use apiVersion: policy/v1 "
        "[deprecated-api]",
        "bad.yaml:18:12: warning: PodDisruptionBudget web: spec.selector.matchLabels matches no pod template of the "
        "render [scale-target-exists]",
        "  hint: if its pods come from another release, an operator or another tool, disable the check for this "
        "object with the annotation pytemplar.io/skip-checks: scale-target-exists",
        "ok: 3 objects in 1 file; 0 errors, 2 warnings",
    ]


def test_custom_resources_are_validated_against_the_crds_in_the_input(tmp_path: Path) -> None:
    crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec: {type: object, properties: {size: {type: integer}}}
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        spec: {size: large}
    """
    (tmp_path / "all.yaml").write_text(textwrap.dedent(crd))
    result = run_pytemplar("validate", "-f", "all.yaml", cwd=tmp_path)
    assert result.code == 1
    assert "Widget w: spec.size: expected an integer, got text 'large' [kube-schema]" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "-f", "missing.yaml"], "error: -f: no file or folder 'missing.yaml'"),
        (["validate", "-f", "empty"], "error: -f: no manifests found"),
        (["validate", "-f", "good.yaml", "-e", "prod"], "error: --env cannot be used with -f"),
        (["validate", "project", "-f", "good.yaml"], "error: -f: no file or folder 'project'"),
        (["validate", "-f", "good.yaml", "--skip-check", "dns"], "error: --skip-check: unknown check 'dns'"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "empty").mkdir()
    result = run_pytemplar(*args, cwd=tmp_path)
    assert result.code == 2
    assert result.stderr.startswith(message), result.stderr


def test_a_yaml_error_in_one_file_does_not_hide_the_others(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: 1, k: 2}\n")
    (tmp_path / "b.yaml").write_text(BAD)
    result = run_pytemplar("validate", "-f", "a.yaml", "-f", "b.yaml", cwd=tmp_path)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == "a.yaml:4:14: error: duplicate key 'k' (first defined on line 4)"
    assert result.stderr.splitlines()[-1] == "failed: 3 objects in 2 files; 4 errors, 1 warning"


# -- after helm template and kustomize build, as the README shows ---------------------------------------


def readme_ci_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- validate-ci -->")[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


@pytest.mark.skipif(HELM is None or KUBECTL is None, reason="helm and kubectl are not installed")
def test_the_readme_ci_steps_run_after_helm_template_and_kustomize_build(tmp_path: Path) -> None:
    assert HELM is not None and KUBECTL is not None
    subprocess.run([HELM, "create", "chart"], cwd=tmp_path, check=True, capture_output=True)
    overlay = tmp_path / "overlays" / "prod"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text("resources: [app.yaml]\nnamePrefix: prod-\n")
    (overlay / "app.yaml").write_text(GOOD)
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "app.yaml").write_text(GOOD)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, target in (("helm", HELM), ("kubectl", KUBECTL)):
        (bin_dir / name).symlink_to(target)
    (bin_dir / "pytemplar").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pytemplar "$@"\n')
    (bin_dir / "pytemplar").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTEMPLAR_CACHE_DIR"] = str(TEMPLATE_CACHE)
    commands = readme_ci_commands()
    assert len(commands) >= 3
    for command in commands:
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    report = (tmp_path / "report.xml").read_text()
    assert "<testsuites" in report


@pytest.mark.skipif(HELM is None, reason="helm is not installed")
def test_a_broken_chart_fails_the_step_with_the_object_and_field(tmp_path: Path) -> None:
    assert HELM is not None
    subprocess.run([HELM, "create", "chart"], cwd=tmp_path, check=True, capture_output=True)
    deployment = tmp_path / "chart" / "templates" / "deployment.yaml"
    deployment.write_text(deployment.read_text().replace("imagePullPolicy:", "imagePulPolicy:"))
    rendered = subprocess.run(
        [HELM, "template", "rel", "./chart"], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout
    result = run_with_stdin("validate", "-f", "-", stdin=rendered, cwd=tmp_path)
    assert result.returncode == 1
    assert re.search(
        r"<stdin>:\d+:\d+: error: Deployment rel-chart: spec\.template\.spec\.containers\[0\]\.imagePulPolicy: "
        r"unknown field \(did you mean 'imagePullPolicy'\?\) \[kube-schema\]",
        result.stderr,
    ), result.stderr


def test_a_schema_folder_in_kubeconform_layout_and_one_unusable_schema_skipped(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    (schemas / "example.com").mkdir(parents=True)
    widget = {
        "type": "object",
        "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Widget"}],
        "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}},
    }
    gadget = {  # the layout of CRD catalogues: example.com/gadget_v1.json, kind named by enums
        "type": "object",
        "properties": {
            "apiVersion": {"enum": ["example.com/v1"]},
            "kind": {"enum": ["Gadget"]},
            "spec": {"type": "object", "properties": {"color": {"type": "string", "enum": ["red", "blue"]}}},
        },
    }
    (schemas / "widget-example-v1.json").write_text(json.dumps(widget))
    (schemas / "example.com" / "gadget_v1.json").write_text(json.dumps(gadget))
    (schemas / "broken-example-v1.json").write_text('{"type": "object", ')
    (tmp_path / "objects.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: large}\n---\n"
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {color: green}\n"
    )
    result = run_pytemplar("validate", "-f", "objects.yaml", "--crds", "schemas", cwd=tmp_path)
    assert result.code == 1
    lines = sorted(line for line in result.stderr.splitlines() if not line.startswith(" "))
    assert lines[0] == "failed: 2 objects in 1 file; 2 errors, 1 warning"
    assert lines[1].startswith("objects.yaml:4:14: error: Widget w: spec.size: expected an integer, got text")
    assert lines[2].startswith("objects.yaml:9:15: error: Gadget g: spec.color: 'green' is not one of: red, blue")
    assert lines[3].startswith("schemas/broken-example-v1.json:2:1: warning: schema skipped: invalid YAML")


def test_duplicate_entries_of_list_maps_are_errors_where_the_api_server_refuses_them(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(
        textwrap.dedent(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers:
                - name: app
                  image: "nginx:1.27"
                  env: [{name: A, value: "1"}, {name: A, value: "2"}]
                - name: app
                  image: "nginx:1.27"
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: s}
            spec:
              ports: [{port: 80}, {port: 80, protocol: TCP}, {port: 80, protocol: UDP}]
            """
        )
    )
    result = run_pytemplar("validate", "-f", "pod.yaml", "--skip-check", "service-selects-pods", cwd=tmp_path)
    assert result.code == 1
    lines = [line for line in result.stderr.splitlines() if not line.startswith(" ")]
    assert lines == [
        "pod.yaml:9:36: warning: Pod p: spec.containers[0].env[1]: duplicate entry (name='A'): the same as item [0] "
        "[kube-schema]",
        "pod.yaml:10:7: error: Pod p: spec.containers[1]: duplicate entry (name='app'): the same as item [0] "
        "[kube-schema]",
        "pod.yaml:17:23: error: Service s: spec.ports[1]: duplicate entry (port=80, protocol='TCP'): the same as "
        "item [0] [kube-schema]",
        "failed: 2 objects in 1 file; 2 errors, 1 warning",
    ]
