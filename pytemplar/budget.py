"""The budget of one template render: work units, ``range`` sizes and output characters.

Jinja2's sandbox bounds what a template may reach, not how long it runs: two nested loops over
``range(100000)`` make ten billion iterations, a macro that calls itself twice per level makes
2**40 calls, and a loop can write gigabytes before the text is ever measured. So that such a
template is stopped after a moment of CPU, the same way on every machine, each render counts
units of work:

* each iteration of a ``{% for %}`` loop costs one unit plus one per node of the loop's body (the
  compiled loops iterate through :func:`counted`), so a large body costs in proportion;
* each call of a macro (or a ``{% call %}`` block) costs the same for its body (:func:`charge`);
* each call a template makes (functions, macros, methods, which the sandbox routes through its
  ``call``) costs :data:`CALL_UNITS`, about what a call costs next to a loop step;
* past :data:`MAX_UNITS` the render stops, naming the template line that was running;
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

from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError

MAX_UNITS = 10_000_000  # units of work of one template render (see the module's docstring)
CALL_UNITS = 60  # what one call costs: a sandboxed call takes about as long as 60 loop steps
MAX_RANGE = 100_000  # numbers made by one range()
MAX_RENDERED_CHARS = 16 * 1024 * 1024  # characters of text one template render writes

STEP_FILTER = "_pytemplar_steps"  # the filter compiled loops iterate through
CHARGE_FILTER = "_pytemplar_charge"  # the filter a macro body starts with

_remaining = MAX_UNITS


class BudgetExceeded(SecurityError):
    """A template used more steps or output than one render may; the message says which."""


def start() -> None:
    """Give the render about to start the whole budget."""
    global _remaining
    _remaining = MAX_UNITS


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
    return f"more than {MAX_UNITS:,} units of work (loop steps and calls) in one render; does a loop never end?"


def bounded_range(*arguments: int) -> range:
    """``range()`` for templates: at most :data:`MAX_RANGE` numbers."""
    numbers = range(*arguments)
    if len(numbers) > MAX_RANGE:
        shown = ", ".join(map(str, arguments))
        raise BudgetExceeded(f"range({shown}) is too large: {len(numbers):,} numbers, more than {MAX_RANGE:,}")
    return numbers


def _size(body: list[nodes.Node]) -> int:
    return 1 + sum(1 + sum(1 for _ in node.find_all(nodes.Node)) for node in body)


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
    return template
