"""The library API: every command is one call here, and the CLI only formats the result.

A render runs the pipeline once per environment x release:

    load layers -> merge -> validate values -> render -> parse
then, over everything rendered:
    check -> sort

Files and compiled templates are shared across releases through one :class:`Workspace`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytemplar.checks import check_manifests
from pytemplar.engine import ReadLog, TemplateEngine, template_context
from pytemplar.errors import Location, ManifestError, Problem, PytemplarError, Severity, UsageError, ValuesError
from pytemplar.manifests import Manifest, parse_rendered
from pytemplar.ordering import sort_manifests
from pytemplar.policies import DEFAULT_KUBE_VERSION, check_removed_apis, valid_namespace
from pytemplar.project import (
    PROJECT_FILE,
    App,
    Project,
    ReleaseSpec,
    Workspace,
    load_project,
    release_env_files,
)
from pytemplar.setargs import SetKind, parse_set_argument, set_layer
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
                for kept in keep_source_text(merged, layers, schema.expected_types, list_keys)
            ]
            problems = schema.validate(
                merged,
                lambda path: origin_of(layers, path, merged, list_keys),
                locate_key=lambda path: key_origin_of(layers, path, merged, list_keys),
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
            kube_version=env.kube_version or self.project.kube_version or engine.app.kube_version,
            log=log,
        )
        manifests = parse_rendered(engine.render(context), spec.name, environment)
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
        """The manifest checks, with removed APIs judged against each environment's target version."""
        problems = check_manifests(manifests)
        for name, environment in self.project.environments.items():
            version = environment.kube_version or self.project.kube_version or DEFAULT_KUBE_VERSION
            mine = [m for m in manifests if m.environment == name]
            problems.extend(check_removed_apis(mine, version))
        return problems

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
) -> RenderOptions:
    # Naming an environment or release twice means it once.
    return RenderOptions(
        Path(project),
        tuple(dict.fromkeys(environments)),
        tuple(dict.fromkeys(releases)),
        tuple(Path(f) for f in values_files),
        tuple(set_arguments),
    )


def render(
    project: str | Path,
    environments: Sequence[str] = (),
    releases: Sequence[str] = (),
    values_files: Sequence[str | Path] = (),
    set_arguments: Sequence[tuple[SetKind, str]] = (),
) -> RenderResult:
    """Render releases of a project; raises :class:`PytemplarError` on the first failing release."""
    options = _options(project, environments, releases, values_files, set_arguments)
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
    if problems:
        raise ManifestError.collect(problems)
    warnings = sorted(session.all_warnings("warning"), key=Problem.sort_key)
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
) -> ValidationResult:
    """Values, render and manifest checks for every environment x release; all problems."""
    options = _options(project, environments, releases, values_files, set_arguments)
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
