"""What `pytemplar render` does once its command line is read, by typer or by :mod:`pytemplar.cli._quick`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

from pytemplar.cli._running import OutputFormat, _err, _set_arguments, _usage, progress_on_stderr, run_action


class OutputLayout(StrEnum):  # pytemplar.outputdir.Layout, named here so --help does not import it
    tree = "tree"
    flat = "flat"


def render_command(
    *,
    project: Path,
    env: list[str] | None,
    all_envs: bool,
    release: list[str] | None,
    values: list[Path] | None,
    set_: list[str] | None,
    set_string: list[str] | None,
    set_json: list[str] | None,
    set_file: list[str] | None,
    output: OutputFormat,
    output_dir: Path | None,
    layout: OutputLayout,
    kube_version: str | None,
    kube_schema: bool,
    crds: list[Path] | None,
    check: list[str] | None,
    skip_check: list[str] | None,
    jobs: int,
    debug: bool,
    timeout: float,
    max_memory: int,
    release_name: str | None,
    namespace: str | None,
    namespace_objects: bool,
) -> int:
    """Render under the limits; the exit code."""

    def action() -> None:
        from pytemplar import api
        from pytemplar.errors import escape_control
        from pytemplar.project import Workspace, is_app, load_project

        alone = is_app(project)
        envs = list(env or [])
        if all_envs and envs:
            _usage("use either --env or --all-envs, not both")
        if not envs and not all_envs and not alone:
            known = load_project(project, Workspace()).environments
            if len(known) != 1:
                _usage(f"choose an environment with -e ({', '.join(known)}) or use --all-envs")
        sets = _set_arguments(set_json, set_, set_string, set_file)
        with progress_on_stderr("rendering") as progress:
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
                yaml_text=output_dir is None and output is not OutputFormat.json,
            )
        if result.warnings:
            from pytemplar.reporting import as_text

            _err(as_text(result.warnings))
        if output_dir is not None:
            from pytemplar import outputdir

            apps = [project] if alone else [Path(p) for p in _app_folders(project)]
            written = outputdir.write_folder(
                result.manifests,
                output_dir,
                [project, *apps],
                apps,
                rendered=result.releases,
                whole_environments=not release,
                layout=outputdir.Layout(layout.value),
            )
            shown = escape_control(str(output_dir))
            count = len(result.releases)
            _err(f"wrote {len(written)} files for {count} release{'' if count == 1 else 's'} to {shown}\n")
            return
        # Written in pieces as they are made: a big stream is never held whole.
        if layout is not OutputLayout.tree:
            _usage("--layout needs --output-dir")
        from pytemplar import output as out

        pieces = (
            out.json_pieces(result.manifests)
            if output is OutputFormat.json
            else out.yaml_pieces(result.manifests, result.yaml_texts)
        )
        for piece in pieces:
            sys.stdout.write(piece)

    return run_action(action, debug, timeout, max_memory, collect_cycles=False)


def _app_folders(project: Path) -> list[Path]:
    from pytemplar.project import Workspace, load_project

    loaded = load_project(project, Workspace())
    return [spec.app_path for spec in loaded.releases.values()]
