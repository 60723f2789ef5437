"""Argo CD ``Application`` objects (or one ``ApplicationSet``) for every release x environment.

Each Application renders one release in one environment with the pytemplar Config Management
Plugin (``examples/argocd/plugin.yaml``), passing ``ENVIRONMENT`` and ``RELEASE`` as plugin
parameters, so Argo CD's repo servers render the releases of a project in parallel and each
release syncs, fails and rolls back on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pytemplar.project import Project

ARGOCD_API = "argoproj.io/v1alpha1"
IN_CLUSTER = "https://kubernetes.default.svc"


@dataclass(frozen=True)
class ArgoSource:
    """Where Argo CD finds the project and how it renders it."""

    repo_url: str
    path: str  # the project folder inside the repository
    revision: str = "HEAD"
    plugin: str = "pytemplar-v1.0"
    argocd_namespace: str = "argocd"
    argocd_project: str = "default"
    server: str = IN_CLUSTER
    automated: bool = True


def application_name(project: str, environment: str, release: str) -> str:
    """``<project>-<environment>-<release>``, cut to the 63 characters of a label value."""
    return f"{project}-{environment}-{release}"[:63].rstrip("-")


def _sync_policy(source: ArgoSource) -> dict[str, Any]:
    policy: dict[str, Any] = {"syncOptions": ["CreateNamespace=true"]}
    if source.automated:
        policy["automated"] = {"prune": True, "selfHeal": True}
    return policy


def _spec(source: ArgoSource, environment: str, release: str, namespace: str) -> dict[str, Any]:
    return {
        "project": source.argocd_project,
        "source": {
            "repoURL": source.repo_url,
            "targetRevision": source.revision,
            "path": source.path,
            "plugin": {
                "name": source.plugin,
                "env": [{"name": "ENVIRONMENT", "value": environment}, {"name": "RELEASE", "value": release}],
            },
        },
        "destination": {"server": source.server, "namespace": namespace},
        "syncPolicy": _sync_policy(source),
    }


def targets(project: Project, environments: Sequence[str] = ()) -> list[tuple[str, str, str]]:
    """``(environment, release, namespace)`` for every release of every (chosen) environment."""
    chosen = list(environments) or list(project.environments)
    return [
        (environment, release.name, release.namespace or project.environments[environment].namespace)
        for environment in chosen
        for release in project.releases_in(environment)
    ]


def applications(project: Project, source: ArgoSource, environments: Sequence[str] = ()) -> list[dict[str, Any]]:
    """One Application per release x environment."""
    return [
        {
            "apiVersion": ARGOCD_API,
            "kind": "Application",
            "metadata": {
                "name": application_name(project.name, environment, release),
                "namespace": source.argocd_namespace,
                "labels": {
                    "app.kubernetes.io/part-of": project.name,
                    "pytemplar.io/environment": environment,
                    "pytemplar.io/release": release,
                },
            },
            "spec": _spec(source, environment, release, namespace),
        }
        for environment, release, namespace in targets(project, environments)
    ]


def application_set(project: Project, source: ArgoSource, environments: Sequence[str] = ()) -> dict[str, Any]:
    """One ApplicationSet whose list generator holds every release x environment."""
    elements = [
        {"environment": environment, "release": release, "namespace": namespace}
        for environment, release, namespace in targets(project, environments)
    ]
    template_spec = _spec(source, "{{environment}}", "{{release}}", "{{namespace}}")
    return {
        "apiVersion": ARGOCD_API,
        "kind": "ApplicationSet",
        "metadata": {"name": project.name, "namespace": source.argocd_namespace},
        "spec": {
            "generators": [{"list": {"elements": elements}}],
            "template": {
                "metadata": {
                    "name": f"{project.name}-{{{{environment}}}}-{{{{release}}}}",
                    "labels": {
                        "app.kubernetes.io/part-of": project.name,
                        "pytemplar.io/environment": "{{environment}}",
                        "pytemplar.io/release": "{{release}}",
                    },
                },
                "spec": template_spec,
            },
        },
    }
