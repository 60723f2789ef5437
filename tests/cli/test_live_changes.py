"""`validate --against REF` and `diff --against REF`: what applying the project over a running revision breaks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES, run_pytemplar


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The shop and its app template committed in a git repository: HEAD is what runs."""
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "running"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True, capture_output=True)
    return tmp_path


def set_values(repo: Path, environment: str, release: str, *assignments: str) -> None:
    result = run_pytemplar("set", repo / "shop", "-e", environment, "-r", release, *assignments)
    assert result.code == 0, result.stderr


SELECTOR = (
    "microservice/templates/deployment.yaml.j2:2: warning: [prod/service-b] Deployment service-b: spec.selector"
    " changes from HEAD, and Kubernetes does not change it in place: kubectl apply and an Argo CD sync fail on it\n"
    "  hint: adopt Canary without replacing the Deployment (its name and selector stay): pytemplar rollout adopt"
    " -e prod -r service-b --strategy Canary, committed instead of setting rollout.strategy; or replace the object"
    " in this sync (Argo CD: annotate it with argocd.argoproj.io/sync-options:"
    " Replace=true; kubectl: kubectl -n shop-prod delete deployment service-b, then apply); its pods restart,"
    " or keep the field as it was\n"
)
NEW_PODS = (
    "microservice/templates/service.yaml.j2:2: warning: [staging/service-b] Service service-b sends its traffic to"
    " Deployment service-b-blue, new since HEAD, instead of Deployment service-b: the Service switches at once and"
    " the new pods only start then, so requests fail until they are ready (service-b goes away)\n"
    "  hint: adopt BlueGreen without replacing service-b (it stays, as the blue colour): pytemplar rollout adopt"
    " -e staging -r service-b --strategy BlueGreen, committed instead of setting rollout.strategy; or"
    ' let the new pods start first: for this sync annotate the Service with argocd.argoproj.io/sync-wave: "1"'
    " (Argo CD waits for service-b-blue to be healthy and prunes last), or apply the new workloads, wait for them"
    " (kubectl rollout status), then the rest\n"
)


def test_adopting_canary_changes_a_live_selector(repo: Path) -> None:
    set_values(repo, "prod", "service-b", "rollout.strategy=Canary")
    result = run_pytemplar("validate", "shop", "-e", "prod", "--against", "HEAD", cwd=repo)
    assert (result.code, result.stdout) == (0, "")
    assert result.stderr == SELECTOR + "ok: 4 releases in 1 environment; 0 errors, 1 warning\n"
    strict = run_pytemplar("validate", "shop", "-e", "prod", "--against", "HEAD", "--strict", cwd=repo)
    assert strict.code == 1


def test_adopting_blue_green_moves_traffic_to_pods_that_do_not_run_yet(repo: Path) -> None:
    set_values(repo, "staging", "service-b", "rollout.strategy=BlueGreen", "rollout.active=blue")
    result = run_pytemplar("validate", "shop", "-e", "staging", "--against", "HEAD", cwd=repo)
    assert result.code == 0
    assert result.stderr == NEW_PODS + "ok: 4 releases in 1 environment; 0 errors, 1 warning\n"
    diff = run_pytemplar("diff", "shop", "-e", "staging", "--against", "HEAD", "--color", "never", cwd=repo)
    assert diff.code == 1
    assert diff.stderr.startswith(NEW_PODS)


def test_a_new_version_or_a_promote_warns_about_nothing(repo: Path) -> None:
    set_values(repo, "prod", "service-b", "image.tag=1.15.0")
    assert run_pytemplar("rollout", "promote", repo / "shop", "-e", "prod", "-r", "service-c").code == 0
    result = run_pytemplar("validate", "shop", "--against", "HEAD", cwd=repo)
    assert result.code == 0
    assert result.stderr == "ok: 12 releases in 3 environments; 0 errors\n"


def test_adopting_with_the_adopt_command_warns_about_nothing(repo: Path) -> None:
    for environment, strategy in (("prod", "Canary"), ("staging", "BlueGreen")):
        adopt = ("rollout", "adopt", repo / "shop", "-e", environment, "-r", "service-b", "--strategy", strategy)
        assert run_pytemplar(*adopt).code == 0
    result = run_pytemplar("validate", "shop", "--against", "HEAD", cwd=repo)
    assert result.stderr == "ok: 12 releases in 3 environments; 0 errors\n"
