"""The fast validity test (pytemplar.schemacheck) answers exactly as jsonschema does.

Both directions matter: a wrong "no" inside ``not`` or ``if`` becomes a wrong "yes" outside,
and a wrong "yes" would let invalid values through unreported.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from pytemplar.schema import _target, compile_schema
from pytemplar.schemacheck import Undecided, compile_check, equal

ROOT = Path(__file__).resolve().parents[2]
RELAXED = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much], max_examples=300)

NAMES = st.sampled_from(["a", "b", "name", "port", "x-y", ""])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-3, max_value=5)
    | st.sampled_from([0.0, 1.0, 2.5, -1.5, float("nan"), float("inf")])
    | st.text(alphabet="ab1-", max_size=4)
)
INSTANCES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(NAMES, children, max_size=4),
    max_leaves=10,
)
TYPES = st.sampled_from(["string", "object", "array", "boolean", "null", "integer", "number"])
NUMBERS = st.integers(min_value=-2, max_value=4) | st.sampled_from([0.5, 2.0, -1.5])
COUNTS = st.integers(min_value=0, max_value=3)
PATTERNS = st.sampled_from(["^a", "b$", "[0-9]", "^$", "a|b", "^x-"])


def _branches(children: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(children, min_size=1, max_size=3)


def _keywords(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    one = st.one_of(
        st.builds(lambda t: {"type": t}, TYPES | st.lists(TYPES, min_size=1, max_size=3)),
        st.builds(lambda e: {"enum": e}, st.lists(SCALARS, min_size=1, max_size=4)),
        st.builds(lambda c: {"const": c}, INSTANCES),
        st.builds(
            lambda k, n: {k: n},
            st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
            NUMBERS,
        ),
        st.builds(
            lambda k, n: {k: n},
            st.sampled_from(["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]),
            COUNTS,
        ),
        st.builds(lambda u: {"uniqueItems": u}, st.booleans()),
        st.builds(lambda p: {"pattern": p}, PATTERNS),
        st.builds(lambda p: {"properties": p}, st.dictionaries(NAMES, children, max_size=3)),
        st.builds(lambda p: {"patternProperties": p}, st.dictionaries(PATTERNS, children, max_size=2)),
        st.builds(lambda a: {"additionalProperties": a}, children),
        st.builds(lambda r: {"required": r}, st.lists(NAMES, max_size=3, unique=True)),
        st.builds(lambda n: {"propertyNames": n}, children),
        st.builds(lambda i: {"items": i}, children),
        st.builds(lambda p: {"prefixItems": p}, st.lists(children, min_size=1, max_size=3)),
        st.builds(
            lambda k, b: {k: b},
            st.sampled_from(["allOf", "anyOf", "oneOf"]),
            st.lists(children, min_size=1, max_size=3),
        ),
        st.builds(lambda n: {"not": n}, children),
        st.builds(lambda i, t: {"if": i, "then": t}, children, children),
        st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, children, children, children),
        st.builds(lambda i, e: {"if": i, "else": e}, children, children),
        st.just({"$ref": "#/$defs/thing"}),
        st.just({"description": "annotations change nothing", "default": 3, "format": "email"}),
    )
    return st.lists(one, min_size=1, max_size=3).map(lambda parts: {k: v for part in parts for k, v in part.items()})


SCHEMAS: st.SearchStrategy[Any] = st.recursive(st.booleans() | st.just({}), _keywords, max_leaves=8)


def _with_definitions(schema: Any, thing: Any) -> Any:
    if isinstance(schema, dict):
        return {**schema, "$defs": {"thing": thing}}
    return {"allOf": [schema], "$defs": {"thing": thing}}


def _jsonschema_says(schema: Any, instance: Any) -> bool:
    return bool(jsonschema.Draft202012Validator(schema).is_valid(instance))


def _agree(schema: Any, instance: Any) -> None:
    check = compile_check(schema, lambda ref: _target(schema, ref), "test.json")
    assert check is not None, f"{json.dumps(schema)} is within the subset"
    try:
        quick = check(instance)
    except (Undecided, RecursionError):  # CompiledSchema.validate hands these to jsonschema
        return
    try:
        expected = _jsonschema_says(schema, instance)
    except RecursionError:
        # The oracle has no answer: jsonschema evaluates every branch of an allOf that refers back
        # to itself, where the fast test stops at the first false one. (validate reports such a
        # schema as recursing without end, since jsonschema is asked to explain the failure.)
        reject()
    assert quick == expected, (schema, instance)


@RELAXED
@given(SCHEMAS, SCHEMAS, INSTANCES)
def test_the_fast_test_agrees_with_jsonschema_on_generated_schemas(schema: Any, thing: Any, instance: Any) -> None:
    _agree(_with_definitions(schema, thing), instance)


@RELAXED
@given(INSTANCES, INSTANCES)
def test_json_equality_matches_jsonschema(one: Any, two: Any) -> None:
    assert equal(one, two) == _jsonschema_says({"const": one}, two)


BUNDLED = [
    "examples/apps/microservice/values.schema.json",
    "examples/apps/worker/values.schema.json",
    "examples/apps/cronjob/values.schema.json",
    "schemas/rollout.schema.json",
    "schemas/app.schema.json",
    "schemas/pytemplar.schema.json",
    "pytemplar/scaffolds/app/values.schema.json",
]


def test_every_bundled_schema_has_a_fast_test() -> None:
    for relative in BUNDLED:
        schema = json.loads((ROOT / relative).read_text())
        assert compile_schema(schema, relative, check=False).quick is not None, relative


def _shop_values() -> list[dict[str, Any]]:
    import pytemplar

    return [
        pytemplar.release_values(ROOT / "examples/apps/shop", environment, release).values
        for environment in ("dev", "staging", "prod")
        for release in ("service-a", "service-b", "service-c", "service-d")
    ]


SHOP_VALUES = _shop_values()
MICROSERVICE = json.loads((ROOT / "examples/apps/microservice/values.schema.json").read_text())


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


@RELAXED
@given(st.data())
def test_the_fast_test_agrees_with_jsonschema_on_mutated_shop_values(data: st.DataObject) -> None:
    values = copy.deepcopy(data.draw(st.sampled_from(SHOP_VALUES)))
    values.pop("rollout", None)  # pytemplar's own key, checked by its own schema
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(_paths(values)[1:] or [()]))
        if not path:
            break
        holder = values
        for part in path[:-1]:
            holder = holder[part]
        if data.draw(st.booleans()) and isinstance(holder, dict):
            del holder[path[-1]]
        else:
            holder[path[-1]] = data.draw(INSTANCES)
    _agree(MICROSERVICE, values)


def test_the_shop_values_pass_the_fast_test() -> None:
    check = compile_check(MICROSERVICE, lambda ref: _target(MICROSERVICE, ref), "values.schema.json")
    assert check is not None
    for values in SHOP_VALUES:
        assert check({k: v for k, v in values.items() if k != "rollout"})


def test_schemas_outside_the_subset_get_no_fast_test() -> None:
    for schema in (
        {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"},
        {"multipleOf": 2},
        {"unevaluatedProperties": False},
        {"$dynamicRef": "#meta"},
        {"properties": {"a": {"$id": "https://example.com/a", "type": "string"}}},
        {"minimum": "5"},
        {"type": "int"},
        {"required": "name"},
        {"pattern": "("},
    ):
        assert compile_check(schema, lambda ref: None, "s.json") is None, schema
