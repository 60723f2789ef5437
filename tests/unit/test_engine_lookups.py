"""Lookups that templates make on every line: values, names exported by helpers, and app files.

These have short paths of their own in the engine; the sandbox must refuse through them exactly
what it refuses elsewhere, and messages must name the same values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from pytemplar.errors import TemplateError
from pytemplar.project import App, Workspace
from pytemplar.templating.engine import TemplateEngine, template_context
from pytemplar.templating.parse import parse_rendered

HELPERS = """\
{% set fullname = release.name ~ "-web" %}
{% set formatter = "{0.__init__.__globals__}".format %}
{% macro port(number) %}{{ number }}{% endmacro %}
"""


@pytest.fixture
def build(make_tree: Callable[..., Path]) -> Callable[..., App]:
    def make(template: str, files: Mapping[str, str] | None = None) -> App:
        tree = {
            "app/app.yaml": "name: demo\nversion: 0.1.0\n",
            "app/templates/_helpers.j2": HELPERS,
            "app/templates/t.yaml.j2": template,
        }
        tree.update({f"app/{name}": text for name, text in (files or {}).items()})
        return Workspace().app(make_tree(tree) / "app")

    return make


def render(engine: TemplateEngine, values: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    context = template_context(
        dict(values or {}), release="web", namespace="shop", environment="dev", app=engine.app, kube_version=None
    )
    return [manifest.obj for manifest in parse_rendered(engine.render(context), "web", "dev")]


def render_error(app: App, values: Mapping[str, Any] | None = None) -> TemplateError:
    with pytest.raises(TemplateError) as raised:
        render(TemplateEngine(app), values)
    return raised.value


IMPORT = '{% import "_helpers.j2" as h with context %}\n'


def test_names_exported_by_a_helper_are_read_as_written(build: Callable[..., App]) -> None:
    app = build(IMPORT + "name: {{ h.fullname }}\nport: {{ h.port(8080) | int }}\n")
    assert render(TemplateEngine(app)) == [{"name": "web-web", "port": 8080}]


@pytest.mark.parametrize(
    ("expression", "refusal"),
    [
        pytest.param(
            "h._body_stream", "access to attribute '_body_stream' of 'TemplateModule' object is unsafe.", id="private"
        ),
        pytest.param("h.__dict__", "access to attribute '__dict__' of 'TemplateModule' object is unsafe.", id="dunder"),
        pytest.param(
            "h.formatter(cycler)",
            "access to attribute '__init__' of 'type' object is unsafe.",
            id="exported-str-format",
        ),
    ],
)
def test_a_helpers_internals_stay_out_of_reach(build: Callable[..., App], expression: str, refusal: str) -> None:
    error = render_error(build(IMPORT + f"a: 1\nb: {{{{ {expression} }}}}\n"))
    assert str(error) == f"not allowed in a template: {refusal}"


def test_a_name_a_helper_does_not_export_is_undefined(build: Callable[..., App]) -> None:
    error = render_error(build(IMPORT + "a: {{ h.nothing }}\n"))
    assert str(error) == "the helper '_helpers.j2' has no macro or variable 'nothing'"
    assert "TemplateModule" not in (error.problems[0].hint or "")


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        ("values.tls.cert", {"tls": None}, "'values.tls' is null, so it has no 'cert'"),
        (
            "values.servers[1].tls.cert",
            {"servers": [{}, {"tls": None}]},
            "'values.servers[1].tls' is null, so it has no 'cert'",
        ),
        ("values['my-app'].tls.cert", {"my-app": {"tls": None}}, "'values['my-app'].tls' is null, so it has no 'cert'"),
        ("values.servers[1].nme", {"servers": [{}, {"name": "a"}]}, "'values.servers[1].nme' is undefined"),
    ],
)
def test_messages_name_the_value_through_maps_and_lists(
    build: Callable[..., App], expression: str, values: dict[str, Any], message: str
) -> None:
    error = render_error(build(f"a: {{{{ {expression} }}}}\n"), values)
    assert str(error) == message


def test_an_app_file_that_cannot_be_read_fails_every_release(build: Callable[..., App]) -> None:
    engine = TemplateEngine(build('a: {{ files.get("files/missing.conf") }}\n'))
    for _ in range(2):
        with pytest.raises(TemplateError) as raised:
            render(engine)
        assert str(raised.value) == "files.get('files/missing.conf'): file 'files/missing.conf' not found"


def test_every_release_reads_the_same_app_file(build: Callable[..., App]) -> None:
    engine = TemplateEngine(build('a: {{ files.get("files/app.conf") }}\n', {"files/app.conf": "level=info"}))
    assert render(engine) == render(engine) == [{"a": "level=info"}]
