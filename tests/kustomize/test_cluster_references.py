"""A cluster-scoped object's reference to objects of any namespace (a ClusterRole's resourceNames)
when those objects are renamed differently: kubectl kustomize refuses (several possible
referrals); pytemplar keeps the name and says so."""

from __future__ import annotations

from pathlib import Path

from conftest import run_pytemplar, write_tree

OBJECTS = """
apiVersion: v1
kind: Secret
metadata: {name: dummy, namespace: default}
---
apiVersion: v1
kind: Secret
metadata: {name: dummy, namespace: kube-system}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: reader}
rules:
  - {apiGroups: [""], resources: [secrets], resourceNames: [dummy], verbs: [get]}
"""

CONFIG = """
environments: {dev: {}}
releases:
  r:
    app: ./app
    patches:
      - target: {kind: Secret, namespace: default}
        patch: |
          - {op: replace, path: /metadata/name, value: renamed}
      - target: {kind: Secret, namespace: kube-system}
        patch: |
          - {op: replace, path: /metadata/name, value: other}
"""


def test_secrets_of_one_name_renamed_differently_keep_the_cluster_roles_name_with_a_warning(tmp_path: Path) -> None:
    files = {
        "app/app.yaml": "name: raw\nversion: 1.0.0\n",
        "app/templates/all.yaml.j2": OBJECTS,
        "pytemplar.yaml": CONFIG,
    }
    result = run_pytemplar("render", write_tree(tmp_path, files))
    assert result.code == 0, result.stderr
    assert (
        "warning: [dev/r] ClusterRole reader: names Secret dummy, which objects of several namespaces had, "
        "renamed differently (other, renamed); it keeps the name dummy"
    ) in result.stderr
    assert "resourceNames:\n      - dummy\n" in result.stdout
