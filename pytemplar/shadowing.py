"""Values that an ``images:`` override of pytemplar.yaml makes meaningless.

A template renders ``image: <registry>/<name>:<image.tag>``; an ``images:`` entry with ``newTag``
or ``digest`` for that image replaces the tag afterwards, so the pods run the override's version
whatever ``image.tag`` says, while labels and ``pytemplar set``/``rollout start`` keep following the
value. That contradiction is reported as a warning on the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytemplar.errors import Location, Problem
from pytemplar.manifests import Manifest
from pytemplar.project import Project, level_sections
from pytemplar.values import ROLLOUT_KEY, ValuePath

DEFAULT_TAG_VALUE = "image.tag"


def rendered_images(manifests: Sequence[Manifest], project: Project, environment: str, release: str) -> list[str]:
    """Every container image of the release, as the templates rendered it (before any transform);
    none when no ``images:`` override applies to the release (nothing can shadow a tag then)."""
    if not _declares_images(project, environment, release):
        return []
    from pytemplar.transforms.images import containers

    return [str(c["image"]) for m in manifests for c in containers(m.obj) if isinstance(c.get("image"), str)]


def tag_value_path(values: dict[str, Any]) -> ValuePath:
    rollout = values.get(ROLLOUT_KEY)
    chosen = rollout.get("tagValue") if isinstance(rollout, dict) else None
    return tuple(str(chosen or DEFAULT_TAG_VALUE).split("."))


def shadowed_tags(
    project: Project,
    environment: str,
    release: str,
    images: Sequence[str],
    values: dict[str, Any],
    origin: Any,
) -> list[Problem]:
    """A warning for each ``images:`` override that replaces the tag the release's tag value put on an image."""
    if not images:
        return []
    path = tag_value_path(values)
    node: Any = values
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if node is None or isinstance(node, (dict, list, bool)):
        return []
    tag = str(node)
    if not _declares_images(project, environment, release):
        return []
    from pytemplar.transforms.config import release_transforms
    from pytemplar.transforms.images import ImageOverride, override_image, split_image

    declared: Sequence[ImageOverride] = release_transforms(project, environment, release).images
    overrides = {o.name: o for o in declared}
    problems: list[Problem] = []
    seen: set[str] = set()
    name = ".".join(map(str, path))
    for image in images:
        repository, rendered_tag, _ = split_image(image)
        override = overrides.get(repository)
        if override is None or rendered_tag != tag or repository in seen:
            continue
        result = override_image(image, override)
        if split_image(result)[1:] == (tag, ""):
            continue
        seen.add(repository)
        where: Location | None = origin(path)
        at = f" ({override.location})" if override.location else ""
        problems.append(
            Problem(
                f"{name} is {tag}, but the images: override of {repository}{at} replaces it: the pods run"
                f" {result}, while labels and rollouts follow {name}",
                location=where,
                hint=f"remove newTag/digest from the override to run {tag}, or set {name} to the version you mean",
                severity="warning",
                release=release,
                environment=environment,
            )
        )
    return problems


def _declares_images(project: Project, environment: str, release: str) -> bool:
    return any(section.get("images") for section in level_sections(project, environment, release))
