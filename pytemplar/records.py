"""Record classes: what ``@dataclass`` makes, at a fraction of its cost per class.

``@dataclass(frozen=True)`` writes ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` as source text and compiles each one: ~0.6 ms per class.
A one-release render defines ~35 such classes before it renders anything, ~20 ms of a ~110 ms
command. ``@record`` collects the fields itself and gives the class methods that read the field
list instead of compiled ones: ~0.05 ms per class. Equality and hashing compare the same field
tuples, fetched with :func:`operator.attrgetter`; ``__init__`` binds its arguments by name until
the class has made :data:`COMPILE_AFTER` objects, and is then replaced by the compiled one
dataclasses writes, so that a class made in numbers is made as fast as a dataclass.

A record is a dataclass to the :mod:`dataclasses` functions (:func:`~dataclasses.fields`,
:func:`~dataclasses.replace`, :func:`~dataclasses.asdict`, :func:`~dataclasses.is_dataclass`)
and to type checkers, yet a plain render never imports :mod:`dataclasses` (~0.6 ms): a record
declares its fields with :func:`field`, is copied with :func:`replace`, and the
``dataclasses.Field`` objects those functions read are made on first use. ``dataclasses.field()``
declares a record's field too. Only what the common case does not cover loads :mod:`dataclasses`
to collect the fields: a base that is no record or a slotted one, a slotted subclass, and
annotations naming ``ClassVar`` or written as objects rather than text.

``@record(slots=True)`` makes the slotted class ``@dataclass(slots=True)`` makes. Not supported,
and refused when declared: ``InitVar`` and keyword-only fields, a ``__slots__`` written in the
class (ask for ``slots=True``), and a class that defines its own ``__setattr__`` while frozen.
``tests/properties/test_record_properties.py`` checks records against the dataclasses they stand for.
"""

from __future__ import annotations

import functools
import inspect
import reprlib
import sys
from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, dataclass_transform, overload

if TYPE_CHECKING:
    import dataclasses

T = TypeVar("T")


class _Missing:
    """No default: what ``dataclasses.MISSING`` stands for in a :class:`Field`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
_HAS_FACTORY = object()  # the default of a field with a default_factory, as in dataclasses
COMPILE_AFTER = 32  # objects a class makes through the shared __init__ before it gets a compiled one
_FIELDS = "__record_fields__"  # a record's own fields, a tuple of Field in declaration order


class Field:
    """One field of a record, as :func:`field` declares it and the record collects it: what a
    ``dataclasses.Field`` says, without :mod:`dataclasses`."""

    __slots__ = ("compare", "default", "default_factory", "hash", "init", "kw_only", "metadata", "name", "repr", "type")

    def __init__(
        self,
        default: Any,
        default_factory: Any,
        init: bool,
        repr: bool,
        hash: bool | None,
        compare: bool,
        metadata: Mapping[Any, Any] | None,
        kw_only: Any,
    ) -> None:
        self.name: str = ""
        self.type: Any = None
        self.default, self.default_factory = default, default_factory
        self.init, self.repr, self.hash, self.compare = init, repr, hash, compare
        self.metadata, self.kw_only = metadata, kw_only

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Field({shown})"

    def __set_name__(self, owner: type, name: str) -> None:  # as dataclasses.Field passes it on
        set_name = getattr(type(self.default), "__set_name__", None)
        if set_name is not None:
            set_name(self.default, owner, name)

    @classmethod
    def of(cls, made: dataclasses.Field[Any]) -> Field:
        """The field a ``dataclasses.Field`` declares or dataclasses collected."""
        import dataclasses

        def kept(value: Any) -> Any:
            return MISSING if value is dataclasses.MISSING else value

        spec: Field = cls(
            kept(made.default),
            kept(made.default_factory),
            made.init,
            made.repr,
            made.hash,
            made.compare,
            made.metadata or None,
            kept(made.kw_only),
        )
        spec.name, spec.type = made.name, made.type
        return spec

    def as_dataclass_field(self) -> dataclasses.Field[Any]:
        """The ``dataclasses.Field`` standing for this one (named and typed, if it is)."""
        import dataclasses

        def given(value: Any) -> Any:
            return dataclasses.MISSING if value is MISSING else value

        made: dataclasses.Field[Any] = dataclasses.field(
            default=given(self.default),
            default_factory=given(self.default_factory),
            init=self.init,
            repr=self.repr,
            hash=self.hash,
            compare=self.compare,
            metadata=self.metadata,
            kw_only=given(self.kw_only),
        )
        if self.name:
            made.name, made.type = self.name, self.type
            made._field_type = _dataclass_facts()[0]  # type: ignore[attr-defined]
        return made


@overload
def field(
    *,
    default: T,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = False,
) -> T: ...


@overload
def field(
    *,
    default_factory: Callable[[], T],
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = False,
) -> T: ...


@overload
def field(
    *,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = False,
) -> Any: ...


def field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: Any = MISSING,
) -> Any:
    """A record's field, declared as :func:`dataclasses.field` declares a dataclass's (the same
    arguments; a record refuses ``kw_only=True``)."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, init, repr, hash, compare, metadata, kw_only)


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record ``obj`` with ``changes``, as :func:`dataclasses.replace` makes it (of
    any other dataclass, by it)."""
    own: tuple[Field, ...] | None = obj.__class__.__dict__.get(_FIELDS)
    if own is None:
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    for f in own:
        if not f.init:
            if f.name in changes:
                raise ValueError(f"field {f.name} is declared with init=False, it cannot be specified with replace()")
        elif f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def _field_kinds() -> tuple[type[Any], ...]:
    """The classes of what declares a field: :class:`Field`, and ``dataclasses.Field`` once
    something has imported dataclasses (a value cannot be one before)."""
    dataclasses = sys.modules.get("dataclasses")
    return (Field,) if dataclasses is None else (Field, dataclasses.Field)


def _frozen(message: str) -> AttributeError:
    """The error a frozen dataclass raises (dataclasses is imported only to raise it)."""
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)


@functools.cache
def _dataclass_facts() -> tuple[Any, Any]:
    """What dataclasses marks a regular field with and the parameters a record's collection runs
    with, taken from a class it made rather than from its private names."""
    import dataclasses

    @dataclasses.dataclass(init=False, repr=False, eq=False)
    class Sample:
        """A class of one field (a docstring of its own: dataclasses would make one from the signature)."""

        one: int

    return dataclasses.fields(Sample)[0]._field_type, Sample.__dataclass_params__  # type: ignore[attr-defined]


class _DataclassView:
    """``__dataclass_fields__`` or ``__dataclass_params__`` of a record whose fields were
    collected without dataclasses. The first read (by one of dataclasses' functions) makes both
    from the record's fields, as class attributes of the record in place of the views."""

    __slots__ = ("attribute", "owner")

    def __init__(self, owner: type, attribute: str) -> None:
        self.owner, self.attribute = owner, attribute

    def __get__(self, obj: Any, cls: type | None = None) -> Any:
        owner = self.owner
        if owner.__dict__.get(self.attribute) is self:
            params = _dataclass_facts()[1]
            made = {f.name: f.as_dataclass_field() for f in owner.__dict__[_FIELDS]}
            setattr(owner, "__dataclass_fields__", made)  # noqa: B010 - read by dataclasses' functions
            setattr(owner, "__dataclass_params__", params)  # noqa: B010
        return owner.__dict__[self.attribute]


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function returning the tuple of ``names``' values, as dataclasses' methods compare them."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        (name,) = names
        return lambda obj: (getattr(obj, name),)
    return lambda obj: ()


def _init_source(fields: tuple[Field, ...], frozen: bool, post_init: bool, slotted: bool) -> tuple[str, dict[str, Any]]:
    """The source of ``__init__`` and the names it reads, written as dataclasses writes it."""
    names: dict[str, Any] = {"_HAS_FACTORY": _HAS_FACTORY, "_set": object.__setattr__}
    parameters: list[str] = []
    body: list[str] = []
    for f in fields:
        default = f"_default_{f.name}"
        if f.default_factory is not MISSING:
            names[default] = f.default_factory
            if f.init:
                parameters.append(f"{f.name}=_HAS_FACTORY")
                value = f"{default}() if {f.name} is _HAS_FACTORY else {f.name}"
            else:
                value = f"{default}()"
        elif f.init:
            if f.default is not MISSING:
                names[default] = f.default
                parameters.append(f"{f.name}={default}")
            else:
                parameters.append(f.name)
            value = f.name
        elif slotted and f.default is not MISSING:
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


def _compiled_init(cls: type, fields: tuple[Field, ...], frozen: bool) -> Callable[..., None]:
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


def _shared_init(cls: type, fields: tuple[Field, ...], frozen: bool) -> Callable[..., None]:
    """``__init__`` read from the fields at each call, until the class has made ``COMPILE_AFTER``
    objects; then the class gets its compiled ``__init__``, the one dataclasses would write.

    Compiling it costs ~0.15 ms, 10 to 100 times what a call costs: most classes make a few
    objects in a command, and only the ones made in numbers pay for the faster one.
    """
    accepted = [f for f in fields if f.init]
    names = tuple(f.name for f in accepted)
    defaults = tuple(_Factory(f.default_factory) if f.default_factory is not MISSING else f.default for f in accepted)
    position = {name: index for index, name in enumerate(names)}
    # every field __init__ sets, in order: its argument's position, or the factory of one it does not take
    sets: list[tuple[str, int | _Factory]] = []
    for f in fields:
        if f.init:
            sets.append((f.name, position[f.name]))
        elif f.default_factory is not MISSING:
            sets.append((f.name, _Factory(f.default_factory)))
        elif "__slots__" in cls.__dict__ and f.default is not MISSING:
            sets.append((f.name, _Factory(functools.partial(_same, f.default))))  # no class attribute holds it
    post_init = hasattr(cls, "__post_init__")
    assign: Callable[[Any, str, Any], None] = object.__setattr__ if frozen else setattr
    missing = MISSING
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
    fields: tuple[Field, ...] = cls.__dict__[_FIELDS]
    defaulted = False
    for f in fields:  # refused when the class is made, as dataclasses' __init__ refuses it
        if f.init and (f.default is not MISSING or f.default_factory is not MISSING):
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
            raise _frozen(f"cannot assign to field {name!r}")
        super(owner, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in field_names:
            raise _frozen(f"cannot delete field {name!r}")
        super(owner, self).__delattr__(name)

    init = cls.__dict__.get("__init__") or _shared_init(cls, fields, frozen)
    methods: dict[str, Any] = {"__init__": init, "__repr__": __repr__, "__eq__": __eq__}
    own_hash = cls.__dict__.get("__hash__", MISSING)
    # Python sets __hash__ to None in a class that defines __eq__ alone: that one is not the class's own
    explicit_hash = not (own_hash is MISSING or (own_hash is None and "__eq__" in cls.__dict__))
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
    return [getattr(self, f.name) for f in getattr(self, _FIELDS)]


def _set_slots_state(self: Any, state: list[Any]) -> None:
    for f, value in zip(getattr(self, _FIELDS), state, strict=False):
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


def _refuse_unsupported(cls: type, annotations: dict[str, Any], field_kinds: tuple[type[Any], ...]) -> None:
    if "__slots__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: @record writes __slots__ itself; declare @record(slots=True)")
    for name, annotation in annotations.items():
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if "InitVar" in text or "KW_ONLY" in text:
            raise TypeError(f"{cls.__name__}.{name}: @record has no InitVar or KW_ONLY fields; use @dataclass")
        value = cls.__dict__.get(name)
        if isinstance(value, field_kinds) and value.kw_only is True:
            raise TypeError(f"{cls.__name__}.{name}: @record has no keyword-only fields; use @dataclass")


def _record_bases(cls: type) -> list[type] | None:
    """The bases of ``cls`` whose fields it inherits, base first, when each is a record that
    keeps its defaults as class attributes (no slots); None when any is not."""
    bases = list(reversed(cls.__mro__[1:-1]))
    if all(_FIELDS in base.__dict__ and "__slots__" not in base.__dict__ for base in bases):
        return bases
    return None


def _collect_fields(cls: type, annotations: dict[str, Any], field_kinds: tuple[type[Any], ...]) -> bool:
    """Give ``cls`` the fields ``dataclasses.dataclass(init=False, repr=False, eq=False)`` would,
    for the common case only: annotations that are plain types written as text, in a class whose
    bases (if any) are records without slots. False, having changed nothing, for anything else:
    then dataclasses collects them.

    dataclasses spends ~25 us a class on what this does in ~5 (it also prepares methods a record
    does not take from it), and importing it ~0.6 ms; a one-release render defines ~33 records as
    its modules load. The ``dataclasses.Field`` objects its functions read are made when one of
    them first asks (:class:`_DataclassView`). ``tests/properties/test_record_properties.py``
    compares the classes made both ways."""
    bases = _record_bases(cls)
    if bases is None or any(not isinstance(text, str) or _may_be_special(text) for text in annotations.values()):
        return False
    fields: dict[str, Field] = {}
    for base in bases:  # inherited fields keep their place, as in dataclasses (also when declared again)
        fields |= {f.name: f for f in base.__dict__[_FIELDS]}
    own = cls.__dict__
    for name, text in annotations.items():
        declared: Any = getattr(cls, name, MISSING)  # a default may be inherited, as in dataclasses
        made: Field
        if declared.__class__ is Field:
            made = declared
        elif isinstance(declared, field_kinds):
            made = Field.of(declared)
        else:
            made = Field(declared, MISSING, True, True, None, True, None, False)
        made.name, made.type = name, text
        if made.kw_only is MISSING:
            made.kw_only = False
        if made.default is not MISSING and made.default.__class__.__hash__ is None:
            raise ValueError(
                f"mutable default {type(made.default)} for field {name} is not allowed: use default_factory"
            )
        fields[name] = made
    for name, value in own.items():
        if name not in annotations and isinstance(value, field_kinds):
            raise TypeError(f"{name!r} is a field but has no type annotation")
    for name in annotations:
        if isinstance(own.get(name), field_kinds):
            default = fields[name].default
            if default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, default)
    setattr(cls, _FIELDS, tuple(fields.values()))
    for attribute in ("__dataclass_fields__", "__dataclass_params__"):
        setattr(cls, attribute, _DataclassView(cls, attribute))
    if "__match_args__" not in own:
        setattr(cls, "__match_args__", tuple(made.name for made in fields.values() if made.init))  # noqa: B010
    return True


def _collected_by_dataclasses(cls: type[T], slots: bool) -> type[T]:
    """The class (a new one if slotted) with the fields dataclasses collects, for what
    :func:`_collect_fields` leaves to it."""
    import dataclasses

    for name, value in list(cls.__dict__.items()):
        if value.__class__ is Field:
            setattr(cls, name, value.as_dataclass_field())
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
    setattr(made, _FIELDS, tuple(Field.of(f) for f in dataclasses.fields(made)))  # type: ignore[arg-type]
    return made


def _slotted(cls: type[T]) -> type[T]:
    """The slotted class ``@dataclass(slots=True)`` makes in place of ``cls``, a class of its own
    (no base) whose fields :func:`_collect_fields` collected: made anew, with a slot for each
    field and without their defaults as class attributes."""
    own = dict(cls.__dict__)
    names = tuple(f.name for f in own[_FIELDS])  # no base: every field is the class's own
    for name in (*names, "__dict__", "__weakref__"):
        own.pop(name, None)
    own["__slots__"] = names
    metaclass: Any = type(cls)  # kept, as dataclasses keeps it
    made: type[T] = metaclass(cls.__name__, cls.__bases__, own)
    made.__qualname__ = cls.__qualname__
    for attribute in ("__dataclass_fields__", "__dataclass_params__"):
        setattr(made, attribute, _DataclassView(made, attribute))
    return made


def _make(cls: type[T], frozen: bool, order: bool, slots: bool) -> type[T]:
    annotations, field_kinds = inspect.get_annotations(cls), _field_kinds()
    _refuse_unsupported(cls, annotations, field_kinds)
    if (not slots or cls.__bases__ == (object,)) and _collect_fields(cls, annotations, field_kinds):
        if slots:
            cls = _slotted(cls)
    else:
        cls = _collected_by_dataclasses(cls, slots)
    _add_methods(cls, frozen, order)
    return cls


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, frozen: bool = True, order: bool = False, slots: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(cls: type[T] | None = None, /, *, frozen: bool = True, order: bool = False, slots: bool = False) -> Any:
    """``@record``: the class ``@dataclass(frozen=True)`` makes; ``@record(frozen=False)`` the one
    ``@dataclass`` makes; ``order=True`` adds the comparisons and ``slots=True`` makes a slotted
    class, as for dataclasses."""
    if cls is None:
        return lambda inner: _make(inner, frozen, order, slots)
    return _make(cls, frozen, order, slots)
