"""`pytemplar render`: manifests to stdout or to a folder."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pytemplar.cli._common import (
    CheckOpt,
    CrdsOpt,
    DebugOpt,
    EnvOpt,
    JobsOpt,
    KubeSchemaOpt,
    KubeVersionOpt,
    MemoryOpt,
    OutputFormat,
    ProjectArg,
    ReleaseOpt,
    SetFileOpt,
    SetJsonOpt,
    SetOpt,
    SetStringOpt,
    SkipCheckOpt,
    TimeoutOpt,
    ValuesOpt,
    _err,
    _run,
    _set_arguments,
    _usage,
)
from pytemplar.errors import escape_control
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT


class OutputLayout(StrEnum):  # pytemplar.output.Layout, named here so --help does not import it
    tree = "tree"
    flat = "flat"


def render(
    project: ProjectArg = Path("."),
    env: EnvOpt = None,
    all_envs: Annotated[bool, typer.Option("--all-envs", help="Render every environment.")] = False,
    release: ReleaseOpt = None,
    values: ValuesOpt = None,
    set_: SetOpt = None,
    set_string: SetStringOpt = None,
    set_json: SetJsonOpt = None,
    set_file: SetFileOpt = None,
    output: Annotated[OutputFormat, typer.Option("--output", "-o", help="Stream format.")] = OutputFormat.yaml,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            metavar="DIR",
            help="Write files to DIR/<env>/ instead of stdout, replacing only the environments (or releases) rendered.",
        ),
    ] = None,
    layout: Annotated[
        OutputLayout,
        typer.Option(
            "--layout",
            help="With --output-dir: tree: <env>/<release>/<template>.yaml; "
            "flat: <env>/<release>.yaml (for kubectl apply -f DIR/<env> and Argo CD's directory source).",
        ),
    ] = OutputLayout.tree,
    kube_version: KubeVersionOpt = None,
    kube_schema: KubeSchemaOpt = False,
    crds: CrdsOpt = None,
    check: CheckOpt = None,
    skip_check: SkipCheckOpt = None,
    jobs: JobsOpt = 0,
    debug: DebugOpt = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    max_memory: MemoryOpt = DEFAULT_MEMORY_MIB,
    release_name: Annotated[
        str | None,
        typer.Option(
            "--release-name", metavar="NAME", help="Rendering an app alone: the release name (default: the app's)."
        ),
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option(
            "--namespace", "-n", metavar="NS", help="Rendering an app alone: the namespace (default: default)."
        ),
    ] = None,
    namespace_objects: Annotated[
        bool,
        typer.Option(
            "--namespace-objects/--no-namespace-objects",
            help="Render the Namespace of each environment with createNamespace: true. --no-namespace-objects"
            " leaves creating it to the deployer (Argo CD's CreateNamespace=true): for several Applications"
            " deploying releases into one namespace, which must not each own it.",
        ),
    ] = True,
) -> None:
    """Render manifests to stdout (for kubectl apply -f -) or to a folder.

    PROJECT may also be an app template (a folder with app.yaml, or an archive), rendered alone
    as one release with its defaults, -f and --set: like `helm template ./chart`.
    """

    def action() -> None:
        from pytemplar import api
        from pytemplar import output as out
        from pytemplar.helm.standalone import is_app
        from pytemplar.progress import progress_line
        from pytemplar.project import Workspace, load_project

        alone = is_app(project)
        envs = list(env or [])
        if all_envs and envs:
            _usage("use either --env or --all-envs, not both")
        if not envs and not all_envs and not alone:
            known = load_project(project, Workspace()).environments
            if len(known) != 1:
                _usage(f"choose an environment with -e ({', '.join(known)}) or use --all-envs")
        sets = _set_arguments(set_json, set_, set_string, set_file)
        with progress_line(sys.stderr, "rendering") as progress:
            result = api.render(
                project,
                envs,
                release or [],
                values or [],
                sets,
                kube_version=kube_version,
                kube_schema=kube_schema,
                crds=crds or [],
                checks=check or [],
                skip_checks=skip_check or [],
                progress=progress,
                jobs=jobs,
                release_name=release_name,
                namespace=namespace,
                namespace_objects=namespace_objects,
            )
        if result.warnings:
            from pytemplar.reporting import as_text

            _err(as_text(result.warnings))
        if output_dir is not None:
            apps = [project] if alone else [Path(p) for p in _app_folders(project)]
            written = out.write_folder(
                result.manifests,
                output_dir,
                [project, *apps],
                apps,
                rendered=result.releases,
                whole_environments=not release,
                layout=out.Layout(layout.value),
            )
            shown = escape_control(str(output_dir))
            count = len(result.releases)
            _err(f"wrote {len(written)} files for {count} release{'' if count == 1 else 's'} to {shown}\n")
            return
        # Written in pieces as they are made: a big stream is never held whole.
        if layout is not OutputLayout.tree:
            _usage("--layout needs --output-dir")
        pieces = out.json_pieces(result.manifests) if output is OutputFormat.json else out.yaml_pieces(result.manifests)
        for piece in pieces:
            sys.stdout.write(piece)

    _run(action, debug, timeout, max_memory)


def _app_folders(project: Path) -> list[Path]:
    from pytemplar.project import Workspace, load_project

    loaded = load_project(project, Workspace())
    return [spec.app_path for spec in loaded.releases.values()]
