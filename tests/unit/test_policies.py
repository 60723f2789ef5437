"""Each correctness check alone, on manifests written as YAML."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytemplar.errors import Location, Problem
from pytemplar.manifests import Manifest
from pytemplar.policies import (
    PodIndex,
    check_image_pinned,
    check_labels,
    check_names,
    check_references,
    check_removed_apis,
    check_resources_set,
    check_selectors,
)
from pytemplar.yamlio import load_documents

Check = Callable[[Sequence[Manifest]], Iterable[Problem]]


def manifests(text: str) -> list[Manifest]:
    documents = load_documents(textwrap.dedent(text), "t.yaml")
    return [Manifest(d.data, "r", "prod", "templates/t.yaml.j2", Location("t.yaml.j2", d.line)) for d in documents]


DEPLOYMENT = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: ns, labels: {app: web}}
    spec:
      selector: {matchLabels: {app: web}}
      template: {metadata: {labels: {app: web, tier: front}}}
"""


def messages(check: Check, text: str) -> list[str]:
    """Each problem's message with its check's id, as ``validate`` prints it."""
    return [p.text for p in check(manifests(text))]


def test_a_consistent_deployment_service_hpa_and_pdb_pass_every_check() -> None:
    text = (
        DEPLOYMENT
        + """
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: ns}
    spec: {selector: {app: web}}
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web, namespace: ns}
    spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}}
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: web, namespace: ns}
    spec: {selector: {matchLabels: {tier: front}}}
    """
    )
    for check in (check_names, check_labels, check_selectors, check_references, check_removed_apis):
        assert messages(check, text) == []


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web}\n",
            "Ingress web: apiVersion extensions/v1beta1 is not served since Kubernetes 1.22 (target 1.35); "
            "use apiVersion: networking.k8s.io/v1 [removed-api]",
        ),
        (
            "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n",
            "PodSecurityPolicy p: apiVersion policy/v1beta1 is not served since Kubernetes 1.25 (target 1.35); "
            "it has no replacement [removed-api]",
        ),
    ],
)
def test_removed_apis_name_the_replacement(document: str, expected: str) -> None:
    assert messages(check_removed_apis, document) == [expected]


def test_an_api_still_served_by_the_target_version_passes() -> None:
    ingress = "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: web}\n"
    assert list(check_removed_apis(manifests(ingress), "1.21")) == []


@pytest.mark.parametrize(
    ("kind", "name", "ok"),
    [
        ("ConfigMap", "web.config-1", True),
        ("ConfigMap", "Web", False),
        ("ConfigMap", "web_config", False),
        ("Service", "web.front", False),  # a Service name is a DNS-1035 label: no dots
        ("Service", "w" * 64, False),
        ("Service", "1web", False),  # ... that starts with a letter
        ("Namespace", "1web", True),  # a namespace is a DNS-1123 label: a digit may start it
        ("Deployment", "w" * 253, True),
        ("ClusterRole", "system:aggregated-metrics-reader", True),  # RBAC names are path segments
        ("ClusterRoleBinding", "my_binding", True),
        ("Role", "a/b", False),
        ("RoleBinding", "..", False),
        ("ConfigMap", "system:x", False),
        ("Widget", "web_config", False),  # custom resources take DNS-1123 subdomains
    ],
)
def test_names_follow_the_rule_of_their_kind(kind: str, name: str, ok: bool) -> None:
    found = messages(check_names, f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: '{name}'}}\n")
    assert (found == []) is ok
    if not ok:
        assert found[0].endswith("[dns-name]")


def test_labels_and_annotations_must_be_valid_text() -> None:
    text = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: c
      labels: {ok: fine, "bad key!": x, enabled: true, long: %s}
      annotations: {nginx.ingress.kubernetes.io/canary: true}
    """ % ("v" * 64)
    assert messages(check_labels, text) == [
        "ConfigMap c: metadata.labels key 'bad key!' is not a valid label key [label-syntax]",
        "ConfigMap c: metadata.labels['enabled'] is bool, not text; quote it [label-syntax]",
        f"ConfigMap c: metadata.labels['long'] value '{'v' * 64}' is not a valid label value (at most 63 letters, "
        "digits, '-', '_' or '.', starting and ending with a letter or digit) [label-syntax]",
        "ConfigMap c: metadata.annotations['nginx.ingress.kubernetes.io/canary'] is bool, not text; quote it "
        "[annotation-type]",
    ]


def test_a_selector_must_select_its_own_pod_template() -> None:
    text = DEPLOYMENT.replace("matchLabels: {app: web}", "matchLabels: {app: webb}")
    assert messages(check_selectors, text) == [
        "Deployment ns/web: spec.selector does not match spec.template.metadata.labels [selector-matches-template]"
    ]


def test_services_hpas_and_pdbs_must_point_at_something_in_the_render() -> None:
    text = (
        DEPLOYMENT
        + """
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: api, namespace: ns}
    spec: {selector: {app: api}}
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: api, namespace: ns}
    spec: {scaleTargetRef: {kind: Deployment, name: api}}
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: api, namespace: other}
    spec: {selector: {matchLabels: {app: web}}}
    """
    )
    assert messages(check_references, text) == [
        "Service ns/api: spec.selector {'app': 'api'} matches no pod template in namespace 'ns' [service-selects-pods]",
        "HorizontalPodAutoscaler ns/api: spec.scaleTargetRef Deployment 'api' is not in the render "
        "[scale-target-exists]",
        "PodDisruptionBudget other/api: spec.selector.matchLabels matches no pod template of the render "
        "[scale-target-exists]",
    ]


# -- opt-in checks ---------------------------------------------------------------------------------------

PODS = """
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly, namespace: ns}
    spec:
      jobTemplate:
        spec:
          template:
            spec:
              initContainers: [{name: setup, image: "registry.local:5000/setup"}]
              containers:
                - name: a
                  image: "app:1.2.3"
                  resources: {requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}
                - {name: b, image: "app:latest", resources: {requests: {cpu: 100m}, limits: {memory: ""}}}
                - {name: c, image: "app@sha256:0123abcd"}
"""


def test_image_pinned_refuses_latest_and_no_tag_and_accepts_tags_and_digests() -> None:
    assert messages(check_image_pinned, PODS) == [
        "CronJob ns/nightly: initContainers[0] 'setup': image 'registry.local:5000/setup' has no tag, "
        "which means 'latest' [image-pinned]",
        "CronJob ns/nightly: containers[1] 'b': image 'app:latest' uses the tag 'latest' [image-pinned]",
    ]


def test_resources_set_wants_requests_and_limits_for_cpu_and_memory() -> None:
    assert messages(check_resources_set, PODS) == [
        "CronJob ns/nightly: initContainers[0] 'setup' does not set resources.requests.cpu, "
        "resources.requests.memory, resources.limits.cpu, resources.limits.memory [resources-set]",
        "CronJob ns/nightly: containers[1] 'b' does not set resources.requests.memory, resources.limits.cpu, "
        "resources.limits.memory [resources-set]",
        "CronJob ns/nightly: containers[2] 'c' does not set resources.requests.cpu, resources.requests.memory, "
        "resources.limits.cpu, resources.limits.memory [resources-set]",
    ]


def test_opt_in_checks_ignore_objects_without_pods() -> None:
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: web}}\n"
    for check in (check_image_pinned, check_resources_set):
        assert messages(check, service) == []


_LABEL_VALUES = st.one_of(st.sampled_from(["a", "b", "1"]), st.integers(0, 2), st.booleans(), st.lists(st.just("x")))
_LABEL_MAPS = st.dictionaries(st.sampled_from(["app", "tier", "track"]), _LABEL_VALUES, max_size=3)


@given(
    templates=st.lists(st.tuples(st.sampled_from(["ns1", "ns2"]), _LABEL_MAPS), max_size=6),
    scope=st.sampled_from(["ns1", "ns2"]),
    selector=_LABEL_MAPS,
)
def test_the_pod_index_answers_as_comparing_with_every_template(
    templates: list[tuple[str, dict[str, Any]]], scope: str, selector: dict[str, Any]
) -> None:
    index = PodIndex()
    for namespace, labels in templates:
        index.add(("prod", namespace), labels)
    expected = any(
        all(labels.get(k) == v for k, v in selector.items()) for namespace, labels in templates if namespace == scope
    )
    assert index.selects_any(("prod", scope), selector) == expected
