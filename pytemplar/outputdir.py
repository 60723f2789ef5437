"""Writing rendered manifests atomically to an output folder (``render --output-dir``).

An output folder holds one folder per environment. A render replaces only what it rendered
(whole environment folders, or with ``-r`` the entries of those releases) and leaves every other
environment as it was, so ``render -e prod --output-dir out`` does not touch ``out/dev``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path

from pytemplar import atomicfile
from pytemplar.errors import Location, OutputError
from pytemplar.manifests import Manifest
from pytemplar.output import to_yaml_stream

OUTPUT_MARKER = ".pytemplar-output"
_WORK_PREFIX = ".pytemplar-work-"  # staging and retired entries while a render is written


class Layout(StrEnum):
    """How an output folder is laid out below ``DIR/<env>/``."""

    tree = "tree"  # <release>/<template>.yaml: one file per template (kubectl apply -R, recurse: true)
    flat = "flat"  # <release>.yaml: flat files (kubectl apply -f DIR/<env>, Argo CD's directory source)


ENVIRONMENT_FILE = {Layout.tree: "{kind}s.yaml", Layout.flat: "00-{kind}s.yaml"}


def _file_name(manifest: Manifest) -> str:
    if not manifest.template.startswith("templates/"):
        # Made from pytemplar.yaml (a generator): never write a file named like a project file.
        return f"generated-{manifest.kind.lower()}s.yaml"
    name = manifest.template.removeprefix("templates/")
    return name.removesuffix(".j2")


def _relative_path(manifest: Manifest, layout: Layout) -> str:
    if not manifest.release:  # generated for the environment, e.g. Namespaces
        # In the flat layout the name sorts first: kubectl applies a folder's files in name order.
        return f"{manifest.environment}/{ENVIRONMENT_FILE[layout].format(kind=manifest.kind.lower())}"
    if layout is Layout.flat:
        return f"{manifest.environment}/{manifest.release}.yaml"
    return f"{manifest.environment}/{manifest.release}/{_file_name(manifest)}"


def plan_folder(manifests: Sequence[Manifest], layout: Layout = Layout.tree) -> dict[str, list[Manifest]]:
    """Relative file path -> its manifests, sorted by path; the order of manifests is kept."""
    grouped: dict[str, list[Manifest]] = {}
    releases: dict[str, set[str]] = {}
    for manifest in manifests:
        relative = _relative_path(manifest, layout)
        grouped.setdefault(relative, []).append(manifest)
        releases.setdefault(relative, set()).add(manifest.release)
    clashes = [path for path, names in releases.items() if len(names) > 1]
    if clashes:
        raise OutputError(
            f"output file '{clashes[0]}' would hold objects of the environment and of a release",
            hint="rename the release, or use another --layout",
        )
    return dict(sorted(grouped.items()))


def replaced_entries(
    files: Iterable[str], rendered: Sequence[tuple[str, str]], whole_environments: bool, layout: Layout
) -> list[str]:
    """The entries of the output folder a render replaces (relative paths, sorted).

    Whole environments replace ``<env>``; a render of chosen releases replaces each release's
    folder (tree) or file (flat), and the environment's own files it wrote (e.g. Namespaces).
    """
    if whole_environments:
        return sorted({env for env, _release in rendered})
    # Both layouts' names: a release written before in the other layout is replaced, not doubled.
    entries = {f"{env}/{name}" for env, release in rendered for name in (release, f"{release}.yaml")}
    environments = {env for env, _release in rendered}
    for path in files:
        env, _, rest = path.partition("/")
        if env in environments and "/" not in rest:
            entries.update(
                f"{env}/{pattern.format(kind=rest.removeprefix('00-').removesuffix('s.yaml'))}"
                for pattern in ENVIRONMENT_FILE.values()
            )
    return sorted(entries)


def write_folder(
    manifests: Sequence[Manifest],
    folder: Path,
    protected: Sequence[Path] = (),
    sources: Sequence[Path] = (),
    *,
    rendered: Sequence[tuple[str, str]] | None = None,
    whole_environments: bool = True,
    layout: Layout = Layout.tree,
) -> list[str]:
    """Write the rendered files below ``folder``, replacing only the entries this render owns.

    ``rendered`` lists the (environment, release) pairs rendered (default: those of the
    manifests); with ``whole_environments`` each of their environment folders is replaced,
    otherwise only the releases' entries. Everything is written to a staging folder first and
    then renamed into place; on a failure the entries already replaced are put back, so the
    folder is as it was. A folder is only written to when it is new, empty, or was written by
    pytemplar before (it holds the marker file), so ``--output-dir`` cannot delete a source folder.
    """
    target = Path(os.path.abspath(folder))
    where = Location(str(folder))
    _refuse_unsafe(target, folder, protected, sources)
    files = plan_folder(manifests, layout)
    if rendered is None:
        rendered = sorted({(m.environment, m.release) for m in manifests if m.release})
    entries = replaced_entries(files, rendered, whole_environments, layout)
    if not whole_environments:
        _refuse_mixed_layout(target, folder, entries, layout)
    for entry in entries:
        if (target / entry).is_symlink():
            raise OutputError(f"'{folder}/{entry}' is a symlink; refusing to write through it", location=where)
    fresh = not target.exists() or not any(target.iterdir())
    work_parent = target.parent if fresh else target
    # The staging folder goes when the `with` ends, also when interrupted or out of memory while
    # the files are made: nothing is left behind.
    with contextlib.ExitStack() as cleanup:
        try:
            work_parent.mkdir(parents=True, exist_ok=True)
            _remove_leftovers(target)
            staging = cleanup.enter_context(atomicfile.staging(work_parent, _WORK_PREFIX))
        except OSError as exc:
            raise OutputError(f"cannot create output folder '{folder}': {exc.strerror}", location=where) from exc
        try:
            for env in {entry.split("/", 1)[0] for entry in entries}:
                (staging / env).mkdir(parents=True, exist_ok=True)  # an environment rendered to nothing: empty
            for relative, items in files.items():
                # Each file's text is made as it is written: the whole tree is never in memory at once.
                atomicfile.create(staging, relative, to_yaml_stream(items).encode("utf-8"))
            if fresh:
                atomicfile.create(staging, OUTPUT_MARKER, MARKER_TEXT.encode("utf-8"))
                staging.chmod(0o755)
                if target.exists():
                    target.rmdir()  # empty: checked above
                os.replace(staging, target)
            else:
                _swap_in(staging, target, entries)
        except OSError as exc:
            raise OutputError(f"cannot write output folder '{folder}': {exc.strerror}", location=where) from exc
    return sorted(files)


MARKER_TEXT = "written by pytemplar; each render replaces the environments (or releases) it rendered\n"


def _refuse_unsafe(target: Path, folder: Path, protected: Sequence[Path], sources: Sequence[Path]) -> None:
    where = Location(str(folder))
    if target.is_symlink():
        raise OutputError(f"output folder '{folder}' is a symlink; refusing to write through it", location=where)
    if target.exists() and not target.is_dir():
        raise OutputError(f"output folder '{folder}' exists and is not a folder", location=where)
    for guarded in protected:
        real = guarded.resolve()
        if target == real or target in real.parents:
            raise OutputError(
                f"output folder '{folder}' would replace the project or app folder '{guarded}'",
                location=where,
            )
    for source in sources:
        if source.resolve() in target.resolve().parents:
            raise OutputError(
                f"output folder '{folder}' is inside the app template '{source}'",
                location=where,
                hint="write rendered manifests outside app templates, which are packaged and shared",
            )
    if target.is_dir() and any(target.iterdir()) and not (target / OUTPUT_MARKER).is_file():
        raise OutputError(
            f"output folder '{folder}' is not empty and was not written by pytemplar",
            location=where,
            hint="choose an empty or new folder; pytemplar replaces the environments it renders there",
        )


def _refuse_mixed_layout(target: Path, folder: Path, entries: Sequence[str], layout: Layout) -> None:
    """A render of chosen releases may not leave an environment folder in two layouts.

    ``kubectl apply -f DIR/<env>`` and Argo CD's default directory source do not read subfolders:
    releases kept in the tree layout beside flat files would be missing from what is applied,
    and Argo CD with pruning would delete them from the cluster.
    """
    replaced = set(entries)
    for env in sorted({entry.split("/", 1)[0] for entry in entries}):
        existing = target / env
        if not existing.is_dir() or existing.is_symlink():
            continue
        for child in sorted(existing.iterdir(), key=lambda p: p.name):
            if f"{env}/{child.name}" in replaced or child.name.startswith("."):
                continue
            other = Layout.tree if child.is_dir() else Layout.flat
            if other is layout:
                continue
            raise OutputError(
                f"output folder '{folder}/{env}' is in the {other} layout ('{child.name}'); writing chosen "
                f"releases to it with --layout {layout} would mix the two, and kubectl apply -f or Argo CD "
                "would read only part of it",
                location=Location(str(folder)),
                hint=f"render the whole environment (no -r) to change its layout, or keep --layout {other}",
            )


def _remove_leftovers(target: Path) -> None:
    """Staging folders of a run that was killed while it wrote (only in a folder pytemplar owns)."""
    if not (target / OUTPUT_MARKER).is_file():
        return
    for entry in target.iterdir():
        if entry.name.startswith(_WORK_PREFIX) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _swap_in(staging: Path, target: Path, entries: Sequence[str]) -> None:
    """Replace each entry of ``target`` by its staged version; on a failure undo what was done."""
    retired = staging / ".retired"
    retired.mkdir()
    done: list[tuple[str, bool, Path | None]] = []  # (entry, parent created, retired copy)
    try:
        for index, entry in enumerate(entries):
            new, old = staging / entry, target / entry
            created = not old.parent.exists()
            old.parent.mkdir(parents=True, exist_ok=True)
            kept: Path | None = None
            if os.path.lexists(old):
                kept = retired / str(index)
                os.replace(old, kept)
            done.append((entry, created, kept))
            if os.path.lexists(new):
                os.replace(new, old)
    except BaseException:
        for entry, created, kept in reversed(done):
            old = target / entry
            if os.path.lexists(old):
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    old.unlink()
            if kept is not None:
                os.replace(kept, old)
            if created:
                with contextlib.suppress(OSError):
                    old.parent.rmdir()
        raise
