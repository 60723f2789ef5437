"""Rendering an app template alone, as ``helm template ./chart`` renders a chart.

``pytemplar render APP`` (a folder with ``app.yaml``, or an archive from ``pytemplar package``)
makes a project of one release in one environment: the app's defaults, then ``-f`` files and
``--set`` as for any release. The release is named ``--release-name`` (else the app's name), in
``--namespace`` (else ``default``).
"""

from __future__ import annotations

from pathlib import Path

from pytemplar.errors import Location, UsageError
from pytemplar.fsroot import Root, is_archive_name
from pytemplar.project import APP_FILE, Environment, Project, ReleaseSpec, Workspace
from pytemplar.values import ValuesLayer

DEFAULT_ENVIRONMENT = "default"
DEFAULT_NAMESPACE = "default"


def app_project(
    path: Path,
    workspace: Workspace,
    *,
    release_name: str | None,
    namespace: str | None,
    environments: tuple[str, ...],
) -> Project:
    """A project of one release of the app at ``path``."""
    if len(environments) > 1:
        raise UsageError("an app rendered alone has one environment: give at most one -e")
    environment = environments[0] if environments else DEFAULT_ENVIRONMENT
    app = workspace.app(path, None, str(path))
    name = release_name or app.name
    where = Location(str(path if is_archive_name(path) else path / APP_FILE))
    release = ReleaseSpec(
        name=name,
        app_path=path,
        app_ref=str(path),
        app_location=where,
        namespace=None,
        values_files=(),
        environments={environment: ()},
    )
    env = Environment(
        name=environment,
        namespace=namespace or DEFAULT_NAMESPACE,
        create_namespace=False,
        kube_version=None,
        values_files=(),
    )
    return Project(
        root=Root.at(path.parent if str(path.parent) else Path(".")),
        config_path=where.path,
        name=app.name,
        kube_version=None,
        values=ValuesLayer("project", where.path, {}),
        environments={environment: env},
        releases={name: release},
        document=None,
    )
