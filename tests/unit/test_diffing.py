"""diffing.py: matching objects across two renders, comparing them as data, masking secrets, formatting."""

from __future__ import annotations

import copy
import json
from typing import Any

from pytemplar.diffing import (
    Change,
    as_json,
    as_text,
    changes_between,
    describe,
    diff_manifests,
    same_data,
)
from pytemplar.errors import Location
from pytemplar.manifests import Manifest


def manifest(
    kind: str = "Deployment",
    name: str = "web",
    namespace: str = "shop-prod",
    release: str = "web",
    environment: str = "prod",
    api_version: str = "apps/v1",
    **fields: Any,
) -> Manifest:
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}
    if namespace:
        obj["metadata"]["namespace"] = namespace
    obj.update(fields)
    return Manifest(obj, release, environment, "templates/x.yaml.j2", Location("templates/x.yaml.j2"))


def secret(data: dict[str, str], **fields: Any) -> Manifest:
    return manifest("Secret", "creds", api_version="v1", data=data, **fields)


def test_equal_renders_differ_in_nothing_and_print_nothing() -> None:
    old = [manifest(spec={"replicas": 2}), manifest("Service", api_version="v1")]
    new = copy.deepcopy(old)
    result = diff_manifests(old, new)
    assert not result.differs
    assert result.summary() == "0 changed, 0 added, 0 removed, 2 unchanged"
    assert as_text(result) == ""


def test_key_order_does_not_matter_but_types_do() -> None:
    assert same_data({"a": 1, "b": [1, "x"]}, {"b": [1, "x"], "a": 1})
    assert not same_data(1, True)
    assert not same_data(1, 1.0)
    assert not same_data("1", 1)
    assert not same_data([1], [1, 1])


def test_changes_are_path_level_and_apply_in_order() -> None:
    old = {"spec": {"replicas": 2, "ports": [80, 443, 8080], "gone": "x"}}
    new = {"spec": {"replicas": 3, "ports": [80], "added": {"a": 1}}}
    changes = list(changes_between(old, new))
    assert [c.as_dict() for c in changes] == [
        {"op": "add", "path": "/spec/added", "new": {"a": 1}},
        {"op": "remove", "path": "/spec/gone", "old": "x"},
        {"op": "remove", "path": "/spec/ports/2", "old": 8080},
        {"op": "remove", "path": "/spec/ports/1", "old": 443},
        {"op": "replace", "path": "/spec/replicas", "old": 2, "new": 3},
    ]


def test_a_json_pointer_escapes_tilde_and_slash() -> None:
    change = Change("replace", ("metadata", "annotations", "example.com/a~b"), "x", "y")
    assert change.pointer() == "/metadata/annotations/example.com~1a~0b"


def test_objects_match_by_kind_namespace_and_name_against_a_revision() -> None:
    old = [manifest(spec={"replicas": 2}), manifest("Service", "old", api_version="v1")]
    new = [manifest(spec={"replicas": 3}), manifest("Service", "new", api_version="v1")]
    result = diff_manifests(old, new, "object")
    assert [(r.status, r.current.name) for r in result.resources] == [
        ("changed", "web"),
        ("added", "new"),
        ("removed", "old"),
    ]
    assert result.summary() == "1 changed, 1 added, 1 removed, 0 unchanged"


def test_across_environments_objects_match_by_release_and_the_namespace_is_a_change() -> None:
    old = [manifest(namespace="shop-staging", environment="staging", spec={"replicas": 1})]
    new = [manifest(namespace="shop-prod", spec={"replicas": 1})]
    by_object = diff_manifests(old, new, "object")
    assert [r.status for r in by_object.resources] == ["added", "removed"]
    by_release = diff_manifests(old, new, "release")
    [resource] = by_release.resources
    assert [c.pointer() for c in resource.changes] == ["/metadata/namespace"]
    assert describe(resource) == "Deployment shop-staging/web -> shop-prod/web (release web)"


def test_the_api_group_is_part_of_the_identity_but_the_version_is_not() -> None:
    old = [manifest(api_version="autoscaling/v1", kind="HorizontalPodAutoscaler")]
    new = [manifest(api_version="autoscaling/v2", kind="HorizontalPodAutoscaler")]
    [resource] = diff_manifests(old, new).resources
    assert resource.status == "changed"
    assert [c.as_dict() for c in resource.changes] == [
        {"op": "replace", "path": "/apiVersion", "old": "autoscaling/v1", "new": "autoscaling/v2"}
    ]


def test_repeated_identities_are_kept_apart() -> None:
    old = [manifest(spec={"n": 1}), manifest(spec={"n": 2})]
    new = [manifest(spec={"n": 1}), manifest(spec={"n": 3})]
    result = diff_manifests(old, new, "release")
    assert [r.status for r in result.resources] == ["unchanged", "changed"]


def test_text_shows_a_header_and_a_unified_diff_of_sorted_keys() -> None:
    old = [manifest(spec={"replicas": 2, "paused": False})]
    new = [manifest(spec={"paused": False, "replicas": 3})]
    assert as_text(diff_manifests(old, new), context=1) == (
        "~ Deployment shop-prod/web (release web)\n@@ -7,2 +7,2 @@\n   paused: false\n-  replicas: 2\n+  replicas: 3\n"
    )


def test_added_and_removed_objects_are_shown_whole() -> None:
    result = diff_manifests([manifest("Service", "old", api_version="v1")], [manifest("Namespace", "ns", "", "")])
    assert as_text(result).splitlines() == [
        "+ Namespace ns",
        "+ apiVersion: apps/v1",
        "+ kind: Namespace",
        "+ metadata:",
        "+   name: ns",
        "- Service shop-prod/old (release web)",
        "- apiVersion: v1",
        "- kind: Service",
        "- metadata:",
        "-   name: old",
        "-   namespace: shop-prod",
    ]


def test_colour_marks_removed_red_added_green_and_headers_cyan() -> None:
    result = diff_manifests([manifest(spec={"replicas": 2})], [manifest(spec={"replicas": 3})])
    text = as_text(result, context=0, coloured=True)
    assert text.splitlines() == [
        "\x1b[36m~ Deployment shop-prod/web (release web)\x1b[0m",
        "\x1b[36m@@ -7 +7 @@\x1b[0m",
        "\x1b[31m-  replicas: 2\x1b[0m",
        "\x1b[32m+  replicas: 3\x1b[0m",
    ]
    assert "\x1b" not in as_text(result)


def test_changed_secret_values_are_never_shown() -> None:
    old = [secret({"password": "aHVudGVyMg==", "user": "YWRtaW4="})]
    new = [secret({"password": "czNjcjN0", "user": "YWRtaW4=", "token": "dG9rZW4="})]
    result = diff_manifests(old, new)
    text = as_text(result)
    for value in ("aHVudGVyMg==", "czNjcjN0", "YWRtaW4=", "dG9rZW4="):
        assert value not in text
        assert value not in as_json(result, "a", "b")
    assert '-  password: "<secret>"\n+  password: "<secret (changed)>"\n+  token: "<secret>"\n' in text
    [resource] = result.resources
    assert [c.as_dict() for c in resource.changes] == [
        {"op": "replace", "path": "/data/password", "old": "<secret>", "new": "<secret>"},
        {"op": "add", "path": "/data/token", "new": "<secret>"},
    ]


def test_a_whole_secret_data_map_added_keeps_its_keys_only() -> None:
    old = [manifest("Secret", "creds", api_version="v1")]
    new = [secret({"password": "czNjcjN0"}, stringData={"token": "plain"})]
    [resource] = diff_manifests(old, new).resources
    assert [c.as_dict() for c in resource.changes] == [
        {"op": "add", "path": "/data", "new": {"password": "<secret>"}},
        {"op": "add", "path": "/stringData", "new": {"token": "<secret>"}},
    ]
    assert "plain" not in as_text(diff_manifests([], new))


def test_json_lists_changes_added_removed_and_the_unchanged_count() -> None:
    old = [manifest(spec={"replicas": 2}), manifest("Service", "gone", api_version="v1"), manifest("ConfigMap", "c")]
    new = [manifest(spec={"replicas": 3}), manifest("ConfigMap", "c")]
    document = json.loads(as_json(diff_manifests(old, new), "main", "working tree"))
    assert document == {
        "old": "main",
        "new": "working tree",
        "changed": [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "namespace": "shop-prod",
                "name": "web",
                "release": "web",
                "environment": "prod",
                "changes": [{"op": "replace", "path": "/spec/replicas", "old": 2, "new": 3}],
            }
        ],
        "added": [],
        "removed": [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "namespace": "shop-prod",
                "name": "gone",
                "release": "web",
                "environment": "prod",
            }
        ],
        "unchanged": 1,
    }
