"""`pytemplar render`: manifests to stdout or to a folder."""

from __future__ import annotations

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
)
from pytemplar.cli._rendering import OutputLayout, render_command
from pytemplar.supervise import DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT


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

    code = render_command(
        project=project,
        env=env,
        all_envs=all_envs,
        release=release,
        values=values,
        set_=set_,
        set_string=set_string,
        set_json=set_json,
        set_file=set_file,
        output=output,
        output_dir=output_dir,
        layout=layout,
        kube_version=kube_version,
        kube_schema=kube_schema,
        crds=crds,
        check=check,
        skip_check=skip_check,
        jobs=jobs,
        debug=debug,
        timeout=timeout,
        max_memory=max_memory,
        release_name=release_name,
        namespace=namespace,
        namespace_objects=namespace_objects,
    )
    if code:
        raise typer.Exit(code)
