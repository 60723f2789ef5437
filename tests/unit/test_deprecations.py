"""The removed and deprecated API table: boundaries of every removal, and agreement with the bundled schemas."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

import pytest

from pytemplar.deprecations import APIS, deprecated_in, removed_in, replacement_at
from pytemplar.errors import Location
from pytemplar.manifests import Manifest
from pytemplar.policies import check_deprecated_apis, check_removed_apis

REPO = Path(__file__).resolve().parents[2]
BUNDLED = range(25, 37)
# Kinds that are requests or sub-resources, never written in a manifest.
NOT_MANIFESTS = ("DeleteOptions", "WatchEvent", "Status", "APIResourceList", "APIGroup", "APIVersions", "Eviction")


@cache
def kinds_of(minor: int) -> frozenset[str]:
    path = REPO / "schemas" / "kubernetes" / f"kubernetes-1.{minor}.json.gz"
    return frozenset(json.loads(gzip.decompress(path.read_bytes()))["kinds"])


def manifest(api_version: str, kind: str) -> Manifest:
    return Manifest({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}, "r", "e", "t", Location("t"))


REMOVED = sorted((key, life) for key, life in APIS.items() if life.removed is not None)


@pytest.mark.parametrize(("key", "life"), REMOVED, ids=[f"{a}/{k}" for (a, k), _ in REMOVED])
def test_each_removal_is_an_error_from_its_version_and_a_warning_before(key: tuple[str, str], life: object) -> None:
    api_version, kind = key
    removed = APIS[key].removed
    assert removed is not None
    at, before = f"1.{removed}", f"1.{removed - 1}"
    [error] = check_removed_apis([manifest(api_version, kind)], at)
    assert (error.rule, error.severity) == ("removed-api", "error")
    assert f"is not served since Kubernetes {at} (target {at})" in error.message
    assert list(check_removed_apis([manifest(api_version, kind)], before)) == []
    [warning] = check_deprecated_apis([manifest(api_version, kind)], before)
    assert (warning.rule, warning.severity) == ("deprecated-api", "warning")
    assert f"Kubernetes {at} no longer serves it" in warning.message
    assert list(check_deprecated_apis([manifest(api_version, kind)], at)) == []


@pytest.mark.parametrize(("key", "life"), REMOVED, ids=[f"{a}/{k}" for (a, k), _ in REMOVED])
def test_removals_agree_with_the_bundled_schemas(key: tuple[str, str], life: object) -> None:
    api_version, kind = key
    removed = APIS[key].removed
    assert removed is not None
    if removed - 1 in BUNDLED:
        assert f"{api_version}/{kind}" in kinds_of(removed - 1)
    for minor in BUNDLED:
        if minor >= removed:
            assert f"{api_version}/{kind}" not in kinds_of(minor)


@pytest.mark.parametrize("minor", BUNDLED[1:])
def test_every_api_that_leaves_a_bundled_version_is_in_the_table(minor: int) -> None:
    gone = {
        key
        for key in kinds_of(minor - 1) - kinds_of(minor)
        if "alpha" not in key and not key.endswith("List") and not key.endswith(NOT_MANIFESTS)
    }
    listed = {f"{api_version}/{kind}" for (api_version, kind), life in APIS.items() if life.removed == minor}
    assert gone <= listed


def test_the_replacement_named_is_served_by_every_bundled_version_from_the_removal_on() -> None:
    for (api_version, kind), life in APIS.items():
        if life.replacement is None or life.removed is None:
            continue
        for minor in BUNDLED:
            if minor >= life.removed:
                replacement = replacement_at(api_version, kind, minor)
                assert replacement is not None
                new_version, _, new_kind = replacement.partition(" ")
                assert f"{new_version}/{new_kind or kind}" in kinds_of(minor), (api_version, kind, minor)


def test_a_replacement_removed_in_turn_is_followed() -> None:
    v1beta1 = ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema")
    assert replacement_at(*v1beta1, 26) == "flowcontrol.apiserver.k8s.io/v1beta3"
    assert replacement_at(*v1beta1, 32) == "flowcontrol.apiserver.k8s.io/v1"


def test_an_api_deprecated_without_removal_warns_with_its_replacement() -> None:
    assert removed_in("v1", "Endpoints", 36) is None
    assert deprecated_in("v1", "Endpoints", 32) is None
    [warning] = check_deprecated_apis([manifest("v1", "Endpoints")], "1.33")
    assert warning.message == (
        "Endpoints x: v1 Endpoints is deprecated since Kubernetes 1.33 (target 1.33); no removal is planned yet; "
        "use apiVersion: discovery.k8s.io/v1 EndpointSlice"
    )
