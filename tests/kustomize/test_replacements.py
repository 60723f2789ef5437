"""Replacements, judged by Kustomize's own cases (api/krusty/replacementtransformer_test.go and
the replacement filter's cases), ported. The kustomization and pytemplar.yaml spell them the same."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from kustomize.harness import KUBECTL, SKIP_REASON, Case, check

pytestmark = pytest.mark.skipif(KUBECTL is None, reason=SKIP_REASON)

DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: deploy, namespace: shop}
spec:
  selector: {matchLabels: {app: deploy}}
  template:
    metadata: {labels: {app: deploy}}
    spec:
      containers:
        - {name: replaced-with-digest, image: "foobar:1"}
        - {name: postgresdb, image: "postgres:1.8.0"}
"""

SERVICE_URL = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: d1, namespace: shop}
spec:
  selector: {matchLabels: {app: d1}}
  template:
    metadata: {labels: {app: d1}}
    spec:
      containers:
        - name: app
          image: "app1:1.0"
          env: [{name: APP1_SERVICE, value: d1.app1}, {name: OTHER, value: x}]
        - name: app-sidecar
          image: "app1:1.0"
          env: [{name: APP1_SERVICE, value: side.app1}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d2, namespace: shop}
spec:
  selector: {matchLabels: {app: d2}}
  template:
    metadata: {labels: {app: d2}}
    spec:
      containers:
        - name: app
          image: "app1:1.0"
          env: [{name: APP1_SERVICE, value: d2.app1}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm1, namespace: shop}
data: {APP1_SERVICE_PORT: "8080", replicas: "4", labels: "ignored"}
---
apiVersion: v1
kind: Service
metadata: {name: svc1, namespace: svc1-namespace, labels: {tier: backend, team: shop}}
spec:
  ports: [{protocol: TCP, port: 80, targetPort: 9376}]
"""

VISITED = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: d1, namespace: shop}
spec:
  selector: {matchLabels: {app: d1}}
  template:
    metadata: {labels: {app: d1}}
    spec:
      containers: [{name: app, image: "app1:1.0"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm1, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm2, namespace: shop}
---
apiVersion: example.com/v1
kind: postgresql
metadata: {name: pg1, namespace: shop}
"""

SUFFIXED = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: original-name, namespace: shop}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: app, image: "app1:1.0"}]
"""

CASES = [
    Case(
        "copy one container's image into another's",
        "replacementtransformer_test.go (TestReplacementsField)",
        DEPLOY,
        """
        replacements:
          - source: {kind: Deployment, fieldPath: spec.template.spec.containers.0.image}
            targets:
              - select: {kind: Deployment}
                fieldPaths: [spec.template.spec.containers.1.image]
        """,
    ),
    Case(
        "a replacement in a file",
        "replacementtransformer_test.go (TestReplacementsFieldWithPath)",
        DEPLOY,
        "replacements:\n  - path: replacement.yaml",
        files={
            "replacement.yaml": """
                source: {kind: Deployment, fieldPath: spec.template.spec.containers.0.image}
                targets:
                  - select: {kind: Deployment}
                    fieldPaths: [spec.template.spec.containers.1.image]
            """
        },
    ),
    Case(
        "several replacements in a file, in order",
        "replacementtransformer_test.go (TestReplacementsFieldWithPathMultiple)",
        DEPLOY,
        "replacements:\n  - path: replacement.yaml",
        files={
            "replacement.yaml": """
                - source: {kind: Deployment, fieldPath: spec.template.spec.containers.0.image}
                  targets:
                    - select: {kind: Deployment}
                      fieldPaths: [spec.template.spec.containers.1.image]
                - source: {kind: Deployment, fieldPath: spec.template.spec.containers.0.name}
                  targets:
                    - select: {kind: Deployment}
                      fieldPaths: [spec.template.spec.containers.1.name]
            """
        },
    ),
    Case(
        "source and target named as rendered, before the prefix",
        "replacementtransformer_test.go (TestReplacementTransformerWithOriginalName)",
        DEPLOY + "---" + SUFFIXED,
        """
        namePrefix: p-
        replacements:
          - source: {kind: Deployment, name: deploy, fieldPath: spec.template.spec.containers.0.image}
            targets:
              - select: {name: original-name}
                fieldPaths: [spec.template.spec.containers.0.image]
          - source: {kind: Deployment, name: p-deploy}
            targets:
              - select: {name: p-original-name}
                fieldPaths: [metadata.annotations.copied-from]
                options: {create: true}
        """,
    ),
    Case(
        "a generated name, unhashed, into a field created in another generated ConfigMap",
        "replacementtransformer_test.go (TestReplacementTransformerWithConfigMapGenerator)",
        DEPLOY,
        """
        namespace: shop
        configMapGenerator:
          - {name: blue}
          - {name: red}
        replacements:
          - source: {kind: ConfigMap, name: blue, fieldPath: metadata.name}
            targets:
              - select: {name: red}
                fieldPaths: [data.blue-name]
                options: {create: true}
        """,
        transforms="""
        configMapGenerator:
          - {name: blue}
          - {name: red}
        replacements:
          - source: {kind: ConfigMap, name: blue, fieldPath: metadata.name}
            targets:
              - select: {name: red}
                fieldPaths: [data.blue-name]
                options: {create: true}
        """,
    ),
    Case(
        "append to an annotation, selecting kinds by regular expression and rejecting by name",
        "replacementtransformer_test.go (TestReplacementTransformerAppendToAnnotationUsingRegex)",
        VISITED,
        """
        replacements:
          - source: {kind: ConfigMap, name: cm1}
            targets:
              - select: {}
                reject: [{kind: ConfigMap, name: cm1}]
                fieldPaths: [metadata.annotations.visitedby]
                options: {index: -1, delimiter: ",", create: true}
          - source: {kind: ConfigMap, name: cm2}
            targets:
              - select: {}
                reject: [{kind: ConfigMap, name: cm2}]
                fieldPaths: [metadata.annotations.visitedby]
                options: {index: -1, delimiter: ",", create: true}
        """,
    ),
    Case(
        "a select kind written as a regular expression",
        "replacementtransformer_test.go (TestReplacementTransformerAppendToAnnotationUsingRegex)",
        VISITED,
        """
        replacements:
          - source: {kind: ConfigMap, name: cm1}
            targets:
              - select: {kind: Deployment|ConfigMap|postgresql}
                fieldPaths: [metadata.annotations.visitedby]
                options: {create: true}
        """,
        outcome="refuses",
        says=r"replacement target \(kind Deployment\|ConfigMap\|postgresql\) selects no object",
        why="kubectl kustomize v5.7 matches select and reject exactly, so this selects nothing and it silently "
        "changes nothing (later kustomize reads them as regular expressions); pytemplar matches exactly too, "
        "and refuses a target that selects nothing",
    ),
    Case(
        "build a service URL in every container's env item: wildcard, list item, delimiter past the end",
        "replacementtransformer_test.go (TestReplacementTransformerServiceNamespaceUrlUsingRegex)",
        SERVICE_URL,
        """
        replacements:
          - source: {kind: Service, name: svc1, fieldPath: metadata.namespace}
            targets:
              - select: {kind: Deployment}
                fieldPaths: ["spec.template.spec.containers.*.env.[name=APP1_SERVICE].value"]
                options: {index: 99, delimiter: "."}
              - select: {kind: DaemonSet}
                fieldPaths: ["spec.template.spec.containers.*.env.[name=APP1_SERVICE].value"]
                options: {index: 99, delimiter: "."}
          - source: {kind: ConfigMap, name: cm1, fieldPath: data.APP1_SERVICE_PORT}
            targets:
              - select: {group: apps}
                fieldPaths: ["spec.template.spec.containers.*.env.[name=APP1_SERVICE].value"]
                options: {index: 99, delimiter: ":"}
        """,
    ),
    Case(
        "a part of the source split at a delimiter replaces a part of the target",
        "replacement_test.go (delimiter in source and target)",
        SERVICE_URL,
        """
        replacements:
          - source:
              kind: Deployment
              name: d1
              fieldPath: "spec.template.spec.containers.[name=app].image"
              options: {delimiter: ":", index: 1}
            targets:
              - select: {kind: DaemonSet}
                fieldPaths: ["spec.template.spec.containers.[name=app].image"]
                options: {delimiter: ":", index: 1}
          - source:
              kind: Deployment
              name: d1
              fieldPath: "spec.template.spec.containers.0.image"
              options: {delimiter: ":"}
            targets:
              - select: {kind: Service}
                fieldPaths: [metadata.labels.image-name]
                options: {create: true}
        """,
    ),
    Case(
        "a number-like string copied into a new field stays a string",
        "replacement_test.go (create a field from a string)",
        SERVICE_URL,
        """
        replacements:
          - source:
              kind: Deployment
              name: d1
              fieldPath: "spec.template.spec.containers.0.image"
              options: {delimiter: ":", index: 1}
            targets:
              - select: {kind: Service}
                fieldPaths: [metadata.annotations.version]
                options: {create: true}
        """,
    ),
    Case(
        "a sourceValue, a string into a number keeps the number, a map into a new field",
        "replacement_test.go (sourceValue, types kept, maps copied)",
        SERVICE_URL,
        """
        replacements:
          - sourceValue: pinned
            targets:
              - select: {kind: Deployment}
                fieldPaths: [metadata.labels.release, "spec.template.spec.containers.0.env.[name=OTHER].value"]
                options: {create: true}
          - source: {kind: ConfigMap, name: cm1, fieldPath: data.replicas}
            targets:
              - select: {kind: Service}
                fieldPaths: [spec.ports.0.port]
          - source: {kind: Service, name: svc1, fieldPath: metadata.labels}
            targets:
              - select: {kind: ConfigMap}
                fieldPaths: [metadata.annotations]
                options: {create: true}
        """,
    ),
    Case(
        "a label selector selects the targets",
        "replacement_test.go (labelSelector in select and reject)",
        SERVICE_URL,
        """
        labels: [{pairs: {team: shop}}]
        replacements:
          - source: {kind: Service, name: svc1, fieldPath: metadata.labels.tier}
            targets:
              - select: {labelSelector: "team=shop"}
                reject: [{kind: Service}, {labelSelector: "app=d2"}]
                fieldPaths: [metadata.labels.tier]
                options: {create: true}
        """,
    ),
    Case(
        "replacements run after the other transforms: the image an override wrote is copied",
        "component_test.go (components_are_applied_before_replacements_transformer_applied)",
        DEPLOY,
        """
        images:
          - {name: foobar, newTag: "2"}
        replacements:
          - source:
              kind: Deployment
              name: deploy
              fieldPath: "spec.template.spec.containers.[name=replaced-with-digest].image"
            targets:
              - select: {kind: Deployment}
                fieldPaths: [metadata.annotations.image]
                options: {create: true}
        """,
    ),
    Case(
        "a target that the reject leaves empty",
        "replacementtransformer_test.go (TestReplacementTransformerWithSuffixTransformerAndReject)",
        SUFFIXED,
        """
        namespace: shop
        nameSuffix: -dev
        configMapGenerator:
          - {name: app-config, literals: [name=something-else]}
        replacements:
          - source: {kind: ConfigMap, name: app-config, fieldPath: data.name}
            targets:
              - select: {kind: Deployment}
                reject: [{name: original-name}]
                fieldPaths: [spec.template.spec.containers.0.name]
        """,
        transforms="""
        nameSuffix: -dev
        configMapGenerator:
          - {name: app-config, literals: [name=something-else]}
        replacements:
          - source: {kind: ConfigMap, name: app-config, fieldPath: data.name}
            targets:
              - select: {kind: Deployment}
                reject: [{name: original-name}]
                fieldPaths: [spec.template.spec.containers.0.name]
        """,
        outcome="refuses",
        says=r"replacement target \(kind Deployment\) selects no object of release 'r'",
        why="a target that selects nothing changes nothing, which is a mistake, as a patch that matches nothing is",
    ),
    Case(
        "a list item named [name=app] is the item named app, not every name containing it",
        "replacement_test.go (list item matched as a regular expression)",
        SERVICE_URL,
        """
        replacements:
          - sourceValue: "app2:2.0"
            targets:
              - select: {kind: Deployment}
                fieldPaths: ["spec.template.spec.containers.[name=app].image"]
        """,
        outcome="warns",
        says=r"'\[name=app\]' in 'spec.template.spec.containers.\[name=app\].image' matches the whole value; "
        r"kubectl kustomize would also change the items whose name only contains it: app-sidecar",
        why="kustomize reads [name=app] in a target as a regular expression found anywhere in the name, so it "
        "also changes app-sidecar; Kubernetes' list items are named by their whole name",
    ),
]


MOVED = """
apiVersion: v1
kind: ConfigMap
metadata: {name: src, namespace: old}
data: {host: db.prod}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: old}
data: {host: unset}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: peer, namespace: other}
data: {host: unset}
"""


def moved(replacements: str) -> tuple[str, str]:
    """The kustomization (namespace: shop) and the transforms (setNamespace) around ``replacements``."""
    text = textwrap.dedent(replacements).strip("\n")
    return "namespace: shop\n" + text, "setNamespace: all\n" + text


EMBEDDED = """
apiVersion: v1
kind: ConfigMap
metadata: {name: src, namespace: shop}
data: {host: db.prod}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data:
  config.json: '{"db": {"host": "old", "port": 5432}}'
"""

CASES += [
    Case(
        "source and target selected by the namespace they had before the namespace transform",
        "replacementtransformer_test.go (TestReplacementTransformerWithOriginalName, by namespace)",
        MOVED,
        *moved("""
            replacements:
              - source: {kind: ConfigMap, name: src, namespace: old, fieldPath: data.host}
                targets:
                  - select: {kind: ConfigMap, name: app, namespace: old}
                    fieldPaths: [data.host]
        """),
    ),
    Case(
        "source and target selected by the namespace the namespace transform gave them",
        "replacementtransformer_test.go (TestReplacementTransformerWithOriginalName, by namespace)",
        MOVED,
        *moved("""
            replacements:
              - source: {kind: ConfigMap, name: src, namespace: shop, fieldPath: data.host}
                targets:
                  - select: {kind: ConfigMap, name: app, namespace: shop}
                    fieldPaths: [data.host]
        """),
    ),
    Case(
        "a reject by the namespace an object had before the namespace transform",
        "replacementtransformer_test.go (TestReplacementTransformerWithSuffixTransformerAndReject, by namespace)",
        MOVED,
        *moved("""
            replacements:
              - source: {kind: ConfigMap, name: src, fieldPath: data.host}
                targets:
                  - select: {kind: ConfigMap}
                    reject: [{namespace: other}, {name: src}]
                    fieldPaths: [data.host]
        """),
    ),
    Case(
        "a target path into JSON held in a string is refused",
        "replacementtransformer_test.go (structured data in a string field, kustomize v5.8)",
        EMBEDDED,
        """
        replacements:
          - source: {kind: ConfigMap, name: src, fieldPath: data.host}
            targets:
              - select: {kind: ConfigMap, name: app}
                fieldPaths: [data.config\\.json.db.host]
        """,
        kustomize_says=r"unable to find field .* in replacement target: wrong node kind: expected MappingNode but got "
        r"ScalarNode",
        says=r"replacement target ConfigMap shop/app: 'data.config\\.json.db.host' goes into the text of a string "
        r"field\n  hint: pytemplar does not edit YAML or JSON held in a string; replace the whole field",
    ),
]


BLUE_RED = """
apiVersion: v1
kind: ConfigMap
metadata: {name: blue, namespace: base-namespace}
data: {level: base}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: red, namespace: base-namespace}
data: {level: unset}
"""

# A base (pytemplar: the project level) copies blue's name, namespace and data into red.
BASE_REPLACEMENTS = """
replacements:
  - source: {kind: ConfigMap, name: blue, fieldPath: metadata.name}
    targets:
      - select: {name: red}
        fieldPaths: [data.blue-name]
        options: {create: true}
  - source: {kind: ConfigMap, name: blue, fieldPath: metadata.namespace}
    targets:
      - select: {name: red}
        fieldPaths: [data.blue-namespace]
        options: {create: true}
  - source: {kind: ConfigMap, name: blue, fieldPath: data.level}
    targets:
      - select: {name: red}
        fieldPaths: [data.level]
"""


def base_and_overlay(overlay: str, transforms: str) -> dict[str, Any]:
    """A case whose replacements are a base's (the project level's) and whose overlay (the release)
    declares ``overlay`` (``transforms`` in pytemplar)."""
    return {
        "kustomization": "resources: [base]\n" + textwrap.dedent(overlay).strip("\n"),
        "transforms": textwrap.dedent(transforms).strip("\n"),
        "project": BASE_REPLACEMENTS,
        "files": {
            "base/kustomization.yaml": "resources: [objects.yaml]\n" + BASE_REPLACEMENTS,
            "base/objects.yaml": BLUE_RED,
        },
    }


CASES += [
    Case(
        "a base's replacement copies a name that the overlay's prefix changes",
        "replacementtransformer_test.go (TestReplacementTransformerWithNamePrefixOverlay)",
        BLUE_RED,
        outcome="warns",
        says=r"replacement source ConfigMap base-namespace/overlay-blue: 'metadata.name' is 'overlay-blue' after the "
        r"transforms of the levels above this replacement's, and is copied so; kubectl kustomize runs a base's "
        r"replacements before an overlay's transforms, so it would copy 'blue'",
        why="Kustomize runs a base's replacements before the overlay's prefix, so red names 'blue', which no "
        "longer exists; pytemplar runs replacements after every level's transforms and copies the final name",
        **base_and_overlay("namePrefix: overlay-", "namePrefix: overlay-"),
    ),
    Case(
        "a base's replacement copies a namespace that the overlay's namespace changes",
        "replacementtransformer_test.go (TestReplacementTransformerWithNamespaceOverlay)",
        BLUE_RED,
        outcome="warns",
        says=r"replacement source ConfigMap shop/blue: 'metadata.namespace' is 'shop' after the transforms of the "
        r"levels above this replacement's, and is copied so; kubectl kustomize runs a base's replacements before "
        r"an overlay's transforms, so it would copy 'base-namespace'",
        why="Kustomize copies the base's namespace, which its own test calls a bug to fix (kustomize issue 4034); "
        "pytemplar copies the namespace the objects end up in",
        **base_and_overlay("namespace: shop", "setNamespace: all"),
    ),
    Case(
        "an overlay's patch of a field a base's replacement writes: the overlay's value stays",
        "replacementtransformer_test.go (TestReplacementTransformerWithNamePrefixOverlay, with an overlay patch)",
        BLUE_RED,
        **base_and_overlay(
            """
            patches:
              - target: {kind: ConfigMap, name: red}
                patch: |
                  - {op: replace, path: /data/level, value: overlay}
            """,
            """
            patches:
              - target: {kind: ConfigMap, name: red}
                patch: |
                  - {op: replace, path: /data/level, value: overlay}
            """,
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_krusty_replacement_case(tmp_path: Path, case: Case) -> None:
    check(tmp_path, case)
