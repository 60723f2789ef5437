"""Field specs: reaching maps through lists, creating only what a spec allows."""

from __future__ import annotations

from pytemplar.transforms.fieldpaths import FieldSpec, maps_at, parents


def test_a_path_enters_every_item_of_a_list() -> None:
    obj = {"spec": {"containers": [{"name": "a"}, {"name": "b"}, "not a map"]}}
    assert [holder["name"] for holder, _ in parents(obj, "spec/containers/name")] == ["a", "b"]


def test_create_adds_missing_maps_but_never_a_list() -> None:
    spec = FieldSpec("spec/volumeClaimTemplates[]/metadata/labels", "StatefulSet", create=True)
    bare = {"kind": "StatefulSet", "spec": {}}
    assert list(maps_at(bare, spec)) == []
    assert bare == {"kind": "StatefulSet", "spec": {}}
    claims = {"kind": "StatefulSet", "spec": {"volumeClaimTemplates": [{}, {"metadata": {"name": "d"}}]}}
    assert len(list(maps_at(claims, spec))) == 2
    assert claims["spec"]["volumeClaimTemplates"][1]["metadata"] == {"name": "d", "labels": {}}


def test_without_create_only_existing_maps_are_returned() -> None:
    spec = FieldSpec("spec/selector/matchLabels", "PodDisruptionBudget", "policy")
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "spec": {}}
    assert list(maps_at(pdb, spec)) == []
    assert pdb["spec"] == {}


def test_kind_and_group_filter() -> None:
    spec = FieldSpec("metadata/labels", "StatefulSet", "apps", create=True)
    assert spec.applies_to({"apiVersion": "apps/v1", "kind": "StatefulSet"})
    assert not spec.applies_to({"apiVersion": "example.com/v1", "kind": "StatefulSet"})
    assert not spec.applies_to({"apiVersion": "apps/v1", "kind": "Deployment"})
    assert FieldSpec("spec/selector", "Service", "").applies_to({"apiVersion": "v1", "kind": "Service"})
