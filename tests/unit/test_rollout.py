"""The rollout stage (pytemplar.strategy), one function at a time, on objects built here."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytemplar.errors import Location, Problem, ValuesError
from pytemplar.manifests import Manifest
from pytemplar.project import builtin_schema
from pytemplar.schema import compile_schema
from pytemplar.strategy import (
    COLOR_LABEL,
    TRACK_LABEL,
    VERSION_LABEL,
    CanarySpec,
    RolloutSpec,
    Version,
    apply_rollout,
    blue_green,
    canary,
    read_rollout,
    tag_of,
    target_deployment,
    update_strategy,
    with_tag,
)

WHERE = Location("envs/prod/web.yaml", 12, 13)
POD = {"app.kubernetes.io/name": "web"}
IMAGE = "reg.example:5000/team/web:1.0"
NGINX = "nginx.ingress.kubernetes.io/"
HEADER_MATCH = {"type": "Exact", "name": "X-Canary", "value": "always"}

# -- objects -------------------------------------------------------------------------------------------


def manifest(obj: dict[str, Any]) -> Manifest:
    return Manifest(obj, "web", "prod", "templates/all.yaml.j2", Location("app/templates/all.yaml.j2", 1))


def metadata(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": "shop", **extra}


def deployment(name: str = "web", image: str = IMAGE, **spec: Any) -> Manifest:
    labels = {**POD, VERSION_LABEL: "1.0"}
    return manifest(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": metadata(name, labels=dict(labels)),
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": dict(POD)},
                "template": {
                    "metadata": {"labels": dict(labels)},
                    "spec": {
                        "containers": [{"name": "main", "image": image}, {"name": "proxy", "image": "envoy:1.30"}]
                    },
                },
                **spec,
            },
        }
    )


def service(name: str = "web", **spec: Any) -> Manifest:
    body = {"type": "ClusterIP", "selector": dict(POD), "ports": [{"name": "http", "port": 80}], **spec}
    return manifest({"apiVersion": "v1", "kind": "Service", "metadata": metadata(name), "spec": body})


def node_port_service() -> Manifest:
    return service(
        type="NodePort",
        clusterIP="10.0.0.7",
        clusterIPs=["10.0.0.7"],
        externalTrafficPolicy="Local",
        ports=[{"name": "http", "port": 80, "nodePort": 30080}],
    )


def autoscaler(target: str = "web") -> Manifest:
    ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": target}
    spec = {"scaleTargetRef": ref, "minReplicas": 2, "maxReplicas": 5}
    return manifest(
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": metadata("web"), "spec": spec}
    )


def budget() -> Manifest:
    spec = {"minAvailable": 1, "selector": {"matchLabels": dict(POD)}}
    return manifest(
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": metadata("web"), "spec": spec}
    )


def config_map() -> Manifest:
    return manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata("web-config"), "data": {"a": "1"}})


def ingress(annotations: dict[str, str] | None = None) -> Manifest:
    def backend(name: str) -> dict[str, Any]:
        return {"service": {"name": name, "port": {"number": 80}}}

    paths = [
        {"path": "/", "pathType": "Prefix", "backend": backend("web")},
        {"path": "/docs", "pathType": "Prefix", "backend": backend("docs")},
    ]
    return manifest(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": metadata("web", annotations=dict(annotations or {})),
            "spec": {
                "ingressClassName": "nginx",
                "defaultBackend": backend("web"),
                "rules": [{"host": "shop.example", "http": {"paths": paths}}],
            },
        }
    )


def route(*rules: dict[str, Any]) -> Manifest:
    spec = {"parentRefs": [{"name": "gateway"}], "rules": list(rules)}
    return manifest(
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": metadata("web"), "spec": spec}
    )


def web_rule(**extra: Any) -> dict[str, Any]:
    matches = [{"path": {"type": "PathPrefix", "value": "/api"}}]
    return {"matches": matches, "backendRefs": [{"name": "web", "port": 80}], **extra}


def spec_of(strategy: Any, **fields: Any) -> RolloutSpec:
    return RolloutSpec(strategy=strategy, where=WHERE, **fields)


def running_canary(
    weight: int | None = None, header: tuple[str, str | None] | None = None, replicas: int = 1
) -> RolloutSpec:
    return spec_of("Canary", canary=CanarySpec(Version(tag="1.1"), weight, header, replicas))


# -- helpers for the assertions --------------------------------------------------------------------------


def unmutated(
    strategy: Callable[[list[Manifest], Manifest, RolloutSpec], list[Manifest]],
    manifests: list[Manifest],
    spec: RolloutSpec,
) -> list[Manifest]:
    """Run a strategy on the first Deployment and check that it left its input alone."""
    before = copy.deepcopy([m.obj for m in manifests])
    target = next(m for m in manifests if m.kind == "Deployment")
    result = strategy(manifests, target, spec)
    assert [m.obj for m in manifests] == before
    return result


def failure(call: Callable[[], object]) -> list[Problem]:
    with pytest.raises(ValuesError) as caught:
        call()
    return caught.value.problems


def names(manifests: list[Manifest]) -> list[tuple[str, str]]:
    return [(m.kind, m.name) for m in manifests]


def find(manifests: list[Manifest], kind: str, name: str) -> dict[str, Any]:
    (obj,) = [m.obj for m in manifests if m.kind == kind and m.name == name]
    return obj


def pod_label_maps(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The Deployment's own labels, its selector and its pod template's labels."""
    spec = obj["spec"]
    return [obj["metadata"]["labels"], spec["selector"]["matchLabels"], spec["template"]["metadata"]["labels"]]


def images(obj: dict[str, Any]) -> list[str]:
    return [c["image"] for c in obj["spec"]["template"]["spec"]["containers"]]


# -- image references ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "tagged", "tag"),
    [
        ("nginx", "nginx:2.0", None),
        ("nginx:1.25", "nginx:2.0", "1.25"),
        ("reg.example:5000/team/web", "reg.example:5000/team/web:2.0", None),
        ("reg.example:5000/team/web:1.0", "reg.example:5000/team/web:2.0", "1.0"),
        ("team/web@sha256:" + "a" * 64, "team/web:2.0", None),
        ("reg.example:5000/web:1.0@sha256:" + "b" * 64, "reg.example:5000/web:2.0", "1.0"),
        ("localhost:5000/web", "localhost:5000/web:2.0", None),
    ],
)
def test_with_tag_replaces_the_tag_and_drops_the_digest_keeping_a_registry_port(
    image: str, tagged: str, tag: str | None
) -> None:
    assert with_tag(image, "2.0") == tagged
    assert tag_of(image) == tag


COMPONENT = st.from_regex(r"[a-z0-9]+([._-][a-z0-9]+)*", fullmatch=True)
HOST = st.from_regex(r"[a-z0-9]+(\.[a-z0-9]+)*(:[0-9]{1,5})?", fullmatch=True)
TAG = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", fullmatch=True)  # the schema's tag pattern
DIGEST = st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)


@st.composite
def image_refs(draw: st.DrawFn) -> str:
    host = draw(st.none() | HOST)
    path = "/".join(draw(st.lists(COMPONENT, min_size=1, max_size=3)))
    tag = draw(st.none() | TAG)
    digest = draw(st.none() | DIGEST)
    return (f"{host}/" if host else "") + path + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


@given(image_refs(), TAG, TAG)
def test_a_tag_put_on_any_image_is_the_tag_read_back(image: str, tag: str, other: str) -> None:
    tagged = with_tag(image, tag)
    assert tag_of(tagged) == tag
    assert with_tag(tagged, other) == with_tag(image, other)
    assert "@" not in tagged
    # The repository (registry, port and path) is kept.
    assert tagged.removesuffix(f":{tag}") == with_tag(image, other).removesuffix(f":{other}")
    assert image.startswith(tagged.removesuffix(f":{tag}"))


# -- reading the values ----------------------------------------------------------------------------------


def test_read_rollout_reads_every_field_and_locates_the_strategy() -> None:
    asked: list[tuple[str | int, ...]] = []

    def locate(path: tuple[str | int, ...]) -> Location:
        asked.append(path)
        return WHERE

    values = {
        "rollout": {
            "strategy": "Canary",
            "deployment": "web",
            "container": "main",
            "tagValue": "app.image.tag",
            "canary": {"tag": "1.1", "weight": 5, "header": {"name": "X-Canary"}},
        }
    }
    assert read_rollout(values, locate) == RolloutSpec(
        strategy="Canary",
        deployment="web",
        container="main",
        tag_value="app.image.tag",
        canary=CanarySpec(Version(tag="1.1"), 5, ("X-Canary", None), 1),
        where=WHERE,
    )
    assert asked == [("rollout", "strategy")]
    assert read_rollout({"image": {"tag": "1"}}, locate) is None


def test_read_rollout_of_blue_green_knows_the_preview_colour() -> None:
    values = {"rollout": {"strategy": "BlueGreen", "active": "green", "blue": {"image": "web@sha256:1"}}}
    spec = read_rollout(values, lambda path: None)
    assert spec is not None
    assert (spec.active, spec.preview, spec.color("blue"), spec.color("green")) == (
        "green",
        "blue",
        Version(image="web@sha256:1"),
        Version(),
    )


# -- the schema of the values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rollout", "message", "hint"),
    [
        (
            {"strategy": "BlueGreen", "active": "blue", "maxSurge": 1},
            "values.rollout: 'maxSurge' is not allowed here",
            "maxSurge and maxUnavailable apply to strategy RollingUpdate only: "
            "remove them or set strategy: RollingUpdate.",
        ),
        (
            {"strategy": "Recreate", "canary": {"tag": "1"}},
            "values.rollout: 'canary' is not allowed here",
            "canary applies to strategy Canary only: remove it or set strategy: Canary.",
        ),
        (
            {"strategy": "Bluegreen"},
            "values.rollout.strategy: 'Bluegreen' is not one of ['Recreate', 'RollingUpdate', 'BlueGreen', 'Canary']",
            "did you mean 'BlueGreen'?",
        ),
    ],
)
def test_the_rollout_schema_names_the_key_it_refuses(rollout: dict[str, Any], message: str, hint: str | None) -> None:
    located: list[tuple[str | int, ...]] = []

    def locate(path: tuple[str | int, ...]) -> Location:
        located.append(path)
        return WHERE

    problems = builtin_schema("rollout.schema.json").validate(rollout, locate, "values.rollout", locate_key=locate)
    assert [(p.message, p.hint) for p in problems] == [(message, hint)]
    refused = next(key for key in rollout if key in message)
    assert located == [(refused,)]


def test_a_key_forbidden_behind_a_ref_is_named_too() -> None:
    # jsonschema drops the key of a `false` property from its error; the walk back to the
    # schema cannot cross a $ref, so the key is found from the values instead.
    schema = {"$defs": {"v": {"properties": {"a": False}}}, "properties": {"x": {"$ref": "#/$defs/v"}}}
    located: list[tuple[str | int, ...]] = []

    def locate(path: tuple[str | int, ...]) -> Location:
        located.append(path)
        return WHERE

    problems = compile_schema(schema, "s.json").validate({"x": {"a": 1, "b": 2}}, locate)
    assert problems == [
        Problem("values.x: 'a' is not allowed here", WHERE, "remove it: the schema does not allow this key here")
    ]
    assert located == [("x", "a")]


# -- the Deployment a strategy works on ----------------------------------------------------------------


def test_target_deployment_is_the_only_one_or_the_named_one() -> None:
    web, worker = deployment("web"), deployment("worker")
    assert target_deployment([service(), web], spec_of("Recreate")) is web
    assert target_deployment([web, worker], spec_of("Recreate", deployment="worker")) is worker
    # An object of another API group that happens to be called Deployment is not a candidate.
    foreign = manifest({"apiVersion": "example.com/v1", "kind": "Deployment", "metadata": {"name": "x"}})
    assert target_deployment([foreign, web], spec_of("Canary")) is web


def test_target_deployment_refuses_none_several_and_an_unknown_name() -> None:
    web, worker = deployment("web"), deployment("worker")
    assert failure(lambda: target_deployment([service()], spec_of("Canary"))) == [
        Problem(
            "rollout: Canary needs one Deployment in the release; found none",
            WHERE,
            "the templates render no Deployment",
        )
    ]
    assert failure(lambda: target_deployment([web, worker], spec_of("BlueGreen"))) == [
        Problem(
            "rollout: BlueGreen needs one Deployment in the release; found 2 (web, worker)",
            WHERE,
            "name the one to roll out in rollout.deployment",
        )
    ]
    assert failure(lambda: target_deployment([web, worker], spec_of("Recreate", deployment="api"))) == [
        Problem("rollout: no Deployment named 'api' in the release", WHERE, "rendered Deployments: web, worker")
    ]
    assert failure(lambda: target_deployment([], spec_of("Recreate", deployment="api"))) == [
        Problem("rollout: no Deployment named 'api' in the release", WHERE, "rendered Deployments: none")
    ]


# -- Recreate and RollingUpdate --------------------------------------------------------------------------

ROLLING = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}


def test_recreate_replaces_the_rendered_strategy_whole() -> None:
    manifests = [config_map(), deployment(strategy=copy.deepcopy(ROLLING))]
    result = unmutated(update_strategy, manifests, spec_of("Recreate"))
    assert names(result) == names(manifests)
    assert result[0] is manifests[0]
    # Kubernetes refuses rollingUpdate next to type Recreate: nothing of it may remain.
    assert find(result, "Deployment", "web")["spec"]["strategy"] == {"type": "Recreate"}


def test_rolling_update_sets_the_bounds_given_and_keeps_the_rendered_others() -> None:
    manifests = [deployment(strategy=copy.deepcopy(ROLLING))]
    result = unmutated(update_strategy, manifests, spec_of("RollingUpdate", max_unavailable="10%"))
    assert find(result, "Deployment", "web")["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "10%"},
    }


def test_rolling_update_without_bounds_on_a_deployment_without_any() -> None:
    result = unmutated(update_strategy, [deployment()], spec_of("RollingUpdate"))
    assert find(result, "Deployment", "web")["spec"]["strategy"] == {"type": "RollingUpdate"}
    result = unmutated(update_strategy, [deployment()], spec_of("RollingUpdate", max_surge=2, max_unavailable=0))
    assert find(result, "Deployment", "web")["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 2, "maxUnavailable": 0},
    }


# -- BlueGreen -----------------------------------------------------------------------------------------------


def blue_green_input() -> list[Manifest]:
    return [config_map(), node_port_service(), deployment(), autoscaler(), budget()]


PREVIEWING = (("blue", Version()), ("green", Version(tag="2.0")))


def test_blue_green_renames_and_splits_every_object_of_the_deployment() -> None:
    result = unmutated(blue_green, blue_green_input(), spec_of("BlueGreen", active="blue", colors=PREVIEWING))
    assert names(result) == [
        ("ConfigMap", "web-config"),
        ("Service", "web"),
        ("Service", "web-preview"),
        ("Deployment", "web-blue"),
        ("Deployment", "web-green"),
        ("HorizontalPodAutoscaler", "web-blue"),
        ("HorizontalPodAutoscaler", "web-green"),
        ("PodDisruptionBudget", "web-blue"),
        ("PodDisruptionBudget", "web-green"),
    ]


def test_blue_green_colours_each_deployment_and_gives_it_its_version() -> None:
    spec = spec_of("BlueGreen", active="blue", colors=(("blue", Version()), ("green", Version(tag="2.0"))))
    result = unmutated(blue_green, blue_green_input(), spec)
    blue, green = find(result, "Deployment", "web-blue"), find(result, "Deployment", "web-green")
    for obj, color in ((blue, "blue"), (green, "green")):
        assert [labels[COLOR_LABEL] for labels in pod_label_maps(obj)] == [color, color, color]
    assert images(blue) == [IMAGE, "envoy:1.30"]
    assert images(green) == ["reg.example:5000/team/web:2.0", "envoy:1.30"]
    # The version label follows the tag where it showed the rendered one; selectors never hold it.
    assert blue["metadata"]["labels"][VERSION_LABEL] == "1.0"
    assert green["metadata"]["labels"][VERSION_LABEL] == "2.0"
    assert green["spec"]["template"]["metadata"]["labels"][VERSION_LABEL] == "2.0"
    assert green["spec"]["selector"]["matchLabels"] == {**POD, COLOR_LABEL: "green"}
    assert blue["spec"]["replicas"] == green["spec"]["replicas"] == 3


def test_blue_green_puts_a_whole_image_on_the_named_container() -> None:
    digest = "mirror.example/web@sha256:" + "c" * 64
    spec = spec_of(
        "BlueGreen", active="green", container="proxy", colors=(("blue", Version(image=digest)), ("green", Version()))
    )
    result = unmutated(blue_green, blue_green_input(), spec)
    blue = find(result, "Deployment", "web-blue")
    assert images(blue) == [IMAGE, digest]
    assert blue["metadata"]["labels"][VERSION_LABEL] == "1.0"  # the tag of another container is not the version


def test_blue_green_active_service_and_preview_service() -> None:
    result = unmutated(blue_green, blue_green_input(), spec_of("BlueGreen", active="green"))
    active, preview = find(result, "Service", "web"), find(result, "Service", "web-preview")
    assert active["spec"]["selector"] == {**POD, COLOR_LABEL: "green"}
    assert active["spec"]["type"] == "NodePort"
    assert active["spec"]["ports"] == [{"name": "http", "port": 80, "nodePort": 30080}]
    # The preview is an internal copy: no fixed IP, no node port, nothing a second Service could clash on.
    assert preview["spec"] == {
        "type": "ClusterIP",
        "selector": {**POD, COLOR_LABEL: "blue"},
        "ports": [{"name": "http", "port": 80}],
    }


def test_blue_green_preview_replicas_apply_to_an_idle_preview_colour_only() -> None:
    result = unmutated(blue_green, blue_green_input(), spec_of("BlueGreen", active="green", preview_replicas=1))
    assert find(result, "Deployment", "web-blue")["spec"]["replicas"] == 1
    assert find(result, "Deployment", "web-green")["spec"]["replicas"] == 3
    # A scaled-down colour has no autoscaler to scale it back up.
    assert [name for kind, name in names(result) if kind == "HorizontalPodAutoscaler"] == ["web-green"]


def test_blue_green_idle_preview_colour_is_scaled_to_zero_by_default() -> None:
    result = unmutated(blue_green, blue_green_input(), spec_of("BlueGreen", active="blue"))
    assert find(result, "Deployment", "web-blue")["spec"]["replicas"] == 3
    assert find(result, "Deployment", "web-green")["spec"]["replicas"] == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"colors": PREVIEWING, "preview_replicas": 0},  # a pending version waits at full capacity
        {"active": "green", "rollback_to": "blue", "colors": PREVIEWING},  # promoted: blue kept whole
        {"active": "green", "rollback_to": "blue"},  # even when both colours run the same version
    ],
)
def test_blue_green_runs_both_colours_whole_while_a_version_is_pending_or_kept(fields: dict[str, Any]) -> None:
    spec = spec_of("BlueGreen", **{"active": "blue", **fields})
    result = unmutated(blue_green, blue_green_input(), spec)
    for color in ("blue", "green"):
        assert find(result, "Deployment", f"web-{color}")["spec"]["replicas"] == 3
        assert find(result, "HorizontalPodAutoscaler", f"web-{color}")
        assert find(result, "PodDisruptionBudget", f"web-{color}")


def test_blue_green_rollback_to_the_active_colour_is_refused() -> None:
    manifests = blue_green_input()
    spec = spec_of("BlueGreen", active="blue", rollback_to="blue")
    assert failure(lambda: blue_green(manifests, manifests[2], spec)) == [
        Problem(
            "rollout: rollbackTo names the active colour 'blue'; it keeps the colour a promote switched away from",
            WHERE,
            "set rollout.rollbackTo to 'green', or remove it",
        )
    ]


def test_blue_green_autoscalers_and_budgets_follow_their_colour() -> None:
    manifests = [*blue_green_input(), autoscaler(target="other")]
    result = unmutated(blue_green, manifests, spec_of("BlueGreen", active="blue", colors=PREVIEWING))
    for color in ("blue", "green"):
        assert find(result, "HorizontalPodAutoscaler", f"web-{color}")["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": f"web-{color}",
        }
        assert find(result, "PodDisruptionBudget", f"web-{color}")["spec"]["selector"] == {
            "matchLabels": {**POD, COLOR_LABEL: color}
        }
    assert result[-1] is manifests[-1]  # an autoscaler of another Deployment is left alone


def test_blue_green_without_a_service_for_the_pods_is_refused() -> None:
    manifests = [deployment(), service(selector={"app.kubernetes.io/name": "other"})]
    assert failure(lambda: blue_green(manifests, manifests[0], spec_of("BlueGreen", active="blue"))) == [
        Problem(
            "rollout: BlueGreen switches traffic with a Service, and no Service of the release selects "
            "the pods of Deployment 'web'",
            WHERE,
            "render a Service whose selector matches the Deployment's pod labels",
        )
    ]


def test_blue_green_refuses_an_unknown_container() -> None:
    manifests = [deployment(), service()]
    spec = spec_of("BlueGreen", active="blue", container="app")
    assert failure(lambda: blue_green(manifests, manifests[0], spec)) == [
        Problem("rollout: Deployment 'web-blue' has no container 'app'", WHERE, "its containers: main, proxy")
    ]


# -- Canary ------------------------------------------------------------------------------------------------


def test_canary_not_running_only_labels_the_stable_track() -> None:
    waiting = spec_of("Canary", canary=CanarySpec(Version(), 10, None, 1))
    manifests = [deployment(), service(), budget(), ingress(), config_map()]
    for spec in (spec_of("Canary"), waiting):
        result = unmutated(canary, manifests, spec)
        assert names(result) == names(manifests)
        stable = find(result, "Deployment", "web")
        assert [labels[TRACK_LABEL] for labels in pod_label_maps(stable)] == ["stable"] * 3
        assert images(stable) == [IMAGE, "envoy:1.30"]
        assert find(result, "Service", "web")["spec"]["selector"] == {**POD, TRACK_LABEL: "stable"}
        assert find(result, "PodDisruptionBudget", "web")["spec"]["selector"]["matchLabels"] == {
            **POD,
            TRACK_LABEL: "stable",
        }
        assert result[3] is manifests[3] and result[4] is manifests[4]


def test_a_running_canary_gets_its_deployment_and_service() -> None:
    manifests = [node_port_service(), deployment(), autoscaler()]
    result = unmutated(canary, manifests, running_canary(replicas=2))
    assert names(result) == [
        ("Service", "web"),
        ("Service", "web-canary"),
        ("Deployment", "web"),
        ("Deployment", "web-canary"),
        ("HorizontalPodAutoscaler", "web"),
    ]
    side = find(result, "Deployment", "web-canary")
    assert [labels[TRACK_LABEL] for labels in pod_label_maps(side)] == ["canary"] * 3
    assert side["spec"]["replicas"] == 2
    assert images(side) == ["reg.example:5000/team/web:1.1", "envoy:1.30"]
    assert side["metadata"]["labels"][VERSION_LABEL] == "1.1"
    assert images(find(result, "Deployment", "web")) == [IMAGE, "envoy:1.30"]
    assert find(result, "Service", "web-canary")["spec"] == {
        "type": "ClusterIP",
        "selector": {**POD, TRACK_LABEL: "canary"},
        "ports": [{"name": "http", "port": 80}],
    }
    # The autoscaler keeps scaling the stable Deployment, which keeps its name; while the canary runs
    # it holds the stable pods at its maximum (any command may send the canary's share back to them).
    assert result[-1].obj["spec"] == {**manifests[-1].obj["spec"], "minReplicas": 5}


def test_a_weighted_canary_gets_an_ingress_nginx_canary_ingress() -> None:
    original = ingress({"nginx.ingress.kubernetes.io/proxy-body-size": "8m", NGINX + "canary-weight": "99"})
    manifests = [deployment(), service(), original]
    result = unmutated(canary, manifests, running_canary(weight=10))
    assert names(result)[-2:] == [("Ingress", "web"), ("Ingress", "web-canary")]
    assert result[-2] is original
    side = find(result, "Ingress", "web-canary")
    assert side["metadata"]["annotations"] == {
        "nginx.ingress.kubernetes.io/proxy-body-size": "8m",
        NGINX + "canary": "true",
        NGINX + "canary-weight": "10",
    }
    assert side["spec"]["defaultBackend"]["service"]["name"] == "web-canary"
    paths = side["spec"]["rules"][0]["http"]["paths"]
    assert [p["backend"]["service"]["name"] for p in paths] == ["web-canary", "docs"]
    assert side["spec"]["rules"][0]["host"] == "shop.example"


def test_a_canary_by_header_gets_the_header_annotations() -> None:
    manifests = [deployment(), service(), ingress()]
    result = unmutated(canary, manifests, running_canary(header=("X-Canary", "always")))
    assert find(result, "Ingress", "web-canary")["metadata"]["annotations"] == {
        NGINX + "canary": "true",
        NGINX + "canary-by-header": "X-Canary",
        NGINX + "canary-by-header-value": "always",
    }
    result = unmutated(canary, manifests, running_canary(weight=0, header=("X-Canary", None)))
    assert find(result, "Ingress", "web-canary")["metadata"]["annotations"] == {
        NGINX + "canary": "true",
        NGINX + "canary-weight": "0",
        NGINX + "canary-by-header": "X-Canary",
    }


def test_only_an_ingress_to_the_stable_service_gets_a_canary_copy() -> None:
    other = ingress()
    other.obj["metadata"]["name"] = "docs"
    other.obj["spec"] = {"rules": [{"http": {"paths": [{"path": "/", "backend": {"service": {"name": "docs"}}}]}}]}
    manifests = [deployment(), service(), other, ingress()]
    result = unmutated(canary, manifests, running_canary(header=("X-Canary", "1")))
    assert names(result)[-3:] == [("Ingress", "docs"), ("Ingress", "web"), ("Ingress", "web-canary")]
    assert result[-3] is other


def test_a_weighted_canary_splits_each_httproute_backend() -> None:
    other = {"matches": [{"path": {"type": "PathPrefix", "value": "/docs"}}], "backendRefs": [{"name": "docs"}]}
    manifests = [deployment(), service(), route(web_rule(), other)]
    result = unmutated(canary, manifests, running_canary(weight=10))
    assert names(result)[-1] == ("HTTPRoute", "web")
    rules = find(result, "HTTPRoute", "web")["spec"]["rules"]
    assert rules == [
        {
            "matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
            "backendRefs": [
                {"name": "web", "port": 80, "weight": 90},
                {"name": "web-canary", "port": 80, "weight": 10},
            ],
        },
        other,
    ]


def test_a_weighted_canary_keeps_the_share_of_each_backend_of_a_rule() -> None:
    rule = {"backendRefs": [{"name": "web", "port": 80, "weight": 3}, {"name": "legacy", "port": 80}]}
    result = unmutated(canary, [deployment(), service(), route(rule)], running_canary(weight=20))
    # web had 3/4 of the traffic and legacy 1/4: still so, web's part split 80/20.
    assert find(result, "HTTPRoute", "web")["spec"]["rules"][0]["backendRefs"] == [
        {"name": "web", "port": 80, "weight": 240},
        {"name": "web-canary", "port": 80, "weight": 60},
        {"name": "legacy", "port": 80, "weight": 100},
    ]


def test_a_canary_by_header_puts_a_header_rule_before_each_httproute_rule() -> None:
    named = web_rule(name="api")
    named["matches"].append({"path": {"type": "Exact", "value": "/x"}, "headers": [{"name": "X-Team", "value": "a"}]})
    bare = {"backendRefs": [{"name": "web", "port": 80}]}
    manifests = [deployment(), service(), route(named, bare)]
    result = unmutated(canary, manifests, running_canary(weight=10, header=("X-Canary", "always")))
    rules = find(result, "HTTPRoute", "web")["spec"]["rules"]
    assert rules == [
        {
            "matches": [
                {"path": {"type": "PathPrefix", "value": "/api"}, "headers": [HEADER_MATCH]},
                {
                    "path": {"type": "Exact", "value": "/x"},
                    "headers": [{"name": "X-Team", "value": "a"}, HEADER_MATCH],
                },
            ],
            "backendRefs": [{"name": "web-canary", "port": 80}],
        },
        {
            **named,
            "backendRefs": [
                {"name": "web", "port": 80, "weight": 90},
                {"name": "web-canary", "port": 80, "weight": 10},
            ],
        },
        {
            "matches": [{"path": {"type": "PathPrefix", "value": "/"}, "headers": [HEADER_MATCH]}],
            "backendRefs": [{"name": "web-canary", "port": 80}],
        },
        {"backendRefs": [{"name": "web", "port": 80, "weight": 90}, {"name": "web-canary", "port": 80, "weight": 10}]},
    ]


def test_an_httproute_needs_a_header_value() -> None:
    manifests = [deployment(), service(), route(web_rule())]
    assert failure(lambda: canary(manifests, manifests[0], running_canary(header=("X-Canary", None)))) == [
        Problem(
            "rollout: HTTPRoute 'web' routes the canary by header, and Gateway API matches need a header value",
            WHERE,
            "set rollout.canary.header.value",
        )
    ]


def test_an_httproute_may_not_outgrow_the_gateway_api_rule_limit() -> None:
    manifests = [deployment(), service(), route(*(web_rule() for _ in range(9)))]
    assert failure(lambda: canary(manifests, manifests[0], running_canary(header=("X-Canary", "1")))) == [
        Problem(
            "rollout: HTTPRoute 'web' would need 18 rules for the canary's header; Gateway API allows 16",
            WHERE,
            "split the route, or use the canary weight without a header",
        )
    ]
    # Eight rules double to sixteen: allowed.
    fits = [deployment(), service(), route(*(web_rule() for _ in range(8)))]
    result = unmutated(canary, fits, running_canary(header=("X-Canary", "1")))
    assert len(find(result, "HTTPRoute", "web")["spec"]["rules"]) == 16


@pytest.mark.parametrize("spec", [running_canary(weight=10), running_canary(header=("X-Canary", "1"))])
def test_a_canary_weight_or_header_without_a_route_is_refused(spec: RolloutSpec) -> None:
    manifests = [deployment(), service(), ingress()]
    manifests[2].obj["spec"] = {"defaultBackend": {"service": {"name": "docs"}}}
    assert failure(lambda: canary(manifests, manifests[0], spec)) == [
        Problem(
            "rollout: the canary's weight or header needs an Ingress or HTTPRoute of the release routing to "
            "Service web; there is none",
            WHERE,
            "enable the release's Ingress or HTTPRoute, or remove rollout.canary.weight and rollout.canary.header",
        )
    ]


# -- the stage -------------------------------------------------------------------------------------------------


def test_apply_rollout_without_a_strategy_returns_its_input() -> None:
    manifests = [deployment(), deployment("worker")]
    assert apply_rollout(manifests, None) is manifests


@pytest.mark.parametrize(
    ("spec", "deployments"),
    [
        (spec_of("Recreate"), ["web"]),
        (spec_of("RollingUpdate"), ["web"]),
        (spec_of("BlueGreen", active="blue"), ["web-blue", "web-green"]),
        (running_canary(), ["web", "web-canary"]),
    ],
)
def test_apply_rollout_runs_the_chosen_strategy_on_the_target(spec: RolloutSpec, deployments: list[str]) -> None:
    manifests = [deployment(), service()]
    before = copy.deepcopy([m.obj for m in manifests])
    result = apply_rollout(manifests, spec)
    assert [m.obj for m in manifests] == before
    assert [name for kind, name in names(result) if kind == "Deployment"] == deployments


def test_apply_rollout_checks_the_target_first() -> None:
    problems = failure(lambda: apply_rollout([service()], spec_of("BlueGreen", active="blue")))
    assert [p.message for p in problems] == ["rollout: BlueGreen needs one Deployment in the release; found none"]


def test_apply_rollout_names_the_rendered_deployment_for_an_unknown_container() -> None:
    manifests = [deployment(), service()]
    spec = spec_of("BlueGreen", active="blue", container="app")
    assert failure(lambda: apply_rollout(manifests, spec)) == [
        Problem("rollout: Deployment 'web' has no container 'app'", WHERE, "its containers: main, proxy")
    ]


def test_blue_green_idle_keeps_the_budget_on_the_active_colour_only() -> None:
    result = unmutated(blue_green, blue_green_input(), spec_of("BlueGreen", active="blue", preview_replicas=1))
    assert [name for kind, name in names(result) if kind == "PodDisruptionBudget"] == ["web-blue"]


def test_a_split_weight_above_the_gateway_api_maximum_is_refused() -> None:
    rule = {"backendRefs": [{"name": "web", "port": 80, "weight": 20_000}]}
    manifests = [deployment(), service(), route(rule)]
    assert failure(lambda: canary(manifests, manifests[0], running_canary(weight=10))) == [
        Problem(
            "rollout: HTTPRoute 'web': splitting its weights for the canary gives 1800000,"
            " above Gateway API's maximum of 1,000,000",
            WHERE,
            "use smaller backendRefs weights in the route (their ratios are what counts)",
        )
    ]


def test_a_canary_weight_without_a_service_for_the_pods_is_refused() -> None:
    manifests = [deployment(), ingress()]
    assert failure(lambda: canary(manifests, manifests[0], running_canary(weight=10))) == [
        Problem(
            "rollout: the canary's weight or header needs a Service of the release selecting the pods of"
            " Deployment 'web', and an Ingress or HTTPRoute routing to it; there is no such Service",
            WHERE,
            "render a Service for the Deployment, or remove rollout.canary.weight and rollout.canary.header",
        )
    ]
