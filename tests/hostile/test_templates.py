"""Hostile templates: names, the sandbox, resource bombs, recursion and YAML injection (H14-H15, H19-H28, H50).

Templates of a third-party app are code written by someone else. They run in Jinja2's immutable
sandbox: no environment, no files outside the app, no network, no Python internals, bounded time,
memory and output, and every ``{{ }}`` lands as exactly one YAML value.
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml

import pytemplar
from pytemplar.errors import PytemplarError
from pytemplar.output import to_yaml_stream

from .harness import BASE_TREE, RENDER, Batch, Case, Sandbox, StrictLoader, batch_sandbox, configmap, run_batch

T = "app/templates/t.yaml.j2"
BLOCKED = r"(?i)not allowed|unsafe|undefined|no filter|not found"
MUTATION = r"not allowed|unsafe|cannot assign|namespace"
RECURSION = r"recursion|recursive|cycle|itself"
NOT_DATA = r"JSON|YAML|not data|cannot be written"
TOO_MUCH = r"too (large|big|long|deep)|limit|exceed|memory|time|units of work"


def _one_configmap(result_docs: list[Any]) -> dict[str, Any]:
    maps = [doc for doc in result_docs if doc["kind"] == "ConfigMap"]
    assert len(maps) == 1, result_docs
    return maps[0]


# -- the batch: H14, H19-H24, H26-H28 refusals, one release each, in one validate run ------------------------


def _expression(case_id: str, expression: str, message: str = BLOCKED) -> Case:
    return Case(case_id, {T: configmap(f"  x: {{{{ {expression} }}}}")}, T, message, line=6)


def _statement(case_id: str, statement: str, message: str, line: int | None = 2) -> Case:
    return Case(case_id, {T: f"# 1\n{statement}\na: 1\n", "values": "hosts: [a, b]\n"}, T, message, line=line)


BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)

CASES = [
    # H14: names that are code
    Case(
        "H14-template-file-name-with-braces",
        {"app/templates/{pytemplar_canary_56201}.yaml.j2": configmap("  a: b")},
        "app/templates/{pytemplar_canary_56201}.yaml.j2",
        r"name",
    ),
    _statement("H14-import-of-a-name-with-braces", "{% import \"{__import__('os').getpid()}\" as m %}", BLOCKED),
    # H21: environment and credentials
    _expression("H21a-env-function", 'env("PYTEMPLAR_CANARY_SECRET")'),
    _expression("H21a-environ-global", "environ.PYTEMPLAR_CANARY_SECRET"),
    _expression("H21a-lookup-env", 'lookup("env", "PYTEMPLAR_CANARY_SECRET")'),
    _expression("H21a-expandenv-filter", '"$PYTEMPLAR_CANARY_SECRET" | expandenv'),
    _expression("H21b-globals-walk-to-environ", "cycler.__init__.__globals__.os.environ.PYTEMPLAR_CANARY_SECRET"),
    _expression("H21b-kubeconfig-in-home", 'files.get("../../../../home/.kube/config")', r"outside"),
    # H22: DNS and network
    _expression("H22-dns-helper", 'getHostByName("localhost")'),
    _expression("H22-cluster-lookup", 'lookup("v1", "Secret", "default", "token")'),
    _expression("H22-url-filter", '"{LISTENER}/x" | urlopen'),
    _expression("H22-files-get-of-a-url", 'files.get("{LISTENER}/latest/meta-data/")', r"not found|outside"),
    _statement("H22-include-of-a-url", '{% include "{LISTENER}/evil.yaml" %}', BLOCKED),
    # H23: sandbox escapes
    _expression("H23a-mro", "''.__class__.__mro__"),
    _expression("H23a-subclasses", "().__class__.__base__.__subclasses__()"),
    _expression("H23b-globals-os-system", "cycler.__init__.__globals__.os.system('echo PYTEMPLAR-H23b-EXECUTED')"),
    _expression("H23b-joiner-builtins", "joiner.__init__.__globals__.__builtins__"),
    _expression("H23c-str-format", '"{0.__init__.__globals__}".format(cycler)'),
    _expression("H23d-format-map", '"{x.__init__.__globals__}".format_map({"x": cycler})'),
    _expression("H23e-attr-format", '("{0.__init__.__globals__}" | attr("format"))(cycler)'),
    _statement(
        "H23f-indirect-format-reference",
        '{% set f = "{0.__init__.__globals__}".format %}{{ f(cycler) }}',
        BLOCKED,
    ),
    _expression("H23g-dunder-through-attr-filter", 'values | attr("__class__")'),
    _expression("H23g-dunder-through-subscript", 'release["__class__"]'),
    _expression("H23h-private-attribute-of-files", "files._app.root"),
    _expression("H23h-bound-method-self", "files.get.__self__"),
    _expression("H23h-method-of-the-values-map", "values.note_read"),
    _expression("H23h-template-reference-context", "self._TemplateReference__context"),
    # H24: values are read-only
    _statement("H24-update", '{% set _ = values.update({"replicas": 99}) %}', MUTATION),
    _statement("H24-pop", '{% set _ = values.pop("replicas") %}', MUTATION),
    _statement("H24-setdefault", '{% set _ = values.image.setdefault("tag", "evil") %}', MUTATION),
    _statement("H24-setitem", '{% set _ = values.image.__setitem__("tag", "evil") %}', MUTATION),
    _statement("H24-list-append", "{% set _ = values.hosts.append('evil') %}", MUTATION),
    # Jinja reports this runtime check at line 1, whatever line the statement is on.
    _statement("H24-attribute-assignment", "{% set values.replicas = 99 %}", MUTATION, line=None),
    # H26: recursion
    Case("H26a-recursive-macro", {T: "{% macro m() %}{{ m() }}{% endmacro %}\na: {{ m() }}\n"}, T, RECURSION),
    Case("H26b-self-include", {T: "a: 1\n{% include 't.yaml.j2' %}\n"}, T, RECURSION),
    Case(
        "H26c-mutual-include",
        {T: "a: 1\n{% include '_b.j2' %}\n", "app/templates/_b.j2": "{% include 't.yaml.j2' %}\n"},
        (T, "app/templates/_b.j2"),
        RECURSION,
    ),
    Case("H26d-self-extends", {T: "{% extends 't.yaml.j2' %}\n"}, T, RECURSION),
    # H27: serialisation helpers only ever see plain data
    Case(
        "H27-tojson-never-sees-a-recursive-alias",
        {T: configmap("  all: {{ values | tojson }}"), "app/values.yaml": "replicas: 1\nloop: &n\n  self: *n\n"},
        "app/values.yaml",
        r"recursive alias",
        line="3:9",
    ),
    Case(
        "H27-fromyaml-of-an-alias-bomb",
        {T: configmap("  all: {{ values.text | fromyaml | tojson }}"), "values": f"text: {json.dumps(BOMB)}\n"},
        T,
        r"alias",
        line=6,
    ),
    _expression("H27-tojson-of-a-class", "cycler | tojson", NOT_DATA),
    _expression("H27-tojson-of-a-method", "values.items | tojson", NOT_DATA),
    _expression("H27-toyaml-of-the-files-helper", "files | toyaml", NOT_DATA),
    _expression("H27-placing-the-files-helper", "files", NOT_DATA),
    # H28: template errors point at the template
    Case("H28a-syntax-error", {T: "a: 1\nb: {% if x %}\nc: 1\n"}, T, r"never closed|end of template|syntax", line=2),
    _expression("H28b-undefined-name", "valuez.replicas", r"'valuez' is undefined"),
    _expression("H28b-typo-in-a-key", "values.image.tagg", r"'values\.image\.tagg' is undefined"),
    Case(
        "H28c-H36g-attribute-of-null-names-the-value",
        {
            T: configmap("  x: {{ values.extra.tag }}"),
            "app/values.yaml": "replicas: 1\nimage: {tag: '1'}\nextra: null\n",
        },
        T,
        r"values\.extra",
        line=6,
    ),
    _expression("H28d-filter-error", "'not base64!' | b64decode", r"b64decode"),
    _expression("H28d-filter-type-error", "values.replicas | sum", r"iterable|sum"),
    Case("H28e-output-not-yaml", {T: configmap("  x: [unclosed", "  y: 1")}, T, r"not valid YAML"),
    Case(
        "H28e-output-with-duplicate-key",
        {T: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n"},
        T,
        r"duplicate key 'name'",
    ),
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Batch]:
    with batch_sandbox(tmp_path_factory.mktemp("templates")) as sandbox:
        yield run_batch(sandbox, CASES)


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_hostile_template_is_refused_at_its_line(batch: Batch, case: Case) -> None:
    """Each case is refused naming the template and line (where Jinja knows it) and what is not
    allowed; no environment variable, file, network answer or command output ever shows."""
    batch.check(case)


# -- H14, H15: template names -------------------------------------------------------------------------


def test_installed_jinja2_is_at_least_3_1_6() -> None:
    """H14, H23e: 3.1.4 runs code from template names (CVE-2024-56201), 3.1.5 leaks through
    ``|attr("format")`` (CVE-2025-27516)."""
    parts = tuple(int(part) for part in re.findall(r"\d+", version("jinja2"))[:3])
    assert parts >= (3, 1, 6), f"Jinja2 {version('jinja2')} is older than 3.1.6"


@pytest.mark.parametrize(
    ("names", "message"),
    [
        pytest.param(("config.yaml.j2", "Config.yaml.j2"), r"case|collide|differ", id="H15a-names-differ-only-in-case"),
        pytest.param(
            (unicodedata.normalize("NFC", "café.yaml.j2"), unicodedata.normalize("NFD", "café.yaml.j2")),
            r"name|character|normali",
            id="H15b-names-differ-only-in-unicode-normalisation",
        ),
        pytest.param(("con.yaml.j2",), r"reserved|Windows|name", id="H15c-windows-reserved-name"),
    ],
)
def test_template_names_that_clash_on_other_systems_are_refused_or_warned(
    sandbox: Sandbox, names: tuple[str, ...], message: str
) -> None:
    """H15: an app must render the same on Linux, macOS and Windows (and --output-dir writes
    files named after templates)."""
    sandbox.write({f"app/templates/{name}": configmap("  a: b", name=f"cm{i}") for i, name in enumerate(names)})
    result = sandbox.run(*RENDER)
    sandbox.clean(result)
    if result.code == 0:
        assert re.search(message, result.stderr), f"no warning about {names}\n{result.describe()}"
    else:
        sandbox.refused(result, file=tuple(f"app/templates/{n}" for n in names), message=message)


# -- H24: values are read-only and per template ---------------------------------------------------------


def test_one_template_cannot_change_what_another_sees(sandbox: Sandbox) -> None:
    """H24: rebinding ``values`` in one template is local to it."""
    sandbox.write(
        {
            "app/templates/a.yaml.j2": '{% set values = {"replicas": 99} %}\n' + configmap("  a: '1'", name="a"),
            "app/templates/b.yaml.j2": configmap("  replicas: '{{ values.replicas }}'", name="b"),
        }
    )
    result = sandbox.run(*RENDER)
    sandbox.accepted(result)
    seen = {doc["metadata"]["name"]: doc for doc in result.documents()}
    assert seen["b"]["data"] == {"replicas": "1"}
    assert seen["one"]["spec"]["replicas"] == 1


# -- H25: resource exhaustion -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "line"),
    [
        pytest.param(configmap("  n: {{ range(10**9) | length }}"), 6, id="H25a-huge-range"),
        pytest.param(configmap("  s: {{ 'a' * 10**10 }}"), 6, id="H25c-string-repetition"),
        pytest.param(configmap("  n: {{ ([0] * 10**9) | length }}"), 6, id="H25d-list-repetition"),
        pytest.param(configmap("  n: {{ (9 ** (9 ** 9)) is number }}"), 6, id="H25e-big-power"),
        pytest.param(
            "{% set ns = namespace(s='x') %}\n{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}\n"
            + configmap("  n: {{ ns.s | length }}"),
            2,  # the render budget counts the characters each doubling makes
            id="H25f-string-doubling-loop",
        ),
        pytest.param(configmap("  s: {{ '%999999999s' | format('x') }}"), 6, id="H25g-format-width"),
        pytest.param(configmap("  s: {{ 'x'.center(10**10) }}"), 6, id="H25h-center"),
        pytest.param(configmap("  n: {{ 'x'.zfill(10**9) | length }}"), 6, id="H25h-zfill"),
        pytest.param(configmap("  s: {{ 'x\\ny' | indent(10**9) }}"), 6, id="H25h-indent"),
        pytest.param(configmap("  s: {{ lipsum(n=10**6) }}"), 6, id="H25i-lipsum"),
        pytest.param(
            "{% for i in range(10000) %}\n# {{ 'x' * 10000 }}\n{% endfor %}\n" + configmap("  a: b"),
            2,
            id="H25j-100-mb-of-output",
        ),
        pytest.param(configmap("  n: {{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"), None, id="H25k-deep-parens"),
    ],
)
def test_resource_bomb_is_stopped_with_a_message_naming_the_template(
    sandbox: Sandbox, template: str, line: int | None
) -> None:
    """Each stops within the budget, naming the template (and the line where it is known) and
    the limit; an obviously huge operation is refused before it runs."""
    sandbox.write({T: template})
    result = sandbox.run(*RENDER)
    sandbox.refused(result, file=T, line=line, message=TOO_MUCH + r"|undefined")


# Few loop steps, each on a million characters: the budget counts the characters handled too.
SLOW = "{% for i in range(100000) %}{{ ('x' * 999999) | replace('x', 'yy') | length }}{% endfor %}\na: 1\n"


def test_slow_loop_is_stopped_by_the_render_budget_with_the_default_flags(sandbox: Sandbox) -> None:
    """H25b: a loop of few steps, each replacing a million characters, is stopped by the render
    budget (not by the five-minute --timeout), at its line, and nothing is written."""
    sandbox.write({T: SLOW})
    result = sandbox.run(*RENDER)
    sandbox.refused(result, file=T, line=1, message=r"more than 10,000,000 units of work")


# -- H27: serialisation helpers only ever see plain data ------------------------------------------------------


def test_dates_reach_templates_as_strings(sandbox: Sandbox) -> None:
    """H27 + H32: a date in values is text, so tojson and placement work and keep it."""
    sandbox.write(
        {
            T: configmap("  json: {{ values.when | tojson }}", "  node: {{ values.when }}"),
            "project/envs/dev.yaml": "when: 2001-12-14\n",
        }
    )
    result = sandbox.run(*RENDER)
    sandbox.clean(result)
    assert result.code == 0, result.describe()
    assert _one_configmap(result.documents())["data"] == {"json": "2001-12-14", "node": "2001-12-14"}


# -- H50: one YAML value per {{ }}, whatever the value holds --------------------------------------------------

INJECTION = (
    "x\" 'y' # not a comment\nkind: Secret\nstringData:\n  token: stolen\n---\n"
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: injected\n- item: {{ 7*7 }}"
)

# context -> (template lines under data:, line of the expression, what data must be when accepted)
CONTEXTS: dict[str, tuple[tuple[str, ...], int, Any]] = {
    "node": (("  v: {{ values.payload }}",), 6, lambda p: {"v": p}),
    "key": (("  {{ values.payload }}: v",), 6, lambda p: {p: "v"}),
    "double-quoted": (('  v: "{{ values.payload }}"',), 6, lambda p: {"v": p}),
    "single-quoted": (("  v: '{{ values.payload }}'",), 6, lambda p: {"v": p}),
    "plain-part": (("  v: pre-{{ values.payload }}-post",), 6, lambda p: {"v": f"pre-{p}-post"}),
    "block": (
        ("  v: |", "    {{ values.payload }}"),
        7,
        lambda p: {"v": p.rstrip("\n") + "\n" if p.strip("\n") else ""},
    ),
    "flow": (("  v: [{{ values.payload }}, end]",), 6, lambda p: {"v": [p, "end"]}),
    "comment": (("  # note: {{ values.payload }}", "  v: fixed"), 6, lambda p: {"v": "fixed"}),
}


@pytest.mark.parametrize("context", [pytest.param(c, id=f"H50-{c}") for c in CONTEXTS])
def test_injected_structure_never_reaches_the_manifests(sandbox: Sandbox, context: str) -> None:
    """H50a/c/d: newline, ``: ``, ``#``, quotes, ``---``, ``- `` and ``{{ }}`` in a value either
    land as that exact string (one value) or the render is refused at the template line."""
    lines, line, expected = CONTEXTS[context]
    sandbox.write(
        {
            T: configmap(*lines, name="cm"),
            "project/envs/dev.yaml": f"payload: {json.dumps(INJECTION)}\n",
        }
    )
    result = sandbox.run(*RENDER)
    sandbox.clean(result)
    if result.code != 0:
        sandbox.refused(result, file=T, line=line, message=r"line break|quote|structure|cannot")
        return
    documents = result.documents()
    assert sorted(doc["kind"] for doc in documents) == ["ConfigMap", "Deployment"], result.describe()
    config = _one_configmap(documents)
    assert set(config) == {"apiVersion", "kind", "metadata", "data"}
    assert config["metadata"] == {"name": "cm"}
    assert config["data"] == expected(INJECTION)
    assert "49" not in result.stdout


PAYLOADS = [
    "x\nkind: Secret",
    "a: b",
    "x # y",
    "- item",
    "---",
    "...",
    'x" , "y": "z',
    "x' , 'y': 'z",
    "{{ 7*7 }}",
    "{% include 't.yaml.j2' %}",
    "&a *a !!python/object:os.system",
    "yes",
    "012",
    "1e3",
    "12:30",
    "null",
    "",
    " leading and trailing ",
    "tab\there",
    "\u2028line separator",
    "\x85next line",
    "\x1b[2J",
    "ends with newline\n",
    "  indented\nsecond",
    "[a, b]",
    "{a: b}",
    "%TAG ! x",
    "@at",
    "`back`",
    "|",
    ">",
    "? key",
]


def test_every_payload_in_every_context_is_one_value_or_refused(tmp_path: Path) -> None:
    """H50, the whole matrix in-process: each accepted render reads back (pytemplar and a YAML 1.1
    reader) with exactly the template's structure and the payload's exact text."""
    tree = tmp_path / "matrix"
    for relative, text in BASE_TREE.items():
        path = tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    (tree / "app/templates/deployment.yaml.j2").unlink()
    template = tree / "app/templates/t.yaml.j2"
    overlay = tree / "project/envs/dev.yaml"
    overlay.parent.mkdir(parents=True, exist_ok=True)
    wrong: list[str] = []
    for context, (lines, line, expected) in CONTEXTS.items():
        template.write_text(configmap(*lines, name="cm"), encoding="utf-8")
        for payload in PAYLOADS:
            overlay.write_text(f"payload: {json.dumps(payload)}\n", encoding="utf-8")
            case = f"{context} {payload!r}"
            try:
                result = pytemplar.render(tree / "project", environments=["dev"])
            except PytemplarError as exc:
                where = exc.problems[0].location
                if where is None or not where.path.endswith("t.yaml.j2") or where.line != line:
                    wrong.append(f"{case}: refused at {where}: {exc}")
                continue
            text = to_yaml_stream(result.manifests)
            try:
                read_back = [doc for doc in yaml.load_all(text, Loader=StrictLoader) if doc is not None]
            except (yaml.YAMLError, AssertionError) as exc:
                wrong.append(f"{case}: output unreadable by a YAML 1.1 reader: {exc}")
                continue
            want = expected(payload)
            if [m.obj.get("data") for m in result.manifests] != [want]:
                wrong.append(f"{case}: pytemplar read {[m.obj for m in result.manifests]}")
            elif (
                len(read_back) != 1
                or read_back[0].get("data") != want
                or set(read_back[0])
                != {
                    "apiVersion",
                    "kind",
                    "metadata",
                    "data",
                }
            ):
                wrong.append(f"{case}: a YAML 1.1 reader read {read_back}")
    assert not wrong, "\n".join(wrong)
