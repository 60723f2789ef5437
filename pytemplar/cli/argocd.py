"""`pytemplar argocd applications`: Argo CD Applications (or one ApplicationSet) for a whole project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import DebugOpt, ProjectArg, _err, _run

argocd_app = typer.Typer(
    name="argocd", help="Argo CD objects for a project rendered by the pytemplar plugin.", no_args_is_help=True
)


@argocd_app.command("applications")
def applications_command(
    project: ProjectArg = Path("."),
    repo_url: Annotated[
        str, typer.Option("--repo-url", metavar="URL", help="The git repository Argo CD reads the project from.")
    ] = "",
    path: Annotated[
        str | None,
        typer.Option("--path", metavar="FOLDER", help="The project folder in that repository (default: where it is)."),
    ] = None,
    revision: Annotated[
        str, typer.Option("--revision", metavar="REF", help="Branch, tag or commit Argo CD follows.")
    ] = "HEAD",
    env: Annotated[
        list[str] | None, typer.Option("--env", "-e", metavar="ENV", help="Only these environments; repeatable.")
    ] = None,
    plugin: Annotated[
        str, typer.Option("--plugin", metavar="NAME", help="The plugin's name and version, as Argo CD knows it.")
    ] = "pytemplar-v1.0",
    namespace: Annotated[str, typer.Option("--argocd-namespace", metavar="NS", help="Where Argo CD runs.")] = "argocd",
    argocd_project: Annotated[
        str, typer.Option("--argocd-project", metavar="NAME", help="The Argo CD project of the Applications.")
    ] = "default",
    server: Annotated[
        str, typer.Option("--server", metavar="URL", help="The cluster the releases go to.")
    ] = "https://kubernetes.default.svc",
    application_set: Annotated[
        bool, typer.Option("--application-set", help="One ApplicationSet (list generator) instead of Applications.")
    ] = False,
    manual: Annotated[bool, typer.Option("--manual-sync", help="No automated sync (prune, self-heal).")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write one Argo CD Application per release x environment (or one ApplicationSet), each rendering its
    release with the pytemplar plugin, so Argo CD renders and syncs the releases in parallel."""

    def action() -> None:
        from pytemplar import api
        from pytemplar.cli._common import _usage
        from pytemplar.yamlout import dump_yaml

        if not repo_url:
            _usage("argocd applications needs the repository Argo CD reads (--repo-url URL)")
        documents, warnings = api.argocd_applications(
            project,
            repo_url,
            path=path,
            environments=env or [],
            application_set_of_all=application_set,
            revision=revision,
            plugin=plugin,
            argocd_namespace=namespace,
            argocd_project=argocd_project,
            server=server,
            automated=not manual,
        )
        from pytemplar import reporting

        _err(reporting.as_text(warnings))
        sys.stdout.write("".join("---\n" + dump_yaml(document) for document in documents))

    _run(action, debug, 0, 0)
