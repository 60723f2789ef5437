"""Usage errors exit 2 with a message on stderr; --help and --version exit 0."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import MINIMAL_APP, REPO, CliResult, run_pytemplar

import pytemplar

SHOP = "examples/apps/shop"


def shop(*args: str) -> CliResult:
    return run_pytemplar(*args, cwd=REPO)


def assert_usage_error(result: CliResult, *expected_lines: str) -> None:
    assert result.code == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == list(expected_lines)


@pytest.mark.parametrize("command", ["render", "validate"])
def test_unknown_environment_lists_the_known_ones(command: str) -> None:
    assert_usage_error(
        shop(command, SHOP, "-e", "qa"),
        "error: unknown environment 'qa'",
        "  hint: environments of shop: dev, staging, prod",
    )


def test_unknown_environment_in_values_lists_the_known_ones() -> None:
    assert_usage_error(
        shop("values", SHOP, "-e", "production", "-r", "service-a"),
        "error: unknown environment 'production'",
        "  hint: environments of shop: dev, staging, prod",
    )


def test_unknown_release_lists_the_known_ones() -> None:
    assert_usage_error(
        shop("render", SHOP, "-e", "prod", "-r", "service-a", "-r", "service-e"),
        "error: unknown release 'service-e'",
        "  hint: releases of shop: service-a, service-b, service-c, service-d",
    )


def test_release_not_deployed_to_the_environment_is_a_usage_error(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "project/pytemplar.yaml": """
                environments:
                  dev: {}
                  prod: {}
                releases:
                  one:
                    app: ../app
                  preview:
                    app: ../app
                    environments:
                      dev: {}
            """,
        },
        base=MINIMAL_APP,
    )
    assert_usage_error(
        run_pytemplar("render", "project", "-e", "prod", "-r", "preview", cwd=root),
        "error: release(s) preview are not deployed to prod",
    )
    only_dev = run_pytemplar("render", "project", "-e", "dev", "-r", "preview", cwd=root)
    assert only_dev.code == 0, only_dev.stderr
    assert [doc["metadata"]["name"] for doc in yaml.safe_load_all(only_dev.stdout)] == ["preview"]


def test_render_without_env_on_a_multi_environment_project_asks_for_one() -> None:
    assert_usage_error(
        shop("render", SHOP),
        "error: choose an environment with -e (dev, staging, prod) or use --all-envs",
    )


def test_render_without_env_on_a_single_environment_project_renders_it(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "project/pytemplar.yaml": """
                environments:
                  only:
                    namespace: solo
                releases:
                  one:
                    app: ../app
            """,
        },
        base=MINIMAL_APP,
    )
    result = run_pytemplar("render", "project", cwd=root)
    assert result.code == 0, result.stderr
    assert yaml.safe_load(result.stdout)["metadata"]["namespace"] == "solo"


def test_env_together_with_all_envs_is_refused() -> None:
    assert_usage_error(
        shop("render", SHOP, "-e", "prod", "--all-envs"), "error: use either --env or --all-envs, not both"
    )


def test_repeating_an_environment_renders_it_once() -> None:
    once = shop("render", SHOP, "-e", "prod")
    twice = shop("render", SHOP, "-e", "prod", "-e", "prod")
    assert once.code == 0, once.stderr
    assert twice.code == 0, twice.stderr
    assert twice.stdout == once.stdout


def test_repeating_a_release_renders_it_once() -> None:
    once = shop("render", SHOP, "-e", "prod", "-r", "service-b")
    twice = shop("render", SHOP, "-e", "prod", "-r", "service-b", "-r", "service-b")
    assert once.code == twice.code == 0, once.stderr + twice.stderr
    assert twice.stdout == once.stdout


@pytest.mark.parametrize("command", ["render", "validate"])
def test_missing_project_folder_is_a_usage_error(command: str, tmp_path: Path) -> None:
    assert_usage_error(
        run_pytemplar(command, "no-such-project", "-e", "dev", cwd=tmp_path),
        "error: project folder 'no-such-project' does not exist",
    )


def test_folder_without_pytemplar_yaml_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert_usage_error(
        run_pytemplar("render", "empty", "-e", "dev", cwd=tmp_path),
        "error: no pytemplar.yaml in 'empty'",
        "  hint: name the project folder (the one holding pytemplar.yaml), or create a project with `pytemplar init`",
    )


def test_app_folder_given_to_set_says_to_use_a_project() -> None:
    assert_usage_error(
        shop("set", "examples/apps/microservice", "-e", "prod", "-r", "microservice", "replicaCount=2"),
        "error: no pytemplar.yaml in 'examples/apps/microservice'",
        "  hint: this folder is an app template; render a project that uses it",
    )


def test_app_folder_given_to_render_renders_it_alone() -> None:
    result = shop("render", "examples/apps/microservice", "-e", "prod")
    assert result.code == 0, result.stderr
    assert "# Source: microservice/templates/deployment.yaml.j2" in result.stdout
    assert "environment: prod" in result.stdout


def test_project_path_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a project\n", encoding="utf-8")
    result = run_pytemplar("render", "notes.txt", "-e", "dev", cwd=tmp_path)
    assert result.code == 2, result.stderr
    assert result.stdout == ""
    assert "'notes.txt'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", SHOP, "-e", "prod", "--zzz"], "Error: No such option: --zzz"),
        (
            ["values", SHOP, "-e", "prod", "-r", "service-a", "--orign"],
            "Error: No such option: --orign (Possible options: --origin)",
        ),
        (["frobnicate"], "Error: No such command 'frobnicate'."),
    ],
)
def test_unknown_option_or_command_exits_2_with_a_message(args: list[str], message: str) -> None:
    result = shop(*args)
    assert result.code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert message in result.stderr.splitlines()
    assert "Try 'pytemplar" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", SHOP, "-e", "prod", "-o", "xml"], "'xml' is not one of 'yaml', 'json'"),
        (["validate", SHOP, "--format", "sarif"], "'sarif' is not one of 'text', 'json', 'github'"),
        (["render", SHOP, "-e", "prod", "-j", "-1"], "'--jobs' / '-j': -1 is not in the range x>=0."),
        (["validate", SHOP, "--jobs", "x"], "'--jobs' / '-j': 'x' is not a valid int range."),
    ],
)
def test_invalid_choice_names_the_allowed_values(args: list[str], message: str) -> None:
    result = shop(*args)
    assert result.code == 2
    assert result.stdout == ""
    assert message in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["render", "--help"], ["validate", "--help"], ["values", "-h"]])
def test_help_exits_0_on_stdout(args: list[str]) -> None:
    result = shop(*args)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("Usage: pytemplar")
    assert result.stderr == ""


def test_top_level_help_lists_the_commands() -> None:
    result = shop("--help")
    commands = re.findall(r"^  (\w+) ", result.stdout, flags=re.MULTILINE)
    assert {"render", "validate", "values"} <= set(commands)


def test_render_help_documents_its_options() -> None:
    result = shop("render", "--help")
    for option in ("--env", "--all-envs", "--release", "--values", "--output", "--output-dir"):
        assert option in result.stdout


def test_version_exits_0_and_prints_the_package_version() -> None:
    result = shop("--version")
    assert result.code == 0
    assert result.stdout == f"pytemplar {pytemplar.__version__}\n"
    assert result.stderr == ""


def test_no_arguments_shows_help_without_a_traceback() -> None:
    result = shop()
    assert result.code == 2
    assert "Usage: pytemplar" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_schema_prints_an_apps_values_schema_and_pytemplars_own() -> None:
    import json

    from conftest import EXAMPLES, REPO, run_pytemplar

    values = run_pytemplar("schema", "values", EXAMPLES / "microservice")
    assert values.code == 0, values.stderr
    assert json.loads(values.stdout) == json.loads(
        (EXAMPLES / "microservice" / "values.schema.json").read_text(encoding="utf-8")
    )
    from pytemplar.project import completed_project_schema

    project = run_pytemplar("schema", "project")
    shipped = json.loads((REPO / "schemas" / "pytemplar.schema.json").read_text("utf-8"))
    # The file, with the ids of the check table and the keys of the transform table.
    assert json.loads(project.stdout) == completed_project_schema(shipped)
    missing = run_pytemplar("schema", "values")
    assert missing.code == 2
    assert missing.stderr == ("error: schema values needs the app template folder: pytemplar schema values APP\n")
