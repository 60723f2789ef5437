"""examples/argocd: the plugin's generate command, run the way Argo CD's repo-server sidecar runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, TEMPLATE_CACHE

ARGOCD = REPO / "examples" / "argocd"


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((ARGOCD / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def generate_command() -> list[str]:
    """The generate command exactly as plugin.yaml writes it: command followed by args."""
    generate = load("plugin.yaml")["spec"]["generate"]
    return [*generate["command"], *generate.get("args", [])]


def venv_bin() -> str:
    """The folder holding this interpreter's console scripts, where ``pytemplar`` is installed."""
    folder = str(Path(sys.executable).parent)
    if shutil.which("pytemplar", path=folder) is None:
        pytest.fail(f"pytemplar is not installed beside {sys.executable}: pip install -e .")
    return folder


def run_generate(app_path: Path, plugin_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run generate in the app's source folder with the repo-server's build environment."""
    environment = {
        "PATH": os.pathsep.join([venv_bin(), "/usr/bin", "/bin"]),
        "HOME": str(TEMPLATE_CACHE / "argocd-home"),  # the sidecar's own, never the checked-out source
        "ARGOCD_APP_NAME": "shop-prod",
        "ARGOCD_APP_NAMESPACE": "shop-prod",
        "ARGOCD_APP_PROJECT_NAME": "default",
        "ARGOCD_APP_REVISION": "0123456789abcdef0123456789abcdef01234567",
        "ARGOCD_APP_REVISION_SHORT": "0123456",
        "ARGOCD_APP_SOURCE_PATH": str(app_path.relative_to(REPO)),
        "ARGOCD_APP_SOURCE_REPO_URL": "https://github.com/acme-shop/gitops.git",
        "ARGOCD_APP_SOURCE_TARGET_REVISION": "main",
        "KUBE_VERSION": "1.33.0",
        # Application spec.source.plugin.env entries reach the plugin prefixed ARGOCD_ENV_.
        **{f"ARGOCD_ENV_{name}": value for name, value in plugin_env.items()},
    }
    return subprocess.run(
        generate_command(), cwd=app_path, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_plugin_follows_the_sidecar_contract() -> None:
    plugin = load("plugin.yaml")
    assert (plugin["apiVersion"], plugin["kind"]) == ("argoproj.io/v1alpha1", "ConfigManagementPlugin")
    assert plugin["spec"]["discover"] == {"fileName": "./pytemplar.yaml"}
    assert plugin["spec"]["preserveFileMode"] is False
    assert generate_command()[:2] == ["sh", "-c"]


def test_the_application_names_the_plugin_and_an_environment_of_its_project() -> None:
    plugin, application = load("plugin.yaml"), load("application.yaml")
    assert (application["apiVersion"], application["kind"]) == ("argoproj.io/v1alpha1", "Application")
    source = application["spec"]["source"]
    assert source["plugin"]["name"] == f"{plugin['metadata']['name']}-{plugin['spec']['version']}"
    project = REPO / source["path"]
    assert (project / "pytemplar.yaml").is_file()  # the plugin's discover rule matches it
    [parameter] = source["plugin"]["env"]
    assert parameter["name"] == "ENVIRONMENT"
    environments = yaml.safe_load((project / "pytemplar.yaml").read_text(encoding="utf-8"))["environments"]
    assert parameter["value"] in environments
    namespace = environments[parameter["value"]]["namespace"]
    assert application["spec"]["destination"]["namespace"] == namespace


def test_generate_prints_only_the_manifests_of_the_environment() -> None:
    done = run_generate(REPO / "examples/apps/shop", {"ENVIRONMENT": "prod"})
    assert done.returncode == 0, done.stderr
    documents = [d for d in yaml.safe_load_all(done.stdout) if d is not None]
    assert len(documents) > 10
    kinds = set()
    for document in documents:
        assert isinstance(document, dict)
        assert {"apiVersion", "kind", "metadata"} <= document.keys()
        kinds.add(document["kind"])
        if document["kind"] == "Namespace":
            assert document["metadata"]["name"] == "shop-prod"
        else:
            assert document["metadata"]["namespace"] == "shop-prod"
    assert {"Namespace", "Deployment", "Service"} <= kinds


def test_generate_can_render_one_release() -> None:
    done = run_generate(REPO / "examples/apps/shop", {"ENVIRONMENT": "prod", "RELEASE": "service-b"})
    assert done.returncode == 0, done.stderr
    documents = [d for d in yaml.safe_load_all(done.stdout) if d is not None and d["kind"] != "Namespace"]
    assert documents
    assert {d["metadata"]["labels"]["app.kubernetes.io/instance"] for d in documents} == {"service-b"}


def test_a_missing_environment_fails_and_says_which_parameter_to_set() -> None:
    done = run_generate(REPO / "examples/apps/shop", {})
    assert done.returncode != 0
    assert done.stdout == ""
    assert "set ENVIRONMENT in the Application (spec.source.plugin.env)" in done.stderr


def test_an_unknown_environment_fails_with_pytemplars_message() -> None:
    done = run_generate(REPO / "examples/apps/shop", {"ENVIRONMENT": "qa"})
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: unknown environment 'qa'",
        "  hint: environments of shop: dev, staging, prod",
    ]
