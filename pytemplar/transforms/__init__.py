"""Kustomize-class transforms, applied to each release's manifests after rendering.

The order is Kustomize's: generators make ConfigMaps and Secrets, patches change objects,
``namePrefix``/``nameSuffix`` rename them, labels and annotations are added, images are
overridden, and last the generated objects get their content hash, after every change to their
content. Each rename updates the references to the renamed object (``references.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from pytemplar.manifests import Manifest
from pytemplar.project import PROJECT_FILE
from pytemplar.transforms.config import Declarations, release_transforms
from pytemplar.transforms.generators import Generated, add_hash_suffixes, run_generators
from pytemplar.transforms.images import override_images
from pytemplar.transforms.labels import add_annotations, add_labels
from pytemplar.transforms.names import add_prefix_suffix
from pytemplar.transforms.patches import apply_patches
from pytemplar.transforms.references import fill_subject_namespaces, rename_references

__all__ = ["Declarations", "apply_transforms", "release_transforms"]


def apply_transforms(
    manifests: Sequence[Manifest], declarations: Declarations, *, release: str, environment: str, namespace: str
) -> list[Manifest]:
    """The release's manifests, transformed, followed by the objects its generators made."""
    objects = [manifest.obj for manifest in manifests]
    fill_subject_namespaces(objects, namespace)
    if declarations.empty:
        return list(manifests)
    generated = Generated()
    if declarations.generators and declarations.root is not None:
        generated = run_generators(objects, declarations.generators, declarations.root, namespace)
    objects = apply_patches(objects, declarations.patches, release)
    add_prefix_suffix(objects, declarations.name_prefix, declarations.name_suffix)
    for label_set in declarations.labels:
        add_labels(objects, label_set)
    add_annotations(objects, declarations.annotations)
    override_images(objects, declarations.images)
    renames = add_hash_suffixes([objects[index] for index in generated.to_hash])
    rename_references(objects, renames)
    fill_subject_namespaces(objects, namespace)  # subjects a patch added
    return [_manifest(index, obj, manifests, generated, release, environment) for index, obj in enumerate(objects)]


def _manifest(
    index: int,
    obj: dict[str, Any],
    rendered: Sequence[Manifest],
    generated: Generated,
    release: str,
    environment: str,
) -> Manifest:
    if index < len(rendered):
        return dataclasses.replace(rendered[index], obj=obj)
    generator = generated.created[index]
    return Manifest(obj, release, environment, PROJECT_FILE, generator.location)
