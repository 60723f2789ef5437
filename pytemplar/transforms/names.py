"""``namePrefix`` and ``nameSuffix``: rename every object, and every reference to it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytemplar.errors import Location
from pytemplar.transforms.references import ObjectKey, Referrer, object_key, rename_references
from pytemplar.transforms.table import Objects, TransformContext, identities

# Kustomize leaves these names alone: they are API names or shared across releases.
UNRENAMED_KINDS = frozenset({"CustomResourceDefinition", "APIService", "Namespace"})


def add_prefix_suffix(
    objects: Sequence[dict[str, Any]],
    prefix: str,
    suffix: str,
    default_namespace: str = "",
    extra: Sequence[Referrer] = (),
    warnings: list[tuple[str, Location | None]] | None = None,
) -> dict[ObjectKey, str]:
    """Rename objects in place; returns ``(kind, namespace, old name) -> new name``."""
    if not prefix and not suffix:
        return {}
    renames: dict[ObjectKey, str] = {}
    for obj in objects:
        key = object_key(obj, default_namespace)
        if key is None or key[0] in UNRENAMED_KINDS:
            continue
        obj["metadata"]["name"] = renames[key] = f"{prefix}{key[2]}{suffix}"
    rename_references(objects, renames, default_namespace, extra, warnings)
    return renames


def rename(objects: Objects, names: tuple[str, str], context: TransformContext) -> Objects:
    """The row of ``namePrefix`` and ``nameSuffix`` in the transforms table: ``names`` is both."""
    prefix, suffix = names
    before = identities(objects)
    warnings: list[tuple[str, Location | None]] = []
    add_prefix_suffix(objects, prefix, suffix, context.namespace, context.referrers, warnings)
    for message, location in warnings:
        context.warn(message, location)
    context.remember_ids(before, objects)
    return objects
