"""Kustomize's own test cases (api/krusty in the kustomize repository), ported.

Each case's inputs are written here in pytemplar's form; the expected output is what the pinned
kubectl kustomize prints for the equivalent kustomization when the test runs (harness.py).
A case either gives the same objects, or pytemplar differs on purpose and says so (a warning or
an error), never silently. docs/transforms.md counts them; run them with

    pytest tests/kustomize -q
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from kustomize.harness import KUBECTL, SKIP_REASON, Case, check
from kustomize.test_components import CASES as COMPONENT_CASES
from kustomize.test_custom_resource_merge_keys import CASES as CUSTOM_RESOURCE_CASES
from kustomize.test_replacements import CASES as REPLACEMENT_CASES
from kustomize.test_silent_differences import CASES as SILENT_DIFFERENCE_CASES
from kustomize.test_sort_options import ALL_SORT_CASES as SORT_CASES

pytestmark = pytest.mark.skipif(KUBECTL is None, reason=SKIP_REASON)

WEB = """
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data: {MODE: normal}
---
apiVersion: v1
kind: Secret
metadata: {name: web-creds, namespace: shop}
type: Opaque
data: {password: c2VjcmV0}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      initContainers:
        - {name: migrate, image: "ghcr.io/acme/web:1.0"}
      containers:
        - name: main
          image: "ghcr.io/acme/web:1.0"
          args: [serve, --port=8080]
          env:
            - {name: A, value: "1"}
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: web-creds, key: password}}
          envFrom:
            - configMapRef: {name: web-config}
          ports: [{name: http, containerPort: 8080}]
          volumeMounts:
            - {name: config, mountPath: /etc/web}
        - {name: proxy, image: "envoyproxy/envoy:v1.30.0"}
      volumes:
        - name: config
          configMap: {name: web-config}
        - name: tmp
          emptyDir: {}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  tls: [{hosts: [web.example.com], secretName: web-creds}]
  rules:
    - host: web.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: web, port: {number: 80}}
"""

STATEFUL = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: db
          image: "postgres:16"
          envFrom: [{configMapRef: {name: db-env}}]
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: db}}}
        - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: db}}}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: shop}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image: "postgres:16"
              envFrom: [{configMapRef: {name: db-env}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db, namespace: shop}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: db}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
"""

WIDGET = """
apiVersion: example.com/v1
kind: Widget
metadata: {name: gizmo, namespace: shop}
spec:
  parts: [{name: a, size: 1}, {name: b, size: 2}]
  settings: {color: red, size: large}
"""

TWO_NAMESPACES = """
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {where: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: staging}
data: {where: staging}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop}
spec:
  containers: [{name: c, image: "busybox:1.36", envFrom: [{configMapRef: {name: cfg}}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: staging}
spec:
  containers: [{name: c, image: "busybox:1.36", envFrom: [{configMapRef: {name: cfg}}]}]
"""

DEPLOYMENT_PATCH_HEAD = """
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
"""


def deployment_patches(*bodies: str) -> str:
    """``patches:`` with one strategic patch of Deployment web for each body."""
    return "patches:" + "".join(
        DEPLOYMENT_PATCH_HEAD + textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 6) + "\n" for body in bodies
    )


CASES = [
    # -- labels and annotations ---------------------------------------------------------------
    Case("commonLabels reach metadata, templates and selectors", "simple_test.go", WEB, "commonLabels: {team: blue}"),
    Case(
        "commonLabels on StatefulSet, CronJob, PDB and NetworkPolicy selectors",
        "poddisruptionbudget_test.go",
        STATEFUL,
        "commonLabels: {team: data}",
    ),
    Case(
        "numeric-looking label values stay strings",
        "numericcommonlabels_test.go",
        WEB,
        "commonLabels: {version: '1', enabled: 'true'}",
    ),
    Case("an empty label value", "blankvalues_test.go", WEB, "commonLabels: {empty: ''}"),
    Case(
        "labels without selectors stay off selectors and templates",
        "inlinelabels_test.go",
        WEB,
        "labels:\n  - pairs: {team: blue}",
    ),
    Case(
        "labels with includeSelectors",
        "inlinelabels_test.go",
        WEB,
        "labels:\n  - pairs: {team: blue}\n    includeSelectors: true",
    ),
    Case(
        "labels with includeTemplates",
        "inlinelabels_test.go",
        STATEFUL,
        "labels:\n  - pairs: {team: blue}\n    includeTemplates: true",
    ),
    Case(
        "commonLabels and labels set the same key: commonLabels wins",
        "inlinelabels_test.go",
        WEB,
        "commonLabels: {team: common}\nlabels:\n  - pairs: {team: labels, other: x}\n    includeTemplates: true",
    ),
    Case(
        "commonAnnotations reach metadata and templates",
        "simple_test.go",
        STATEFUL,
        "commonAnnotations: {owner: data-team, note: 'a: b'}",
    ),
    # -- names ----------------------------------------------------------------------------------
    Case(
        "prefix and suffix with references",
        "namereference_test.go",
        WEB,
        "namePrefix: pre-\nnameSuffix: -v2",
    ),
    Case(
        "prefix follows Role resourceNames, ingress annotations and StorageClass secrets",
        "namereference_test.go",
        WEB
        + """
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules:
  - {apiGroups: [""], resources: [configmaps, secrets], resourceNames: [web-config, web-creds, elsewhere], verbs: [get]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: guarded
  namespace: shop
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: web-creds
    nginx.ingress.kubernetes.io/fastcgi-params-configmap: web-config
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/csi
parameters: {secretName: web-creds, other: web-creds}
""",
        "namePrefix: p-",
    ),
    Case(
        "prefix on StatefulSet serviceName and CronJob references",
        "nameprefixsuffixpatch_test.go",
        STATEFUL + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: db-env, namespace: shop}\ndata: {X: '1'}\n",
        "namePrefix: p-",
    ),
    Case(
        "same names in two namespaces are two objects",
        "namespaces_test.go (same name, different namespaces)",
        TWO_NAMESPACES,
        "nameSuffix: -x",
    ),
    Case(
        "a patch targets one namespace of two",
        "namespaces_test.go (same name, different namespaces)",
        TWO_NAMESPACES,
        """
        patches:
          - target: {kind: ConfigMap, namespace: staging}
            patch: |
              - {op: add, path: /data/extra, value: "1"}
        """,
    ),
    Case(
        "a merge patch without a target patches the object of its namespace",
        "namespaces_test.go (same name, different namespaces)",
        TWO_NAMESPACES,
        """
        patches:
          - patch: |
              apiVersion: v1
              kind: ConfigMap
              metadata: {name: cfg, namespace: staging}
              data: {where: patched}
        """,
    ),
    # -- images ---------------------------------------------------------------------------------
    Case(
        "images: newName, newTag and digest on containers and initContainers",
        "transformersimage_test.go",
        WEB,
        """
        images:
          - {name: ghcr.io/acme/web, newName: registry.local/web, newTag: '2.0'}
          - {name: envoyproxy/envoy, digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'}
        """,
    ),
    Case(
        "images on a CronJob",
        "transformersimage_test.go",
        STATEFUL,
        "images:\n  - {name: postgres, newTag: '16.4'}",
    ),
    # -- JSON patches ---------------------------------------------------------------------------
    Case(
        "JSON patch add, replace, remove, test",
        "inlinepatch_test.go",
        WEB,
        """
        patches:
          - target: {kind: Deployment, name: web}
            patch: |
              - {op: test, path: /spec/replicas, value: 2}
              - {op: replace, path: /spec/replicas, value: 4}
              - {op: add, path: /spec/template/spec/containers/0/env/-, value: {name: C, value: "3"}}
              - {op: remove, path: /spec/template/spec/containers/1}
        """,
    ),
    Case(
        "JSON patch move and copy",
        "inlinepatch_test.go",
        WEB,
        """
        patches:
          - target: {kind: ConfigMap}
            patch: |
              - {op: copy, from: /data/MODE, path: /data/COPY}
              - {op: move, from: /data/MODE, path: /data/MOVED}
        """,
    ),
    Case(
        "JSON patch from a file, targets by group and version",
        "gvknpatch_test.go",
        WEB,
        """
        patches:
          - path: hpa.yaml
            target: {group: autoscaling, version: v2, kind: HorizontalPodAutoscaler}
        """,
        files={"hpa.yaml": "- {op: replace, path: /spec/maxReplicas, value: 9}\n"},
    ),
    Case(
        "JSON patch on the envFrom list, inline",
        "mergeenvfrom_test.go",
        WEB,
        """
        patches:
          - target: {kind: Deployment}
            patch: |
              - op: add
                path: /spec/template/spec/containers/0/envFrom/-
                value: {secretRef: {name: web-creds}}
        """,
    ),
    # -- targets --------------------------------------------------------------------------------
    Case(
        "targets by label selector",
        "extendedpatch_test.go",
        WEB,
        """
        patches:
          - target: {labelSelector: app=web}
            patch: |
              - {op: add, path: /metadata/annotations, value: {selected: "yes"}}
        """,
    ),
    Case(
        "targets by name regular expression and set selector",
        "extendedpatch_test.go",
        WEB,
        """
        patches:
          - target: {name: web-.*, labelSelector: "app notin (db)"}
            patch: |
              - {op: add, path: /metadata/labels, value: {matched: "yes"}}
        """,
    ),
    # -- strategic merge ------------------------------------------------------------------------
    Case(
        "strategic merge of containers, env, ports, mounts and volumes",
        "multiplepatch_test.go",
        WEB,
        deployment_patches(
            """
            spec:
              template:
                spec:
                  containers:
                    - {name: sidecar, image: "busybox:1.36"}
                    - name: main
                      env: [{name: C, value: "3"}, {name: A, value: "9"}]
                      ports: [{name: metrics, containerPort: 9090}]
                      volumeMounts: [{name: cache, mountPath: /cache}]
                  volumes:
                    - {name: tmp, $patch: delete}
                    - {name: cache, emptyDir: {}}
            """
        ),
    ),
    Case(
        "two patches on one object apply in order",
        "multiplepatch_test.go",
        WEB,
        deployment_patches(
            'spec: {replicas: 3, template: {spec: {containers: [{name: main, image: "nginx:1"}]}}}',
            'spec: {template: {spec: {containers: [{name: main, image: "nginx:2"}]}}}',
        ),
    ),
    Case(
        "lists without a merge key are replaced (args, envFrom)",
        "mergeenvfrom_test.go",
        WEB,
        deployment_patches("""
              spec:
                template:
                  spec:
                    containers:
                      - name: main
                        args: [serve]
                        envFrom: [{secretRef: {name: web-creds}}]
        """),
    ),
    Case(
        "an empty list in a patch empties the list",
        "keepemptyarray_test.go",
        WEB,
        deployment_patches("""
              spec: {template: {spec: {containers: [{name: main, args: []}]}}}
        """),
    ),
    Case(
        "null removes a field",
        "nullvalues_test.go",
        WEB,
        deployment_patches("""
              spec: {replicas: null, template: {spec: {serviceAccountName: null}}}
        """),
    ),
    Case(
        "$patch: delete on a list item and on a map",
        "patchdelete_test.go",
        WEB,
        deployment_patches("""
              spec:
                template:
                  spec:
                    containers:
                      - {name: proxy, $patch: delete}
                      - name: main
                        env: [{name: A, $patch: delete}]
                    initContainers:
                      - {name: migrate, $patch: delete}
                strategy: {$patch: delete}
        """),
    ),
    Case(
        "$patch: replace on a map",
        "extendedpatch_test.go ($patch directives)",
        WEB,
        deployment_patches("""
              spec:
                template:
                  metadata: {$patch: replace, labels: {app: web}, annotations: {fresh: "yes"}}
        """),
    ),
    Case(
        "$patch: delete of a whole object by target",
        "patchdelete_test.go",
        WEB,
        """
        patches:
          - target: {kind: (Ingress|HorizontalPodAutoscaler)}
            patch: |
              apiVersion: v1
              kind: Any
              metadata: {name: any}
              $patch: delete
        """,
    ),
    Case(
        "$setElementOrder is refused",
        "extendedpatch_test.go ($setElementOrder)",
        WEB,
        deployment_patches("""
              spec:
                template:
                  spec:
                    $setElementOrder/containers: [{name: proxy}, {name: main}]
                    containers: [{name: main, image: "nginx:1"}]
        """),
        outcome="refuses",
        says=r"directive '\$setElementOrder/containers'.* is not supported",
        why="kubectl kustomize writes the directive into the object as a field; the API server rejects it",
    ),
    Case(
        "list merge on two keys: topologySpreadConstraints",
        "extendedpatch_test.go (list merge keys)",
        STATEFUL,
        """
        patches:
          - patch: |
              apiVersion: apps/v1
              kind: StatefulSet
              metadata: {name: db, namespace: shop}
              spec:
                template:
                  spec:
                    topologySpreadConstraints:
                      - {topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, maxSkew: 3}
                      - {topologyKey: host, whenUnsatisfiable: ScheduleAnyway, maxSkew: 1}
        """,
    ),
    Case(
        "finalizers merge as a set",
        "extendedpatch_test.go (primitive lists)",
        "apiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: c, namespace: shop, finalizers: [a.example.com/x, b.example.com/y]}\n",
        """
        patches:
          - patch: |
              apiVersion: v1
              kind: ConfigMap
              metadata: {name: c, namespace: shop, finalizers: [c.example.com/z, a.example.com/x]}
        """,
    ),
    Case(
        "a custom resource's lists are replaced, its maps merged",
        "crd_test.go",
        WIDGET,
        """
        patches:
          - patch: |
              apiVersion: example.com/v1
              kind: Widget
              metadata: {name: gizmo, namespace: shop}
              spec:
                parts: [{name: a, size: 5}]
                settings: {color: blue}
        """,
    ),
    Case(
        "prefix on a custom resource",
        "crd_test.go",
        WIDGET,
        "namePrefix: p-",
    ),
    Case(
        "$patch: replace on one container",
        "extendedpatch_test.go ($patch directives)",
        WEB,
        deployment_patches(
            """
            spec:
              template:
                spec:
                  containers:
                    - {name: main, image: "nginx:1", $patch: replace}
            """
        ),
        outcome="warns",
        says=r"containers item name main: '\$patch: replace' replaces the item.*kubectl kustomize would ignore",
        why="Kubernetes replaces a list item marked '$patch: replace'; kustomize v5.7 drops the patch's item",
    ),
    Case(
        "hostAliases by ip and imagePullSecrets by name",
        "extendedpatch_test.go (list merge keys)",
        WEB,
        deployment_patches(
            """
            spec:
              template:
                spec:
                  hostAliases: [{ip: 10.0.0.1, hostnames: [db.local]}]
                  imagePullSecrets: [{name: registry}]
            """,
            """
            spec:
              template:
                spec:
                  hostAliases: [{ip: 10.0.0.2, hostnames: [cache.local]}, {ip: 10.0.0.1, hostnames: [db2.local]}]
                  imagePullSecrets: [{name: other}]
            """,
        ),
    ),
    Case(
        "a JSON patch path with escaped characters",
        "inlinepatch_test.go",
        WEB,
        """
        patches:
          - target: {kind: Service}
            patch: |
              - {op: add, path: /metadata/annotations, value: {}}
              - {op: add, path: /metadata/annotations/example.com~1owner, value: shop}
              - {op: add, path: /metadata/annotations/tilde~0key, value: t}
        """,
    ),
    Case(
        "targets by annotation selector",
        "extendedpatch_test.go",
        WEB.replace(
            "metadata: {name: web, namespace: shop, labels: {app: web}}\nspec:\n  replicas",
            "metadata: {name: web, namespace: shop, labels: {app: web}, annotations: {tier: front}}\nspec:\n  replicas",
        ),
        """
        patches:
          - target: {annotationSelector: tier=front}
            patch: |
              - {op: replace, path: /spec/replicas, value: 1}
        """,
    ),
    Case(
        "$retainKeys is refused",
        "extendedpatch_test.go ($patch directives)",
        WEB,
        deployment_patches(
            """
            spec:
              strategy:
                $retainKeys: [type]
                type: Recreate
            """
        ),
        outcome="refuses",
        says=r"directive '\$retainKeys'.* is not supported",
        why="kubectl kustomize writes the directive into the object as a field; the API server rejects it",
    ),
    Case(
        "images with a registry port and an image with tag and digest",
        "transformersimage_test.go",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: shop}
        spec:
          containers:
            - {name: a, image: "localhost:5000/team/app:1.0"}
            - {name: b, image: "busybox:1.36@sha256:1111111111111111111111111111111111111111111111111111111111111111"}
            - {name: c, image: nginx}
        """,
        """
        images:
          - {name: 'localhost:5000/team/app', newTag: '2.0'}
          - {name: busybox, newName: mirror.local/busybox}
          - name: nginx
            newTag: '1.27'
            digest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222'
        """,
    ),
    # -- generators -----------------------------------------------------------------------------
    Case(
        "configMapGenerator: literals, files, env files, hash and references",
        "configmaps_test.go",
        WEB,
        """
        namespace: shop
        configMapGenerator:
          - name: flags
            literals: ['GREETING=hello <world> & co', "QUOTED='x y'"]
            envs: [flags.env]
            files: [app.properties, renamed=app.properties]
        patches:
          - target: {kind: Deployment}
            patch: |
              - {op: add, path: /spec/template/spec/containers/0/envFrom/-, value: {configMapRef: {name: flags}}}
        """,
        transforms="""
        configMapGenerator:
          - name: flags
            literals: ['GREETING=hello <world> & co', "QUOTED='x y'"]
            envs: [flags.env]
            files: [app.properties, renamed=app.properties]
        patches:
          - target: {kind: Deployment}
            patch: |
              - {op: add, path: /spec/template/spec/containers/0/envFrom/-, value: {configMapRef: {name: flags}}}
        """,
        files={"flags.env": "# flags\nCOLOR=blue\n\nSIZE=10\n", "app.properties": "timeout=30\nretries=3\n"},
    ),
    Case(
        "multibyte characters in generated data",
        "multibytecharacter_test.go",
        WEB,
        "namespace: shop\nconfigMapGenerator:\n  - {name: words, literals: ['hello=こんにちは', 'emoji=🚀']}",
        transforms="configMapGenerator:\n  - {name: words, literals: ['hello=こんにちは', 'emoji=🚀']}",
    ),
    Case(
        "secretGenerator with a type and files",
        "configmaps_test.go (secrets)",
        WEB,
        """
        namespace: shop
        secretGenerator:
          - name: tls
            type: kubernetes.io/tls
            files: [tls.crt, tls.key]
        """,
        transforms="""
        secretGenerator:
          - name: tls
            type: kubernetes.io/tls
            files: [tls.crt, tls.key]
        """,
        files={"tls.crt": "CERT\n", "tls.key": "KEY\n"},
    ),
    Case(
        "generator options: labels, annotations, no hash",
        "generatoroptions_test.go",
        WEB,
        """
        namespace: shop
        configMapGenerator:
          - name: plain
            literals: [a=1]
            options: {disableNameSuffixHash: true, labels: {kind: plain}, annotations: {note: x}}
        """,
        transforms="""
        configMapGenerator:
          - name: plain
            literals: [a=1]
            options: {disableNameSuffixHash: true, labels: {kind: plain}, annotations: {note: x}}
        """,
    ),
    Case(
        "secretGenerator from an env file, and an empty configMapGenerator",
        "configmaps_test.go",
        WEB,
        """
        namespace: shop
        secretGenerator:
          - {name: env-secret, envs: [secret.env]}
        configMapGenerator:
          - {name: empty}
        """,
        transforms="""
        secretGenerator:
          - {name: env-secret, envs: [secret.env]}
        configMapGenerator:
          - {name: empty}
        """,
        files={"secret.env": "USER=admin\nPASS=p=ss\n"},
    ),
    Case(
        "generatorOptions for every generator of the level",
        "generatoroptions_test.go",
        WEB,
        """
        namespace: shop
        generatorOptions:
          labels: {team: shop, owner: common}
          annotations: {note: common}
          immutable: true
        configMapGenerator:
          - {name: a, literals: [x=1], options: {labels: {owner: own}}}
        secretGenerator:
          - {name: b, literals: [y=2], options: {disableNameSuffixHash: true}}
        """,
        transforms="""
        generatorOptions:
          labels: {team: shop, owner: common}
          annotations: {note: common}
          immutable: true
        configMapGenerator:
          - {name: a, literals: [x=1], options: {labels: {owner: own}}}
        secretGenerator:
          - {name: b, literals: [y=2], options: {disableNameSuffixHash: true}}
        """,
    ),
    Case(
        "generator behavior merge into a rendered ConfigMap",
        "generatormergeandreplace_test.go",
        WEB,
        """
        configMapGenerator:
          - {name: web-config, namespace: shop, behavior: merge, literals: [EXTRA=1, MODE=fast]}
        """,
    ),
    Case(
        "generator behavior replace of a rendered Secret",
        "generatormergeandreplace_test.go",
        WEB,
        """
        secretGenerator:
          - {name: web-creds, namespace: shop, behavior: replace, literals: [password=other]}
        """,
    ),
    Case(
        "generators into two namespaces with one name",
        "generatormergeandreplace_test.go (TestGeneratingIntoNamespaces)",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: staging}\n",
        """
        configMapGenerator:
          - {name: test, namespace: shop, literals: [key=value]}
          - {name: test, namespace: staging, literals: [key=value]}
        """,
    ),
    Case(
        "generated names are followed by StatefulSet and CronJob",
        "configmaps_test.go",
        STATEFUL,
        "namespace: shop\nconfigMapGenerator:\n  - {name: db-env, literals: [PGDATA=/data]}",
        transforms="configMapGenerator:\n  - {name: db-env, literals: [PGDATA=/data]}",
    ),
    # -- everything at once ---------------------------------------------------------------------
    Case(
        "prefix, labels, annotations, images, patch and generator together",
        "complexcomposition_test.go",
        WEB,
        """
        namespace: shop
        namePrefix: prod-
        commonLabels: {env: prod}
        commonAnnotations: {owner: shop}
        images: [{name: ghcr.io/acme/web, newTag: '1.1'}]
        configMapGenerator:
          - {name: web-config, namespace: shop, behavior: replace, literals: [MODE=prod]}
        patches:
          - target: {kind: Deployment}
            patch: |
              - {op: replace, path: /spec/replicas, value: 5}
        """,
        transforms="""
        namePrefix: prod-
        commonLabels: {env: prod}
        commonAnnotations: {owner: shop}
        images: [{name: ghcr.io/acme/web, newTag: '1.1'}]
        configMapGenerator:
          - {name: web-config, namespace: shop, behavior: replace, literals: [MODE=prod]}
        patches:
          - target: {kind: Deployment}
            patch: |
              - {op: replace, path: /spec/replicas, value: 5}
        """,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_krusty_case(tmp_path: Path, case: Case) -> None:
    check(tmp_path, case)


NAMESPACED = """
apiVersion: v1
kind: Namespace
metadata: {name: old}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: old}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: plain}
---
apiVersion: v1
kind: Service
metadata: {name: hook, namespace: old}
spec: {ports: [{port: 443}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
subjects:
  - {kind: ServiceAccount, name: app, namespace: old}
  - {kind: ServiceAccount, name: plain, namespace: shop}
  - {kind: ServiceAccount, name: default, namespace: kube-system}
  - {kind: ServiceAccount, name: app, namespace: elsewhere}
  - {kind: ServiceAccount, name: other, namespace: old}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: old}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects:
  - {kind: ServiceAccount, name: app, namespace: old}
  - {kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: vwc}
webhooks:
  - name: a.example.com
    clientConfig: {service: {name: hook, namespace: old, path: /v}}
    admissionReviewVersions: [v1]
    sideEffects: None
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
spec:
  service: {name: hook, namespace: old}
  group: example.com
  version: v1
  groupPriorityMinimum: 1
  versionPriority: 1
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
"""

FEATURE_CASES = [
    Case(
        "setNamespace all: namespace, subjects, webhooks, APIService, custom resources",
        "namespaces_test.go",
        NAMESPACED,
        "namespace: shop",
        transforms="setNamespace: all",
    ),
    Case(
        "setNamespace with a prefix",
        "namespaces_test.go",
        NAMESPACED,
        "namespace: shop\nnamePrefix: p-",
        transforms="setNamespace: all\nnamePrefix: p-",
    ),
    Case(
        "setNamespace unset leaves objects that have one",
        "namespaces_test.go (unsetOnly)",
        NAMESPACED,
        "transformers: [namespace.yaml]",
        transforms="setNamespace: unset",
        files={
            "namespace.yaml": "apiVersion: builtin\nkind: NamespaceTransformer\n"
            "metadata: {name: ns, namespace: shop}\nunsetOnly: true\n"
        },
    ),
    Case(
        "patchesJson6902 run after the labels",
        "legacy_order_test.go",
        WEB,
        """
        commonLabels: {team: blue}
        patchesJson6902:
          - target: {kind: Service, name: web}
            patch: |
              - {op: replace, path: /metadata/labels, value: {only: this}}
          - target: {version: v1, kind: ConfigMap, name: web-config}
            path: cm.yaml
        """,
        files={"cm.yaml": "- {op: add, path: /data/FROM_FILE, value: 'yes'}\n"},
    ),
    Case(
        "a patch file with several documents patches each object it names",
        "multiplepatch_test.go",
        WEB,
        "patches:\n  - path: several.yaml",
        files={
            "several.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
            "spec: {type: NodePort}\n---\napiVersion: v1\nkind: ConfigMap\n"
            "metadata: {name: web-config, namespace: shop}\ndata: {EXTRA: '1'}\n"
        },
    ),
    Case(
        "inline patch text with several documents",
        "multiplepatch_test.go",
        WEB,
        """
        patches:
          - patch: |
              apiVersion: v1
              kind: Service
              metadata: {name: web, namespace: shop}
              spec: {type: NodePort}
              ---
              apiVersion: apps/v1
              kind: Deployment
              metadata: {name: web, namespace: shop}
              spec: {replicas: 1}
        """,
    ),
    Case(
        "labels with fields: more places, in a custom resource too",
        "inlinelabels_test.go (fields)",
        WIDGET + "---\n" + WEB,
        """
        labels:
          - pairs: {team: blue}
            fields:
              - {path: spec/selector/matchLabels, kind: Widget, create: true}
              - {path: spec/template/metadata/labels, kind: Deployment, group: apps, version: v1}
              - {path: spec/selector, kind: Service}
        """,
    ),
    Case(
        "custom name references: VPA targetRef, Certificate secretName, a custom kind",
        "customconfig_test.go",
        WEB
        + """
---
apiVersion: autoscaling.k8s.io/v1
kind: VerticalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
---
apiVersion: autoscaling.k8s.io/v1
kind: VerticalPodAutoscaler
metadata: {name: other, namespace: shop}
spec:
  targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: web}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: shop}
spec: {secretName: web-creds, dnsNames: [web.example.com]}
""",
        """
        namePrefix: p-
        configurations: [references.yaml]
        """,
        transforms="""
        namePrefix: p-
        nameReferences:
          - kind: Deployment
            fields: [{kind: VerticalPodAutoscaler, path: spec/targetRef/name}]
          - kind: Secret
            fields: [{kind: Certificate, path: spec/secretName}]
        """,
        files={
            "references.yaml": """
                nameReference:
                  - kind: Deployment
                    fieldSpecs: [{kind: VerticalPodAutoscaler, path: spec/targetRef/name}]
                  - kind: Secret
                    fieldSpecs: [{kind: Certificate, path: spec/secretName}]
            """
        },
        outcome="warns",
        says=r"VerticalPodAutoscaler p-other: spec/targetRef/name names StatefulSet web, not the renamed Deployment",
        why="the reference says it names a StatefulSet; kustomize renames it to the Deployment's new name anyway",
    ),
    Case(
        "replicas by the rendered name, after a prefix",
        "transformersarrays_test.go (replicas)",
        WEB,
        "namePrefix: p-\nreplicas:\n  - {name: web, count: 5}",
    ),
]


@pytest.mark.parametrize("case", FEATURE_CASES, ids=[case.name for case in FEATURE_CASES])
def test_krusty_feature_case(tmp_path: Path, case: Case) -> None:
    check(tmp_path, case)


ALL_CASES = [
    *CASES,
    *FEATURE_CASES,
    *SILENT_DIFFERENCE_CASES,
    *COMPONENT_CASES,
    *REPLACEMENT_CASES,
    *CUSTOM_RESOURCE_CASES,
    *SORT_CASES,
]


def all_cases() -> list[Case]:
    return [*ALL_CASES, *PATCHES_STRATEGIC_MERGE_CASES, *EDGE_CASES]


def test_every_case_that_differs_says_why() -> None:
    for case in all_cases():
        assert (case.outcome == "same") == (case.why == ""), case.name
        assert case.krusty, case.name


def test_the_docs_count_the_cases() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "transforms.md").read_text(encoding="utf-8")
    cases = all_cases()

    def count(row: str) -> int:
        found = re.search(rf"^\| {re.escape(row)} \| (\d+) \|$", docs, re.MULTILINE)
        assert found, f"docs/transforms.md has no row '{row}'"
        return int(found[1])

    assert count("krusty cases ported") == len(cases)
    assert count("the same objects (or the same refusal) as kubectl kustomize") == sum(
        case.outcome == "same" for case in cases
    )
    assert count("differ on purpose, with a warning, an error, or a documented order") == sum(
        case.outcome != "same" for case in cases
    )
    assert count("differ silently") == 0
    assert "```\npytest tests/kustomize -q\n```" in docs


PATCHES_STRATEGIC_MERGE_CASES = [
    Case(
        "patchesStrategicMerge: a file of two documents and an inline patch, before patches",
        "multiplepatch_test.go (patchesStrategicMerge)",
        WEB,
        """
        patchesStrategicMerge:
          - two.yaml
          - |
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              ports: [{name: metrics, port: 9090}]
        patches:
          - target: {kind: Deployment}
            patch: |
              - {op: replace, path: /spec/replicas, value: 7}
        """,
        files={
            "two.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  replicas: 3
                  template:
                    spec:
                      containers:
                        - name: main
                          env: [{name: B, value: "2"}]
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: web-config, namespace: shop}
                data: {MODE: patched}
            """
        },
    ),
    Case(
        "patchesStrategicMerge deletes an object",
        "multiplepatch_test.go (patchesStrategicMerge with $patch: delete)",
        WEB,
        """
        patchesStrategicMerge:
          - |
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: web, namespace: shop}
            $patch: delete
        """,
    ),
]


PATCHES_STRATEGIC_MERGE_CASES.append(
    Case(
        "prefix follows deprecated Ingress backends, PersistentVolume azureFile, Node configSource, Knative",
        "namereference_test.go (the default nameReference table)",
        WEB
        + """
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: legacy, namespace: shop, annotations: {pytemplar.io/skip-checks: removed-api}}
spec:
  backend: {serviceName: web, servicePort: 80}
  rules:
    - http:
        paths: [{path: /, backend: {serviceName: web, servicePort: 80}}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: share}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteMany]
  azureFile: {secretName: web-creds, shareName: data}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
spec:
  configSource: {configMap: {name: web-config, namespace: shop, kubeletConfigKey: kubelet}}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello, namespace: shop}
spec:
  template:
    spec:
      containers:
        - image: "ghcr.io/acme/hello:1.0"
          env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: web-creds, key: password}}}]
""",
        "namePrefix: p-",
    )
)


PATCHES_STRATEGIC_MERGE_CASES.append(
    Case(
        "prefix follows VerticalPodAutoscaler, cert-manager and Argo Rollouts references",
        "namereference_test.go (custom resources, without configurations)",
        WEB
        + """
---
apiVersion: autoscaling.k8s.io/v1
kind: VerticalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: shop}
spec:
  secretName: web-creds
  dnsNames: [web.example.com]
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
---
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: letsencrypt}
spec: {selfSigned: {}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web-rollout, namespace: shop}
spec:
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  strategy:
    canary: {stableService: web, canaryService: web}
""",
        "namePrefix: p-",
        outcome="warns",
        says=r"VerticalPodAutoscaler p-web: spec/targetRef/name follows the rename of Deployment web to p-web; "
        r"kubectl kustomize would leave it naming web",
        why="kustomize's default reference table has no custom resources, so its prefix leaves these naming "
        "objects that no longer exist; pytemplar follows them",
    )
)


SAME_NAMED_SECRETS = """
apiVersion: v1
kind: Secret
metadata: {name: dummy, namespace: default}
type: Opaque
data: {dummy: ""}
---
apiVersion: v1
kind: Secret
metadata: {name: dummy, namespace: kube-system}
type: Opaque
data: {dummy: ""}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: dummy}
rules:
  - {apiGroups: [""], resources: [secrets], resourceNames: [dummy], verbs: [get]}
"""

ADMISSION_POLICIES = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: example-vap}
spec: {}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: example-vapb}
spec: {}
"""

EDGE_CASES = [
    Case(
        "secrets of one name in two namespaces and a ClusterRole naming them",
        "namespaces_test.go (TestNamespacedSecrets)",
        SAME_NAMED_SECRETS,
        "",
    ),
    Case(
        "a prefix renames a ClusterRole's resourceNames naming secrets of any namespace",
        "namespaces_test.go (TestNamespacedSecrets, with a prefix)",
        SAME_NAMED_SECRETS,
        "namePrefix: p-",
    ),
    Case(
        "a Namespace kind of another API group is a namespaced custom resource",
        "namespaces_test.go (TestNameNotOveriddenForNonCoreApiVersionOnANamespaceKind)",
        "apiVersion: servicebus.azure.com/v1beta20210101preview\nkind: Namespace\n"
        "metadata: {name: core-sb-99, namespace: without-podinfo}\n",
        "namespace: shop",
        transforms="setNamespace: all",
    ),
    Case(
        "admission policies are cluster-scoped: no namespace",
        "namespaces_test.go (TestNamespaceNotAddedToValidatingAdmissionPolicies)",
        ADMISSION_POLICIES,
        "namespace: shop",
        transforms="setNamespace: all",
        outcome="warns",
        says=r"ValidatingAdmissionPolicy example-vap is cluster-scoped and gets no namespace; kubectl kustomize v5.7 "
        r"would give it namespace shop, not knowing the kind",
        why="kustomize v5.7 does not know these kinds and namespaces them (its later versions do not); they are "
        "cluster-scoped in Kubernetes",
    ),
    Case(
        "two generators making one ConfigMap in one namespace are refused",
        "generatormergeandreplace_test.go (TestConfigMapGeneratingIntoSameNamespace)",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
        """
        configMapGenerator:
          - {name: test, namespace: shop, literals: [key=value]}
          - {name: test, namespace: shop, literals: [key=value]}
        """,
        transforms="""
        configMapGenerator:
          - {name: test, namespace: shop, literals: [key=value]}
          - {name: test, namespace: shop, literals: [key=value]}
        """,
        kustomize_says=r"behavior must be merge or replace",
        says=r"pytemplar.yaml:\d+:\d+: error: \[dev/r\] configMapGenerator 'test' creates ConfigMap test, which the "
        r"release already has\n  hint: use 'behavior: merge' or 'behavior: replace'",
    ),
]


@pytest.mark.parametrize("case", EDGE_CASES, ids=[case.name for case in EDGE_CASES])
def test_krusty_edge_case(tmp_path: Path, case: Case) -> None:
    check(tmp_path, case)


@pytest.mark.parametrize(
    "case", PATCHES_STRATEGIC_MERGE_CASES, ids=[case.name for case in PATCHES_STRATEGIC_MERGE_CASES]
)
def test_krusty_patches_strategic_merge_case(tmp_path: Path, case: Case) -> None:
    check(tmp_path, case)
