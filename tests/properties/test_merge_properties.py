"""Properties of values layering (pytemplar.values.merge_layers and origin_of)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytemplar.errors import Location
from pytemplar.values import ValuesLayer, iter_leaves, merge_layers, origin_of

# The first text draw of a fresh run builds Hypothesis' unicode tables, which trips the too_slow check.
RELAXED = settings(suppress_health_check=[HealthCheck.too_slow])

KEYS = st.sampled_from(["a", "b", "c", "d", "image", "tag", "x.y", ""])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
NON_NULL_SCALARS = st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)


def trees(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    values = st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
        max_leaves=12,
    )
    return st.dictionaries(KEYS, values, max_size=5)


ANY_TREE = trees(SCALARS)
NULL_FREE_TREE = trees(NON_NULL_SCALARS)

# Trees in which a key's name fixes its kind: "m*" keys hold maps, "s*" keys hold scalars or
# lists, so two such trees never disagree about whether a path is a map.
_LEAF_VALUES = NON_NULL_SCALARS | st.lists(NON_NULL_SCALARS | st.dictionaries(KEYS, NON_NULL_SCALARS), max_size=3)
SHAPED_TREE = st.recursive(
    st.dictionaries(st.sampled_from(["s1", "s2", "s3"]), _LEAF_VALUES, max_size=3),
    lambda children: st.builds(
        lambda scalars, maps: {**scalars, **maps},
        st.dictionaries(st.sampled_from(["s1", "s2", "s3"]), _LEAF_VALUES, max_size=3),
        st.dictionaries(st.sampled_from(["m1", "m2"]), children, max_size=2),
    ),
    max_leaves=6,
)


def layer(data: dict[str, Any], name: str = "layer") -> ValuesLayer:
    return ValuesLayer(name, f"{name}.yaml", data)


def merged(*datas: dict[str, Any]) -> dict[str, Any]:
    return merge_layers([layer(d, f"l{i}") for i, d in enumerate(datas)])


def node_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path of a tree, the root and inner nodes included (what a YAML loader tracks)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += node_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += node_paths(child, (*prefix, index))
    return found


_MISSING = object()


def lookup(tree: Any, path: tuple) -> Any:
    for part in path:
        in_map = isinstance(part, str) and isinstance(tree, dict) and part in tree
        in_list = isinstance(part, int) and isinstance(tree, list) and part < len(tree)
        if not (in_map or in_list):
            return _MISSING
        tree = tree[part]
    return tree


def containers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [id(value), *(i for child in value.values() for i in containers(child))]
    if isinstance(value, list):
        return [id(value), *(i for child in value for i in containers(child))]
    return []


@RELAXED
@given(st.lists(ANY_TREE, min_size=1, max_size=4))
def test_merging_never_mutates_the_layers(datas: list[dict[str, Any]]) -> None:
    before = copy.deepcopy(datas)
    result = merged(*datas)
    assert datas == before
    # and the result shares no map or list with any layer, so changing it cannot change them
    shared = set(containers(result)) & {i for d in datas for i in containers(d)}
    assert shared == set()


@RELAXED
@given(NULL_FREE_TREE)
def test_merging_with_an_empty_layer_is_identity(data: dict[str, Any]) -> None:
    assert merged(data, {}) == data
    assert merged({}, data) == data


@RELAXED
@given(NULL_FREE_TREE)
def test_merging_a_tree_with_itself_is_the_tree(data: dict[str, Any]) -> None:
    assert merged(data, data) == data


@RELAXED
@given(ANY_TREE, ANY_TREE)
def test_every_leaf_of_the_overlay_wins(base: dict[str, Any], overlay: dict[str, Any]) -> None:
    result = merged(base, overlay)
    for path, value in iter_leaves(overlay):
        if path == ():
            continue
        found = lookup(result, path)
        if value is None and all(isinstance(part, str) for part in path):
            # a null reached through maps only deletes; inside a list it is data and replaces with the list
            assert found is _MISSING, f"{path} was deleted by the overlay"
        elif value == {}:
            assert isinstance(found, dict), path  # an empty map merges into whatever map is there
        else:
            assert found == value, path


@RELAXED
@given(ANY_TREE, ANY_TREE)
def test_base_paths_absent_from_the_overlay_survive(base: dict[str, Any], overlay: dict[str, Any]) -> None:
    result = merged(base, overlay)
    for path, value in iter_leaves(base):
        if path == ():
            continue
        # the deepest prefix the overlay mentions decides: maps all the way down merge, and the
        # path survives when the overlay stops mentioning it; a list or scalar on the way replaces
        depth = max(n for n in range(len(path) + 1) if lookup(overlay, path[:n]) is not _MISSING)
        if depth == len(path) or not all(isinstance(part, str) for part in path[:depth]):
            continue
        if isinstance(lookup(overlay, path[:depth]), dict) and isinstance(lookup(base, path[:depth]), dict):
            assert lookup(result, path) == value, path


@RELAXED
@given(SHAPED_TREE, SHAPED_TREE, SHAPED_TREE)
def test_layering_is_associative(a: dict[str, Any], b: dict[str, Any], c: dict[str, Any]) -> None:
    left = merge_layers([layer(a, "a"), layer(b, "b"), layer(c, "c")])
    right = merge_layers([layer(a, "a"), layer(merge_layers([layer(b, "b"), layer(c, "c")]), "bc")])
    assert left == right


def located_layer(data: dict[str, Any], index: int) -> ValuesLayer:
    name = f"layer{index}.yaml"
    locations = {path: Location(name, line) for line, path in enumerate(node_paths(data), start=1)}
    return ValuesLayer(f"layer{index}", name, data, locations)


@RELAXED
@given(st.lists(ANY_TREE, min_size=1, max_size=4))
def test_every_leaf_has_its_origin_in_the_highest_layer_that_holds_its_path(datas: list[dict[str, Any]]) -> None:
    layers = [located_layer(d, i) for i, d in enumerate(datas)]
    result = merge_layers(layers)
    for path, value in iter_leaves(result):
        holders = [i for i, d in enumerate(datas) if lookup(d, path) is not _MISSING]
        assert holders, f"{path} is in the result but in no layer"
        highest = holders[-1]
        assert origin_of(layers, path) == layers[highest].locations[path]
        if not isinstance(value, (dict, list)):
            # a scalar leaf holds exactly what the layer named as its origin wrote there
            assert lookup(datas[highest], path) == value
