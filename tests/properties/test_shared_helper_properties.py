"""A helper imported with context by several templates of a release renders as if each ran it.

The engine hands the templates of one release a single module of a helper when running it again
would make the same one (``_Environment.module_with_context``). The oracle is Jinja2's own import
(``make_module`` with the importing context, for every import). Generated helpers mix what must
not be shared (state that a macro changes: a namespace, a cycler, a joiner; values written at the
top level; a block of text holding values) with what may (values read, maps of them, macros, plain
text blocks); generated templates set names before the import or not, read values right after it
(the slot then names the path the helper read last) and call the macros. Every rendered file (its
text with tokens, slots, line marks) or the problems, and the objects parsed from them, must be
the oracle's; with the budget lowered, the error that stops a render too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st
from jinja2.environment import TemplateModule

from pytemplar import budget
from pytemplar.errors import PytemplarError
from pytemplar.project import App, Workspace
from pytemplar.templating.engine import TemplateEngine, _Environment, template_context
from pytemplar.templating.parse import parse_rendered
from tests.conftest import write_tree

# Pieces of a helper's top level, each with the uses a template can make of it.
PIECES: dict[str, tuple[str, list[str]]] = {
    "read": ("{% set read = values.x %}", ["read: {{ h.read }}"]),
    "map": ('{% set labels = {"x": values.x, "name": release.name} %}', ["labels: {{ h.labels }}"]),
    "name": ("{% set fullname = release.name %}", ["name: {{ h.fullname }}"]),
    "namespace": (
        "{% set ns = namespace(n=0) %}{% macro bump() %}{% set ns.n = ns.n + 1 %}{{ ns.n }}{% endmacro %}",
        ["bumped: {{ h.bump() }}"],
    ),
    "cycler": (
        '{% set turn = cycler("p", "q") %}{% macro next_turn() %}{{ turn.next() }}{% endmacro %}',
        ["turn: {{ h.next_turn() }}"],
    ),
    "joiner": ('{% set _sep = joiner("+") %}{% macro joined() %}{{ _sep() }}j{% endmacro %}', ["j: {{ h.joined() }}"]),
    "written": ("{{ values.x }}", []),
    "block": ("{% set block %}b-{{ values.x }}{% endset %}", ["block: {{ h.block }}"]),
    "text": ("{% set text %}plain{% endset %}", ["text: {{ h.text }}"]),
    "macro": ("{% macro label(v) %}{{ v }}{% endmacro %}", ["label: {{ h.label(values.x) }}"]),
    "saw": ("{% set saw = before is defined %}", ["saw: {{ h.saw }}"]),
    "loop": ("{% for i in range(30) %}{% endfor %}{% set looped = 1 %}", []),
}

STATEFUL = ["namespace", "cycler", "joiner", "written", "block"]  # pieces whose helper is never shared
# Most helpers are shareable ones (the case the engine optimises), some hold one stateful piece.
helpers = st.tuples(
    st.lists(st.sampled_from(sorted(set(PIECES) - {*STATEFUL, "loop"})), min_size=1, max_size=4, unique=True),
    st.lists(st.sampled_from(STATEFUL), max_size=1),
    st.integers(min_value=0, max_value=4),
).map(lambda parts: [*parts[0][: parts[2]], *parts[1], *parts[0][parts[2] :]])
templates = st.lists(
    # set before the import, read after it, work before it, work after it
    st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()),
    min_size=2,
    max_size=4,
)
# "web" is the release's name too: the same string object, so a slot after the import may
# take the path of the last value the helper read.
values = st.fixed_dictionaries({"x": st.sampled_from(["web", "v1", 3, None, "multi\nline"])})


def make_app(base: Path, pieces: list[str], shapes: list[tuple[bool, bool, bool, bool]]) -> App:
    helper = "\n".join(PIECES[piece][0] for piece in pieces) + "\n"
    uses = [use for piece in pieces for use in PIECES[piece][1]]
    files = {"app/app.yaml": "name: demo\nversion: 0.1.0\n", "app/templates/_helpers.j2": helper}
    for index, (set_before, read_after, work_first, work_after) in enumerate(shapes):
        lines = []
        if work_first:
            lines.append("{% if range(40) | list | length %}{% endif %}")  # work before the import
        if set_before:
            lines.append("{% set before = 1 %}")
        lines.append('{% import "_helpers.j2" as h with context %}')
        lines.append(f"kind: T{index}")
        if read_after:
            lines.append("after: {{ values.x }}")
        if work_after:
            lines.append("{% if range(40) | list | length %}{% endif %}")
        lines.extend(uses)
        files[f"app/templates/t{index}.yaml.j2"] = "\n".join(lines) + "\n"
    return Workspace().app(write_tree(base, files) / "app")


def jinja_import(self: Any, name: Any, parent: Any, context: Any, local_vars: Any) -> TemplateModule:
    """What Jinja2 compiles an import with context to: the helper run for each import."""
    return self.get_template(name, parent).make_module(context.get_all(), True, local_vars)


def outcome(app: App, data: dict[str, Any], share: bool) -> Any:
    context = template_context(data, release="web", namespace="shop", environment="dev", app=app, kube_version=None)
    importing = _Environment.module_with_context if share else jinja_import
    with mock.patch.object(_Environment, "module_with_context", importing):
        try:
            files = TemplateEngine(app).render(context)
            rendered = [(f.template, f.text, list(f.slots), list(f.marks)) for f in files]
            return rendered, [manifest.obj for manifest in parse_rendered(files, "web", "dev")]
        except PytemplarError as exc:
            return [(p.message, p.location, p.hint) for p in exc.problems]


@settings(max_examples=150, deadline=None)
@given(helpers, templates, values)
def test_templates_sharing_a_helper_render_as_with_jinjas_import(
    pieces: list[str], shapes: list[tuple[bool, bool, bool, bool]], data: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as base:
        app = make_app(Path(base), pieces, shapes)
        assert outcome(app, data, share=True) == outcome(app, data, share=False)


@settings(max_examples=100, deadline=None)
@given(helpers, templates, values, st.integers(min_value=100, max_value=400))
# The second template has less budget left at its import than the helper costs: it runs again.
@example(["read"], [(False, False, False, False), (False, False, True, False)], {"x": "v1"}, 130)
def test_a_shared_helper_costs_the_budget_what_running_it_costs(
    pieces: list[str], shapes: list[tuple[bool, bool, bool, bool]], data: dict[str, Any], units: int
) -> None:
    with tempfile.TemporaryDirectory() as base, mock.patch.object(budget, "MAX_UNITS", units):
        app = make_app(Path(base), ["loop", *pieces], shapes)
        assert outcome(app, data, share=True) == outcome(app, data, share=False)


def test_a_helper_without_state_runs_once_per_release() -> None:
    """The case sharing is for: what the property tests compare is then actually shared."""
    with tempfile.TemporaryDirectory() as base:
        app = make_app(Path(base), ["read", "map", "name", "macro", "text"], [(False, True, False, False)] * 3)
        context = template_context({"x": "v"}, release="w", namespace="s", environment="e", app=app, kube_version=None)
        engine = TemplateEngine(app)
        with mock.patch.object(TemplateModule, "__init__", autospec=True, side_effect=TemplateModule.__init__) as made:
            engine.render(context)
            engine.render(context)
        assert made.call_count == 2  # once for each release, not once for each of its 3 templates
