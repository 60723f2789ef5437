"""Rendered manifests as text: a YAML stream or a JSON ``v1/List``, made in pieces.

This is what a render to stdout needs; writing an output folder (``--output-dir``) is
:mod:`pytemplar.outputdir`.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pytemplar.errors import ManifestError, Problem
from pytemplar.manifests import Manifest
from pytemplar.values import format_path
from pytemplar.yamlout import dump_yaml

# Text is handed to the writer in pieces of about this many characters: big enough that the
# number of writes does not matter, small enough that a stream of 10,000 objects is never
# held whole (as one string, its parts and its encoded bytes, three copies).
PIECE_CHARS = 64 * 1024


def yaml_pieces(manifests: Sequence[Manifest], texts: Sequence[str | None] | None = None) -> Iterator[str]:
    """The text of :func:`to_yaml_stream`, in pieces of about :data:`PIECE_CHARS` characters.

    ``texts``, when given, holds each manifest's YAML already written (``RenderResult.yaml_texts``);
    a manifest whose text is None is written here."""
    return in_pieces(_yaml_documents(manifests, texts))


def _yaml_documents(manifests: Sequence[Manifest], texts: Sequence[str | None] | None = None) -> Iterator[str]:
    """Each document of the YAML stream in turn, with its ``---`` and ``# Source:`` lines."""
    several_envs = len({m.environment for m in manifests}) > 1
    for index, manifest in enumerate(manifests):
        header = "---\n"
        if several_envs:
            header += f"# Environment: {manifest.environment}\n"
        header += f"# Source: {manifest.label}\n"
        text = texts[index] if texts is not None else None
        yield header + (text if text is not None else dump_yaml(manifest.obj))


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
