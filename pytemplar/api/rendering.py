"""Rendering and validating releases, and the merged values of one release."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pytemplar.api.session import ReleaseValues, RenderOptions, RenderResult, Session, render_options
from pytemplar.checks import CHECK_IDS, CheckedEarlier
from pytemplar.errors import (
    ManifestError,
    Problem,
    PytemplarError,
    UsageError,
)
from pytemplar.manifests import Manifest, shared_strings
from pytemplar.ordering import declared_sort_options, sort_manifests
from pytemplar.project import ReleaseSpec
from pytemplar.records import field, record, replace
from pytemplar.yamlout import dump_yaml

if TYPE_CHECKING:
    from pytemplar.setargs import SetKind

Outcome = TypeVar("Outcome")
Progress = Callable[[int, int, str, str], None]
"""Told before each release is rendered: its position (from 1), how many there are, its environment and name."""


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
    skip_checks: Sequence[str] = (),
    progress: Progress | None = None,
    jobs: int = 1,
    release_name: str | None = None,
    namespace: str | None = None,
    namespace_objects: bool = True,
    yaml_text: bool = False,
) -> RenderResult:
    """Render releases of a project; raises :class:`PytemplarError` on the first failing release.

    ``kube_version`` overrides every environment's target Kubernetes version; ``kube_schema=True``
    validates every object against the Kubernetes API schemas of that version (``validate`` does by
    default); ``crds`` are folders of CRDs or JSON Schemas for custom resources; ``checks`` names
    checks to run besides the defaults and ``skip_checks`` checks not to run (ids of
    ``pytemplar.checks.CHECKS``); ``progress``, when given, is called
    before each release (see :data:`Progress`); ``jobs`` is how many processes may render (0: one
    per processor; more than one forks workers, on Linux, when there are enough releases).
    ``project`` may also be an app folder or archive, rendered alone as one release named
    ``release_name`` (else the app's name) in ``namespace`` (else ``default``).
    ``namespace_objects=False`` leaves out the Namespace objects ``createNamespace`` asks for.
    ``yaml_text=True``, when workers render, also writes each object's YAML as its release is
    rendered (in the worker that rendered it): ``RenderResult.yaml_texts``, for
    :func:`pytemplar.output.yaml_pieces` (in one process it stays None: the stream is written
    from the objects piece by piece, never held whole).
    """
    options = render_options(
        project,
        environments,
        releases,
        values_files,
        set_arguments,
        kube_version=kube_version,
        kube_schema=kube_schema,
        crds=crds,
        checks=checks,
        skip_checks=skip_checks,
        release_name=release_name,
        namespace=namespace,
        namespace_objects=namespace_objects,
    )
    return render_with(options, progress, jobs, yaml_text=yaml_text)


MIN_RELEASES_PER_WORKER = 8  # below this, a fork, a pickle and copied pages cost more than they save
MAX_JOBS = 8


def available_processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(jobs: int, releases: int) -> int:
    """How many processes render ``releases`` when ``jobs`` are allowed (0: one per processor).
    Decided here, so that a run of one process never loads pytemplar.parallel."""
    allowed = jobs or available_processors()
    if allowed <= 1 or not _can_fork_safely():
        return 1
    return max(1, min(allowed, MAX_JOBS, releases // MIN_RELEASES_PER_WORKER))


def _can_fork_safely() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _each_release(
    session: Session,
    targets: Sequence[tuple[str, ReleaseSpec]],
    run_one: Callable[[str, ReleaseSpec], Outcome],
    progress: Progress | None,
    jobs: int,
) -> list[Outcome]:
    """``run_one`` for every target, in order, on up to ``jobs`` processes (see parallel.py)."""

    def starting(finished: int, index: int) -> None:
        if progress is not None:
            environment, spec = targets[index]
            progress(finished + 1, len(targets), environment, spec.name)

    workers = worker_count(jobs, len(targets))
    if workers == 1:  # a run too small to share out: nothing of parallel.py is needed
        results = []
        for index, (environment, spec) in enumerate(targets):
            starting(index, index)
            results.append(run_one(environment, spec))
        return results
    from pytemplar.parallel import Slices

    session.prepare(targets)
    slices = Slices(len(targets), workers, lambda index: run_one(*targets[index]), session.hand_over, session.take_in)
    return slices.run(starting)


def render_with(
    options: RenderOptions, progress: Progress | None = None, jobs: int = 1, *, yaml_text: bool = False
) -> RenderResult:
    session = Session(options)
    targets = session.targets()
    strings: dict[str, str] = {}  # every release's objects share one copy of each string
    # Written early only where it saves the parent time; held until written, it costs memory.
    early_text = yaml_text and worker_count(jobs, len(targets)) > 1

    def render_one(environment: str, spec: ReleaseSpec) -> _Rendered:
        try:
            rendered = shared_strings(session.render_release(environment, spec), strings)
        except PytemplarError as exc:
            raise exc.scoped(release=spec.name, environment=environment) from None
        # Done by the process that rendered them, so that with workers the parent does not do it
        # for every object after the join: the YAML text and the checks of one object at a time.
        texts = [dump_yaml(manifest.obj) for manifest in rendered] if early_text else []
        return rendered, texts, session.check_objects(rendered)

    results = _each_release(session, targets, render_one, progress, jobs)
    manifests = [manifest for rendered_one, _texts, _found in results for manifest in rendered_one]
    rendered = [(environment, spec.name) for environment, spec in targets]
    earlier = _checked_earlier(len(manifests), [found for _rendered, _texts, found in results])
    manifests.extend(session.namespaces(manifests))
    problems = session.check(manifests, earlier)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ManifestError.collect(errors)
    notes = [p for p in problems if p.severity == "warning"]
    warnings = sorted([*session.all_warnings("warning"), *notes], key=Problem.sort_key)
    environments = list(session.project.environments)
    document = session.project.document
    orders = declared_sort_options(document.data if document is not None else None, environments)
    ordered = sort_manifests(manifests, environments, orders)
    texts: list[str | None] | None = None
    if early_text:
        written = {
            id(m): text for rendered_one, made, _found in results for m, text in zip(rendered_one, made, strict=True)
        }
        texts = [written.get(id(manifest)) for manifest in ordered]  # None: made by the run (Namespaces)
    return RenderResult(ordered, rendered, warnings, texts)


# A release's objects, their YAML texts (when written early) and what the checks of one object found.
_Rendered = tuple[list[Manifest], list[str], dict[str, list[Problem]] | None]


def _checked_earlier(count: int, found: Sequence[dict[str, list[Problem]] | None]) -> CheckedEarlier | None:
    """What the releases' checks of one object at a time found, joined in release order."""
    if any(one is None for one in found):
        return None
    joined: dict[str, list[Problem]] = {}
    for one in found:
        assert one is not None
        for check_id, problems in one.items():
            joined.setdefault(check_id, []).extend(problems)
    return CheckedEarlier(count, joined)


@record(frozen=False)
class ValidationResult:
    problems: list[Problem]
    releases: list[tuple[str, str]]
    objects: list[tuple[str, str]] = field(default_factory=list)  # (environment/release, "Kind ns/name")
    checks: list[str] = field(default_factory=list)  # the ids of the checks run

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
    skip_checks: Sequence[str] = (),
    progress: Progress | None = None,
    jobs: int = 1,
    against: str | None = None,
) -> ValidationResult:
    """Values, render and manifest checks for every environment x release; all problems.

    The keyword options are those of :func:`render`; here ``kube_schema`` is on unless turned off.
    ``against`` names a git revision (what runs now): changes the cluster refuses, or that send
    traffic to pods that do not run yet, are warnings.
    """

    options = render_options(
        project,
        environments,
        releases,
        values_files,
        set_arguments,
        kube_version=kube_version,
        kube_schema=kube_schema,
        crds=crds,
        checks=checks,
        skip_checks=skip_checks,
    )
    try:
        session = Session(options)
        targets = session.targets()
    except PytemplarError as exc:
        if isinstance(exc, UsageError):
            raise
        return ValidationResult(exc.problems, [])
    strings: dict[str, str] = {}  # every release's objects share one copy of each string

    def validate_one(environment: str, spec: ReleaseSpec) -> tuple[list[Manifest], list[Problem]]:
        try:
            schema = session.app(spec).schema if spec.helm_chart is None else None
            if schema is not None:
                schema.check()  # the CI gate checks the schema itself, not only the values
            unparsed: list[Problem] = []  # templates whose output is not YAML: the others are still checked
            rendered = shared_strings(session.render_release(environment, spec, unparsed), strings)
            scoped = [replace(p, release=spec.name, environment=environment) for p in unparsed]
            return rendered, scoped
        except PytemplarError as exc:
            return [], exc.scoped(release=spec.name, environment=environment).problems

    problems: list[Problem] = []
    manifests: list[Manifest] = []
    seen: set[Problem] = set()
    for rendered_one, failed in _each_release(session, targets, validate_one, progress, jobs):
        manifests.extend(rendered_one)
        for problem in failed:
            # A broken shared file fails every release that reads it: report it once.
            unscoped = Problem(problem.message, problem.location, problem.hint)
            if unscoped not in seen:
                seen.add(unscoped)
                problems.append(problem)
    manifests.extend(session.namespaces(manifests))
    problems.extend(session.check(manifests))
    problems.extend(session.all_warnings("error"))
    problems.extend(dict.fromkeys(session.shadowed))
    if against is not None:
        from pytemplar.api.comparing import _render_revision
        from pytemplar.livechanges import live_changes

        old, notes = _render_revision(Path(project), against, environments, releases, values_files, set_arguments)
        problems.extend([*notes, *live_changes(old, manifests, against)])
    objects = [("/".join(x for x in (m.environment, m.release) if x), m.describe()) for m in manifests]
    selection = session.selection()
    checks = [c for c in CHECK_IDS if c in selection and (c != "kube-schema" or session.schema_checked())]
    return ValidationResult(sorted(problems, key=Problem.sort_key), [(e, s.name) for e, s in targets], objects, checks)


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
    options = render_options(project, (environment,), (release,), values_files, set_arguments)
    session = Session(options)
    targets = session.targets()
    environment_name, spec = targets[0]
    try:
        return session.values(environment_name, spec)
    except PytemplarError as exc:
        raise exc.scoped(release=spec.name, environment=environment_name) from None
