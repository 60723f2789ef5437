"""Manifests: rendered Kubernetes objects and where they came from (parsed by ``templating/parse.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pytemplar.errors import Location


class FieldOrigins(Protocol):
    """Where each field of a rendered object was written (kept when a run checks fields)."""

    def location_of(self, path: tuple[str | int, ...]) -> Location | None:
        """The template file and line that wrote the field at ``path``."""

    def values_path_of(self, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
        """The values path whose value the template placed whole at ``path``, if one did."""


@dataclass(frozen=True, slots=True)  # slots: a big render holds tens of thousands
class Manifest:
    """One Kubernetes object and where it came from."""

    obj: dict[str, Any]
    release: str
    environment: str
    template: str  # e.g. templates/deployment.yaml.j2, relative to the app folder
    source: Location  # the template file and line the object starts at
    origins: FieldOrigins | None = None

    def location_of(self, path: tuple[str | int, ...]) -> Location:
        """The template line that wrote the field at ``path`` when known, else the object's."""
        found = self.origins.location_of(path) if self.origins is not None else None
        return found or self.source

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def name(self) -> str:
        metadata = self.obj.get("metadata")
        return str(metadata.get("name", "")) if isinstance(metadata, dict) else ""

    @property
    def namespace(self) -> str:
        metadata = self.obj.get("metadata")
        return str(metadata.get("namespace") or "") if isinstance(metadata, dict) else ""

    @property
    def group(self) -> str:
        api_version = str(self.obj.get("apiVersion", ""))
        return api_version.rpartition("/")[0]

    @property
    def label(self) -> str:
        return f"{self.release}/{self.template}" if self.release else self.template

    def describe(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {ns}{self.name}"


def shared_strings(manifests: Sequence[Manifest], pool: dict[str, str]) -> list[Manifest]:
    """The manifests with copies of their objects in which every string is taken from ``pool``.

    Parsing gives every key and value a string of its own, and a render of many releases repeats
    the same ones (``metadata``, ``app.kubernetes.io/name``, the namespace, the image registry) a
    hundred thousand times: shared, the objects of a big render take half the memory. Strings
    not yet in ``pool`` are added to it, so one pool serves a whole run.
    """
    return [
        Manifest(
            _shared(manifest.obj, pool),
            manifest.release,
            manifest.environment,
            pool.setdefault(manifest.template, manifest.template),
            manifest.source,
            manifest.origins,
        )
        for manifest in manifests
    ]


def _shared(value: Any, pool: dict[str, str]) -> Any:
    """``value`` copied, with every string in it, key or item, taken from ``pool``."""
    kind = type(value)
    if kind is str:
        return pool.setdefault(value, value)
    if kind is dict:
        return {pool.setdefault(k, k) if type(k) is str else k: _shared(v, pool) for k, v in value.items()}
    if kind is list:
        return [_shared(item, pool) for item in value]
    return value
