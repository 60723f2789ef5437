"""Checks of one object at a time, run release by release as releases are rendered, find what the
whole run's checks find, in the same order (``checks.check_objects`` and ``CheckedEarlier``).

The oracle is ``check_manifests`` over all the objects at once. Hypothesis draws a run from a pool of
objects (valid ones from the shop's render, and broken ones: bad names, labels, annotations, selectors,
hooks, images, resources, skip annotations, duplicates, Services without pods) and cuts it into
releases; the problems found with the first releases checked earlier must equal the oracle's.
"""

from __future__ import annotations

import textwrap
from typing import Any

from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from pytemplar.api import render
from pytemplar.checks import CHECK_IDS, CHECKS, CheckedEarlier, Selection, check_manifests, check_objects
from pytemplar.errors import Location
from pytemplar.manifests import Manifest
from pytemplar.yamlio import load_documents

BROKEN = """
apiVersion: v1
kind: ConfigMap
metadata: {name: Bad_Name, labels: {on: true, "-x": y}, annotations: {count: 3}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: Shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: webb}}
    spec: {containers: [{name: a, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {pytemplar.io/skip-checks: "image-pinned, no-such-check"}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, "bad key!": x}}
    spec: {containers: [{name: a, image: "nginx:latest", resources: {limits: {cpu: 1}}}]}
---
apiVersion: v1
kind: Service
metadata: {name: orphan}
spec: {selector: {app: nobody}}
---
apiVersion: v1
kind: Service
metadata: {name: web-svc}
spec: {selector: {app: web}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, annotations: {helm.sh/hook: "pre-install,test,nonsense", argocd.argoproj.io/hook: Sync}}
spec: {template: {spec: {containers: [{name: m, image: "migrate@sha256:abc"}]}}}
---
kind: Secret
metadata: {labels: {a: "{{ broken }}"}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {selector: {matchLabels: {app: gone}}, minAvailable: 1}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: missing}, maxReplicas: 2}
"""


def _pool() -> list[dict[str, Any]]:
    broken = [d.data for d in load_documents(textwrap.dedent(BROKEN), "t.yaml")]
    shop = [m.obj for m in render(EXAMPLES / "shop", ["prod"]).manifests]
    return broken + shop


POOL = _pool()
SELECTIONS = [Selection.of(), Selection.of(["image-pinned", "resources-set"]), Selection.of([], ["label-syntax"])]


@st.composite
def runs(draw: st.DrawFn) -> list[list[Manifest]]:
    """Releases, each a list of objects from the pool (copies: checks must not share them)."""
    count = draw(st.integers(1, 5))
    releases: list[list[Manifest]] = []
    for number in range(count):
        chosen = draw(st.lists(st.integers(0, len(POOL) - 1), max_size=8))
        release = f"r{number}"
        releases.append(
            [
                Manifest(_copy(POOL[index]), release, "prod", "templates/t.yaml.j2", Location("t.yaml.j2", 1 + at))
                for at, index in enumerate(chosen)
            ]
        )
    return releases


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


@settings(max_examples=300, deadline=None)
@given(releases=runs(), checked=st.integers(0, 5), selection=st.sampled_from(SELECTIONS))
def test_checks_of_one_object_run_per_release_find_what_the_whole_run_finds(
    releases: list[list[Manifest]], checked: int, selection: Selection
) -> None:
    everything = [manifest for release in releases for manifest in release]
    expected = check_manifests(everything, selection)
    joined: dict[str, list[Any]] = {}
    for release in releases[:checked]:  # the releases checked as they were rendered; the rest at the end
        for check_id, problems in check_objects(release, selection).items():
            joined.setdefault(check_id, []).extend(problems)
    count = sum(len(release) for release in releases[:checked])
    assert check_manifests(everything, selection, earlier=CheckedEarlier(count, joined)) == expected


def test_the_checks_of_one_object_are_those_that_look_at_one_object() -> None:
    # The others compare objects (names shared, Services and their pods) or group them by version.
    one_at_a_time = {check.id for check in CHECKS if check.each_object}
    assert one_at_a_time == {
        "required-fields",
        "dns-name",
        "label-syntax",
        "selector-matches-template",
        "helm-hook",
        "image-pinned",
        "resources-set",
    }
    assert one_at_a_time <= set(CHECK_IDS)
