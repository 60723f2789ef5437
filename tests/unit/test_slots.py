"""Slots: each ``{{ }}`` placed where the YAML parser finds it.

Each test renders a small app and parses it the way ``render`` does; the expected objects are
worked out by hand from each template's YAML structure with the value put in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from pytemplar.errors import Location, PytemplarError
from pytemplar.project import App, Workspace
from pytemplar.templating.engine import ReadLog, TemplateEngine, template_context
from pytemplar.templating.parse import parse_rendered
from pytemplar.yamlio import load_documents

BuildApp = Callable[..., App]


@pytest.fixture
def build(make_tree: Callable[..., Path]) -> BuildApp:
    def make(templates: Mapping[str, str]) -> App:
        tree = {"app/app.yaml": "name: demo\nversion: 0.1.0\n"}
        tree.update({f"app/templates/{name}": text for name, text in templates.items()})
        return Workspace().app(make_tree(tree) / "app")

    return make


def objects(app: App, values: Mapping[str, Any] | None = None, log: ReadLog | None = None) -> list[dict[str, Any]]:
    context = template_context(
        dict(values or {}), release="web", namespace="shop", environment="dev", app=app, kube_version=None, log=log
    )
    return [manifest.obj for manifest in parse_rendered(TemplateEngine(app).render(context), "web", "dev")]


def one(build: BuildApp, template: str, values: Mapping[str, Any] | None = None, **helpers: str) -> Any:
    (obj,) = objects(build({"t.yaml.j2": template, **{f"{name}.j2": text for name, text in helpers.items()}}), values)
    return obj


def problem(build: BuildApp, template: str, values: Mapping[str, Any] | None = None) -> tuple[Any, App]:
    app = build({"t.yaml.j2": template})
    with pytest.raises(PytemplarError) as raised:
        objects(app, values)
    (found,) = raised.value.problems
    return found, app


def at(app: App, line: int) -> Location:
    return Location(app.template_paths["t.yaml.j2"], line)


# -- whole values keep their type ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "true",
        "1.20",
        "012",
        "null",
        "",
        " x ",
        "a: b",
        "- x",
        "#c",
        "[x]",
        "{a: 1}",
        "&a",
        "x\n---\ny: 1",
        3,
        1.5,
        True,
        None,
    ],
)
def test_a_whole_value_is_itself_whatever_its_text(build: BuildApp, value: Any) -> None:
    assert one(build, "a: {{ values.v }}\nb: [{{ values.v }}]\n", {"v": value}) == {"a": value, "b": [value]}


def test_maps_and_lists_are_placed_as_nodes_in_block_and_flow_collections(build: BuildApp) -> None:
    value = {"k": [1, {"x": "y: z"}], "e": {}}
    template = "a: {{ values.v }}\nb: {c: {{ values.v }}}\nd:\n  - {{ values.v }}\n"
    assert one(build, template, {"v": value}) == {"a": value, "b": {"c": value}, "d": [value]}


def test_a_value_after_an_anchor_or_a_tag(build: BuildApp) -> None:
    template = "a: &x {{ values.m }}\nb: *x\nc: !!str {{ values.n }}\nd: &y {{ values.s }}\ne: *y\n"
    obj = one(build, template, {"m": {"k": "v"}, "n": 5, "s": "t: u"})
    assert obj == {"a": {"k": "v"}, "b": {"k": "v"}, "c": "5", "d": "t: u", "e": "t: u"}
    assert obj["a"] is not obj["b"]


# -- values inside text --------------------------------------------------------------------------------


def test_values_inside_plain_scalars_are_text(build: BuildApp) -> None:
    template = (
        "a: localhost,{{ values.s }}\nb: x[{{ values.s }}]y\nc: {{ values.s }} - {{ values.n }}\nd: 1{{ values.e }}\n"
    )
    assert one(build, template, {"s": "p: q #r", "n": 7, "e": ""}) == {
        "a": "localhost,p: q #r",
        "b": "x[p: q #r]y",
        "c": "p: q #r - 7",
        "d": "1",
    }


def test_values_inside_quoted_scalars_over_several_lines(build: BuildApp) -> None:
    template = "a: \"one\n  {{ values.s }}\n  two\"\nb: 'x\n  {{ values.s }}'\n"
    assert one(build, template, {"s": "q'\"\\"}) == {"a": "one q'\"\\ two", "b": "x q'\"\\"}


def test_a_multi_line_value_in_a_block_keeps_the_indentation_of_its_line(build: BuildApp) -> None:
    template = "script: |\n  if true; then\n    {{ values.cmd }}\n  fi\n"
    obj = one(build, template, {"cmd": "echo a\necho b\n\nexit 1\n"})
    assert obj == {"script": "if true; then\n  echo a\n  echo b\n\n  exit 1\nfi\n"}


def test_template_text_after_a_value_ending_in_a_line_break_keeps_the_indentation_of_its_line(
    build: BuildApp,
) -> None:
    template = "script: |\n  first\n    {{ values.cmd }}alpha {{ values.cmd }}{{ values.cmd }}beta\n"
    obj = one(build, template, {"cmd": "\n"})
    assert obj == {"script": "first\n  \n  alpha \n\n  beta\n"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [("|", "x\n  y\n"), ("|-", "x\n  y"), ("|+", "x\n  y\n\n"), (">", "x\n  y\n")],
)
def test_block_chomping_applies_to_the_placed_text(build: BuildApp, header: str, expected: str) -> None:
    assert one(build, f"a: {header}\n  {{{{ values.s }}}}\n\nb: 1\n", {"s": "x\n  y\n"}) == {"a": expected, "b": 1}


def test_a_value_in_a_comment_places_nothing(build: BuildApp) -> None:
    assert one(build, "a: 1 # {{ values.s }}\n# {{ values.m }}\n", {"s": "x\ny: 2", "m": {"k": 1}}) == {"a": 1}


def test_keys(build: BuildApp) -> None:
    template = "{{ values.k }}: 1\n{{ values.k }}-x: 2\n'{{ values.n }}': 3\n"
    assert one(build, template, {"k": "a: b", "n": 8}) == {"a: b": 1, "a: b-x": 2, "8": 3}


# -- refusals name the template line and the value -----------------------------------------------------


def test_a_map_as_a_key_is_refused_at_its_line(build: BuildApp) -> None:
    found, app = problem(build, "a: 1\n{{ values.m }}: 2\n", {"m": {"k": 1}})
    assert found.location == at(app, 2)
    assert "(values.m)" in found.message
    assert found.message.endswith("the value (values.m) placed here: a map cannot be a key")


def test_a_list_inside_a_quoted_string_is_refused(build: BuildApp) -> None:
    found, app = problem(build, 'a: 1\nb:\n  c: "x{{ values.l }}"\n', {"l": [1]})
    assert found.message == (
        "cannot place the value (values.l) here: a list cannot be placed inside text; "
        "place it as a whole value, or pipe it through tojson for its JSON text"
    )
    assert found.location == at(app, 3)


def test_invalid_yaml_is_reported_at_the_template_line_that_wrote_it(build: BuildApp) -> None:
    template = "a: 1\n{% for x in values.l %}\nb: {{ x }}\n{% endfor %}\n  c: [\n"
    found, app = problem(build, template, {"l": [1, 2]})
    assert found.location.path == app.template_paths["t.yaml.j2"]
    assert found.location.line == 3  # the loop's line that wrote the second 'b'
    assert "at rendered line 3" in found.message


def test_a_document_that_is_not_a_map_is_reported_at_its_template_line(build: BuildApp) -> None:
    found, app = problem(build, "a: 1\n---\n\n{{ values.s }}\n", {"s": "text"})
    assert found.location == at(app, 4)


def test_template_text_cannot_hold_the_token_characters(build: BuildApp) -> None:
    app = build({"t.yaml.j2": "a: 1\nb: \ue000\n"})
    with pytest.raises(PytemplarError) as raised:
        objects(app)
    assert raised.value.problems[0].location == at(app, 2)
    assert "reserved" in raised.value.problems[0].message


# -- helpers: text, YAML, call blocks, set blocks, tpl -------------------------------------------------


HELPERS = """\
{% macro fullname() %}{{ values.nameOverride or release.name }}{% endmacro %}
{% macro port() %}
{{ values.port }}
{% endmacro %}
{% macro host() %}{{ values.team }}.shop.example.com{% endmacro %}
{% macro probe(path) %}
httpGet:
  path: {{ path }}
  port: {{ port() }}
{% endmacro %}
"""


def test_one_expression_helpers_return_the_value_itself(build: BuildApp) -> None:
    template = '{% import "_h.j2" as h with context %}\nname: {{ h.fullname() }}\nport: {{ h.port() }}\n'
    obj = one(build, template, {"nameOverride": "true", "port": 8080}, _h=HELPERS)
    assert obj == {"name": "true", "port": 8080}


def test_helper_text_used_as_a_string_is_exactly_its_text(build: BuildApp) -> None:
    template = (
        '{% import "_h.j2" as h with context %}\n'
        'host: "{{ h.host() }}"\n'
        "svc: {{ h.fullname() }}-svc\n"
        'short: {{ (h.fullname() ~ "-" ~ values.team) | truncate(12, true, "") }}\n'
        "loud: {{ h.host() | upper }}\n"
    )
    obj = one(build, template, {"nameOverride": "", "team": "orders", "port": 1}, _h=HELPERS)
    assert obj == {
        "host": "orders.shop.example.com",
        "svc": "web-svc",
        "short": "web-orders",
        "loud": "ORDERS.SHOP.EXAMPLE.COM",
    }


def test_helper_yaml_parsed_with_fromyaml_places_each_value(build: BuildApp) -> None:
    template = '{% import "_h.j2" as h with context %}\nprobe: {{ h.probe(values.path) | fromyaml }}\n'
    obj = one(build, template, {"path": "/x\nport: 1", "port": "8080"}, _h=HELPERS)
    assert obj == {"probe": {"httpGet": {"path": "/x\nport: 1", "port": "8080"}}}


def test_a_call_block_writes_template_text_with_each_value_placed(build: BuildApp) -> None:
    template = (
        "{% macro item(name) %}\n"
        "  - name: {{ name }}\n"
        "    env: {{ caller() | fromyaml }}\n"
        "{% endmacro %}\n"
        "items:\n"
        "{% call item(values.n) %}\n"
        "A: {{ values.a }}\n"
        "{% endcall %}\n"
    )
    assert one(build, template, {"n": "x: y", "a": "1.0"}) == {"items": [{"name": "x: y", "env": {"A": "1.0"}}]}


def test_a_set_block_and_a_filter_block_are_text(build: BuildApp) -> None:
    template = (
        "{% set v %}{{ values.a }}/{{ values.b }}{% endset %}\n"
        "a: {{ v }}\n"
        "b: {% filter upper %}{{ values.a }}\nc: d{% endfilter %}\n"
    )
    assert one(build, template, {"a": "x", "b": 2}) == {"a": "x/2", "b": "X\nC: D"}


def test_tpl_renders_a_values_string_in_the_sandbox_with_the_same_placement(build: BuildApp) -> None:
    template = "a: {{ tpl(values.t) }}\nb: {{ tpl(values.u) }}\nc: {{ tpl(values.y) | fromyaml }}\n"
    values = {"t": "{{ values.n }}", "u": "{{ values.s }}.example.com", "y": "k: {{ values.s }}", "n": 3, "s": "p: q"}
    assert one(build, template, values) == {"a": 3, "b": "p: q.example.com", "c": {"k": "p: q"}}
    found, _ = problem(build, "a: {{ tpl(values.t) }}\n", {"t": "{{ ''.__class__.__mro__ }}"})
    assert "not allowed" in found.message or "unsafe" in found.message


def test_toyaml_indent_stays_a_map(build: BuildApp) -> None:
    template = "spec:\n  resources:\n    {{ values.r | toyaml | indent(4) }}\n"
    assert one(build, template, {"r": {"limits": {"cpu": "1"}}}) == {"spec": {"resources": {"limits": {"cpu": "1"}}}}


def test_flow_text_with_a_colon_inside_a_word_is_accepted_as_kubernetes_reads_it(build: BuildApp) -> None:
    template = "c: [{name: db, image: postgres:15}, {name: {{ values.n }}, url: http://x:80/y}]\n"
    obj = one(build, template, {"n": "app"})
    assert obj == {"c": [{"name": "db", "image": "postgres:15"}, {"name": "app", "url": "http://x:80/y"}]}


# -- reads ---------------------------------------------------------------------------------------------


def test_testing_a_key_with_in_counts_as_reading_it(build: BuildApp) -> None:
    app = build({"t.yaml.j2": "a: {{ 'tls' in values.ingress }}\n"})
    log = ReadLog()
    assert objects(app, {"ingress": {"tls": {"x": 1}}}, log) == [{"a": True}]
    assert log.uses(("ingress", "tls"))


# -- YAML aliases --------------------------------------------------------------------------------------


def test_aliases_are_copies_not_one_shared_map() -> None:
    (document,) = load_documents("a: &x {b: [1]}\nc: *x\nd: {<<: *x}\n", "<test>")
    data = document.data
    assert data["a"] == data["c"] == {"b": [1]}
    data["c"]["b"].append(2)
    assert data["a"] == {"b": [1]}
    assert data["d"] == {"b": [1]}


def test_a_template_that_extends_another_places_values_in_its_blocks(build: BuildApp) -> None:
    base = "kind: ConfigMap\ndata:\n{% block data %}{% endblock %}\n"
    child = '{% extends "_base.j2" %}\n{% block data %}\n  a: {{ values.s }}\n  b: x-{{ values.s }}\n{% endblock %}\n'
    assert one(build, child, {"s": "1.20"}, _base=base) == {"kind": "ConfigMap", "data": {"a": "1.20", "b": "x-1.20"}}


# -- line breaks after block tags ------------------------------------------------------------------------

# The same lines, written as a Helm user would in a chart and as a pytemplar template: a tag that
# ends a line of YAML keeps that line's break, one that starts it keeps its indentation, a line of
# nothing but tags disappears.
LINE_ENDS_HELM = """\
data:
  tag: "{{ .Values.tag }}{{ if .Values.suffix }}-{{ .Values.suffix }}{{ end }}"
  octal: {{ .Values.octal | quote }}{{ if .Values.suffix }}-{{ .Values.suffix }}{{ end }}
  {{- if .Values.on }}
  flag: {{ if .Values.on }}yes-{{ .Values.octal }}{{ else }}no{{ end }}
  {{- end }}
  list: [a,{{ range .Values.items }} {{ . }},{{ end }} z]
  last: x
meta:
  a: 1
  {{ if .Values.on }}b: 2{{ end }}
"""
LINE_ENDS = """\
data:
  tag: "{{ values.tag }}{% if values.suffix %}-{{ values.suffix }}{% endif %}"
  octal: {{ values.octal }}{% if values.suffix %}-{{ values.suffix }}{% endif %}
{% if values.on %}
  flag: {% if values.on %}yes-{{ values.octal }}{% else %}no{% endif %}
{% endif %}
  list: [a,{% for item in values.items %} {{ item }},{% endfor %} z]
  last: x {# a comment ends this line #}
meta:
  a: 1
  {% if values.on %}b: 2{% endif %}
"""
LINE_ENDS_VALUES = {"tag": "1.20", "suffix": "", "octal": "012", "on": True, "items": ["b", "c"]}
LINE_ENDS_OBJECT = {
    "data": {"tag": "1.20", "octal": "012", "flag": "yes-012", "list": ["a", "b", "c", "z"], "last": "x"},
    "meta": {"a": 1, "b": 2},
}


def test_a_tag_on_a_line_of_yaml_keeps_its_line_break_and_indentation(build: BuildApp) -> None:
    assert one(build, LINE_ENDS, LINE_ENDS_VALUES) == LINE_ENDS_OBJECT


def test_a_line_of_only_tags_and_comments_disappears(build: BuildApp) -> None:
    template = "a: 1\n{% if values.on %}{# why #}\n  {% if values.on %}\nb: 2\n{% endif %}{% endif %}\nc: 3\n"
    app = build({"t.yaml.j2": template})
    context = template_context(
        LINE_ENDS_VALUES, release="w", namespace="n", environment="d", app=app, kube_version=None
    )
    (rendered,) = TemplateEngine(app).render(context)
    assert rendered.text == "a: 1\nb: 2\nc: 3\n"


def test_explicit_whitespace_control_is_kept(build: BuildApp) -> None:
    template = "a: x{% if values.on %}y{% endif -%}\n  , z\nc: {% if values.on %}z{% endif +%}\nd: 2\n"
    assert one(build, template, LINE_ENDS_VALUES) == {"a": "xy, z", "c": "z", "d": 2}


def test_the_line_ends_render_as_helm_renders_them(build: BuildApp, tmp_path: Path) -> None:
    import subprocess

    import yaml
    from peers import HELM

    if HELM is None:
        pytest.skip("helm is not installed")
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: lines\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(yaml.safe_dump(LINE_ENDS_VALUES))
    (chart / "templates/cm.yaml").write_text(LINE_ENDS_HELM)
    done = subprocess.run([HELM, "template", "r", str(chart)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    (from_helm,) = [doc for doc in yaml.safe_load_all(done.stdout) if doc]
    assert from_helm == LINE_ENDS_OBJECT == one(build, LINE_ENDS, LINE_ENDS_VALUES)
