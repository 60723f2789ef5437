"""Rendering templates: the home of Jinja2.

Templates run in Jinja2's immutable sandbox with strict undefined names. Every ``{{ }}`` that
reaches the YAML stream is a slot (:mod:`pytemplar.templating.slots`): the rendered text holds a token
where the value goes, and the value is placed by the YAML parser (:mod:`pytemplar.templating.parse`).
Templates of an app are compiled once per run and shared by every release of that app.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from functools import cache
from operator import is_
from types import BuiltinMethodType, MethodType
from typing import Any, NoReturn

from jinja2 import BaseLoader, StrictUndefined, Template, TemplateNotFound, TemplateSyntaxError
from jinja2.compiler import CodeGenerator
from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.runtime import Context, Macro, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing, pass_context

from pytemplar import budget
from pytemplar.budget import MAX_RENDERED_CHARS
from pytemplar.errors import Location, PytemplarError, TemplateError
from pytemplar.helm.builtins import SERVICE, ApiVersions, FileGlob, capabilities
from pytemplar.project import App
from pytemplar.records import record
from pytemplar.supervise import activity
from pytemplar.templatecache import template_cache
from pytemplar.templating.lines import LineMark, LineMarks, Mark, join_marked
from pytemplar.templating.slots import (
    MARKER,
    RESERVED,
    Fragment,
    Slot,
    SlotError,
    YamlText,
    as_text,
    make_fragment,
    marker_line,
    token,
)
from pytemplar.values import AbsentKeys, ValuePath, format_path
from pytemplar.yamlio import load_yaml
from pytemplar.yamlout import double_quoted, dump_yaml

MAX_POWER_BITS = 4096
MAX_REPEAT = 1_000_000  # characters or items made by `*`


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class TemplateFailure(Exception):
    """Raised by ``fail()`` and ``required``: the template author's own message."""


class ReadLog:
    """Which values the templates read: key by key, or whole maps and lists at once."""

    __slots__ = ("read", "whole")

    def __init__(self) -> None:
        self.read: set[ValuePath] = set()
        self.whole: set[ValuePath] = set()

    def uses(self, path: ValuePath) -> bool:
        """Whether a template read ``path``, or a map or list that holds it as a whole."""
        if path in self.read:
            return True
        return any(path[:end] in self.whole for end in range(len(path) + 1))

    def touches(self, path: ValuePath) -> bool:
        """Whether a template read ``path`` or anything inside it."""
        if self.uses(path):
            return True
        size = len(path)
        return any(read[:size] == path for read in self.read) or any(w[:size] == path for w in self.whole)


class ValueMap(dict[str, Any]):
    """A values map that knows its path (for messages like ``'values.image.tagg' is undefined``)
    and records in a :class:`ReadLog` what templates read of it."""

    __slots__ = ("absent", "key_path", "log", "root")
    root: str  # the name templates reach it from: values, release, app...
    key_path: ValuePath
    log: ReadLog | None
    absent: AbsentKeys | None  # keys that may be missing: removed by a null, or optional

    @property
    def path(self) -> str:
        # Spelled out only for messages: most maps are never named in one.
        return format_path(self.key_path, self.root)

    def note_read(self, key: str) -> None:
        if self.log is not None:
            self.log.read.add((*self.key_path, key))

    def note_whole(self) -> None:
        if self.log is not None:
            self.log.whole.add(self.key_path)

    def __iter__(self) -> Iterator[str]:
        self.note_whole()
        return super().__iter__()

    def items(self) -> Any:
        self.note_whole()
        return super().items()

    def keys(self) -> Any:
        self.note_whole()
        return super().keys()

    def values(self) -> Any:
        self.note_whole()
        return super().values()

    def get(self, key: str, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            self.note_read(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        # ``"tls" in values.ingress`` reads the key: a values file that sets it is not unused.
        found = dict.__contains__(self, key)
        if found and isinstance(key, str):
            self.note_read(key)
        return found


class ValueList(list[Any]):
    __slots__ = ("key_path", "log", "root")
    root: str
    key_path: ValuePath
    log: ReadLog | None

    @property
    def path(self) -> str:
        return format_path(self.key_path, self.root)

    def note_whole(self) -> None:
        if self.log is not None:
            self.log.whole.add(self.key_path)

    def __iter__(self) -> Iterator[Any]:
        self.note_whole()
        return super().__iter__()


def as_template_data(
    value: Any, root: str, key_path: ValuePath = (), log: ReadLog | None = None, absent: AbsentKeys | None = None
) -> Any:
    """``value`` with its maps and lists made :class:`ValueMap` and :class:`ValueList`, named
    ``root`` (``values``) in messages."""
    if isinstance(value, dict):
        made = ValueMap()
        made.root, made.key_path, made.log, made.absent = root, key_path, log, absent
        for key, child in value.items():
            if isinstance(child, (dict, list)):
                child = as_template_data(child, root, (*key_path, key), log, absent)
            dict.__setitem__(made, key, child)
        return made
    if isinstance(value, list):
        items = ValueList()
        items.root, items.key_path, items.log = root, key_path, log
        list.extend(
            items,
            [
                as_template_data(child, root, (*key_path, index), log, absent)
                if isinstance(child, (dict, list))
                else child
                for index, child in enumerate(value)
            ],
        )
        return items
    return value


class UndefinedNameError(UndefinedError):
    """An undefined name, with whether it was a top-level name (not a key of some map)."""

    def __init__(self, message: str, name: str | None, top_level: bool) -> None:
        super().__init__(message)
        self.name = name
        self.top_level = top_level


class _Undefined(StrictUndefined):
    __slots__ = ()

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        if self._undefined_exception is not UndefinedError:  # e.g. the sandbox's SecurityError
            raise self._undefined_exception(self._undefined_message)
        top_level = self._undefined_obj is missing and self._undefined_hint is None
        raise UndefinedNameError(self._undefined_message, self._undefined_name, top_level)

    # StrictUndefined binds these to the base class's method; rebind them to ours.
    __iter__ = __str__ = __len__ = _fail_with_undefined_error
    __eq__ = __ne__ = __bool__ = __hash__ = __contains__ = _fail_with_undefined_error


class MemberError(UndefinedError):
    """A name that an imported helper or a built-in object (``files``) does not have."""


def _member_error(environment: Any, obj: Any, attribute: str) -> Any:
    """An undefined for ``obj.attribute`` that names what ``obj`` does have."""
    if type(obj) is TemplateModule:
        have = sorted(k for k in obj.__dict__ if not k.startswith("_"))
        what = f"the helper '{obj.__name__}' has no macro or variable '{attribute}'"
    else:
        have = sorted(k for k in dir(type(obj)) if not k.startswith("_"))
        what = f"'{_OBJECT_NAMES.get(type(obj).__name__, type(obj).__name__)}' has no '{attribute}'"
    import difflib  # here and below: only a failing template needs it

    close = difflib.get_close_matches(attribute, have, n=1) or difflib.get_close_matches(
        attribute.lower(), [h.replace("_", "") for h in have], n=1
    )
    if close and close[0] not in have:
        close = [h for h in have if h.replace("_", "") == close[0]]
    hint = f"did you mean '{close[0]}'? " if close else ""
    hint += f"it has: {', '.join(have)}" if have else "it has nothing public"
    return environment.undefined(hint=f"{what}\x00{hint}", obj=obj, name=attribute, exc=MemberError)


_OBJECT_NAMES = {"Files": "files", "FileGlob": "files.glob(...)", "ApiVersions": "capabilities.api_versions"}


class AbsentValueError(UndefinedError):
    """A value that is missing on purpose (removed by a null, or optional) was used as a value."""


class _Absent(_Undefined):
    """A key removed by an overlay's null, or named by the schema and not set: false in ``if``,
    empty in ``for``, replaced by ``default``, as in Helm; used as a value, an error that says
    why it is missing (for a removed key, where the null is)."""

    __slots__ = ()

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AbsentValueError(self._undefined_message)

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        raise AbsentValueError(f"{self._undefined_message}, so it has no '{name}'")

    def __bool__(self) -> bool:  # type: ignore[override]
        return False

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]
        return iter(())

    def __len__(self) -> int:  # type: ignore[override]
        return 0

    __str__ = __eq__ = __ne__ = __hash__ = __contains__ = _fail_with_undefined_error


def _absent(obj: ValueMap, key: str) -> _Absent | None:
    """The undefined for a key missing on purpose, or None when nothing explains its absence."""
    if obj.absent is None:
        return None
    path = (*obj.key_path, key)
    why = obj.absent.why_absent(path)
    if why is None:
        return None
    obj.note_read(key)
    return _Absent(hint=f"'{format_path(path, obj.root)}' is {why}", obj=obj, name=key)


class _Environment(ImmutableSandboxedEnvironment):
    """Maps read like data: ``values.items`` is the key ``items`` when there is one."""

    # Routes ``**`` through call_binop (and keeps it out of compile-time constant folding).
    # ``+`` too, so that what each operation builds counts against the render's budget.
    intercepted_binops = frozenset({"**", "*", "%", "+"})

    # The path of the last null read from the values, to name it when a template reads into it.
    _null_path: str | None = None

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # A plain map, not Jinja2's ChainMap over the environment's: every template of every
        # release copies its globals into a new context, and a ChainMap copies key by key in
        # Python. The engine sets the environment's globals before it loads any template.
        return {**self.globals, **(d or {})}

    # How templates compile (:mod:`pytemplar.templating.codegen`): loaded for the first template
    # that is not in the compiled-code cache, so a render that finds all of them loads neither.
    @property
    def code_generator_class(self) -> type[CodeGenerator]:  # type: ignore[override]
        from pytemplar.templating.codegen import SlotCodeGenerator

        return SlotCodeGenerator

    def preprocess(self, source: str, name: str | None = None, filename: str | None = None) -> str:
        from pytemplar.templating.codegen import keep_lines

        return keep_lines(super().preprocess(source, name, filename))

    def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
        return budget.count_loops(super()._parse(source, name, filename))  # every loop counts its steps

    # Set by the engine around each render: the slots of the template being rendered.
    slots: list[Slot] | None = None
    value_chars = 0  # characters of the strings placed so far
    # The last value read from a values map and its path, so a slot holding it can name it.
    _last_read: tuple[Any, Any, Any] | None = None  # (value, the map or list, the key or index)
    line_marks: LineMarks  # what a run of output of (template, line) starts with

    def slot(self, value: Any, name: str | None, lineno: int) -> str:
        """A ``{{ }}``: record the value, return its token (see :mod:`pytemplar.templating.slots`).
        Runs for every ``{{ }}`` of every release: the common cases are tested first."""
        kind = type(value)
        if kind is str:
            chars = self.value_chars + len(value)
            if chars > MAX_RENDERED_CHARS:
                raise TemplateFailure(f"the template rendered more than {MAX_RENDERED_CHARS:,} characters, the limit")
            self.value_chars = chars
        elif kind not in _SCALARS and not isinstance(value, _DATA):
            as_text(value)  # refuses what is not data (a macro, a function, an undefined) at this line
        slots = self.slots
        if slots is None:  # rendered outside TemplateEngine.render (never by pytemplar itself)
            return as_text(value)
        path: ValuePath | None = None
        last = self._last_read
        if last is not None:
            self._last_read = None
            if last[0] is value:
                path = (*last[1].key_path, last[2])
        if kind is ValueMap or kind is ValueList:
            value.note_whole()  # a map or list written whole counts as read whole
            path = value.key_path if value.root == "values" else None
        where = self.template_paths.get(name, name) if name else "the text given to tpl"
        slots.append((value, where, lineno, path))
        return token(len(slots) - 1)

    template_paths: Mapping[str, str] = {}
    string_templates: dict[str, Any]
    # Set by the engine around the templates of one release: helper modules imported with
    # context, by helper (see module_with_context).
    shared_modules: dict[Template, _SharedModule] | None = None

    def module_with_context(
        self, name: Any, parent: str | None, context: Context, local_vars: dict[str, Any]
    ) -> TemplateModule:
        """``{% import name as h with context %}`` (and ``from name import ... with context``).

        Every template of a release usually starts by importing the same helpers with the same
        context; the module a template got is handed to the next when that is what running the
        helper again would give it: the importing context is the same objects (the template set
        or assigned nothing before the import), the helper wrote no value (no slot, so no token
        anywhere in it) and what it keeps at its top level cannot change (no namespace, cycler or
        joiner, whose state would pass from one template to the next). What running it leaves
        behind is replayed: the last value read (which names the next slot's path) and the units
        of work it cost against this render's budget; when they would exceed the budget, the
        helper runs again, so the error comes from where it would."""
        template = self.get_template(name, parent)
        shared = self.shared_modules
        if shared is None or context.vars or any(value is not missing for value in local_vars.values()):
            return template.make_module(context.get_all(), True, local_vars)
        found = shared.get(template)
        if found is not None and _same_objects(found.parent, context.parent) and budget.remaining() > found.units:
            budget.charge(None, found.units)
            self._last_read, self._null_path = found.last_read, found.null_path
            return found.module
        slots = self.slots
        written = len(slots) if slots is not None else -1
        units = budget.remaining()
        module_context = template.new_context(context.get_all(), True, local_vars)
        module = TemplateModule(template, module_context)
        if slots is not None and len(slots) == written and all(map(_unchanging, module_context.vars.values())):
            shared[template] = _SharedModule(
                context.parent, module, self._last_read, self._null_path, units - budget.remaining()
            )
        return module

    def concat(self, chunks: Iterable[Any]) -> str:
        """Joins what a macro, ``{% set %}`` block or call block wrote: a :class:`Fragment` that
        keeps its tokens and line marks."""
        marks: list[Mark] = []
        source = join_marked(chunks, marks)
        if self.slots is None or (not marks and MARKER not in source):
            return source
        return make_fragment(source, self.slots, marks)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is ValueMap and dict.__contains__(obj, attribute):  # ``values.image.tag``: most lookups
            if obj.log is not None:
                obj.log.read.add((*obj.key_path, attribute))
            value = dict.__getitem__(obj, attribute)
            if value is None:
                self._null_path = format_path((*obj.key_path, attribute), obj.root)
            else:
                self._null_path = None
                if obj.root == "values":
                    self._last_read = (value, obj, attribute)
            return value
        if type(obj) is TemplateModule and type(attribute) is str and not attribute.startswith("_"):
            # ``h.labels`` of an imported helper: a name the helper exported. The sandbox would
            # find it safe (a public name on an object that is neither internal nor a mutable
            # builtin); methods still take the full path, for its str.format wrapping.
            value = obj.__dict__.get(attribute, missing)
            if value is not missing and not isinstance(value, _METHOD_TYPES):
                return value
            if value is missing:
                return _member_error(self, obj, attribute)
        if type(obj) in _BUILTIN_OBJECTS and type(attribute) is str and not hasattr(obj, attribute):
            return _member_error(self, obj, attribute)
        if obj is None and self._null_path is not None:
            return self.undefined(hint=f"'{self._null_path}' is null, so it has no '{attribute}'")
        if isinstance(obj, dict):
            if dict.__contains__(obj, attribute):
                if isinstance(obj, ValueMap):
                    obj.note_read(attribute)
                    value = obj[attribute]
                    self._null_path = format_path((attribute,), obj.path) if value is None else None
                    return value
                return obj[attribute]
            if isinstance(obj, ValueMap) and not hasattr(dict, attribute):
                absent = _absent(obj, attribute)
                if absent is not None:
                    return absent
                return self.undefined(hint=f"'{obj.path}.{attribute}' is undefined", obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, ValueMap) and isinstance(argument, str) and not dict.__contains__(obj, argument):
            absent = _absent(obj, argument)
            if absent is not None:
                return absent
            return self.undefined(hint=f"'{format_path((argument,), obj.path)}' is undefined", obj=obj, name=argument)
        if isinstance(obj, ValueMap) and isinstance(argument, str):
            obj.note_read(argument)
            value = dict.__getitem__(obj, argument)
            if obj.root == "values" and value is not None:
                self._last_read = (value, obj, argument)
            return value
        if isinstance(obj, ValueList) and isinstance(argument, int) and obj.log is not None:
            obj.log.read.add((*obj.key_path, argument if argument >= 0 else len(obj) + argument))
        if isinstance(obj, ValueList) and isinstance(argument, int) and not isinstance(argument, bool):
            if not -len(obj) <= argument < len(obj):
                return self.undefined(hint=f"'{obj.path}[{argument}]' is undefined (the list has {len(obj)} items)")
            value = list.__getitem__(obj, argument)
            if obj.root == "values" and value is not None:
                self._last_read = (value, obj, argument % len(obj))
            return value
        return super().getitem(obj, argument)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        # Refuse results that are obviously huge before computing them: a single big-integer or
        # repetition operation cannot be interrupted once it runs.
        if operator == "**" and _int(left) and _int(right) and right > 0 and abs(left) > 1:
            if right * abs(left).bit_length() > MAX_POWER_BITS:
                raise SecurityError(f"{left} ** {right} is too large to compute")
        elif operator == "%" and isinstance(left, str):
            _refuse_huge_format(left)
        elif operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and _int(count) and len(sequence) * count > MAX_REPEAT:
                    raise SecurityError(f"repeating a {type(sequence).__name__} {count} times is too large")
            if _int(left) and _int(right) and left.bit_length() + right.bit_length() > MAX_POWER_BITS:
                raise SecurityError("the product is too large to compute")
        return budget.sized(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget.step()  # every call a template makes counts against the render's budget
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            name = getattr(__obj, "__name__", "")
            if name in _WIDTH_METHODS and args and _int(args[0]) and args[0] > MAX_REPEAT:
                raise SecurityError(f"str.{name}({args[0]}) is too large")
        budget.check_call(__obj, args)
        return budget.sized(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # str.format and str.format_map reach templates only through this wrapper.
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _refuse_huge_format(value.__self__)
        return wrapped


class _SharedModule:
    """A helper module imported with context, and what importing it left behind."""

    __slots__ = ("last_read", "module", "null_path", "parent", "units")

    def __init__(
        self, parent: dict[str, Any], module: TemplateModule, last_read: Any, null_path: str | None, units: int
    ) -> None:
        self.parent = parent  # the importing context's names
        self.module = module
        self.last_read = last_read
        self.null_path = null_path
        self.units = units  # of the render's budget, that running the helper cost


def _same_objects(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """The same names, in the same order, for the same objects."""
    return list(first) == list(second) and all(map(is_, first.values(), second.values()))


_MAX_SHARED_DEPTH = 20  # deeper data in a helper's top level: run the helper again
_IMMUTABLE_LEAVES = (str, int, float, type(None), range, Macro, Undefined, ValueMap, ValueList)


def _unchanging(value: Any, depth: int = 0) -> bool:
    """Whether a template can change nothing in ``value``: text, numbers, macros, the release's
    values, and maps and lists of them (the sandbox refuses to change a map or list)."""
    if isinstance(value, _IMMUTABLE_LEAVES):
        return True
    if depth > _MAX_SHARED_DEPTH:
        return False
    if type(value) is dict:
        return all(_unchanging(item, depth + 1) for item in value.values())
    if type(value) is list or type(value) is tuple:
        return all(_unchanging(item, depth + 1) for item in value)
    return False


_METHOD_TYPES = (MethodType, BuiltinMethodType)
_DATA = (str, int, float, dict, list, tuple, type(None))
_SCALARS = frozenset({int, float, bool, type(None)})
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_HUGE_NUMBER = r"[0-9]{7,}"  # compiled on first use: templates read from the cache skip it


def _refuse_huge_format(template: str) -> None:
    # A width or precision of a million or more in a format string builds a huge string.
    if re.search(_HUGE_NUMBER, template):
        raise SecurityError("a format width or precision is too large")


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    text = str(value)
    _refuse_huge_format(text)
    return text % (kwargs or args)


def _indent(value: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
    from jinja2.filters import do_indent

    if (_int(width) and width > MAX_REPEAT) or (isinstance(width, str) and len(width) > MAX_REPEAT):
        raise SecurityError("the indent is too large")
    indented = do_indent(str(value), width, first, blank)
    if isinstance(value, YamlText) and value.data is not None:
        # ``toyaml | indent(2)``: still the same map when placed whole.
        return YamlText.of(indented, value.data, value.path)
    return indented


class _AppLoader(BaseLoader):
    def __init__(self, app: App) -> None:
        self.app = app

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source = self.app.templates.get(template)
        if source is None:
            raise TemplateNotFound(template)
        return source, self.app.template_paths[template], lambda: True


def _undefined_or_empty(value: Any) -> bool:
    return isinstance(value, Undefined) or value is None or value == ""


def _fail(message: str = "failed") -> NoReturn:
    raise TemplateFailure(str(message))


def _required(value: Any, message: str = "a required value is missing") -> Any:
    if isinstance(value, _Absent):
        raise TemplateFailure(f"{message} ({value._undefined_message})")
    if _undefined_or_empty(value):
        raise TemplateFailure(str(message))
    return value


def _to_json(value: Any, indent: int | None = None) -> YamlText:
    text = json.dumps(_plain(value), ensure_ascii=False, indent=indent, allow_nan=False, default=_not_json)
    return YamlText.of(text, _plain(value))


def _to_yaml(value: Any) -> YamlText:
    plain = _plain(value)
    path = value.key_path if isinstance(value, (ValueMap, ValueList)) and value.root == "values" else None
    return YamlText.of(dump_yaml(plain).rstrip("\n"), plain, path)


def _from_yaml(text: Any) -> Any:
    if isinstance(text, Fragment):
        # A macro's YAML: parsed from its source, each ``{{ }}`` in it placed like any other,
        # each node remembering the template line that wrote it.
        from pytemplar.templating.parse import parse_fragment

        return parse_fragment(text, "fromyaml")
    document = load_yaml(str(text), "<fromyaml>", track=False)
    return document.data


def _quote(value: Any) -> YamlText:
    text = as_text(value)
    return YamlText.of(double_quoted(text), text)


# Characters after which a YAML 1.1 reader (kubectl, PyYAML) starts a new line, or that only an
# escape can carry: single quotes cannot hold them.
@cache
def _not_in_single_quotes() -> re.Pattern[str]:
    # compiled on first use (~0.4 ms: the surrogate range makes a big character set); few apps use squote
    return re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _squote(value: Any) -> YamlText:
    text = as_text(value)
    if _not_in_single_quotes().search(text):
        return YamlText.of(double_quoted(text), text)
    return YamlText.of("'" + text.replace("'", "''") + "'", text)


def _b64encode(value: Any) -> str:
    # The value's text as it reads in a template (true, not Python's True); a map or a list is
    # refused rather than encoded as Python's text of it.
    data = value if isinstance(value, bytes) else as_text(value).encode("utf-8")
    return base64.b64encode(data).decode("ascii")


def _b64decode(value: Any) -> str:
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise TemplateFailure(f"b64decode: not valid base64 of UTF-8 text ({exc})") from exc


def _sha256(value: Any) -> str:
    if isinstance(value, (dict, list)):
        text = json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    else:
        text = str(value)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _not_json(value: Any) -> Any:
    if isinstance(value, Undefined):
        str(value)
    raise TypeError(f"a {type(value).__name__} cannot be written as JSON")


def _plain(value: Any) -> Any:
    if isinstance(value, Undefined):
        str(value)
    if isinstance(value, YamlText):
        return value.data if value.data is not None else str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class Files:
    """``files.get("config/app.conf")``: read-only access to files inside the app folder."""

    def __init__(self, app: App) -> None:
        self._app = app
        # Every release of the app reads the same files: each is read once per run.
        self._texts: dict[str, str] = {}

    def get(self, name: str) -> str:
        name = str(name)
        text = self._texts.get(name)
        if text is None:
            try:
                text = self._app.root.read_text(name)
            except PytemplarError as exc:
                raise TemplateFailure(f"files.get('{name}'): {exc}") from exc
            self._texts[name] = text
        return text

    def glob(self, pattern: str) -> FileGlob:
        """The app's files whose path matches ``pattern`` (``config/*.conf``, ``files/**``), sorted."""
        from pytemplar.helm.builtins import FileGlob, glob_pattern

        matcher = glob_pattern(str(pattern))
        return FileGlob({name: self.get(name) for name in self._app.root.list_files("") if matcher.match(name)})

    def lines(self, name: str) -> list[str]:
        """The lines of a file, without their line breaks (Helm's .Files.Lines)."""
        return self.get(name).splitlines()

    def exists(self, name: str) -> bool:
        try:
            return self._app.root.resolve(str(name)).is_file()
        except PytemplarError as exc:  # a path outside the app is an error, not a probe
            raise TemplateFailure(f"files.exists('{name}'): {exc}") from exc


# Objects templates get from pytemplar: a missing member names the members they have.
_BUILTIN_OBJECTS = frozenset({Files, FileGlob, ApiVersions})


@record
class RenderedFile:
    """A rendered template: its text with a token for each slot, the slots, and the marks that
    map the text back to template lines (see :mod:`pytemplar.templating.lines`)."""

    template: str  # name relative to templates/
    path: str  # file path shown to users
    text: str
    slots: tuple[Slot, ...] | list[Slot] = ()
    marks: tuple[tuple[int, str, int], ...] | list[tuple[int, str, int]] = ()


def _tpl(context: Any, text: Any) -> str:
    """A values string rendered as a template, in the same sandbox: Helm's ``tpl``."""
    env = context.environment
    source = str(text)
    template = env.string_templates.get(source)
    if template is None:
        if marker_line(source) is not None:
            raise TemplateFailure(f"tpl: {RESERVED}")
        try:
            template = env.from_string(source)
        except TemplateSyntaxError as exc:
            raise _tpl_syntax_error(env, text, exc) from None
        env.string_templates[source] = template
    made: str = env.concat(template.root_render_func(template.new_context(context.get_all(), shared=True)))
    return made


_GO_ACTION = r"\{\{-?\s*(?:[.$]|(?:include|template|tpl|printf|toYaml)\s)"  # for a hint: compiled on first use


def _tpl_syntax_error(env: Any, text: Any, exc: TemplateSyntaxError) -> TemplateFailure:
    """The text given to ``tpl`` does not compile: name the value it came from, and Helm's syntax."""
    read = env._last_read
    what = "the text"
    if read is not None and read[0] is text:
        what = f"the text of {format_path((*read[1].key_path, read[2]), read[1].root)}"
    hint = (
        "tpl renders Jinja2: write {{ release.name }} where Helm has {{ .Release.Name }}, values.x for .Values.x"
        if re.search(_GO_ACTION, str(text))
        else "fix the template syntax of the text"
    )
    return TemplateFailure(f"tpl: {what} is not a template: {exc.message} in {json.dumps(str(text))}\x00{hint}")


# Every filter and global a template can use, in one place (Jinja2's built-ins besides).
FILTERS: dict[str, Callable[..., Any]] = {
    "tojson": _to_json,
    "toyaml": _to_yaml,
    "fromyaml": _from_yaml,
    "quote": _quote,
    "squote": _squote,
    "b64encode": _b64encode,
    "b64decode": _b64decode,
    "sha256": _sha256,
    "required": _required,
    "format": _format,
    "indent": _indent,
}
GLOBALS: dict[str, Any] = {
    "fail": _fail,
    "tpl": pass_context(_tpl),
}
REMOVED_GLOBALS = ("lipsum",)


class TemplateEngine:
    """The compiled templates of one app."""

    def __init__(self, app: App) -> None:
        self.app = app
        env = _Environment(
            loader=_AppLoader(app),
            undefined=_Undefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
            auto_reload=False,
            cache_size=-1,
            bytecode_cache=template_cache("app templates"),
        )
        for removed in REMOVED_GLOBALS:
            env.globals.pop(removed, None)
        env.globals.update(GLOBALS)
        env.filters.update(FILTERS)
        env.globals["range"] = budget.bounded_range
        env.filters[budget.STEP_FILTER] = budget.counted
        env.filters[budget.CHARGE_FILTER] = budget.charge
        env.template_paths = {name: path for name, path in app.template_paths.items()}
        env.string_templates = {}
        env.line_marks = LineMarks(env.template_paths)
        from pytemplar.helm.builtins import install

        install(env, self)
        env.filters[budget.SIZE_FILTER] = budget.sized
        budget.bound_filters(env.filters)  # filters count the characters they read and make
        self.env = env
        self._compiled: dict[str, Any] = {}
        self._files = Files(app)
        self._rendering: list[str] = []

    def compile_all(self) -> None:
        """Compile every template, so syntax errors surface before any release renders."""
        for name in self.app.templates:
            self._template(name)

    def _template(self, name: str) -> Any:
        compiled = self._compiled.get(name)
        if compiled is None:
            reserved = marker_line(self.app.templates.get(name, ""))
            if reserved is not None:
                raise TemplateError(RESERVED, location=Location(self.app.template_paths[name], reserved))
            try:
                compiled = self.env.get_template(name)
            except TemplateSyntaxError as exc:
                raise self._syntax_error(exc, name) from exc
            except RecursionError:
                raise TemplateError(
                    "template syntax error: expressions are nested too deeply",
                    location=Location(self.app.template_paths[name]),
                ) from None
            self._compiled[name] = compiled
        return compiled

    def render(self, context: Mapping[str, Any]) -> list[RenderedFile]:
        full = dict(context)
        full["files"] = self._files
        self.env.shared_modules = {}  # helper modules are shared by the templates of one release only
        try:
            return self._render_all(full)
        finally:
            self.env.shared_modules = None

    def _render_all(self, full: dict[str, Any]) -> list[RenderedFile]:
        rendered: list[RenderedFile] = []
        for name in self.app.manifest_templates:
            template = self._template(name)
            path = self.app.template_paths[name]
            try:
                with activity(path, "rendering this template"):
                    text, slots, marks = self._render_one(template, full)
            except TemplateError:
                raise
            except MemoryError:
                raise TemplateError(
                    "rendering this template needed more memory than the limit",
                    location=Location(path),
                    hint="a loop or filter builds something very large; --max-memory raises the limit",
                ) from None
            except Exception as exc:  # any failure inside a template is the template's
                raise self._translate(name, exc) from exc
            rendered.append(RenderedFile(name, path, text, slots, marks))
        return rendered

    def _render_one(self, template: Any, context: dict[str, Any]) -> tuple[str, list[Slot], list[tuple[int, str, int]]]:
        """The template's text with a token for each slot, its slots and its line marks."""
        env = self.env
        slots: list[Slot] = []
        marks: list[Mark] = []
        env.slots, env.value_chars = slots, 0
        parts: list[str] = []
        size = 0
        budget.start()
        chunks = template.root_render_func(template.new_context(context))
        try:
            for chunk in chunks:
                if type(chunk) is not str:
                    if type(chunk) is LineMark:
                        marks.append((size, chunk.template, chunk.line))
                        continue
                    if type(chunk) is Fragment:  # a call block's output is template text
                        marks.extend([(size + offset, path, line) for offset, path, line in chunk.marks])
                        chunk = chunk.source
                parts.append(chunk)
                size += len(chunk)
                if size + env.value_chars > MAX_RENDERED_CHARS:
                    frame = chunks.gi_frame  # the line that wrote past the limit
                    line = template.get_corresponding_lineno(frame.f_lineno) if frame is not None else None
                    chunks.close()
                    raise TemplateError(
                        f"the template rendered more than {MAX_RENDERED_CHARS:,} characters, the limit",
                        location=Location(env.template_paths.get(template.name, template.name), line),
                        hint="a loop writes without end, or far more than a manifest holds",
                    )
        except TemplateError:
            raise
        except Exception:
            env.handle_exception()  # re-raises with the traceback in template lines
        finally:
            env.slots = None
        return "".join(parts), slots, marks

    def render_text(self, name: str, context: Mapping[str, Any]) -> str:
        """The rendered text of template ``name`` (relative to templates/), for ``render_template``."""
        if name not in self.app.templates:
            known = ", ".join(self.app.manifest_templates)
            raise TemplateFailure(f"render_template: no template '{name}' (templates: {known})")
        if name in self._rendering:
            raise TemplateFailure(f"render_template: '{name}' renders itself ({' -> '.join([*self._rendering, name])})")
        template = self._template(name)
        self._rendering.append(name)
        try:
            made: str = self.env.concat(template.root_render_func(template.new_context(dict(context))))
            return made
        finally:
            self._rendering.pop()

    def _syntax_error(self, exc: TemplateSyntaxError, name: str) -> TemplateError:
        known = self.app.template_paths.values()
        path = exc.filename if exc.filename and exc.filename in known else self.app.template_paths[name]
        source = self.app.templates.get(exc.name or name, self.app.templates[name])
        opened = _unclosed_block(self.env, source) if "end of template" in (exc.message or "") else None
        if opened is not None:
            tag, line = opened
            return TemplateError(
                f"template syntax error: Unexpected end of template: the '{tag}' on line {line} is never closed",
                location=Location(path, line),
                hint=f"add {{% end{tag} %}} where the block should end",
            )
        from pytemplar.helm.builtins import HELM_NAMES
        from pytemplar.templatehints import go_template, source_line, unknown_filter

        named = re.match(r"No (?:filter|test) named '(\w+)'", exc.message or "")
        hint = HELM_NAMES.get(named.group(1)) if named else None
        hint = go_template(source_line(source, exc.lineno)) or hint  # Helm's syntax: the cause, say it first
        hint = hint or unknown_filter(exc.message or "", self.env.filters)
        return TemplateError(f"template syntax error: {exc.message}", location=Location(path, exc.lineno), hint=hint)

    def _translate(self, name: str, exc: BaseException) -> TemplateError:
        import difflib
        import traceback

        location = Location(self.app.template_paths[name])
        known = set(self.app.template_paths.values())
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename in known:
                location = Location(frame.filename, frame.lineno)
                break
        if isinstance(exc, TemplateSyntaxError):  # an import of a broken helper
            return self._syntax_error(exc, name)
        if isinstance(exc, UndefinedNameError) and exc.top_level:
            from pytemplar.helm.builtins import HELM_NAMES

            if exc.name in HELM_NAMES:
                return TemplateError(
                    f"'{exc.name}' is Helm's; pytemplar has no such name", location=location, hint=HELM_NAMES[exc.name]
                )
            from pytemplar.templatehints import go_template, source_line

            names = sorted([*CONTEXT_NAMES, *self.env.globals])
            close = difflib.get_close_matches(exc.name or "", names, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            hint += f"templates can use {', '.join(CONTEXT_NAMES)}"
            source = next((n for n, p in self.app.template_paths.items() if p == location.path), name)
            hint = go_template(source_line(self.app.templates.get(source, ""), location.line)) or hint
            return TemplateError(str(exc.message or exc), location=location, hint=hint)
        if isinstance(exc, MemberError):
            message, _, hint = str(exc.message or exc).partition("\x00")
            return TemplateError(message, location=location, hint=hint or None)
        if isinstance(exc, AbsentValueError):
            return TemplateError(
                str(exc.message or exc),
                location=location,
                hint="test it first ({% if ... %}), give it a '| default(...)', or set it in a higher layer",
            )
        if isinstance(exc, UndefinedError):
            from pytemplar.templatehints import undefined

            message = str(exc.message or exc)
            return TemplateError(message, location=location, hint=undefined(message, self.app))
        if isinstance(exc, TemplateFailure):
            message, _, hint = str(exc).partition("\x00")
            return TemplateError(message, location=location, hint=hint or None)
        if isinstance(exc, SlotError):
            return TemplateError(str(exc), location=location)
        if isinstance(exc, SecurityError):
            return TemplateError(f"not allowed in a template: {exc}", location=location)
        if isinstance(exc, TemplateNotFound):
            return TemplateError(
                f"template '{exc.name}' not found",
                location=location,
                hint="helpers live in templates/ and are named relative to it",
            )
        if isinstance(exc, RecursionError):
            return TemplateError("template recursion too deep", location=location)
        called = re.match(_CALLER_UNUSED, str(exc)) if isinstance(exc, TypeError) else None
        if called is not None:
            return TemplateError(
                f"the macro {called.group(1)} is used with {{% call %}}, but never calls caller()",
                location=location,
                hint="write {{ caller() | fromyaml }} in the macro where the call block's YAML goes, "
                "or call the macro with {{ }} instead",
            )
        from pytemplar.templatehints import unknown_filter

        if "No filter named" in str(exc):  # a filter used only on a branch is looked up when it runs
            nearest = unknown_filter(str(exc), self.env.filters)
            return TemplateError(str(exc).replace(" found.", "").rstrip("."), location=location, hint=nearest)
        return TemplateError(f"{type(exc).__name__}: {exc}", location=location)


_CALLER_UNUSED = r"macro ('[^']*') was invoked with two values for the special caller argument"  # compiled on first use
CONTEXT_NAMES = ("values", "release", "app", "capabilities", "files")
_BLOCK_TAGS = frozenset({"if", "for", "macro", "call", "filter", "with", "block", "autoescape", "trans"})


def _unclosed_block(env: Any, source: str) -> tuple[str, int] | None:
    """The innermost block tag that is opened but never closed, and its line."""
    stack: list[tuple[str, int]] = []
    expecting_tag = False
    try:
        for lineno, kind, value in env.lex(source):
            if kind == "block_begin":
                expecting_tag = True
            elif expecting_tag and kind == "name":
                expecting_tag = False
                if value in _BLOCK_TAGS:
                    stack.append((value, lineno))
                elif value.startswith("end") and stack and stack[-1][0] == value[3:]:
                    stack.pop()
            elif kind != "whitespace":
                expecting_tag = False
    except TemplateSyntaxError:
        return None
    return stack[-1] if stack else None


def template_context(
    values: Mapping[str, Any],
    *,
    release: str,
    namespace: str,
    environment: str,
    app: App,
    kube_version: str | None,
    log: ReadLog | None = None,
    absent: AbsentKeys | None = None,
) -> dict[str, Any]:
    from pytemplar.policies import DEFAULT_KUBE_VERSION  # policies imports manifests, which imports us

    return {
        "values": as_template_data(dict(values), "values", (), log, absent),
        "release": as_template_data(
            {"name": release, "namespace": namespace, "environment": environment, "service": SERVICE}, "release"
        ),
        "app": as_template_data({"name": app.name, "version": app.version, "appVersion": app.app_version}, "app"),
        "capabilities": as_template_data(capabilities(kube_version or DEFAULT_KUBE_VERSION), "capabilities"),
    }
