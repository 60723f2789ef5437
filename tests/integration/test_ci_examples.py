"""examples/ci: the pytemplar commands in the Jenkinsfile and the GitHub Actions workflow are real invocations."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, run_pytemplar

CI = REPO / "examples" / "ci"
WORKFLOW = CI / "github-actions" / "validate.yaml"
DEPLOY = CI / "github-actions" / "deploy.yaml"
JENKINSFILE = CI / "Jenkinsfile"

# What Jenkins would have in the environment when the pipeline's shell steps run.
JENKINS_VARIABLES = {
    "PROJECT": "examples/apps/shop",
    "ENVIRONMENT": "prod",
    "RELEASE": "service-a",
    "TAG": "0123456789ab",
}
SHELL_SEPARATORS = {"||", "&&", "|", ">", ";"}


def workflow() -> dict[Any, Any]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def workflow_steps() -> list[dict[str, Any]]:
    [job] = workflow()["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def step_running(subcommand: str) -> dict[str, Any]:
    [step] = [s for s in workflow_steps() if s.get("run", "").startswith(f"pytemplar {subcommand} ")]
    return step


def pytemplar_lines(script: str) -> list[str]:
    return [line.strip() for line in script.splitlines() if line.strip().startswith("pytemplar ")]


def jenkins_scripts() -> list[str]:
    """The text of every ``sh '…'``, ``sh '''…'''`` and ``sh(script: '…')`` step of the Jenkinsfile, in order."""
    text = JENKINSFILE.read_text(encoding="utf-8")
    pattern = r"sh '''(.*?)'''|sh '([^'\n]+)'|sh\(script: '([^'\n]+)'"
    return ["".join(parts) for parts in re.findall(pattern, text, flags=re.DOTALL)]


def expand(token: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), token)


def arguments_of(line: str, variables: dict[str, str]) -> list[str]:
    """The pytemplar command's arguments as the shell passes them, up to the first ``||``, ``>``…"""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens: list[str] = []
    for token in lexer:
        if token in SHELL_SEPARATORS:
            break
        tokens.append(expand(token, variables))
    assert tokens[0] == "pytemplar"
    return tokens[1:]


def assert_parses(arguments: list[str]) -> None:
    """The subcommand exists and accepts every flag: with --help appended, an unknown one is an error."""
    result = run_pytemplar(*arguments, "--help", cwd=REPO)
    # A documented command that does not exist is a broken example, never a skipped test.
    assert f"No such command '{arguments[0]}'" not in result.stderr, f"pytemplar {arguments[0]} does not exist"
    assert result.code == 0, f"pytemplar {shlex.join(arguments)}: {result.stderr}"


def shell_environment(**variables: str) -> dict[str, str]:
    """The runner's environment: pytemplar on PATH (this interpreter's scripts folder) and the job's variables."""
    scripts = str(Path(sys.executable).parent)
    if shutil.which("pytemplar", path=scripts) is None:
        pytest.fail(f"pytemplar is not installed beside {sys.executable}: pip install -e .")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
    return {**inherited, "PATH": os.pathsep.join([scripts, "/usr/bin", "/bin"]), **variables}


def run_step(script: str, cwd: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """A ``run:`` step the way GitHub's ubuntu runners run it: ``bash -e {0}``."""
    env = shell_environment(**variables)
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def copy_examples(destination: Path) -> Path:
    shutil.copytree(REPO / "examples" / "apps" / "microservice", destination / "examples/apps/microservice")
    shutil.copytree(REPO / "examples" / "apps" / "shop", destination / "examples/apps/shop")
    return destination


def git(root: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*command, *args], cwd=root, capture_output=True, text=True, check=True)


# --- GitHub Actions ---------------------------------------------------------------------------


def test_the_workflow_runs_on_pull_requests_with_python() -> None:
    document = workflow()
    # PyYAML reads the key `on` as the boolean true (YAML 1.1); GitHub reads it as "on".
    triggers = document.get("on", document.get(True))
    assert "pull_request" in triggers
    assert any(str(step.get("uses", "")).startswith("actions/setup-python@") for step in workflow_steps())
    assert any(step.get("run") == 'pip install "$PYTEMPLAR_SOURCE"' for step in workflow_steps())
    assert workflow()["env"]["PYTEMPLAR_SOURCE"] == "."
    commands = [line for step in workflow_steps() for line in pytemplar_lines(step.get("run", ""))]
    assert [arguments_of(line, {})[0] for line in commands] == ["validate", "diff"]


@pytest.mark.parametrize("subcommand", ["validate", "diff"])
def test_the_workflow_commands_parse(subcommand: str) -> None:
    variables = {**workflow()["env"], "BASE_REF": "main"}
    assert_parses(arguments_of(step_running(subcommand)["run"], variables))


def test_the_validate_step_passes_on_the_shop() -> None:
    step = step_running("validate")
    done = run_step(step["run"], REPO, **workflow()["env"])
    assert (done.returncode, done.stdout) == (0, ""), done.stdout + done.stderr


def test_the_validate_step_prints_annotations_for_problems(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    (tmp_path / "examples/apps/shop/envs/dev/service-b.yaml").write_text("replicaCount: many\n", encoding="utf-8")
    done = run_step(step_running("validate")["run"], tmp_path, **workflow()["env"])
    assert done.returncode == 1
    annotations = done.stdout.splitlines()
    assert annotations
    pattern = re.compile(r"::(error|warning) file=[^,:]+(,line=\d+)?(,col=\d+)?,title=[^:]+::\S.*")
    assert all(pattern.fullmatch(line) for line in annotations), annotations
    assert any(
        line.startswith("::error file=examples/apps/shop/envs/dev/service-b.yaml,line=1,col=15,title=pytemplar dev/")
        for line in annotations
    ), annotations


def test_the_diff_step_shows_what_the_pull_request_changes_in_prod(tmp_path: Path) -> None:
    copy_examples(tmp_path)
    git(tmp_path, "-c", "init.defaultBranch=main", "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    # What actions/checkout with fetch-depth 0 leaves behind: the base branch as origin/<base_ref>.
    git(tmp_path, "update-ref", "refs/remotes/origin/main", "HEAD")
    (tmp_path / "examples/apps/shop/envs/prod/service-a.yaml").unlink()
    step = step_running("diff")
    done = run_step(step["run"], tmp_path, **workflow()["env"], BASE_REF="main")
    assert done.returncode == 0, done.stderr
    assert "~ Deployment shop-prod/service-a (release service-a)" in done.stdout
    assert "origin/main -> working tree: " in done.stderr
    assert "shop-prod/service-b" not in done.stdout


# --- Jenkins ----------------------------------------------------------------------------------


def jenkins_commands() -> list[list[str]]:
    return [arguments_of(line, JENKINS_VARIABLES) for script in jenkins_scripts() for line in pytemplar_lines(script)]


def test_the_jenkinsfile_starts_the_tag_validates_and_shows_the_diff() -> None:
    commands = jenkins_commands()
    assert [c[:2] for c in commands] == [
        ["rollout", "status"],
        ["rollout", "start"],
        ["validate", "examples/apps/shop"],
        ["diff", "examples/apps/shop"],
        ["rollout", "status"],
    ]
    assert commands[0][-1] == "--image"
    assert commands[1] == [
        "rollout",
        "start",
        "examples/apps/shop",
        "-e",
        "prod",
        "-r",
        "service-a",
        "--tag",
        "0123456789ab",
    ]
    for name in ("ENVIRONMENT", "RELEASE"):
        assert f"name: '{name}'" in JENKINSFILE.read_text(encoding="utf-8")


@pytest.mark.parametrize("arguments", jenkins_commands(), ids=lambda a: " ".join(a[:2]))
def test_the_jenkinsfile_commands_parse(arguments: list[str]) -> None:
    assert_parses(arguments)


def test_the_jenkins_validate_step_writes_a_junit_report() -> None:
    [validate] = [c for c in jenkins_commands() if c[0] == "validate"]
    result = run_pytemplar(*validate, cwd=REPO)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("<?xml")
    assert "<testsuite" in result.stdout


# --- Deploying: the same pytemplar lines for every release, whatever its strategy -------------------

# Where `rollout start` puts the new version in prod, by each release's strategy there.
STARTED_IN = {
    "service-a": "service-a",  # no strategy: the Deployment itself
    "service-b": "service-b",
    "service-c": "service-c-green",  # BlueGreen: the preview colour, blue keeps the traffic
    "service-d": "service-d-canary",  # Canary: the canary, at weight 0
}
IMAGES = {
    "service-a": "ghcr.io/acme-shop/storefront",
    "service-b": "ghcr.io/acme-shop/catalog",
    "service-c": "ghcr.io/acme-shop/orders",
    "service-d": "ghcr.io/acme-shop/payments",
}


def git_repository(root: Path) -> Path:
    copy_examples(root)
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    return root


def images_in(root: Path, release: str) -> dict[str, str]:
    result = run_pytemplar("render", root / "examples/apps/shop", "-e", "prod", "-r", release)
    assert result.code == 0, result.stderr
    return {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0]["image"]
        for d in yaml.safe_load_all(result.stdout)
        if d and d["kind"] == "Deployment"
    }


def check_started(root: Path, release: str, image: str, tag: str) -> None:
    assert image == IMAGES[release], "the pushed image is the one the manifests pull"
    images = images_in(root, release)
    assert images[STARTED_IN[release]] == f"{image}:{tag}"
    if release == "service-c":
        assert images["service-c-blue"] == f"{image}:2.9.7", "the active colour keeps its version"
    if release == "service-d":
        assert images["service-d"] == f"{image}:0.9.12", "the stable track keeps its version"
        overlay = yaml.safe_load((root / "examples/apps/shop/envs/prod/service-d.yaml").read_text(encoding="utf-8"))
        assert overlay["rollout"]["canary"]["weight"] == 0, "a new build takes no weighted traffic yet"


@pytest.mark.parametrize("release", sorted(STARTED_IN))
def test_the_jenkins_steps_start_each_release_where_its_strategy_wants(tmp_path: Path, release: str) -> None:
    root = git_repository(tmp_path)
    variables = {**JENKINS_VARIABLES, "RELEASE": release}
    scripts = [script for script in jenkins_scripts() if pytemplar_lines(script)]
    # The image step's stdout becomes IMAGE, as `sh(script: …, returnStdout: true).trim()` does.
    image_step, *later = scripts
    done = run_step(image_step, root, **variables)
    assert done.returncode == 0, done.stderr
    variables["IMAGE"] = done.stdout.strip()
    for script in later:
        done = run_step(script, root, **variables)
        assert done.returncode == 0, f"{script}: {done.stderr}"
    check_started(root, release, variables["IMAGE"], variables["TAG"])


@pytest.mark.parametrize("release", ["service-c", "service-d"])
def test_the_deploy_workflow_starts_the_release_where_its_strategy_wants(tmp_path: Path, release: str) -> None:
    document = yaml.safe_load(DEPLOY.read_text(encoding="utf-8"))
    [job] = document["jobs"].values()
    root = git_repository(tmp_path)
    github_env = tmp_path / "github-env"
    github_env.write_text("", encoding="utf-8")
    variables = {**document["env"], "ENVIRONMENT": "prod", "RELEASE": release, "GITHUB_ENV": str(github_env)}
    ran = []
    for step in job["steps"]:
        script = step.get("run", "")
        if "pytemplar " not in script or "pip install" in script or "docker " in script or "git push" in script:
            continue  # the registry and the remote are not here
        exported = dict(line.split("=", 1) for line in github_env.read_text(encoding="utf-8").splitlines())
        done = run_step(script, root, **{**variables, **exported})
        assert done.returncode == 0, f"{step['name']}: {done.stderr}"
        ran.append(step["name"])
    assert ran == [
        "The image the release pulls",
        "Start the new version",
        "Validate every environment and release",
        "What comes next",
    ]
    exported = dict(line.split("=", 1) for line in github_env.read_text(encoding="utf-8").splitlines())
    check_started(root, release, exported["IMAGE"], exported["TAG"])


def test_the_install_step_installs_pytemplar_from_this_repository(tmp_path: Path) -> None:
    """The Jenkins install step, run in a checkout of this repository; the workflows run the same pip line."""
    checkout = tmp_path / "checkout"
    listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    for name in listed.splitlines():
        if (REPO / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, checkout / name)
    [install] = [s for s in jenkins_scripts() if "pip install" in s]
    done = run_step(install, checkout, PYTEMPLAR_SOURCE=".")
    assert done.returncode == 0, done.stderr
    installed = subprocess.run(
        [str(checkout / ".pytemplar-venv/bin/pytemplar"), "--version"], capture_output=True, text=True, check=False
    )
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.startswith("pytemplar ")
    for workflow_file in (WORKFLOW, DEPLOY):
        document = yaml.safe_load(workflow_file.read_text(encoding="utf-8"))
        assert document["env"]["PYTEMPLAR_SOURCE"] == "."
        [job] = document["jobs"].values()
        assert 'pip install "$PYTEMPLAR_SOURCE"' in [step.get("run") for step in job["steps"]]
    assert "PYTEMPLAR_SOURCE = '.'" in JENKINSFILE.read_text(encoding="utf-8")
