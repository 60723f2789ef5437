"""Schema-driven value rules: lists merged by key, text kept for strings, secrets masked."""

from __future__ import annotations

from typing import Any

from pytemplar.errors import Location
from pytemplar.schema import compile_schema
from pytemplar.values import (
    SECRET_MASK,
    ValuesLayer,
    keep_source_text,
    layer_path,
    mask_secrets,
    merge_layers,
    origin_of,
    origins_of,
)

SCHEMA = compile_schema(
    {
        "type": "object",
        "properties": {
            "env": {
                "type": "array",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "properties": {"name": {"type": "string"}, "value": {"type": "string"}}},
            },
            "ports": {"type": "array", "items": {"type": "integer"}},
            "image": {"type": "object", "properties": {"tag": {"type": "string"}, "replicas": {"type": "integer"}}},
            "either": {"type": ["string", "number"]},
            "db": {"type": "object", "properties": {"password": {"type": "string", "writeOnly": True}}},
            "token": {"$ref": "#/$defs/secret"},
        },
        "$defs": {"secret": {"type": "object", "writeOnly": True}},
    },
    "schema.json",
)


def layer(source: str, data: dict[str, Any], locations: dict[Any, Location] | None = None, **raw: Any) -> ValuesLayer:
    return ValuesLayer("release", source, data, locations or {}, {}, raw.get("raw_texts", {}))


def test_lists_marked_as_maps_merge_item_by_item_by_key() -> None:
    base = layer("a", {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]})
    overlay = layer("b", {"env": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}]})
    merged = merge_layers([base, overlay], SCHEMA.list_keys)
    assert merged["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "20"}, {"name": "C", "value": "3"}]
    assert base.data["env"][1] == {"name": "B", "value": "2"}  # inputs untouched


def test_other_lists_are_still_replaced() -> None:
    merged = merge_layers([layer("a", {"ports": [1, 2]}), layer("b", {"ports": [3]})], SCHEMA.list_keys)
    assert merged["ports"] == [3]


def test_items_without_their_key_are_appended() -> None:
    base = layer("a", {"env": [{"name": "A"}]})
    merged = merge_layers([base, layer("b", {"env": [{"value": "x"}]})], SCHEMA.list_keys)
    assert merged["env"] == [{"name": "A"}, {"value": "x"}]


def test_origins_find_merged_items_by_key_in_each_layer() -> None:
    base = layer("a", {"env": [{"name": "A", "value": "1"}]}, {("env", 0, "value"): Location("a", 2, 12)})
    overlay = layer(
        "b",
        {"env": [{"name": "X", "value": "9"}, {"name": "A", "value": "5"}]},
        {("env", 1, "value"): Location("b", 4, 12), ("env", 0, "value"): Location("b", 2, 12)},
    )
    merged = merge_layers([base, overlay], SCHEMA.list_keys)
    assert merged["env"][0] == {"name": "A", "value": "5"}
    assert [o.location for o in origins_of([base, overlay], ("env", 0, "value"), merged, SCHEMA.list_keys)] == [
        Location("b", 4, 12),
        Location("a", 2, 12),
    ]
    assert origin_of([base, overlay], ("env", 1, "value"), merged, SCHEMA.list_keys) == Location("b", 2, 12)
    assert layer_path(base.data, merged, ("env", 1), SCHEMA.list_keys) is None


def test_unquoted_numbers_keep_their_text_where_the_schema_wants_a_string() -> None:
    base = layer(
        "envs/prod.yaml",
        {"image": {"tag": 1.2, "replicas": 3}, "either": 1.5},
        {("image", "tag"): Location("envs/prod.yaml", 2, 8)},
        raw_texts={("image", "tag"): "1.20", ("image", "replicas"): "3", ("either",): "1.50"},
    )
    values = merge_layers([base])
    kept = keep_source_text(values, [base], SCHEMA.expected_types)
    assert values["image"] == {"tag": "1.20", "replicas": 3}
    assert values["either"] == 1.5  # the schema takes a number too
    assert [(k.path, k.text, k.read_as) for k in kept] == [(("image", "tag"), "1.20", 1.2)]
    warning = kept[0].warning(release="r", environment="prod")
    assert warning.severity == "warning"
    assert warning.message == (
        "values.image.tag: 1.20 is read by YAML as the number 1.2; using the text '1.20' because the schema "
        "expects a string"
    )
    assert warning.location == Location("envs/prod.yaml", 2, 8)


def test_secrets_are_found_through_refs_and_masked_whole() -> None:
    assert SCHEMA.is_secret(("db", "password"))
    assert SCHEMA.is_secret(("token", "inner"))
    assert not SCHEMA.is_secret(("db",))
    values = {"db": {"password": "hunter2", "user": "app"}, "token": {"inner": "t"}}
    assert mask_secrets(values, SCHEMA.is_secret) == {
        "db": {"password": SECRET_MASK, "user": "app"},
        "token": SECRET_MASK,
    }


def test_schema_errors_never_show_a_secret_value() -> None:
    schema = compile_schema(
        {"properties": {"password": {"type": "string", "minLength": 12, "writeOnly": True}}}, "schema.json"
    )
    [problem] = schema.validate({"password": "hunter2"}, lambda path: None)
    assert "hunter2" not in problem.message
    assert problem.message == "values.password: the secret value does not satisfy the schema's 'minLength' rule"
