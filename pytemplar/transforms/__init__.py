"""Kustomize-class transforms, applied to each release's manifests after rendering.

``table.py`` lists them in the order they run, Kustomize's: generators make ConfigMaps and
Secrets, patches change objects, ``namePrefix``/``nameSuffix`` rename them, labels and annotations
are added, images are overridden, and last the generated objects get their content hash, after
every change to their content. Each rename updates the references to the renamed object
(``references.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pytemplar.errors import Location, Problem, PytemplarError
from pytemplar.manifests import BINDING_KINDS, Manifest
from pytemplar.project import PROJECT_FILE, Project, declares_transforms, layer_paths
from pytemplar.records import replace
from pytemplar.transforms.table import TRANSFORM_KEYS, TRANSFORMS, TransformContext

if TYPE_CHECKING:
    from pytemplar.transforms.config import Declarations, release_transforms
    from pytemplar.transforms.generators import Generated
    from pytemplar.transforms.resources import Resource

__all__ = [
    "TRANSFORMS",
    "TRANSFORM_KEYS",
    "Declarations",
    "apply_transforms",
    "layer_paths",
    "release_transforms",
    "transform_release",
]


def __getattr__(name: str) -> Any:
    # The declarations' types and parser load with the transforms, when a project has some.
    if name in ("Declarations", "release_transforms"):
        from pytemplar.transforms import config

        return getattr(config, name)
    raise AttributeError(f"module 'pytemplar.transforms' has no attribute '{name}'")


def transform_release(
    manifests: Sequence[Manifest],
    project: Project,
    *,
    release: str,
    environment: str,
    namespace: str,
    warnings: list[Problem] | None = None,
) -> list[Manifest]:
    """The release's manifests with the transforms pytemplar.yaml declares for it, if any."""
    if not declares_transforms(project, environment, release):
        if any(manifest.obj.get("kind") in BINDING_KINDS for manifest in manifests):
            # The reference tables load only for a release that has a binding to complete.
            from pytemplar.transforms.references import fill_subject_namespaces

            fill_subject_namespaces((manifest.obj for manifest in manifests), namespace)
        return list(manifests)
    from pytemplar.transforms.config import release_transforms

    declarations = release_transforms(project, environment, release)
    crd_folders = _crd_folders(project)
    earlier: dict[int, dict[tuple[str, int], Any]] = {}
    top = max(declarations.changing_levels, default=-1)
    for level in sorted({replacement.level for replacement in declarations.replacements if replacement.level < top}):
        # What a Kustomize base of this level would hand its replacements: its own transforms and
        # those below it, without the higher levels' (whose transforms Kustomize runs after).
        below = release_transforms(project, environment, release, up_to=level)
        below.declared["replacements"] = ()
        objects = [copy.deepcopy(manifest.obj) for manifest in manifests]
        context = TransformContext(release, environment, namespace, below.root, rendered_count=len(objects))
        context.origins, context.crd_folders = list(range(len(objects))), crd_folders
        try:
            objects = _run_table(objects, below, context)
        except PytemplarError:
            continue  # the full run reports it, or needs what only the higher levels give
        earlier[level] = {context.stable_key(origin): obj for origin, obj in zip(context.origins, objects, strict=True)}
    return apply_transforms(
        manifests,
        declarations,
        release=release,
        environment=environment,
        namespace=namespace,
        warnings=warnings,
        crd_folders=crd_folders,
        earlier=earlier,
    )


def _run_table(
    objects: list[dict[str, Any]], declarations: Declarations, context: TransformContext
) -> list[dict[str, Any]]:
    """The rows of the transforms table, in order (generated names not yet hashed)."""
    for transform in TRANSFORMS:
        objects = transform.applier()(objects, getattr(declarations, transform.field), context)
    return objects


def _crd_folders(project: Project) -> tuple[str, ...]:
    """The project's ``crds:`` folders, absolute: their CRDs give custom resources' merge keys."""
    listed = project.document.data.get("crds") if project.document is not None else None
    folders = [listed] if isinstance(listed, str) else listed if isinstance(listed, list) else []
    return tuple(str(project.root.path / folder) for folder in folders if isinstance(folder, str))


def apply_transforms(
    manifests: Sequence[Manifest],
    declarations: Declarations,
    *,
    release: str,
    environment: str,
    namespace: str,
    warnings: list[Problem] | None = None,
    crd_folders: tuple[str, ...] = (),
    earlier: dict[int, dict[tuple[str, int], Any]] | None = None,
) -> list[Manifest]:
    """The release's manifests, transformed, followed by the objects its generators made.
    ``earlier``: see ``TransformContext.earlier``."""
    from pytemplar.transforms.generators import Generated, add_hash_suffixes
    from pytemplar.transforms.references import fill_subject_namespaces, rename_references

    objects = [manifest.obj for manifest in manifests]
    fill_subject_namespaces(objects, namespace)
    if declarations.empty:
        return list(manifests)
    context = TransformContext(
        release, environment, namespace, declarations.root, warnings=warnings, rendered_count=len(objects)
    )
    context.origins = list(range(len(objects)))
    context.crd_folders = crd_folders
    context.earlier = earlier or {}
    objects = _run_table(objects, declarations, context)
    generated = context.generated or Generated()
    origins = context.origins
    hashed = set(generated.to_hash)
    renames = add_hash_suffixes(
        [obj for obj, origin in zip(objects, origins, strict=True) if origin in hashed], namespace
    )
    warnings_of_renames: list[tuple[str, Location | None]] = []
    rename_references(objects, renames, namespace, context.referrers, warnings_of_renames)
    for message, location in warnings_of_renames:
        context.warn(message, location)
    fill_subject_namespaces(objects, namespace)  # subjects a patch added

    def accumulated(origin: int) -> tuple[int, int]:
        """Kustomize's order: the rendered objects, then what each level's resources and
        generators add, level by level (a merged or replaced object keeps its place)."""
        if origin < len(manifests):
            return 0, origin
        made = context.added.get(origin) or generated.created.get(origin)
        return 1, made.added if made is not None else origin

    return [
        _manifest(origin, obj, manifests, generated, context.added, release, environment)
        for origin, obj in sorted(zip(origins, objects, strict=True), key=lambda pair: accumulated(pair[0]))
    ]


def _manifest(
    index: int,
    obj: dict[str, Any],
    rendered: Sequence[Manifest],
    generated: Generated,
    added: dict[int, Resource],
    release: str,
    environment: str,
) -> Manifest:
    if index < len(rendered):
        return replace(rendered[index], obj=obj)
    if index in added:
        resource = added[index]
        return Manifest(obj, release, environment, resource.file, resource.location)
    generator = generated.created[index]
    return Manifest(obj, release, environment, PROJECT_FILE, generator.location)
