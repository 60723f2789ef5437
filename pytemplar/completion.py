"""What shell completion offers: a project's environments, releases, value paths, and check ids.

Completion runs on every Tab press, so each function reads only what it needs and never
raises: a project that does not load simply offers nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pytemplar.values import ValuePath, iter_leaves


def environments(project: Path) -> list[str]:
    with contextlib.suppress(Exception):
        return list(_project(project).environments)
    return []


def releases(project: Path, environment: str | None = None) -> list[str]:
    with contextlib.suppress(Exception):
        loaded = _project(project)
        if environment in loaded.environments:
            return [spec.name for spec in loaded.releases_in(environment)]
        return list(loaded.releases)
    return []


def value_paths(project: Path, release: str | None = None) -> list[str]:
    """The paths ``--set`` and ``set`` may set, in their syntax (``podAnnotations.prometheus\\.io/port``):
    the app's defaults and its schema's keys."""
    with contextlib.suppress(Exception):
        from pytemplar.project import Workspace
        from pytemplar.setargs import format_path_argument

        loaded = _project(project)
        specs = [loaded.releases[release]] if release in loaded.releases else list(loaded.releases.values())
        workspace = Workspace()
        found: dict[ValuePath, None] = {}
        for app_path in dict.fromkeys(spec.app_path for spec in specs):
            app = workspace.app(app_path)
            found.update((path, None) for path, _value in iter_leaves(app.defaults.data) if path)
            if app.schema is not None:
                found.update((path, None) for path in _schema_paths(app.schema.schema, ()))
        rollout = (("rollout", "strategy"), ("rollout", "canary", "tag"), ("rollout", "canary", "weight"))
        found.update((path, None) for path in rollout)
        return sorted(format_path_argument(path) for path in found)
    return []


def check_ids(opt_in_only: bool = True) -> list[str]:
    """The ids ``--check`` takes (the opt-in ones), or with ``opt_in_only=False`` every id."""
    from pytemplar.checks import CHECK_IDS, OPT_IN_IDS

    return sorted(OPT_IN_IDS if opt_in_only else CHECK_IDS)


def _schema_paths(schema: Any, prefix: ValuePath, depth: int = 0) -> Iterator[ValuePath]:
    if not isinstance(schema, dict) or depth > 8:
        return
    for name, sub in (schema.get("properties") or {}).items():
        path = (*prefix, str(name))
        yield path
        yield from _schema_paths(sub, path, depth + 1)


def _project(project: Path) -> Any:
    from pytemplar.project import Workspace, load_project

    return load_project(project, Workspace())
