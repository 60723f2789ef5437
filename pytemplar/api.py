"""The library API: every command is one call here, and the CLI only formats the result.

A render runs the pipeline once per environment x release:

    load layers -> merge -> validate values -> render -> parse
then, over everything rendered:
    check -> sort

Files and compiled templates are shared across releases through one :class:`Workspace`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pytemplar.checks import check_manifests, selected_checks
from pytemplar.crds import CompactSchemas
from pytemplar.diffing import DiffResult, diff_manifests
from pytemplar.engine import ReadLog, TemplateEngine, template_context
from pytemplar.errors import (
    ConfigError,
    Location,
    ManifestError,
    Problem,
    PytemplarError,
    Severity,
    UsageError,
    ValuesError,
    display_path,
    escape_control,
)
from pytemplar.manifests import Manifest, parse_rendered
from pytemplar.ordering import sort_manifests
from pytemplar.overlay import (
    DELETE,
    describe_change,
    edit_text,
    line_of,
    read_overlay,
    unified_diff,
    write_overlay,
)
from pytemplar.policies import DEFAULT_KUBE_VERSION, check_removed_apis, valid_namespace
from pytemplar.project import (
    PROJECT_FILE,
    App,
    Project,
    ReleaseSpec,
    Workspace,
    builtin_schema,
    load_project,
    release_env_files,
)
from pytemplar.rollout import ROLLOUT_KEY, apply_rollout, read_rollout
from pytemplar.rolloutplan import REMOVE, Action, Change, Status
from pytemplar.rolloutplan import plan as plan_rollout
from pytemplar.rolloutplan import status as rollout_report
from pytemplar.schema import CompiledSchema
from pytemplar.setargs import SetKind, format_path_argument, parse_set_argument, set_layer
from pytemplar.transforms import apply_transforms, release_transforms
from pytemplar.usage import UnusedValues, invisible_characters
from pytemplar.values import (
    ListKeys,
    Origin,
    ValuePath,
    ValuesLayer,
    keep_source_text,
    key_origin_of,
    mask_secrets,
    merge_layers,
    origin_of,
    origins_of,
)


@dataclass(frozen=True)
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
    checks: tuple[str, ...] = ()  # opt-in policy checks, besides checks: in pytemplar.yaml


@dataclass
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


@dataclass
class RenderResult:
    manifests: list[Manifest]
    releases: list[tuple[str, str]]  # (environment, release) pairs rendered
    warnings: list[Problem] = field(default_factory=list)


class _Session:
    """One run over a project: loads each file and compiles each app once."""

    def __init__(self, options: RenderOptions) -> None:
        self.options = options
        self.workspace = Workspace()
        self.project: Project = load_project(options.project, self.workspace)
        self.set_layer = self._set_layer(options.set_arguments)
        self.engines: dict[Path, TemplateEngine] = {}
        self.unused = UnusedValues()
        self.warnings: list[Problem] = []

    def all_warnings(self, unused_severity: Severity) -> list[Problem]:
        """Warnings of every release rendered so far, each once, and the unused values."""
        unique = {(p.message, p.location): p for p in self.warnings}
        return [*unique.values(), *self.unused.problems(unused_severity)]

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
        app = self.app(spec)
        root = project.root
        layers = [app.defaults, project.values]
        for relative, listed in project.environments[environment].values_files:
            layers.append(self.workspace.values_layer(root, relative, "environment", listed))
        for relative, listed in spec.values_files:
            layers.append(self.workspace.values_layer(root, relative, "release", listed))
        for relative, listed in release_env_files(project, spec, environment):
            layers.append(self.workspace.values_layer(root, relative, "release-environment", listed))
        for extra in self.options.values_files:
            layers.append(self._extra_layer(extra))
        if self.set_layer is not None:
            layers.append(self.set_layer)
        return layers

    @staticmethod
    def _set_layer(arguments: Sequence[tuple[SetKind, str]]) -> ValuesLayer | None:
        if not arguments:
            return None
        parsed = []
        for number, (kind, text) in enumerate(arguments, 1):
            parsed.extend(parse_set_argument(text, kind, number, _read_set_file))
        return set_layer(parsed)

    def _extra_layer(self, path: Path) -> ValuesLayer:
        from pytemplar.fsroot import Root

        folder = Root.at(path.parent if str(path.parent) else Path("."))
        return self.workspace.values_layer(folder, path.name, "file", None)

    def values(self, environment: str, spec: ReleaseSpec) -> ReleaseValues:
        layers = self.layers(environment, spec)
        app = self.app(spec)
        schema = app.schema
        list_keys = schema.list_keys if schema is not None else None
        merged = merge_layers(layers, list_keys)
        warnings: list[Problem] = []
        if schema is not None:
            warnings = [
                kept.warning(release=spec.name, environment=environment)
                for kept in keep_source_text(merged, layers, expected_types(schema), list_keys)
            ]
            # The rollout strategy is pytemplar's key: its own schema checks it, below.
            own = {key: value for key, value in merged.items() if key != ROLLOUT_KEY}
            problems = schema.validate(
                own,
                lambda path: origin_of(layers, path, merged, list_keys),
                locate_key=lambda path: key_origin_of(layers, path, merged, list_keys),
            )
            if problems:
                raise ValuesError.collect(problems)
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

    def engine(self, spec: ReleaseSpec) -> TemplateEngine:
        app = self.app(spec)
        key = app.root.path
        engine = self.engines.get(key)
        if engine is None:
            engine = TemplateEngine(app)
            engine.compile_all()
            self.engines[key] = engine
        return engine

    def render_release(self, environment: str, spec: ReleaseSpec) -> list[Manifest]:
        release_values = self.values(environment, spec)
        engine = self.engine(spec)
        env = self.project.environments[environment]
        log = ReadLog()
        context = template_context(
            release_values.values,
            release=spec.name,
            namespace=spec.namespace or env.namespace,
            environment=environment,
            app=engine.app,
            kube_version=self.declared_version(environment, spec.name),
            log=log,
        )
        manifests = parse_rendered(engine.render(context), spec.name, environment)
        manifests = apply_transforms(
            manifests,
            release_transforms(self.project, environment, spec.name),
            release=spec.name,
            environment=environment,
            namespace=spec.namespace or env.namespace,
        )
        manifests = apply_rollout(manifests, read_rollout(release_values.values, release_values.origin))
        self.warnings.extend(release_values.warnings)
        self.unused.record(
            release_values.layers,
            release_values.values,
            log,
            engine.app.schema,
            release=spec.name,
            environment=environment,
        )
        return manifests

    def check(self, manifests: Sequence[Manifest]) -> list[Problem]:
        """The manifest checks, with APIs judged against each release's target Kubernetes version."""
        problems = check_manifests(manifests, selected_checks(self.opt_in_checks()))
        by_version: dict[str, list[Manifest]] = {}
        for manifest in manifests:
            by_version.setdefault(self.target_version(manifest.environment, manifest.release), []).append(manifest)
        for version, mine in by_version.items():
            problems.extend(check_removed_apis(mine, version))
        if self.options.kube_schema:
            problems.extend(self.kube_schema_problems(by_version))
        return problems

    def target_version(self, environment: str, release: str) -> str:
        """The Kubernetes minor version a release is checked against: as declared, or the default."""
        return self.declared_version(environment, release) or DEFAULT_KUBE_VERSION

    def declared_version(self, environment: str, release: str) -> str | None:
        """The Kubernetes version asked for: --kube-version, else the environment's, project's or app's."""
        if self.options.kube_version:
            return self.options.kube_version
        spec = self.project.releases.get(release)
        app_version = self.app(spec).kube_version if spec is not None else None
        return self.project.environments[environment].kube_version or self.project.kube_version or app_version

    def kube_schema_problems(self, by_version: dict[str, list[Manifest]]) -> list[Problem]:
        from pytemplar import kubeschema  # the schemas load only when validation runs

        crds = self.custom_resources()
        problems: list[Problem] = []
        for version, mine in by_version.items():
            bundled = kubeschema.nearest_bundled(version)
            if bundled != version:
                problems.append(kubeschema.version_note(version, bundled, Location(self.project.config_path)))
            problems.extend(kubeschema.check_manifest_schemas(mine, kubeschema.schema_set(bundled, crds)))
        return problems

    def _project_setting(self, key: str) -> tuple[list[str], Location]:
        """A list of names under ``key`` in pytemplar.yaml (checked by its schema) and where it is."""
        document = self.workspace.yaml_mapping(self.project.root, PROJECT_FILE, PROJECT_FILE)
        value = document.data.get(key) or []
        return ([value] if isinstance(value, str) else list(value)), document.location_of((key,))

    def custom_resources(self) -> CompactSchemas | None:
        """The CRDs of ``--crds`` folders and of ``crds:`` in pytemplar.yaml (inside the project)."""
        from pytemplar.crds import load_crd_folders

        listed, _ = self._project_setting("crds")
        folders = [str(path) for path in self.options.crds]
        folders.extend(str(self.project.root.resolve(relative)) for relative in listed)
        return load_crd_folders(folders) if folders else None

    def opt_in_checks(self) -> list[str]:
        listed, _ = self._project_setting("checks")
        return list(dict.fromkeys([*listed, *self.options.checks]))

    def namespaces(self, manifests: Sequence[Manifest]) -> list[Manifest]:
        """Namespace objects for environments that ask for them (``createNamespace``)."""
        # An invalid namespace is reported on the object that names it, not on a Namespace made for it.
        wanted = sorted({(m.environment, m.namespace) for m in manifests if valid_namespace(m.namespace)})
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


def _read_set_file(name: str) -> str:
    """The text of a ``--set-file`` file, read through the same confined reader as values files."""
    from pytemplar.fsroot import Root

    path = Path(name)
    try:
        return Root.at(path.parent if str(path.parent) else Path(".")).read_text(path.name)
    except PytemplarError as exc:
        reason = exc.problems[0].message.replace(f"'{path.name}'", f"'{name}'")
        raise UsageError(f"--set-file: {reason}", hint=exc.problems[0].hint) from None


def _options(
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
        _check_names(checks),
    )


def _kube_version_option(version: str | None) -> str | None:
    if version is None:
        return None
    from pytemplar.kubeschema import require_bundled

    return require_bundled(version)


def _check_names(names: Sequence[str]) -> tuple[str, ...]:
    """Opt-in check ids, given one per item or comma-separated; unknown ones are a usage error."""
    from pytemplar.policies import OPT_IN_CHECKS

    wanted = [name.strip() for item in names for name in item.split(",") if name.strip()]
    for name in wanted:
        if name not in OPT_IN_CHECKS:
            raise UsageError(f"unknown check '{name}'", hint=f"opt-in checks: {', '.join(OPT_IN_CHECKS)}")
    return tuple(dict.fromkeys(wanted))


def render(
    project: str | Path,
    environments: Sequence[str] = (),
    releases: Sequence[str] = (),
    values_files: Sequence[str | Path] = (),
    set_arguments: Sequence[tuple[SetKind, str]] = (),
    *,
    kube_version: str | None = None,
    kube_schema: bool = False,
    crds: Sequence[str | Path] = (),
    checks: Sequence[str] = (),
) -> RenderResult:
    """Render releases of a project; raises :class:`PytemplarError` on the first failing release.

    ``kube_version`` overrides every environment's target Kubernetes version; ``kube_schema=True``
    validates every object against the Kubernetes API schemas of that version (``validate`` does by
    default); ``crds`` are folders of CRDs or JSON Schemas for custom resources; ``checks`` names
    opt-in policy checks (``image-pinned``, ``resources-set``).
    """
    options = _options(
        project,
        environments,
        releases,
        values_files,
        set_arguments,
        kube_version=kube_version,
        kube_schema=kube_schema,
        crds=crds,
        checks=checks,
    )
    return render_with(options)


def render_with(options: RenderOptions) -> RenderResult:
    session = _Session(options)
    manifests: list[Manifest] = []
    rendered: list[tuple[str, str]] = []
    for environment, spec in session.targets():
        try:
            manifests.extend(session.render_release(environment, spec))
        except PytemplarError as exc:
            raise exc.scoped(release=spec.name, environment=environment) from None
        rendered.append((environment, spec.name))
    manifests.extend(session.namespaces(manifests))
    problems = session.check(manifests)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ManifestError.collect(errors)
    notes = [p for p in problems if p.severity == "warning"]
    warnings = sorted([*session.all_warnings("warning"), *notes], key=Problem.sort_key)
    return RenderResult(sort_manifests(manifests, list(session.project.environments)), rendered, warnings)


@dataclass
class ValidationResult:
    problems: list[Problem]
    releases: list[tuple[str, str]]

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def validate(
    project: str | Path,
    environments: Sequence[str] = (),
    releases: Sequence[str] = (),
    values_files: Sequence[str | Path] = (),
    set_arguments: Sequence[tuple[SetKind, str]] = (),
    *,
    kube_version: str | None = None,
    kube_schema: bool = True,
    crds: Sequence[str | Path] = (),
    checks: Sequence[str] = (),
) -> ValidationResult:
    """Values, render and manifest checks for every environment x release; all problems.

    The keyword options are those of :func:`render`; here ``kube_schema`` is on unless turned off.
    """
    options = _options(
        project,
        environments,
        releases,
        values_files,
        set_arguments,
        kube_version=kube_version,
        kube_schema=kube_schema,
        crds=crds,
        checks=checks,
    )
    try:
        session = _Session(options)
        targets = session.targets()
    except PytemplarError as exc:
        if isinstance(exc, UsageError):
            raise
        return ValidationResult(exc.problems, [])
    problems: list[Problem] = []
    manifests: list[Manifest] = []
    seen: set[Problem] = set()
    for environment, spec in targets:
        try:
            schema = session.app(spec).schema
            if schema is not None:
                schema.check()  # the CI gate checks the schema itself, not only the values
            manifests.extend(session.render_release(environment, spec))
        except PytemplarError as exc:
            for problem in exc.scoped(release=spec.name, environment=environment).problems:
                # A broken shared file fails every release that reads it: report it once.
                unscoped = Problem(problem.message, problem.location, problem.hint)
                if unscoped not in seen:
                    seen.add(unscoped)
                    problems.append(problem)
    manifests.extend(session.namespaces(manifests))
    problems.extend(session.check(manifests))
    problems.extend(session.all_warnings("error"))
    return ValidationResult(sorted(problems, key=Problem.sort_key), [(e, s.name) for e, s in targets])


def release_values(
    project: str | Path,
    environment: str,
    release: str,
    values_files: Sequence[str | Path] = (),
    set_arguments: Sequence[tuple[SetKind, str]] = (),
) -> ReleaseValues:
    """The merged, validated values of one release in one environment, with their layers.

    ``set_arguments`` are ``(kind, text)`` pairs such as ``("set", "image.tag=1.2")``.
    """
    options = _options(project, (environment,), (release,), values_files, set_arguments)
    session = _Session(options)
    targets = session.targets()
    environment_name, spec = targets[0]
    try:
        return session.values(environment_name, spec)
    except PytemplarError as exc:
        raise exc.scoped(release=spec.name, environment=environment_name) from None


@dataclass
class DiffReport:
    """Two renders compared: the differences, what each side was, and the renders' warnings."""

    result: DiffResult
    old_label: str
    new_label: str
    warnings: list[Problem] = field(default_factory=list)


def diff(
    project: str | Path,
    environments: Sequence[str] = (),
    against: str | None = None,
    releases: Sequence[str] = (),
    values_files: Sequence[str | Path] = (),
    set_arguments: Sequence[tuple[SetKind, str]] = (),
) -> DiffReport:
    """Compare two renders: environment A with B, or (``against``) the project with itself at a git revision.

    ``-f`` files and ``--set`` arguments apply to both sides. Across environments, objects are
    matched by release, kind and name; against a revision, by kind, namespace and name.
    """
    if against is None:
        wanted = list(dict.fromkeys(environments))
        if len(wanted) != 2:
            raise UsageError(
                "diff compares two environments (-e A -e B) or one project with a git revision (--against REF)",
                hint="for example: pytemplar diff -e staging -e prod, or pytemplar diff -e prod --against main",
            )
        old = _render_side(wanted[0], _options(project, wanted[:1], releases, values_files, set_arguments))
        new = _render_side(wanted[1], _options(project, wanted[1:], releases, values_files, set_arguments))
        result = diff_manifests(old.manifests, new.manifests, "release")
        return DiffReport(result, wanted[0], wanted[1], _unique([*old.warnings, *new.warnings]))
    new = _render_side("working tree", _options(project, environments, releases, values_files, set_arguments))
    old_manifests, notes = _render_revision(Path(project), against, environments, releases, values_files, set_arguments)
    result = diff_manifests(old_manifests, new.manifests, "object")
    return DiffReport(result, against, "working tree", _unique([*notes, *new.warnings]))


def _render_side(label: str, options: RenderOptions) -> RenderResult:
    """One side of a diff; its errors say which side they come from."""
    try:
        return render_with(options)
    except PytemplarError as exc:
        raise _side_error(label, exc) from None


def _render_revision(
    project: Path,
    revision: str,
    environments: Sequence[str],
    releases: Sequence[str],
    values_files: Sequence[str | Path],
    set_arguments: Sequence[tuple[SetKind, str]],
) -> tuple[list[Manifest], list[Problem]]:
    """The project's manifests at ``revision`` (none, with a note, where the project did not exist yet)."""
    from pytemplar.errors import display_path
    from pytemplar.gitrev import checkout, relabel

    with checkout(project, revision) as tree:
        if not tree.exists:
            note = f"there is no project at {display_path(project)} in {revision}: every object counts as added"
            return [], [Problem(note, severity="warning")]
        options = _options(tree.project, environments, releases, values_files, set_arguments)
        try:
            return render_with(options).manifests, []
        except PytemplarError as exc:
            exc.problems = relabel(exc.problems, tree)
            raise _side_error(revision, exc) from None


def _side_error(label: str, exc: PytemplarError) -> PytemplarError:
    """The same error, each message starting with the side it comes from: ``(origin/main) …``."""
    exc.problems = [replace(p, message=f"({label}) {p.message}") for p in exc.problems]
    return exc


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(dict.fromkeys(problems), key=Problem.sort_key)


# -- rollout ---------------------------------------------------------------------------------------------


def _rollout_of(session: _Session, environment: str, release: str) -> tuple[ReleaseSpec, ReleaseValues]:
    environment_name, spec = session.targets()[0]
    try:
        return spec, session.values(environment_name, spec)
    except PytemplarError as exc:
        raise exc.scoped(release=spec.name, environment=environment_name) from None


def rollout_status(project: str | Path, environment: str, release: str) -> Status:
    """How one release rolls out in one environment, as rendered: its Deployments, images and Services."""
    session = _Session(_options(project, (environment,), (release,), ()))
    spec, values = _rollout_of(session, environment, release)
    try:
        manifests = session.render_release(environment, spec)
    except PytemplarError as exc:
        raise exc.scoped(release=spec.name, environment=environment) from None
    autoscalers = [m for m in manifests if m.kind == "HorizontalPodAutoscaler"]

    def autoscaled(deployment: Manifest) -> bool:
        return any(
            (m.obj.get("spec") or {}).get("scaleTargetRef", {}).get("name") == deployment.name for m in autoscalers
        )

    return rollout_report(read_rollout(values.values, values.origin), manifests, release, environment, autoscaled)


def rollout(
    project: str | Path,
    environment: str,
    release: str,
    action: Action,
    weight: int | None = None,
    *,
    dry_run: bool = False,
) -> tuple[list[Change], EditResult | None]:
    """Promote, re-weigh or abort a release's rollout by editing its release x environment overlay.

    Returns the planned changes and the edit (None when there was nothing to change).
    """
    session = _Session(_options(project, (environment,), (release,), ()))
    _, values = _rollout_of(session, environment, release)
    strategy = read_rollout(values.values, values.origin)
    if strategy is None:
        raise UsageError(
            f"release '{release}' has no rollout strategy in environment '{environment}'",
            hint=f"choose one first: pytemplar set -e {environment} -r {release} rollout.strategy=Canary",
        )
    changes = plan_rollout(action, strategy, values.values, release, weight)
    if not changes:
        return changes, None
    edits = [(c.path, _removal(values, c.path) if c.value is REMOVE else c.value) for c in changes]
    return changes, edit_values(project, environment, release, edits, dry_run=dry_run)


def _removal(values: ReleaseValues, path: ValuePath) -> Any:
    """Remove the key from the overlay, or null it there when a lower layer sets it too."""
    from pytemplar.overlay import DELETE

    lower = [o for o in values.origins(path) if o.layer.kind != "release-environment"]
    return None if lower else DELETE


# -- editing overlays in place (pytemplar set, pytemplar rollout) -------------------------------------


@dataclass
class EditResult:
    """An edit of one release x environment overlay file.

    ``changes`` holds ``(path, line, old, new)`` per change asked for, in order: ``old`` is
    ``overlay.MISSING`` when the key was not in the file, ``new`` is ``overlay.DELETE`` for a
    removal, and ``line`` the key's line (0 when there was nothing to remove).
    """

    path: Path  # the overlay file, as named in the project
    created: bool  # the file did not exist and the edit creates it
    changes: list[tuple[ValuePath, int, Any, Any]]
    before: str
    after: str
    warnings: list[Problem] = field(default_factory=list)
    written: bool = False

    def describe(self) -> list[str]:
        """One line per change, ``envs/prod/a.yaml:4: image.tag: 1.4.2 -> 1.5.0``, control
        characters escaped; ``(new file)`` first when the edit creates the file."""
        where = Location(str(self.path))
        lines = [f"{where}: (new file)"] if self.created else []
        for path, line, old, new in self.changes:
            lines.append(f"{Location(str(self.path), line or None)}: {describe_change(path, old, new)}")
        if self.before == self.after:
            lines.append(f"{where}: nothing to change")
        return [escape_control(line) for line in lines]

    def diff(self) -> str:
        """The edit as a unified diff (``--- a/FILE`` / ``+++ b/FILE``, the names as shown to users)."""
        return unified_diff(self.before, self.after, display_path(self.path), created=self.created)


class _EditSession(_Session):
    """A session that reads one overlay from edited text instead of from the disk."""

    edited: tuple[str, ValuesLayer] | None = None

    def use_text(self, path: Path, text: str) -> None:
        from pytemplar.yamlio import load_mapping

        document = load_mapping(text, str(path), what="a values file")
        layer = ValuesLayer(
            "release-environment",
            document.path,
            document.data,
            document.locations,
            document.key_locations,
            document.raw_texts,
        )
        self.edited = (str(path), layer)

    def layers(self, environment: str, spec: ReleaseSpec) -> list[ValuesLayer]:
        layers = super().layers(environment, spec)
        if self.edited is None:
            return layers
        source, edited = self.edited
        replaced = [edited if (x.kind, x.source) == ("release-environment", source) else x for x in layers]
        if not any(x is edited for x in replaced):  # a new file: the top layer (no -f or --set here)
            replaced.append(edited)
        return replaced


def edit_values(
    project: str | Path,
    environment: str,
    release: str,
    changes: Sequence[tuple[ValuePath, Any]],
    *,
    dry_run: bool = False,
    raw_texts: Mapping[ValuePath, str] | None = None,
) -> EditResult:
    """Set (or, with ``overlay.DELETE``, remove) values in a release's overlay for one environment.

    The file is the one pytemplar.yaml lists for the release and environment (of several, the
    last that sets one of the paths, else the last), or ``envs/<env>/<release>.yaml``, created if
    missing. Comments, order and style of everything else are kept. The edited values must pass
    the release's validation, else nothing is written; ``dry_run`` never writes.
    ``raw_texts`` maps a path to the text a number or boolean was typed as (``--set``): where the
    app's schema wants a string there, that text is written, quoted.
    """
    session = _EditSession(_options(project, (environment,), (release,), ()))
    environment_name, spec = session.targets()[0]
    try:
        return _edit(session, environment_name, spec, changes, dry_run, raw_texts or {})
    except PytemplarError as exc:
        raise exc.scoped(release=spec.name, environment=environment_name) from None


def _edit(
    session: _EditSession,
    environment: str,
    spec: ReleaseSpec,
    changes: Sequence[tuple[ValuePath, Any]],
    dry_run: bool,
    raw_texts: Mapping[ValuePath, str],
) -> EditResult:
    relative = _overlay_for(session, environment, spec, [path for path, _ in changes])
    overlay = read_overlay(session.project.root, relative)
    schema = session.app(spec).schema
    text = overlay.text
    records: list[tuple[ValuePath, int, Any, Any]] = []
    for path, asked in changes:
        value = _as_schema_text(path, asked, raw_texts, schema)
        edit = edit_text(text, path, value, str(overlay.path))
        records.append((path, edit.line, edit.old, value))
        text = edit.text
    if len(records) > 1:  # a later edit may have moved an earlier one's line
        records = [(p, n if v is DELETE else line_of(text, p, str(overlay.path)), o, v) for p, n, o, v in records]
    result = EditResult(overlay.path, overlay.created and text != overlay.text, records, overlay.text, text)
    if text == overlay.text:
        return result  # nothing to change: the file is left exactly as it is
    session.use_text(overlay.path, text)
    try:
        values = session.values(environment, spec)
        # Values that pass the schema can still break the release (a template's fail(), a rollout
        # without a route for its canary): the edit must leave a release that renders.
        rendered = session.render_release(environment, spec)
        broken = [p for p in session.check(rendered) if p.severity == "error"]
        if broken:
            raise ManifestError.collect(broken)
    except PytemplarError as exc:
        exc.problems = [replace(p, hint=_not_written(p.hint)) for p in exc.problems]
        raise
    result.warnings = [*values.warnings, *_undeclared(records, schema, overlay.path)]
    if not dry_run:
        write_overlay(overlay, text)
        result.written = True
    return result


def _overlay_for(session: _Session, environment: str, spec: ReleaseSpec, paths: Sequence[ValuePath]) -> str:
    """The overlay file an edit goes to (relative to the project)."""
    project = session.project
    listed = spec.environments.get(environment) if spec.environments is not None else None
    if listed is None:
        return f"envs/{environment}/{spec.name}.yaml"
    if not listed:
        raise ConfigError(
            f"release '{spec.name}' lists no values files for environment '{environment}'",
            location=Location(project.config_path),
            hint=f"add one under releases.{spec.name}.environments.{environment}.valuesFiles",
        )
    for relative, where in reversed(listed):  # the highest file that sets a path wins: edit it there
        layer = session.workspace.values_layer(project.root, relative, "release-environment", where)
        if any(path in layer.locations for path in paths):
            return relative
    return listed[-1][0]


def _as_schema_text(
    path: ValuePath, value: Any, raw_texts: Mapping[ValuePath, str], schema: CompiledSchema | None
) -> Any:
    """A number or boolean typed on the command line, as its text where the schema wants a string."""
    if isinstance(value, list):
        return [_as_schema_text((*path, index), item, raw_texts, schema) for index, item in enumerate(value)]
    raw = raw_texts.get(path)
    if raw is None or isinstance(value, str) or not isinstance(value, (bool, int, float)):
        return value
    return raw if expected_types(schema)(path) == {"string"} else value


def expected_types(schema: CompiledSchema | None) -> Callable[[ValuePath], set[str]]:
    """The JSON types a value path may hold: the rollout key by pytemplar's schema, the rest by the app's."""
    rollout_schema = builtin_schema("rollout.schema.json")

    def types(path: ValuePath) -> set[str]:
        if path[:1] == (ROLLOUT_KEY,):
            return rollout_schema.expected_types(path[1:])
        return schema.expected_types(path) if schema is not None else set()

    return types


def _undeclared(
    records: Sequence[tuple[ValuePath, int, Any, Any]], schema: CompiledSchema | None, file: Path
) -> list[Problem]:
    """Warnings for set keys the app's schema does not describe: most likely typos."""
    if schema is None:
        return []
    return [
        Problem(
            f"{format_path_argument(path)} is not described by the app's values schema",
            location=Location(str(file), line),
            hint="check the spelling: no template may read it",
            severity="warning",
        )
        for path, line, _, new in records
        if new is not DELETE and path[0] != ROLLOUT_KEY and not schema.declares(path)
    ]


def _not_written(hint: str | None) -> str:
    return f"{hint} (the file was not changed)" if hint else "the file was not changed"
