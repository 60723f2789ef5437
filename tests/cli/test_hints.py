"""Hints for common first-day mistakes: the exact message, where it points, and the exit code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, run_pytemplar

OVERLAY = "shop/envs/dev/service-b.yaml"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    return tmp_path


def validate(root: Path, overlay_text: str) -> tuple[int, list[str]]:
    (root / OVERLAY).write_text(overlay_text, encoding="utf-8")
    result = run_pytemplar("validate", "shop", "-e", "dev", cwd=root)
    assert result.stdout == "" and "Traceback" not in result.stderr
    return result.code, result.stderr.splitlines()


def test_a_tab_in_yaml_is_named(shop: Path) -> None:
    assert validate(shop, 'image:\n\ttag: "1.0"\n') == (
        1,
        [
            f"{OVERLAY}:2:1: error: [dev/service-b] invalid YAML: a tab character indents this line; "
            "YAML indents with spaces only",
            "  hint: replace the tab at line 2 with spaces (most editors: convert indentation to spaces)",
            "failed: 4 releases in 1 environment; 1 error",
        ],
    )


def test_an_emptied_required_key_is_called_a_deletion_at_its_line(shop: Path) -> None:
    assert validate(shop, "replicaCount: 2\nimage:\n") == (
        1,
        [
            f"{OVERLAY}:2:1: error: [dev/service-b] values: 'image' is required, and this empty key deletes it "
            "(an empty value is null, which removes what lower layers set)",
            "  hint: give it a value, or remove the line to keep the value of the layers below",
            "failed: 4 releases in 1 environment; 1 error",
        ],
    )


def test_a_required_key_never_set_is_not_called_a_deletion(shop: Path) -> None:
    defaults = shop / "microservice/values.yaml"
    defaults.write_text(defaults.read_text(encoding="utf-8").replace("\ncontainerPort:", "\n# containerPort:"))
    code, lines = validate(shop, "replicaCount: 2\n")
    assert code == 1
    assert lines[0].endswith("error: [dev/service-b] values: 'containerPort' is required"), lines


@pytest.mark.parametrize(
    ("given", "hint"),
    [("Loadbalancer", "did you mean 'LoadBalancer'?"), ("NodePrt", "did you mean 'NodePort'?"), ("Elsewhere", None)],
)
def test_a_value_outside_an_enum_gets_the_closest_choice(shop: Path, given: str, hint: str | None) -> None:
    code, lines = validate(shop, f"service:\n  type: {given}\n")
    assert code == 1
    assert lines[0] == (
        f"{OVERLAY}:2:9: error: [dev/service-b] values.service.type: '{given}' is not one of "
        "['ClusterIP', 'NodePort', 'LoadBalancer']"
    )
    assert lines[1] == (f"  hint: {hint}" if hint else "failed: 4 releases in 1 environment; 1 error")


@pytest.mark.parametrize("flag", ["-n", "--namespace", "--namespace=shop-prod"])
def test_helm_namespace_flag_points_at_the_pytemplar_way(flag: str) -> None:
    arguments = [flag, "shop-prod"] if "=" not in flag else [flag]
    result = run_pytemplar("render", EXAMPLES / "shop", "-e", "prod", *arguments)
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: pytemplar render has no option {flag.split('=')[0]}\n"
        "  hint: a namespace is set per environment in pytemplar.yaml (environments.<env>.namespace) or per "
        "release (releases.<release>.namespace): choose the environment with -e\n"
    )


def test_add_env_keeps_its_own_namespace_flag(tmp_path: Path) -> None:
    assert run_pytemplar("init", "proj", cwd=tmp_path).code == 0
    result = run_pytemplar("add", "env", "perf", "-n", "perf-ns", "-p", "proj", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "namespace: perf-ns" in (tmp_path / "proj/pytemplar.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arguments", "message", "hint"),
    [
        (
            ["template", "shop"],
            "pytemplar has no command 'template'",
            "`helm template` is `pytemplar render PROJECT -e ENV`, or `pytemplar render APP` for an app alone",
        ),
        (  # the parser alone would answer "Did you mean 'init'?"
            ["lint", "shop"],
            "pytemplar has no command 'lint'",
            "`helm lint` is `pytemplar validate PROJECT` (every environment and release at once)",
        ),
        (
            ["build", "overlays/prod"],
            "pytemplar has no command 'build'",
            "`kustomize build` is `pytemplar render PROJECT -e ENV`",
        ),
        (
            ["install", "shop", "./shop"],
            "pytemplar has no command 'install'",
            "pytemplar does not talk to a cluster: pipe `pytemplar render PROJECT -e ENV` into `kubectl apply -f -`, "
            "or commit the project and let Argo CD sync it (examples/argocd)",
        ),
        (
            ["--install-completion"],
            "pytemplar has no option --install-completion",
            "print the script with `pytemplar completion bash|zsh|fish`; for bash: source <(pytemplar completion bash)",
        ),
    ],
)
def test_helm_and_kustomize_commands_point_at_the_pytemplar_command(
    arguments: list[str], message: str, hint: str
) -> None:
    result = run_pytemplar(*arguments)
    assert (result.code, result.stdout, result.stderr) == (2, "", f"error: {message}\n  hint: {hint}\n")


def test_a_misspelt_command_still_gets_the_parsers_suggestion() -> None:
    result = run_pytemplar("rendr")
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == "Error: No such command 'rendr'. Did you mean 'render'?"


def test_a_folder_without_a_project_names_the_projects_below_it(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    result = run_pytemplar("render", "-e", "prod", cwd=tmp_path)
    assert (result.code, result.stdout, result.stderr) == (
        2,
        "",
        "error: no pytemplar.yaml in '.'\n  hint: name the project folder, e.g. examples/batch, examples/shop\n",
    )


def test_a_folder_inside_a_project_names_the_project(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    result = run_pytemplar("values", "-e", "prod", "-r", "service-a", cwd=tmp_path / "shop" / "envs" / "prod")
    assert (result.code, result.stdout, result.stderr) == (
        2,
        "",
        "error: no pytemplar.yaml in '.'\n  hint: this folder is inside the project '../..': name that folder\n",
    )


def test_an_empty_folder_is_told_how_to_start(tmp_path: Path) -> None:
    result = run_pytemplar("validate", cwd=tmp_path)
    assert (result.code, result.stdout, result.stderr) == (
        2,
        "",
        "error: no pytemplar.yaml in '.'\n"
        "  hint: name the project folder (the one holding pytemplar.yaml), or create a project with `pytemplar init`\n",
    )


def test_add_release_with_an_app_name_points_at_its_folder(tmp_path: Path) -> None:
    assert run_pytemplar("init", "proj", cwd=tmp_path).code == 0
    result = run_pytemplar("add", "release", "api", "--app", "web", cwd=tmp_path / "proj")
    assert (result.code, result.stdout, result.stderr) == (
        2,
        "",
        "error: --app: 'web' is not an app template (no app.yaml there)\n"
        "  hint: did you mean --app apps/web? (the app folder, relative to the project)\n",
    )
    assert run_pytemplar("add", "release", "api", "--app", "apps/web", cwd=tmp_path / "proj").code == 0


@pytest.mark.parametrize(
    ("text", "where", "message", "hint"),
    [
        (  # a value with ': ' in it
            "ingress:\n  host: shop.example: 443\n",
            "2:21",
            "invalid YAML: mapping values are not allowed in this context",
            "a value holding ': ' must be quoted: host: \"shop.example: 443\"",
        ),
        (  # a key indented deeper than the one above it
            "replicaCount: 2\n  image: {}\n",
            "2:8",
            "invalid YAML: mapping values are not allowed in this context",
            "check the indentation: keys of one map start in the same column as the key above",
        ),
        (
            'image:\n tag: "1.2"\n  pullPolicy: Always\n',
            "3:3",
            "invalid YAML: did not find expected key",
            "check the indentation: keys of one map start in the same column as the key above",
        ),
        (
            "autoscaling:\n  enabled: yes\n",
            "2:12",
            'values.autoscaling.enabled: "yes" is not of type boolean',
            "values files are YAML 1.2, where yes is text (YAML 1.1 and Helm read it as a boolean): write true",
        ),
        (
            'replicaCount: "2"\n',
            "1:15",
            'values.replicaCount: "2" is not of type integer',
            '"2" is text, 2 a number: write it without quotes (on the command line: --set, not --set-string)',
        ),
    ],
)
def test_common_yaml_mistakes_in_a_values_file_say_what_to_change(
    shop: Path, text: str, where: str, message: str, hint: str
) -> None:
    code, lines = validate(shop, text)
    assert code == 1
    assert lines[:2] == [f"{OVERLAY}:{where}: error: [dev/service-b] {message}", f"  hint: {hint}"]


@pytest.mark.parametrize("command", [["schema", "values"], ["docs"], ["package"]])
def test_a_project_given_for_an_app_names_the_apps_it_uses(command: list[str]) -> None:
    result = run_pytemplar(*command, "examples/apps/batch", cwd=REPO)
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == (
        "examples/apps/batch: error: 'examples/apps/batch' is not an app template: it has no app.yaml\n"
        "  hint: 'examples/apps/batch' is a project; its releases use the app templates examples/apps/worker,"
        " examples/apps/cronjob\n"
    )


def test_init_with_an_app_folder_says_how_to_use_an_existing_app(tmp_path: Path) -> None:
    result = run_pytemplar("init", "proj", "--app", "../web", cwd=tmp_path)
    assert (result.code, result.stdout, result.stderr) == (
        2,
        "",
        "error: --app names the app template init creates in apps/; '../web' is a path\n"
        "  hint: to use an existing app template, create the project, then add its release: pytemplar init proj"
        " && pytemplar add release NAME --app APP -p proj (APP relative to the project)\n",
    )
    assert list(tmp_path.iterdir()) == []
