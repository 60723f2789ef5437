"""Writing manifests: to a YAML or JSON stream, or atomically to a folder."""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pytemplar.errors import Location, ManifestError, OutputError, Problem
from pytemplar.manifests import Manifest
from pytemplar.values import format_path
from pytemplar.yamlout import dump_yaml

OUTPUT_MARKER = ".pytemplar-output"


# Text is handed to the writer in pieces of about this many characters: big enough that the
# number of writes does not matter, small enough that a stream of 10,000 objects is never
# held whole (as one string, its parts and its encoded bytes, three copies).
PIECE_CHARS = 64 * 1024


def yaml_pieces(manifests: Sequence[Manifest]) -> Iterator[str]:
    """The text of :func:`to_yaml_stream`, in pieces of about :data:`PIECE_CHARS` characters."""
    return in_pieces(_yaml_documents(manifests))


def _yaml_documents(manifests: Sequence[Manifest]) -> Iterator[str]:
    """Each document of the YAML stream in turn, with its ``---`` and ``# Source:`` lines."""
    several_envs = len({m.environment for m in manifests}) > 1
    for manifest in manifests:
        header = "---\n"
        if several_envs:
            header += f"# Environment: {manifest.environment}\n"
        header += f"# Source: {manifest.label}\n"
        yield header + dump_yaml(manifest.obj)


def to_yaml_stream(manifests: Sequence[Manifest]) -> str:
    """Multi-document YAML with a ``# Source:`` comment before each document."""
    return "".join(_yaml_documents(manifests))


def json_pieces(manifests: Sequence[Manifest]) -> Iterator[str]:
    """The text of :func:`to_json`, in pieces of about :data:`PIECE_CHARS` characters.

    Refuses, before any piece is made, a NaN or infinite number: JSON cannot hold one."""
    _refuse_non_finite(manifests)
    document = {"apiVersion": "v1", "kind": "List", "items": [m.obj for m in manifests]}
    # iterencode with an indent is the encoder json.dumps uses with one, so the text is the same.
    chunks = json.JSONEncoder(ensure_ascii=False, indent=2, allow_nan=False).iterencode(document)
    return in_pieces(itertools.chain(chunks, ["\n"]))


def _refuse_non_finite(manifests: Sequence[Manifest]) -> None:
    problems: list[Problem] = []
    for manifest in manifests:
        stack: list[tuple[Any, tuple[str | int, ...]]] = [(manifest.obj, ())]
        while stack:
            value, path = stack.pop()
            if isinstance(value, dict):
                stack.extend((item, (*path, key)) for key, item in value.items())
            elif isinstance(value, list):
                stack.extend((item, (*path, index)) for index, item in enumerate(value))
            elif isinstance(value, float) and not math.isfinite(value):
                problems.append(
                    Problem(
                        f"{manifest.describe()}: {format_path(path, '').lstrip('.')} is {value}, "
                        "which JSON cannot hold",
                        location=manifest.source,
                        hint="write YAML (-o yaml), or make the value a string",
                        release=manifest.release or None,
                        environment=manifest.environment or None,
                    )
                )
    if problems:
        raise ManifestError.collect(problems)


def to_json(manifests: Sequence[Manifest]) -> str:
    """A ``v1/List`` holding every object, which ``kubectl apply -f`` accepts."""
    return "".join(json_pieces(manifests))


def in_pieces(chunks: Iterable[str], size: int = PIECE_CHARS) -> Iterator[str]:
    """``chunks`` joined into pieces of at least ``size`` characters (the last may be shorter)."""
    batch: list[str] = []
    length = 0
    for chunk in chunks:
        batch.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(batch)
            batch.clear()
            length = 0
    if batch:
        yield "".join(batch)


def _file_name(manifest: Manifest) -> str:
    if not manifest.template.startswith("templates/"):
        # Made from pytemplar.yaml (a generator): never write a file named like a project file.
        return f"generated-{manifest.kind.lower()}s.yaml"
    name = manifest.template.removeprefix("templates/")
    return name.removesuffix(".j2")


def plan_folder(manifests: Sequence[Manifest]) -> dict[str, list[Manifest]]:
    """Relative file path -> its manifests: ``<env>/<release>/<template without .j2>``, sorted."""
    grouped: dict[str, list[Manifest]] = {}
    for manifest in manifests:
        if manifest.release:
            relative = f"{manifest.environment}/{manifest.release}/{_file_name(manifest)}"
        else:  # generated for the environment, e.g. Namespaces
            relative = f"{manifest.environment}/{manifest.kind.lower()}s.yaml"
        grouped.setdefault(relative, []).append(manifest)
    return dict(sorted(grouped.items()))


def write_folder(
    manifests: Sequence[Manifest], folder: Path, protected: Sequence[Path] = (), sources: Sequence[Path] = ()
) -> list[str]:
    """Replace ``folder`` with the rendered tree in one rename; untouched on any failure.

    A folder is only replaced when it is empty or was written by pytemplar before (it holds
    the marker file), so pointing ``--output-dir`` at a source folder cannot delete it.
    """
    target = Path(os.path.abspath(folder))
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
            hint="choose an empty or new folder; pytemplar replaces the whole folder on each run",
        )
    files = plan_folder(manifests)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot create output folder '{folder}': {exc.strerror}", location=where) from exc
    try:
        for relative, items in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            # Each file's text is made as it is written: the whole tree is never in memory at once.
            path.write_text(to_yaml_stream(items), encoding="utf-8")
        (staging / OUTPUT_MARKER).write_text("written by pytemplar; replaced on every render\n", encoding="utf-8")
        staging.chmod(0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=parent))
            os.replace(target, retired / "previous")
            try:
                os.replace(staging, target)
            except OSError:
                os.replace(retired / "previous", target)
                raise
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write output folder '{folder}': {exc.strerror}", location=where) from exc
    except BaseException:  # interrupted, or out of memory, while the files are made: leave nothing behind
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(files)
