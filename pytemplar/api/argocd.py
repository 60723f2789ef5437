"""Argo CD Applications (or one ApplicationSet) for every release x environment of a project."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytemplar.argocd import ArgoSource, application_set, applications
from pytemplar.errors import Problem, UsageError
from pytemplar.project import Workspace, load_project


def argocd_applications(
    project: str | Path,
    repo_url: str,
    *,
    path: str | None = None,
    environments: Sequence[str] = (),
    application_set_of_all: bool = False,
    **settings: Any,
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The Argo CD objects rendering each release x environment with the pytemplar plugin.

    ``path`` is the project folder inside the repository; by default, its place in the git work
    tree holding it. ``settings`` are the other fields of :class:`ArgoSource`. Returns the objects,
    and warnings about the project for this use.
    """
    loaded = load_project(Path(project), Workspace())
    unknown = [e for e in environments if e not in loaded.environments]
    if unknown:
        raise UsageError(
            f"unknown environment '{unknown[0]}'",
            hint=f"environments of {loaded.name}: {', '.join(loaded.environments)}",
        )
    source = ArgoSource(repo_url, path if path is not None else _path_in_repository(Path(project)), **settings)
    # The releases of an environment share its namespace, so no Application owns it: the plugin
    # renders a release without its Namespace object (render --no-namespace-objects) and every
    # Application creates the namespace with the sync option CreateNamespace=true, which Argo CD
    # never deletes.
    warnings: list[Problem] = []
    if application_set_of_all:
        return [application_set(loaded, source, environments)], warnings
    return applications(loaded, source, environments), warnings


def _path_in_repository(project: Path) -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--show-prefix"], cwd=project, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise UsageError(
            f"'{project}' is not inside a git repository, so its path there is unknown",
            hint="give it: --path FOLDER (the project folder inside the repository Argo CD reads)",
        )
    return done.stdout.strip().rstrip("/") or "."
