"""``pytemplar new app`` and ``pytemplar init``: starting points that validate as they are.

The files live in ``pytemplar/scaffolds/`` (package data): ``app/`` is an app template and
``project/`` a project (dev, staging and prod unless other environments are asked for). Every
values file starts with a modeline pointing editors at a schema in the new tree (the overlays at
the app's ``values.overlay.schema.json``), so completion and checks work offline.
``__NAME__``, ``__APP__`` and ``__PROJECT__`` in their paths and text are replaced by the names
given. The app's README is the values reference ``pytemplar docs`` writes, made from the new app.

Nothing is overwritten: when any file or folder to be written is there already, nothing is
written at all. The new tree is built in a temporary folder beside its target and renamed in.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import re
import shutil
from collections.abc import Mapping, Sequence
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from pytemplar import atomicfile
from pytemplar.docsgen import values_reference
from pytemplar.editorschema import OVERLAY_SCHEMA_FILE
from pytemplar.errors import OutputError, UsageError
from pytemplar.fsroot import ArchiveRoot
from pytemplar.project import MODELINE, Workspace

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")
MAX_PROJECT_NAME = 50  # leaves room for the "-staging" namespace suffix within 63 characters


def check_name(name: str, what: str, limit: int = 63) -> str:
    """``name`` if it is a DNS-1123 label (so also a single, safe path component)."""
    if not DNS_LABEL.match(name) or len(name) > limit:
        raise UsageError(
            f"{what} '{name}' is not a valid name",
            hint=f"use lower-case letters, digits and '-', starting and ending with a letter or digit, "
            f"at most {limit} characters",
        )
    return name


DEFAULT_ENVIRONMENTS = ("dev", "staging", "prod")
SCHEMA_FOLDER = ".pytemplar/schemas"  # pytemplar's own schemas, copied so that editors work offline


def app_files(name: str, app_schema: str | None = None) -> dict[str, str]:
    """The files of a new app template called ``name`` (relative path -> text).

    ``app_schema`` is the path of ``app.schema.json`` from the app folder, for the modeline of
    ``app.yaml`` (none when the app is made on its own: no offline copy to point at).
    """
    files = _scaffold("app", {"__NAME__": name})
    modeline = f"{MODELINE}{app_schema}\n" if app_schema else ""
    files["app.yaml"] = modeline + files["app.yaml"]
    files["values.yaml"] = f"{MODELINE}values.schema.json\n" + files["values.yaml"]
    files[OVERLAY_SCHEMA_FILE] = _overlay_schema_text(files)
    files["README.md"] = _readme(name, files)
    return files


def project_files(project: str, app: str, environments: Sequence[str] = DEFAULT_ENVIRONMENTS) -> dict[str, str]:
    """A project ``project`` with ``environments`` and one release of a new app in ``apps/APP``."""
    for env in environments:
        check_name(env, "environment name")
    if len(set(environments)) != len(environments) or not environments:
        raise UsageError("give each environment once, and at least one", hint="e.g. --env dev --env prod")
    files = _scaffold("project", {"__PROJECT__": project, "__APP__": app})
    files["pytemplar.yaml"] = files["pytemplar.yaml"].replace(
        "__ENVIRONMENTS__\n", "".join(f"  {env}:\n    namespace: {project}-{env}\n" for env in environments)
    )
    overlay_schema = f"apps/{app}/{OVERLAY_SCHEMA_FILE}"
    for env in DEFAULT_ENVIRONMENTS:  # the scaffold's examples, kept for the environments asked for
        if env not in environments:
            del files[f"envs/{env}.yaml"]
    for env in environments:
        files.setdefault(f"envs/{env}.yaml", f"# Values of every release in {env}.\n{{}}\n")
    last = environments[-1]
    example = files.pop(f"envs/prod/{app}.yaml")
    files[f"envs/{last}/{app}.yaml"] = example.replace("in prod only", f"in {last} only")
    for path in list(files):
        if path.startswith(("envs/", "releases/")):
            files[path] = f"{MODELINE}{_relative(overlay_schema, path)}\n" + files[path]
    files.update(
        {f"apps/{app}/{path}": text for path, text in app_files(app, f"../../{SCHEMA_FOLDER}/app.schema.json").items()}
    )
    for name in ("pytemplar.schema.json", "app.schema.json", "rollout.schema.json"):
        files[f"{SCHEMA_FOLDER}/{name}"] = _builtin_schema_text(name)
    return files


def _relative(target: str, from_file: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(from_file) or ".")


def _overlay_schema_text(files: Mapping[str, str]) -> str:
    from pytemplar.editorschema import overlay_schema, schema_text
    from pytemplar.project import builtin_schema

    values_schema = json.loads(files["values.schema.json"])
    return schema_text(overlay_schema(values_schema, builtin_schema("rollout.schema.json").schema))


def _builtin_schema_text(name: str) -> str:
    from pytemplar.editorschema import schema_text
    from pytemplar.project import builtin_schema

    return schema_text(builtin_schema(name).schema)


def project_name_for(folder: Path) -> str:
    """The default project name: the folder's name, when it is a usable name."""
    name = folder.resolve().name
    if not DNS_LABEL.match(name) or len(name) > MAX_PROJECT_NAME:
        raise UsageError(
            f"the folder name '{name}' cannot be the project name",
            hint="give one with --name (lower-case letters, digits and '-')",
        )
    return name


def write_new(base: Path, files: Mapping[str, str]) -> list[str]:
    """Write ``files`` below ``base``; refused when any of their top entries exists there."""
    tops = sorted({path.split("/", 1)[0] for path in files})
    for top in tops:
        if os.path.lexists(base / top):
            raise UsageError(
                f"'{base / top}' already exists; nothing was written",
                hint="choose another name or folder, or move the existing one away",
            )
    created_base = not base.exists()
    base.mkdir(parents=True, exist_ok=True)
    moved: list[Path] = []
    try:
        with atomicfile.staging(base, ".pytemplar-new-") as staging:
            for relative, text in files.items():
                atomicfile.create(staging, relative, text.encode("utf-8"))
            for top in tops:
                os.rename(staging / top, base / top)
                moved.append(base / top)
    except OSError as exc:
        _remove(moved)
        raise OutputError(f"cannot write '{base}': {exc.strerror}") from exc
    finally:
        if created_base and not moved:
            with contextlib.suppress(OSError):
                base.rmdir()
    return tops


def _remove(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()


def _scaffold(kind: str, names: Mapping[str, str]) -> dict[str, str]:
    folder = resources.files("pytemplar").joinpath("scaffolds", kind)
    return {_fill(path, names): _fill(text, names) for path, text in _walk(folder, "")}


def _walk(folder: Traversable, prefix: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            found.extend(_walk(entry, f"{prefix}{entry.name}/"))
        else:
            found.append((f"{prefix}{entry.name}", entry.read_text(encoding="utf-8")))
    return found


def _fill(text: str, names: Mapping[str, str]) -> str:
    for placeholder, name in names.items():
        text = text.replace(placeholder, name)
    return text


def _readme(name: str, files: Mapping[str, str]) -> str:
    """``pytemplar docs`` of the app made of ``files``, read from memory."""
    root = ArchiveRoot(Path(os.path.abspath(name)), {path: text.encode("utf-8") for path, text in files.items()})
    return values_reference(Workspace().app_in(root))
