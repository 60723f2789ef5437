"""The transforms table agrees with the project schema, the docs and the code derived from it."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from typing import Any

import derived
import pytest
from conftest import REPO

from pytemplar.checks import with_check_ids
from pytemplar.project import TRANSFORMING_KEYS, builtin_schema
from pytemplar.schema import compile_schema
from pytemplar.transforms import TRANSFORM_KEYS, layer_paths
from pytemplar.transforms.config import Declarations
from pytemplar.transforms.table import COMPONENTS_KEY, DECLARATION_KEYS, TRANSFORMS, with_transform_keys

SCHEMA = json.loads((REPO / "schemas" / "pytemplar.schema.json").read_text("utf-8"))
SERVED = builtin_schema("pytemplar.schema.json").schema
DOCS = (REPO / "docs" / "transforms.md").read_text("utf-8")
# The last step of the Order list, which follows the rows of the table (apply_transforms).
AFTER_THE_ROWS = "generated objects get their content-hash suffix, and references follow"


def levels(node: Any) -> Iterator[dict[str, Any]]:
    """Every object of the schema that takes the transforms (one per level of pytemplar.yaml)."""
    if isinstance(node, dict):
        if {"$ref": "#/$defs/transforms"} in node.get("allOf", []):
            yield node
        for child in node.values():
            yield from levels(child)
    elif isinstance(node, list):
        for child in node:
            yield from levels(child)


def test_each_key_belongs_to_one_row() -> None:
    assert len(TRANSFORM_KEYS) == len(set(TRANSFORM_KEYS))
    fields = [transform.field for transform in TRANSFORMS]
    assert len(fields) == len(set(fields))


def test_the_keys_a_render_looks_for_are_the_tables() -> None:
    # A release whose levels hold none of TRANSFORMING_KEYS is rendered without loading the table.
    assert TRANSFORMING_KEYS == set(DECLARATION_KEYS) == {*TRANSFORM_KEYS, COMPONENTS_KEY}


def test_the_table_declares_the_keys_the_schema_defines() -> None:
    assert set(TRANSFORM_KEYS) == set(SCHEMA["$defs"]["transforms"]["properties"])


def test_every_level_of_the_schema_accepts_every_key() -> None:
    # Each level closes its properties (additionalProperties: false), so it must list every key;
    # component.yaml takes the same keys as the four levels. The file lists none of them: the
    # schema every command uses has them from the table, in the order the transforms run.
    found = list(levels(SERVED))
    assert len(found) == len(layer_paths("env", "release")) + 1
    assert SERVED["$defs"]["component"] in found
    for level in found:
        assert level.get("additionalProperties") is False
        assert list(level["properties"])[: len(TRANSFORM_KEYS)] == list(TRANSFORM_KEYS)
        assert level["properties"][COMPONENTS_KEY] == {"$ref": "#/$defs/components"}
        assert "$comment" not in level
    in_file = list(levels(SCHEMA))
    assert len(in_file) == len(found)
    for level in in_file:
        assert not set(level["properties"]) & set(TRANSFORM_KEYS), "the keys come from TRANSFORMS"
        assert "TRANSFORMS in pytemplar/transforms/table.py" in level["$comment"]


def test_a_transform_added_to_the_table_is_one_every_level_accepts() -> None:
    schema = json.loads(json.dumps(SCHEMA))
    schema["$defs"]["transforms"]["properties"]["podLabels"] = {"type": "object"}
    completed = with_transform_keys(with_check_ids(schema), (*TRANSFORM_KEYS, "podLabels"))
    declared = {"podLabels": {"team": "a"}}
    project = {
        **declared,
        "environments": {"dev": declared},
        "releases": {"web": {"app": "a", **declared, "environments": {"dev": declared}}},
    }
    assert compile_schema(completed, "pytemplar.schema.json").validate(project, lambda _path: None, "project") == []
    component = {"$ref": "#/$defs/component", "$defs": completed["$defs"]}
    assert compile_schema(component, "component").validate(declared, lambda _path: None, "component") == []
    # The table as it is: the key is unknown at each of the four levels.
    refused = builtin_schema("pytemplar.schema.json").validate(project, lambda _path: None, "project")
    assert [problem.message.rsplit(": ", 1)[-1] for problem in refused] == ["unknown key 'podLabels'"] * 4


def test_the_docs_describe_every_key() -> None:
    described = DOCS.split("\n## Keys\n", 1)[1].split("\n## ", 1)[0]
    for key in TRANSFORM_KEYS:
        assert f"`{key}`" in described, f"docs/transforms.md does not describe `{key}` under Keys"


def test_each_step_names_the_keys_of_its_row() -> None:
    for transform in TRANSFORMS:
        assert tuple(re.findall(r"`(\w+)`", transform.step)) == transform.keys, transform.field


def test_the_docs_order_is_the_table(request: pytest.FixtureRequest) -> None:
    docs = REPO / "docs" / "transforms.md"
    lines = docs.read_text("utf-8").splitlines(keepends=True)
    start = lines.index("## Order\n")
    start = next(index for index in range(start, len(lines)) if lines[index].startswith("<!-- ")) + 1
    end = lines.index("\n", start)
    steps = [*(transform.step + ";" for transform in TRANSFORMS), AFTER_THE_ROWS + "."]
    derived.keep(request, docs, start, end, "".join(f"{number}. {step}\n" for number, step in enumerate(steps, 1)))


def test_each_row_names_functions_that_exist() -> None:
    for transform in TRANSFORMS:
        for reference in (transform.read, transform.apply):
            module, _, name = reference.partition(":")
            assert callable(getattr(importlib.import_module(f"pytemplar.transforms.{module}"), name)), reference
        assert importlib.import_module(transform.module)


def test_declarations_have_one_attribute_per_row() -> None:
    nothing = Declarations()
    assert nothing.empty
    for transform in TRANSFORMS:
        assert getattr(nothing, transform.field) == transform.nothing()
        assert not Declarations(**{transform.field: ("something",)}).empty
