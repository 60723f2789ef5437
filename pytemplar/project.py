"""Loading projects and app templates: pytemplar.yaml, app.yaml and the files around them.

Each file is read once per :class:`Workspace` (one per command run) and shared by every
release that uses it; that is what makes rendering many releases cheap.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pytemplar import validitycache
from pytemplar.cachefolder import code_stamp
from pytemplar.errors import ConfigError, FileAccessError, Location, Problem, UsageError, display_path
from pytemplar.fsroot import ArchiveRoot, Root, is_archive_name
from pytemplar.records import field, record
from pytemplar.schema import CompiledSchema, compile_schema, parse_json
from pytemplar.values import ValuesLayer
from pytemplar.yamlio import YamlDocument, load_mapping

if TYPE_CHECKING:
    from pytemplar.dependencies import Dependency

T = TypeVar("T")

PROJECT_FILE = "pytemplar.yaml"
APP_FILE = "app.yaml"
DEFAULTS_FILE = "values.yaml"
VALUES_SCHEMA_FILE = "values.schema.json"
TEMPLATES_DIR = "templates"
TEMPLATE_SUFFIX = ".j2"
# Editors (yaml-language-server) take a values file's schema from this comment among its first
# lines; pytemplar.editorschema writes the schemas it names and warns when one is stale.
MODELINE = "# yaml-language-server: $schema="
MODELINE_CHARACTERS = 4096  # modelines stand among the first lines of a file
MODELINE_HEAD = MODELINE_CHARACTERS * 4  # bytes read to look for one (characters are at most 4 bytes each)
HELPER_PREFIX = "@"  # an app's helpers are also named @NAME/_file.j2, and so are those of its dependencies
# Every key of pytemplar.yaml that makes a release transformed, at any of its four levels: the keys
# of the transforms table (pytemplar.transforms.table), and ``components``. Written out here so
# that a release declaring none renders without loading the table; a unit test keeps them equal.
TRANSFORMING_KEYS = frozenset(
    {
        "resources",
        "nameReferences",
        "configMapGenerator",
        "secretGenerator",
        "generatorOptions",
        "patchesStrategicMerge",
        "patches",
        "setNamespace",
        "namePrefix",
        "nameSuffix",
        "commonLabels",
        "labels",
        "commonAnnotations",
        "patchesJson6902",
        "replicas",
        "images",
        "replacements",
        "components",
    }
)
# Template names, and the names Windows reserves, are told with string tests that decide as the
# patterns in tests/properties/test_name_rule_properties.py: compiling the two patterns cost a
# one-release render 0.2 ms.
_NAME_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-/"


def _plain_template_name(name: str) -> bool:
    """``[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\\Z``: parts joined by '/', none
    empty or starting with '.' or '-' (str.strip(chars) leaves nothing when all are chars)."""
    return not name.strip(_NAME_CHARACTERS) and all(part[:1] not in _NOT_FIRST for part in name.split("/"))


_NOT_FIRST = ("", ".", "-")


@cache
def _installed_at() -> Path:
    """pytemplar's folder, links resolved (once: each resolve lstat()s every folder from /)."""
    return Path(__file__).resolve().parent


def builtin_schema_file(name: str) -> Path | None:
    """Where one of pytemplar's own schemas is: in ``_schemas`` when installed from a wheel, in
    ``schemas/`` in the source tree; None for a package that is not in plain files (a zip)."""
    here = _installed_at()
    for candidate in (here / "_schemas" / name, here.parent / "schemas" / name):
        if candidate.is_file():
            return candidate
    return None


# The code that completes a schema of pytemplar's own as it is loaded (see completed_project_schema).
_COMPLETED_BY = {"pytemplar.schema.json": ("checks.py", "transforms/table.py")}


@cache
def builtin_digest(name: str) -> bytes | None:
    """The validity-cache key of one of pytemplar's own schemas as loaded, made from its file and
    what completes it (the code's files stamped by :func:`code_stamp`, and its tables), so a file
    remembered valid against it is known without reading the schema.
    None when nothing is remembered or the schema is not in plain files."""
    found = builtin_schema_file(name)
    if found is None:
        return None
    here = Path(__file__).parent
    try:
        sources = [code_stamp([found, *(here / module for module in _COMPLETED_BY.get(name, ()))])]
    except OSError:
        return None
    if name in _COMPLETED_BY:
        sources.append(repr(completion_tables()).encode("utf-8"))
    return validitycache.derived_digest("builtin", *sources)


@cache
def builtin_schema(name: str) -> CompiledSchema:
    """One of pytemplar's own schemas (``schemas/`` in the source tree, packaged in wheels)."""
    found = builtin_schema_file(name)
    if found is not None:
        text = found.read_text(encoding="utf-8")
    else:  # importlib.resources costs a few ms to import: only for a package in a zip
        from importlib import resources

        text = resources.files("pytemplar").joinpath("_schemas", name).read_text(encoding="utf-8")
    schema = parse_json(text, name)
    if name == "pytemplar.schema.json":
        schema = completed_project_schema(schema)
    # pytemplar's own schemas are checked against their metaschema and compiled by the test
    # suite: compiled on first use (a render without a rollout strategy never validates one).
    compiled = compile_schema(schema, name, check=False, lazy=True, digest=builtin_digest(name))
    compiled.checked = True
    return compiled


def completion_tables() -> tuple[Any, ...]:
    """What :func:`completed_project_schema` takes from the code's tables, for the schema's key.

    The transforms table is represented by its keys as ``TRANSFORMING_KEYS`` names them (equal to
    the table's, by test): their order and the rest of the table are in ``transforms/table.py``,
    whose file is in the key too, so a render that finds its project valid loads no transforms."""
    from pytemplar.checks import CHECKS

    return tuple((check.id, check.default) for check in CHECKS), sorted(TRANSFORMING_KEYS)


def completed_project_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``pytemplar.schema.json`` (parsed) with what the file leaves to the tables of the code: the
    check ids (``CHECKS``) and, on each level, the transform keys (``TRANSFORMS``)."""
    from pytemplar.checks import with_check_ids
    from pytemplar.transforms.table import with_transform_keys

    return with_transform_keys(with_check_ids(schema))


def _check_against(document: YamlDocument, schema_name: str, root_name: str) -> None:
    digest = builtin_digest(schema_name)
    remembered = validitycache.valid_key(digest, document.data) if digest is not None else None
    if remembered is not None and validitycache.known(remembered):
        return  # an earlier run found this very file valid: the schema need not even be read
    problems = builtin_schema(schema_name).validate(
        document.data, document.location_of, root_name, locate_key=document.key_location_of
    )
    if problems:
        raise ConfigError.collect(problems)


def check_project_document(document: YamlDocument) -> None:
    """Raise the schema problems of a ``pytemplar.yaml`` document (used before writing an edited one)."""
    _check_against(document, "pytemplar.schema.json", "project")


@record
class App:
    """An app template: metadata, defaults, values schema and compiled-on-demand templates."""

    root: Root
    name: str
    version: str
    description: str
    kube_version: str | None
    defaults: ValuesLayer
    schema: CompiledSchema | None
    templates: dict[str, str]  # name relative to templates/ -> source text
    template_paths: dict[str, str]  # name -> file path shown to users
    # Apps whose helpers the templates import as @NAME/_x.j2, directly or not, by name.
    dependencies: dict[str, Dependency] = field(default_factory=dict)
    app_version: str = ""  # the version of what the app deploys (Helm's appVersion)

    @property
    def manifest_templates(self) -> list[str]:
        """Templates rendered to manifests: every ``*.j2`` not starting with ``_``."""
        return [name for name in self.templates if not name.rsplit("/", 1)[-1].startswith("_")]


@record
class Environment:
    name: str
    namespace: str
    create_namespace: bool
    kube_version: str | None
    values_files: tuple[tuple[str, Location | None], ...]


@record
class ReleaseSpec:
    name: str
    app_path: Path
    app_ref: str  # as written in pytemplar.yaml
    app_location: Location
    namespace: str | None
    values_files: tuple[tuple[str, Location | None], ...]
    environments: dict[str, tuple[tuple[str, Location | None], ...] | None] | None
    # The name templates render with (release.name), when it differs from the key.
    release_name: str | None = None
    # A Helm chart rendered by helm instead of an app: the archive's sha256 and where it is pinned.
    helm_chart: tuple[str, Location] | None = None

    @property
    def rendered_name(self) -> str:
        return self.release_name or self.name


@record
class Project:
    root: Root
    config_path: str
    name: str
    kube_version: str | None
    values: ValuesLayer
    environments: dict[str, Environment]
    releases: dict[str, ReleaseSpec]
    # The parsed pytemplar.yaml, with locations: transforms read their declarations from it.
    document: YamlDocument | None = None

    def releases_in(self, environment: str) -> list[ReleaseSpec]:
        return [
            spec for spec in self.releases.values() if spec.environments is None or environment in spec.environments
        ]


@record(frozen=False)
class Workspace:
    """Files and apps loaded during one run, each parsed once."""

    _documents: dict[Path, YamlDocument] = field(default_factory=dict)
    _named: dict[tuple[Path, str], YamlDocument] = field(default_factory=dict)  # by (root, name as given)
    _apps: dict[Path, App] = field(default_factory=dict)
    _app_folders: dict[Path, Path] = field(default_factory=dict)  # as named -> real path, resolved once
    # Expected sha256 of app archives (real path -> digest and where pytemplar.yaml says it).
    _pins: dict[Path, list[tuple[str, Location]]] = field(default_factory=dict)
    # The apps being loaded, outermost first, with where each was declared as a dependency.
    _loading: list[tuple[str, Location | None]] = field(default_factory=list)
    # The project folder, when a project is loaded: dependencies may also lie inside it.
    project_folder: Path | None = None
    # The folder of the app of the release being loaded and the project folder: a dependency of that
    # app, or of its dependencies, may lie only in what they allow (see dependencies.allowed_roots).
    _dependency_roots_of: tuple[Path, Path | None] | None = None

    # Files read whose head holds no editor modeline: the check for stale editor schemas
    # (editorschema.stale_overlay_schema) then need not open them again.
    _without_modeline: set[str] = field(default_factory=set)

    def yaml_mapping(self, root: Root, relative: str, what: str) -> YamlDocument:
        cached = self._named.get((root.path, relative))  # read before under this name: no path to make
        if cached is not None:
            return cached
        named = root.path / relative
        cached = self._documents.get(named)
        if cached is None:
            real = root.resolve(relative)
            cached = self._documents.get(real)
            if cached is None:
                text = root.read_resolved_text(real, relative)
                cached = load_mapping(text, str(named), what=what)
                if MODELINE not in text[:MODELINE_HEAD]:
                    self._without_modeline.add(cached.path)
                self._documents[real] = cached
            self._documents[named] = cached
        self._named[root.path, relative] = cached
        return cached

    def without_modeline(self, path: str) -> bool:
        """Whether the file at ``path`` (as its document names it) was read and has no editor
        modeline where editors look for one."""
        return path in self._without_modeline

    def values_layer(self, root: Root, relative: str, kind: str, listed_at: Location | None) -> ValuesLayer:
        try:
            document = self.yaml_mapping(root, relative, "a values file")
        except FileAccessError as exc:
            if listed_at is None:
                raise
            # Blame the line that names the file, not the file that cannot be read.
            raise ConfigError(
                f"values file {exc.problems[0].message.removeprefix('file ')}",
                location=listed_at,
                hint=exc.problems[0].hint or "values files are named relative to the project folder",
            ) from exc
        return ValuesLayer(
            kind,
            document.path,
            document.data,
            document.locations,
            document.key_locations,
            document.raw_texts,
            document.raw_keys,
        )

    def app(self, folder: Path, referenced_at: Location | None = None, shown: str | None = None) -> App:
        real = self._app_folders.get(folder)
        if real is None:
            real = self._app_folders[folder] = folder.resolve()
        cached = self._apps.get(real)
        if cached is None:
            cached = self._load_app(folder, referenced_at, shown or str(folder))
            self._apps[real] = cached
        return cached

    def pin_archive(self, archive: Path, sha256: str, at: Location) -> None:
        """Expect the app archive ``archive`` to have this sha256 (checked when it is loaded)."""
        self._pins.setdefault(archive.resolve(), []).append((sha256, at))

    def _load_app(self, folder: Path, referenced_at: Location | None, shown: str) -> App:
        where = referenced_at or Location(str(folder))
        archive = is_archive_name(folder)
        if not folder.exists():
            raise ConfigError(f"app {'archive' if archive else 'folder'} '{shown}' does not exist", location=where)
        if archive and folder.is_file():
            packed = self._archive_root(folder)
            app = self.app_in(packed)
            _check_archive_folder(packed, self.yaml_mapping(packed, APP_FILE, APP_FILE))
            return app
        if not folder.is_dir():
            raise ConfigError(
                f"app '{shown}' is a file, not an app template folder",
                location=where,
                hint="an app is a folder with app.yaml, or an archive made by `pytemplar package` (.tgz)",
            )
        root = Root.at(folder)
        if not root.present(APP_FILE):
            hint = None
            if root.present(PROJECT_FILE):
                from pytemplar.hints import apps_of_project

                hint = apps_of_project(folder, shown)
            raise ConfigError(f"'{shown}' is not an app template: it has no {APP_FILE}", location=where, hint=hint)
        return self.app_in(root)

    def _archive_root(self, path: Path) -> ArchiveRoot:
        """The app in an archive file, checked against its pinned digests, read into memory."""
        from pytemplar.archive import archive_root, read_archive_bytes, read_archive_file, sha256_hex

        shown = Path(os.path.abspath(path))
        data = read_archive_file(shown)
        digest = sha256_hex(data)
        for expected, at in self._pins.get(path.resolve(), []):
            if expected.lower() != digest:
                raise ConfigError(
                    f"app archive '{display_path(shown)}' has sha256 {digest}, but {expected} is expected",
                    location=at,
                    hint="if the archive was rebuilt on purpose, update sha256 (from its .sha256 file)",
                )
        archive = read_archive_bytes(data, str(shown))
        return archive_root(archive, shown / archive.top)

    def app_in(self, root: Root) -> App:
        """The app template whose files ``root`` holds (a folder, or an archive in memory)."""
        meta = self.yaml_mapping(root, APP_FILE, APP_FILE)
        _check_against(meta, "app.schema.json", "app")
        if root.present(DEFAULTS_FILE):
            defaults = self.values_layer(root, DEFAULTS_FILE, "defaults", None)
        else:
            defaults = ValuesLayer("defaults", str(root.path / DEFAULTS_FILE), {})
        schema = None
        if root.present(VALUES_SCHEMA_FILE):
            shown = str(root.path / VALUES_SCHEMA_FILE)
            schema = compile_schema(parse_json(root.read_text(VALUES_SCHEMA_FILE), shown), shown, check=False)
        templates: dict[str, str] = {}
        paths: dict[str, str] = {}
        problems: list[Problem] = []
        for relative in root.list_files(TEMPLATES_DIR, TEMPLATE_SUFFIX):
            name = relative[len(TEMPLATES_DIR) + 1 :]
            if not _plain_template_name(name):
                problems.append(
                    Problem(
                        f"template name '{name}' has characters outside [A-Za-z0-9_.-/]",
                        location=Location(str(root.path / relative)),
                        hint="rename the file",
                    )
                )
                continue
            templates[name] = root.read_text(relative)
            paths[name] = str(root.path / relative)
        problems.extend(_clashing_names(paths))
        if problems:
            raise ConfigError.collect(problems)
        data = meta.data
        if not self._loading:  # an app of a release, not a dependency: it fixes where dependencies may lie
            self._dependency_roots_of = (root.path, self.project_folder)
        own_helpers_importable(templates, paths, data["name"])
        resolved: dict[str, Dependency] = {}
        if data.get("dependencies"):  # most apps have none: the resolver is not even loaded
            from pytemplar.dependencies import importable_helpers

            resolved = self._dependencies(root, meta)
            importable_helpers(templates, paths, resolved)
        return App(
            root=root,
            name=data["name"],
            version=data["version"],
            description=data.get("description", ""),
            kube_version=data.get("kubeVersion"),
            defaults=defaults,
            schema=schema,
            templates=templates,
            template_paths=paths,
            dependencies=resolved,
            app_version=str(data.get("appVersion", "")),
        )

    def _dependencies(self, root: Root, meta: YamlDocument) -> dict[str, Dependency]:
        """The apps ``meta`` depends on, directly or not, by name; cycles and conflicts refused."""
        from pytemplar.dependencies import (
            Dependency,
            check_dependency,
            declared_dependencies,
            dependency_cycle,
            merge_dependency,
        )

        resolved: dict[str, Dependency] = {}
        before = self._loading
        chain = before or [(meta.data["name"], None)]
        try:
            for index, entry in declared_dependencies(meta):
                at = meta.location_of(("dependencies", index, "name")) or Location(meta.path)
                if any(name == entry["name"] for name, _ in chain):
                    raise dependency_cycle(chain, entry["name"], at)
                self._loading = [*chain, (entry["name"], at)]
                found = self._dependency_app(root, meta, index, entry)
                check_dependency(meta, index, entry, found)
                merge_dependency(resolved, entry["name"], Dependency(found, at, meta.data["name"]))
                for name, further in found.dependencies.items():
                    merge_dependency(resolved, name, further)
        finally:
            self._loading = before
        return resolved

    def _dependency_app(self, root: Root, meta: YamlDocument, index: int, entry: dict[str, Any]) -> App:
        """A dependency: vendored in an archive, else the folder or archive ``app:`` names."""
        from pytemplar.dependencies import VENDORED, allowed_roots, check_confined

        at = ("dependencies", index)
        if isinstance(root, ArchiveRoot):
            vendored = f"{VENDORED}/{entry['name']}"
            if not root.present(f"{vendored}/{APP_FILE}"):
                raise ConfigError(
                    f"dependency '{entry['name']}' is not in the archive ({vendored}/ is missing)",
                    location=meta.location_of((*at, "name")),
                    hint="package the app with `pytemplar package`, which puts its dependencies in the archive",
                )
            return self.app_in(root.below(vendored, keep=VENDORED))
        where = meta.location_of((*at, "app")) or Location(meta.path)
        roots = allowed_roots(*self._dependency_roots_of) if self._dependency_roots_of else ()
        check_confined(root.path / entry["app"], entry["app"], roots, where)
        if entry.get("sha256"):
            self.pin_archive(root.path / entry["app"], entry["sha256"], meta.location_of((*at, "sha256")) or where)
        return self.app(root.path / entry["app"], where, entry["app"])


def _check_archive_folder(root: ArchiveRoot, meta: YamlDocument) -> None:
    """An archive's top folder must be named after its app, as ``pytemplar package`` makes it."""
    if meta.data["name"] != root.path.name:
        raise ConfigError(
            f"the archive's folder is '{root.path.name}' but the app is named '{meta.data['name']}'",
            location=meta.location_of(("name",)) or Location(meta.path),
            hint="rebuild the archive with `pytemplar package`",
        )


_RESERVED = frozenset(("con", "prn", "aux", "nul"))
_RESERVED_NUMBERED = frozenset(("com", "lpt"))


def _reserved(part: str) -> bool:
    """``(con|prn|aux|nul|com[0-9]|lpt[0-9])(\\.|$)``, ignoring case: no character beyond ASCII
    matches these letters or digits ignoring case, and ``$`` also ends before a last line break."""
    head = part[:4]
    if not head.isascii():
        return False
    word = head[:3].lower()
    if word in _RESERVED:
        rest = part[3:]
    elif word in _RESERVED_NUMBERED and head[3:].isdigit():
        rest = part[4:]
    else:
        return False
    return rest[:1] == "." or rest in ("", "\n")


def _nfc(text: str) -> str:
    import unicodedata  # a C extension: loaded only for a name that is not ASCII

    return unicodedata.normalize("NFC", text)


def _clashing_names(paths: dict[str, str]) -> list[Problem]:
    """Template names that would collide or be unusable on other systems (Windows, macOS)."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name, path in paths.items():
        folded = (name if name.isascii() else _nfc(name)).casefold()  # ASCII is its own NFC form
        if folded in seen:
            problems.append(
                Problem(
                    f"template '{name}' and '{seen[folded]}' differ only in case or Unicode form",
                    location=Location(path),
                    hint="they collide on case-insensitive file systems; rename one",
                )
            )
        seen[folded] = name
        if any(_reserved(part) for part in name.split("/")):
            problems.append(
                Problem(
                    f"template name '{name}' is reserved on Windows",
                    location=Location(path),
                    hint="rename it (con, prn, aux, nul, com1-9 and lpt1-9 cannot be file names there)",
                )
            )
    return problems


def _files(
    entry: dict[str, Any], document: YamlDocument, at: tuple[str | int, ...]
) -> tuple[tuple[str, Location | None], ...] | None:
    listed = entry.get("valuesFiles")
    if listed is None:
        return None
    return tuple((name, document.location_of((*at, "valuesFiles", index))) for index, name in enumerate(listed))


def _default_file(root: Root, relative: str) -> tuple[tuple[str, Location | None], ...]:
    return ((relative, None),) if root.present(relative) else ()


def _below_values(locations: dict[tuple[str | int, ...], T]) -> dict[tuple[str | int, ...], T]:
    """Entries under ``values:`` of pytemplar.yaml, as paths into the values."""
    return {path[1:]: where for path, where in locations.items() if path[:1] == ("values",) and len(path) > 1}


def _app_reference(
    written: str | dict[str, str], document: YamlDocument, at: tuple[str | int, ...], root: Root, workspace: Workspace
) -> str:
    """The app path a release names: a folder or archive, or ``{archive, sha256}`` (pinned)."""
    if isinstance(written, str):
        return written
    location = document.location_of((*at, "sha256")) or Location(document.path)
    workspace.pin_archive(root.path / written["archive"], written["sha256"], location)
    return written["archive"]


def own_helpers_importable(templates: dict[str, str], paths: dict[str, str], own_name: str) -> None:
    """Name an app's helpers (``_x.j2``) also ``@NAME/_x.j2``, as the apps depending on it import
    them: a library's helpers import each other the same way wherever they are used."""
    for name in [n for n in templates if n.rsplit("/", 1)[-1].startswith("_")]:
        templates[f"{HELPER_PREFIX}{own_name}/{name}"] = templates[name]
        paths[f"{HELPER_PREFIX}{own_name}/{name}"] = paths[name]


def is_app(path: Path) -> bool:
    """Whether ``path`` names an app template (a folder with app.yaml and no pytemplar.yaml, or an
    archive): ``pytemplar render APP`` renders it alone (pytemplar.helm.standalone)."""
    if path.is_file():
        return is_archive_name(path)
    return path.is_dir() and (path / APP_FILE).is_file() and not (path / PROJECT_FILE).is_file()


def load_project(folder: str | Path, workspace: Workspace) -> Project:
    """Read and check ``pytemplar.yaml`` in ``folder``."""
    path = Path(folder)
    if path.is_file() and path.name == PROJECT_FILE:
        path = path.parent
    if not path.exists():
        raise UsageError(f"project folder '{folder}' does not exist")
    if not path.is_dir():
        raise UsageError(f"'{folder}' is a file; give the project folder (the one holding {PROJECT_FILE})")
    root = Root.at(path)
    if not root.present(PROJECT_FILE):
        from pytemplar.hints import missing_project

        app_hint = "this folder is an app template; render a project that uses it"
        hint = app_hint if root.exists(APP_FILE) else missing_project(str(folder))
        raise UsageError(f"no {PROJECT_FILE} in '{folder}'", hint=hint)
    workspace.project_folder = root.path.resolve()
    document = workspace.yaml_mapping(root, PROJECT_FILE, PROJECT_FILE)
    _check_against(document, "pytemplar.schema.json", "project")
    data = document.data
    config_path = document.path

    values = ValuesLayer(
        "project",
        config_path,
        data.get("values") or {},
        _below_values(document.locations),
        _below_values(document.key_locations),
        _below_values(document.raw_texts),
        _below_values(document.raw_keys),
    )

    environments: dict[str, Environment] = {}
    for name, entry in data["environments"].items():
        entry = entry or {}
        files = _files(entry, document, ("environments", name))
        environments[name] = Environment(
            name=name,
            namespace=entry.get("namespace", name),
            create_namespace=bool(entry.get("createNamespace", False)),
            kube_version=entry.get("kubeVersion"),
            values_files=files if files is not None else _default_file(root, f"envs/{name}.yaml"),
        )

    releases: dict[str, ReleaseSpec] = {}
    app_paths: dict[str, Path] = {}  # one path per app named: releases share it (and its cached hash)
    for name, entry in data["releases"].items():
        at = ("releases", name)
        limited: dict[str, tuple[tuple[str, Location | None], ...] | None] | None = None
        if entry.get("environments") is not None:
            limited = {}
            for env_name, env_entry in entry["environments"].items():
                if env_name not in environments:
                    raise ConfigError(
                        f"release '{name}' names environment '{env_name}', which is not defined",
                        location=document.location_of((*at, "environments", env_name)),
                        hint=f"defined environments: {', '.join(environments)}",
                    )
                limited[env_name] = _files(env_entry or {}, document, (*at, "environments", env_name))
        files = _files(entry, document, at)
        chart = entry.get("helmChart")
        if chart is not None:
            app_ref = chart["archive"]
            pin: tuple[str, Location] | None = (
                chart["sha256"],
                document.location_of((*at, "helmChart", "sha256")) or Location(config_path),
            )
        else:
            app_ref = _app_reference(entry["app"], document, (*at, "app"), root, workspace)
            pin = None
        releases[name] = ReleaseSpec(
            name=name,
            app_path=app_paths.get(app_ref) or app_paths.setdefault(app_ref, root.path / app_ref),
            app_ref=app_ref,
            app_location=document.location_of((*at, "helmChart" if chart is not None else "app"))
            or Location(config_path),
            namespace=entry.get("namespace"),
            values_files=files if files is not None else _default_file(root, f"releases/{name}.yaml"),
            environments=limited,
            release_name=entry.get("releaseName"),
            helm_chart=pin,
        )
    return Project(
        root=root,
        config_path=config_path,
        name=data.get("project", root.path.name),
        kube_version=data.get("kubeVersion"),
        values=values,
        environments=environments,
        releases=releases,
        document=document,
    )


def release_env_files(
    project: Project, release: ReleaseSpec, environment: str
) -> tuple[tuple[str, Location | None], ...]:
    if release.environments is not None:
        listed = release.environments.get(environment)
        if listed is not None:
            return listed
    return _default_file(project.root, f"envs/{environment}/{release.name}.yaml")


def layer_paths(environment: str, release: str) -> tuple[tuple[str, ...], ...]:
    """Where the four levels of a release's transforms are in pytemplar.yaml, lowest first."""
    return (
        (),
        ("environments", environment),
        ("releases", release),
        ("releases", release, "environments", environment),
    )


def level_sections(project: Project, environment: str, release: str) -> list[dict[str, Any]]:
    """The sections of pytemplar.yaml at the release's four levels that are there, lowest first."""
    found: list[dict[str, Any]] = []
    if project.document is None:
        return found
    for at in layer_paths(environment, release):
        section: Any = project.document.data
        for step in at:
            section = section.get(step) if isinstance(section, dict) else None
        if isinstance(section, dict):
            found.append(section)
    return found


def declares_transforms(project: Project, environment: str, release: str) -> bool:
    """Whether pytemplar.yaml declares any transform (or component) for the release."""
    return any(not TRANSFORMING_KEYS.isdisjoint(section) for section in level_sections(project, environment, release))
