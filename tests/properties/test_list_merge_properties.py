"""Lists merged by key (x-kubernetes-list-type: map), against a merge written here from the rules.

Rules (pytemplar.values): maps merge key by key and an explicit null removes a key; an item of a
keyed list merges into the last item before it with the same key, or is appended when there is
none or it has no key; a null item is skipped; anything else replaces. No layer is changed.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytemplar.values import ValuePath, ValuesLayer, merge_layers

RELAXED = settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)

SCALARS = st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "b", ""])
NAMES = st.sampled_from(["web", "db"])
# Item fields: no nulls inside items (only whole items and map keys are removed by null).
FIELDS = st.dictionaries(
    st.sampled_from(["port", "image", "env", "sub"]),
    SCALARS | st.lists(SCALARS, max_size=2) | st.dictionaries(st.sampled_from(["x", "y"]), SCALARS, max_size=2),
    max_size=3,
)
NAMED = st.builds(lambda name, fields: {"name": name, **fields}, NAMES, FIELDS)
ITEMS = st.one_of(NAMED, NAMED, NAMED, FIELDS, st.none())  # FIELDS: an item without its key
LAYER_DATA = st.fixed_dictionaries(
    {"items": st.lists(ITEMS, max_size=5)},
    optional={
        "plain": st.lists(ITEMS.filter(lambda item: item is not None), max_size=2),
        "top": SCALARS | st.none(),
    },
) | st.fixed_dictionaries({}, optional={"items": SCALARS | st.none(), "top": SCALARS})


def keyed(path: ValuePath) -> tuple[str, ...] | None:
    return ("name",) if path == ("items",) else None


def without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: without_nulls(child) for key, child in value.items() if child is not None}
    return copy.deepcopy(value)


def merge_map(base: dict[str, Any], over: dict[str, Any], at: ValuePath) -> dict[str, Any]:
    result = copy.deepcopy(base)
    for key, value in over.items():
        if value is None:
            result.pop(key, None)
        elif key in result:
            result[key] = merge_value(result[key], value, (*at, key))
        else:
            result[key] = without_nulls(value)
    return result


def merge_value(base: Any, over: Any, at: ValuePath) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return merge_map(base, over, at)
    if isinstance(base, list) and isinstance(over, list) and keyed(at):
        result = copy.deepcopy(base)
        for item in over:
            if item is None:
                continue
            name = item.get("name") if isinstance(item, dict) else None
            same = [index for index, old in enumerate(result) if name is not None and isinstance(old, dict)
                    and old.get("name") == name]  # fmt: skip
            if same:
                result[same[-1]] = merge_map(result[same[-1]], item, (*at, same[-1]))
            else:
                result.append(without_nulls(item))
        return result
    return without_nulls(over)


def layer(data: dict[str, Any], name: str) -> ValuesLayer:
    return ValuesLayer(name, f"{name}.yaml", data)


@RELAXED
@given(st.lists(LAYER_DATA, min_size=1, max_size=4))
def test_keyed_lists_merge_by_name(datas: list[dict[str, Any]]) -> None:
    before = copy.deepcopy(datas)
    expected = copy.deepcopy(datas[0])
    for data in datas[1:]:
        expected = merge_map(expected, data, ())
    assert merge_layers([layer(data, f"l{index}") for index, data in enumerate(datas)], keyed) == expected
    assert datas == before


def test_an_item_merges_into_the_last_of_its_namesakes() -> None:
    low = {"items": [{"name": "web", "port": 1}, {"name": "web", "port": 2}]}
    merged = merge_layers([layer(low, "low"), layer({"items": [{"name": "web", "port": 3}]}, "high")], keyed)
    assert merged == {"items": [{"name": "web", "port": 1}, {"name": "web", "port": 3}]}


def test_an_item_merges_into_its_namesake_and_a_new_one_is_appended() -> None:
    low = {"items": [{"name": "web", "port": 80, "env": {"x": 1}}, {"name": "db", "port": 5432}]}
    high = {"items": [{"name": "web", "env": {"y": 2}, "port": None}, {"name": "cache"}, None]}
    merged = merge_layers([layer(low, "low"), layer(high, "high")], keyed)
    assert merged == {
        "items": [{"name": "web", "env": {"x": 1, "y": 2}}, {"name": "db", "port": 5432}, {"name": "cache"}]
    }
