"""JSON, merge and strategic merge patches; targets and selectors; errors that name the operation."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pytemplar.errors import ConfigError, Location
from pytemplar.transforms.patches import (
    Patch,
    PatchTarget,
    PatchType,
    apply_patches,
    merge_patch,
    parse_selector,
)

HERE = Location("pytemplar.yaml", 7)


def locate(path: tuple[str | int, ...]) -> Location:
    return Location("patch.yaml", 10 + int(path[0]) if path else 1)


def make(patch_type: PatchType, body: Any, target: PatchTarget | None = None) -> Patch:
    return Patch(patch_type, body, target or PatchTarget(kind="Deployment"), HERE, locate)


def deployment(name: str = "web", labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels or {"app": name}},
        "spec": {
            "replicas": 1,
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": "nginx",
                            "args": ["a", "b"],
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                            "ports": [{"containerPort": 80, "name": "http"}],
                            "volumeMounts": [{"name": "cfg", "mountPath": "/etc/cfg"}],
                        }
                    ],
                    "volumes": [{"name": "cfg", "configMap": {"name": "cfg"}}, {"name": "tmp", "emptyDir": {}}],
                }
            },
        },
    }


def test_strategic_merge_merges_named_lists_in_kustomize_order() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "side", "image": "busybox"},
                        {
                            "name": "main",
                            "args": ["c"],
                            "env": [{"name": "C", "value": "3"}, {"name": "A", "value": "9"}],
                            "ports": [{"containerPort": 90}],
                        },
                    ],
                    "volumes": [{"name": "tmp", "$patch": "delete"}],
                }
            }
        }
    }
    [result] = apply_patches([deployment()], [make("strategic", patch)], "web")
    pod = result["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["side", "main"]
    main = pod["containers"][1]
    assert main["args"] == ["c"]  # lists without a merge key are replaced
    assert main["env"] == [{"name": "C", "value": "3"}, {"name": "A", "value": "9"}, {"name": "B", "value": "2"}]
    assert main["ports"] == [{"containerPort": 90}, {"containerPort": 80, "name": "http"}]
    assert main["image"] == "nginx"
    assert pod["volumes"] == [{"name": "cfg", "configMap": {"name": "cfg"}}]


def test_strategic_directives_and_null() -> None:
    original = {
        "apiVersion": "example.com/v1",
        "kind": "Thing",
        "metadata": {"name": "t"},
        "spec": {"a": {"x": 1, "y": 2}, "b": {"k": 1}, "c": 1},
    }
    kept = copy.deepcopy(original)
    body = {"spec": {"a": {"$patch": "replace", "z": 3}, "b": {"$patch": "delete"}, "c": None}}
    [patched] = apply_patches([original], [make("strategic", body, PatchTarget(kind="Thing"))], "web")
    assert patched["spec"] == {"a": {"z": 3}}
    assert original == kept


def test_custom_kinds_get_plain_merge_semantics() -> None:
    crd_object = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"containers": [{"name": "a", "x": 1}]},
    }
    patch = make("strategic", {"spec": {"containers": [{"name": "b"}]}}, PatchTarget(kind="Widget"))
    [result] = apply_patches([crd_object], [patch], "web")
    assert result["spec"]["containers"] == [{"name": "b"}]


def test_merge_patch_is_rfc_7386() -> None:
    assert merge_patch({"a": [1, 2], "b": {"c": 1, "d": 2}}, {"a": [3], "b": {"c": None, "e": 5}}) == {
        "a": [3],
        "b": {"d": 2, "e": 5},
    }
    [result] = apply_patches(
        [deployment()], [make("merge", {"spec": {"template": {"spec": {"containers": [{"name": "x"}]}}}})], "web"
    )
    assert result["spec"]["template"]["spec"]["containers"] == [{"name": "x"}]


def test_a_merge_patch_never_renames_its_target() -> None:
    [result] = apply_patches(
        [deployment()], [make("strategic", {"metadata": {"name": "other", "labels": {"x": "1"}}})], "web"
    )
    assert result["metadata"] == {"name": "web", "labels": {"app": "web", "x": "1"}}


def test_json_patch_operations() -> None:
    operations = [
        {"op": "test", "path": "/spec/replicas", "value": 1},
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "z"},
        {"op": "add", "path": "/metadata/annotations", "value": {"a/b": "1"}},
        {"op": "copy", "from": "/metadata/annotations/a~1b", "path": "/metadata/labels/copied"},
        {"op": "move", "from": "/spec/template/spec/volumes/1", "path": "/spec/template/spec/volumes/0"},
        {"op": "remove", "path": "/spec/template/spec/containers/0/env/0"},
    ]
    original = deployment()
    before = copy.deepcopy(original)
    [result] = apply_patches([original], [make("json6902", operations)], "web")
    assert original == before
    assert result["spec"]["replicas"] == 3
    assert result["spec"]["template"]["spec"]["containers"][0]["args"] == ["a", "b", "z"]
    assert result["metadata"]["labels"]["copied"] == "1"
    assert [v["name"] for v in result["spec"]["template"]["spec"]["volumes"]] == ["tmp", "cfg"]
    assert result["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "B", "value": "2"}]


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (
            {"op": "test", "path": "/spec/replicas", "value": 2},
            "JSON patch 'test' /spec/replicas on Deployment web: the value is 1, not 2",
        ),
        (
            {"op": "remove", "path": "/spec/paused"},
            "JSON patch 'remove' /spec/paused on Deployment web: /spec/paused does not exist",
        ),
        (
            {"op": "replace", "path": "/spec/x/y", "value": 1},
            "JSON patch 'replace' /spec/x/y on Deployment web: /spec/x does not exist",
        ),
        (
            {"op": "add", "path": "/spec/template/spec/containers/5", "value": {}},
            "JSON patch 'add' /spec/template/spec/containers/5 on Deployment web: "
            "index 5 is past the end of a list of 1",
        ),
        (
            {"op": "remove", "path": "spec"},
            "JSON patch 'remove' spec on Deployment web: 'spec' is not a JSON pointer (it must start with '/')",
        ),
    ],
)
def test_json_patch_errors_name_the_operation_line(operation: dict[str, Any], message: str) -> None:
    operations = [{"op": "test", "path": "/kind", "value": "Deployment"}, operation]
    with pytest.raises(ConfigError) as caught:
        apply_patches([deployment()], [make("json6902", operations)], "web")
    [problem] = caught.value.problems
    assert problem.message == message
    assert problem.location == Location("patch.yaml", 11)


def test_a_patch_that_matches_nothing_is_an_error_at_its_declaration() -> None:
    target = PatchTarget(kind="Deployment", name="api", shown="kind Deployment, name api")
    with pytest.raises(ConfigError) as caught:
        apply_patches([deployment()], [make("strategic", {}, target)], "web")
    [problem] = caught.value.problems
    assert problem.message == "patch matches no object of release 'web' (target: kind Deployment, name api)"
    assert problem.location == HERE


def test_targets_match_whole_names_groups_versions_namespaces_and_selectors() -> None:
    web = deployment("web", {"app": "web", "tier": "front"})
    web["metadata"]["namespace"] = "shop"
    assert PatchTarget(name="w.b").matches(web)
    assert not PatchTarget(name="we").matches(web)
    assert PatchTarget(group="apps", version="v1", kind="Deployment", namespace="shop").matches(web)
    assert not PatchTarget(group="").matches(web)
    assert PatchTarget(label_selector=parse_selector("app=web,tier in (front,back),!canary")).matches(web)
    assert not PatchTarget(label_selector=parse_selector("tier!=front")).matches(web)
    assert PatchTarget(label_selector=parse_selector("tier, app notin (db)")).matches(web)
    assert not PatchTarget(annotation_selector=parse_selector("note")).matches(web)


def test_a_malformed_selector_is_refused() -> None:
    with pytest.raises(ValueError, match="'a=b=c' is not a selector requirement"):
        parse_selector("x=y,a=b=c")
