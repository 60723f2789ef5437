"""Kustomize's sortOptions (api/krusty/sortordertransformer_test.go), ported: the order objects
come out in, compared object by object with the pinned kubectl kustomize.

Only the outermost kustomization's sortOptions counts in Kustomize; in pytemplar it is declared
at the top of pytemplar.yaml or for an environment, and orders that environment's objects.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kustomize.harness import KUBECTL, SKIP_REASON, Case, check

pytestmark = pytest.mark.skipif(KUBECTL is None, reason=SKIP_REASON)

# Kinds of every rank of Kustomize's legacy lists, and some of none, written in no order; two
# ConfigMaps whose namespaces compare differently with and without the separator Kustomize puts
# after a namespace; an unknown core kind and a custom resource.
FRUIT = """
apiVersion: v1
kind: Service
metadata: {name: papaya, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: banana, namespace: shop}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: pomegranate}
---
apiVersion: v1
kind: LimitRange
metadata: {name: peach, namespace: shop}
spec: {limits: [{type: Container, default: {cpu: 500m}}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pear, namespace: shop}
spec:
  selector: {matchLabels: {app: pear}}
  template:
    metadata: {labels: {app: pear}}
    spec: {containers: [{name: main, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: apple}
---
apiVersion: v1
kind: Secret
metadata: {name: quince, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: durian, namespace: shop}
spec:
  defaultBackend: {service: {name: papaya, port: {number: 80}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: apricot, namespace: shop-x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: apricot, namespace: shop}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: lime, namespace: shop}
template:
  spec: {containers: [{name: main, image: "nginx:1.27"}]}
---
apiVersion: example.com/v1
kind: Melon
metadata: {name: cantaloupe, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: almond, namespace: shop}
"""

CUSTOM_ORDER = """
sortOptions:
  order: legacy
  legacySortOptions:
    orderFirst: [MutatingWebhookConfiguration, ValidatingWebhookConfiguration, ResourceQuota, StorageClass,
      CustomResourceDefinition, ServiceAccount, PodSecurityPolicy, Role, ClusterRole, RoleBinding,
      ClusterRoleBinding, ConfigMap, Secret, Endpoints, Service, LimitRange, PriorityClass, PersistentVolume,
      PersistentVolumeClaim, StatefulSet, CronJob, PodDisruptionBudget]
    orderLast: [Namespace, Deployment]
"""

CASES = [
    Case(
        "sortOptions legacy with orderFirst and orderLast",
        "sortordertransformer_test.go (TestCustomOrdering)",
        FRUIT,
        CUSTOM_ORDER,
        transforms="",
        project=CUSTOM_ORDER,
        ordered=True,
    ),
    Case(
        "sortOptions legacy: Kustomize's own order",
        "sortordertransformer_test.go (TestDefaultLegacyOrdering)",
        FRUIT,
        "sortOptions: {order: legacy}",
        transforms="",
        project="sortOptions: {order: legacy}",
        ordered=True,
    ),
    Case(
        "sortOptions fifo: the order objects are written in",
        "sortordertransformer_test.go (TestFIFOOrdering)",
        FRUIT,
        "sortOptions: {order: fifo}",
        transforms="",
        project="sortOptions: {order: fifo}",
        ordered=True,
    ),
    Case(
        "sortOptions without order is refused",
        "sortordertransformer_test.go (TestInvalidLegacySortOptionsWithoutOrderKey)",
        FRUIT,
        "sortOptions:\n  legacySortOptions: {}",
        transforms="",
        project="sortOptions:\n  legacySortOptions: {}",
        kustomize_says=r"the field 'sortOptions.order' must be one of \[fifo, legacy\]",
        says=r"pytemplar.yaml:1:1: error: project.sortOptions: 'order' is required",
    ),
    Case(
        "sortOptions fifo with legacySortOptions is refused",
        "sortordertransformer_test.go (TestInvalidLegacySortOptionsWithFIFOOrder)",
        FRUIT,
        "sortOptions:\n  order: fifo\n  legacySortOptions: {}",
        transforms="",
        project="sortOptions:\n  order: fifo\n  legacySortOptions: {}",
        kustomize_says=r"'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
        says=r"pytemplar.yaml:3:3: error: project.sortOptions: 'legacySortOptions' is not allowed here\n"
        r"  hint: legacySortOptions is set but the order is fifo, not legacy",
    ),
    Case(
        "a declared sortOptions wins over the default order",
        "sortordertransformer_test.go (TestCLIAndKustomizationSet)",
        FRUIT,
        "sortOptions: {order: fifo}",
        transforms="",
        environment="sortOptions: {order: fifo}",
        ordered=True,
    ),
    Case(
        "without sortOptions: the same objects, in pytemplar's install order",
        "sortordertransformer_test.go (TestKustomizationSortOrderNotSet)",
        FRUIT,
        "",
        transforms="",
        outcome="reorders",
        why="kubectl kustomize writes its legacy order; pytemplar writes its install order (PriorityClass and "
        "policies before the objects they govern, workloads after what they use, webhooks last); no object "
        "differs, and sortOptions: {order: legacy} gives Kustomize's order",
    ),
    Case(
        "only the outermost sortOptions counts: the environment's wins over the project's",
        "sortordertransformer_test.go (TestChildKustomizationSortOrder)",
        FRUIT,
        "resources: [base]\nsortOptions: {order: fifo}",
        transforms="",
        project="sortOptions: {order: legacy}",
        environment="sortOptions: {order: fifo}",
        files={
            "base/kustomization.yaml": "resources: [resources.yaml]\nsortOptions: {order: legacy}\n",
            "base/resources.yaml": FRUIT,
        },
        ordered=True,
    ),
    Case(
        "a sort order given as a transformer plugin is refused",
        "sortordertransformer_test.go (TestSortOrderGivenAsTransformer)",
        FRUIT,
        "transformers: [sort_order.yaml]",
        files={
            "sort_order.yaml": "apiVersion: builtin\nkind: SortOrderTransformer\n"
            "metadata: {name: notImportantHere}\nsortOptions: {order: fifo}\n"
        },
        kustomize_says=r"unable to load builtin SortOrderTransformer",
        says=r"unknown key 'transformers': Kustomize's transformers is not supported by pytemplar",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_krusty_sort_case(tmp_path: Path, case: Case) -> None:
    check(tmp_path, case)


LEVELS_FIFO = Case(
    "sortOptions fifo: each level's resources, then its generated objects, level by level",
    "sortordertransformer_test.go (TestFIFOOrdering, over overlays with resources and generators)",
    FRUIT,
    """
    resources: [project, release.yaml]
    configMapGenerator:
      - {name: release-config, namespace: shop, literals: [LEVEL=release]}
    sortOptions: {order: fifo}
    """,
    transforms="""
    resources: [release.yaml]
    configMapGenerator:
      - {name: release-config, namespace: shop, literals: [LEVEL=release]}
    """,
    project="""
    sortOptions: {order: fifo}
    resources: [project.yaml]
    configMapGenerator:
      - {name: project-config, namespace: shop, literals: [LEVEL=project]}
    """,
    files={
        "project/kustomization.yaml": "resources: [../base, project.yaml]\n"
        "configMapGenerator:\n  - {name: project-config, namespace: shop, literals: [LEVEL=project]}\n",
        "base/kustomization.yaml": "resources: [resources.yaml]\n",
        "base/resources.yaml": FRUIT,
        "project/project.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: from-project, namespace: shop}\n",
        "project.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: from-project, namespace: shop}\n",
        "release.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: from-release, namespace: shop}\n",
    },
    ordered=True,
)
ALL_SORT_CASES = [*CASES, LEVELS_FIFO]


def test_krusty_sort_case_over_levels(tmp_path: Path) -> None:
    check(tmp_path, LEVELS_FIFO)


# -- Kustomize's legacy order over generated objects, judged by kubectl kustomize itself ---------

# (apiVersion, kind, namespaced): Kustomize's first and last kinds, kinds of neither list in the
# core group and in others, and one kind in two versions.
KINDS = [
    ("v1", "Namespace", False),
    ("v1", "ConfigMap", True),
    ("v1", "Secret", True),
    ("v1", "ServiceAccount", True),
    ("v1", "LimitRange", True),
    ("v1", "ResourceQuota", True),
    ("v1", "PodTemplate", True),
    ("rbac.authorization.k8s.io/v1", "Role", True),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", False),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", False),
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", False),
    ("example.com/v1", "Melon", True),
    ("example.com/v2", "Melon", True),
    ("fruit.io/v1", "Berry", True),
    ("fruit.io/v1", "Apple", False),
]


def fruit_objects() -> st.SearchStrategy[list[tuple[int, str, str]]]:
    one = st.tuples(
        st.integers(0, len(KINDS) - 1),
        st.sampled_from(["a", "b", "a-b", "ab", "b0", "z9"]),
        st.sampled_from(["shop", "shop-x", "a", "shop2"]),
    )
    return st.lists(one, min_size=1, max_size=12, unique_by=_identity)


def _identity(drawn: tuple[int, str, str]) -> tuple[str, str, str, str]:
    """What makes one object to Kubernetes: its group (not its version), kind, name and namespace;
    two versions of one object are refused by pytemplar's unique-objects check, by design."""
    api_version, kind, namespaced = KINDS[drawn[0]]
    group = api_version.rpartition("/")[0]
    return group, kind, drawn[1], drawn[2] if namespaced else ""


def fruit_text(objects: list[tuple[int, str, str]]) -> str:
    documents = []
    for index, name, namespace in objects:
        api_version, kind, namespaced = KINDS[index]
        where = f", namespace: {namespace}" if namespaced else ""
        documents.append(f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: {name}{where}}}\n")
    return "---\n".join(documents)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects=fruit_objects(), first=st.lists(st.sampled_from([kind for _, kind, _ in KINDS]), max_size=4))
def test_legacy_order_is_kubectl_kustomizes(objects: list[tuple[int, str, str]], first: list[str]) -> None:
    options = "sortOptions: {order: legacy}"
    if first:
        options = f"sortOptions: {{order: legacy, legacySortOptions: {{orderFirst: [{', '.join(first)}]}}}}"
    case = Case("generated", "sortordertransformer_test.go", fruit_text(objects), options, "", project=options)
    case = dataclasses.replace(case, ordered=True)
    with tempfile.TemporaryDirectory() as folder:
        check(Path(folder), case)
