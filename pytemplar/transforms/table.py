"""The transforms ``pytemplar.yaml`` can declare: one row each, in the order they run.

Everything else is derived from this table: the keys that mark a release as transformed
(``TRANSFORM_KEYS``), the attributes of ``Declarations``, how the four levels are read and
combined (``release_transforms``), the order of ``apply_transforms``, the keys each level of the
project schema accepts (``with_transform_keys``, when ``project.builtin_schema`` loads
``schemas/pytemplar.schema.json``) and the "Order" list of ``docs/transforms.md`` (written from
``step`` by ``pytest --update-golden``). Tests check the table against ``$defs/transforms`` in the
schema (what each key takes) and against the docs, and render each key alone to see it change the
output. ``project.TRANSFORMING_KEYS`` names the keys again, so that a release declaring none
renders without loading this table; a test keeps it equal to ``DECLARATION_KEYS``.

Adding a transform: a row here, at the place it runs, and its keys in ``TRANSFORMING_KEYS``; a
module with its ``read`` and ``apply`` functions, with what its keys take under
``$defs/transforms`` in the schema and its section in the docs; and its tests. The modules load
only when a release declares a transform.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from pytemplar.errors import Location, Problem
from pytemplar.records import field, record

if TYPE_CHECKING:
    from pytemplar.fsroot import Root
    from pytemplar.transforms.generators import Generated
    from pytemplar.transforms.references import Referrer
    from pytemplar.transforms.resources import Resource

Objects = list[dict[str, Any]]


@record(frozen=False)
class TransformContext:
    """What a transform may need besides the objects and its own declarations."""

    release: str
    environment: str
    namespace: str
    root: Root | None
    # Set by the generators: which objects they made, and which get a content hash at the end.
    generated: Generated | None = None
    # The objects ``resources`` added, by origin.
    added: dict[int, Resource] = field(default_factory=dict)
    # Where warnings go (the run's list), and for each object its index among the rendered and
    # generated objects, kept by a transform that drops objects (a patch that deletes one).
    warnings: list[Problem] | None = None
    origins: list[int] = field(default_factory=list)
    # The project's own nameReferences, followed by every rename after their row (the first).
    referrers: tuple[Referrer, ...] = ()
    # The project's crds: folders (absolute), whose CRDs give custom resources' list merge keys.
    crd_folders: tuple[str, ...] = ()
    # Names an object had before a transform renamed it, by origin, oldest first: replicas name the first.
    former_names: dict[int, list[str]] = field(default_factory=dict)
    # (name, namespace) pairs an object had before a transform renamed or moved it, by origin, oldest
    # first: replacements select an object by any of them, as Kustomize selects by previous ids.
    former_ids: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    # How many of the objects were rendered (the others were added by resources and generators).
    rendered_count: int = 0
    # For a level that declares replacements below a level whose transforms change objects: the
    # objects as the transforms of that level and those below it leave them, by stable_key. A
    # Kustomize base's replacements see these; pytemplar's see every level's transforms.
    earlier: dict[int, dict[tuple[str, int], Any]] = field(default_factory=dict)

    def stable_key(self, origin: int) -> tuple[str, int]:
        """An object's name across runs of the table over more or fewer levels: its place among
        the rendered objects, or among what resources and generators added."""
        if origin < self.rendered_count:
            return "rendered", origin
        made = self.added.get(origin) or (self.generated.created.get(origin) if self.generated else None)
        return ("added", made.added) if made is not None else ("unknown", origin)

    def remember_ids(self, before: list[tuple[Any, Any]], after: Objects | list[Any]) -> None:
        """Record the names and namespaces objects had before a transform changed them (``before``
        from :func:`identities`, ``after`` the objects in the same order)."""
        for origin, (old_name, old_namespace), new in zip(self.origins, before, identities(after), strict=True):
            if isinstance(old_name, str) and old_name != new[0]:
                self.former_names.setdefault(origin, []).append(old_name)
            if (old_name, old_namespace) != new:
                self.former_ids.setdefault(origin, []).append((str(old_name or ""), str(old_namespace or "")))

    def warn(self, message: str, location: Location | None) -> None:
        if self.warnings is not None:
            self.warnings.append(
                Problem(
                    message, location=location, severity="warning", release=self.release, environment=self.environment
                )
            )


def identities(objects: Objects | list[Any]) -> list[tuple[Any, Any]]:
    """Each object's (metadata.name, metadata.namespace), None where missing."""
    found: list[tuple[Any, Any]] = []
    for obj in objects:
        metadata = obj.get("metadata") if isinstance(obj, dict) else None
        metadata = metadata if isinstance(metadata, dict) else {}
        found.append((metadata.get("name"), metadata.get("namespace")))
    return found


# apply(objects, declared, context) -> the objects, transformed (in place or as a new list).
Apply = Callable[[Objects, Any, TransformContext], Objects]
# read(reader, section, at, declared so far) -> declared, with this level's ``section`` added.
Read = Callable[[Any, Mapping[str, Any], tuple[str, ...], Any], Any]


@record
class Transform:
    """One transform: where it is declared, what it is read into, and which module applies it.

    ``field``: the attribute of ``Declarations`` holding what the four levels declare.
    ``keys``: its keys in pytemplar.yaml, each a property of ``$defs/transforms`` in the schema.
    ``read``/``apply``: ``"module:function"`` in ``pytemplar.transforms``.
    ``step``: its line in the "Order" list of ``docs/transforms.md`` (Markdown, naming each key).
    ``nothing``: makes the value of ``field`` when no level declares it.
    ``before_components``: a level's own declarations are read before those of the components it
    switches on (Kustomize adds a kustomization's resources and generated objects before its
    components run, and runs the kustomization's own transformers after theirs).
    """

    field: str
    keys: tuple[str, ...]
    read: str
    apply: str
    step: str
    nothing: Callable[[], Any] = tuple
    before_components: bool = False

    @property
    def module(self) -> str:
        """The module that applies the transform."""
        return f"pytemplar.transforms.{self.apply.partition(':')[0]}"

    def reader(self) -> Read:
        return _function(self.read)

    def applier(self) -> Apply:
        return _function(self.apply)


# Kustomize's order: extra resources are added, generators make ConfigMaps and Secrets, patches
# (the legacy patchesStrategicMerge first) change objects, objects move into the namespace,
# prefixes and suffixes rename them, labels and annotations are added, the legacy
# patchesJson6902 run (after the labels, as in Kustomize), replica counts are set, images are
# overridden, replacements copy fields. After the last row the generated objects get their
# content hash, after every change to their content.
TRANSFORMS: tuple[Transform, ...] = (
    Transform(
        "resources",
        ("resources",),
        "config:read_resources",
        "resources:add",
        "`resources`: objects from plain YAML files are added to the rendered ones",
        before_components=True,
    ),
    Transform(
        "name_references",
        ("nameReferences",),
        "config:read_name_references",
        "references:configure",
        "`nameReferences` are read: every rename after follows them",
    ),
    Transform(
        "generators",
        ("configMapGenerator", "secretGenerator", "generatorOptions"),
        "config:read_generators",
        "generators:generate",
        "generators (`configMapGenerator`, `secretGenerator`, with `generatorOptions`)",
        before_components=True,
    ),
    Transform(
        "strategic_merge_patches",
        ("patchesStrategicMerge",),
        "config:read_strategic_merge_patches",
        "patches:patch",
        "`patchesStrategicMerge` (Kustomize's legacy form of patches)",
    ),
    Transform(
        "patches",
        ("patches",),
        "config:read_patches",
        "patches:patch",
        "`patches` (targets name objects as rendered, before any prefix or suffix)",
    ),
    Transform(
        "namespace",
        ("setNamespace",),
        "config:read_set_namespace",
        "namespaces:move",
        "`setNamespace`, with references to moved objects updated",
        nothing=str,
    ),
    Transform(
        "names",
        ("namePrefix", "nameSuffix"),
        "config:read_names",
        "names:rename",
        "`namePrefix` / `nameSuffix`, with references updated",
        nothing=lambda: ("", ""),
    ),
    Transform("labels", ("commonLabels", "labels"), "config:read_labels", "labels:label", "`commonLabels`, `labels`"),
    Transform(
        "annotations",
        ("commonAnnotations",),
        "config:read_annotations",
        "labels:annotate",
        "`commonAnnotations`",
        nothing=dict,
    ),
    Transform(
        "late_patches",
        ("patchesJson6902",),
        "config:read_json6902_patches",
        "patches:patch",
        "`patchesJson6902` (Kustomize's legacy JSON patches run after the labels)",
    ),
    Transform("replicas", ("replicas",), "config:read_replicas", "replicas:scale", "`replicas`"),
    Transform("images", ("images",), "config:read_images", "images:override", "`images`"),
    Transform(
        "replacements",
        ("replacements",),
        "config:read_replacements",
        "replacements:replace",
        "`replacements` (after every other transform, as in Kustomize)",
    ),
)

# The keys of pytemplar.yaml that declare transforms, at any of its four levels.
TRANSFORM_KEYS: tuple[str, ...] = tuple(key for transform in TRANSFORMS for key in transform.keys)
# The key of a level (or a component) that switches components on: folders of transforms.
COMPONENTS_KEY = "components"
# Every key that makes a release transformed.
DECLARATION_KEYS: tuple[str, ...] = (*TRANSFORM_KEYS, COMPONENTS_KEY)
# How a level of the project schema says that it takes the transforms.
TAKES_TRANSFORMS = {"$ref": "#/$defs/transforms"}


def with_transform_keys(schema: dict[str, Any], keys: tuple[str, ...] = TRANSFORM_KEYS) -> dict[str, Any]:
    """The project schema (``pytemplar.schema.json``, parsed) completed from the table.

    Each level that takes the transforms (``allOf`` holds ``TAKES_TRANSFORMS``: the top of the
    file, an environment, a release, a release in an environment, a component) closes its
    properties, so they must name every key: the keys of the table are put first, in the order
    the transforms run. ``$defs/transforms`` says what each key takes. In the file, a ``$comment``
    on each level stands for the keys.
    """
    declared = dict.fromkeys(keys, True)
    for level in _levels(schema):
        level.pop("$comment", None)
        level["properties"] = {**declared, **level.get("properties", {})}
    return schema


def _levels(schema: dict[str, Any]) -> list[dict[str, Any]]:
    # Levels are objects reached through objects (properties, $defs, additionalProperties), so the
    # walk, which runs on every load, skips lists and strings; the test suite walks every node and
    # fails for a level this one misses.
    found: list[dict[str, Any]] = []
    pending = [schema]
    while pending:
        node = pending.pop()
        if "allOf" in node and TAKES_TRANSFORMS in node["allOf"]:
            found.append(node)
        for child in node.values():
            if isinstance(child, dict):
                pending.append(child)
    return found


@cache
def _function(reference: str) -> Callable[..., Any]:
    module, _, name = reference.partition(":")
    function = getattr(importlib.import_module(f"pytemplar.transforms.{module}"), name)
    if not callable(function):
        raise TypeError(f"{reference} is not a function")
    return function  # type: ignore[no-any-return]
