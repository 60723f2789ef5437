"""Reading the transform declarations of ``pytemplar.yaml``, with a location for each.

Transforms may be declared at four levels, combined lowest first: the project, an environment
(``environments.<env>``), a release (``releases.<r>``) and a release in one environment
(``releases.<r>.environments.<env>``). Labels and annotations merge (a higher level wins a key),
prefixes stack like Kustomize overlays (the higher level's prefix outside, its suffix outside),
images merge by name, patches and generators run in order. In the names, labels and annotations
of generators, in patch targets and in patch bodies, ``{release}`` stands for the release's name,
so one declaration above the releases can serve each of them.
"""

from __future__ import annotations

import itertools
import os
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pytemplar.errors import ConfigError, FileAccessError, Location, PytemplarError
from pytemplar.fsroot import Root
from pytemplar.project import Project, layer_paths
from pytemplar.records import field as record_field
from pytemplar.records import record, replace
from pytemplar.transforms.components import component_folder, definition_schema, load_component
from pytemplar.transforms.fieldpaths import FieldSpec
from pytemplar.transforms.generators import Generator, Source, SourceKind
from pytemplar.transforms.images import ImageOverride
from pytemplar.transforms.labels import LabelSet
from pytemplar.transforms.patches import Locate, Patch, PatchTarget, PatchType, parse_selector
from pytemplar.transforms.references import Referrer
from pytemplar.transforms.replacements import Replacement, Split, Target, ValueSource
from pytemplar.transforms.replicas import Replicas
from pytemplar.transforms.resources import Resource
from pytemplar.transforms.table import COMPONENTS_KEY, TRANSFORM_KEYS, TRANSFORMS
from pytemplar.yamlio import YamlDocument, load_documents

Path_ = tuple[str | int, ...]
RELEASE_PLACEHOLDER = "{release}"
_JSON_OPS = {
    "add": ("value",),
    "remove": (),
    "replace": ("value",),
    "move": ("from",),
    "copy": ("from",),
    "test": ("value",),
}


class Declarations:
    """Every transform that applies to one release in one environment: one attribute per row of
    ``TRANSFORMS`` (``transforms/table.py``), holding what the four levels declare combined."""

    def __init__(self, root: Root | None = None, **declared: Any) -> None:
        unknown = sorted(set(declared) - {transform.field for transform in TRANSFORMS})
        if unknown:
            raise TypeError(f"no transform declares {', '.join(unknown)}")
        self.root = root
        self.declared = {
            transform.field: declared.get(transform.field, transform.nothing()) for transform in TRANSFORMS
        }
        # The levels (0 the project ... 3 a release in an environment) whose declarations, or
        # those of the components they switch on, change objects besides replacements.
        self.changing_levels: frozenset[int] = frozenset()

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["declared"][name]
        except KeyError:
            raise AttributeError(f"'Declarations' object has no attribute '{name}'") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Declarations) and (self.root, self.declared) == (other.root, other.declared)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Declarations({self.root!r}, **{self.declared!r})"

    @property
    def empty(self) -> bool:
        return all(self.declared[transform.field] == transform.nothing() for transform in TRANSFORMS)


def release_transforms(project: Project, environment: str, release: str, *, up_to: int | None = None) -> Declarations:
    """The combined declarations for ``release`` in ``environment`` (of the levels up to ``up_to``
    only, when given: what a Kustomize base of that level would see)."""
    document = project.document
    if document is None:
        return Declarations(project.root)
    reader = DeclarationReader(document, project.root, release)
    declared = {transform.field: transform.nothing() for transform in TRANSFORMS}
    switched_on: dict[str, Location] = {}
    changing: set[int] = set()
    for level, at in enumerate(layer_paths(environment, release)):
        section = _section(document.data, at)
        if section and (up_to is None or level <= up_to):
            reach = _read_level(replace(reader, level=level), section, at, declared, switched_on)
            if reach.transforms:
                changing.add(level)
    result = Declarations(project.root, **declared)
    result.changing_levels = frozenset(changing)
    return result


def _read_level(
    reader: DeclarationReader,
    section: Mapping[str, Any],
    at: tuple[str, ...],
    declared: dict[str, Any],
    switched_on: dict[str, Location],
) -> _Reach:
    """Add one level's declarations (or one component's) to ``declared``, Kustomize's way: its own
    resources and generators, then the components it switches on, in order, then its own
    transforms, so that a level's labels, prefixes and patches also reach what its components add."""
    for transform in TRANSFORMS:
        if transform.before_components and any(key in section for key in transform.keys):
            declared[transform.field] = transform.reader()(reader, section, at, declared[transform.field])
    reach = _Reach(_adds_objects(section), _changes_objects(section), _changes_objects(section, "replacements"))
    changing: str | None = None  # the first component of the list whose transforms change objects
    for index, written in enumerate(section.get(COMPONENTS_KEY) or []):
        listed_at = reader.at((*at, COMPONENTS_KEY, index))
        folder = component_folder(reader.base, str(written))
        if folder in switched_on:
            first = switched_on[folder]
            where = f"line {first.line}" if first.path == listed_at.path else str(first)
            raise ConfigError(
                f"component '{folder}' is switched on twice for release '{reader.release}' (also at {where})",
                location=listed_at,
                hint="switch each component on once: at the lowest level that needs it",
            )
        switched_on[folder] = listed_at
        component = load_component(reader.root, folder, listed_at)
        inner = DeclarationReader(
            component.document, reader.root, reader.release, base=folder, sequence=reader.sequence, level=reader.level
        )
        found = _read_level(inner, component.document.data, (), declared, switched_on)
        if found.adds and changing is not None:
            # Kustomize runs a component's transforms on the objects accumulated before it only;
            # pytemplar's reach every object of the release. In this order the two would differ.
            raise ConfigError(
                f"component '{folder}' adds objects after component '{changing}', whose transforms "
                "would change them here but not in Kustomize, where a component reaches only the objects "
                "before it",
                location=listed_at,
                hint=f"list '{folder}' before '{changing}' (then both tools give the same objects)",
            )
        if found.changes and changing is None:
            changing = folder
        reach = _Reach(reach.adds or found.adds, reach.changes or found.changes, reach.transforms or found.transforms)
    for transform in TRANSFORMS:
        if not transform.before_components and any(key in section for key in transform.keys):
            declared[transform.field] = transform.reader()(reader, section, at, declared[transform.field])
    return reach


@record
class _Reach:
    adds: bool  # adds objects: resources, or generators that create
    changes: bool  # declares transforms that change objects
    transforms: bool = False  # declares transforms that change objects, besides replacements


# Keys that configure or add rather than change objects.
_NOT_CHANGING = frozenset(
    {"resources", "nameReferences", "configMapGenerator", "secretGenerator", "generatorOptions", COMPONENTS_KEY}
)


def _adds_objects(section: Mapping[str, Any]) -> bool:
    generators = [*(section.get("configMapGenerator") or []), *(section.get("secretGenerator") or [])]
    return bool(section.get("resources")) or any(
        isinstance(entry, dict) and entry.get("behavior", "create") == "create" for entry in generators
    )


def _changes_objects(section: Mapping[str, Any], *besides: str) -> bool:
    return any(key not in _NOT_CHANGING and key not in besides and key in section for key in TRANSFORM_KEYS)


# -- how each transform's declarations combine over the four levels, lowest first -------------


def read_resources(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[Resource, ...]
) -> tuple[Resource, ...]:
    return (*declared, *reader.resources(section, at))


def read_labels(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[LabelSet, ...]
) -> tuple[LabelSet, ...]:
    return (*declared, *reader.label_sets(section))


def read_annotations(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: Mapping[str, str]
) -> dict[str, str]:
    return {**declared, **(section.get("commonAnnotations") or {})}


def read_names(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[str, str]
) -> tuple[str, str]:
    """(prefix, suffix): a higher level's prefix goes outside, and so does its suffix."""
    prefix, suffix = declared
    return str(section.get("namePrefix", "")) + prefix, suffix + str(section.get("nameSuffix", ""))


def read_images(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[ImageOverride, ...]
) -> tuple[ImageOverride, ...]:
    """Overrides merge by image name: a higher level's replaces a lower one's, in its place."""
    by_name = {image.name: image for image in declared}
    by_name.update((image.name, image) for image in reader.images(section, at))
    return tuple(by_name.values())


def read_patches(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[Patch, ...]
) -> tuple[Patch, ...]:
    return (
        *declared,
        *(
            patch
            for index, entry in enumerate(section.get("patches") or [])
            for patch in reader.patches(entry, (*at, "patches", index))
        ),
    )


def read_strategic_merge_patches(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[Patch, ...]
) -> tuple[Patch, ...]:
    """Kustomize's legacy ``patchesStrategicMerge``: files (or inline YAML text) of strategic merge
    patches, each document patching the object it names, run before ``patches``."""
    found = list(declared)
    for index, entry in enumerate(section.get("patchesStrategicMerge") or []):
        text = str(entry)
        inline = "\n" in text.strip() or text.lstrip().startswith("{")  # else a file name
        key = "patch" if inline else "path"
        found.extend(reader.patches({key: text, "type": "strategic"}, (*at, "patchesStrategicMerge", index)))
    return tuple(found)


def read_json6902_patches(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[Patch, ...]
) -> tuple[Patch, ...]:
    """Kustomize's legacy ``patchesJson6902``: JSON patches with a target, run after the labels."""
    found = list(declared)
    for index, entry in enumerate(section.get("patchesJson6902") or []):
        where = (*at, "patchesJson6902", index)
        if "target" not in entry:
            raise ConfigError(
                "a patchesJson6902 entry needs 'target'",
                location=reader.at(where),
                hint="add target: {kind: ..., name: ...}",
            )
        found.append(reader.patch({**entry, "type": "json6902"}, where))
    return tuple(found)


def read_name_references(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[Referrer, ...]
) -> tuple[Referrer, ...]:
    """Kustomize's nameReference configuration: the fields of other kinds that name a kind. A path
    ending in ``name`` whose map also has ``kind`` counts only when that kind is the named one."""
    found = list(declared)
    for index, entry in enumerate(section.get("nameReferences") or []):
        where = reader.at((*at, "nameReferences", index))
        for field in entry.get("fields") or []:
            found.append(
                Referrer(
                    str(entry["kind"]),
                    str(field["kind"]),
                    str(field["path"]),
                    kind_field=True,
                    default_kind=str(entry["kind"]),
                    declared_at=where,
                )
            )
    return tuple(found)


def read_replacements(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[Replacement, ...]
) -> tuple[Replacement, ...]:
    """Replacements run in order, lowest level first."""
    found = list(declared)
    for index, entry in enumerate(section.get("replacements") or []):
        found.extend(reader.replacements(entry, (*at, "replacements", index)))
    return tuple(found)


def read_set_namespace(reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: str) -> str:
    """A higher level's setNamespace wins."""
    return str(section["setNamespace"])


def read_replicas(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[Replicas, ...]
) -> tuple[Replicas, ...]:
    """Counts merge by name: a higher level's replaces a lower one's."""
    by_name = {replicas.name: replicas for replicas in declared}
    for index, entry in enumerate(section.get("replicas") or []):
        name = expand(str(entry["name"]), reader.release)
        by_name[name] = Replicas(name, int(entry["count"]), reader.at((*at, "replicas", index)))
    return tuple(by_name.values())


def read_generators(
    reader: DeclarationReader, section: Mapping[str, Any], at: Path_, declared: tuple[Generator, ...]
) -> tuple[Generator, ...]:
    """A level's ``generatorOptions`` apply to the generators of the same level, as Kustomize's
    apply to those of the same kustomization: a generator's own labels and annotations win a key,
    and the global disableNameSuffixHash or immutable, when true, applies to every one."""
    found = list(declared)
    common = section.get("generatorOptions") or {}
    for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
        for index, entry in enumerate(section.get(key) or []):
            found.append(reader.generator(_with_common_options(entry, common), (*at, key, index), kind))
    return tuple(found)


def _with_common_options(entry: Mapping[str, Any], common: Mapping[str, Any]) -> Mapping[str, Any]:
    if not common:
        return entry
    own = dict(entry.get("options") or {})
    merged: dict[str, Any] = {
        **own,
        "labels": {**(common.get("labels") or {}), **(own.get("labels") or {})},
        "annotations": {**(common.get("annotations") or {}), **(own.get("annotations") or {})},
    }
    for flag in ("disableNameSuffixHash", "immutable"):
        if common.get(flag):
            merged[flag] = True
    return {**entry, "options": merged}


def _section(data: Any, at: Path_) -> dict[str, Any] | None:
    for step in at:
        data = data.get(step) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else None


def expand(value: Any, release: str) -> Any:
    """``value`` with ``{release}`` in every string replaced by the release's name."""
    if isinstance(value, str):
        return value.replace(RELEASE_PLACEHOLDER, release)
    if isinstance(value, dict):
        return {key: expand(item, release) for key, item in value.items()}
    if isinstance(value, list):
        return [expand(item, release) for item in value]
    return value


@record
class DeclarationReader:
    """Reads one release's declarations from pytemplar.yaml, with the location of each."""

    document: YamlDocument
    root: Root
    release: str
    base: str = ""  # the folder files are named relative to (a component's), relative to the project
    # Numbers the objects that resources and generators add, in the order Kustomize accumulates
    # them (each level's resources, its generators, then its components'), shared with components.
    sequence: Iterator[int] = record_field(default_factory=itertools.count, compare=False)
    level: int = 0  # the level being read (0 the project ... 3 a release in an environment)

    def at(self, path: Path_) -> Location:
        return self.document.location_of(path)

    def file(self, written: str) -> str:
        """A file named in the declarations, relative to the project folder."""
        return posixpath.normpath(posixpath.join(self.base, written)) if self.base else written

    def read_listed(self, relative: str, listed_at: Location, what: str) -> str:
        """The text of a file the declarations name; an error blames the line naming it."""
        try:
            return self.root.read_text(relative)
        except FileAccessError as exc:
            problem = exc.problems[0]
            where = f"the component folder {self.base}" if self.base else "the project folder"
            raise ConfigError(
                f"{what} {problem.message.removeprefix('file ')}",
                location=listed_at,
                hint=problem.hint or f"files are named relative to {where}",
            ) from exc

    def resources(self, section: Mapping[str, Any], at: Path_) -> list[Resource]:
        """The objects of each ``resources`` file, in order, ``{release}`` expanded; a folder
        stands for the files its kustomization.yaml lists in ``resources``, as in Kustomize."""
        found = []
        for index, written in enumerate(section.get("resources") or []):
            listed_at = self.at((*at, "resources", index))
            for relative in self._resource_files(self.file(str(written)), str(written), listed_at, ()):
                found.extend(self._resource_objects(relative, listed_at))
        return found

    def _resource_files(self, relative: str, written: str, listed_at: Location, within: tuple[str, ...]) -> list[str]:
        """The files a ``resources`` entry names: itself, or the files of the kustomization in
        the folder it names (``within``: the folders already entered, outermost first)."""
        if "://" in written or written.startswith(("github.com/", "git@")):
            raise ConfigError(
                f"resources '{written}' is a remote resource: pytemplar reads files inside the project only",
                location=listed_at,
                hint="vendor it: copy its manifests into the project and name the files",
            )
        try:
            is_folder = self.root.resolve(relative).is_dir()
        except FileAccessError:
            is_folder = False  # reading it says why
        if not is_folder:
            return [relative]
        if relative in within:
            raise ConfigError(
                f"resources folder '{relative}' includes itself (through {' -> '.join(within)})",
                location=listed_at,
            )
        names = [
            name
            for name in ("kustomization.yaml", "kustomization.yml", "Kustomization")
            if self.root.exists(posixpath.join(relative, name))
        ]
        if not names:
            component = self.root.exists(posixpath.join(relative, "component.yaml"))
            raise ConfigError(
                f"resources '{relative}' is a folder without a kustomization.yaml",
                location=listed_at,
                hint=f"list '{relative}' under components"
                if component
                else "name its files, or add a kustomization.yaml that lists them under resources",
            )
        kustomization = posixpath.join(relative, names[0])
        text = self.read_listed(kustomization, listed_at, "resources folder's kustomization")
        documents = load_documents(text, str(self.root.path / kustomization), track=True)
        document = documents[0] if documents else None
        data = document.data if document is not None and isinstance(document.data, dict) else {}
        if data.get("kind") == "Component":
            raise ConfigError(
                f"resources folder '{relative}' is a component, which Kustomize does not add as resources either",
                location=listed_at,
                hint=f"list '{relative}' under components (with its kustomization.yaml renamed to component.yaml)",
            )
        others = [key for key in data if key not in ("resources", "apiVersion", "kind")]
        if others and document is not None:
            raise ConfigError(
                f"resources folder '{relative}' is a kustomization with '{others[0]}': only the files its "
                f"resources list can be added (it is named at {listed_at})",
                location=document.key_location_of((others[0],)),
                hint="make the folder a component (rename its kustomization.yaml to component.yaml and list it under "
                "components), or move its other fields to the level that names it",
            )
        files = []
        for entry in data.get("resources") or []:
            inner = posixpath.normpath(posixpath.join(relative, str(entry)))
            files.extend(self._resource_files(inner, str(entry), listed_at, (*within, relative)))
        return files

    def _resource_objects(self, relative: str, listed_at: Location) -> list[Resource]:
        """The objects of one resources file."""
        text = self.read_listed(relative, listed_at, "resources file")
        shown = str(self.root.path / relative)
        found = []
        for document in load_documents(text, shown, track=True):
            if document.data is None:
                continue
            where = Location(shown, document.line)
            obj = document.data
            if not isinstance(obj, dict) or not isinstance(obj.get("kind"), str):
                raise ConfigError(
                    "a resources file holds Kubernetes objects: maps with apiVersion, kind and metadata.name",
                    location=where,
                )
            found.append(Resource(expand(obj, self.release), relative, where, next(self.sequence)))
        return found

    def label_sets(self, section: Mapping[str, Any]) -> list[LabelSet]:
        """A level's ``labels`` entries in order, then its ``commonLabels``: Kustomize's order, so
        ``commonLabels`` wins a key both set."""
        found = []
        for entry in section.get("labels") or []:
            selectors = bool(entry.get("includeSelectors", False))
            templates = bool(entry.get("includeTemplates", False))
            fields = tuple(
                FieldSpec(
                    str(spec["path"]),
                    str(spec.get("kind", "")),
                    spec.get("group"),
                    bool(spec.get("create", False)),
                    spec.get("version"),
                )
                for spec in entry.get("fields") or []
            )
            found.append(LabelSet(dict(entry.get("pairs") or {}), selectors, templates, fields))
        if section.get("commonLabels"):
            found.append(LabelSet(dict(section["commonLabels"])))
        return found

    def images(self, section: Mapping[str, Any], at: Path_) -> list[ImageOverride]:
        found = []
        for index, entry in enumerate(section.get("images") or []):
            where = self.at((*at, "images", index))
            if not any(key in entry for key in ("newName", "newTag", "digest")):
                raise ConfigError(
                    f"image override '{entry['name']}' changes nothing",
                    location=where,
                    hint="give newName, newTag or digest",
                )
            found.append(
                ImageOverride(entry["name"], entry.get("newName"), entry.get("newTag"), entry.get("digest"), where)
            )
        return found

    # -- replacements -------------------------------------------------------------------------

    def replacements(self, entry: Mapping[str, Any], at: Path_) -> list[Replacement]:
        """An entry's replacement, or those of the file its ``path`` names (one, or a list)."""
        if "path" not in entry:
            return [self._replacement(expand(entry, self.release), self.at, at)]
        relative = self.file(str(entry["path"]))
        text = self.read_listed(relative, self.at((*at, "path")), "replacements file")
        found = []
        for document in load_documents(text, str(self.root.path / relative), track=True):
            if document.data is None:
                continue
            listed = isinstance(document.data, list)
            for number, item in enumerate(document.data if listed else [document.data]):
                sub: Path_ = (number,) if listed else ()

                def locate(path: Path_, document: YamlDocument = document, sub: Path_ = sub) -> Location:
                    return document.location_of((*sub, *path))

                def locate_key(path: Path_, document: YamlDocument = document, sub: Path_ = sub) -> Location:
                    return document.key_location_of((*sub, *path))

                problems = definition_schema("replacement").validate(item, locate, "replacement", locate_key=locate_key)
                if problems:
                    raise ConfigError.collect(problems)
                found.append(self._replacement(expand(item, self.release), locate, ()))
        return found

    def _replacement(self, entry: Mapping[str, Any], locate: Callable[[Path_], Location], at: Path_) -> Replacement:
        where = locate(at)
        if ("source" in entry) == ("sourceValue" in entry):
            raise ConfigError(
                "a replacement needs exactly one of 'source' (an object's field) and 'sourceValue'",
                location=where,
            )
        source = None
        if "source" in entry:
            written = entry["source"]
            options = written.get("options") or {}
            source = ValueSource(
                written.get("group"),
                written.get("version"),
                written.get("kind"),
                written.get("name"),
                written.get("namespace"),
                field_path=str(written.get("fieldPath") or "metadata.name"),
                split=_split(options),
                location=locate((*at, "source")),
                shown=", ".join(f"{key} {value}" for key, value in written.items() if key != "options"),
            )
        targets = []
        for number, target in enumerate(entry["targets"]):
            target_at = (*at, "targets", number)
            options = target.get("options") or {}
            paths = target.get("fieldPaths") or ["metadata.name"]
            targets.append(
                Target(
                    _exact_selector(target["select"], locate, (*target_at, "select")),
                    tuple(
                        _exact_selector(reject, locate, (*target_at, "reject", index))
                        for index, reject in enumerate(target.get("reject") or [])
                    ),
                    tuple(
                        (str(path), locate((*target_at, "fieldPaths", index) if "fieldPaths" in target else target_at))
                        for index, path in enumerate(paths)
                    ),
                    _split(options),
                    bool(options.get("create", False)),
                    locate(target_at),
                )
            )
        value = entry.get("sourceValue")
        return Replacement(source, None if value is None else str(value), tuple(targets), where, self.level)

    # -- patches ----------------------------------------------------------------------------

    def patch(self, entry: Mapping[str, Any], at: Path_) -> Patch:
        """The one patch an entry declares (its text or file must hold one document)."""
        found = self.patches(entry, at)
        if len(found) > 1:
            raise ConfigError(
                "this patch holds several YAML documents",
                location=self.at(at),
                hint="split it into one entry per document",
            )
        return found[0]

    def patches(self, entry: Mapping[str, Any], at: Path_) -> list[Patch]:
        """The patches an entry declares: one per YAML document of its text or file. Several
        documents each patch the object they name, as in Kustomize, so they take no target."""
        bodies = self._patch_bodies(entry, at)
        if len(bodies) > 1 and "target" in entry:
            raise ConfigError(
                f"a patch with {len(bodies)} documents cannot have a 'target'",
                location=self.at((*at, "target")),
                hint="each document patches the object its kind and metadata.name name; remove 'target', "
                "or split the documents into entries with their own targets",
            )
        options = entry.get("options") or {}
        found = []
        for raw, locate in bodies:
            body = expand(raw, self.release)
            patch_type = self._patch_type(entry, body, at)
            if patch_type == "json6902":
                self._check_operations(body, locate)
            target = self._target(entry, body, patch_type, at)
            found.append(
                Patch(patch_type, body, target, self.at(at), locate, bool(options.get("allowNameChange", False)))
            )
        return found

    def _patch_bodies(self, entry: Mapping[str, Any], at: Path_) -> list[tuple[Any, Locate]]:
        if ("path" in entry) == ("patch" in entry):
            raise ConfigError(
                "a patch needs exactly one of 'patch' (the patch itself) and 'path' (a file holding it)",
                location=self.at(at),
            )
        if "path" in entry:
            return self._patch_file(self.file(str(entry["path"])), self.at((*at, "path")))
        inline = entry["patch"]
        if not isinstance(inline, str):
            return [(inline, lambda sub: self.at((*at, "patch", *sub)))]
        # Kustomize writes patches as YAML text in a block scalar: its lines follow the key's.
        start = self.at((*at, "patch"))
        if "\n" not in inline:  # a one-line string: its own line is as precise as it gets
            return [(document.data, lambda sub: start) for document in _parse_patch_text(inline, start, shift=False)]
        return [
            (document.data, lambda sub, document=document: _shifted(document.location_of(sub), start))  # type: ignore[misc]
            for document in _parse_patch_text(inline, start)
        ]

    def _patch_file(self, relative: str, listed_at: Location) -> list[tuple[Any, Locate]]:
        text = self.read_listed(relative, listed_at, "patch file")
        documents = [
            document
            for document in load_documents(text, str(self.root.path / relative), track=True)
            if document.data is not None
        ]
        if not documents:
            raise ConfigError("the patch file is empty", location=Location(str(self.root.path / relative), 1))
        return [(document.data, document.location_of) for document in documents]

    def _patch_type(self, entry: Mapping[str, Any], body: Any, at: Path_) -> PatchType:
        declared = entry.get("type")
        wanted = "list" if declared == "json6902" else "map" if declared else None
        actual = "list" if isinstance(body, list) else "map" if isinstance(body, dict) else type(body).__name__
        if wanted and actual != wanted:
            raise ConfigError(
                f"a '{declared}' patch must be a {wanted}, not a {actual}",
                location=self.at((*at, "type")),
                hint="a JSON patch is a list of operations; merge and strategic patches are maps",
            )
        if actual not in ("list", "map"):
            raise ConfigError(
                f"a patch must be a list of JSON patch operations or a map, not a {actual}",
                location=self.at(at),
            )
        if declared:
            return declared  # type: ignore[no-any-return]
        return "json6902" if actual == "list" else "strategic"

    @staticmethod
    def _check_operations(operations: list[Any], locate: Locate) -> None:
        for index, operation in enumerate(operations):
            where = locate((index,))
            if not isinstance(operation, dict) or operation.get("op") not in _JSON_OPS:
                raise ConfigError(
                    "a JSON patch operation needs 'op': add, remove, replace, move, copy or test",
                    location=where,
                )
            needed = ("path", *_JSON_OPS[operation["op"]])
            missing = [key for key in needed if key not in operation]
            if missing:
                raise ConfigError(f"JSON patch '{operation['op']}' needs '{missing[0]}'", location=where)
            for key in ("path", "from"):
                if key in operation and not isinstance(operation[key], str):
                    raise ConfigError(f"JSON patch '{key}' must be a string (a JSON pointer)", location=where)

    def _target(self, entry: Mapping[str, Any], body: Any, patch_type: PatchType, at: Path_) -> PatchTarget:
        target = expand(entry.get("target"), self.release)
        if target is None:
            return self._target_from_body(body, patch_type, at)
        return self._selector(target, self.at, (*at, "target"))

    def _selector(self, target: Mapping[str, Any], locate: Callable[[Path_], Location], at: Path_) -> PatchTarget:
        """Objects by group, version, kind, name, namespace (whole-string regular expressions) and
        label and annotation selectors: a patch's target, a replacement's select or reject."""
        patterns = {key: target.get(key) for key in ("group", "version", "kind", "name", "namespace")}
        for key, pattern in patterns.items():
            if pattern is None:
                continue
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"target {key} '{pattern}' is not a regular expression: {exc}",
                    location=locate((*at, key)),
                    hint="names are matched as whole-string regular expressions; escape '.' and '*'",
                ) from None
        selectors = {}
        for key in ("labelSelector", "annotationSelector"):
            try:
                selectors[key] = parse_selector(target.get(key) or "")
            except ValueError as exc:
                raise ConfigError(f"target {key}: {exc}", location=locate((*at, key))) from None
        shown = ", ".join(f"{key} {value}" for key, value in target.items())
        return PatchTarget(
            **patterns,
            label_selector=selectors["labelSelector"],
            annotation_selector=selectors["annotationSelector"],
            shown=shown,
        )

    def _target_from_body(self, body: Any, patch_type: PatchType, at: Path_) -> PatchTarget:
        metadata = body.get("metadata") if isinstance(body, dict) else None
        kind = body.get("kind") if isinstance(body, dict) else None
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if patch_type == "json6902" or not isinstance(kind, str) or not isinstance(name, str):
            raise ConfigError(
                "this patch has no target",
                location=self.at(at),
                hint="add 'target:' (kind, name, labelSelector...); a merge patch may instead carry "
                "its object's kind and metadata.name",
            )
        namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
        if isinstance(namespace, str) and namespace:
            return PatchTarget(
                kind=re.escape(kind),
                name=re.escape(name),
                namespace=re.escape(namespace),
                shown=f"kind {kind}, name {name}, namespace {namespace}",
            )
        return PatchTarget(kind=re.escape(kind), name=re.escape(name), shown=f"kind {kind}, name {name}")

    # -- generators -------------------------------------------------------------------------

    def _source_text(self, kind: SourceKind, text: str) -> str:
        """A generator source with its file named relative to the project (the key kept)."""
        if not self.base or kind == "literal":
            return text
        if kind == "env":
            return self.file(text)
        key, found, path = text.partition("=")
        return f"{key}={self.file(path)}" if found else f"{os.path.basename(text)}={self.file(text)}"

    def generator(self, entry: Mapping[str, Any], at: Path_, kind: str) -> Generator:
        options = entry.get("options") or {}
        kinds: tuple[tuple[str, SourceKind], ...] = (("literals", "literal"), ("files", "file"), ("envs", "env"))
        sources = [
            Source(source_kind, self._source_text(source_kind, str(text)), self.at((*at, key, index)))
            for key, source_kind in kinds
            for index, text in enumerate(entry.get(key) or [])
        ]
        return Generator(
            kind,  # type: ignore[arg-type]
            expand(entry["name"], self.release),
            self.at(at),
            tuple(sources),
            entry.get("behavior", "create"),
            entry.get("namespace"),
            entry.get("type", "Opaque"),
            expand(dict(options.get("labels") or {}), self.release),
            expand(dict(options.get("annotations") or {}), self.release),
            not options.get("disableNameSuffixHash", False),
            bool(options.get("immutable", False)),
            next(self.sequence),
        )


def _exact_selector(written: Mapping[str, Any], locate: Callable[[Path_], Location], at: Path_) -> PatchTarget:
    """A replacement's select or reject: kind, name... match whole strings exactly, as in
    kubectl kustomize v5.7 (an empty field matches anything)."""
    patterns = {
        key: re.escape(str(written[key])) if written.get(key) else None
        for key in ("group", "version", "kind", "name", "namespace")
    }
    selectors = {}
    for key in ("labelSelector", "annotationSelector"):
        try:
            selectors[key] = parse_selector(written.get(key) or "")
        except ValueError as exc:
            raise ConfigError(f"{key}: {exc}", location=locate((*at, key))) from None
    return PatchTarget(
        **patterns,
        label_selector=selectors["labelSelector"],
        annotation_selector=selectors["annotationSelector"],
        shown=", ".join(f"{key} {value}" for key, value in written.items()),
    )


def _split(options: Mapping[str, Any]) -> Split | None:
    delimiter = options.get("delimiter")
    return Split(str(delimiter), int(options.get("index", 0))) if delimiter else None


def _parse_patch_text(text: str, start: Location, *, shift: bool = True) -> list[YamlDocument]:
    """The documents of a patch written inline (an empty text is one empty document)."""
    try:
        documents = [document for document in load_documents(text, start.path, track=True) if document.data is not None]
        return documents or [YamlDocument(None, start.path, 1)]
    except PytemplarError as exc:
        problem = exc.problems[0]
        raise ConfigError(
            f"patch text: {problem.message}",
            location=_shifted(problem.location or start, start) if shift else start,
            hint=problem.hint,
        ) from None


def _shifted(inner: Location, start: Location) -> Location:
    """A location in a block scalar's text, as a location in the file holding it."""
    if inner.line is None or start.line is None:
        return start
    return Location(start.path, start.line + inner.line)
