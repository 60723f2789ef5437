"""Record classes: what ``@dataclass`` makes, at a fraction of its cost per class.

``@dataclass(frozen=True)`` writes ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` as source text and compiles each one: ~0.6 ms per class.
A one-release render defines ~35 such classes before it renders anything, ~20 ms of a ~110 ms
command. ``@record`` lets :func:`dataclasses.dataclass` collect the fields (so that
:func:`dataclasses.fields`, :func:`dataclasses.replace`, :func:`dataclasses.asdict` and type
checkers see an ordinary dataclass) and gives the class methods that read the field list instead
of compiled ones: ~0.05 ms per class. Equality and hashing compare the same field tuples, fetched
with :func:`operator.attrgetter`; ``__init__`` binds its arguments by name until the class has
made :data:`COMPILE_AFTER` objects, and is then replaced by the compiled one dataclasses writes,
so that a class made in numbers is made as fast as a dataclass.

``@record(slots=True)`` makes the slotted class ``@dataclass(slots=True)`` makes. Not supported,
and refused when declared: ``InitVar`` and keyword-only fields, a ``__slots__`` written in the
class (ask for ``slots=True``), and a class that defines its own ``__setattr__`` while frozen.
``tests/properties/test_record_properties.py`` checks records against the dataclasses they stand for.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")

_HAS_FACTORY = object()  # the default of a field with a default_factory, as in dataclasses
COMPILE_AFTER = 32  # objects a class makes through the shared __init__ before it gets a compiled one


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function returning the tuple of ``names``' values, as dataclasses' methods compare them."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        (name,) = names
        return lambda obj: (getattr(obj, name),)
    return lambda obj: ()


def _init_source(
    fields: list[dataclasses.Field[Any]], frozen: bool, post_init: bool, slotted: bool
) -> tuple[str, dict[str, Any]]:
    """The source of ``__init__`` and the names it reads, written as dataclasses writes it."""
    names: dict[str, Any] = {"_HAS_FACTORY": _HAS_FACTORY, "_set": object.__setattr__}
    parameters: list[str] = []
    body: list[str] = []
    for f in fields:
        default = f"_default_{f.name}"
        if f.default_factory is not dataclasses.MISSING:
            names[default] = f.default_factory
            if f.init:
                parameters.append(f"{f.name}=_HAS_FACTORY")
                value = f"{default}() if {f.name} is _HAS_FACTORY else {f.name}"
            else:
                value = f"{default}()"
        elif f.init:
            if f.default is not dataclasses.MISSING:
                names[default] = f.default
                parameters.append(f"{f.name}={default}")
            else:
                parameters.append(f.name)
            value = f.name
        elif slotted and f.default is not dataclasses.MISSING:
            names[default] = f.default  # a slotted class keeps no default as a class attribute
            value = default
        else:
            continue  # read from the class attribute holding its default
        body.append(f"_set(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    if post_init:
        body.append("self.__post_init__()")
    lines = [f"def __init__(self, {', '.join(parameters)}):" if parameters else "def __init__(self):"]
    lines += [f"    {line}" for line in body or ["pass"]]
    return "\n".join(lines), names


def _compiled_init(cls: type, fields: list[dataclasses.Field[Any]], frozen: bool) -> Callable[..., None]:
    source, names = _init_source(fields, frozen, hasattr(cls, "__post_init__"), "__slots__" in cls.__dict__)
    namespace: dict[str, Any] = {}
    exec(source, names, namespace)
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _same(value: Any) -> Any:
    return value


class _Factory:
    """The default of a field made by ``default_factory``."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def _shared_init(cls: type, fields: list[dataclasses.Field[Any]], frozen: bool) -> Callable[..., None]:
    """``__init__`` read from the fields at each call, until the class has made ``COMPILE_AFTER``
    objects; then the class gets its compiled ``__init__``, the one dataclasses would write.

    Compiling it costs ~0.15 ms, 10 to 100 times what a call costs: most classes make a few
    objects in a command, and only the ones made in numbers pay for the faster one.
    """
    accepted = [f for f in fields if f.init]
    names = tuple(f.name for f in accepted)
    defaults = tuple(
        _Factory(f.default_factory) if f.default_factory is not dataclasses.MISSING else f.default for f in accepted
    )
    position = {name: index for index, name in enumerate(names)}
    # every field __init__ sets, in order: its argument's position, or the factory of one it does not take
    sets: list[tuple[str, int | _Factory]] = []
    for f in fields:
        if f.init:
            sets.append((f.name, position[f.name]))
        elif f.default_factory is not dataclasses.MISSING:
            sets.append((f.name, _Factory(f.default_factory)))
        elif "__slots__" in cls.__dict__ and f.default is not dataclasses.MISSING:
            sets.append((f.name, _Factory(functools.partial(_same, f.default))))  # no class attribute holds it
    post_init = hasattr(cls, "__post_init__")
    assign: Callable[[Any, str, Any], None] = object.__setattr__ if frozen else setattr
    missing = dataclasses.MISSING
    made = 0
    where = f"{cls.__qualname__}.__init__()"

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal made
        made += 1
        if made == COMPILE_AFTER and cls.__dict__.get("__init__") is __init__:
            compiled = _compiled_init(cls, fields, frozen)
            setattr(cls, "__init__", compiled)  # noqa: B010 - type checkers refuse assigning to a method
            compiled(self, *args, **kwargs)
            return
        if len(args) > len(names):
            raise TypeError(f"{where} takes {len(names) + 1} positional arguments but {len(args) + 1} were given")
        values = [*args, *defaults[len(args) :]]
        for key, value in kwargs.items():
            index = position.get(key)
            if index is None:
                raise TypeError(f"{where} got an unexpected keyword argument {key!r}")
            if index < len(args):
                raise TypeError(f"{where} got multiple values for argument {key!r}")
            values[index] = value
        for name, source in sets:
            value = source if isinstance(source, _Factory) else values[source]
            if value is missing:
                raise TypeError(f"{where} missing required argument: {name!r}")
            assign(self, name, value.make() if value.__class__ is _Factory else value)
        if post_init:
            self.__post_init__()

    return __init__


def _add_methods(cls: type, frozen: bool, order: bool) -> None:
    fields = list(dataclasses.fields(cls))
    defaulted = False
    for f in fields:  # refused when the class is made, as dataclasses' __init__ refuses it
        if f.init and (f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING):
            defaulted = True
        elif f.init and defaulted:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
    field_names = frozenset(f.name for f in fields)
    owner: type[Any] = cls
    shown = tuple(f.name for f in fields if f.repr)
    compared = _getter(tuple(f.name for f in fields if f.compare))
    hashed = _getter(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__qualname__}({values})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(compared(self) == compared(other))
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in field_names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(owner, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in field_names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(owner, self).__delattr__(name)

    init = cls.__dict__.get("__init__") or _shared_init(cls, fields, frozen)
    methods: dict[str, Any] = {"__init__": init, "__repr__": __repr__, "__eq__": __eq__}
    own_hash = cls.__dict__.get("__hash__", dataclasses.MISSING)
    # Python sets __hash__ to None in a class that defines __eq__ alone: that one is not the class's own
    explicit_hash = not (own_hash is dataclasses.MISSING or (own_hash is None and "__eq__" in cls.__dict__))
    if not explicit_hash:
        methods["__hash__"] = __hash__ if frozen else None
    if frozen:
        for name in ("__setattr__", "__delattr__"):
            if name in cls.__dict__:
                raise TypeError(f"cannot overwrite attribute {name} in class {cls.__name__}")
        methods |= {"__setattr__": __setattr__, "__delattr__": __delattr__}
        if "__slots__" in cls.__dict__:  # pickle and copy restore the slots past the frozen __setattr__
            methods |= {
                name: method
                for name, method in (("__getstate__", _slots_state), ("__setstate__", _set_slots_state))
                if name not in cls.__dict__
            }
    if order:
        methods |= _order_methods(compared)
    for name, method in methods.items():
        if name in ("__init__", "__repr__", "__eq__") and name in cls.__dict__:
            continue  # the class's own, kept as dataclasses keeps it
        if name.startswith(("__l", "__g")) and name in cls.__dict__:
            raise TypeError(
                f"cannot overwrite attribute {name} in class {cls.__name__}; consider using functools.total_ordering"
            )
        if method is not None:
            method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)


def _slots_state(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def _set_slots_state(self: Any, state: list[Any]) -> None:
    for f, value in zip(dataclasses.fields(self), state, strict=False):
        object.__setattr__(self, f.name, value)


def _order_methods(compared: Callable[[Any], tuple[Any, ...]]) -> dict[str, Any]:
    def __lt__(self: Any, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return bool(compared(self) < compared(other))
        return NotImplemented

    def __le__(self: Any, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return bool(compared(self) <= compared(other))
        return NotImplemented

    def __gt__(self: Any, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return bool(compared(self) > compared(other))
        return NotImplemented

    def __ge__(self: Any, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return bool(compared(self) >= compared(other))
        return NotImplemented

    return {"__lt__": __lt__, "__le__": __le__, "__gt__": __gt__, "__ge__": __ge__}


def _may_be_special(annotation: str) -> bool:
    """Whether annotation text may name ClassVar, InitVar or KW_ONLY (then dataclasses judges it)."""
    return "ClassVar" in annotation or "InitVar" in annotation or "KW_ONLY" in annotation


def _refuse_unsupported(cls: type) -> None:
    if "__slots__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: @record writes __slots__ itself; declare @record(slots=True)")
    for name, annotation in inspect.get_annotations(cls).items():
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if "InitVar" in text or "KW_ONLY" in text:
            raise TypeError(f"{cls.__name__}.{name}: @record has no InitVar or KW_ONLY fields; use @dataclass")
        value = cls.__dict__.get(name)
        if isinstance(value, dataclasses.Field) and value.kw_only is True:
            raise TypeError(f"{cls.__name__}.{name}: @record has no keyword-only fields; use @dataclass")


def _collect_fields(cls: type, annotations: dict[str, Any]) -> bool:
    """Give ``cls`` the fields ``dataclasses.dataclass(init=False, repr=False, eq=False)`` would,
    for the common case only: a class of its own (no base but object) whose annotations are plain
    types. False, having changed nothing, for anything else: then dataclasses collects them.

    dataclasses spends ~25 us a class on what this does in ~5 (it also prepares methods a record
    does not take from it); a one-release render defines ~33 records as its modules load.
    ``tests/properties/test_record_properties.py`` compares the classes made both ways."""
    if cls.__bases__ != (object,) or any(
        not isinstance(text, str) or _may_be_special(text) for text in annotations.values()
    ):
        return False
    fields: dict[str, dataclasses.Field[Any]] = {}
    for name, text in annotations.items():
        declared = cls.__dict__.get(name, dataclasses.MISSING)
        made: dataclasses.Field[Any] = (
            declared if isinstance(declared, dataclasses.Field) else dataclasses.field(default=declared)
        )
        made.name, made.type, made._field_type = name, text, _FIELD_KIND  # type: ignore[attr-defined]
        if made.kw_only is dataclasses.MISSING:
            made.kw_only = False
        if made.default is not dataclasses.MISSING and made.default.__class__.__hash__ is None:
            raise ValueError(
                f"mutable default {type(made.default)} for field {name} is not allowed: use default_factory"
            )
        fields[name] = made
    for name, value in cls.__dict__.items():
        if isinstance(value, dataclasses.Field) and name not in annotations:
            raise TypeError(f"{name!r} is a field but has no type annotation")
    for name, made in fields.items():
        if isinstance(cls.__dict__.get(name), dataclasses.Field):
            if made.default is dataclasses.MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, made.default)
    setattr(cls, "__dataclass_params__", _PARAMS)  # noqa: B010 - read by dataclasses' functions
    setattr(cls, "__dataclass_fields__", fields)  # noqa: B010
    if "__match_args__" not in cls.__dict__:
        setattr(cls, "__match_args__", tuple(name for name, made in fields.items() if made.init))  # noqa: B010
    return True


@dataclasses.dataclass(init=False, repr=False, eq=False)
class _Sample:
    """A class of one field (a docstring of its own: dataclasses would make one from the signature)."""

    one: int


# What dataclasses marks a regular field with and the parameters a record's collection runs with,
# taken from a class it made rather than from its private names.
_FIELD_KIND = dataclasses.fields(_Sample)[0]._field_type  # type: ignore[attr-defined]
_PARAMS = _Sample.__dataclass_params__  # type: ignore[attr-defined]


def _make(cls: type[T], frozen: bool, order: bool, slots: bool) -> type[T]:
    _refuse_unsupported(cls)
    if not slots and _collect_fields(cls, inspect.get_annotations(cls)):
        _add_methods(cls, frozen, order)
        return cls
    doc = cls.__dict__.get("__doc__")
    # dataclasses writes a class without a docstring one from inspect.signature(), which tokenizes
    # text and compiles tokenize's expressions on first use (~5 ms): it is given a placeholder,
    # and the class gets its own docstring back below.
    cls.__doc__ = doc or cls.__name__
    # dataclasses looks up each annotation written as text three times (is it ClassVar, InitVar,
    # KW_ONLY?). Text that names none of them is shown to it as a plain type for the while.
    annotations = inspect.get_annotations(cls)
    plain = [name for name, text in annotations.items() if isinstance(text, str) and not _may_be_special(text)]
    if plain:
        cls.__annotations__ = {name: object if name in plain else text for name, text in annotations.items()}
    try:
        # dataclasses collects the fields and writes no method: init, repr and eq are off, and it is
        # told the class is not frozen, since its frozen __setattr__ is one of the methods it compiles.
        # A slotted class is made anew (the one given is left with its annotations as they were).
        made = dataclasses.dataclass(init=False, repr=False, eq=False, frozen=False, slots=slots)(cls)
    finally:
        if plain:
            cls.__annotations__ = annotations
    if plain and made is not cls:
        made.__annotations__ = annotations
    own_fields = made.__dict__["__dataclass_fields__"]
    for name in plain:
        own_fields[name].type = annotations[name]
    made.__doc__ = doc
    _add_methods(made, frozen, order)
    return made


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, frozen: bool = True, order: bool = False, slots: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: type[T] | None = None, /, *, frozen: bool = True, order: bool = False, slots: bool = False) -> Any:
    """``@record``: the class ``@dataclass(frozen=True)`` makes; ``@record(frozen=False)`` the one
    ``@dataclass`` makes; ``order=True`` adds the comparisons and ``slots=True`` makes a slotted
    class, as for dataclasses."""
    if cls is None:
        return lambda inner: _make(inner, frozen, order, slots)
    return _make(cls, frozen, order, slots)
