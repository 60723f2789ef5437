"""``images``: change the name, tag or digest of container images, matched by image name.

Kustomize's semantics: ``name`` matches an image without its tag or digest; ``newName``
replaces the name; ``newTag`` replaces tag and digest; ``digest`` replaces both too; both given
write ``name:tag@digest``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pytemplar.errors import Location
from pytemplar.records import record
from pytemplar.transforms.table import Objects, TransformContext

CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


@record
class ImageOverride:
    name: str
    new_name: str | None = None
    new_tag: str | None = None
    digest: str | None = None
    location: Location | None = None


def split_image(image: str) -> tuple[str, str, str]:
    """``(name, tag, digest)``; a ``:`` before the first ``/`` is a registry port, not a tag."""
    slash = image.find("/")
    start = slash if slash > 0 else 0
    rest = image[start:]
    at, colon = rest.find("@"), rest.find(":")
    if at < 0 and colon < 0:
        return image, "", ""
    if at >= 0 and (colon < 0 or at < colon):
        return image[: start + at], "", image[start + at + 1 :]
    if at >= 0:
        return image[: start + colon], image[start + colon + 1 : start + at], image[start + at + 1 :]
    return image[: start + colon], image[start + colon + 1 :], ""


def override_image(image: str, override: ImageOverride) -> str:
    name, tag, digest = split_image(image)
    if override.new_name:
        name = override.new_name
    if override.new_tag and override.digest:
        tag, digest = override.new_tag, override.digest
    elif override.new_tag:
        tag, digest = override.new_tag, ""
    elif override.digest:
        tag, digest = "", override.digest
    return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def containers(node: Any) -> Iterator[dict[str, Any]]:
    """Every container map anywhere in an object (pods, templates, CronJobs, custom kinds)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, dict):
            for key, child in current.items():
                if key in CONTAINER_LISTS and isinstance(child, list):
                    yield from (item for item in child if isinstance(item, dict))
                stack.append(child)


def override_images(objects: Iterable[dict[str, Any]], overrides: Sequence[ImageOverride]) -> None:
    """Rewrite matching images in place; the last override naming an image wins."""
    by_name = {override.name: override for override in overrides}
    if not by_name:
        return
    for obj in objects:
        for container in containers(obj):
            image = container.get("image")
            if not isinstance(image, str):
                continue
            override = by_name.get(split_image(image)[0])
            if override is not None:
                container["image"] = override_image(image, override)


def override(objects: Objects, overrides: Sequence[ImageOverride], context: TransformContext) -> Objects:
    """The images' row of the transforms table."""
    override_images(objects, overrides)
    return objects
