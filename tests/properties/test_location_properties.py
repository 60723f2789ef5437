"""``Location`` writes its ``__init__`` out by hand; it must take arguments exactly as the
``@dataclass(frozen=True, order=True)`` it stands for (the oracle) takes them."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytemplar.errors import Location


@dataclasses.dataclass(frozen=True, order=True)
class Twin:
    path: str
    line: int | None = None
    column: int | None = None


ARGUMENT = st.one_of(st.text(max_size=4), st.integers(-2, 5), st.none())


@st.composite
def calls(draw: st.DrawFn) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Positional and keyword arguments, some of them wrong (too many, repeated, unknown)."""
    positional = tuple(draw(st.lists(ARGUMENT, max_size=4)))
    names = draw(st.lists(st.sampled_from(["path", "line", "column", "row"]), max_size=3, unique=True))
    return positional, {name: draw(ARGUMENT) for name in names}


def _made(kind: type, call: tuple[tuple[Any, ...], dict[str, Any]]) -> Any:
    positional, keywords = call
    try:
        return kind(*positional, **keywords)
    except TypeError:
        return TypeError


def _fields(made: Any) -> Any:
    return made if made is TypeError else (made.path, made.line, made.column)


@given(calls())
def test_takes_arguments_as_the_dataclass_does(call: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
    assert _fields(_made(Location, call)) == _fields(_made(Twin, call))


@given(calls(), calls())
def test_compares_and_hashes_as_the_dataclass_does(
    first: tuple[tuple[Any, ...], dict[str, Any]], second: tuple[tuple[Any, ...], dict[str, Any]]
) -> None:
    mine = (_made(Location, first), _made(Location, second))
    theirs = (_made(Twin, first), _made(Twin, second))
    if TypeError in mine or TypeError in theirs:
        return
    assert (mine[0] == mine[1]) == (theirs[0] == theirs[1])
    assert (hash(mine[0]) == hash(mine[1])) or mine[0] != mine[1]
    try:
        expected: Any = theirs[0] < theirs[1]
    except TypeError:
        expected = TypeError
    try:
        got: Any = mine[0] < mine[1]
    except TypeError:
        got = TypeError
    assert got == expected


def test_stays_frozen() -> None:
    location = Location("values.yaml", 3, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        location.line = 4  # type: ignore[misc]
    assert dataclasses.replace(location, line=4) == Location("values.yaml", 4, 1)
