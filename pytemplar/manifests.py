"""Manifests: rendered Kubernetes objects and where they came from (parsed by ``templating/parse.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from pytemplar.errors import Location
from pytemplar.records import field, record


class FieldOrigins(Protocol):
    """Where each field of a rendered object was written (kept when a run checks fields)."""

    def location_of(self, path: tuple[str | int, ...]) -> Location | None:
        """The template file and line that wrote the field at ``path``."""

    def values_path_of(self, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
        """The values path whose value the template placed whole at ``path``, if one did."""


# The kinds whose ServiceAccount subjects get a namespace when they have none
# (pytemplar.transforms.references.fill_subject_namespaces), transforms or not: named here, where
# a release without transforms can look for them without loading the transforms.
BINDING_KINDS = frozenset({"RoleBinding", "ClusterRoleBinding"})


@record(slots=True)  # slots: a big render holds tens of thousands
class Manifest:
    """One Kubernetes object and where it came from."""

    obj: dict[str, Any]
    release: str
    environment: str
    template: str  # e.g. templates/deployment.yaml.j2, relative to the app folder
    source: Location  # the template file and line the object starts at
    # Where each field is written, when the object was read from a file as it is (validate -f).
    fields: Mapping[tuple[str | int, ...], Location] | None = None
    # Where each field was written, when a rendered object's fields are checked.
    # (Not part of equality: the same object rendered twice is the same object.)
    origins: FieldOrigins | None = field(default=None, compare=False)

    def location_of(self, path: Sequence[str | int], *, render_again: bool = True) -> Location:
        """Where the field at ``path`` (or its nearest written ancestor) is, else the document's start.

        Origins that were let go after the release's checks are found again by rendering the
        release again (``templating.parse.ReleaseOrigins``): ``render_again=False`` says the
        document's start will do (a warning, which many releases may share)."""
        origins = self.origins
        if origins is not None and (getattr(origins, "found", origins) is not None or (render_again and path)):
            return origins.location_of(tuple(path)) or self.source
        if self.fields:
            for end in range(len(path), -1, -1):
                found = self.fields.get(tuple(path[:end]))
                if found is not None:
                    return found
        return self.source

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


def is_list(obj: dict[str, Any]) -> bool:
    """Whether an object is a list of objects (``kind: List``, ``ConfigMapList``...), as kubectl reads one."""
    kind = obj.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and isinstance(obj.get("items"), list)


def list_items(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects a document stands for: the items of a list (nested lists flattened), or itself.

    An item that is not a map stays whole inside its list, for the checks to report.
    """
    if not is_list(obj) or not all(isinstance(item, dict) for item in obj["items"]):
        return [obj]
    return [inner for item in obj["items"] for inner in list_items(item)]


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
            manifest.fields,
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
