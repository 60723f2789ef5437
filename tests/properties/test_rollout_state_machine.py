"""Random sequences of rollout commands, each state checked by the scenario test's oracle.

The commands' plans (:func:`pytemplar.rolloutplan.plan`) are applied to a release's values, the
release is rendered by a miniature template (a Deployment, with replicas or an autoscaler, a
Service, an Ingress, a disruption budget) and the rollout stage, and every state must route
traffic only to pods that can take it, as a step from the previous state too; a rollback right
after a promote must send the traffic back to the version it had. Half the sequences begin with a
release that runs without a strategy and adopts it (``rollout adopt``, then ``finish``).
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from integration.test_rollout_scenarios import State, check_running_objects, check_state, check_step, image

from pytemplar.errors import Location, UsageError
from pytemplar.manifests import Manifest
from pytemplar.rolloutplan import REMOVE, RESET, Target, plan
from pytemplar.strategy import TRACK_LABEL, apply_rollout, capacity, read_rollout

WHERE = Location("envs/prod/web.yaml")
POD = {"app": "web"}


def manifest(obj: dict[str, Any]) -> Manifest:
    obj.setdefault("metadata", {}).setdefault("namespace", "ns")
    return Manifest(obj, "web", "prod", "templates/x.yaml.j2", WHERE)


def template(values: dict[str, Any], replicas: int, autoscaled: bool) -> list[Manifest]:
    """What a typical app template renders from the values."""
    spec: dict[str, Any] = {
        "selector": {"matchLabels": dict(POD)},
        "template": {
            "metadata": {"labels": dict(POD)},
            "spec": {"containers": [{"name": "main", "image": f"reg/web:{values['image']['tag']}"}]},
        },
    }
    objects = [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": dict(POD)}},
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "web"},
            "spec": {
                "rules": [
                    {
                        "host": "web.example",
                        "http": {
                            "paths": [{"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]
                        },
                    }
                ]
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "web"},
            "spec": {"minAvailable": max(0, replicas - 1), "selector": {"matchLabels": dict(POD)}},
        },
    ]
    if autoscaled:
        objects.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "web"},
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                    "minReplicas": replicas,
                    "maxReplicas": replicas * 3,
                },
            }
        )
    else:
        spec["replicas"] = replicas
    return [manifest(o) for o in objects]


def render(values: dict[str, Any], replicas: int, autoscaled: bool, after: str) -> State:
    spec = read_rollout(values, lambda path: WHERE)
    rendered = apply_rollout(template(values, replicas, autoscaled), spec)
    return State(after, [copy.deepcopy(m.obj) for m in rendered])


def apply(values: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node = values
    for part in path[:-1]:
        node = node.setdefault(part, {})
    if value is REMOVE or value is RESET:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


ACTIONS = st.one_of(
    st.tuples(st.sampled_from(["promote", "finish", "abort", "rollback"]), st.none()),
    st.tuples(st.just("start"), st.sampled_from(["1.0", "2.0", "3.0"])),
    st.tuples(st.just("weight"), st.integers(0, 100)),
    st.tuples(st.just("edit weight"), st.integers(0, 100)),
)


@settings(max_examples=150, deadline=None)
@given(
    strategy=st.sampled_from(["BlueGreen", "Canary"]),
    replicas=st.integers(1, 6),
    autoscaled=st.booleans(),
    preview_replicas=st.sampled_from([None, 0, 1]),
    adopted=st.booleans(),
    actions=st.lists(ACTIONS, max_size=14),
)
def test_every_state_a_command_sequence_leaves_is_safe(
    strategy: str,
    replicas: int,
    autoscaled: bool,
    preview_replicas: int | None,
    adopted: bool,
    actions: list[tuple[str, Any]],
) -> None:
    # The most pods the release may need: its replicas, or what its autoscaler scales to.
    full = replicas * 3 if autoscaled else replicas
    values: dict[str, Any] = {"image": {"tag": "1.0"}}
    states = [render(values, replicas, autoscaled, "the start")]
    check_state(states[0], "web", full)
    if adopted:  # a running release moves onto the strategy in two commits
        for action in ("adopt", "finish"):
            spec = read_rollout(values, lambda path: WHERE)
            for change in plan(action, spec, values, Target("web", "prod"), strategy=strategy).changes:  # type: ignore[arg-type]
                apply(values, change.path, change.value)
            states.append(render(values, replicas, autoscaled, action))
            check_state(states[-1], "web", full)
            check_step(states[-2], states[-1], full)
            check_running_objects(states[-2], states[-1])
    else:
        values["rollout"] = {"strategy": strategy}
        if strategy == "BlueGreen":
            values["rollout"]["active"] = "blue"
        states = [render(values, replicas, autoscaled, "the start")]
        check_state(states[0], "web", full)
    if strategy == "BlueGreen" and preview_replicas is not None:
        values["rollout"]["previewReplicas"] = preview_replicas
    served_before_promote: set[str] | None = None
    for action, argument in actions:
        spec = read_rollout(values, lambda path: WHERE)
        assert spec is not None
        stable = [
            m
            for m in apply_rollout(template(values, replicas, autoscaled), spec)
            if m.kind == "Deployment" and m.obj["spec"]["template"]["metadata"]["labels"].get(TRACK_LABEL) != "canary"
        ]
        if action == "edit weight":
            # A hand edit of the overlay (pytemplar set rollout.canary.weight=N): one commit can only be
            # safe on its own, the canary getting the pods its new share needs.
            if strategy == "Canary" and "tag" in values["rollout"].get("canary", {}):
                values["rollout"]["canary"]["weight"] = argument
                states.append(render(values, replicas, autoscaled, f"set rollout.canary.weight={argument}"))
                check_state(states[-1], "web", full)
            continue
        target = Target("web", "prod", capacity(template(values, replicas, autoscaled), stable[0]))
        before = copy.deepcopy(values)
        try:
            planned = plan(
                action,  # type: ignore[arg-type]
                spec,
                values,
                target,
                weight=argument if action == "weight" else None,
                tag=argument if action == "start" else None,
            )
        except UsageError:
            assert values == before  # a refusal changes nothing
            continue
        assert planned.changes, f"{action} neither refused nor changed anything"
        for change in planned.changes:
            apply(values, change.path, change.value)
        state = render(values, replicas, autoscaled, f"{action} {argument or ''}")
        check_state(state, "web", full)
        check_step(states[-1], state, full)
        check_running_objects(states[-1], state)
        served = {image(d) for d in state.selected("web")}
        if action == "rollback":
            assert served_before_promote is not None
            assert served == served_before_promote, "rollback after promote returns to the old version"
        served_before_promote = (
            {image(d) for d in states[-1].selected("web")} if action == "promote" else served_before_promote
        )
        states.append(state)
