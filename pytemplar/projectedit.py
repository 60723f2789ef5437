"""``pytemplar add env`` and ``pytemplar add release``: grow a project without editing it by hand.

``pytemplar.yaml`` is edited in place by the overlay editor (comments, order and layout kept);
the new overlay file (``envs/NAME.yaml`` or ``releases/NAME.yaml``) is created beside it. The
edited project file is checked against its schema before anything is written; the new overlay
is written first and removed again if the project file cannot be replaced, so a failure leaves
the project as it was.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytemplar.errors import ConfigError, Location, UsageError
from pytemplar.fsroot import ArchiveRoot, Root
from pytemplar.overlay import read_overlay, set_value, write_overlay
from pytemplar.project import PROJECT_FILE, Workspace, check_project_document, load_project
from pytemplar.scaffold import check_name


@dataclass(frozen=True)
class ProjectAddition:
    """What an ``add`` command changed: the project file and the overlay it created."""

    project_file: Path
    overlay: Path
    before: str
    after: str


def add_environment(project: Path, name: str, namespace: str | None = None) -> ProjectAddition:
    """Add the environment ``name`` (namespace ``<project>-<name>`` unless given) and ``envs/NAME.yaml``."""
    check_name(name, "environment name")
    loaded = load_project(project, Workspace())
    if name in loaded.environments:
        raise UsageError(
            f"the environment '{name}' is already in {_shown(project)}",
            hint=f"its values go in envs/{name}.yaml",
        )
    if namespace is None:
        namespace = f"{loaded.name}-{name}" if loaded.name else name
    check_name(namespace, "namespace")
    entry: dict[str, Any] = {"namespace": namespace}
    create = {bool(env.create_namespace) for env in loaded.environments.values()}
    if create == {True}:  # every environment has it: the new one too
        entry["createNamespace"] = True
    overlay_text = _overlay_text(project, f"envs/{name}.yaml", f"Values of every release in {name}.", loaded)
    return _apply(project, ("environments", name), entry, f"envs/{name}.yaml", overlay_text)


def add_release(project: Path, name: str, app: str) -> ProjectAddition:
    """Add the release ``name`` of the app template ``app`` (a path as pytemplar.yaml writes it)."""
    check_name(name, "release name")
    loaded = load_project(project, Workspace())
    if name in loaded.releases:
        raise UsageError(
            f"the release '{name}' is already in {_shown(project)}",
            hint=f"its values go in releases/{name}.yaml",
        )
    app = _app_reference(project, app)
    overlay_text = _overlay_text(
        project, f"releases/{name}.yaml", f"Values of the {name} release in every environment.", loaded, app
    )
    return _apply(project, ("releases", name), {"app": app}, f"releases/{name}.yaml", overlay_text)


def _app_reference(project: Path, app: str) -> str:
    """``app`` as pytemplar.yaml names it: relative to the project, checked to be an app template."""
    from_project = project / app
    if not (from_project / "app.yaml").is_file() and not from_project.is_file():
        from_here = Path(app)
        if (from_here / "app.yaml").is_file():  # given relative to the current folder
            app = os.path.relpath(from_here.resolve(), project.resolve())
        else:
            raise UsageError(f"--app: '{app}' is not an app template (no app.yaml there)", hint=_app_hint(project, app))
    Workspace().app(project / app)  # loads, so a broken app template is reported now
    return Path(app).as_posix()


def _app_hint(project: Path, app: str) -> str:
    """The app folders the project has (under apps/, as init makes them), the one named ``app`` first."""
    import difflib

    folders = sorted(p.parent.relative_to(project).as_posix() for p in project.glob("apps/*/app.yaml"))
    close = [f for f in folders if Path(f).name == Path(app).name] or difflib.get_close_matches(app, folders, n=1)
    if close:
        return f"did you mean --app {close[0]}? (the app folder, relative to the project)"
    return "give the app folder relative to the project, e.g. --app apps/web or --app ../microservice"


def _overlay_text(project: Path, relative: str, title: str, loaded: Any, app: str | None = None) -> str:
    from pytemplar.editorschema import overlay_modeline

    if os.path.lexists(project / relative):
        raise UsageError(
            f"'{_shown(project / relative)}' already exists; nothing was written",
            hint="move it away, or add the entry to pytemplar.yaml by hand",
        )
    line = overlay_modeline(project, relative, app or _only_app(loaded))
    return (line + "\n" if line else "") + f"# {title}\n{{}}\n"


def _only_app(loaded: Any) -> str | None:
    apps = {spec.app_ref for spec in loaded.releases.values()}
    return next(iter(apps)) if len(apps) == 1 else None


def _apply(
    project: Path, path: tuple[str, str], entry: dict[str, Any], relative: str, overlay_text: str
) -> ProjectAddition:
    root = Root.at(project)
    config = read_overlay(root, PROJECT_FILE)
    after = set_value(config.text, path, entry, str(config.path))
    # The project file as it will be, checked against its schema before anything is written.
    check_project_document(
        Workspace().yaml_mapping(ArchiveRoot(root.path, {PROJECT_FILE: after.encode()}), PROJECT_FILE, PROJECT_FILE)
    )
    overlay = read_overlay(root, relative)
    write_overlay(overlay, overlay_text)
    try:
        write_overlay(config, after)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(overlay.real)
        raise
    return ProjectAddition(project / PROJECT_FILE, project / relative, config.text, after)


def _shown(path: Path) -> str:
    return str(path)


__all__ = ["ConfigError", "Location", "ProjectAddition", "add_environment", "add_release"]
