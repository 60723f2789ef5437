"""pytemplar.values: layer merge rules, origins, paths and leaves."""

from __future__ import annotations

import copy
import textwrap

import pytest

from pytemplar.errors import Location
from pytemplar.values import ValuesLayer, format_path, iter_leaves, merge_layers, origin_of, origins_of
from pytemplar.yamlio import load_yaml


def layer(data: dict, kind: str = "layer") -> ValuesLayer:
    return ValuesLayer(kind, f"{kind}.yaml", data)


def merged(*datas: dict) -> dict:
    return merge_layers([layer(d, f"l{i}") for i, d in enumerate(datas)])


def yaml_layer(kind: str, text: str) -> ValuesLayer:
    document = load_yaml(textwrap.dedent(text).lstrip("\n"), f"{kind}.yaml")
    return ValuesLayer(kind, f"{kind}.yaml", document.data, document.locations)


# -- merge rules ----------------------------------------------------------------------------------


def test_no_layers_merge_to_an_empty_map() -> None:
    assert merge_layers([]) == {}


def test_single_layer_is_copied() -> None:
    data = {"a": {"b": [1, {"c": 2}]}}
    result = merge_layers([layer(data)])
    assert result == data
    assert result is not data
    assert result["a"] is not data["a"]
    assert result["a"]["b"] is not data["a"]["b"]
    assert result["a"]["b"][1] is not data["a"]["b"][1]


def test_maps_merge_deeply() -> None:
    assert merged({"a": {"b": 1, "c": {"d": 1, "e": 1}}}, {"a": {"c": {"e": 2, "f": 2}, "g": 2}}) == {
        "a": {"b": 1, "c": {"d": 1, "e": 2, "f": 2}, "g": 2}
    }


def test_scalar_overrides_scalar() -> None:
    assert merged({"a": 1, "b": "x"}, {"a": 2}) == {"a": 2, "b": "x"}


def test_false_zero_and_empty_string_override_like_any_value() -> None:
    assert merged({"a": True, "b": 1, "c": "x"}, {"a": False, "b": 0, "c": ""}) == {"a": False, "b": 0, "c": ""}


def test_lists_are_replaced_not_appended() -> None:
    assert merged({"l": [1, 2, 3]}, {"l": [9]}) == {"l": [9]}


def test_lists_of_maps_are_replaced_not_merged_item_by_item() -> None:
    assert merged({"l": [{"a": 1, "b": 1}]}, {"l": [{"a": 2}]}) == {"l": [{"a": 2}]}


def test_empty_list_replaces_a_list() -> None:
    assert merged({"l": [1]}, {"l": []}) == {"l": []}


def test_empty_map_merges_as_nothing() -> None:
    assert merged({"m": {"a": 1}}, {"m": {}}) == {"m": {"a": 1}}


def test_scalar_replaces_a_map() -> None:
    assert merged({"a": {"b": 1}}, {"a": "flat"}) == {"a": "flat"}


def test_map_replaces_a_scalar() -> None:
    assert merged({"a": "flat"}, {"a": {"b": 1}}) == {"a": {"b": 1}}


def test_list_replaces_a_map_and_map_replaces_a_list() -> None:
    assert merged({"a": {"b": 1}, "c": [1]}, {"a": [2], "c": {"d": 2}}) == {"a": [2], "c": {"d": 2}}


def test_map_replacing_a_scalar_does_not_bring_back_an_older_map() -> None:
    assert merged({"a": {"old": 1}}, {"a": 5}, {"a": {"new": 2}}) == {"a": {"new": 2}}


def test_null_in_the_defaults_layer_is_kept() -> None:
    assert merged({"a": None, "b": {"c": None}, "l": [None]}) == {"a": None, "b": {"c": None}, "l": [None]}


def test_null_above_the_defaults_deletes_the_key() -> None:
    assert merged({"a": 1, "b": {"c": 1, "d": 1}}, {"a": None, "b": {"c": None}}) == {"b": {"d": 1}}


def test_null_above_deletes_a_whole_subtree() -> None:
    assert merged({"a": {"b": {"c": 1}}, "x": 1}, {"a": None}) == {"x": 1}


def test_null_for_a_key_nobody_set_is_a_no_op() -> None:
    assert merged({"a": 1}, {"missing": None}) == {"a": 1}


def test_null_inside_a_new_subtree_is_dropped() -> None:
    assert merged({"a": 1}, {"new": {"keep": 1, "drop": None, "deep": {"drop": None}}}) == {
        "a": 1,
        "new": {"keep": 1, "deep": {}},
    }


def test_null_inside_a_map_that_replaces_a_scalar_is_dropped() -> None:
    assert merged({"a": 1}, {"a": {"b": None, "c": 2}}) == {"a": {"c": 2}}


def test_null_items_of_a_replacing_list_are_kept() -> None:
    assert merged({"l": [1]}, {"l": [None, 2]}) == {"l": [None, 2]}


def test_deleted_key_can_be_set_again_by_a_higher_layer() -> None:
    assert merged({"a": {"b": 1}}, {"a": None}, {"a": {"c": 2}}) == {"a": {"c": 2}}


def test_null_default_overridden_by_a_value() -> None:
    assert merged({"a": None}, {"a": {"b": 1}}) == {"a": {"b": 1}}


def test_later_layers_win_in_order() -> None:
    assert merged({"a": 1}, {"a": 2}, {"a": 3}) == {"a": 3}
    assert merged({"a": 1}, {"a": 3}, {"b": 2}) == {"a": 3, "b": 2}


def test_inputs_are_never_mutated() -> None:
    low = {"a": {"b": 1, "l": [1, {"x": 1}]}, "d": {"e": 1}}
    high = {"a": {"b": 2, "l": [{"y": None}], "n": {"z": None}}, "d": None}
    low_before, high_before = copy.deepcopy(low), copy.deepcopy(high)
    result = merge_layers([layer(low), layer(high)])
    assert low == low_before
    assert high == high_before
    result["a"]["l"][0]["y"] = "changed"
    result["a"]["n"]["new"] = 1
    assert low == low_before
    assert high == high_before


def test_result_shares_no_containers_with_a_higher_layer() -> None:
    high = {"new": {"deep": [1, {"x": 1}]}}
    result = merged({"a": 1}, high)
    result["new"]["deep"][1]["x"] = 2
    result["new"]["deep"].append(3)
    assert high == {"new": {"deep": [1, {"x": 1}]}}


def test_yaml_aliases_in_a_layer_are_not_shared_in_the_result() -> None:
    values = yaml_layer("defaults", "a: &x {b: 1}\nc: *x\n")
    assert values.data["a"] is not values.data["c"]  # the loader copies the aliased node
    result = merge_layers([values, layer({"a": {"b": 2}})])
    assert result == {"a": {"b": 2}, "c": {"b": 1}}
    assert values.data == {"a": {"b": 1}, "c": {"b": 1}}


def test_layers_with_mapping_types_other_than_dict_at_the_top() -> None:
    from types import MappingProxyType

    result = merge_layers([layer(MappingProxyType({"a": 1})), layer(MappingProxyType({"b": 2}))])  # type: ignore[arg-type]
    assert result == {"a": 1, "b": 2}


# -- origins --------------------------------------------------------------------------------------


@pytest.fixture
def stack() -> list[ValuesLayer]:
    defaults = yaml_layer(
        "defaults",
        """
        replicas: 1
        image:
          repo: nginx
          tag: "1.0"
        ports: [80, 443]
        debug: false
        resources:
          cpu: 100m
        """,
    )
    env = yaml_layer(
        "env",
        """
        image:
          tag: "2.0"
        ports: [8080]
        debug: null
        """,
    )
    release = yaml_layer(
        "release",
        """
        replicas: 3
        resources: small
        """,
    )
    return [defaults, env, release]


def test_merged_stack(stack: list[ValuesLayer]) -> None:
    assert merge_layers(stack) == {
        "replicas": 3,
        "image": {"repo": "nginx", "tag": "2.0"},
        "ports": [8080],
        "resources": "small",
    }


def test_origin_of_an_overridden_value_is_the_highest_layer(stack: list[ValuesLayer]) -> None:
    assert origin_of(stack, ("replicas",)) == Location("release.yaml", 1, 11)
    assert origin_of(stack, ("image", "tag")) == Location("env.yaml", 2, 8)


def test_origin_of_a_value_nobody_overrode_is_the_defaults(stack: list[ValuesLayer]) -> None:
    assert origin_of(stack, ("image", "repo")) == Location("defaults.yaml", 3, 9)


def test_origin_of_a_replaced_list_item_is_the_replacing_layer(stack: list[ValuesLayer]) -> None:
    assert origin_of(stack, ("ports", 0)) == Location("env.yaml", 3, 9)
    assert origin_of(stack, ("ports",)) == Location("env.yaml", 3, 1)


def test_origin_of_a_deleted_key_is_the_deletion(stack: list[ValuesLayer]) -> None:
    assert origin_of(stack, ("debug",)) == Location("env.yaml", 4, 8)


def test_origin_of_a_scalar_replacing_a_map(stack: list[ValuesLayer]) -> None:
    assert origin_of(stack, ("resources",)) == Location("release.yaml", 2, 12)


def test_origin_of_a_path_below_a_leaf_falls_back_to_the_leaf(stack: list[ValuesLayer]) -> None:
    assert origin_of(stack, ("replicas", "nothing", 0)) == Location("release.yaml", 1, 11)


def test_origin_of_an_unknown_path_falls_back_to_the_root(stack: list[ValuesLayer]) -> None:
    # the root () is tracked by every layer; the highest one wins
    assert origin_of(stack, ("nowhere",)) == Location("release.yaml", 1, 1)


def test_origin_of_without_any_locations_is_none() -> None:
    assert origin_of([layer({"a": 1})], ("a",)) is None
    assert origin_of([], ("a",)) is None


def test_origins_of_lists_every_setter_highest_first(stack: list[ValuesLayer]) -> None:
    found = origins_of(stack, ("image", "tag"))
    assert [o.layer.kind for o in found] == ["env", "defaults"]
    assert [o.location for o in found] == [Location("env.yaml", 2, 8), Location("defaults.yaml", 4, 8)]


def test_origins_of_a_path_set_once(stack: list[ValuesLayer]) -> None:
    found = origins_of(stack, ("image", "repo"))
    assert len(found) == 1
    assert found[0].layer is stack[0]


def test_origins_of_an_unset_path_is_empty(stack: list[ValuesLayer]) -> None:
    assert origins_of(stack, ("nowhere",)) == []


def test_origin_of_a_value_set_through_an_alias_is_the_layer_that_set_it() -> None:
    defaults = yaml_layer("defaults", "svc:\n  port: 80\n  name: web\n")
    env = yaml_layer("env", "common: &c {port: 8080}\nsvc: *c\n")
    assert merge_layers([defaults, env])["svc"] == {"port": 8080, "name": "web"}
    origin = origin_of([defaults, env], ("svc", "port"))
    assert origin is not None
    assert origin.path == "env.yaml"


def test_origin_of_a_nested_value_set_through_a_merge_key_is_the_layer_that_set_it() -> None:
    defaults = yaml_layer("defaults", "svc:\n  ports:\n    http: 80\n")
    env = yaml_layer("env", "common: &c {ports: {http: 8080}}\nsvc:\n  <<: *c\n")
    assert merge_layers([defaults, env])["svc"] == {"ports": {"http": 8080}}
    origin = origin_of([defaults, env], ("svc", "ports", "http"))
    assert origin is not None
    assert origin.path == "env.yaml"


# -- paths and leaves -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "values"),
        (("image",), "values.image"),
        (("image", "tag"), "values.image.tag"),
        (("ports", 0), "values.ports[0]"),
        (("a", 0, "b", 12), "values.a[0].b[12]"),
        (("app.kubernetes.io/name",), "values['app.kubernetes.io/name']"),
        (("x-y",), "values['x-y']"),
        (("with space",), "values['with space']"),
        (("",), "values['']"),
        (("1a",), "values['1a']"),
        (("_private",), "values._private"),
        (("it's",), 'values["it\'s"]'),
    ],
)
def test_format_path(path: tuple, text: str) -> None:
    assert format_path(path) == text


def test_format_path_with_another_root() -> None:
    assert format_path(("properties", "a"), "schema") == "schema.properties.a"
    assert format_path((), "schema") == "schema"


def test_iter_leaves_yields_each_leaf_path_in_order() -> None:
    value = {"a": {"b": 1, "c": [2, {"d": None}]}, "e": "x"}
    assert list(iter_leaves(value)) == [
        (("a", "b"), 1),
        (("a", "c", 0), 2),
        (("a", "c", 1, "d"), None),
        (("e",), "x"),
    ]


def test_iter_leaves_counts_empty_collections_as_leaves() -> None:
    assert list(iter_leaves({"m": {}, "l": [], "n": [[]]})) == [(("m",), {}), (("l",), []), (("n", 0), [])]


def test_iter_leaves_of_a_scalar_or_empty_root() -> None:
    assert list(iter_leaves(5)) == [((), 5)]
    assert list(iter_leaves({})) == [((), {})]


def test_iter_leaves_with_a_prefix() -> None:
    assert list(iter_leaves({"a": 1}, ("root", 0))) == [(("root", 0, "a"), 1)]


def test_paths_are_formatted_in_two_places_only() -> None:
    # format_path (values, schemas, objects) and format_path_argument (--set syntax): a module
    # that joins path parts itself would show paths a third way.
    import re
    from pathlib import Path

    import pytemplar

    homes = {"values.py", "setargs.py"}
    joiner = re.compile(r'f"\[\{part\}\]"|f"\.\{part\}"')
    for path in Path(pytemplar.__file__).parent.rglob("*.py"):
        if path.name not in homes:
            assert not joiner.search(path.read_text("utf-8")), path
