"""`pytemplar argocd applications`: Argo CD Applications (or one ApplicationSet) for every release x
environment, each rendered by running the plugin's generate command the way Argo CD does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, run_pytemplar

from integration.test_argocd_plugin import load, run_generate

SHOP = REPO / "examples" / "apps" / "shop"
REPO_URL = "https://github.com/acme-shop/gitops.git"


def generated(*extra: str) -> tuple[list[dict[str, Any]], str]:
    result = run_pytemplar("argocd", "applications", "examples/apps/shop", "--repo-url", REPO_URL, *extra, cwd=REPO)
    assert result.code == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d], result.stderr


def plugin_env(application: dict[str, Any]) -> dict[str, str]:
    return {entry["name"]: entry["value"] for entry in application["spec"]["source"]["plugin"]["env"]}


def test_one_application_per_release_and_environment() -> None:
    applications, _ = generated()
    plugin = load("plugin.yaml")
    project = yaml.safe_load((SHOP / "pytemplar.yaml").read_text(encoding="utf-8"))
    expected = {(env, release) for env in project["environments"] for release in project["releases"]}
    assert {(plugin_env(a)["ENVIRONMENT"], plugin_env(a)["RELEASE"]) for a in applications} == expected
    assert len(applications) == 12
    assert len({a["metadata"]["name"] for a in applications}) == 12
    for application in applications:
        assert (application["apiVersion"], application["kind"]) == ("argoproj.io/v1alpha1", "Application")
        source = application["spec"]["source"]
        assert source["plugin"]["name"] == f"{plugin['metadata']['name']}-{plugin['spec']['version']}"
        assert (source["repoURL"], source["path"]) == (REPO_URL, "examples/apps/shop")
        environment = plugin_env(application)["ENVIRONMENT"]
        assert application["spec"]["destination"]["namespace"] == project["environments"][environment]["namespace"]


@pytest.mark.parametrize("name", ["shop-prod-service-c", "shop-staging-service-a"])
def test_the_plugin_renders_exactly_the_release_of_an_application(name: str) -> None:
    applications, _ = generated()
    [application] = [a for a in applications if a["metadata"]["name"] == name]
    done = run_generate(REPO / application["spec"]["source"]["path"], plugin_env(application))
    assert done.returncode == 0, done.stderr
    documents = [d for d in yaml.safe_load_all(done.stdout) if d and d["kind"] != "Namespace"]
    assert documents
    release = plugin_env(application)["RELEASE"]
    namespace = application["spec"]["destination"]["namespace"]
    for document in documents:
        assert document["metadata"]["labels"]["app.kubernetes.io/instance"] == release
        assert document["metadata"]["namespace"] == namespace


def expand(template: Any, element: dict[str, str]) -> Any:
    """The list generator's parameter substitution in an ApplicationSet template."""
    text = json.dumps(template)
    for key, value in element.items():
        text = text.replace("{{" + key + "}}", value)
    return json.loads(text)


def test_the_application_set_makes_the_same_applications() -> None:
    applications, _ = generated("-e", "prod")
    [application_set], _ = generated("-e", "prod", "--application-set")
    assert (application_set["apiVersion"], application_set["kind"]) == ("argoproj.io/v1alpha1", "ApplicationSet")
    [generator] = application_set["spec"]["generators"]
    made = [expand(application_set["spec"]["template"], element) for element in generator["list"]["elements"]]
    assert [m["metadata"]["name"] for m in made] == [a["metadata"]["name"] for a in applications]
    for one, other in zip(made, applications, strict=True):
        assert one["spec"] == other["spec"]
        assert one["metadata"]["labels"] == other["metadata"]["labels"]


@pytest.mark.parametrize("environment", ["prod", "staging"])
def test_the_applications_of_an_environment_share_no_object_and_create_their_namespace(environment: str) -> None:
    """Every Application of the environment rendered as Argo CD renders it: an object in two of them
    would be fought over, and a shared Namespace would be pruned with every release in it by the
    first Application deleted."""
    applications, warnings = generated("-e", environment)
    assert warnings == ""
    project = yaml.safe_load((SHOP / "pytemplar.yaml").read_text(encoding="utf-8"))
    assert project["environments"][environment]["createNamespace"] is True  # the case that matters
    owners: dict[tuple[str, str, str, str], str] = {}
    for application in applications:
        assert "CreateNamespace=true" in application["spec"]["syncPolicy"]["syncOptions"]
        done = run_generate(REPO / application["spec"]["source"]["path"], plugin_env(application))
        assert done.returncode == 0, done.stderr
        for document in (d for d in yaml.safe_load_all(done.stdout) if d):
            metadata = document["metadata"]
            key = (document["apiVersion"], document["kind"], metadata.get("namespace", ""), metadata["name"])
            assert key not in owners, f"{key} is in {owners[key]} and {application['metadata']['name']}"
            owners[key] = application["metadata"]["name"]
    assert not [key for key in owners if key[1] == "Namespace"]
    assert len({name for name in owners.values()}) == len(applications)


def test_usage_errors(tmp_path: Path) -> None:
    missing = run_pytemplar("argocd", "applications", "examples/apps/shop", cwd=REPO)
    assert (missing.code, missing.stdout) == (2, "")
    assert missing.stderr == "error: argocd applications needs the repository Argo CD reads (--repo-url URL)\n"
    unknown = run_pytemplar(
        "argocd", "applications", "examples/apps/shop", "--repo-url", REPO_URL, "-e", "qa", cwd=REPO
    )
    assert unknown.code == 2
    assert unknown.stderr == "error: unknown environment 'qa'\n  hint: environments of shop: dev, staging, prod\n"
