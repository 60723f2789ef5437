"""Rendering app templates: filters, helpers, undefined names, the sandbox and file access.

Every test builds a small app on disk, loads it the way pytemplar does, renders it and reads
the result back as manifests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from pytemplar.errors import Location, PytemplarError, TemplateError
from pytemplar.project import App, Workspace
from pytemplar.templating.engine import RenderedFile, TemplateEngine, template_context
from pytemplar.templating.parse import parse_rendered

APP_YAML = """
    name: demo
    version: 0.1.0
"""

BuildApp = Callable[..., App]


@pytest.fixture
def build(make_tree: Callable[..., Path]) -> BuildApp:
    """``build({template name: text}, files={path in app: text})`` writes and loads an app."""

    def make(templates: Mapping[str, str], files: Mapping[str, str] | None = None) -> App:
        tree = {"app/app.yaml": APP_YAML}
        tree.update({f"app/templates/{name}": text for name, text in templates.items()})
        tree.update({f"app/{name}": text for name, text in (files or {}).items()})
        root = make_tree(tree)
        return Workspace().app(root / "app")

    return make


def render(app: App, values: Mapping[str, Any] | None = None) -> list[RenderedFile]:
    context = template_context(
        dict(values or {}), release="web", namespace="shop", environment="dev", app=app, kube_version=None
    )
    return TemplateEngine(app).render(context)


def objects(app: App, values: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    return [manifest.obj for manifest in parse_rendered(render(app, values), "web", "dev")]


def render_one(build: BuildApp, template: str, values: Mapping[str, Any] | None = None) -> Any:
    """The one object rendered from ``template``."""
    app = build({"t.yaml.j2": template})
    rendered = objects(app, values)
    assert len(rendered) == 1
    return rendered[0]


def render_error(
    build: BuildApp,
    template: str,
    values: Mapping[str, Any] | None = None,
    *,
    helpers: Mapping[str, str] | None = None,
    files: Mapping[str, str] | None = None,
) -> tuple[TemplateError, App]:
    app = build({"t.yaml.j2": template, **(helpers or {})}, files)
    with pytest.raises(TemplateError) as raised:
        render(app, values)
    return raised.value, app


def at(app: App, template: str, line: int | None) -> Location:
    return Location(app.template_paths[template], line)


CONFIG = {
    "name": "shop",
    "enabled": "yes",
    "ports": [80, 443],
    "nested": {"key": "a: b", "empty": None, "text": "line one\nline two\n"},
}


# -- filters --------------------------------------------------------------------------------------


def test_toyaml_places_a_map_as_one_node(build: BuildApp) -> None:
    obj = render_one(build, "config: {{ values.cfg | toyaml }}\nafter: 1\n", {"cfg": CONFIG})
    assert obj == {"config": CONFIG, "after": 1}


def test_toyaml_inside_a_block_scalar_writes_block_yaml_text(build: BuildApp) -> None:
    template = """
        data:
          config.yaml: |
            {{ values.cfg | toyaml }}
          other: x
    """
    obj = render_one(build, template, {"cfg": CONFIG})
    text = obj["data"]["config.yaml"]
    assert text.startswith("name: shop\n")
    assert yaml.safe_load(text) == CONFIG  # YAML 1.1 reads it the same: "yes" stays a string
    assert obj["data"]["other"] == "x"


def test_tojson_places_a_map_as_one_node(build: BuildApp) -> None:
    obj = render_one(build, "config: {{ values.cfg | tojson }}\n", {"cfg": CONFIG})
    assert obj == {"config": CONFIG}


def test_tojson_inside_double_quotes_is_the_json_text(build: BuildApp) -> None:
    obj = render_one(build, 'raw: "{{ values.cfg | tojson }}"\n', {"cfg": CONFIG})
    assert isinstance(obj["raw"], str)
    assert json.loads(obj["raw"]) == CONFIG


def test_tojson_with_indent_inside_a_block_scalar_keeps_its_lines(build: BuildApp) -> None:
    template = """
        data:
          config.json: |
            {{ values.cfg | tojson(2) }}
    """
    obj = render_one(build, template, {"cfg": CONFIG})
    text = obj["data"]["config.json"]
    assert text == json.dumps(CONFIG, indent=2, ensure_ascii=False) + "\n"


def test_fromyaml_turns_yaml_text_into_data(build: BuildApp) -> None:
    obj = render_one(build, "parsed: {{ values.text | fromyaml }}\n", {"text": "a: 1\nb: [x, 'y: z']\nc: yes\n"})
    assert obj == {"parsed": {"a": 1, "b": ["x", "y: z"], "c": "yes"}}


def test_fromyaml_of_invalid_yaml_is_a_template_error_at_the_line(build: BuildApp) -> None:
    error, app = render_error(build, "a: 1\nparsed: {{ values.text | fromyaml }}\n", {"text": "a: [unclosed"})
    assert error.location == at(app, "t.yaml.j2", 2)
    assert "invalid YAML" in str(error)


def test_quote_writes_any_scalar_as_a_string(build: BuildApp) -> None:
    template = "a: {{ values.s | quote }}\nb: {{ 5 | quote }}\nc: {{ true | quote }}\n"
    obj = render_one(build, template, {"s": 'x: y\n- "z" # w'})
    assert obj == {"a": 'x: y\n- "z" # w', "b": "5", "c": "true"}


def test_squote_writes_single_quoted_strings_and_falls_back_for_line_breaks(build: BuildApp) -> None:
    app = build({"t.yaml.j2": "a: {{ values.s | squote }}\nb: {{ 5 | squote }}\nc: {{ values.n | squote }}\n"})
    assert objects(app, {"s": "it's: #1", "n": "two\nlines"}) == [{"a": "it's: #1", "b": "5", "c": "two\nlines"}]
    # Inside a string, squote's result is its YAML text.
    app = build({"t.yaml.j2": 'a: "{{ values.s | squote }}"\nb: "{{ values.n | squote }}"\n'})
    assert objects(app, {"s": "it's: #1", "n": "two\nlines"}) == [{"a": "'it''s: #1'", "b": '"two\\nlines"'}]


@pytest.mark.parametrize("breaks", ["\x85", "\u2028", "\u2029", "\r", "\x0b"])
def test_squote_never_writes_a_yaml_1_1_line_break_inside_single_quotes(build: BuildApp, breaks: str) -> None:
    # A YAML 1.1 reader (kubectl, PyYAML) folds U+0085, U+2028 and U+2029 in a single-quoted
    # scalar into a space: squote double-quotes such text instead.
    text = f"a{breaks}b"
    app = build({"t.yaml.j2": 'a: {{ values.s | squote }}\nb: "{{ values.s | squote }}"\n'})
    (obj,) = objects(app, {"s": text})
    assert obj["a"] == text
    assert not obj["b"].startswith("'")
    assert yaml.safe_load(obj["b"]) == text


def test_b64encode_and_b64decode_round_trip_utf8(build: BuildApp) -> None:
    template = "enc: {{ values.s | b64encode }}\ndec: {{ values.s | b64encode | b64decode }}\n"
    obj = render_one(build, template, {"s": "grüße: ✓"})
    assert obj == {"enc": base64.b64encode("grüße: ✓".encode()).decode("ascii"), "dec": "grüße: ✓"}


def test_b64decode_refuses_text_that_is_not_base64(build: BuildApp) -> None:
    error, app = render_error(build, "a: 1\nb: {{ 'not base64!' | b64decode }}\n")
    assert str(error).startswith("b64decode: not valid base64 of UTF-8 text")
    assert error.location == at(app, "t.yaml.j2", 2)


def test_sha256_hashes_text_and_maps_independently_of_key_order(build: BuildApp) -> None:
    template = "s: {{ 'hello' | sha256 }}\nm1: {{ values.m1 | sha256 }}\nm2: {{ values.m2 | sha256 }}\n"
    obj = render_one(build, template, {"m1": {"a": 1, "b": [1, 2]}, "m2": {"b": [1, 2], "a": 1}})
    assert obj["s"] == hashlib.sha256(b"hello").hexdigest()
    assert obj["m1"] == obj["m2"] == hashlib.sha256(b'{"a":1,"b":[1,2]}').hexdigest()


def test_required_fails_with_the_authors_message_when_missing_or_empty(build: BuildApp) -> None:
    template = "a: 1\nb: {{ values.host | required('set values.host') }}\n"
    error, app = render_error(build, template, {})
    assert str(error) == "set values.host"
    assert error.location == at(app, "t.yaml.j2", 2)
    error, _ = render_error(build, template, {"host": ""})
    assert str(error) == "set values.host"
    error, _ = render_error(build, "a: {{ values.host | required }}\n", {"host": None})
    assert str(error) == "a required value is missing"


def test_required_passes_false_and_zero_through(build: BuildApp) -> None:
    template = "a: {{ values.f | required }}\nb: {{ values.z | required }}\nc: {{ values.s | required }}\n"
    assert render_one(build, template, {"f": False, "z": 0, "s": "x"}) == {"a": False, "b": 0, "c": "x"}


def test_default_replaces_only_undefined_unless_asked(build: BuildApp) -> None:
    template = """
        missing: {{ values.nope | default('d') }}
        when-false: {{ values.f | default('d') }}
        when-zero: {{ values.z | default('d') }}
        empty: {{ values.e | default('d') }}
        empty-boolean: {{ values.e | default('d', true) }}
        nested: {{ values.a.b | default('d') if values.a is defined else 'no a' }}
    """
    obj = render_one(build, template, {"f": False, "z": 0, "e": ""})
    assert obj == {
        "missing": "d",
        "when-false": False,
        "when-zero": 0,
        "empty": "",
        "empty-boolean": "d",
        "nested": "no a",
    }


def test_fail_stops_the_render_with_the_message_at_its_line(build: BuildApp) -> None:
    template = """
        a: 1
        {% if values.replicas > 10 %}
        {{ fail("at most 10 replicas, got " ~ values.replicas) }}
        {% endif %}
    """
    error, app = render_error(build, template, {"replicas": 11})
    assert str(error) == "at most 10 replicas, got 11"
    assert error.location == at(app, "t.yaml.j2", 3)
    assert render_one(build, template, {"replicas": 3}) == {"a": 1}


def test_context_holds_release_app_and_capabilities(build: BuildApp) -> None:
    template = """
        release: {{ release.name }}
        namespace: {{ release.namespace }}
        environment: {{ release.environment }}
        app: {{ app.name }}-{{ app.version }}
        kube: {{ capabilities.kubeVersion }}
    """
    obj = render_one(build, template)
    assert obj == {"release": "web", "namespace": "shop", "environment": "dev", "app": "demo-0.1.0", "kube": "1.35"}


# -- helpers --------------------------------------------------------------------------------------

HELPERS = """
    {% set fullname = release.name ~ "-" ~ app.name %}
    {% set labels = {"app.kubernetes.io/name": app.name, "app.kubernetes.io/instance": release.name} %}
    {% macro http_probe(probe) %}
    httpGet:
      path: {{ probe.path }}
      port: {{ probe.port }}
    periodSeconds: {{ probe.period | default(10) }}
    {% endmacro %}
"""

USES_HELPERS = """
    {% import "_helpers.j2" as h with context %}
    kind: Deployment
    metadata:
      name: {{ h.fullname }}
      labels: {{ h.labels }}
    spec:
      livenessProbe: {{ h.http_probe(values.probe) | fromyaml }}
"""


def test_helpers_share_variables_and_macros_through_import_with_context(build: BuildApp) -> None:
    app = build({"deployment.yaml.j2": USES_HELPERS, "_helpers.j2": HELPERS})
    (obj,) = objects(app, {"probe": {"path": "/healthz", "port": 8080}})
    assert obj == {
        "kind": "Deployment",
        "metadata": {
            "name": "web-demo",
            "labels": {"app.kubernetes.io/name": "demo", "app.kubernetes.io/instance": "web"},
        },
        "spec": {"livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10}},
    }


def test_macro_output_keeps_values_as_single_nodes(build: BuildApp) -> None:
    app = build({"deployment.yaml.j2": USES_HELPERS, "_helpers.j2": HELPERS})
    (obj,) = objects(app, {"probe": {"path": "/x\nport: 1", "port": "8080"}})
    assert obj["spec"]["livenessProbe"]["httpGet"] == {"path": "/x\nport: 1", "port": "8080"}


def test_underscore_templates_are_not_rendered_on_their_own(build: BuildApp) -> None:
    app = build(
        {
            "deployment.yaml.j2": USES_HELPERS,
            "_helpers.j2": HELPERS,
            "sub/_partial.yaml.j2": "this: {{ would.fail }}\n",
            "sub/service.yaml.j2": "kind: Service\n",
        }
    )
    assert sorted(app.manifest_templates) == ["deployment.yaml.j2", "sub/service.yaml.j2"]
    rendered = render(app, {"probe": {"path": "/", "port": 80}})
    assert sorted(file.template for file in rendered) == ["deployment.yaml.j2", "sub/service.yaml.j2"]


def test_missing_helper_is_a_template_error(build: BuildApp) -> None:
    error, app = render_error(build, 'a: 1\n{% import "_nope.j2" as h %}\n')
    assert str(error) == "template '_nope.j2' not found"
    assert error.location == at(app, "t.yaml.j2", 2)


# -- undefined names ------------------------------------------------------------------------------

UNDEFINED_HINT = "define it in values.yaml, or test it with 'is defined' or '| default(...)'"


def test_undefined_nested_value_names_its_full_path_and_line(build: BuildApp) -> None:
    template = "kind: Pod\nspec:\n  image: {{ values.image.tagg }}\n"
    error, app = render_error(build, template, {"image": {"tag": "1.0"}})
    assert str(error) == "'values.image.tagg' is undefined"
    assert error.location == at(app, "t.yaml.j2", 3)
    assert error.problems[0].hint == UNDEFINED_HINT


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        ("values.missing", {}, "'values.missing' is undefined"),
        ("values.a.b.c", {}, "'values.a' is undefined"),
        ("values['my-key'].sub", {"my-key": {}}, "'values['my-key'].sub' is undefined"),
        ("values.image['tag']", {"image": {}}, "'values.image.tag' is undefined"),
        ("values.ports[2]", {"ports": [80]}, "'values.ports[2]' is undefined (the list has 1 items)"),
        ("values.ports[-2]", {"ports": [80]}, "'values.ports[-2]' is undefined (the list has 1 items)"),
        ("values.pods[0].nme", {"pods": [{"name": "a"}]}, "'values.pods[0].nme' is undefined"),
        ("release.nme", {}, "'release.nme' is undefined"),
        ("valeus.x", {}, "'valeus' is undefined"),
    ],
)
def test_undefined_messages_name_what_is_missing(
    build: BuildApp, expression: str, values: dict[str, Any], message: str
) -> None:
    error, app = render_error(build, f"a: 1\nb: {{{{ {expression} }}}}\n", values)
    assert str(error) == message
    assert error.location == at(app, "t.yaml.j2", 2)


def test_undefined_in_a_condition_is_an_error_not_false(build: BuildApp) -> None:
    template = "a: 1\n{% if values.featur.enabled %}\nb: 2\n{% endif %}\n"
    error, app = render_error(build, template, {"feature": {"enabled": True}})
    assert str(error) == "'values.featur' is undefined"
    assert error.location == at(app, "t.yaml.j2", 2)


def test_is_defined_and_negative_index_in_range_do_not_fail(build: BuildApp) -> None:
    template = "a: {{ values.x is defined }}\nb: {{ values.ports[-1] }}\n"
    assert render_one(build, template, {"ports": [80, 443]}) == {"a": False, "b": 443}


def test_undefined_inside_a_helper_macro_is_located_in_the_helper(build: BuildApp) -> None:
    helpers = HELPERS.replace("probe.port }}", "probe.portt }}")
    error, app = render_error(
        build, USES_HELPERS, {"probe": {"path": "/", "port": 80}}, helpers={"_helpers.j2": helpers}
    )
    assert str(error) == "'values.probe.portt' is undefined"
    assert error.location == at(app, "_helpers.j2", 6)


def test_undefined_in_a_helper_set_is_located_in_the_helper(build: BuildApp) -> None:
    helpers = '{# names #}\n{% set fullname = values.naming.prefix ~ "-x" %}\n'
    template = '{% import "_helpers.j2" as h with context %}\nname: {{ h.fullname }}\n'
    error, app = render_error(build, template, {}, helpers={"_helpers.j2": helpers})
    assert str(error) == "'values.naming' is undefined"
    assert error.location == at(app, "_helpers.j2", 2)


# -- syntax errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "line", "message"),
    [
        ("a: 1\nb: 2\n{% if %}\n", 3, "template syntax error: Expected an expression, got 'end of statement block'"),
        ("a: 1\nb: {{ values.x }\n", 2, "template syntax error: unexpected '}'"),
        ("a: 1\n{% for x in y %}\nb: 2\n", 2, "template syntax error: Unexpected end of template"),
        ("a: 1\nb: {{ values.x | nosuch }}\n", 2, "template syntax error: No filter named 'nosuch'."),
    ],
)
def test_syntax_error_reports_the_template_line(build: BuildApp, template: str, line: int, message: str) -> None:
    app = build({"t.yaml.j2": template})
    with pytest.raises(TemplateError) as raised:
        render(app, {})
    assert str(raised.value).startswith(message)
    assert raised.value.location == at(app, "t.yaml.j2", line)
    with pytest.raises(TemplateError) as compiled:
        TemplateEngine(app).compile_all()
    assert compiled.value.location == at(app, "t.yaml.j2", line)


def test_syntax_error_in_a_helper_is_located_in_the_helper(build: BuildApp) -> None:
    app = build({"t.yaml.j2": '{% import "_h.j2" as h %}\na: 1\n', "_h.j2": "{# ok #}\n\n{% macro m( %}\n"})
    with pytest.raises(TemplateError) as raised:
        TemplateEngine(app).compile_all()
    assert raised.value.location == at(app, "_h.j2", 3)
    with pytest.raises(TemplateError) as rendered:
        render(app, {})
    assert rendered.value.location == at(app, "_h.j2", 3)


# -- sandbox --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "refusal"),
    [
        pytest.param("''.__class__.__mro__", "access to attribute '__class__' of 'str' object is unsafe.", id="dunder"),
        pytest.param(
            "values.__class__", "access to attribute '__class__' of 'ValueMap' object is unsafe.", id="values"
        ),
        pytest.param("values.update({})", "access to attribute 'update' of 'ValueMap' object is unsafe.", id="mutate"),
        pytest.param("[].append(1)", "access to attribute 'append' of 'list' object is unsafe.", id="mutate-list"),
        pytest.param(
            "'{0.__class__}'.format(1)", "access to attribute '__class__' of 'int' object is unsafe.", id="format"
        ),
    ],
)
def test_sandbox_refusals_are_template_errors_saying_not_allowed(
    build: BuildApp, expression: str, refusal: str
) -> None:
    error, app = render_error(build, f"a: 1\nb: {{{{ {expression} }}}}\n", {"x": 1})
    assert type(error) is TemplateError
    assert str(error) == f"not allowed in a template: {refusal}"
    assert error.problems[0].hint != UNDEFINED_HINT  # not reported as a missing value
    assert error.location == at(app, "t.yaml.j2", 2)


def test_lipsum_is_not_available(build: BuildApp) -> None:
    error, app = render_error(build, "a: 1\nb: {{ lipsum() }}\n")
    assert type(error) is TemplateError
    assert str(error) == "'lipsum' is undefined"
    assert error.location == at(app, "t.yaml.j2", 2)


def test_huge_range_is_a_template_error(build: BuildApp) -> None:
    error, app = render_error(build, "a: 1\nb: {{ range(10**9) | length }}\n")
    assert type(error) is TemplateError
    assert (
        str(error)
        == "not allowed in a template: range(1000000000) is too large: 1,000,000,000 numbers, more than 100,000"
    )
    assert error.location == at(app, "t.yaml.j2", 2)


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param("2 ** 100000", id="constant"),
        pytest.param("(2 ** 100000) > 1", id="constant-not-printed"),
        pytest.param("values.base ** values.exponent", id="from-values"),
        pytest.param("(values.base ** values.exponent) > 1", id="from-values-not-printed"),
    ],
)
def test_huge_powers_are_refused_as_template_errors(build: BuildApp, expression: str) -> None:
    app = build({"t.yaml.j2": f"a: 1\nb: {{{{ {expression} }}}}\n"})
    with pytest.raises(TemplateError) as raised:
        render(app, {"base": 2, "exponent": 100000})
    assert "too large" in str(raised.value)
    assert raised.value.location == at(app, "t.yaml.j2", 2)


def test_ordinary_powers_still_work(build: BuildApp) -> None:
    obj = render_one(build, "a: {{ 2 ** 10 }}\nb: {{ values.base ** values.exponent }}\n", {"base": 3, "exponent": 4})
    assert obj == {"a": 1024, "b": 81}


def test_non_data_objects_cannot_be_written(build: BuildApp) -> None:
    error, _ = render_error(build, "a: {{ fail }}\n")
    assert str(error) == "a function is not data and cannot be written into a manifest"


def test_a_map_inside_text_is_refused_at_its_template_line_naming_the_value(build: BuildApp) -> None:
    app = build({"t.yaml.j2": "a: 1\nb: x-{{ values.m }}\n"})
    with pytest.raises(PytemplarError) as raised:
        objects(app, {"m": {"k": 1}})
    (problem,) = raised.value.problems
    assert problem.message == (
        "cannot place the value (values.m) here: a map cannot be placed inside text; "
        "place it as a whole value, or pipe it through tojson for its JSON text"
    )
    assert problem.location == at(app, "t.yaml.j2", 2)


# -- attribute access on maps ---------------------------------------------------------------------


def test_keys_named_like_dict_methods_are_read_as_keys(build: BuildApp) -> None:
    template = "items: {{ values.items }}\nkeys: {{ values.keys }}\nvalues: {{ values.values }}\n"
    values = {"items": ["a", "b"], "keys": {"k": 1}, "values": "v"}
    assert render_one(build, template, values) == {"items": ["a", "b"], "keys": {"k": 1}, "values": "v"}


def test_dict_methods_work_when_no_key_has_their_name(build: BuildApp) -> None:
    template = "{% for k, v in values.env.items() | sort %}\n{{ k }}: {{ v }}\n{% endfor %}\n"
    assert render_one(build, template, {"env": {"b": "2", "a": "1"}}) == {"a": "1", "b": "2"}


def test_internal_attributes_of_values_are_not_exposed(build: BuildApp) -> None:
    error, _ = render_error(build, "a: {{ values.path }}\n", {})
    assert str(error) == "'values.path' is undefined"


# -- files ----------------------------------------------------------------------------------------


def test_files_get_reads_a_file_of_the_app_into_a_block_scalar(build: BuildApp) -> None:
    template = """
        data:
          logging.conf: |
            {{ files.get("files/logging.conf") }}
          present: {{ files.exists("files/logging.conf") }}
          absent: {{ files.exists("files/nope.conf") }}
    """
    conf = "[root]\nlevel: INFO\n# comment\n"
    app = build({"t.yaml.j2": template}, files={"files/logging.conf": conf})
    (obj,) = objects(app)
    assert obj == {"data": {"logging.conf": conf, "present": True, "absent": False}}


def test_files_get_refuses_a_path_leading_out_of_the_app(build: BuildApp) -> None:
    error, app = render_error(build, 'a: 1\nb: {{ files.get("../outside.txt") }}\n', files={"../outside.txt": "x"})
    assert str(error).startswith("files.get('../outside.txt'): '../outside.txt' is outside")
    assert error.location == at(app, "t.yaml.j2", 2)


def test_files_get_refuses_an_absolute_path_outside_the_app(build: BuildApp) -> None:
    app = build({"t.yaml.j2": "a: 1\n"}, files={"../outside.txt": "secret"})
    outside = app.root.path.parent / "outside.txt"
    assert outside.is_file()
    error, app = render_error(build, f"a: {{{{ files.get({str(outside)!r}) }}}}\n")
    assert str(error).startswith(f"files.get('{outside}'): '{outside}' is outside")


def test_files_get_refuses_a_symlink_out_of_the_app(build: BuildApp) -> None:
    app = build({"t.yaml.j2": 'a: {{ files.get("files/link.txt") }}\n'}, files={"../outside.txt": "secret"})
    (app.root.path / "files").mkdir()
    os.symlink(app.root.path.parent / "outside.txt", app.root.path / "files" / "link.txt")
    with pytest.raises(TemplateError) as raised:
        render(app)
    assert str(raised.value).startswith("files.get('files/link.txt'): 'files/link.txt' is outside")
    assert "secret" not in str(raised.value)


def test_files_get_refuses_a_symlinked_folder_out_of_the_app(build: BuildApp) -> None:
    app = build({"t.yaml.j2": 'a: {{ files.get("files/secret.txt") }}\n'}, files={"../elsewhere/secret.txt": "s"})
    os.symlink(app.root.path.parent / "elsewhere", app.root.path / "files")
    with pytest.raises(TemplateError, match=r"'files/secret\.txt' is outside"):
        render(app)


def test_files_exists_answers_inside_the_app_and_refuses_to_probe_outside(build: BuildApp) -> None:
    app = build({"t.yaml.j2": 'b: {{ files.exists("app.yaml") }}\nc: {{ files.exists("nope") }}\n'})
    assert objects(app) == [{"b": True, "c": False}]
    error, _ = render_error(build, 'a: {{ files.exists("../outside.txt") }}\n', files={"../outside.txt": "x"})
    assert str(error).startswith("files.exists('../outside.txt'): '../outside.txt' is outside the folder ")


def test_files_get_of_a_missing_file_names_it(build: BuildApp) -> None:
    error, _ = render_error(build, 'a: {{ files.get("files/nope.txt") }}\n')
    assert str(error) == "files.get('files/nope.txt'): file 'files/nope.txt' not found"


def test_files_get_of_a_folder_says_it_is_not_a_file(build: BuildApp) -> None:
    error, _ = render_error(build, 'a: {{ files.get("files") }}\n', files={"files/a.txt": "x"})
    assert str(error).startswith("files.get('files'): 'files' is ")
    assert "not a file" in str(error) or "not a regular file" in str(error)
