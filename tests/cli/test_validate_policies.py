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
        "app/templates/ingress.yaml.j2: error: [prod/one] Ingress production/one: apiVersion extensions/v1beta1 is "
        "not served since Kubernetes 1.22 (target 1.35); use apiVersion: networking.k8s.io/v1 [removed-api]",
        "app/templates/ingress.yaml.j2: error: [prod/one] Ingress production/one: "
        "metadata.annotations['nginx.ingress.kubernetes.io/canary'] is bool, not text; quote it [annotation-type]",
        "app/templates/service.yaml.j2: error: [prod/one] Service production/one: spec.selector "
        "{'app': 'nothing-has-this'} matches no pod template in namespace 'production' [service-selects-pods]",
        "failed: 1 release in 1 environment; 3 errors",
    ]
