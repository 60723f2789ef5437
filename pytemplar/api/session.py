"""One run over a project: its files, apps and options, and the per-release pipeline.

:class:`Session` loads each file and compiles each app once, and runs for one environment x
release: load layers -> merge -> validate values -> render -> parse -> transforms -> rollout
strategy; then, over everything rendered, the checks. The public functions of
:mod:`pytemplar.api` are built on it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytemplar.checks import CheckedEarlier, Selection, check_manifests, check_objects, parse_ids, without_skipped
from pytemplar.errors import (
    Location,
    Problem,
    PytemplarError,
    Severity,
    UsageError,
    ValuesError,
)
from pytemplar.hiddenvalues import hidden_value_problems
from pytemplar.manifests import BINDING_KINDS, Manifest
from pytemplar.policies import DEFAULT_KUBE_VERSION, valid_namespace
from pytemplar.project import (
    PROJECT_FILE,
    App,
    Project,
    ReleaseSpec,
    Workspace,
    builtin_schema,
    declares_transforms,
    is_app,
    load_project,
    release_env_files,
)
from pytemplar.records import field, record, replace
from pytemplar.schema import CompiledSchema
from pytemplar.templating.engine import ReadLog, TemplateEngine, template_context
from pytemplar.templating.parse import (
    ReleaseOrigins,
    RenderedOrigins,
    document_origins,
    parse_rendered,
    register_locator,
)
from pytemplar.usage import UnusedValues, invisible_characters
from pytemplar.values import (
    ROLLOUT_KEY,
    AbsentKeys,
    ListKeys,
    Origin,
    ValuePath,
    ValuesLayer,
    format_path,
    keep_source_text,
    key_origin_of,
    mask_secrets,
    merge_layers,
    origin_of,
    origins_of,
    removed_keys,
)

if TYPE_CHECKING:  # the modules themselves load only when a run needs them
    from pytemplar.crds import CompactSchemas
    from pytemplar.setargs import SetKind, SetValue

Kept = tuple[list[Problem], list[Problem], list[Problem], UnusedValues, dict[str, bytes]]
"""What a run of releases gathers beyond their manifests (see :meth:`Session.hand_over`)."""


_OVERLAY_KINDS = frozenset({"environment", "release", "release-environment", "file"})


@record
class RenderOptions:
    """What to render: a project folder, environments, releases and extra values files."""

    project: Path
    environments: tuple[str, ...] = ()  # empty: every environment
    releases: tuple[str, ...] = ()  # empty: every release of each environment
    values_files: tuple[Path, ...] = ()  # -f, lowest first
    set_arguments: tuple[tuple[SetKind, str], ...] = ()  # --set*, lowest first
    kube_version: str | None = None  # --kube-version: the target of every environment
    kube_schema: bool = False  # validate every object against the Kubernetes API schemas
    crds: tuple[Path, ...] = ()  # --crds folders, besides crds: in pytemplar.yaml
    checks: tuple[str, ...] = ()  # checks to run, besides the defaults and checks: in pytemplar.yaml
    skip_checks: tuple[str, ...] = ()  # checks not to run, besides skipChecks: in pytemplar.yaml
    # An app rendered alone (`render APP`): its release's name and namespace.
    release_name: str | None = None
    namespace: str | None = None
    # Namespace objects for environments with createNamespace; off when the deployer creates them
    # (several Argo CD Applications deploying into one namespace must not each own it).
    namespace_objects: bool = True


@record(frozen=False)
class ReleaseValues:
    environment: str
    release: str
    layers: list[ValuesLayer]
    values: dict[str, Any]
    warnings: list[Problem] = field(default_factory=list)
    list_keys: ListKeys | None = None
    is_secret: Callable[[ValuePath], bool] | None = None

    def origins(self, path: ValuePath) -> list[Origin]:
        """Every layer that set the value at ``path``, the one that won first."""
        return origins_of(self.layers, path, self.values, self.list_keys)

    def origin(self, path: ValuePath) -> Location | None:
        """Where the value at ``path`` was set (the layer that won)."""
        return origin_of(self.layers, path, self.values, self.list_keys)

    def shown(self) -> dict[str, Any]:
        """The values with every secret (schema ``writeOnly``) replaced by ``SECRET_MASK``."""
        return mask_secrets(self.values, self.is_secret) if self.is_secret else self.values


@record(frozen=False)
class RenderResult:
    manifests: list[Manifest]
    releases: list[tuple[str, str]]  # (environment, release) pairs rendered
    warnings: list[Problem] = field(default_factory=list)
    # With render(yaml_text=True) and workers: each manifest's YAML as written when its release was
    # rendered (None for objects the run made after, e.g. Namespaces); stale once a manifest is changed.
    yaml_texts: list[str | None] | None = None


class Session:
    """One run over a project: loads each file and compiles each app once."""

    # Whether the run edits a project's files (an app rendered alone has none to edit).
    edits_files = False

    def __init__(self, options: RenderOptions) -> None:
        self.options = options
        self.workspace = Workspace()
        self.project: Project = self._load(options)
        _check_values_files(options.values_files)
        self.set_values = self._set_values(options.set_arguments)
        self.set_layer = self._set_layer(self.set_values, None)
        # The command line's layer as each app's schema sees it: secret values masked in its labels.
        self._masked_set_layers: dict[int, tuple[CompiledSchema, ValuesLayer | None]] = {}
        self._editor_schemas_checked: set[tuple[str, str]] = set()  # (values file, app) looked at
        self._editor_schemas: dict[Path, Any] = {}  # overlay schema file -> current, stale or missing
        self.engines: dict[Path, TemplateEngine] = {}
        self.unused = UnusedValues()
        self.hidden_found: dict[tuple[str, int], list[tuple[ValuePath, str]]] = {}  # see hiddenvalues
        self.warnings: list[Problem] = []
        # Values an `images:` override replaces: validate, set and rollout start report them.
        self.shadowed: list[Problem] = []
        # The Kubernetes-schema problems of each release, found while its values are at hand (the
        # messages cite where a bad value was set); kept like warnings, across releases.
        self.schema_problems: list[Problem] = []
        self._schema_sets: dict[str, Any] = {}  # bundled version -> kubeschema.SchemaSet
        self._crds: list[CompactSchemas | None] = []  # loaded once, on first use
        self._selection: Selection | None = None
        self.locator = register_locator(self)  # how objects rendered without positions find them
        self._field_origins: dict[tuple[str, str], dict[tuple[str, int], RenderedOrigins]] = {}

    def _load(self, options: RenderOptions) -> Project:
        if is_app(options.project) and not self.edits_files:
            from pytemplar.helm.standalone import app_project

            return app_project(
                options.project,
                self.workspace,
                release_name=options.release_name,
                namespace=options.namespace,
                environments=options.environments,
            )
        if options.release_name or options.namespace:
            raise UsageError("--release-name and --namespace are for an app rendered alone (render APP)")
        return load_project(options.project, self.workspace)

    def all_warnings(self, unused_severity: Severity) -> list[Problem]:
        """Warnings of every release rendered so far, each once, and the unused values."""
        unique = {(p.message, p.location): p for p in self.warnings}
        return [*unique.values(), *self.unused.problems(unused_severity)]

    def stale_editor_schemas(self, layers: Sequence[ValuesLayer], app: App) -> list[Problem]:
        """A warning for each stale overlay schema an overlay's modeline names (one per schema file)."""
        found = []
        for layer in layers:
            key = (layer.source, str(app.root.path))
            if layer.kind not in _OVERLAY_KINDS or key in self._editor_schemas_checked:
                continue
            if self.workspace.without_modeline(layer.source):
                continue  # looked for when the file was read: the text's first characters hold its first bytes
            from pytemplar.editorschema import stale_overlay_schema  # a file with a modeline: rare

            self._editor_schemas_checked.add(key)
            problem = stale_overlay_schema(layer.source, app, self._editor_schemas)
            if problem is not None:
                found.append(problem)
        return found

    def app(self, spec: ReleaseSpec) -> App:
        return self.workspace.app(spec.app_path, spec.app_location, spec.app_ref)

    def targets(self) -> list[tuple[str, ReleaseSpec]]:
        project = self.project
        environments = list(self.options.environments) or list(project.environments)
        for name in environments:
            if name not in project.environments:
                raise UsageError(
                    f"unknown environment '{name}'",
                    hint=f"environments of {project.name}: {', '.join(project.environments)}",
                )
        for name in self.options.releases:
            if name not in project.releases:
                raise UsageError(
                    f"unknown release '{name}'",
                    hint=f"releases of {project.name}: {', '.join(project.releases)}",
                )
        pairs: list[tuple[str, ReleaseSpec]] = []
        for env in environments:
            for spec in project.releases_in(env):
                if not self.options.releases or spec.name in self.options.releases:
                    pairs.append((env, spec))
        if self.options.releases and not pairs:
            raise UsageError(
                f"release(s) {', '.join(self.options.releases)} are not deployed to {', '.join(environments)}"
            )
        return pairs

    def layers(self, environment: str, spec: ReleaseSpec) -> list[ValuesLayer]:
        project = self.project
        root = project.root
        if spec.helm_chart is not None:
            # A chart's defaults are inside it, read by helm; the project's and environment's
            # values are for the project's apps. The release's own layers go to helm.
            layers = [ValuesLayer("defaults", spec.app_ref, {})]
        else:
            layers = [self.app(spec).defaults, project.values]
            for relative, listed in project.environments[environment].values_files:
                layers.append(self.workspace.values_layer(root, relative, "environment", listed))
        for relative, listed in spec.values_files:
            layers.append(self.workspace.values_layer(root, relative, "release", listed))
        for relative, listed in release_env_files(project, spec, environment):
            layers.append(self.workspace.values_layer(root, relative, "release-environment", listed))
        for extra in self.options.values_files:
            layers.append(self._extra_layer(extra))
        schema = None if spec.helm_chart is not None else self.app(spec).schema
        set_layer = self.set_layer if schema is None else self._masked_set_layer(schema)
        if set_layer is not None:
            layers.append(set_layer)
        return layers

    @staticmethod
    def _set_values(arguments: Sequence[tuple[SetKind, str]]) -> list[SetValue]:
        if not arguments:
            return []  # without --set, its parser is not even imported
        from pytemplar.setargs import parse_set_argument

        parsed: list[SetValue] = []
        for number, (kind, text) in enumerate(arguments, 1):
            parsed.extend(parse_set_argument(text, kind, number, _read_set_file))
        return parsed

    @staticmethod
    def _set_layer(parsed: Sequence[SetValue], is_secret: Callable[[ValuePath], bool] | None) -> ValuesLayer | None:
        if not parsed:
            return None
        from pytemplar.setargs import set_layer

        return set_layer(parsed, is_secret)

    def _masked_set_layer(self, schema: CompiledSchema) -> ValuesLayer | None:
        known = self._masked_set_layers.get(id(schema))
        if known is None or known[0] is not schema:
            known = (schema, self._set_layer(self.set_values, schema.is_secret))
            self._masked_set_layers[id(schema)] = known
        return known[1]

    def _extra_layer(self, path: Path) -> ValuesLayer:
        from pytemplar.fsroot import Root

        folder = Root.at(path.parent if str(path.parent) else Path("."))
        return self.workspace.values_layer(folder, path.name, "file", None)

    def values(self, environment: str, spec: ReleaseSpec) -> ReleaseValues:
        layers = self.layers(environment, spec)
        if spec.helm_chart is not None:  # helm checks a chart's values against its schema
            return ReleaseValues(environment, spec.name, layers, merge_layers(layers))
        app = self.app(spec)
        schema = app.schema
        list_keys = schema.list_keys if schema is not None else None
        merged = merge_layers(layers, list_keys)
        is_secret = schema.is_secret if schema is not None else (lambda _path: False)
        warnings = [
            kept.warning(release=spec.name, environment=environment, secret=is_secret(kept.path))
            for kept in keep_source_text(merged, layers, expected_types(schema), list_keys)
        ]
        if schema is not None:
            # The rollout strategy is pytemplar's key: its own schema checks it, below.
            own = {key: value for key, value in merged.items() if key != ROLLOUT_KEY}
            problems = schema.validate(
                own,
                lambda path: origin_of(layers, path, merged, list_keys),
                locate_key=lambda path: key_origin_of(layers, path, merged, list_keys),
                locate_deletion=functools.partial(_deletion_of, layers),
            )
            if problems:
                raise ValuesError.collect(problems)
            warnings.extend(hidden_value_problems(layers, merged, schema, list_keys, self.hidden_found))
        from pytemplar.helm.yaml11 import helm_differences

        warnings.extend(
            helm_differences(merged, layers, expected_types(schema), release=spec.name, environment=environment)
        )
        warnings.extend(self.stale_editor_schemas(layers, app))
        if ROLLOUT_KEY in merged:
            problems = builtin_schema("rollout.schema.json").validate(
                merged[ROLLOUT_KEY],
                lambda path: origin_of(layers, (ROLLOUT_KEY, *path), merged, list_keys),
                f"values.{ROLLOUT_KEY}",
                locate_key=lambda path: key_origin_of(layers, (ROLLOUT_KEY, *path), merged, list_keys),
            )
            if problems:
                raise ValuesError.collect(problems)
        warnings.extend(
            Problem(
                message,
                location=origin_of(layers, path, merged, list_keys),
                hint="such characters make text look like other text (Trojan Source); remove them if unintended",
                severity="warning",
                release=spec.name,
                environment=environment,
            )
            for path, message in invisible_characters(merged)
        )
        return ReleaseValues(
            environment,
            spec.name,
            layers,
            merged,
            warnings,
            list_keys,
            schema.is_secret if schema is not None else None,
        )

    def prepare(self, targets: Sequence[tuple[str, ReleaseSpec]]) -> None:
        """Load and compile now what every release shares (apps, templates, project and
        environment values), so that workers forked after this inherit it instead of redoing it."""
        first_in: dict[str, ReleaseSpec] = {}
        apps: set[str] = set()  # each app once: a run of thousands of releases names a few apps
        for environment, spec in targets:
            if spec.helm_chart is not None:
                continue
            first_in.setdefault(environment, spec)
            if spec.app_ref in apps:
                continue
            apps.add(spec.app_ref)
            # A broken file fails the release that needs it, in release order, not here.
            with contextlib.suppress(PytemplarError):
                self.engine(spec)
        for environment, spec in first_in.items():
            with contextlib.suppress(PytemplarError):
                self.layers(environment, spec)

    def hand_over(self) -> Kept:
        """What the releases rendered since the last call gathered beyond their manifests
        (warnings, Kubernetes-schema problems, shadowed values, the values used, the inputs
        found valid and not yet remembered on disk); this session then gathers afresh, so that a
        run shared out among processes joins these in release order and remembers what each
        process found valid."""
        validity = sys.modules.get("pytemplar.validitycache")
        found_valid: dict[str, bytes] = validity.hand_over() if validity is not None else {}
        kept = (self.warnings, self.schema_problems, self.shadowed, self.unused, found_valid)
        self.warnings, self.schema_problems, self.shadowed, self.unused = [], [], [], UnusedValues()
        return kept

    def take_in(self, kept: Kept) -> None:
        """Add what :meth:`hand_over` gave for releases after those this session gathered so far."""
        warnings, schema_problems, shadowed, unused, found_valid = kept
        self.warnings.extend(warnings)
        self.schema_problems.extend(schema_problems)
        self.shadowed.extend(shadowed)
        self.unused.merge(unused)
        if found_valid:
            from pytemplar import validitycache

            validitycache.take_in(found_valid)

    def engine(self, spec: ReleaseSpec) -> TemplateEngine:
        app = self.app(spec)
        key = app.root.path
        engine = self.engines.get(key)
        if engine is None:
            engine = TemplateEngine(app)
            engine.compile_all()
            self.engines[key] = engine
        return engine

    def render_release(
        self, environment: str, spec: ReleaseSpec, problems_to: list[Problem] | None = None
    ) -> list[Manifest]:
        """The release's objects. With ``problems_to``, a template whose output is not YAML adds its
        problems there and the objects of the other templates go on through the stages (validate)."""
        if spec.helm_chart is not None:
            return self.render_chart_release(environment, spec)
        release_values = self.values(environment, spec)
        engine = self.engine(spec)
        env = self.project.environments[environment]
        log = ReadLog()
        # Field-level origins are kept only while this release's objects are checked; after, a
        # message about a field renders the release again to find them (field_origins).
        manifests = parse_rendered(
            engine.render(self._context(environment, spec, engine, release_values, log)),
            spec.name,
            environment,
            problems_to,
            track=self.schema_checked(),
            values_origin=release_values.origin,
            locator=self.locator,
        )
        images: list[str] = []
        if declares_transforms(self.project, environment, spec.name):  # an `images:` override among them?
            from pytemplar.shadowing import rendered_images

            images = rendered_images(manifests, self.project, environment, spec.name)  # before it replaces any
        manifests = _transformed(
            manifests,
            self.project,
            release=spec.name,
            environment=environment,
            namespace=spec.namespace or env.namespace,
            warnings=self.warnings,
        )
        if isinstance(release_values.values.get(ROLLOUT_KEY), dict):
            from pytemplar.strategy import apply_rollout, read_rollout  # only releases with a strategy need it

            manifests = apply_rollout(manifests, read_rollout(release_values.values, release_values.origin))
        if self.schema_checked():
            version = self.target_version(environment, spec.name)
            self.schema_problems.extend(self.kube_schema_problems({version: manifests}, release_values, notes=False))
            manifests = [_forgetting_origins(manifest) for manifest in manifests]
        self.warnings.extend(release_values.warnings)
        if images:
            from pytemplar.shadowing import shadowed_tags

            values, origin = release_values.values, release_values.origin
            self.shadowed.extend(shadowed_tags(self.project, environment, spec.name, images, values, origin))
        self.unused.record(
            release_values.layers,
            release_values.values,
            log,
            engine.app.schema,
            release=spec.name,
            environment=environment,
        )
        return manifests

    def _context(
        self, environment: str, spec: ReleaseSpec, engine: TemplateEngine, release_values: ReleaseValues, log: ReadLog
    ) -> dict[str, Any]:
        """What the templates of a release see."""
        env = self.project.environments[environment]
        return template_context(
            release_values.values,
            release=spec.rendered_name,
            namespace=spec.namespace or env.namespace,
            environment=environment,
            app=engine.app,
            kube_version=self.declared_version(environment, spec.name),
            log=log,
            absent=AbsentKeys(
                removed_keys(release_values.layers, release_values.values),
                engine.app.schema.names if engine.app.schema is not None else None,
            ),
        )

    def field_origins(self, environment: str, release: str) -> dict[tuple[str, int], RenderedOrigins]:
        """Where each field of each object of a release was written, by (template, document index
        in its file): the release rendered again with positions kept, for messages about its objects."""
        found = self._field_origins.get((environment, release))
        if found is None:
            spec = next(spec for spec in self.project.releases_in(environment) if spec.name == release)
            release_values = self.values(environment, spec)
            engine = self.engine(spec)
            files = engine.render(self._context(environment, spec, engine, release_values, ReadLog()))
            found = self._field_origins[environment, release] = document_origins(files)
        return found

    def render_chart_release(self, environment: str, spec: ReleaseSpec) -> list[Manifest]:
        """A release of a third-party Helm chart: helm renders, pytemplar does the rest."""
        from pytemplar.helm.charts import check_digest, render_chart, set_namespace

        assert spec.helm_chart is not None
        release_values = self.values(environment, spec)
        namespace = spec.namespace or self.project.environments[environment].namespace
        expected, pinned_at = spec.helm_chart
        check_digest(spec.app_path, expected, pinned_at, spec.app_ref)
        rendered = render_chart(
            spec.app_path,
            shown=spec.app_ref,
            release=spec.rendered_name,
            namespace=namespace,
            values=release_values.values,
            kube_version=self.target_version(environment, spec.name),
            at=spec.app_location,
        )
        manifests = parse_rendered(rendered, spec.name, environment)
        set_namespace([manifest.obj for manifest in manifests], namespace)
        manifests = _transformed(
            manifests, self.project, release=spec.name, environment=environment, namespace=namespace
        )
        if isinstance(release_values.values.get(ROLLOUT_KEY), dict):
            from pytemplar.strategy import apply_rollout, read_rollout

            manifests = apply_rollout(manifests, read_rollout(release_values.values, release_values.origin))
        if self.options.kube_schema:
            version = self.target_version(environment, spec.name)
            self.schema_problems.extend(self.kube_schema_problems({version: manifests}, release_values, notes=False))
        return manifests

    def check(self, manifests: Sequence[Manifest], earlier: CheckedEarlier | None = None) -> list[Problem]:
        """The manifest checks, with APIs judged against each release's target Kubernetes version;
        ``earlier``: what :meth:`check_objects` found in the first objects (see check_manifests)."""
        versions: dict[tuple[str, str], str] = {}  # looked up once per release, not once per object

        def version_of(manifest: Manifest) -> str:
            key = (manifest.environment, manifest.release)
            if key not in versions:
                versions[key] = self.target_version(*key)
            return versions[key]

        problems = check_manifests(manifests, self.selection(), version_of, earlier)
        if self.schema_checked():
            # Each release's objects were checked as it was rendered; what is left are the notes
            # about versions and the objects the run made itself (Namespaces).
            by_version: dict[str, list[Manifest]] = {}
            for manifest in manifests:
                by_version.setdefault(version_of(manifest), []).append(manifest)
            made = {
                version: [manifest for manifest in mine if not manifest.release] for version, mine in by_version.items()
            }
            problems.extend(self.kube_schema_problems(made, None, notes=True))
            problems.extend(without_skipped(self.schema_problems, manifests))
        return problems

    def schema_checked(self) -> bool:
        """Whether objects are checked against the Kubernetes schemas (rule kube-schema)."""
        return self.options.kube_schema and "kube-schema" in self.selection()

    def target_version(self, environment: str, release: str) -> str:
        """The Kubernetes minor version a release is checked against: as declared, or the default."""
        return self.declared_version(environment, release) or DEFAULT_KUBE_VERSION

    def declared_version(self, environment: str, release: str) -> str | None:
        """The Kubernetes version asked for: --kube-version, else the environment's, project's or app's."""
        if self.options.kube_version:
            return self.options.kube_version
        spec = self.project.releases.get(release)
        app_version = self.app(spec).kube_version if spec is not None and spec.helm_chart is None else None
        return self.project.environments[environment].kube_version or self.project.kube_version or app_version

    def kube_schema_problems(
        self, by_version: dict[str, list[Manifest]], values: ReleaseValues | None, *, notes: bool
    ) -> list[Problem]:
        """The objects against the Kubernetes schemas of their versions; ``values`` are those
        they were rendered from (for the messages), ``notes`` adds one per version not bundled."""
        from pytemplar import kubeschema  # the schemas load only when validation runs

        if not self._crds:
            self._crds.append(self.custom_resources())
        problems: list[Problem] = []
        for version, mine in by_version.items():
            bundled = kubeschema.nearest_bundled(version)
            if notes and bundled != version:
                problems.append(kubeschema.version_note(version, bundled, Location(self.project.config_path)))
            if bundled not in self._schema_sets:
                self._schema_sets[bundled] = kubeschema.schema_set(bundled, self._crds[0])
            problems.extend(
                kubeschema.check_manifest_schemas(
                    mine, self._schema_sets[bundled], lambda m, f, v: self.origin(m, f, v, values)
                )
            )
        return problems

    def origin(self, manifest: Manifest, field: ValuePath, value: Any, values: ReleaseValues | None) -> str | None:
        """Where the value of a rendered field was set, when its template places one values path there."""
        spec = self.project.releases.get(manifest.release)
        if values is None or spec is None or spec.helm_chart is not None:  # a chart's templates are Helm's
            return None
        from pytemplar.provenance import value_source

        path = value_source(manifest, field, value, values.values)
        where = values.origin(path) if path is not None else None
        return f"the value is {format_path(path)}, set at {where}" if path and where else None

    def _project_setting(self, key: str) -> tuple[list[str], Location]:
        """A list of names under ``key`` in pytemplar.yaml (checked by its schema) and where it is."""
        if self.project.document is None:  # an app rendered alone
            return [], Location(self.project.config_path)
        document = self.workspace.yaml_mapping(self.project.root, PROJECT_FILE, PROJECT_FILE)
        value = document.data.get(key) or []
        return ([value] if isinstance(value, str) else list(value)), document.location_of((key,))

    def custom_resources(self) -> CompactSchemas | None:
        """The CRDs of ``--crds`` folders and of ``crds:`` in pytemplar.yaml (inside the project)."""
        from pytemplar.crds import load_crd_folders

        listed, _ = self._project_setting("crds")
        folders = [str(path) for path in self.options.crds]
        folders.extend(str(self.project.root.resolve(relative)) for relative in listed)
        return load_crd_folders(folders, self.warnings) if folders else None

    def check_objects(self, manifests: Sequence[Manifest]) -> dict[str, list[Problem]] | None:
        """What the checks of one object at a time find in a release's objects, as it is rendered
        (None when the run's checks cannot be read: :meth:`check` then says why)."""
        try:
            selection = self.selection()
        except PytemplarError:
            return None
        return check_objects(manifests, selection)

    def selection(self) -> Selection:
        """The checks of this run: the defaults, ``checks:`` and ``--check`` on, ``skipChecks:`` and
        ``--skip-check`` off; the command line wins over pytemplar.yaml."""
        if self._selection is None:
            enable, _ = self._project_setting("checks")
            disable, _ = self._project_setting("skipChecks")
            on = {*enable, *self.options.checks} - set(self.options.skip_checks)
            off = {*disable, *self.options.skip_checks} - set(self.options.checks)
            self._selection = Selection.of(on, off)
        return self._selection

    def namespaces(self, manifests: Sequence[Manifest]) -> list[Manifest]:
        """Namespace objects for environments that ask for them (``createNamespace``)."""
        if not self.options.namespace_objects:
            return []
        # An invalid namespace is reported on the object that names it, not on a Namespace made for it.
        wanted = sorted(pair for pair in {(m.environment, m.namespace) for m in manifests} if valid_namespace(pair[1]))
        created: list[Manifest] = []
        for environment, namespace in wanted:
            if not self.project.environments[environment].create_namespace:
                continue
            obj = {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": namespace,
                    "labels": {"app.kubernetes.io/managed-by": "pytemplar", "environment": environment},
                },
            }
            location = Location(self.project.config_path)
            created.append(Manifest(obj, "", environment, PROJECT_FILE, location))
        return created


def _check_values_files(files: Sequence[Path]) -> None:
    """A ``-f`` file that is not there is a usage error, as a missing ``--set-file`` file is."""
    for path in files:
        if not os.path.lexists(path):
            raise UsageError(f"-f: file '{path}' not found", hint="check the path; it is read from the current folder")


def _read_set_file(name: str) -> str:
    """The text of a ``--set-file`` file, read through the same confined reader as values files."""
    from pytemplar.fsroot import Root

    path = Path(name)
    try:
        return Root.at(path.parent if str(path.parent) else Path(".")).read_text(path.name)
    except PytemplarError as exc:
        reason = exc.problems[0].message.replace(f"'{path.name}'", f"'{name}'")
        raise UsageError(f"--set-file: {reason}", hint=exc.problems[0].hint) from None


def render_options(
    project: str | Path,
    environments: Sequence[str],
    releases: Sequence[str],
    values_files: Sequence[str | Path],
    set_arguments: Sequence[tuple[SetKind, str]] = (),
    *,
    kube_version: str | None = None,
    kube_schema: bool = False,
    crds: Sequence[str | Path] = (),
    checks: Sequence[str] = (),
    skip_checks: Sequence[str] = (),
    release_name: str | None = None,
    namespace: str | None = None,
    namespace_objects: bool = True,
) -> RenderOptions:
    # Naming an environment or release twice means it once.
    return RenderOptions(
        Path(project),
        tuple(dict.fromkeys(environments)),
        tuple(dict.fromkeys(releases)),
        tuple(Path(f) for f in values_files),
        tuple(set_arguments),
        _kube_version_option(kube_version),
        kube_schema,
        tuple(Path(f) for f in crds),
        parse_ids(checks, "--check"),
        parse_ids(skip_checks, "--skip-check"),
        release_name,
        namespace,
        namespace_objects,
    )


def _kube_version_option(version: str | None) -> str | None:
    if version is None:
        return None
    from pytemplar.kubeschema import require_bundled

    return require_bundled(version)


def expected_types(schema: CompiledSchema | None) -> Callable[[ValuePath], set[str]]:
    """The JSON types a value path may hold: the rollout key by pytemplar's schema, the rest by the app's."""

    def types(path: ValuePath) -> set[str]:
        if path[:1] == (ROLLOUT_KEY,):
            # read on first use: values without a rollout key never need the schema (0.3 ms)
            return builtin_schema("rollout.schema.json").expected_types(path[1:])
        return schema.expected_types(path) if schema is not None else set()

    return types


def _transformed(
    manifests: list[Manifest],
    project: Project,
    *,
    release: str,
    environment: str,
    namespace: str,
    warnings: list[Problem] | None = None,
) -> list[Manifest]:
    """The release's manifests after the transforms pytemplar.yaml declares for it. The transforms
    load only for a release that declares some, or that has a binding whose subjects need a namespace."""
    if not declares_transforms(project, environment, release) and all(
        manifest.obj.get("kind") not in BINDING_KINDS for manifest in manifests
    ):
        return manifests
    from pytemplar.transforms import transform_release

    return transform_release(
        manifests, project, release=release, environment=environment, namespace=namespace, warnings=warnings
    )


def _forgetting_origins(manifest: Manifest) -> Manifest:
    """``manifest`` without the positions of its fields, which a message can find again."""
    origins = manifest.origins
    return replace(manifest, origins=origins.forgotten() if isinstance(origins, ReleaseOrigins) else None)


def _deletion_of(layers: Sequence[ValuesLayer], path: ValuePath) -> Location | None:
    from pytemplar.hints import deletion_of  # asked only to explain a missing value

    return deletion_of(layers, path)
