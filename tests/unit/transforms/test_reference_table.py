"""Every row of the rename-reference table, through a real rename.

The cases are written here as Kubernetes objects, independently of the table: a row whose path
is wrong, or a row dropped, leaves a case's reference dangling after ``namePrefix``; a row with
no case here fails the coverage test, so every row is pinned.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from pytemplar.errors import Location, Problem
from pytemplar.manifests import Manifest
from pytemplar.transforms import apply_transforms
from pytemplar.transforms.config import Declarations
from pytemplar.transforms.references import CUSTOM_RESOURCE_REFERRERS, REFERRERS

# Where each kind that runs pods holds its pod spec.
POD_SPEC_AT = {
    "Pod": "spec",
    "PodTemplate": "template/spec",
    "Deployment": "spec/template/spec",
    "ReplicaSet": "spec/template/spec",
    "ReplicationController": "spec/template/spec",
    "DaemonSet": "spec/template/spec",
    "StatefulSet": "spec/template/spec",
    "Job": "spec/template/spec",
    "CronJob": "spec/jobTemplate/spec/template/spec",
}

# target kind -> pod spec fragments that name the object ``t`` of that kind
IN_POD_SPEC = {
    "ConfigMap": [
        "volumes: [{name: v, configMap: {name: t}}]",
        "volumes: [{name: v, projected: {sources: [{configMap: {name: t}}]}}]",
        "containers: [{name: c, env: [{name: E, valueFrom: {configMapKeyRef: {name: t, key: k}}}]}]",
        "initContainers: [{name: c, env: [{name: E, valueFrom: {configMapKeyRef: {name: t, key: k}}}]}]",
        "containers: [{name: c, envFrom: [{configMapRef: {name: t}}]}]",
        "initContainers: [{name: c, envFrom: [{configMapRef: {name: t}}]}]",
    ],
    "Secret": [
        "volumes: [{name: v, secret: {secretName: t}}]",
        "volumes: [{name: v, projected: {sources: [{secret: {name: t}}]}}]",
        "imagePullSecrets: [{name: t}]",
        "containers: [{name: c, env: [{name: E, valueFrom: {secretKeyRef: {name: t, key: k}}}]}]",
        "initContainers: [{name: c, env: [{name: E, valueFrom: {secretKeyRef: {name: t, key: k}}}]}]",
        "containers: [{name: c, envFrom: [{secretRef: {name: t}}]}]",
        "initContainers: [{name: c, envFrom: [{secretRef: {name: t}}]}]",
    ],
    "ServiceAccount": ["serviceAccountName: t"],
    "PersistentVolumeClaim": ["volumes: [{name: v, persistentVolumeClaim: {claimName: t}}]"],
    "PriorityClass": ["priorityClassName: t"],
}

# (target kind, the object that names ``t``)
ELSEWHERE = [
    ("Secret", "kind: Ingress\nspec: {tls: [{hosts: [a.example], secretName: t}]}"),
    ("Secret", "kind: ServiceAccount\nimagePullSecrets: [{name: t}]"),
    ("ServiceAccount", "kind: RoleBinding\nsubjects: [{kind: ServiceAccount, name: t}]"),
    ("ServiceAccount", "kind: ClusterRoleBinding\nsubjects: [{kind: ServiceAccount, name: t, namespace: ns}]"),
    ("Service", "kind: Ingress\nspec: {rules: [{http: {paths: [{path: /, backend: {service: {name: t}}}]}}]}"),
    ("Service", "kind: Ingress\nspec: {defaultBackend: {service: {name: t, port: {number: 80}}}}"),
    ("Service", "kind: StatefulSet\nspec: {serviceName: t}"),
    ("Service", "kind: Ingress\nspec: {rules: [{http: {paths: [{path: /, backend: {serviceName: t}}]}}]}"),
    ("Service", "kind: Ingress\nspec: {backend: {serviceName: t, servicePort: 80}}"),
    ("Secret", "kind: PersistentVolume\nspec: {azureFile: {secretName: t, shareName: s}}"),
    ("ConfigMap", "kind: Node\nspec: {configSource: {configMap: {name: t, namespace: ns, kubeletConfigKey: k}}}"),
    (
        "Secret",
        "kind: Service\napiVersion: serving.knative.dev/v1\n"
        "spec: {template: {spec: {containers: [{env: [{name: E, valueFrom: {secretKeyRef: {name: t, key: k}}}]}]}}}",
    ),
    ("Service", "kind: HTTPRoute\nspec: {rules: [{backendRefs: [{name: t, port: 80}]}]}"),
    ("Service", "kind: HTTPRoute\nspec: {rules: [{backendRefs: [{kind: Service, name: t}]}]}"),
    ("Service", "kind: GRPCRoute\nspec: {rules: [{backendRefs: [{name: t, port: 80}]}]}"),
    *(
        (workload, f"kind: HorizontalPodAutoscaler\nspec: {{scaleTargetRef: {{kind: {workload}, name: t}}}}")
        for workload in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
    ),
    ("Role", "kind: RoleBinding\nroleRef: {kind: Role, name: t}"),
    ("ClusterRole", "kind: RoleBinding\nroleRef: {kind: ClusterRole, name: t}"),
    ("ClusterRole", "kind: ClusterRoleBinding\nroleRef: {kind: ClusterRole, name: t}"),
    ("IngressClass", "kind: Ingress\nspec: {ingressClassName: t}"),
    *(
        (
            "Service",
            f"kind: {kind}\nwebhooks: [{{name: w.example.com, clientConfig: {{service: {{name: t, namespace: ns}}}}}}]",
        )
        for kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
    ),
    ("Service", "kind: APIService\nspec: {service: {name: t, namespace: ns}}"),
    (
        "Service",
        "kind: CustomResourceDefinition\n"
        "spec: {conversion: {webhook: {clientConfig: {service: {name: t, namespace: ns}}}}}",
    ),
    ("StorageClass", "kind: PersistentVolumeClaim\nspec: {storageClassName: t}"),
    ("StorageClass", "kind: PersistentVolume\nspec: {storageClassName: t}"),
    ("StorageClass", "kind: StatefulSet\nspec: {volumeClaimTemplates: [{spec: {storageClassName: t}}]}"),
    ("PersistentVolume", "kind: PersistentVolumeClaim\nspec: {volumeName: t}"),
    *(
        (target, f"kind: {role}\nrules: [{{apiGroups: [''], resources: [{resource}], resourceNames: [t]}}]")
        for target, resource in (
            ("ConfigMap", "configmaps"),
            ("Secret", "secrets"),
            ("ServiceAccount", "serviceaccounts"),
        )
        for role in ("Role", "ClusterRole")
    ),
    *(
        (target, f"kind: Ingress\nmetadata: {{name: holder, annotations: {{{key}: t}}}}")
        for target, key in (
            ("Secret", "ingress.kubernetes.io/auth-secret"),
            ("Secret", "nginx.ingress.kubernetes.io/auth-secret"),
            ("Secret", "nginx.ingress.kubernetes.io/auth-tls-secret"),
            ("ConfigMap", "nginx.ingress.kubernetes.io/fastcgi-params-configmap"),
        )
    ),
    *(
        ("Secret", f"kind: StorageClass\nprovisioner: example.com/csi\nparameters: {{{key}: t}}")
        for key in ("secretName", "adminSecretName", "userSecretName", "secretRef")
    ),
]


def nest(at: str, fragment: dict[str, Any]) -> dict[str, Any]:
    for step in reversed(at.split("/")):
        fragment = {step: fragment}
    return fragment


def cases() -> Iterator[tuple[str, dict[str, Any]]]:
    for target, fragments in IN_POD_SPEC.items():
        for kind, at in POD_SPEC_AT.items():
            for fragment in fragments:
                yield target, {"kind": kind, **nest(at, yaml.safe_load(fragment))}
    for target, text in ELSEWHERE:
        yield target, yaml.safe_load(text)


CASES = list(cases())


def paths_to(node: Any, value: str, at: tuple[str, ...] = ()) -> Iterator[str]:
    """The table's form of each path to ``value``: keys joined by '/', list positions left out."""
    if node == value:
        yield "/".join(at)
    elif isinstance(node, dict):
        for key, child in node.items():
            yield from paths_to(child, value, (*at, key.replace("/", "\\/")))
    elif isinstance(node, list):
        for child in node:
            yield from paths_to(child, value, at)


def renamed(target: str, referrer: dict[str, Any]) -> dict[str, Any]:
    objects = [
        {"apiVersion": "v1", "kind": target, "metadata": {"name": "t"}},
        {"apiVersion": "v1", "metadata": {"name": "holder"}, **copy.deepcopy(referrer)},
    ]
    manifests = [Manifest(obj, "r", "dev", "templates/t.yaml", Location("t.yaml")) for obj in objects]
    result = apply_transforms(
        manifests, Declarations(None, names=("p-", "")), release="r", environment="dev", namespace="ns"
    )
    return result[1].obj


@pytest.mark.parametrize(("target", "referrer"), CASES, ids=[f"{t}<-{r['kind']}" for t, r in CASES])
def test_a_prefix_follows_the_reference(target: str, referrer: dict[str, Any]) -> None:
    [path] = paths_to(referrer, "t")
    after = renamed(target, referrer)
    assert list(paths_to(after, "p-t")) == [path], f"{referrer['kind']} {path} still names the old {target}"
    assert list(paths_to(after, "t")) == []


def test_every_row_of_the_table_has_a_case() -> None:
    covered = {(target, referrer["kind"], path) for target, referrer in CASES for path in paths_to(referrer, "t")}
    missing = [row for row in REFERRERS if (row.target, row.kind, row.path) not in covered]
    assert missing == []


def test_a_reference_to_another_kind_is_left_alone() -> None:
    for target, text in [
        ("Deployment", "kind: HorizontalPodAutoscaler\nspec: {scaleTargetRef: {kind: StatefulSet, name: t}}"),
        ("Service", "kind: HTTPRoute\nspec: {rules: [{backendRefs: [{kind: ServiceImport, name: t}]}]}"),
        ("ClusterRole", "kind: RoleBinding\nroleRef: {kind: Role, name: t}"),
        ("ConfigMap", "kind: Deployment\nspec: {template: {spec: {volumes: [{name: v, secret: {secretName: t}}]}}}"),
    ]:
        referrer = yaml.safe_load(text)
        assert list(paths_to(renamed(target, referrer), "t")) == list(paths_to(referrer, "t")), text


# Custom resources pytemplar follows beyond Kustomize's table: (target kind, the object naming ``t``).
CUSTOM_RESOURCE_CASES = [
    *(
        (workload, f"kind: VerticalPodAutoscaler\nspec: {{targetRef: {{kind: {workload}, name: t}}}}")
        for workload in (
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "ReplicationController",
            "Job",
            "CronJob",
            "Rollout",
        )
    ),
    ("Secret", "kind: Certificate\nspec: {secretName: t, dnsNames: [a.example]}"),
    ("Issuer", "kind: Certificate\nspec: {issuerRef: {name: t}}"),
    ("ClusterIssuer", "kind: Certificate\nspec: {issuerRef: {kind: ClusterIssuer, name: t}}"),
    ("Issuer", "kind: Ingress\nmetadata: {name: holder, annotations: {cert-manager.io/issuer: t}}"),
    ("ClusterIssuer", "kind: Ingress\nmetadata: {name: holder, annotations: {cert-manager.io/cluster-issuer: t}}"),
    *(
        (target, {"kind": "Rollout", **nest("spec/template/spec", yaml.safe_load(fragment))})
        for target, fragments in IN_POD_SPEC.items()
        for fragment in fragments
    ),
    ("Deployment", "kind: Rollout\nspec: {workloadRef: {apiVersion: apps/v1, kind: Deployment, name: t}}"),
    ("Service", "kind: Rollout\nspec: {strategy: {canary: {canaryService: t}}}"),
    ("Service", "kind: Rollout\nspec: {strategy: {canary: {stableService: t}}}"),
    ("Service", "kind: Rollout\nspec: {strategy: {blueGreen: {activeService: t}}}"),
    ("Service", "kind: Rollout\nspec: {strategy: {blueGreen: {previewService: t}}}"),
    ("Ingress", "kind: Rollout\nspec: {strategy: {canary: {trafficRouting: {nginx: {stableIngress: t}}}}}"),
    ("Rollout", "kind: HorizontalPodAutoscaler\nspec: {scaleTargetRef: {kind: Rollout, name: t}}"),
]
CR_CASES = [(target, yaml.safe_load(text) if isinstance(text, str) else text) for target, text in CUSTOM_RESOURCE_CASES]


@pytest.mark.parametrize(("target", "referrer"), CR_CASES, ids=[f"{t}<-{r['kind']}" for t, r in CR_CASES])
def test_a_prefix_follows_a_custom_resource_reference_and_warns(target: str, referrer: dict[str, Any]) -> None:
    [path] = paths_to(referrer, "t")
    objects = [
        {"apiVersion": "v1", "kind": target, "metadata": {"name": "t"}},
        {"apiVersion": "v1", "metadata": {"name": "holder"}, **copy.deepcopy(referrer)},
    ]
    manifests = [Manifest(obj, "r", "dev", "templates/t.yaml", Location("t.yaml")) for obj in objects]
    warnings: list[Problem] = []
    result = apply_transforms(
        manifests,
        Declarations(None, names=("p-", "")),
        release="r",
        environment="dev",
        namespace="ns",
        warnings=warnings,
    )
    assert list(paths_to(result[1].obj, "p-t")) == [path]
    shown = path.replace("\\", "")
    assert [problem.message for problem in warnings] == [
        f"{referrer['kind']} p-holder: {shown} follows the rename of {target} t to p-t; "
        "kubectl kustomize would leave it naming t"
    ]


def test_every_custom_resource_row_has_a_case() -> None:
    covered = {(target, referrer["kind"], path) for target, referrer in CR_CASES for path in paths_to(referrer, "t")}
    missing = [row for row in CUSTOM_RESOURCE_REFERRERS if (row.target, row.kind, row.path) not in covered]
    assert missing == []
