"""How Helm would read a values file, where that differs from pytemplar's reading.

Helm reads values with a YAML 1.1 resolver and keeps every number as a float64: ``yes``, ``on``
and ``y`` are booleans, ``012`` is octal, ``1_000`` and ``0b11`` are numbers, and ``1.0`` or
``1e3`` print as ``1`` and ``1000``. pytemplar reads YAML 1.2, so these plain scalars mean
something else here; a values file carried over from a chart gets a warning for each, naming
both readings, unless the schema settles which one is meant.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pytemplar.errors import Problem
from pytemplar.values import ValuePath, ValuesLayer, format_path, value_at
from pytemplar.yamlio import is_decimal, is_float
from pytemplar.yamlout import scalar_text

_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "off", "Off", "OFF"})
# Octal and binary numbers (``[-+]?0[0-7]+`` and ``[-+]?0b[01_]+``) are told by _octal_or_binary
# and floats by yamlio.is_float, string tests equivalent to the patterns
# (tests/properties/test_yaml_scalar_properties.py): compiling the octal and binary patterns cost a
# one-release render 0.13 ms. Underscored numbers are rare: their pattern is compiled on first use.
_UNDERSCORED = r"[-+]?(0x[0-9a-fA-F_]+|0o[0-7_]+|[0-9][0-9_]*)\Z"
# First characters of a plain scalar that Helm may read differently: yamlio keeps their text.
SUSPECT_START = frozenset("yYnNoO0123456789+-.")

_NOT_DIFFERENT = object()


def helm_reading(text: str, ours: Any) -> Any:
    """What Helm makes of the plain scalar ``text``, when it differs from ``ours``; else a marker."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _octal_or_binary(text) or ("_" in text and re.match(_UNDERSCORED, text)):
        number = _go_int(text)
        return _NOT_DIFFERENT if type(ours) is int and number == ours else number
    whole = isinstance(ours, float) and math.isfinite(ours) and ours == int(ours) and abs(ours) < 2**53
    if whole and is_float(text):
        return int(ours)  # Helm writes 1.0 as 1 and 1e3 as 1000
    return _NOT_DIFFERENT


def _octal_or_binary(text: str) -> bool:
    """``[-+]?0[0-7]+\\Z`` or ``[-+]?0b[01_]+\\Z`` from the start of ``text``."""
    unsigned = text[1:] if text[:1] in ("-", "+") else text
    if unsigned[:2] == "0b":
        return len(unsigned) > 2 and not unsigned[2:].strip("01_")
    return unsigned[:1] == "0" and len(unsigned) > 1 and not unsigned[1:].strip("01234567")


def _may_differ(text: str) -> bool:
    """A cheap first look: whether Helm could read ``text`` otherwise at all."""
    return not (_plain_int(text) or text in ("true", "false", "True", "False", "null", "~"))


def _plain_int(text: str) -> bool:
    """``-?[1-9][0-9]*|0``: an integer both YAML versions read alike, told without a pattern."""
    digits = text[1:] if text[:1] == "-" else text
    return text == "0" or (is_decimal(digits) and digits[0] != "0")


def _go_int(text: str) -> int:
    """The integer Go's ``strconv.ParseInt(s, 0, 64)`` reads, after Helm's YAML reader drops ``_``."""
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if digits[:2] in ("0b", "0x", "0o"):
        return sign * int(digits[2:], {"b": 2, "x": 16, "o": 8}[digits[1]])
    if len(digits) > 1 and digits[0] == "0":
        return sign * int(digits, 8)
    return sign * int(digits)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {scalar_text(value)}"
    if isinstance(value, str):
        return f'the string "{value}"'
    if isinstance(value, float):
        return f"the number {scalar_text(value)}"
    return f"the number {value}"


def _allowed(value: Any, types: set[str]) -> bool:
    if not types:
        return True
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return bool(types & {"integer", "number"})
    if isinstance(value, float):
        return "number" in types
    return "string" in types


def helm_differences(
    values: dict[str, Any],
    layers: Sequence[ValuesLayer],
    expected_types: Callable[[ValuePath], set[str]],
    *,
    release: str,
    environment: str,
) -> list[Problem]:
    """A warning for each merged value that a file wrote as a plain scalar Helm reads otherwise,
    unless the schema allows only one of the two readings (then it has decided)."""
    problems: list[Problem] = []
    for index, layer in enumerate(layers):
        if layer.kind == "set":  # --set has Helm's own typing rules (setargs.py)
            continue
        problems.extend(_key_differences(layer, release=release, environment=environment))
        for path, text in layer.raw_texts.items():
            if not _may_differ(text):  # most numbers: 1, 8080, true
                continue
            present, value = value_at(values, path)
            if not present or isinstance(value, (dict, list)) or value is None:
                continue
            if value_at(layer.data, path) != (True, value):  # not the item this layer wrote
                continue
            theirs = helm_reading(text, value)
            if theirs is _NOT_DIFFERENT or any(path in higher.locations for higher in layers[index + 1 :]):
                continue
            types = expected_types(path)
            if not (_allowed(value, types) and _allowed(theirs, types)):
                continue
            problems.append(
                Problem(
                    f"{format_path(path)}: {text} is {_describe(value)} here (YAML 1.2), "
                    f"but Helm reads it as {_describe(theirs)} (YAML 1.1)",
                    location=layer.locations.get(path),
                    hint=_hint(text, value, theirs),
                    severity="warning",
                    release=release,
                    environment=environment,
                )
            )
    return problems


def _key_differences(layer: ValuesLayer, *, release: str, environment: str) -> Iterable[Problem]:
    """A warning for each unquoted key that Helm reads as a boolean or a number: Helm's values then
    have the key ``true``, ``false`` or the number's digits instead (``on:`` becomes ``true:``)."""
    for path, text in layer.raw_keys.items():
        theirs = helm_reading(text, text)
        if theirs is _NOT_DIFFERENT:
            continue
        name = scalar_text(theirs)
        yield Problem(
            f'{format_path(path)}: the key {text} is the text "{text}" here (YAML 1.2), but Helm reads it as '
            f'{_describe(theirs)} and names the key "{name}" (YAML 1.1)',
            location=layer.key_locations.get(path),
            hint=f'quote the key so that both read the text: "{text}":',
            severity="warning",
            release=release,
            environment=environment,
        )


def _hint(text: str, ours: Any, theirs: Any) -> str:
    if isinstance(theirs, bool):
        return f'write {scalar_text(theirs)} for a boolean, or "{text}" for text'
    if isinstance(ours, float):
        return f'write {theirs} for a whole number, or "{text}" for text'
    if isinstance(ours, str):
        return f'write {theirs} for the number, or "{text}" for text'
    return f'write {theirs} for Helm\'s number, {ours} without the leading zero, or "{text}" for text'
