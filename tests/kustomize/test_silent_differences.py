"""Changes that once gave a different manifest from kubectl kustomize without a word.

Each case runs the pinned kubectl kustomize on the same input (see harness.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kustomize.harness import KUBECTL, SKIP_REASON, Case, check

pytestmark = pytest.mark.skipif(KUBECTL is None, reason=SKIP_REASON)

DNS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: dns, namespace: shop}
spec:
  selector: {matchLabels: {app: dns}}
  template:
    metadata: {labels: {app: dns}}
    spec:
      containers:
        - name: dns
          image: coredns/coredns:1.11.1
          ports:
            - {containerPort: 53, protocol: UDP, name: dns}
            - {containerPort: 53, protocol: TCP, name: dns-tcp}
            - {containerPort: 9153, protocol: TCP, name: metrics}
---
apiVersion: v1
kind: Service
metadata: {name: dns, namespace: shop}
spec:
  selector: {app: dns}
  ports:
    - {port: 53, protocol: UDP, name: dns}
    - {port: 53, protocol: TCP, name: dns-tcp}
    - {port: 80, protocol: TCP, name: http}
"""

RBAC = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
  - {kind: ServiceAccount, name: app, namespace: shop}
  - {kind: ServiceAccount, name: app, namespace: monitoring}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
  - {kind: ServiceAccount, name: app, namespace: shop}
  - {kind: ServiceAccount, name: app, namespace: monitoring}
"""

CASES = [
    Case(
        "patching the TCP side of port 53 keeps the UDP side",
        "api/krusty/extendedpatch_test.go (list merge keys)",
        DNS,
        """
        patches:
          - patch: |
              apiVersion: apps/v1
              kind: Deployment
              metadata: {name: dns, namespace: shop}
              spec:
                template:
                  spec:
                    containers:
                      - name: dns
                        ports:
                          - {containerPort: 53, protocol: TCP, name: dns-tcp, hostPort: 53}
                          - {containerPort: 8080, protocol: TCP, name: health}
          - patch: |
              apiVersion: v1
              kind: Service
              metadata: {name: dns, namespace: shop}
              spec:
                ports:
                  - {port: 53, protocol: UDP, name: dns, targetPort: 5353}
                  - {port: 443, protocol: TCP, name: https}
                  - {port: 80, protocol: TCP, $patch: delete}
        """,
    ),
    Case(
        "a port without protocol is TCP, and the difference from kubectl kustomize is announced",
        "api/krusty/extendedpatch_test.go (list merge keys)",
        DNS,
        """
        patches:
          - patch: |
              apiVersion: v1
              kind: Service
              metadata: {name: dns, namespace: shop}
              spec:
                ports:
                  - {port: 80, name: web}
        """,
        outcome="warns",
        says=r"ports item port 80: .*protocol.*kubectl kustomize would ignore",
        why="Kubernetes defaults protocol to TCP; kustomize v5.7 drops a patch item whose protocol "
        "is written on one side only",
    ),
    Case(
        "$patch: delete on a whole object removes it",
        "api/krusty/patchdelete_test.go",
        DNS,
        """
        patches:
          - patch: |
              apiVersion: v1
              kind: Service
              metadata: {name: dns, namespace: shop}
              $patch: delete
          - target: {kind: Deployment}
            patch: |
              apiVersion: apps/v1
              kind: Deployment
              metadata: {name: any}
              $patch: delete
        """,
    ),
    Case(
        "prefix renames follow references in their own namespace only",
        "api/krusty/rolebindingacrossnamespace_test.go",
        RBAC,
        "namePrefix: p-",
    ),
    Case(
        "a rename by a JSON patch is followed by the references",
        "api/krusty/nameupdateinroleref_test.go",
        RBAC,
        """
        patches:
          - target: {kind: ClusterRole, name: reader}
            patch: |
              - {op: replace, path: /metadata/name, value: viewer}
          - target: {kind: ServiceAccount}
            patch: |
              apiVersion: v1
              kind: ServiceAccount
              metadata: {name: robot}
            options: {allowNameChange: true}
        namePrefix: p-
        """,
    ),
    Case(
        "a strategic patch without allowNameChange keeps the name",
        "api/krusty/nameprefixsuffixpatch_test.go",
        RBAC,
        """
        patches:
          - target: {kind: ClusterRole}
            patch: |
              apiVersion: rbac.authorization.k8s.io/v1
              kind: ClusterRole
              metadata: {name: other, labels: {patched: "yes"}}
        """,
    ),
    Case(
        "$patch: replace inside a list replaces the list",
        "api/krusty/extendedpatch_test.go ($patch directives)",
        DNS,
        """
        patches:
          - patch: |
              apiVersion: apps/v1
              kind: Deployment
              metadata: {name: dns, namespace: shop}
              spec:
                template:
                  spec:
                    containers:
                      - $patch: replace
                      - name: only
                        image: busybox:1.36
        """,
    ),
    Case(
        "labels with includeTemplates reach StatefulSet volumeClaimTemplates",
        "api/krusty/inlinelabels_test.go",
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: shop}
        spec:
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: "postgres:16"}]
          volumeClaimTemplates:
            - metadata: {name: data}
              spec:
                accessModes: [ReadWriteOnce]
                resources: {requests: {storage: 1Gi}}
        """,
        """
        labels:
          - pairs: {team: data}
            includeTemplates: true
        """,
    ),
    Case(
        "a ConfigMap made only from a binary file has no data and Kustomize's hash",
        "api/krusty/configmaps_test.go (binary data)",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: shop}
        spec:
          containers: [{name: c, image: "busybox:1.36"}]
          volumes: [{name: blob, configMap: {name: blob}}]
        """,
        """
        namespace: shop
        configMapGenerator:
          - name: blob
            files: [blob.bin]
        """,
        transforms="""
        configMapGenerator:
          - name: blob
            files: [blob.bin]
        """,
        files={"blob.bin": b"\xff\xfe binary \x80\x00"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_no_silent_difference_from_kubectl_kustomize(tmp_path: Path, case: Case) -> None:
    check(tmp_path, case)
