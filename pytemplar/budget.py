"""The budget of one template render: work units, ``range`` sizes and output characters.

Jinja2's sandbox bounds what a template may reach, not how long it runs: two nested loops over
``range(100000)`` make ten billion iterations, a macro that calls itself twice per level makes
2**40 calls, and a loop can write gigabytes before the text is ever measured. So that such a
template is stopped after a moment of CPU, the same way on every machine, each render counts
units of work:

* each iteration of a ``{% for %}`` loop costs one unit plus one per node of the loop's body and
  one per :data:`CHARS_PER_UNIT` characters of literal text in it (the compiled loops iterate
  through :func:`counted`), so a large body costs in proportion;
* each call of a macro (or a ``{% call %}`` block) costs the same for its body (:func:`charge`);
* each call a template makes (functions, macros, methods, which the sandbox routes through its
  ``call``) costs :data:`CALL_UNITS`, about what a call costs next to a loop step;
* past :data:`MAX_UNITS` the render stops, naming the template line that was running;
* every filter, every call and every ``+``, ``*``, ``%`` and ``~`` costs one unit per
  :data:`CHARS_PER_UNIT` characters (or :data:`ITEMS_PER_UNIT` items) it reads and makes (:func:`sized`), so a loop that
  copies, replaces or joins a megabyte per step is stopped as fast as one that runs long; a
  ``replace`` or ``join`` whose result would pass the budget is refused before it is built;
* ``range()`` makes at most :data:`MAX_RANGE` numbers, as in Jinja2's sandbox;
* the engine builds the text from the chunks the template yields and stops the render as soon
  as they pass :data:`MAX_RENDERED_CHARS`, naming the line that wrote past it: a runaway loop
  never builds the whole text first.

The limits are deterministic: a template that renders here renders on every machine. They are
far above what real templates use (each template of the example apps uses under 500 units per
release) and keep a runaway render under about two seconds of CPU. What a single node costs is
bounded elsewhere (``engine``: big powers, repetitions and format widths; the memory limit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.visitor import NodeTransformer

MAX_UNITS = 10_000_000  # units of work of one template render (see the module's docstring)
CALL_UNITS = 60  # what one call costs: a sandboxed call takes about as long as 60 loop steps
MAX_RANGE = 100_000  # numbers made by one range()
MAX_RENDERED_CHARS = 16 * 1024 * 1024  # characters of text one template render writes
# Characters (or items) an operation reads or makes per unit: copying or scanning 16 characters
# takes about as long as a loop step, so the budget also bounds work on huge strings and lists.
CHARS_PER_UNIT = 16
ITEMS_PER_UNIT = 2
# Filters that look at a value without reading it through: what they are given costs nothing.
CONSTANT_TIME_FILTERS = frozenset({"length", "count", "first", "last", "default", "d"})

STEP_FILTER = "_pytemplar_steps"  # the filter compiled loops iterate through
CHARGE_FILTER = "_pytemplar_charge"  # the filter a macro body starts with
SIZE_FILTER = "_pytemplar_sized"  # the filter every ``~`` concatenation goes through

_remaining = MAX_UNITS


class BudgetExceeded(SecurityError):
    """A template used more steps or output than one render may; the message says which."""


def start() -> None:
    """Give the render about to start the whole budget."""
    global _remaining
    _remaining = MAX_UNITS


def remaining() -> int:
    """The units the current render may still use."""
    return _remaining


def step() -> None:
    """Count a call against the current render's budget."""
    global _remaining
    _remaining -= CALL_UNITS
    if _remaining < 0:
        raise BudgetExceeded(_exceeded())


def charge(_anything: Any, units: int) -> str:
    """Count ``units`` against the budget (what a macro body starts with); writes nothing."""
    global _remaining
    _remaining -= units
    if _remaining < 0:
        raise BudgetExceeded(_exceeded())
    return ""


def counted(iterable: Iterable[Any], units: int = 1) -> Iterator[Any]:
    """``iterable``, each item costing ``units`` (what every ``{% for %}`` iterates)."""
    global _remaining
    for item in iterable:
        _remaining -= units
        if _remaining < 0:
            raise BudgetExceeded(_exceeded())
        yield item


def _exceeded() -> str:
    return (
        f"more than {MAX_UNITS:,} units of work (loop steps, calls and characters handled) in one render; "
        "does a loop never end?"
    )


def _units(value: Any) -> int:
    """What copying or scanning a value costs: a unit per :data:`CHARS_PER_UNIT` characters of a
    string, per :data:`ITEMS_PER_UNIT` items of a list or map (each item is an object to visit)."""
    if isinstance(value, (str, bytes)):
        return len(value) // CHARS_PER_UNIT
    if isinstance(value, (list, tuple, dict)):
        return len(value) // ITEMS_PER_UNIT
    return 0


def sized(value: Any) -> Any:
    """``value``, after counting what making it cost."""
    global _remaining
    units = _units(value)
    if units:
        _remaining -= units
        if _remaining < 0:
            raise BudgetExceeded(_exceeded())
    return value


def _read(arguments: Iterable[Any]) -> None:
    """Count the strings and lists an operation is given: scanning them costs too."""
    global _remaining
    units = sum(_units(argument) for argument in arguments)
    if units:
        _remaining -= units
        if _remaining < 0:
            raise BudgetExceeded(_exceeded())


def _refuse_before(what: str, chars: int) -> None:
    """Refuse an operation whose result is known to pass the budget before it is built."""
    if chars // CHARS_PER_UNIT > _remaining:
        raise BudgetExceeded(
            f"{what} would make {chars:,} characters, more than the rest of one render's budget "
            f"({max(_remaining, 0) * CHARS_PER_UNIT:,} characters)"
        )


def _replaced_size(text: Any, old: Any, new: Any, count: Any = -1) -> int:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    found = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


def _joined_size(items: Any, separator: Any = "") -> int:
    if not isinstance(items, (list, tuple)):
        return 0
    chars = sum(len(item) if isinstance(item, str) else 1 for item in items)
    return chars + max(len(items) - 1, 0) * (len(separator) if isinstance(separator, str) else 1)


def check_call(function: Any, arguments: tuple[Any, ...]) -> None:
    """Before a call: count what it reads; refuse ``str.replace`` and ``str.join`` whose result
    would pass the budget."""
    owner = getattr(function, "__self__", None)
    if isinstance(owner, str):
        name = getattr(function, "__name__", "")
        if name == "replace" and len(arguments) >= 2:
            _refuse_before("replace", _replaced_size(owner, *arguments[:3]))
        elif name == "join" and arguments:
            _refuse_before("join", _joined_size(arguments[0], owner))
        _read((owner, *arguments))
    else:
        _read(arguments)


def bound_filters(filters: MutableMapping[str, Callable[..., Any]]) -> None:
    """Make every filter count what it reads and makes; ``replace`` and ``join`` are refused before
    they build a result past the budget."""
    for name, function in list(filters.items()):
        if name not in (STEP_FILTER, CHARGE_FILTER, SIZE_FILTER):
            filters[name] = _sized_filter(name, function)


def _sized_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def bounded(*arguments: Any, **options: Any) -> Any:
        data = [a for a in arguments if isinstance(a, (str, bytes, list, tuple, dict))]
        if name == "replace" and len(data) >= 3:
            text, old, new = data[:3]
            _refuse_before("replace", _replaced_size(text, old, new, options.get("count", -1)))
        elif name == "join" and data:
            _refuse_before("join", _joined_size(data[0], data[1] if len(data) > 1 else options.get("d", "")))
        if name not in CONSTANT_TIME_FILTERS:
            _read((*data, *options.values()))
        return sized(function(*arguments, **options))

    # What functools.wraps copies that a filter's callers read: jinja_pass_arg (in __dict__), so
    # the filter gets the same arguments, and the name (0.19 ms for the ~70 filters with wraps).
    bounded.__dict__.update(getattr(function, "__dict__", ()))
    bounded.__name__ = getattr(function, "__name__", name)
    bounded.__qualname__ = getattr(function, "__qualname__", name)
    bounded.__doc__ = getattr(function, "__doc__", None)
    bounded.__wrapped__ = function  # type: ignore[attr-defined]
    return bounded


class _SizedConcat(NodeTransformer):
    """Every ``a ~ b`` goes through :func:`sized`, so building long strings counts."""

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, SIZE_FILTER, [], [], None, None, lineno=node.lineno)


def bounded_range(*arguments: int) -> range:
    """``range()`` for templates: at most :data:`MAX_RANGE` numbers."""
    numbers = range(*arguments)
    if len(numbers) > MAX_RANGE:
        shown = ", ".join(map(str, arguments))
        raise BudgetExceeded(f"range({shown}) is too large: {len(numbers):,} numbers, more than {MAX_RANGE:,}")
    return numbers


def _size(body: list[nodes.Node]) -> int:
    """Units one pass through ``body`` costs: one per node, and one per :data:`CHARS_PER_UNIT`
    characters of literal text it writes (text captured by ``{% set %}`` never reaches the output
    cap, so a loop writing a long literal into it must cost in proportion)."""
    units = 1
    for node in body:
        units += 1
        for inner in node.find_all(nodes.Node):
            units += 1 + (len(inner.data) // CHARS_PER_UNIT if isinstance(inner, nodes.TemplateData) else 0)
    return units


def count_loops(template: nodes.Template) -> nodes.Template:
    """Make a parsed template count its work: every ``{% for %}`` iterates through :func:`counted`
    and every macro or call block body starts with :func:`charge`, each by the size of its body."""
    loops = list(template.find_all(nodes.For))
    bodies: list[nodes.Macro | nodes.CallBlock] = [*template.find_all(nodes.Macro), *template.find_all(nodes.CallBlock)]
    for loop in loops:
        units = nodes.Const(_size(loop.body), lineno=loop.lineno)
        loop.iter = nodes.Filter(loop.iter, STEP_FILTER, [units], [], None, None, lineno=loop.iter.lineno)
    for block in bodies:
        units = nodes.Const(_size(block.body), lineno=block.lineno)
        # Filtered: an expression that is not constant (a constant would be charged once, at
        # compile time) and is not the context (a macro naming it keeps its module alive in a
        # reference cycle, left to the garbage collector, for every helper import of every release).
        anything = nodes.EnvironmentAttribute("undefined", lineno=block.lineno)
        cost = nodes.Filter(anything, CHARGE_FILTER, [units], [], None, None, lineno=block.lineno)
        block.body.insert(0, nodes.ExprStmt(cost, lineno=block.lineno))
    _SizedConcat().visit(template)
    return template
