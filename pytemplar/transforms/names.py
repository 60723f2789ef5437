"""``namePrefix`` and ``nameSuffix``: rename every object, and every reference to it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytemplar.transforms.references import rename_references
from pytemplar.transforms.table import Objects, TransformContext

# Kustomize leaves these names alone: they are API names or shared across releases.
UNRENAMED_KINDS = frozenset({"CustomResourceDefinition", "APIService", "Namespace"})


def add_prefix_suffix(objects: Sequence[dict[str, Any]], prefix: str, suffix: str) -> dict[tuple[str, str], str]:
    """Rename objects in place; returns ``(kind, old name) -> new name``."""
    if not prefix and not suffix:
        return {}
    renames: dict[tuple[str, str], str] = {}
    for obj in objects:
        kind = str(obj.get("kind", ""))
        metadata = obj.get("metadata")
        if kind in UNRENAMED_KINDS or not isinstance(metadata, dict):
            continue
        name = metadata.get("name")
        if not isinstance(name, str) or not name:
            continue
        metadata["name"] = renames[(kind, name)] = f"{prefix}{name}{suffix}"
    rename_references(objects, renames)
    return renames


def rename(objects: Objects, names: tuple[str, str], context: TransformContext) -> Objects:
    """The row of ``namePrefix`` and ``nameSuffix`` in the transforms table: ``names`` is both."""
    prefix, suffix = names
    add_prefix_suffix(objects, prefix, suffix)
    return objects
