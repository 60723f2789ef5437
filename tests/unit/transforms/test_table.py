"""The transforms table agrees with the project schema, the docs and the code derived from it."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from typing import Any

from conftest import REPO

from pytemplar.transforms import TRANSFORM_KEYS, layer_paths
from pytemplar.transforms.config import Declarations
from pytemplar.transforms.table import DECLARATION_KEYS, TRANSFORMS

SCHEMA = json.loads((REPO / "schemas" / "pytemplar.schema.json").read_text("utf-8"))
DOCS = (REPO / "docs" / "transforms.md").read_text("utf-8")


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


def test_the_table_declares_the_keys_the_schema_defines() -> None:
    assert set(TRANSFORM_KEYS) == set(SCHEMA["$defs"]["transforms"]["properties"])


def test_every_level_of_the_schema_accepts_every_key() -> None:
    # Each level closes its properties (additionalProperties: false), so it must list every key;
    # component.yaml takes the same keys as the four levels.
    found = list(levels(SCHEMA))
    assert len(found) == len(layer_paths("env", "release")) + 1
    assert SCHEMA["$defs"]["component"] in found
    for level in found:
        assert level.get("additionalProperties") is False
        assert {key for key in level["properties"] if key in DECLARATION_KEYS} == set(DECLARATION_KEYS)


def test_the_docs_describe_every_key_in_the_order_they_run() -> None:
    for key in TRANSFORM_KEYS:
        assert f"`{key}`" in DOCS, f"docs/transforms.md does not describe `{key}`"
    order = DOCS.split("## Order", 1)[1].split("\n## ", 1)[0]
    steps = re.findall(r"^\d+\. (.*)$", order, re.MULTILINE)
    step_of = {key: index for index, step in enumerate(steps) for key in re.findall(r"`(\w+)`", step)}
    assert set(step_of) == set(TRANSFORM_KEYS)
    ran = [step_of[transform.keys[0]] for transform in TRANSFORMS]
    assert ran == sorted(ran), "docs/transforms.md lists the transforms in another order than the table"


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
