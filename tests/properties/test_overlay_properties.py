"""Properties of in-place edits (pytemplar.overlay): for random values files written as commented
YAML, an edit gives exactly the expected data, and every line it does not edit is kept."""

from __future__ import annotations

import copy
import re
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pytemplar.overlay import DELETE, edit_text
from pytemplar.yamlio import load_yaml
from pytemplar.yamlout import dump_yaml

RELAXED = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=150)
SOURCE = "envs/prod/web.yaml"

KEYS = st.sampled_from(["a", "b", "image", "tag", "on", "x.y", "a b", "#k", "012"])
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=8)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=8,
)
TREES = st.dictionaries(KEYS, VALUES, min_size=1, max_size=5)


def commented(data: dict[str, Any]) -> str:
    """``data`` as block YAML with a comment line before every line and a comment after it."""
    lines = []
    for number, line in enumerate(dump_yaml(data).splitlines()):
        indent = len(line) - len(line.lstrip(" "))
        lines.append(f"{' ' * indent}# about line {number}")
        lines.append(f"{line}  # note {number}")
    return "\n".join(lines) + "\n"


def paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) below ``value``, inner nodes included."""
    found: list[tuple[tuple[str | int, ...], Any]] = []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        found.append(((*prefix, key), child))
        found.extend(paths(child, (*prefix, key)))
    return found


def expected(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    result = copy.deepcopy(data)
    node: Any = result
    for part in path[:-1]:
        node = node[part]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return result


def loaded(text: str) -> Any:
    data = load_yaml(text, SOURCE).data
    return {} if data is None else data


def split_around(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """The lines of ``old`` and ``new`` that differ, once their common first and last lines are cut."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return old[start : len(old) - end], new[start : len(new) - end]


@RELAXED
@given(TREES, st.data(), SCALARS)
def test_setting_a_scalar_changes_one_line_at_most(data: dict[str, Any], draw: st.DataObject, value: Any) -> None:
    leaves = [(path, old) for path, old in paths(data) if not isinstance(old, (dict, list))]
    assume(leaves)
    path, _ = draw.draw(st.sampled_from(leaves))
    text = commented(data)
    edit = edit_text(text, path, value, SOURCE)
    assert loaded(edit.text) == expected(data, path, value)
    removed, added = split_around(text.splitlines(), edit.text.splitlines())
    assert len(removed) == len(added) <= 1
    assert all("# note" in line for line in added)  # the comment after the value stays


@RELAXED
@given(TREES, st.data(), KEYS, VALUES)
def test_a_new_key_only_adds_lines(data: dict[str, Any], draw: st.DataObject, key: str, value: Any) -> None:
    maps = [((), data)] + [(path, node) for path, node in paths(data) if isinstance(node, dict) and node]
    parent, node = draw.draw(st.sampled_from(maps))
    assume(key not in node)
    text = commented(data)
    edit = edit_text(text, (*parent, key), value, SOURCE)
    assert loaded(edit.text) == expected(data, (*parent, key), value)
    removed, added = split_around(text.splitlines(), edit.text.splitlines())
    assert removed == []
    assert added


@RELAXED
@given(TREES, st.data())
def test_deleting_a_key_only_removes_lines(data: dict[str, Any], draw: st.DataObject) -> None:
    keys = [path for path, _ in paths(data) if isinstance(path[-1], str)]
    path = draw.draw(st.sampled_from(keys))
    text = commented(data)
    edit = edit_text(text, path, DELETE, SOURCE)
    assert loaded(edit.text) == expected(data, path, DELETE)
    removed, added = split_around(text.splitlines(), edit.text.splitlines())
    assert added == [] or len(added) == 1
    if added:
        # the last key of a map leaves an empty map on its parent's line, and the first key of a
        # list item ('- a: 1') hands its dash to the next key
        empty = re.search(r"(:|-) \{\}(  # note [0-9]+)?$", added[0])
        handed = added[0].lstrip().startswith("- ") and added[0].lstrip()[2:] in [r.strip() for r in removed]
        assert empty or handed, added


@RELAXED
@given(TREES, st.data(), VALUES)
def test_any_value_can_replace_any_value(data: dict[str, Any], draw: st.DataObject, value: Any) -> None:
    path, _ = draw.draw(st.sampled_from(paths(data)))
    text = commented(data)
    edit = edit_text(text, path, value, SOURCE)
    assert loaded(edit.text) == expected(data, path, value)
    removed, _ = split_around(text.splitlines(), edit.text.splitlines())
    # only the lines of the old value (its key line, its own lines and their comments) go
    assert len(removed) <= len(commented({"k": _at(data, path)}).splitlines())


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


@RELAXED
@given(TREES, st.data(), SCALARS)
def test_crlf_text_gets_the_same_edit(data: dict[str, Any], draw: st.DataObject, value: Any) -> None:
    path, _ = draw.draw(st.sampled_from(paths(data)))
    text = commented(data)
    lf = edit_text(text, path, value, SOURCE).text
    crlf = edit_text(text.replace("\n", "\r\n"), path, value, SOURCE).text
    assert crlf == lf.replace("\n", "\r\n")
