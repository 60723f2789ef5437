"""Fuzzing the parsers that see hostile text first: any input gives a result or a
:class:`PytemplarError` (a message for the user), never another exception (a crash)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pytemplar.errors import PytemplarError
from pytemplar.schema import compile_schema, parse_json
from pytemplar.setargs import SET_KINDS, SetKind, parse_set_argument
from pytemplar.yamlio import load_yaml

FUZZ = settings(
    max_examples=400,
    deadline=None,
    database=None,  # nothing written outside tests/hostile
    suppress_health_check=[HealthCheck.too_slow],
)

# YAML's indicators, whitespace and the starts of tags, anchors, directives and typed scalars.
_YAML_CHARS = st.sampled_from(
    [*"abcxyz019.-+eE:,?[]{}#&*!|>'\"%@`~<= \t\n\r\\", "\x85", "\u2028", "\ufeff", "\x00", "\x1b", "é"]
)
_YAML_WORDS = st.sampled_from(
    ["&a ", "*a", "<<: ", "!!python/object:os.system ", "!!str ", "!!int ", "!!set ", "!Ref ", "--- ", "...\n",
     "%YAML 1.1\n", "? ", "- ", "null", "~", "yes", "0x1F", "0o17", ".inf", ".nan", "1e3", "2001-12-14",
     "9" * 30, '"\\u0000"', "'it''s'", "|\n  x\n", ">-\n  y\n"]
)  # fmt: skip
YAML_TEXT = st.one_of(st.text(), st.text(_YAML_CHARS, max_size=60))
YAML_LISTS = st.lists(_YAML_CHARS | _YAML_WORDS, max_size=40).map("".join)


@FUZZ
@given(text=st.one_of(YAML_TEXT, YAML_LISTS))
@example(text="a: &a [*a]")
@example(text="a: &n {<<: *n}")
@example(text="[" * 200 + "]" * 200)
@example(text="? [a]\n: 1")
@example(text="x: !!int " + "9" * 5000)
@example(text="x: !!float 1e400")
@example(text="- &a\n- *a\n- *a")
def test_load_yaml_gives_data_or_a_pytemplar_error(text: str) -> None:
    with contextlib.suppress(PytemplarError):
        load_yaml(text, "fuzz.yaml")


def test_load_yaml_refuses_a_lone_surrogate_cleanly() -> None:
    """Files are decoded strictly, but ``fromyaml`` hands the loader any Python string, and a
    template can build one holding a lone surrogate."""
    with pytest.raises(PytemplarError):
        load_yaml("a: \ud800", "fuzz.yaml")


_SET_CHARS = st.sampled_from([*"ab0.,=[]{}\\ -:\"'\n\t", "\x00", "\ud800", "é", "9" * 8, "[65537]", "[-1]", "{}"])
SET_TEXT = st.one_of(st.text(), st.lists(_SET_CHARS, max_size=40).map("".join))


@FUZZ
@given(text=SET_TEXT, kind=st.sampled_from(SET_KINDS))
@example(text="a" + "[0]" * 40 + "=1", kind="set")
@example(text="a=" + "[" * 3000, kind="set-json")
@example(text="a=1e400", kind="set-json")
@example(text="a=" + "9" * 5000, kind="set")
@example(text="a={x,", kind="set")
@example(text="a[1]=x", kind="set")
def test_parse_set_argument_gives_values_or_a_pytemplar_error(text: str, kind: SetKind) -> None:
    with contextlib.suppress(PytemplarError):
        parse_set_argument(text, kind, 1, read_file=lambda name: name)


_JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8)
)
_KEYWORDS = st.sampled_from(
    ["type", "properties", "items", "$ref", "$defs", "$id", "$schema", "$anchor", "$dynamicRef", "enum", "const",
     "default", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "required", "minimum", "pattern",
     "patternProperties", "additionalProperties", "prefixItems", "x-kubernetes-list-type"]
)  # fmt: skip
_REF_TEXT = st.sampled_from(["#", "#/", "#/$defs/a", "#/properties/x", "#a", "#/%25", "#/~2", "a.json", "#/0"])
SCHEMAS: Any = st.recursive(
    _JSON_LEAVES | _REF_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYWORDS | st.text(max_size=4), inner, max_size=5),
    max_leaves=25,
)


@FUZZ
@given(text=st.one_of(st.text(), st.text(st.sampled_from([*'{}[]":,0123456789.eE-+ \ntrufalsnNI']), max_size=80)))
@example(text="[" * 5000)
@example(text='{"a": 1e999999}')
@example(text='{"a": NaN}')
def test_parse_json_gives_data_or_a_pytemplar_error(text: str) -> None:
    with contextlib.suppress(PytemplarError):
        parse_json(text, "values.schema.json")


@FUZZ
@given(schema=SCHEMAS)
@example(schema={"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}})
@example(schema={"properties": {"default": {"$ref": "http://127.0.0.1:1/x"}}})
@example(schema={"$ref": "#/%"})
def test_compile_schema_gives_a_validator_or_a_pytemplar_error(schema: Any) -> None:
    with contextlib.suppress(PytemplarError):
        compile_schema(schema, "values.schema.json")
