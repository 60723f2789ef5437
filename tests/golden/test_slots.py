"""Every way a template places a value, rendered through the command line.

``slots/app`` holds the templates users write: values inside longer plain scalars, inside flow
collections over several lines, inside block and multi-line quoted scalars, after anchors and
tags, after an ``{% if %}`` that renders nothing, one-expression helper macros, helpers that build
text and helpers that build YAML, call blocks, ``{% set %}`` blocks, ``tpl`` and
``toyaml | indent``. ``EXPECTED`` is what parsing each template's structure and putting each
value in its place gives, worked out by hand from the templates and ``slots/project``'s values;
the golden file is that output as written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, run_pytemplar

PROJECT = Path(__file__).parent / "slots" / "project"
GOLDEN = Path(__file__).parent / "expected" / "slots" / "dev.yaml"

CONFIGMAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "web-config", "labels": {"team": "payments", "tier": "backend"}},
    "data": {
        "NO_PROXY": "localhost,proxy.example.com",
        "expr": "sum(rate(http_requests_total[5m]))",
        "description": "Service for payments - prod",
        "image": "[nginx]",
        "script.sh": "if true; then\n  echo hi\nfi\n",
        "tag": "1.20",
        "octal": "012",
        "word": "null",
        "anchored": 'say "hi": now',
        "again": 'say "hi": now',
        "folded": "the team payments, the flags --verbose, --color",
        "steps": "set -e\necho one\necho two\necho done\n",
        "host": "payments.shop.example.com",
        "short": "web-with-a",
        "loud": "WEB",
        "greeting": "hello payments in dev",
        "banner": "payments/prod",
        "label-tier": "backend",
        "label-version": "1.0",
    },
}

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"tier": "backend", "version": "1.0"}},
    "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {"name": "db", "image": "postgres:15"},
                    {"name": "app", "image": "[nginx]", "args": ["--flags", "--verbose, --color"]},
                ],
                "initContainers": [
                    {
                        "name": "init",
                        "image": "busybox:1.20",
                        "env": [{"name": "TAG", "value": "1.20"}, {"name": "CMD", "value": "echo hi"}],
                    }
                ],
                "ephemeralContainers": [
                    {
                        "name": "debug",
                        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
                        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                    }
                ],
            },
        },
    },
}


@pytest.fixture(scope="module")
def rendered() -> str:
    result = run_pytemplar("render", str(PROJECT), "-e", "dev", cwd=REPO)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_every_value_lands_exactly_where_the_template_put_it(rendered: str) -> None:
    documents = [doc for doc in yaml.safe_load_all(rendered) if doc is not None]
    assert documents == [CONFIGMAP, DEPLOYMENT]


def test_the_output_matches_the_golden_file(rendered: str, golden: Any) -> None:
    golden(rendered, GOLDEN)


def test_kubernetes_reads_the_same_objects(rendered: str, tmp_path: Path) -> None:
    import json
    import shutil
    import subprocess

    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not on PATH")
    manifest = tmp_path / "out.yaml"
    manifest.write_text(rendered, encoding="utf-8")
    result = subprocess.run(
        ["kubectl", "label", "--local", "-f", str(manifest), "checked=yes", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    decoder, text, items = json.JSONDecoder(), result.stdout.strip(), []
    while text:  # one JSON object per document
        item, end = decoder.raw_decode(text)
        items.append(item)
        text = text[end:].strip()
    for item in items:
        item["metadata"]["labels"].pop("checked")
    assert items == [CONFIGMAP, DEPLOYMENT]


NAN_APP = {
    "app/values.yaml": "replicas: 1\nratio: .nan\nimage:\n  tag: '1.0'\n",
    "app/templates/cm.yaml.j2": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ratio
        data:
          ratio: "{{ values.ratio }}"
        binaryData: {}
        immutable: {{ values.ratio }}
    """,
}


def test_json_output_refuses_nan_and_infinity_and_writes_nothing(make_tree: Any) -> None:
    from conftest import MINIMAL_APP

    root: Path = make_tree(NAN_APP, base=MINIMAL_APP)
    (root / "app/values.schema.json").write_text("{}")
    result = run_pytemplar("render", "project", "-e", "dev", "-o", "json", cwd=root)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        "app/templates/cm.yaml.j2:1: error: [dev/one] ConfigMap ratio: immutable is nan, which JSON cannot hold"
    )
    as_yaml = run_pytemplar("render", "project", "-e", "dev", cwd=root)
    assert as_yaml.code == 0 and "immutable: .nan" in as_yaml.stdout


def test_the_readme_helm_idioms_example_renders_as_shown(make_tree: Any) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- helm-idioms-example")
    section = readme[start : readme.index("<!-- /helm-idioms-example -->", start)]
    blocks = re.findall(r"```(?:jinja|yaml)\n(.*?)```", section, flags=re.DOTALL)
    helpers, deployment, values, output = blocks
    root: Path = make_tree(
        {
            "project/pytemplar.yaml": "project: p\nenvironments:\n  dev:\n    namespace: dev\n"
            "releases:\n  web:\n    app: ../app\n",
            "app/app.yaml": "name: app\nversion: 1.0.0\n",
        }
    )
    (root / "app/templates").mkdir()
    (root / "app/templates/_helpers.j2").write_text(helpers, encoding="utf-8")
    (root / "app/templates/deployment.yaml.j2").write_text(deployment, encoding="utf-8")
    (root / "app/values.yaml").write_text(values, encoding="utf-8")
    result = run_pytemplar("render", "project", "-e", "dev", cwd=root)
    assert result.code == 0, result.stderr
    assert result.stdout == "---\n# Source: web/templates/deployment.yaml.j2\n" + output


def test_a_refused_value_names_the_template_line_the_values_path_and_where_it_was_set(make_tree: Any) -> None:
    from conftest import MINIMAL_APP

    root: Path = make_tree(
        {
            "app/templates/cm.yaml.j2": """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: cm
                data:
                  greeting: "hello {{ values.people }}"
            """,
            "project/envs/prod.yaml": "people:\n  - ann\n  - bob\n",
        },
        base=MINIMAL_APP,
    )
    (root / "app/values.schema.json").write_text("{}")
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "app/templates/cm.yaml.j2:6: error: [prod/one] cannot place the value (values.people) here: "
        "a list cannot be placed inside text; place it as a whole value, or pipe it through tojson for its JSON text",
        "    the value is values.people, set at project/envs/prod.yaml:1:1",
        "  hint: change the template where this {{ }} stands, or the value",
    ]


def test_labels_added_to_an_anchored_map_do_not_reach_its_aliases(make_tree: Any) -> None:
    # The template shares its labels with the selector through a YAML alias: a labels transform
    # that leaves selectors alone must change the object's labels only.
    from conftest import MINIMAL_APP

    root: Path = make_tree(
        {
            "app/templates/deployment.yaml.j2": """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: {{ release.name }}
                  labels: &labels {app: demo}
                spec:
                  replicas: {{ values.replicas }}
                  selector:
                    matchLabels: *labels
                  template:
                    metadata:
                      labels: *labels
                    spec:
                      containers: [{name: main, image: "example/demo:{{ values.image.tag }}"}]
            """,
            "project/pytemplar.yaml": """
                project: p
                environments:
                  prod:
                    namespace: production
                labels:
                  - pairs: {cost-center: shop}
                    includeSelectors: false
                releases:
                  one:
                    app: ../app
            """,
        },
        base=MINIMAL_APP,
    )
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert result.code == 0, result.stderr
    (deployment,) = [doc for doc in yaml.safe_load_all(result.stdout) if doc is not None]
    assert deployment["metadata"]["labels"] == {"app": "demo", "cost-center": "shop"}
    assert deployment["spec"]["selector"]["matchLabels"] == {"app": "demo"}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "demo"}


INCLUDED_BY_A_MACRO = {
    "app/templates/_helpers.j2": """
        {% macro container(name) %}
        - name: {{ name }}
        {% include "_container.yaml.j2" %}
        {% endmacro %}
        {% macro init_containers() %}
              initContainers:
                - name: init
        {% include "_init.yaml.j2" %}
              # {{ caller() }}
        {% endmacro %}
    """,
    "app/templates/_container.yaml.j2": """
        {# The fields of a container, under its "- name:" line. #}
          image: nginx
          imagePullPolicy: {{ values.policy }}
          ports:
            - containerPort: 8080
    """,
    "app/templates/_init.yaml.j2": """
        {# The fields of an init container, as the pod spec indents them. #}
                  image: busybox
                  imagePullPolicy: {{ values.policy }}
    """,
    "app/templates/deployment.yaml.j2": """
        {% import "_helpers.j2" as h with context %}
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
        spec:
          selector:
            matchLabels: {app: demo}
          template:
            metadata:
              labels: {app: demo}
            spec:
              containers: {{ h.container("main") | fromyaml }}
        {% call h.init_containers() %}{% endcall %}
    """,
    "app/values.yaml": "policy: Always\n",
}


def test_text_a_macro_includes_is_located_at_the_included_line(make_tree: Any) -> None:
    # Helm's `include` of a named template becomes a macro; a macro may include a file. Whether
    # its text is parsed with `| fromyaml` or written by a call block, a problem in it names the
    # included file's line, not the line of the {{ }} or the call.
    from conftest import MINIMAL_APP

    root: Path = make_tree(INCLUDED_BY_A_MACRO, base=MINIMAL_APP)
    (root / "app/values.schema.json").write_text("{}")
    rendered = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert rendered.code == 0, rendered.stderr
    (deployment,) = [doc for doc in yaml.safe_load_all(rendered.stdout) if doc is not None]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["containers"] == [
        {"name": "main", "image": "nginx", "imagePullPolicy": "Always", "ports": [{"containerPort": 8080}]}
    ]
    assert pod["initContainers"] == [{"name": "init", "image": "busybox", "imagePullPolicy": "Always"}]

    (root / "project/envs").mkdir(exist_ok=True)
    (root / "project/envs/prod.yaml").write_text("policy: Sometimes\n")
    result = run_pytemplar("validate", "project", "-e", "prod", cwd=root)
    assert result.code == 1
    found = [line for line in result.stderr.splitlines() if "[kube-schema]" in line]
    assert found == [
        "app/templates/_container.yaml.j2:3: error: [prod/one] Deployment one: spec.template.spec.containers[0]"
        ".imagePullPolicy: 'Sometimes' is not one of: Always, Never, IfNotPresent [kube-schema]",
        "app/templates/_init.yaml.j2:3: error: [prod/one] Deployment one: spec.template.spec.initContainers[0]"
        ".imagePullPolicy: 'Sometimes' is not one of: Always, Never, IfNotPresent [kube-schema]",
    ]


@pytest.mark.parametrize(
    ("included", "line", "message"),
    [
        (
            "_container.yaml.j2",
            4,
            "the text given to fromyaml is not valid YAML at its line 4: mapping values are not allowed",
        ),
        ("_init.yaml.j2", 3, "rendered output is not valid YAML at rendered line 16: mapping values are not allowed"),
    ],
)
def test_invalid_yaml_a_macro_includes_names_the_included_line(
    make_tree: Any, included: str, line: int, message: str
) -> None:
    from conftest import MINIMAL_APP

    root: Path = make_tree(INCLUDED_BY_A_MACRO, base=MINIMAL_APP)
    path = root / "app/templates" / included
    lines = path.read_text().splitlines(keepends=True)
    above = lines[line - 2]
    lines.insert(line - 1, " " * (len(above) - len(above.lstrip()) + 1) + "extra: x\n")  # one space too deep
    path.write_text("".join(lines))
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert (result.code, result.stdout) == (1, "")
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"app/templates/{included}:{line}: error: [prod/one] {message}"), first


EMPTY_CALLER = {
    "app/templates/_helpers.j2": """
        {% macro metadata() %}
        metadata:
          name: demo
        {{ caller() }}
        {% endmacro %}
    """,
    "app/templates/cm.yaml.j2": """
        {% import "_helpers.j2" as h with context %}
        apiVersion: v1
        kind: ConfigMap
        {% call h.metadata() %}{% endcall %}
        data:
          a: b
    """,
}


@pytest.mark.parametrize("indent", ["", "  "])
def test_a_caller_placed_where_a_key_is_expected_names_the_line_of_its_braces(make_tree: Any, indent: str) -> None:
    # An empty call block's caller() is an empty value: standing alone on its line it is a key
    # without ':', which the parser notices only on the next line (template text of another file).
    from conftest import MINIMAL_APP

    files = dict(EMPTY_CALLER)
    files["app/templates/_helpers.j2"] = files["app/templates/_helpers.j2"].replace(
        "{{ caller() }}", indent + "{{ caller() }}"
    )
    root: Path = make_tree(files, base=MINIMAL_APP)
    (root / "app/templates/deployment.yaml.j2").unlink()
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert (result.code, result.stdout) == (1, "")
    column = len(indent) + 1
    assert result.stderr.splitlines() == [
        "app/templates/_helpers.j2:4: error: [prod/one] rendered output is not valid YAML at rendered line 5: "
        f"the value placed here: while scanning a simple key at line 5, column {column}: could not find expected ':'",
        "         3 | metadata:",
        "         4 |   name: demo",
        f"    >    5 | {indent}",
        "         6 | data:",
        "         7 |   a: b",
        "  hint: a {{ }} places one value, never lines of YAML: write it after its key (`key: {{ ... }}`); the YAML "
        "a macro or call block writes is placed under its key with fromyaml (`key: {{ caller() | fromyaml }}`)",
    ]


def test_a_caller_under_its_key_with_fromyaml_renders_the_call_blocks_yaml(make_tree: Any) -> None:
    # What the hint above says to write, for an empty call block and for one that writes YAML.
    from conftest import MINIMAL_APP

    files = dict(EMPTY_CALLER)
    files["app/templates/_helpers.j2"] = files["app/templates/_helpers.j2"].replace(
        "{{ caller() }}", "  labels: {{ caller() | fromyaml }}"
    )
    root: Path = make_tree(files, base=MINIMAL_APP)
    (root / "app/templates/deployment.yaml.j2").unlink()
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert result.code == 0, result.stderr
    (configmap,) = [doc for doc in yaml.safe_load_all(result.stdout) if doc is not None]
    assert configmap["metadata"] == {"name": "demo", "labels": None}
    cm = root / "app/templates/cm.yaml.j2"
    cm.write_text(cm.read_text().replace("{% endcall %}", "tier: {{ values.image.tag }}{% endcall %}"))
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert result.code == 0, result.stderr
    (configmap,) = [doc for doc in yaml.safe_load_all(result.stdout) if doc is not None]
    assert configmap["metadata"] == {"name": "demo", "labels": {"tier": "1.0"}}


def test_a_call_block_on_a_macro_that_never_calls_caller_says_so(make_tree: Any) -> None:
    from conftest import MINIMAL_APP

    files = dict(EMPTY_CALLER)
    files["app/templates/_helpers.j2"] = files["app/templates/_helpers.j2"].replace("{{ caller() }}", "")
    root: Path = make_tree(files, base=MINIMAL_APP)
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        "app/templates/cm.yaml.j2:4: error: [prod/one] the macro 'metadata' is used with {% call %}, "
        "but never calls caller()",
        "  hint: write {{ caller() | fromyaml }} in the macro where the call block's YAML goes, "
        "or call the macro with {{ }} instead",
    ]


LABELLED = {
    "app/templates/deployment.yaml.j2": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
          labels: {{ values.labels }}
        spec:
          selector:
            matchLabels: {app: demo}
          template:
            metadata:
              labels: {app: demo}
            spec:
              containers:
                - name: main
                  image: "example/demo:{{ values.image.tag }}"
    """,
    "app/values.yaml": "image:\n  tag: '1.0'\nlabels: {team: shop}\n",
}


def _many_releases(count: int) -> str:
    releases = "".join(f"  r{index:02d}:\n    app: ../app\n" for index in range(count))
    return f"environments:\n  prod:\n    namespace: production\nreleases:\n{releases}"


@pytest.mark.parametrize("command", ["render", "validate"])
def test_a_check_of_a_placed_value_names_the_template_line_that_placed_it(make_tree: Any, command: str) -> None:
    # label-syntax runs over all objects after the release's own checks; the label's line is the
    # {{ }} that placed the map, in render (which keeps no positions) and in validate alike.
    from conftest import MINIMAL_APP

    overlay = {"project/envs/prod.yaml": "labels: {team: shop, version: 1.0}\n"}
    root: Path = make_tree({**LABELLED, **overlay}, base=MINIMAL_APP)
    (root / "app/values.schema.json").write_text("{}")
    result = run_pytemplar(command, "project", "-e", "prod", cwd=root)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        "app/templates/deployment.yaml.j2:5: error: [prod/one] Deployment one: metadata.labels['version'] "
        "is float, not text; quote it [label-syntax]"
    )


def test_a_release_rendered_by_a_worker_names_the_same_template_line(make_tree: Any) -> None:
    # 16 releases: with -j 2 a forked worker renders the second half and sends its objects back.
    from conftest import MINIMAL_APP

    root: Path = make_tree(
        {
            **LABELLED,
            "project/pytemplar.yaml": _many_releases(16),
            "project/envs/prod/r15.yaml": "labels: {team: shop, version: 1.0}\n",
        },
        base=MINIMAL_APP,
    )
    (root / "app/values.schema.json").write_text("{}")
    expected = (
        "app/templates/deployment.yaml.j2:5: error: [prod/r15] Deployment r15: metadata.labels['version'] "
        "is float, not text; quote it [label-syntax]"
    )
    for jobs in ("1", "2"):
        result = run_pytemplar("render", "project", "-e", "prod", "-j", jobs, cwd=root)
        assert (result.code, result.stdout) == (1, "")
        assert result.stderr.splitlines()[0] == expected, jobs
