"""`pytemplar diff` end to end: two environments, or the working tree against a git revision."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_pytemplar, write_tree

APP_AND_PROJECT = {
    "app/app.yaml": """
        name: demo
        version: 0.1.0
    """,
    "app/values.yaml": """
        replicas: 1
        image:
          tag: "1.0"
        password: aHVudGVyMg==
    """,
    "app/values.schema.json": """
        {
          "type": "object",
          "properties": {
            "replicas": {"type": "integer"},
            "image": {"type": "object", "properties": {"tag": {"type": "string"}}},
            "password": {"type": "string", "writeOnly": true}
          }
        }
    """,
    "app/templates/deployment.yaml.j2": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
        spec:
          replicas: {{ values.replicas }}
          selector:
            matchLabels:
              app: {{ release.name }}
          template:
            metadata:
              labels:
                app: {{ release.name }}
            spec:
              containers:
                - name: main
                  image: "example/demo:{{ values.image.tag }}"
    """,
    "app/templates/secret.yaml.j2": """
        apiVersion: v1
        kind: Secret
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
        data:
          password: {{ values.password }}
    """,
    "project/pytemplar.yaml": """
        environments:
          dev:
            namespace: shop-dev
          prod:
            namespace: shop-prod
        releases:
          one:
            app: ../app
          two:
            app: ../app
    """,
    "project/envs/prod.yaml": """
        replicas: 3
    """,
}


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    done = subprocess.run([*command, *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the app and the project, everything committed."""
    write_tree(tmp_path, APP_AND_PROJECT)
    git(tmp_path, "-c", "init.defaultBranch=main", "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def headers(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line[:2] in ("~ ", "+ ", "- ") and line[2:3].isupper()]


def test_an_unchanged_working_tree_has_no_diff(repo: Path) -> None:
    result = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", cwd=repo)
    assert (result.code, result.stdout) == (0, "")
    assert result.stderr == "HEAD -> working tree: 0 changed, 0 added, 0 removed, 4 unchanged\n"


def test_a_changed_value_lists_exactly_the_changed_object(repo: Path) -> None:
    write_tree(repo, {"project/envs/prod/one.yaml": "replicas: 5\n"})
    result = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", cwd=repo)
    assert result.code == 1, result.stderr
    assert result.stdout == (
        "~ Deployment shop-prod/one (release one)\n"
        "@@ -4,7 +4,7 @@\n"
        "   name: one\n"
        "   namespace: shop-prod\n"
        " spec:\n"
        "-  replicas: 3\n"
        "+  replicas: 5\n"
        "   selector:\n"
        "     matchLabels:\n"
        "       app: one\n"
    )
    assert result.stderr == "HEAD -> working tree: 1 changed, 0 added, 0 removed, 3 unchanged\n"


def test_added_and_removed_releases_show_their_objects(repo: Path) -> None:
    project = (repo / "project/pytemplar.yaml").read_text().replace("  two:", "  three:")
    write_tree(repo, {"project/pytemplar.yaml": project})
    result = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", cwd=repo)
    assert result.code == 1, result.stderr
    assert headers(result.stdout) == [
        "+ Secret shop-prod/three (release three)",
        "+ Deployment shop-prod/three (release three)",
        "- Secret shop-prod/two (release two)",
        "- Deployment shop-prod/two (release two)",
    ]
    assert result.stderr.endswith("0 changed, 2 added, 2 removed, 2 unchanged\n")


def test_the_app_template_comes_from_the_revision_too(repo: Path) -> None:
    template = repo / "app/templates/deployment.yaml.j2"
    template.write_text(template.read_text().replace("spec:\n  replicas", "spec:\n  paused: true\n  replicas"))
    result = run_pytemplar("diff", "project", "-e", "dev", "--against", "HEAD", cwd=repo)
    assert result.code == 1, result.stderr
    assert headers(result.stdout) == [
        "~ Deployment shop-dev/one (release one)",
        "~ Deployment shop-dev/two (release two)",
    ]
    assert "\n+  paused: true\n" in result.stdout


def test_two_environments_match_objects_by_release_and_show_the_namespace(repo: Path) -> None:
    result = run_pytemplar("diff", "project", "-e", "dev", "-e", "prod", "-r", "one", cwd=repo)
    assert result.code == 1, result.stderr
    assert headers(result.stdout) == [
        "~ Secret shop-dev/one -> shop-prod/one (release one)",
        "~ Deployment shop-dev/one -> shop-prod/one (release one)",
    ]
    assert "-  namespace: shop-dev\n+  namespace: shop-prod\n" in result.stdout
    assert "-  replicas: 1\n+  replicas: 3\n" in result.stdout
    assert result.stderr == "dev -> prod: 2 changed, 0 added, 0 removed, 0 unchanged\n"


def test_secret_values_are_masked(repo: Path) -> None:
    write_tree(repo, {"project/envs/prod/two.yaml": "password: czNjcjN0\n"})
    for output in ("text", "json"):
        result = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", "--format", output, cwd=repo)
        assert result.code == 1, result.stderr
        assert "czNjcjN0" not in result.stdout
        assert "aHVudGVyMg==" not in result.stdout
    text = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", cwd=repo).stdout
    assert '-  password: "<secret>"\n+  password: "<secret (changed)>"\n' in text


def test_json_output_parses_and_lists_path_level_changes(repo: Path) -> None:
    write_tree(repo, {"project/envs/prod/one.yaml": "image:\n  tag: '2.0'\n"})
    result = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", "--format", "json", cwd=repo)
    assert result.code == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["old"] == "HEAD"
    assert document["new"] == "working tree"
    assert document["added"] == document["removed"] == []
    assert document["unchanged"] == 3
    [changed] = document["changed"]
    assert changed["kind"] == "Deployment"
    assert changed["name"] == "one"
    assert changed["namespace"] == "shop-prod"
    assert changed["release"] == "one"
    assert changed["changes"] == [
        {
            "op": "replace",
            "path": "/spec/template/spec/containers/0/image",
            "old": "example/demo:1.0",
            "new": "example/demo:2.0",
        }
    ]


def test_colour_only_when_asked_for(repo: Path) -> None:
    write_tree(repo, {"project/envs/prod/one.yaml": "replicas: 5\n"})
    plain = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", cwd=repo)
    coloured = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", "--color", "always", cwd=repo)
    assert "\x1b[" not in plain.stdout
    assert "\x1b[31m-  replicas: 3\x1b[0m\n\x1b[32m+  replicas: 5\x1b[0m\n" in coloured.stdout
    assert coloured.stdout.startswith("\x1b[36m~ Deployment shop-prod/one (release one)\x1b[0m\n")


def test_a_project_new_since_the_revision_is_all_added(repo: Path) -> None:
    write_tree(repo, {"newer/pytemplar.yaml": (repo / "project/pytemplar.yaml").read_text()})
    result = run_pytemplar("diff", "newer", "-e", "dev", "--against", "HEAD", cwd=repo)
    assert result.code == 1, result.stderr
    assert len(headers(result.stdout)) == 4
    assert result.stderr == (
        "warning: there is no project at newer in HEAD: every object counts as added\n"
        "HEAD -> working tree: 0 changed, 4 added, 0 removed, 0 unchanged\n"
    )


def test_a_revision_that_does_not_render_is_named_with_its_files(repo: Path) -> None:
    write_tree(repo, {"project/envs/prod.yaml": "replicas: many\n"})
    git(repo, "commit", "-q", "-am", "broken")
    write_tree(repo, {"project/envs/prod.yaml": "replicas: 3\n"})
    result = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", cwd=repo)
    assert (result.code, result.stdout) == (4, "")
    assert result.stderr.splitlines()[0] == (
        'HEAD:project/envs/prod.yaml:1:11: error: [prod/one] (HEAD) values.replicas: "many" is not of type integer'
    )


def test_the_working_tree_side_is_named_when_it_does_not_render(repo: Path) -> None:
    write_tree(repo, {"project/envs/prod.yaml": "replicas: many\n"})
    result = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", cwd=repo)
    assert (result.code, result.stdout) == (4, "")
    assert 'error: [prod/one] (working tree) values.replicas: "many" is not of type integer' in result.stderr


def test_the_temporary_tree_is_removed(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    scratch = tmp_path_factory.mktemp("scratch")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(scratch))
        result = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", cwd=repo)
    assert result.code == 0, result.stderr
    assert list(scratch.iterdir()) == []


def test_an_unknown_revision_is_a_usage_error(repo: Path) -> None:
    result = run_pytemplar("diff", "project", "-e", "prod", "--against", "no-such-branch", cwd=repo)
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: --against: unknown git revision 'no-such-branch'\n"
        "  hint: check the name with: git log -1 no-such-branch (fetch a remote branch first: git fetch origin)\n"
    )


def test_a_revision_that_looks_like_an_option_is_refused(repo: Path) -> None:
    result = run_pytemplar("diff", "project", "-e", "prod", "--against=--output=/tmp/x", cwd=repo)
    assert result.code == 2
    assert result.stderr.splitlines()[0] == "error: --against: '--output=/tmp/x' is not a git revision"


def test_outside_a_git_repository_against_is_a_usage_error(tmp_path: Path) -> None:
    write_tree(tmp_path, APP_AND_PROJECT)
    # GIT_CEILING_DIRECTORIES stops git from finding a repository above the temporary folder.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
        result = run_pytemplar("diff", "project", "-e", "prod", "--against", "HEAD", cwd=tmp_path)
    assert result.code == 2
    assert result.stderr.splitlines()[0] == (
        "error: 'project' is not inside a git repository, so --against has nothing to compare with"
    )


@pytest.mark.parametrize(
    "arguments",
    [["-e", "prod"], ["-e", "dev", "-e", "prod", "-e", "dev2"], ["-e", "prod", "-e", "prod"]],
)
def test_without_against_exactly_two_environments_are_needed(repo: Path, arguments: list[str]) -> None:
    result = run_pytemplar("diff", "project", *arguments, cwd=repo)
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == (
        "error: diff compares two environments (-e A -e B) or one project with a git revision (--against REF)"
    )
    twice = arguments == ["-e", "prod", "-e", "prod"]
    assert result.stderr.splitlines()[1] == (
        "  hint: -e prod is given twice: name another environment, or compare prod with a revision: "
        "pytemplar diff -e prod --against main"
        if twice
        else "  hint: for example: pytemplar diff -e staging -e prod, or pytemplar diff -e prod --against main"
    )


def test_an_unknown_environment_is_a_usage_error_naming_the_side(repo: Path) -> None:
    result = run_pytemplar("diff", "project", "-e", "dev", "-e", "qa", cwd=repo)
    assert result.code == 2
    assert result.stderr.splitlines()[0] == "error: (qa) unknown environment 'qa'"


def run_on_a_terminal(repo: Path, *args: str, no_color: str | None = None) -> str:
    """Run diff with stdout on a pseudo-terminal, as in an interactive shell; return what it printed."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR" and not k.startswith("PYTEMPLAR")}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytemplar", "diff", *args],
            cwd=repo,
            env=env,
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        # The child has exited: whatever it printed is waiting; never block if it printed nothing.
        ready, _, _ = select.select([leader], [], [], 5)
        return os.read(leader, 65536).decode() if ready else ""
    finally:
        os.close(leader)
        os.close(follower)


def test_on_a_terminal_colour_is_on_unless_no_color_is_set(repo: Path) -> None:
    write_tree(repo, {"project/envs/prod/one.yaml": "replicas: 5\n"})
    arguments = ("project", "-e", "prod", "--against", "HEAD")
    assert "\x1b[32m+  replicas: 5\x1b[0m" in run_on_a_terminal(repo, *arguments)
    assert "\x1b[" not in run_on_a_terminal(repo, *arguments, no_color="1")
    assert "\x1b[" not in run_on_a_terminal(repo, *arguments, "--color", "never")
    assert "\x1b[32m" in run_on_a_terminal(repo, *arguments, "--color", "always", no_color="1")
