"""Property: whatever plain data pytemplar writes, every YAML reader reads back the same data."""

from __future__ import annotations

import io
import math
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pytemplar.yamlio import load_yaml
from pytemplar.yamlout import dump_yaml

_RUAMEL = YAML(typ="safe", pure=True)

# Characters that matter to YAML: indicators, quotes, breaks, separators and invisible ones.
_TRICKY = (
    " \t\n\r\x00\x07\x1b\x7f\x85\xa0\u2028\u2029\ufeff\ufffe\uffff"
    "'\"\\:#-?,[]{}&*!|>%@`~=<.+_0123456789eExXoObB"
    "yesnoYESNOtrueflsTFnuNUL"
)
_WORDS = st.sampled_from(
    [
        "yes", "no", "on", "off", "y", "n", "Y", "N", "true", "False", "null", "Null", "~", "",
        "012", "0o12", "0x1F", "0b1", "1e3", "1.10", "1_000", ".5", ".inf", "-.Inf", ".NaN", "12:30",
        "2001-12-14", "2001-12-14 21:59:43.10 -5", "=", "<<", "---", "...", "- x", "? x", "a: b", "a #b",
        "nginx:1.25", "*x", "&x", "!x", "%x", "@x", "|", ">", "'", '"', "\\", "#",
    ]
)  # fmt: skip
_PADDED = st.builds(
    lambda before, text, after: before + text + after,
    st.sampled_from(["", " ", "  ", "\n", "\t"]),
    st.text(),
    st.sampled_from(["", " ", "\n", "\n\n", " \n"]),
)
# st.text() covers everything; the others make the cases that matter likely.
TEXT = (
    st.text()
    | st.text(alphabet=_TRICKY, max_size=12)
    | _WORDS
    | st.from_regex(r"[-+.]?[0-9_.:]{1,6}([eE][-+]?[0-9]{1,3})?", fullmatch=True)
    | _PADDED
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
DATA = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)


def typed(value: Any) -> Any:
    """``value`` with each scalar's type made part of it, so 1 == 1.0 == True no longer hold."""
    if isinstance(value, dict):
        return {"map": {key: typed(child) for key, child in value.items()}}
    if isinstance(value, list):
        return {"list": [typed(child) for child in value]}
    if isinstance(value, float):
        return ("float", value, math.copysign(1.0, value))
    return (type(value).__name__, value)


def read_pyyaml(text: str) -> Any:
    return yaml.safe_load(text)


def read_ruamel(text: str) -> Any:
    return _RUAMEL.load(io.StringIO(text))


def read_pytemplar(text: str) -> Any:
    return load_yaml(text, "out.yaml").data


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(DATA)
def test_pyyaml_reads_back_what_was_written(data: Any) -> None:
    text = dump_yaml(data)
    assert typed(read_pyyaml(text)) == typed(data), text


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(DATA)
def test_ruamel_reads_back_what_was_written(data: Any) -> None:
    text = dump_yaml(data)
    assert typed(read_ruamel(text)) == typed(data), text


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(DATA)
def test_pytemplar_reads_back_what_was_written(data: Any) -> None:
    text = dump_yaml(data)
    assert typed(read_pytemplar(text)) == typed(data), text


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(DATA)
def test_output_is_deterministic_and_ends_with_one_newline(data: Any) -> None:
    text = dump_yaml(data)
    assert text == dump_yaml(data)
    assert text.endswith("\n")
    assert text == dump_yaml(read_pytemplar(text))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(TEXT, TEXT, min_size=1, max_size=6))
def test_string_maps_read_back_in_every_reader(data: dict[str, str]) -> None:
    text = dump_yaml(data)
    for reader in (read_pyyaml, read_ruamel, read_pytemplar):
        assert reader(text) == data, (reader.__name__, text)
