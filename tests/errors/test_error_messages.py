"""The exact messages pytemplar prints for bad input, with their exit codes.

Every case builds a small app (``app/``) and project (``project/``) under ``tmp_path`` and
runs the CLI there with relative paths, so file names in messages are stable. Each message
must name the file and line it is about and say what to change; stdout stays empty and no
Python traceback ever reaches the user.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import yaml
from conftest import MINIMAL_APP, CliResult, run_pytemplar

MakeTree = Callable[..., Path]

DEPLOYMENT = "app/templates/deployment.yaml.j2"
PROJECT = "project/pytemplar.yaml"

TWO_RELEASES = """
    environments:
      dev: {}
      prod:
        namespace: production
    releases:
      one:
        app: ../app
      two:
        app: ../app
"""


def pytemplar(root: Path, *args: str) -> CliResult:
    return run_pytemplar(*args, cwd=root)


def render(root: Path, env: str = "prod") -> CliResult:
    return pytemplar(root, "render", "project", "-e", env)


def assert_fails(result: CliResult, *expected: str, code: int = 1) -> None:
    """Exit code, empty stdout, no traceback, and exactly these stderr lines."""
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert result.code == code, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == list(expected)


def assert_clean_failure(result: CliResult, code: int = 1) -> list[str]:
    """Exit code, empty stdout and no traceback; returns the stderr lines."""
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.code == code, result.stderr
    assert result.stdout == ""
    return result.stderr.splitlines()


def result_text(lines: list[str]) -> str:
    return "\n".join(lines)


def tree(make_tree: MakeTree, files: Mapping[str, str]) -> Path:
    return make_tree(dict(files), base=MINIMAL_APP)


def template(make_tree: MakeTree, text: str) -> Path:
    return tree(make_tree, {DEPLOYMENT: text})


# -- values against the schema -------------------------------------------------------------------


def test_schema_violation_in_environment_overlay_cites_overlay_line_and_value_path(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            "project/envs/prod.yaml": """
                # Production sizing.
                replicas: three
                image:
                  tag: "2.0"
            """,
        },
    )
    expected = 'project/envs/prod.yaml:2:11: error: [prod/one] values.replicas: "three" is not of type integer'
    assert_fails(render(root, "prod"), expected)
    # The overlay only applies to prod.
    assert render(root, "dev").code == 0
    validate = pytemplar(root, "validate", "project")
    assert_fails(validate, expected, "failed: 2 releases in 2 environments; 1 error")


def test_unknown_key_in_overlay_suggests_the_schema_key(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            "app/values.schema.json": """
                {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "replicas": {"type": "integer", "minimum": 1},
                    "image": {"type": "object", "additionalProperties": false,
                              "properties": {"tag": {"type": "string"}}}
                  }
                }
            """,
            "project/envs/prod.yaml": """
                # Production sizing.
                replicaz: 2
                image:
                  tgs: "2.0"
                replicas: 0
            """,
        },
    )
    assert_fails(
        render(root),
        "project/envs/prod.yaml:2:1: error: [prod/one] values: unknown key 'replicaz'",
        "  hint: did you mean 'replicas'?",
        "project/envs/prod.yaml:4:3: error: [prod/one] values.image: unknown key 'tgs'",
        "  hint: did you mean 'tag'?",
        "project/envs/prod.yaml:5:11: error: [prod/one] values.replicas: 0 is less than the minimum of 1",
    )


def test_unquoted_number_where_the_schema_wants_a_string_keeps_its_text_with_a_warning(make_tree: MakeTree) -> None:
    # 2.10 unquoted is the number 2.1 to YAML; the schema says the tag is text, so the text is kept.
    root = tree(make_tree, {"project/envs/prod.yaml": "image:\n  tag: 2.10\n"})
    result = render(root)
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "project/envs/prod.yaml:2:8: warning: [prod/one] values.image.tag: 2.10 is read by YAML as the number 2.1; "
        "using the text '2.10' because the schema expects a string",
        '  hint: quote it to say so: "2.10"',
    ]
    assert "image: example/demo:2.10\n" in result.stdout


def test_list_where_the_schema_wants_a_string_is_an_error_at_the_list(make_tree: MakeTree) -> None:
    root = tree(make_tree, {"project/envs/prod.yaml": "image:\n  tag: [2]\n"})
    lines = assert_clean_failure(render(root))
    assert lines[0] == "project/envs/prod.yaml:2:3: error: [prod/one] values.image.tag: [2] is not of type string"


def test_key_no_template_reads_is_reported_with_a_suggestion(make_tree: MakeTree) -> None:
    # MINIMAL_APP's schema allows extra keys, so only "no template read it" can catch the typo.
    root = tree(make_tree, {"project/envs/prod.yaml": "# sizing\nreplicass: 3\n"})
    validate = pytemplar(root, "validate", "project", "-e", "prod")
    assert validate.code == 1, "validate must fail on a key no template reads (DESIGN 3)"
    assert "project/envs/prod.yaml:2:1" in validate.stderr
    assert "did you mean 'replicas'?" in validate.stderr
    rendered = render(root)
    assert rendered.code == 0, rendered.stderr
    assert "project/envs/prod.yaml:2:1: warning:" in rendered.stderr, "render must warn about the typo"


# -- templates -----------------------------------------------------------------------------------


def test_undefined_value_names_the_template_line(make_tree: MakeTree) -> None:
    root = template(
        make_tree,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
        spec:
          replicas: {{ values.replicas }}
          template:
            spec:
              containers:
                - name: main
                  image: "example/demo:{{ values.image.tagg }}"
        """,
    )
    assert_fails(
        render(root),
        "app/templates/deployment.yaml.j2:12: error: [prod/one] 'values.image.tagg' is undefined",
        "  hint: did you mean 'values.image.tag'? otherwise define it in values.yaml, or test it with 'is defined' "
        "or '| default(...)'",
    )


def test_undefined_value_removed_by_an_overlay_null_names_the_template_line(make_tree: MakeTree) -> None:
    root = tree(make_tree, {"project/envs/prod.yaml": "replicas: null\n"})
    assert_fails(
        render(root),
        "app/templates/deployment.yaml.j2:7: error: [prod/one] 'values.replicas' is removed by the null at"
        " project/envs/prod.yaml:1:11",
        "  hint: test it first ({% if ... %}), give it a '| default(...)', or set it in a higher layer",
    )


def test_undefined_top_level_name_suggests_the_names_a_template_can_use(make_tree: MakeTree) -> None:
    root = template(
        make_tree,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
          namespace: {{ releas.namespace }}
        """,
    )
    lines = assert_clean_failure(render(root))
    assert lines[0] == "app/templates/deployment.yaml.j2:5: error: [prod/one] 'releas' is undefined"
    # 'releas' is not a value: "define it in values.yaml" sends the user the wrong way.
    assert "'release'" in result_text(lines[1:]), lines


def test_template_syntax_error_names_the_line(make_tree: MakeTree) -> None:
    root = template(
        make_tree,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }
          namespace: {{ release.namespace }}
        """,
    )
    assert_fails(
        render(root), "app/templates/deployment.yaml.j2:4: error: [prod/one] template syntax error: unexpected '}'"
    )


def test_syntax_error_in_a_helper_names_the_helper(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            "app/templates/_helpers.j2": """
                {% macro labels() %}
                app: demo
                {% endmacro %
            """,
        },
    )
    lines = assert_clean_failure(render(root))
    assert lines[0].startswith("app/templates/_helpers.j2:3: error: [prod/one] template syntax error: ")


def test_unclosed_block_names_the_line_that_opens_it(make_tree: MakeTree) -> None:
    root = template(
        make_tree,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
        {% if values.replicas > 1 %}
        spec:
          replicas: {{ values.replicas }}
        """,
    )
    lines = assert_clean_failure(render(root))
    assert lines[0].startswith("app/templates/deployment.yaml.j2:")
    assert "template syntax error: Unexpected end of template" in lines[0]
    # Jinja reports the end of the file (line 7); the block to close opens on line 5.
    assert "line 5" in result_text(lines) or lines[0].startswith("app/templates/deployment.yaml.j2:5:"), lines


def test_fail_in_a_template_reports_the_authors_message_at_its_line(make_tree: MakeTree) -> None:
    root = template(
        make_tree,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
        {% if values.replicas < 2 %}
        {{ fail("replicas must be at least 2 in " ~ release.environment) }}
        {% endif %}
        """,
    )
    assert_fails(
        render(root), "app/templates/deployment.yaml.j2:6: error: [prod/one] replicas must be at least 2 in prod"
    )


def test_required_filter_reports_the_authors_message_at_its_line(make_tree: MakeTree) -> None:
    root = template(
        make_tree,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
          annotations:
            owner: {{ values.owner | default("") | required("set values.owner to the owning team") }}
        """,
    )
    assert_fails(
        render(root), "app/templates/deployment.yaml.j2:6: error: [prod/one] set values.owner to the owning team"
    )
    fixed = tree(make_tree, {"project/envs/prod.yaml": "owner: payments\n"})
    assert render(fixed).code == 0


PLAIN_SCALAR_TEMPLATE = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ release.name }}
      namespace: {{ release.namespace }}
    spec:
      template:
        spec:
          containers:
            - name: main
              image: example/demo:{{ values.image.tag }}
"""


@pytest.mark.parametrize("tag", ["1.0\nkind: Secret", "1.0: x", "1.0 #x", "1.0\n---\nkind: Secret"])
def test_a_value_inside_a_plain_scalar_is_exactly_its_text(make_tree: MakeTree, tag: str) -> None:
    # The parser places the value inside the scalar's text: it cannot end the scalar or add a key.
    root = tree(
        make_tree, {DEPLOYMENT: PLAIN_SCALAR_TEMPLATE, "project/envs/prod.yaml": f"image:\n  tag: {json.dumps(tag)}\n"}
    )
    result = render(root)
    assert result.code == 0, result.stderr
    documents = [doc for doc in yaml.safe_load_all(result.stdout) if doc is not None]
    assert [doc["kind"] for doc in documents] == ["Deployment"]
    (container,) = documents[0]["spec"]["template"]["spec"]["containers"]
    assert container == {"name": "main", "image": f"example/demo:{tag}"}


def test_rendered_output_that_is_not_yaml_shows_the_rendered_lines(make_tree: MakeTree) -> None:
    root = template(
        make_tree,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
        spec:
          replicas: {{ values.replicas }}
         selector: {}
          template: {}
        """,
    )
    assert_fails(
        render(root),
        "app/templates/deployment.yaml.j2:8: error: [prod/one] rendered output is not valid YAML at rendered line 8: "
        "did not find expected key",
        "         6 | spec:",
        "         7 |   replicas: 1",
        "    >    8 |  selector: {}",
        "         9 |   template: {}",
        "        10 | ",
        "  hint: check the indentation: keys of one map start in the same column as the key above",
    )


def test_rendered_document_that_is_a_list_is_refused(make_tree: MakeTree) -> None:
    root = template(
        make_tree,
        """
        - apiVersion: v1
          kind: ConfigMap
        """,
    )
    assert_fails(
        render(root),
        "app/templates/deployment.yaml.j2:1: error: [prod/one] rendered document at rendered line 1 is a list, "
        "not a Kubernetes object",
        "    >    1 | - apiVersion: v1",
        "         2 |   kind: ConfigMap",
        "         3 | ",
    )


def test_documents_without_kind_or_name_are_refused(make_tree: MakeTree) -> None:
    root = template(
        make_tree,
        """
        apiVersion: apps/v1
        metadata:
          name: {{ release.name }}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          namespace: {{ release.namespace }}
        data: {}
        """,
    )
    assert_fails(
        render(root),
        "app/templates/deployment.yaml.j2:1: error: [prod/one] document at rendered line 1 has no kind "
        "(or it is not a string) [required-fields]",
        "app/templates/deployment.yaml.j2:5: error: [prod/one] document at rendered line 5 has no metadata.name "
        "(or it is not a string) [required-fields]",
    )


def test_two_releases_rendering_the_same_deployment_name_is_a_duplicate(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: TWO_RELEASES,
            DEPLOYMENT: """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: {{ release.namespace }}
            """,
        },
    )
    assert_fails(
        render(root),
        "app/templates/deployment.yaml.j2:1: error: [prod/two] Deployment production/web is rendered twice: "
        "by one/templates/deployment.yaml.j2 and by two/templates/deployment.yaml.j2 [unique-objects]",
        "  hint: give one of them another name",
    )


def test_same_name_in_different_namespaces_is_not_a_duplicate(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: """
                environments:
                  prod: {}
                releases:
                  one:
                    app: ../app
                  two:
                    app: ../app
                    namespace: other
            """,
            DEPLOYMENT: """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  namespace: {{ release.namespace }}
            """,
        },
    )
    result = render(root)
    assert result.code == 0, result.stderr


# -- pytemplar.yaml ------------------------------------------------------------------------------


def test_unknown_key_in_pytemplar_yaml_suggests_the_right_one(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: """
                environments:
                  dev: {}
                  prod:
                    namespce: production
                releases:
                  one:
                    app: ../app
            """,
        },
    )
    assert_fails(
        render(root),
        "project/pytemplar.yaml:4:5: error: project.environments.prod: unknown key 'namespce'",
        "  hint: did you mean 'namespace'?",
    )


def test_misspelled_top_level_key_in_pytemplar_yaml(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: """
                project: demo
                enviroments:
                  dev: {}
                releases:
                  one:
                    app: ../app
            """,
        },
    )
    assert_fails(
        render(root),
        "project/pytemplar.yaml:1:1: error: project: 'environments' is required",
        "project/pytemplar.yaml:2:1: error: project: unknown key 'enviroments'",
        "  hint: did you mean 'environments'?",
    )


def test_environment_name_that_is_not_dns_1123_is_cited_at_its_line(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: """
                environments:
                  dev: {}
                  Prod_EU: {}
                releases:
                  one:
                    app: ../app
            """,
        },
    )
    lines = assert_clean_failure(render(root, "dev"))
    # The error is about the key on line 3, not the start of the file.
    assert lines[0].startswith("project/pytemplar.yaml:3:3: error: "), lines
    assert "'Prod_EU'" in lines[0]
    # Say the rule in words (or suggest prod-eu), not only the regular expression.
    assert "lower-case" in result_text(lines) or "prod-eu" in result_text(lines), lines


def test_release_without_app_is_cited_at_the_release(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: """
                environments:
                  dev: {}
                releases:
                  one:
                    valuesFiles: [one.yaml]
            """,
        },
    )
    assert_fails(render(root, "dev"), "project/pytemplar.yaml:4:3: error: project.releases.one: 'app' is required")


def test_release_limited_to_an_undefined_environment(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: """
                environments:
                  dev: {}
                releases:
                  one:
                    app: ../app
                    environments:
                      qa: {}
            """,
        },
    )
    assert_fails(
        render(root, "dev"),
        "project/pytemplar.yaml:7:7: error: release 'one' names environment 'qa', which is not defined",
        "  hint: defined environments: dev",
    )


def test_empty_pytemplar_yaml_is_cited_by_file(make_tree: MakeTree) -> None:
    root = tree(make_tree, {PROJECT: "# nothing yet\n"})
    lines = assert_clean_failure(render(root, "dev"))
    assert lines, "no message"
    for line in lines:
        if not line.startswith("  "):
            assert line.startswith("project/pytemplar.yaml:1"), f"no file:line in {line!r}"


def test_pytemplar_yaml_that_is_a_list(make_tree: MakeTree) -> None:
    root = tree(make_tree, {PROJECT: "- environments\n- releases\n"})
    assert_fails(render(root, "dev"), "project/pytemplar.yaml:1: error: pytemplar.yaml must be a mapping, not a list")


# -- app.yaml ------------------------------------------------------------------------------------


def test_app_yaml_without_version(make_tree: MakeTree) -> None:
    root = tree(make_tree, {"app/app.yaml": "name: demo\ndescription: no version yet\n"})
    assert_fails(render(root), "app/app.yaml:1:1: error: [prod/one] app: 'version' is required")


def test_app_yaml_with_a_version_that_is_not_semver(make_tree: MakeTree) -> None:
    root = tree(make_tree, {"app/app.yaml": "name: demo\nversion: v1\n"})
    lines = assert_clean_failure(render(root))
    assert lines[0].startswith('app/app.yaml:2:10: error: [prod/one] app.version: "v1" does not match the pattern ')
    assert lines[1] == "  hint: Semantic version of the template, e.g. 1.2.0."


# -- values files --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind"), [("- replicas: 2\n", "list"), ("just a string\n", "string")])
def test_values_file_that_is_not_a_mapping(make_tree: MakeTree, text: str, kind: str) -> None:
    root = tree(make_tree, {"project/envs/prod.yaml": text})
    assert_fails(
        render(root), f"project/envs/prod.yaml:1: error: [prod/one] a values file must be a mapping, not a {kind}"
    )


def test_values_file_with_a_duplicate_key(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            "project/envs/prod.yaml": """
                replicas: 2
                image:
                  tag: "2.0"
                replicas: 3
            """,
        },
    )
    assert_fails(
        render(root),
        "project/envs/prod.yaml:4:1: error: [prod/one] duplicate key 'replicas' (first defined on line 1)",
        "  hint: remove one of the two",
    )


def test_values_file_with_invalid_yaml(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            "project/envs/prod.yaml": """
                replicas: 2
                image:
                 tag: "2.0"
                  pullPolicy: Always
            """,
        },
    )
    assert_fails(
        render(root),
        "project/envs/prod.yaml:4:3: error: [prod/one] invalid YAML: did not find expected key",
        "  hint: check the indentation: keys of one map start in the same column as the key above",
    )


def test_a_values_key_without_its_colon_is_reported_at_that_key(make_tree: MakeTree) -> None:
    # libyaml notices the missing ':' only on the next line; the line to edit is the key's.
    root = tree(
        make_tree,
        {
            "project/envs/prod.yaml": """
                replicas: 2
                image
                other: 1
            """,
        },
    )
    assert_fails(
        render(root),
        "project/envs/prod.yaml:2:1: error: [prod/one] invalid YAML: while scanning a simple key at line 2, "
        "column 1: could not find expected ':'",
    )


def test_values_file_with_an_unterminated_quote_points_at_the_quote(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            "project/envs/prod.yaml": """
                replicas: 2
                image:
                  tag: "2.0
                other: 1
            """,
        },
    )
    lines = assert_clean_failure(render(root))
    # libyaml reports "found unexpected end of stream" at the end of the file (5:1); the user needs
    # "while scanning a quoted scalar" and where it started (3:8).
    assert lines[0].startswith("project/envs/prod.yaml:3:8: error: ") or "line 3" in lines[0], lines
    assert "quoted scalar" in lines[0], lines


def test_values_file_with_a_python_tag_is_refused(make_tree: MakeTree) -> None:
    root = tree(make_tree, {"project/envs/prod.yaml": "replicas: !!python/object:os.system x\n"})
    assert_fails(
        render(root),
        "project/envs/prod.yaml:1:11: error: [prod/one] tag '!!python/object:os.system' is not allowed",
        "  hint: only the YAML core tags !!str !!int !!float !!bool !!null are accepted",
    )


def test_listed_values_file_that_does_not_exist_is_cited_where_it_is_listed(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: """
                environments:
                  dev: {}
                  prod:
                    namespace: production
                    valuesFiles:
                      - envs/common.yaml
                      - envs/production.yaml
                releases:
                  one:
                    app: ../app
            """,
            "project/envs/common.yaml": "replicas: 2\n",
        },
    )
    assert_fails(
        render(root),
        "project/pytemplar.yaml:7:9: error: [prod/one] values file 'envs/production.yaml' not found",
        "  hint: values files are named relative to the project folder",
    )


def test_listed_values_file_that_is_a_folder_is_an_input_error(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: """
                environments:
                  prod: {}
                releases:
                  one:
                    app: ../app
                    valuesFiles: [releases]
            """,
            "project/releases/one.yaml": "replicas: 2\n",
        },
    )
    lines = assert_clean_failure(render(root))
    assert lines[0].startswith("project/pytemplar.yaml:6:19: error: [prod/one] "), lines
    assert "'releases'" in lines[0]


def test_listed_values_file_outside_the_project_says_so(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: """
                environments:
                  prod: {}
                releases:
                  one:
                    app: ../app
                    valuesFiles: [../app/values.yaml]
            """,
        },
    )
    lines = assert_clean_failure(render(root))
    assert lines[0].startswith("project/pytemplar.yaml:6:19: error: [prod/one] "), lines
    # The file exists: "not found" would send the user looking for a typo.
    assert "not found" not in lines[0]
    assert "outside" in result_text(lines), lines


def test_command_line_values_file_that_does_not_exist(make_tree: MakeTree) -> None:
    root = tree(make_tree, {})
    assert_fails(
        pytemplar(root, "render", "project", "-e", "prod", "-f", "hotfix.yaml"),
        "error: -f: file 'hotfix.yaml' not found",
        "  hint: check the path; it is read from the current folder",
        code=2,  # as for a missing --set-file file: the command line names something that is not there
    )


def test_command_line_values_file_that_is_a_folder_is_an_input_error(make_tree: MakeTree) -> None:
    root = tree(make_tree, {"overrides/prod.yaml": "replicas: 2\n"})
    lines = assert_clean_failure(pytemplar(root, "render", "project", "-e", "prod", "-f", "overrides"))
    assert lines[0].startswith("overrides: error: "), lines
    assert "folder" in lines[0] or "not a regular file" in lines[0], lines


def test_release_referring_to_a_missing_app_folder(make_tree: MakeTree, tmp_path: Path) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: """
                environments:
                  prod: {}
                releases:
                  one:
                    app: ../apps/demo
            """,
        },
    )
    lines = assert_clean_failure(render(root))
    assert lines[0].startswith("project/pytemplar.yaml:5:10: error: [prod/one] app folder "), lines
    assert lines[0].endswith(" does not exist")
    # Show the path as written in pytemplar.yaml (or relative to the working folder), not a
    # machine-specific absolute path with '..' in it.
    assert str(tmp_path) not in result_text(lines), lines
    assert "'../apps/demo'" in lines[0] or "'apps/demo'" in lines[0], lines


def test_release_app_folder_without_app_yaml(make_tree: MakeTree) -> None:
    root = tree(make_tree, {PROJECT: TWO_RELEASES.replace("../app", "../project", 1)})
    lines = assert_clean_failure(render(root))
    assert lines[0].startswith("project/pytemplar.yaml:7:10: error: [prod/one] "), lines
    assert "is not an app template: it has no app.yaml" in lines[0]


def test_invalid_values_schema_json(make_tree: MakeTree) -> None:
    root = tree(make_tree, {"app/values.schema.json": '{"type": "object",}\n'})
    assert_fails(
        render(root),
        "app/values.schema.json:1:19: error: [prod/one] invalid JSON: "
        "Expecting property name enclosed in double quotes",
    )


# -- validate: every problem at once, three formats ----------------------------------------------


@pytest.fixture
def broken_project(make_tree: MakeTree) -> Path:
    """prod/one+two share a bad overlay; dev/two has its own problem; dev/one is fine."""
    return tree(
        make_tree,
        {
            PROJECT: TWO_RELEASES,
            "project/envs/prod.yaml": "replicas: many\n",
            "project/envs/dev/two.yaml": "image:\n  tag: [3]\n",
        },
    )


def test_validate_reports_problems_of_several_releases_and_environments(broken_project: Path) -> None:
    assert_fails(
        pytemplar(broken_project, "validate", "project"),
        "project/envs/dev/two.yaml:2:3: error: [dev/two] values.image.tag: [3] is not of type string",
        'project/envs/prod.yaml:1:11: error: [prod/one] values.replicas: "many" is not of type integer',
        "failed: 4 releases in 2 environments; 2 errors",
    )


def test_validate_limited_to_one_environment(broken_project: Path) -> None:
    assert_fails(
        pytemplar(broken_project, "validate", "project", "-e", "dev"),
        "project/envs/dev/two.yaml:2:3: error: [dev/two] values.image.tag: [3] is not of type string",
        "failed: 2 releases in 1 environment; 1 error",
    )


def test_validate_json_format(broken_project: Path) -> None:
    result = pytemplar(broken_project, "validate", "project", "--format", "json")
    assert result.code == 1
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "ok": False,
        "checked": [
            {"environment": "dev", "release": "one"},
            {"environment": "dev", "release": "two"},
            {"environment": "prod", "release": "one"},
            {"environment": "prod", "release": "two"},
        ],
        "problems": [
            {
                "severity": "error",
                "message": "values.image.tag: [3] is not of type string",
                "rule": None,
                "object": None,
                "file": "project/envs/dev/two.yaml",
                "line": 2,
                "column": 3,
                "environment": "dev",
                "release": "two",
                "hint": None,
            },
            {
                "severity": "error",
                "message": 'values.replicas: "many" is not of type integer',
                "rule": None,
                "object": None,
                "file": "project/envs/prod.yaml",
                "line": 1,
                "column": 11,
                "environment": "prod",
                "release": "one",
                "hint": None,
            },
        ],
    }


def test_validate_github_format(broken_project: Path) -> None:
    result = pytemplar(broken_project, "validate", "project", "--format", "github")
    assert result.code == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "::error file=project/envs/dev/two.yaml,line=2,col=3,title=pytemplar dev/two::"
        "values.image.tag: [3] is not of type string",
        "::error file=project/envs/prod.yaml,line=1,col=11,title=pytemplar prod/one::"
        'values.replicas: "many" is not of type integer',
    ]


def test_validate_github_format_puts_the_hint_on_an_escaped_second_line(make_tree: MakeTree) -> None:
    root = tree(make_tree, {"project/envs/prod.yaml": "replicas: 2\nreplicas: 3\n"})
    result = pytemplar(root, "validate", "project", "--format", "github")
    assert result.code == 1
    assert result.stdout == (
        "::error file=project/envs/prod.yaml,line=2,col=1,title=pytemplar prod/one::"
        "duplicate key 'replicas' (first defined on line 1)%0Aremove one of the two\n"
    )


def test_validate_reports_template_and_values_problems_together(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        {
            PROJECT: TWO_RELEASES,
            DEPLOYMENT: MINIMAL_APP[DEPLOYMENT].replace(
                "values.image.tag", "values.image.tag | required('set image.tag')"
            ),
            "project/envs/prod.yaml": "replicas: many\n",
            "project/envs/dev/two.yaml": "image:\n  tag: ''\n",
        },
    )
    assert_fails(
        pytemplar(root, "validate", "project"),
        "app/templates/deployment.yaml.j2:16: error: [dev/two] set image.tag",
        'project/envs/prod.yaml:1:11: error: [prod/one] values.replicas: "many" is not of type integer',
        "failed: 4 releases in 2 environments; 2 errors",
    )
