"""``@record`` classes behave as the ``@dataclass`` classes they stand for (the oracle).

Each example declares one class twice from the same generated fields, once with
``dataclasses.dataclass`` and ``dataclasses.field`` and once with ``pytemplar.records.record``
and ``pytemplar.records.field`` (or ``dataclasses.field``), and checks that both make, show,
compare, hash, order, copy, pickle, replace (with either ``replace``) and refuse changes alike.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import math
import pickle
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytemplar import records
from pytemplar.records import COMPILE_AFTER, record

NAMES = ("alpha", "beta", "gamma", "delta", "epsilon")
VALUES = st.one_of(st.integers(-3, 3), st.text(max_size=3), st.none(), st.just(math.nan), st.tuples(st.integers(0, 2)))


@st.composite
def field_specs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Fields in declaration order: the ones without a default first, as Python requires."""
    count = draw(st.integers(0, len(NAMES)))
    specs = []
    defaults_started = False
    for name in NAMES[:count]:
        # "bare": an annotation alone; "value": an annotation and a default, without field()
        kinds = ["default", "value", "factory"] + ([] if defaults_started else ["plain", "bare"])
        kind = draw(st.sampled_from(kinds))
        defaults_started = defaults_started or kind not in ("plain", "bare")
        spec: dict[str, Any] = {"name": name, "kind": kind, "default": draw(VALUES)}
        if kind in ("bare", "value"):  # what field() declares when given no option
            spec |= {"repr": True, "compare": True, "hash": None, "init": True}
        else:
            spec["repr"] = draw(st.booleans())
            spec["compare"] = draw(st.booleans())
            spec["hash"] = draw(st.sampled_from([None, True, False]))
            spec["init"] = kind == "plain" or draw(st.booleans())
        specs.append(spec)
    return specs


def declare(
    decorator: Callable[[type], type],
    specs: list[dict[str, Any]],
    name: str = "Thing",
    field: Callable[..., Any] = dataclasses.field,
    bases: tuple[type, ...] = (),
) -> type:
    namespace: dict[str, Any] = {"__annotations__": {}, "__module__": __name__, "__qualname__": name}
    for spec in specs:
        namespace["__annotations__"][spec["name"]] = "Any"
        options = {key: spec[key] for key in ("repr", "compare", "hash", "init")}
        if spec["kind"] == "default":
            namespace[spec["name"]] = field(default=spec["default"], **options)
        elif spec["kind"] == "value":
            namespace[spec["name"]] = spec["default"]
        elif spec["kind"] == "factory":
            namespace[spec["name"]] = field(default_factory=lambda v=spec["default"]: [v], **options)
        elif spec["kind"] == "plain":
            namespace[spec["name"]] = field(**options)
    return decorator(type(name, bases, namespace))


FIELD_MAKERS = st.sampled_from([records.field, dataclasses.field])


def collected_without_dataclasses(cls: type) -> bool:
    """Whether the record's fields were collected by records itself (dataclasses' view of them
    is made on first read), rather than by dataclasses."""
    return isinstance(cls.__dict__.get("__dataclass_fields__"), records._DataclassView)


def field_facts(f: dataclasses.Field[Any]) -> tuple[Any, ...]:
    factory = f.default_factory
    made = factory() if callable(factory) else factory  # type: ignore[misc]
    return (f.name, f.type, repr(f.default), repr(made), f.init, f.repr, f.compare, f.hash, f.kw_only, dict(f.metadata))


def outcome(action: Callable[[], Any]) -> Any:
    """What ``action`` returns, or the type and message of what it raises."""
    try:
        return ("value", action())
    except Exception as exc:  # the oracle raises too: compared by type and message
        return ("raised", type(exc), str(exc))


def frozen_slots_fixed(expected: Any, action: str, name: str) -> Any:
    """The oracle's outcome, but for a Python 3.11 bug: its frozen slotted dataclass calls super()
    with the class that slots replaced, a TypeError where 3.12 raises FrozenInstanceError."""
    if expected[0] == "raised" and expected[1] is TypeError and "super(type, obj)" in expected[2]:
        return ("raised", dataclasses.FrozenInstanceError, f"cannot {action} field {name!r}")
    return expected


def arguments(specs: list[dict[str, Any]], draw_values: list[Any]) -> dict[str, Any]:
    return {spec["name"]: value for spec, value in zip(specs, draw_values, strict=False) if spec["init"]}


def same_data(left: Any, right: Any) -> bool:
    return repr(left) == repr(right)  # NaN and lists inside: compared by how they print


@pytest.mark.parametrize("slots", [False, True])
@pytest.mark.parametrize("frozen", [True, False])
@given(
    specs=field_specs(),
    first=st.lists(VALUES, min_size=5, max_size=5),
    second=st.lists(VALUES, min_size=5, max_size=5),
    field=FIELD_MAKERS,
)
@settings(max_examples=150, deadline=None)
def test_a_record_behaves_as_its_dataclass(
    frozen: bool,
    slots: bool,
    specs: list[dict[str, Any]],
    first: list[Any],
    second: list[Any],
    field: Callable[..., Any],
) -> None:
    oracle = declare(dataclasses.dataclass(frozen=frozen, slots=slots), specs)
    made = declare(record(frozen=frozen, slots=slots), specs, field=field)
    assert collected_without_dataclasses(made)  # the common case is the one checked here
    assert [field_facts(f) for f in dataclasses.fields(made)] == [field_facts(f) for f in dataclasses.fields(oracle)]
    assert made.__match_args__ == oracle.__match_args__  # type: ignore[attr-defined]
    for spec in specs:  # a field's class attribute: its default, or none
        assert repr(made.__dict__.get(spec["name"], "none")) == repr(oracle.__dict__.get(spec["name"], "none"))
    assert made.__dict__.get("__slots__") == oracle.__dict__.get("__slots__")
    assert (made.__hash__ is None) == (oracle.__hash__ is None)
    given_first, given_second = arguments(specs, first), arguments(specs, second)
    a, b = oracle(**given_first), oracle(**given_second)
    x, y = made(**given_first), made(**given_second)
    # by position and by keyword, through the shared __init__, then the compiled one
    for _ in range(COMPILE_AFTER + 1):
        assert repr(made(*given_second.values())) == repr(y)
        mixed = outcome(lambda: repr(made(*list(given_first.values())[:1], **given_second)))
        expected = outcome(lambda: repr(oracle(*list(given_first.values())[:1], **given_second)))
        assert mixed[:2] == expected[:2]  # the same object, or the same kind of error
    assert not made.__dict__["__init__"].__code__.co_flags & inspect.CO_VARARGS  # compiled by now
    assert repr(x).replace("Thing", "") == repr(a).replace("Thing", "")
    assert same_data(dataclasses.asdict(x), dataclasses.asdict(a))
    assert (x == y) == (a == b)
    assert (x == made(**given_first)) == (a == oracle(**given_first))
    assert (x != y) == (a != b)
    assert x != a  # another class, as two dataclasses of the same fields differ
    hashes = outcome(lambda: (hash(a) == hash(oracle(**given_first)), type(hash(a))))
    assert outcome(lambda: (hash(x) == hash(made(**given_first)), type(hash(x)))) == hashes
    if hashes[0] == "value":
        assert hash(x) == hash(a)  # the same tuple of values is hashed
    assert same_data(dataclasses.astuple(x), dataclasses.astuple(a))
    for changes in ({spec["name"]: 7 for spec in specs[:2]}, {"other": 7}, {}):
        expected = outcome(lambda c=changes: repr(dataclasses.replace(a, **c)).replace("Thing", ""))
        for replace in (records.replace, dataclasses.replace):
            replaced = outcome(lambda c=changes, r=replace: repr(r(x, **c)).replace("Thing", ""))
            assert replaced[:2] == expected[:2]  # the same object, or the same kind of error
            assert replaced[2:] == expected[2:] or expected[1] is TypeError  # __init__'s messages name the class
    assert same_data(copy.deepcopy(x), x) and same_data(copy.copy(x), x)
    kept = made_in_module(frozen, slots)(1, "b")
    assert repr(pickle.loads(pickle.dumps(kept))) == repr(kept) and pickle.loads(pickle.dumps(kept)) == kept
    # last: a mutable one changes here
    for name in (*NAMES[: len(specs)], "other"):
        assigned = frozen_slots_fixed(outcome(lambda n=name: setattr(a, n, 1)), "assign to", name)
        assert outcome(lambda n=name: setattr(x, n, 1)) == assigned
        deleted = frozen_slots_fixed(outcome(lambda n=name: delattr(a, n)), "delete", name)
        assert outcome(lambda n=name: delattr(x, n)) == deleted


@pytest.mark.parametrize("frozen", [True, False])
@given(
    base=field_specs(),
    own=field_specs(),
    renamed=st.booleans(),
    values=st.lists(VALUES, min_size=10, max_size=10),
    field=FIELD_MAKERS,
)
@settings(max_examples=150, deadline=None)
def test_a_record_inherits_fields_as_its_dataclass_does(
    frozen: bool,
    base: list[dict[str, Any]],
    own: list[dict[str, Any]],
    renamed: bool,
    values: list[Any],
    field: Callable[..., Any],
) -> None:
    # The subclass declares fields of its own, or declares its base's again (same names).
    if renamed:
        own = [{**spec, "name": f"own_{spec['name']}"} for spec in own]
    oracle_base = declare(dataclasses.dataclass(frozen=frozen), base, name="Base")
    made_base = declare(record(frozen=frozen), base, name="Base", field=field)
    oracle = outcome(lambda: declare(dataclasses.dataclass(frozen=frozen), own, bases=(oracle_base,)))
    made = outcome(lambda: declare(record(frozen=frozen), own, field=field, bases=(made_base,)))
    assert made[:2] == oracle[:2] if oracle[0] == "raised" else made[0] == "value"
    if oracle[0] == "raised":
        return
    oracle_cls, made_cls = oracle[1], made[1]
    assert collected_without_dataclasses(made_cls)
    assert [field_facts(f) for f in dataclasses.fields(made_cls)] == [
        field_facts(f) for f in dataclasses.fields(oracle_cls)
    ]
    assert made_cls.__match_args__ == oracle_cls.__match_args__
    given_values = {f.name: value for f, value in zip(dataclasses.fields(oracle_cls), values, strict=False) if f.init}
    a, x = oracle_cls(**given_values), made_cls(**given_values)
    assert repr(x).replace("Thing", "") == repr(a).replace("Thing", "")
    assert (x == made_cls(**given_values)) == (a == oracle_cls(**given_values))
    changes = {name: 7 for name in list(given_values)[-2:]}
    assert repr(records.replace(x, **changes)) == repr(dataclasses.replace(a, **changes))
    for name in given_values:  # an inherited default is a class attribute of the base, or none
        assert repr(getattr(made_cls, name, "none")) == repr(getattr(oracle_cls, name, "none"))


@pytest.mark.parametrize("frozen", [True, False])
@given(
    first=st.tuples(st.integers(-2, 2), st.text(max_size=2)),
    second=st.tuples(st.integers(-2, 2), st.text(max_size=2)),
)
def test_ordered_records_compare_as_ordered_dataclasses(
    frozen: bool, first: tuple[int, str], second: tuple[int, str]
) -> None:
    specs: list[dict[str, Any]] = [
        {"name": "alpha", "kind": "plain", "default": None, "repr": True, "compare": True, "hash": None, "init": True},
        {"name": "beta", "kind": "plain", "default": None, "repr": True, "compare": True, "hash": None, "init": True},
    ]
    oracle = declare(dataclasses.dataclass(frozen=frozen, order=True), specs)
    made = declare(record(frozen=frozen, order=True), specs)
    a, b, x, y = oracle(*first), oracle(*second), made(*first), made(*second)
    assert (x < y, x <= y, x > y, x >= y) == (a < b, a <= b, a > b, a >= b)
    assert outcome(lambda: x < 1) == outcome(lambda: a < 1)


@record
class Frozen:
    """Declared at module level, so that pickle finds it."""

    number: int
    text: str = ""


@record(frozen=False)
class Mutable:
    number: int
    text: str = ""


@record(slots=True)
class FrozenSlots:
    number: int
    text: str = ""


@record(frozen=False, slots=True)
class MutableSlots:
    number: int
    text: str = ""


def made_in_module(frozen: bool, slots: bool = False) -> type[Any]:
    if slots:
        return FrozenSlots if frozen else MutableSlots
    return Frozen if frozen else Mutable


def test_a_subclass_record_adds_its_fields_after_its_base_and_stays_frozen() -> None:
    @record
    class Child(Frozen):
        extra: tuple[str, ...] = ()

    child = Child(1, "a", ("x",))
    assert [f.name for f in dataclasses.fields(child)] == ["number", "text", "extra"]
    assert child != Frozen(1, "a") and child == Child(1, "a", ("x",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        child.number = 2  # type: ignore[misc]


def test_records_are_made_compared_and_replaced_without_importing_dataclasses() -> None:
    # A plain render never imports dataclasses (~0.6 ms): its records declare fields with
    # records.field and are copied with records.replace. dataclasses' functions still read them.
    script = textwrap.dedent(
        """
        from __future__ import annotations
        import sys
        from pytemplar.records import field, record, replace

        @record(slots=True)
        class Base:
            name: str
            tags: tuple[str, ...] = ()

        @record(frozen=False)
        class Holder:
            items: list[int] = field(default_factory=list, compare=False)

        @record
        class Shown:
            name: str
            hidden: int = field(default=0, repr=False)

        @record
        class Child(Shown):
            extra: str = "x"

        one = replace(Base("a"), tags=("b",))
        assert one == Base("a", ("b",)) and hash(one) == hash(Base("a", ("b",)))
        assert Holder() == Holder([1]) and repr(replace(Child("a"), extra="y")) == "Child(name='a', extra='y')"
        assert "dataclasses" not in sys.modules
        import dataclasses

        assert [f.name for f in dataclasses.fields(Child)] == ["name", "hidden", "extra"]
        assert dataclasses.asdict(one) == {"name": "a", "tags": ("b",)}
        assert dataclasses.is_dataclass(Holder()) and dataclasses.replace(one, name="c").name == "c"
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_records_field_and_replace_refuse_what_dataclasses_refuses() -> None:
    with pytest.raises(ValueError, match="both default and default_factory"):
        records.field(default=1, default_factory=list)

    @dataclasses.dataclass
    class Plain:
        number: int

    assert records.replace(Plain(1), number=2) == Plain(2)  # a dataclass that is no record, by dataclasses
    with pytest.raises(TypeError, match="keyword-only"):

        @record
        class KeywordOnly:
            number: int = records.field(kw_only=True)


def test_post_init_runs_after_the_fields_are_set() -> None:
    seen: list[int] = []

    @record
    class Checked:
        number: int

        def __post_init__(self) -> None:
            seen.append(self.number)

    Checked(4)
    assert seen == [4]


def test_what_a_record_cannot_be_is_refused() -> None:
    with pytest.raises(TypeError, match="__setattr__"):

        @record
        class OwnSetattr:
            number: int

            def __setattr__(self, name: str, value: Any) -> None:
                pass

    with pytest.raises(TypeError, match="InitVar"):

        @record
        class WithInitVar:
            number: dataclasses.InitVar[int]

    with pytest.raises(TypeError, match="keyword-only"):

        @record
        class KeywordOnly:
            number: int = dataclasses.field(kw_only=True)

    with pytest.raises(TypeError, match="slots=True"):

        @record
        class Slotted:
            __slots__ = ("number",)
            number: int


def test_a_record_without_a_docstring_keeps_none_and_its_signature_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # dataclasses writes such a class a docstring from inspect.signature(), whose first use
    # compiles tokenize's expressions: a cost at start-up that a record does not pay.
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("inspect.signature was called")

    monkeypatch.setattr(inspect, "signature", refuse)
    alpha = {
        "name": "alpha",
        "kind": "default",
        "default": 1,
        "repr": True,
        "compare": True,
        "hash": None,
        "init": True,
    }
    bare = declare(record, [alpha], name="Bare")
    assert bare.__doc__ is None
    assert bare() == bare(1) and repr(bare(2)) == "Bare(alpha=2)"
    assert [f.name for f in dataclasses.fields(bare)] == ["alpha"]

    @record
    class Described:
        """Kept."""

        number: int = 0

    assert Described.__doc__ == "Kept."


def declare_family(decorator: Callable[..., Any], field: Callable[..., Any]) -> type:
    """A class of two bases: one whose annotations name a ClassVar (then dataclasses collects a
    record's fields), one whose dataclass fields were read before it is inherited."""

    @decorator
    class Counted:
        limit: ClassVar[int] = 3
        name: str
        tags: tuple[str, ...] = field(default=(), compare=False)

    @decorator
    class Numbered:
        number: int

    dataclasses.fields(Numbered)

    @decorator
    class Both(Counted, Numbered):
        extra: list[str] = field(default_factory=list, repr=False, compare=False)

    return Both


def test_records_inherit_from_records_made_either_way() -> None:
    expected = declare_family(dataclasses.dataclass(frozen=True), dataclasses.field)
    for field in (records.field, dataclasses.field):
        made = declare_family(record, field)
        assert collected_without_dataclasses(made)  # from what its bases' records say
        assert [field_facts(f) for f in dataclasses.fields(made)] == [
            field_facts(f) for f in dataclasses.fields(expected)
        ]
        one, other = made(1, "a", ("t",), ["e"]), expected(1, "a", ("t",), ["e"])
        assert repr(one).split("(")[1] == repr(other).split("(")[1]
        assert one == made(1, "a") and hash(one) == hash(made(1, "a"))
        assert repr(records.replace(one, name="b", extra=["f"])) == repr(made(1, "b", ("t",)))
        assert made.limit == 3  # type: ignore[attr-defined]


def test_a_record_has_the_fields_and_annotations_of_its_dataclass() -> None:
    # A record shows dataclasses its plain annotations as types while the fields are collected:
    # the fields keep their annotation text, and class variables are still no fields.
    def declare_mixed(decorator: Callable[[type], type]) -> type:
        namespace: dict[str, Any] = {
            "__module__": __name__,
            "__annotations__": {
                "limit": "ClassVar[int]",
                "name": "str",
                "shared": "typing.ClassVar[list[str]]",
                "items": "tuple[str, ...]",
                "note": "str | None",
            },
            "limit": 3,
            "shared": [],
            "items": (),
            "note": None,
        }
        return decorator(type("Mixed", (), namespace))

    import typing

    globals()["ClassVar"], globals()["typing"] = typing.ClassVar, typing  # as a module that imports them
    try:
        expected, made = declare_mixed(dataclasses.dataclass(frozen=True)), declare_mixed(record)
    finally:
        del globals()["ClassVar"], globals()["typing"]
    assert (
        [(f.name, f.type) for f in dataclasses.fields(made)]
        == [(f.name, f.type) for f in dataclasses.fields(expected)]
        == [("name", "str"), ("items", "tuple[str, ...]"), ("note", "str | None")]
    )
    assert made.__annotations__ == expected.__annotations__
    assert (made.limit, made.shared) == (3, [])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "namespace",
    [
        {"__annotations__": {"items": "list[int]"}, "items": []},  # a mutable default
        {"__annotations__": {"items": "int"}, "extra": dataclasses.field(default=1)},  # a field without a type
        {"__annotations__": {"a": "int", "b": "int"}, "a": 1},  # a required field after a default one
    ],
)
def test_a_record_refuses_what_its_dataclass_refuses(namespace: dict[str, Any]) -> None:
    def made_by(decorator: Callable[[type], type]) -> Any:
        return outcome(lambda: decorator(type("Thing", (), dict(namespace))).__name__)

    expected = made_by(dataclasses.dataclass(frozen=True))
    assert made_by(record) == expected or (expected[0] == "raised" and made_by(record)[0] == "raised")
