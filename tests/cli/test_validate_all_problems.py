"""validate reports every problem at once: a template whose output is not YAML hides nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import MINIMAL_APP, run_pytemplar

TEMPLATES = {
    "app/templates/broken.yaml.j2": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ release.name }}-broken
        data:
          key: one
          key: two
    """,
    "app/templates/service.yaml.j2": """
        apiVersion: v1
        kind: Service
        metadata:
          name: {{ release.name }}
        spec:
          type: ClusterIP
          selector: {app: nothing-has-this}
          ports: [{port: 80, targetPort: http, protocoll: TCP}]
    """,
    "app/templates/role.yaml.j2": """
        apiVersion: rbac.authorization.k8s.io/v1beta1
        kind: Role
        metadata:
          name: {{ release.name }}
        rules: []
    """,
}


def test_a_yaml_error_in_one_template_does_not_hide_the_problems_of_the_others(make_tree: Any) -> None:
    root: Path = make_tree(TEMPLATES, base=MINIMAL_APP)
    result = run_pytemplar("validate", "project", "-e", "prod", cwd=root)
    assert result.code == 1
    lines = [line for line in result.stderr.splitlines() if not line.startswith(" ")]
    assert lines == [
        "app/templates/broken.yaml.j2:7: error: [prod/one] rendered output is not valid YAML at rendered line 7: "
        "duplicate key 'key' (first defined on line 6)",
        "app/templates/role.yaml.j2:1: error: [prod/one] Role one: apiVersion "
        "rbac.authorization.k8s.io/v1beta1 is not served since Kubernetes 1.22 (target 1.35); use apiVersion: "
        "rbac.authorization.k8s.io/v1 [removed-api]",
        "app/templates/service.yaml.j2:1: warning: [prod/one] Service one: spec.selector "
        "{'app': 'nothing-has-this'} matches no pod template in namespace '' [service-selects-pods]",
        "app/templates/service.yaml.j2:8: error: [prod/one] Service one: spec.ports[0].protocoll: unknown "
        "field (did you mean 'protocol'?) [kube-schema]",
        "failed: 1 release in 1 environment; 3 errors, 1 warning",
    ]


def test_render_still_stops_at_the_first_broken_release(make_tree: Any) -> None:
    root: Path = make_tree(TEMPLATES, base=MINIMAL_APP)
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.startswith(
        "app/templates/broken.yaml.j2:7: error: [prod/one] rendered output is not valid YAML at rendered line 7"
    )
