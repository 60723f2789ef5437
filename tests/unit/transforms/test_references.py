"""The name-reference table: renames follow references, and only of the renamed kind."""

from __future__ import annotations

from typing import Any

from pytemplar.transforms.references import fill_subject_namespaces, rename_references


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "template": {
                "spec": {
                    "serviceAccountName": "web",
                    "imagePullSecrets": [{"name": "pull"}],
                    "initContainers": [{"name": "init", "envFrom": [{"configMapRef": {"name": "cfg"}}]}],
                    "containers": [
                        {
                            "name": "main",
                            "envFrom": [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "cfg"}}],
                            "env": [
                                {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "a"}}},
                                {"name": "B", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "b"}}},
                            ],
                        }
                    ],
                    "volumes": [
                        {"name": "v1", "configMap": {"name": "cfg"}},
                        {"name": "v2", "secret": {"secretName": "creds"}},
                        {
                            "name": "v3",
                            "projected": {"sources": [{"configMap": {"name": "cfg"}}, {"secret": {"name": "creds"}}]},
                        },
                        {"name": "v4", "persistentVolumeClaim": {"claimName": "data"}},
                    ],
                }
            }
        },
    }


def test_configmap_rename_reaches_every_pod_reference_and_nothing_else() -> None:
    obj = deployment()
    rename_references([obj], {("ConfigMap", "", "cfg"): "cfg-abc"})
    pod = obj["spec"]["template"]["spec"]
    assert pod["containers"][0]["envFrom"] == [{"configMapRef": {"name": "cfg-abc"}}, {"secretRef": {"name": "cfg"}}]
    assert pod["containers"][0]["env"][0]["valueFrom"]["configMapKeyRef"]["name"] == "cfg-abc"
    assert pod["initContainers"][0]["envFrom"][0]["configMapRef"]["name"] == "cfg-abc"
    assert pod["volumes"][0]["configMap"]["name"] == "cfg-abc"
    assert pod["volumes"][2]["projected"]["sources"][0]["configMap"]["name"] == "cfg-abc"
    assert obj["metadata"]["name"] == "web"


def test_secret_pvc_and_service_account_renames() -> None:
    obj = deployment()
    renames = {
        ("Secret", "", "creds"): "p-creds",
        ("Secret", "", "pull"): "p-pull",
        ("PersistentVolumeClaim", "", "data"): "p-data",
        ("ServiceAccount", "", "web"): "p-web",
    }
    rename_references([obj], renames)
    pod = obj["spec"]["template"]["spec"]
    assert pod["containers"][0]["env"][1]["valueFrom"]["secretKeyRef"]["name"] == "p-creds"
    assert pod["volumes"][1]["secret"]["secretName"] == "p-creds"
    assert pod["volumes"][2]["projected"]["sources"][1]["secret"]["name"] == "p-creds"
    assert pod["volumes"][3]["persistentVolumeClaim"]["claimName"] == "p-data"
    assert pod["imagePullSecrets"] == [{"name": "p-pull"}]
    assert pod["serviceAccountName"] == "p-web"


def test_references_that_say_their_kind_follow_only_that_kind() -> None:
    hpa = {"kind": "HorizontalPodAutoscaler", "spec": {"scaleTargetRef": {"kind": "StatefulSet", "name": "web"}}}
    binding = {
        "kind": "RoleBinding",
        "roleRef": {"kind": "ClusterRole", "name": "web"},
        "subjects": [{"kind": "ServiceAccount", "name": "web"}, {"kind": "User", "name": "web"}],
    }
    rename_references(
        [hpa, binding], {("Deployment", "", "web"): "d", ("ServiceAccount", "", "web"): "sa", ("Role", "", "web"): "r"}
    )
    assert hpa["spec"]["scaleTargetRef"]["name"] == "web"
    assert binding["roleRef"]["name"] == "web"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "sa"}, {"kind": "User", "name": "web"}]


def test_ingress_backends_and_tls_follow_services_and_secrets() -> None:
    ingress = {
        "kind": "Ingress",
        "spec": {
            "defaultBackend": {"service": {"name": "web"}},
            "tls": [{"secretName": "tls"}],
            "rules": [{"http": {"paths": [{"backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}],
        },
    }
    rename_references([ingress], {("Service", "", "web"): "p-web", ("Secret", "", "tls"): "p-tls"})
    assert ingress["spec"]["defaultBackend"]["service"]["name"] == "p-web"
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "p-web"
    assert ingress["spec"]["tls"][0]["secretName"] == "p-tls"


def test_service_account_subjects_get_the_release_namespace() -> None:
    binding = {
        "kind": "ClusterRoleBinding",
        "subjects": [
            {"kind": "ServiceAccount", "name": "a"},
            {"kind": "ServiceAccount", "name": "b", "namespace": "other"},
            {"kind": "Group", "name": "g"},
        ],
    }
    fill_subject_namespaces([binding, {"kind": "Deployment"}], "shop")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "a", "namespace": "shop"},
        {"kind": "ServiceAccount", "name": "b", "namespace": "other"},
        {"kind": "Group", "name": "g"},
    ]


def test_a_reference_into_another_namespace_keeps_its_name() -> None:
    binding = {
        "kind": "RoleBinding",
        "metadata": {"name": "b", "namespace": "shop"},
        "roleRef": {"kind": "ClusterRole", "name": "reader"},
        "subjects": [
            {"kind": "ServiceAccount", "name": "web", "namespace": "shop"},
            {"kind": "ServiceAccount", "name": "web", "namespace": "monitoring"},
        ],
    }
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "other"},
        "spec": {"serviceAccountName": "web", "containers": []},
    }
    rename_references(
        [binding, pod], {("ServiceAccount", "shop", "web"): "p-web", ("ClusterRole", "", "reader"): "p-reader"}, "shop"
    )
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "p-web", "namespace": "shop"},
        {"kind": "ServiceAccount", "name": "web", "namespace": "monitoring"},
    ]
    assert binding["roleRef"]["name"] == "p-reader"  # cluster-scoped: any namespace
    assert pod["spec"]["serviceAccountName"] == "web"  # the pod is in another namespace


def test_a_role_binding_subject_without_namespace_is_in_the_binding_namespace() -> None:
    binding = {
        "kind": "RoleBinding",
        "metadata": {"name": "b", "namespace": "monitoring"},
        "subjects": [{"kind": "ServiceAccount", "name": "prometheus"}],
    }
    cluster_binding = {"kind": "ClusterRoleBinding", "subjects": [{"kind": "ServiceAccount", "name": "web"}]}
    fill_subject_namespaces([binding, cluster_binding], "shop")
    assert binding["subjects"][0]["namespace"] == "monitoring"  # what the API server would assume
    assert cluster_binding["subjects"][0]["namespace"] == "shop"


def test_a_release_without_transforms_loads_the_reference_tables_for_exactly_the_kinds_they_complete() -> None:
    """A render skips importing references.py unless a kind in BINDING_KINDS is there:
    any kind fill_subject_namespaces would change must be in that set."""
    from pytemplar.manifests import BINDING_KINDS

    kinds = ["RoleBinding", "ClusterRoleBinding", "Role", "ClusterRole", "ServiceAccount", "Deployment", "Binding"]
    for kind in kinds:
        obj = {"kind": kind, "metadata": {"name": "x"}, "subjects": [{"kind": "ServiceAccount", "name": "sa"}]}
        fill_subject_namespaces([obj], "ns")
        assert ("namespace" in obj["subjects"][0]) == (kind in BINDING_KINDS), kind
