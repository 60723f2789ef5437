"""validate catches what the cluster would reject: one precise message per mistake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import MINIMAL_APP, run_pytemplar

TEMPLATES = {
    "app/templates/ingress.yaml.j2": """
        apiVersion: extensions/v1beta1
        kind: Ingress
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
          annotations:
            nginx.ingress.kubernetes.io/canary: {{ values.canary }}
    """,
    "app/templates/service.yaml.j2": """
        apiVersion: v1
        kind: Service
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
        spec:
          selector: {app: nothing-has-this}
    """,
    "app/values.yaml": "replicas: 1\nimage:\n  tag: '1.0'\ncanary: true\n",
}


def test_a_removed_api_a_boolean_annotation_and_a_lonely_selector_each_fail_once(make_tree: Any) -> None:
    root: Path = make_tree(TEMPLATES, base=MINIMAL_APP)
    result = run_pytemplar("validate", "project", "-e", "prod", cwd=root)
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "app/templates/ingress.yaml.j2:1: error: [prod/one] Ingress production/one: apiVersion extensions/v1beta1 is "
        "not served since Kubernetes 1.22 (target 1.35); use apiVersion: networking.k8s.io/v1 [removed-api]",
        "app/templates/ingress.yaml.j2:7: error: [prod/one] Ingress production/one: "
        "metadata.annotations['nginx.ingress.kubernetes.io/canary'] is bool, not text; quote it [annotation-type]",
        "app/templates/service.yaml.j2:1: warning: [prod/one] Service production/one: spec.selector "
        "{'app': 'nothing-has-this'} matches no pod template in namespace 'production' [service-selects-pods]",
        "  hint: if its pods come from another release, an operator or another tool, disable the check for this "
        "object with the annotation pytemplar.io/skip-checks: service-selects-pods",
        "failed: 1 release in 1 environment; 2 errors, 1 warning",
    ]


def test_checks_are_disabled_by_id_on_the_command_line_in_the_project_and_per_object(make_tree: Any) -> None:
    root: Path = make_tree(TEMPLATES, base=MINIMAL_APP)
    skipped = run_pytemplar("validate", "project", "-e", "prod", "--skip-check", "removed-api,kube-schema", cwd=root)
    assert skipped.code == 1
    assert "[removed-api]" not in skipped.stderr and "[annotation-type]" in skipped.stderr
    config = root / "project" / "pytemplar.yaml"
    config.write_text("skipChecks: [annotation-type, removed-api, kube-schema]\n" + config.read_text())
    in_project = run_pytemplar("validate", "project", "-e", "prod", cwd=root)
    assert in_project.code == 0, in_project.stderr
    assert in_project.stderr.splitlines()[-1] == "ok: 1 release in 1 environment; 0 errors, 1 warning"
    # The command line wins over pytemplar.yaml.
    again = run_pytemplar("validate", "project", "-e", "prod", "--check", "removed-api", cwd=root)
    assert again.code == 1 and "[removed-api]" in again.stderr
    service = root / "app" / "templates" / "service.yaml.j2"
    service.write_text(
        service.read_text().replace(
            "namespace: {{ release.namespace }}",
            "namespace: {{ release.namespace }}\n  annotations: {pytemplar.io/skip-checks: service-selects-pods}",
        )
    )
    quiet = run_pytemplar("validate", "project", "-e", "prod", "--strict", cwd=root)
    assert (quiet.code, quiet.stderr.splitlines()[-1]) == (0, "ok: 1 release in 1 environment; 0 errors")


def test_render_does_not_refuse_what_kubectl_accepts(make_tree: Any) -> None:
    root: Path = make_tree(
        {
            "app/templates/service.yaml.j2": TEMPLATES["app/templates/service.yaml.j2"],
            "app/templates/rbac.yaml.j2": """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: system:aggregated-metrics_reader
                rules: []
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata:
                  name: {{ release.name }}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: in-another-release}
                  maxReplicas: 3
            """,
        },
        base=MINIMAL_APP,
    )
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert result.code == 0, result.stderr
    assert "name: system:aggregated-metrics_reader" in result.stdout
    assert [line.split(" [prod/one] ")[1] for line in result.stderr.splitlines() if "warning:" in line] == [
        "HorizontalPodAutoscaler one: spec.scaleTargetRef Deployment 'in-another-release' is not in the "
        "render [scale-target-exists]",
        "Service production/one: spec.selector {'app': 'nothing-has-this'} matches no pod template in namespace "
        "'production' [service-selects-pods]",
    ]
