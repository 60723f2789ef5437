"""The same change written as a kustomization and as pytemplar overlay config gives the same objects.

For each case, the base is what pytemplar renders without transforms; ``kubectl kustomize``
applies the kustomization to it, and pytemplar renders the project with the same change declared
in pytemplar.yaml. The parsed objects must be equal, compared as a set of objects (Kustomize
sorts its output); the only normalisation is that, and the kustomization's ``namespace:``,
which gives generated objects the release's namespace as pytemplar does.

kubectl is looked for on PATH, then in ~/.cache/peers/bin and in the folder
scripts/get-kubectl.sh fills (CI runs that script first).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_pytemplar, write_tree

KUBECTL_CANDIDATES = (
    Path.home() / ".cache" / "peers" / "bin" / "kubectl",
    Path.home() / ".cache" / "pytemplar" / "kubectl-2.2.2" / "kubectl",
)


def find_kubectl() -> str | None:
    found = shutil.which("kubectl")
    candidates = [found] if found else []
    candidates += [str(path) for path in KUBECTL_CANDIDATES if path.is_file()]
    for candidate in candidates:
        probe = subprocess.run([candidate, "version", "--client"], capture_output=True, text=True, timeout=60)
        if probe.returncode == 0 and "Kustomize Version: v5" in probe.stdout:
            return candidate
    return None


KUBECTL = find_kubectl()
pytestmark = pytest.mark.skipif(
    KUBECTL is None,
    reason="kubectl with kustomize v5 is not on PATH, in ~/.cache/peers/bin or where "
    "scripts/get-kubectl.sh puts it; run scripts/get-kubectl.sh",
)

APP = {
    "app/app.yaml": """
        name: web
        version: 1.0.0
    """,
    "app/templates/all.yaml.j2": """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ release.name }}-config
          namespace: {{ release.namespace }}
        data:
          MODE: normal
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
          labels: {app: "{{ release.name }}"}
        spec:
          selector: {app: "{{ release.name }}"}
          ports:
            - {name: http, port: 80, targetPort: 8080}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
          labels: {app: "{{ release.name }}"}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: "{{ release.name }}"}
          template:
            metadata:
              labels: {app: "{{ release.name }}"}
            spec:
              serviceAccountName: {{ release.name }}
              initContainers:
                - name: migrate
                  image: ghcr.io/acme/web:1.0
              containers:
                - name: main
                  image: ghcr.io/acme/web:1.0
                  env:
                    - {name: A, value: "1"}
                    - {name: B, value: "2"}
                  envFrom:
                    - configMapRef: {name: {{ release.name }}-config}
                  ports:
                    - {name: http, containerPort: 8080}
                  volumeMounts:
                    - {name: config, mountPath: /etc/web}
                    - {name: tmp, mountPath: /tmp}
                - name: proxy
                  image: envoyproxy/envoy:v1.30.0
              volumes:
                - name: config
                  configMap: {name: {{ release.name }}-config}
                - name: tmp
                  emptyDir: {}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: {{ release.name }}}
          minReplicas: 2
          maxReplicas: 5
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
        spec:
          rules:
            - host: web.example.com
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service: {name: {{ release.name }}, port: {number: 80}}
    """,
}

PROJECT = """
    environments:
      dev:
        namespace: shop
    releases:
      web:
        app: ../app
"""

DEPLOYMENT_HEADER = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
"""

CONFIG_MAPS = """configMapGenerator:
  - name: web-config
    namespace: shop
    behavior: replace
    literals: [MODE=fast]
  - name: flags
    literals: ['GREETING=hello <world> & co']
    envs: [flags.env]
    files: [app.properties]
"""
USE_FLAGS = """patches:
  - path: use-flags.yaml
    target: {kind: Deployment}
"""
SECRETS = """secretGenerator:
  - name: creds
    literals: [user=admin]
    files: [password=secret.txt]
    type: kubernetes.io/basic-auth
patches:
  - path: use-secret.yaml
    target: {kind: Deployment}
"""

# name -> (kustomization without resources, pytemplar transforms under releases.web, extra files)
CASES: dict[str, tuple[str, str, Mapping[str, str]]] = {
    "commonLabels": (
        "commonLabels: {team: blue, app: shop}",
        "commonLabels: {team: blue, app: shop}",
        {},
    ),
    "labels without selectors": (
        "labels:\n  - pairs: {team: blue}\n    includeTemplates: true",
        "labels:\n  - pairs: {team: blue}\n    includeTemplates: true",
        {},
    ),
    "commonAnnotations": (
        "commonAnnotations: {owner: shop-team}",
        "commonAnnotations: {owner: shop-team}",
        {},
    ),
    "namePrefix and nameSuffix": (
        "namePrefix: pre-\nnameSuffix: -v2",
        "namePrefix: pre-\nnameSuffix: -v2",
        {},
    ),
    "images": (
        "images:\n  - {name: ghcr.io/acme/web, newName: registry.local/web, newTag: '2.0'}\n"
        "  - {name: envoyproxy/envoy, digest: 'sha256:0123456789abcdef'}",
        "images:\n  - {name: ghcr.io/acme/web, newName: registry.local/web, newTag: '2.0'}\n"
        "  - {name: envoyproxy/envoy, digest: 'sha256:0123456789abcdef'}",
        {},
    ),
    "a JSON patch": (
        "patches:\n  - path: ops.yaml\n    target: {kind: Deployment, name: web}",
        "patches:\n  - path: ops.yaml\n    target: {kind: Deployment, name: web}",
        {
            "ops.yaml": """
                - {op: test, path: /spec/replicas, value: 2}
                - {op: replace, path: /spec/replicas, value: 4}
                - {op: add, path: /spec/template/spec/containers/0/env/-, value: {name: C, value: "3"}}
                - {op: remove, path: /spec/template/spec/containers/1}
                - {op: add, path: /metadata/annotations, value: {"example.com/note": "patched"}}
            """
        },
    ),
    "a strategic merge patch": (
        "patches:\n  - path: smp.yaml",
        "patches:\n  - path: smp.yaml",
        {
            "smp.yaml": DEPLOYMENT_HEADER
            + """
spec:
  template:
    spec:
      containers:
        - name: sidecar
          image: busybox:1.36
        - name: main
          env:
            - {name: C, value: "3"}
            - {name: A, value: "9"}
          ports:
            - {name: metrics, containerPort: 9090}
          volumeMounts:
            - {name: cache, mountPath: /cache}
      volumes:
        - {name: tmp, $patch: delete}
        - {name: cache, emptyDir: {}}
"""
        },
    ),
    "a merge patch by label selector": (
        "patches:\n  - target: {labelSelector: app=web}\n    patch: |-\n"
        "      apiVersion: v1\n      kind: Any\n      metadata: {name: any, labels: {patched: 'true'}}",
        "patches:\n  - target: {labelSelector: app=web}\n    type: merge\n"
        "    patch: {metadata: {labels: {patched: 'true'}}}",
        {},
    ),
    "a configMapGenerator with hash and references": (
        "namespace: shop\nnamePrefix: pre-\n" + CONFIG_MAPS + USE_FLAGS,
        "namePrefix: pre-\n" + CONFIG_MAPS + USE_FLAGS,
        {
            "flags.env": "# flags\nCOLOR=blue\nSIZE=10\n",
            "app.properties": "timeout=30\nretries=3\n",
            "use-flags.yaml": """
                - {op: add, path: /spec/template/spec/containers/0/envFrom/-, value: {configMapRef: {name: flags}}}
                - op: add
                  path: /spec/template/spec/volumes/-
                  value: {name: props, projected: {sources: [{configMap: {name: flags}}]}}
            """,
        },
    ),
    "a secretGenerator": (
        "namespace: shop\n" + SECRETS,
        SECRETS,
        {
            "secret.txt": "s3cr3t\n",
            "use-secret.yaml": """
                - op: add
                  path: /spec/template/spec/containers/0/env/-
                  value: {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
            """,
        },
    ),
}


def parsed(text: str) -> list[dict[str, Any]]:
    documents = [doc for doc in yaml.safe_load_all(text) if doc]
    return sorted(documents, key=lambda doc: json.dumps(doc, sort_keys=True))


def pytemplar_render(project: Path) -> str:
    result = run_pytemplar("render", project, "-e", "dev")
    assert result.code == 0, result.stderr
    return result.stdout


def indent(text: str, spaces: int) -> str:
    return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * spaces)


@pytest.mark.parametrize("case", list(CASES))
def test_kustomization_and_pytemplar_overlay_give_the_same_objects(tmp_path: Path, case: str) -> None:
    kustomization, transforms, files = CASES[case]
    write_tree(tmp_path, {**APP, "base/pytemplar.yaml": PROJECT})
    base = pytemplar_render(tmp_path / "base")

    overlay = tmp_path / "overlay"
    write_tree(overlay, {"base.yaml": base, **files})
    (overlay / "kustomization.yaml").write_text(f"resources: [base.yaml]\n{kustomization}\n", encoding="utf-8")
    assert KUBECTL is not None
    kustomized = subprocess.run([KUBECTL, "kustomize", str(overlay)], capture_output=True, text=True, timeout=120)
    assert kustomized.returncode == 0, kustomized.stderr

    project = tmp_path / "project"
    config = textwrap.dedent(PROJECT).lstrip("\n") + indent(transforms, 4) + "\n"
    write_tree(project, {"pytemplar.yaml": "", **files})
    (project / "pytemplar.yaml").write_text(config, encoding="utf-8")
    ours = pytemplar_render(project)

    assert parsed(ours) == parsed(kustomized.stdout)
    assert parsed(ours) != parsed(base)
