"""The table of manifest checks, and running the ones a run selects.

``CHECKS`` is the one list of checks: each row has the id that problems carry (``Problem.rule``),
whether it runs by default, whether it needs the target Kubernetes version, its help text and the
function that runs it. The ``--check``/``--skip-check`` help, the check ids of the project schema
(:func:`with_check_ids`) and the README list are derived from it (the test suite writes the README
rows). A check is disabled for a run with ``--skip-check ID`` or ``skipChecks: [ID]`` in
pytemplar.yaml, and for one object with the annotation ``pytemplar.io/skip-checks: ID,ID``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from pytemplar.errors import Location, Problem, UsageError
from pytemplar.records import record

if TYPE_CHECKING:  # the table is read by the CLI's help; the checks load when they run
    from pytemplar.manifests import Manifest

SKIP_ANNOTATION = "pytemplar.io/skip-checks"

VersionOf = Callable[["Manifest"], str]
"""The target Kubernetes minor version (``1.35``) of a manifest."""
Runner = Callable[[Sequence["Manifest"], VersionOf], Iterable[Problem]]


@record
class Check:
    """One row of the check table."""

    id: str
    help: str  # one line: what it finds
    default: bool  # runs unless disabled; False: opt-in (``--check ID``)
    needs_version: bool  # judged against the target Kubernetes version
    run: Runner | None  # None: run by the row ``part_of``, or by the session (kube-schema)
    part_of: str | None = None  # the row whose function also finds this row's problems
    # Its problems about an object depend on that object alone and come in the order of the
    # objects: it runs on each release's objects as the release is rendered (in its worker).
    each_object: bool = False


def _each(check: Callable[[Sequence[Manifest]], Iterable[Problem]]) -> Runner:
    return lambda manifests, _version_of: check(manifests)


def _module(module: str, name: str, only: Callable[[Manifest], bool] | None = None) -> Runner:
    """The function ``name`` of ``module``, imported when it first runs. With ``only``, it is given
    the manifests ``only`` selects (in their order), and not even imported while there are none."""

    def run(manifests: Sequence[Manifest], _version_of: VersionOf) -> Iterable[Problem]:
        if only is not None:
            manifests = [manifest for manifest in manifests if only(manifest)]
            if not manifests:
                return ()
        check: Callable[[Sequence[Manifest]], Iterable[Problem]] = getattr(importlib.import_module(module), name)
        return check(manifests)

    return run


def has_helm_hook(manifest: Manifest) -> bool:
    """Whether the object has a Helm hook annotation (``helm.sh/hook*``), the only objects rule
    ``helm-hook`` (:mod:`pytemplar.helm.hooks`) looks at."""
    metadata = manifest.obj.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    return isinstance(annotations, dict) and any(str(key).startswith("helm.sh/hook") for key in annotations)


def _policy(name: str) -> Runner:
    """The function ``name`` of :mod:`pytemplar.policies`, imported when it first runs."""
    return _module("pytemplar.policies", name)


def _where(manifest: Manifest) -> Location:
    return manifest.source


def check_required_fields(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    """apiVersion, kind and metadata.name are present and are non-empty strings."""
    for manifest in manifests:
        obj = manifest.obj
        missing = [
            f"{field} (or it is not a string)"
            for field in ("apiVersion", "kind")
            if not isinstance(obj.get(field), str) or not obj.get(field)
        ]
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict):
            missing.append("metadata (or it is not a map)")
        elif not (isinstance(metadata.get("name"), str) and metadata["name"]) and not metadata.get("generateName"):
            missing.append("metadata.name (or it is not a string)")
        for what in missing:
            yield Problem(
                f"document at rendered line {manifest.source.line} has no {what}",
                location=_where(manifest),
                release=manifest.release,
                environment=manifest.environment,
                rule="required-fields",
            )


def check_unique_identities(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    """No two objects of one environment share group, kind, namespace and name."""
    seen: dict[tuple[str, str, str, str, str], Manifest] = {}
    for manifest in manifests:
        # Manifest.kind, .name, .group and .namespace, each read once: this runs for every object of a run.
        obj = manifest.obj
        metadata = obj.get("metadata")
        kind = str(obj.get("kind", ""))
        name = str(metadata.get("name", "")) if isinstance(metadata, dict) else ""
        if not kind or not name:
            continue
        assert isinstance(metadata, dict)
        group = str(obj.get("apiVersion", "")).rpartition("/")[0]
        key = (manifest.environment, group, kind, str(metadata.get("namespace") or ""), name)
        first = seen.get(key)
        if first is None:
            seen[key] = manifest
            continue
        yield Problem(
            f"{manifest.describe()} is rendered twice: by {first.label} and by {manifest.label}"
            if manifest.release
            else f"{manifest.describe()} is defined twice: in {first.label} and in {manifest.label}",
            location=_where(manifest),
            hint="give one of them another name",
            release=manifest.release,
            environment=manifest.environment,
            rule="unique-objects",
            subject=manifest.describe(),
        )


def _by_version(name: str) -> Runner:
    """The function ``name`` of :mod:`pytemplar.policies`, run on the manifests of each target version."""

    def run(manifests: Sequence[Manifest], version_of: VersionOf) -> Iterable[Problem]:
        from pytemplar import policies

        check: Callable[[Sequence[Manifest], str], Iterable[Problem]] = getattr(policies, name)
        by_version: dict[str, list[Manifest]] = {}
        for manifest in manifests:
            by_version.setdefault(version_of(manifest), []).append(manifest)
        for version, mine in by_version.items():
            yield from check(mine, version)

    return run


CHECKS: tuple[Check, ...] = (
    Check(
        "required-fields",
        "every object has apiVersion, kind and metadata.name",
        True,
        False,
        _each(check_required_fields),
        each_object=True,
    ),
    Check(
        "unique-objects",
        "no two objects share group, kind, namespace and name",
        True,
        False,
        _each(check_unique_identities),
    ),
    Check(
        "removed-api",
        "apiVersions the target Kubernetes version no longer serves, with their replacement",
        True,
        True,
        _by_version("check_removed_apis"),
    ),
    Check(
        "deprecated-api",
        "apiVersions deprecated in the target version, with their replacement and removal (warning)",
        True,
        True,
        _by_version("check_deprecated_apis"),
    ),
    Check(
        "kube-schema",
        "every object against the Kubernetes API schema of the target version (and CRDs)",
        True,
        True,
        None,
    ),
    Check(
        "dns-name",
        "metadata.name and namespace follow the API server's rule for the kind",
        True,
        False,
        _policy("check_names"),
        each_object=True,
    ),
    Check(
        "label-syntax", "label keys and values are valid text", True, False, _policy("check_labels"), each_object=True
    ),
    Check("annotation-type", "annotation values are text", True, False, None, part_of="label-syntax"),
    Check(
        "selector-matches-template",
        "a workload's selector selects its own pod template",
        True,
        False,
        _policy("check_selectors"),
        each_object=True,
    ),
    Check(
        "service-selects-pods",
        "a Service selects some pod template of the run (warning)",
        True,
        False,
        _policy("check_references"),
    ),
    Check(
        "scale-target-exists",
        "an HPA's scaleTargetRef names an object of the run, a PDB selects some pod template (warning)",
        True,
        False,
        None,
        part_of="service-selects-pods",
    ),
    Check(
        "helm-hook",
        "Helm hook annotations are hooks Argo CD runs, with valid weights and delete policies",
        True,
        False,
        _module("pytemplar.helm.hooks", "check_helm_hooks", only=has_helm_hook),
        each_object=True,
    ),
    Check(
        "image-pinned",
        "every container image names a version tag (not latest) or a digest",
        False,
        False,
        _policy("check_image_pinned"),
        each_object=True,
    ),
    Check(
        "resources-set",
        "every container sets requests and limits for cpu and memory",
        False,
        False,
        _policy("check_resources_set"),
        each_object=True,
    ),
)
"""Every check, in the order their problems are found. A row without ``run`` is run by the function of
another row (``annotation-type`` by ``label-syntax``'s) or by the session (``kube-schema``)."""

CHECK_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS)
OPT_IN_IDS: tuple[str, ...] = tuple(check.id for check in CHECKS if not check.default)


def with_check_ids(schema: dict[str, Any], checks: Sequence[Check] = CHECKS) -> dict[str, Any]:
    """The project schema (``pytemplar.schema.json``, parsed) completed from the table: the enum of
    ``$defs/checkId`` and the description of ``checks``, which names the opt-in ids. In the file, a
    ``$comment`` stands where each goes."""
    defs = schema["$defs"]
    defs["checkId"] = {**_uncommented(defs["checkId"]), "enum": [check.id for check in checks]}
    opt_in = ", ".join(check.id for check in checks if not check.default)
    described = f"Checks to run besides the default ones (the opt-in {opt_in}); --check adds more."
    schema["properties"]["checks"] = {"description": described, **_uncommented(schema["properties"]["checks"])}
    return schema


def _uncommented(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != "$comment"}


def check_help() -> str:
    """The help of ``--check``: the opt-in ids."""
    return "Opt-in checks to run: " + ", ".join(OPT_IN_IDS) + "."


def skip_check_help() -> str:
    """The help of ``--skip-check``: every id."""
    return "Checks not to run: " + ", ".join(CHECK_IDS) + "."


def parse_ids(items: Iterable[str], option: str) -> tuple[str, ...]:
    """Check ids given one per item or comma-separated; an unknown one is a usage error."""
    wanted = [name.strip() for item in items for name in item.split(",") if name.strip()]
    for name in wanted:
        if name not in CHECK_IDS:
            import difflib

            close = difflib.get_close_matches(name, CHECK_IDS, n=1)
            meant = f"did you mean '{close[0]}'? " if close else ""
            raise UsageError(f"{option}: unknown check '{name}'", hint=f"{meant}checks: {', '.join(CHECK_IDS)}")
    return tuple(dict.fromkeys(wanted))


@record
class Selection:
    """Which checks run: the defaults, plus those enabled, less those disabled."""

    enabled: frozenset[str]

    @classmethod
    def of(cls, enable: Iterable[str] = (), disable: Iterable[str] = ()) -> Selection:
        on = {check.id for check in CHECKS if check.default} | set(enable)
        return cls(frozenset(on - set(disable)))

    def __contains__(self, check_id: object) -> bool:
        return check_id in self.enabled


DEFAULT_SELECTION = Selection.of()


def skipped_checks(manifest: Manifest) -> tuple[frozenset[str], list[str]]:
    """The check ids an object's ``pytemplar.io/skip-checks`` annotation disables, and unknown ids in it."""
    metadata = manifest.obj.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    text = annotations.get(SKIP_ANNOTATION) if isinstance(annotations, dict) else None
    if not isinstance(text, str):
        return frozenset(), []
    ids = [name.strip() for name in text.split(",") if name.strip()]
    return frozenset(ids), [name for name in ids if name not in CHECK_IDS]


def _key(environment: str | None, release: str | None, subject: str | None) -> tuple[str, str, str]:
    return (environment or "", release or "", subject or "")


def without_skipped(problems: Iterable[Problem], manifests: Sequence[Manifest]) -> list[Problem]:
    """The problems less those of checks an object's annotation disables for it, plus a warning for
    each unknown id in such an annotation."""
    skips: dict[tuple[str, str, str], frozenset[str]] = {}
    notes: list[Problem] = []
    for manifest in manifests:
        ids, unknown = skipped_checks(manifest)
        if ids:
            skips[_key(manifest.environment, manifest.release, manifest.describe())] = ids
        for name in unknown:
            notes.append(
                Problem(
                    f"{manifest.describe()}: annotation {SKIP_ANNOTATION} names no check '{name}'",
                    location=manifest.source,
                    hint=f"checks: {', '.join(CHECK_IDS)}",
                    severity="warning",
                    release=manifest.release or None,
                    environment=manifest.environment,
                    subject=manifest.describe(),
                )
            )
    if not skips:
        return [*problems, *notes]
    kept = [
        problem
        for problem in problems
        if problem.rule is None
        or problem.rule not in skips.get(_key(problem.environment, problem.release, problem.subject), ())
    ]
    return [*kept, *notes]


def selected(problems: Iterable[Problem], selection: Selection) -> list[Problem]:
    """The problems of the checks ``selection`` runs (a function may serve two rows)."""
    return [p for p in problems if p.rule is None or p.rule in selection]


@record
class CheckedEarlier:
    """What :func:`check_objects` found in the first ``count`` objects of a run, release by release
    in order: the problems of each check that looks at one object at a time, by check id."""

    count: int
    found: dict[str, list[Problem]]


def check_objects(manifests: Sequence[Manifest], selection: Selection = DEFAULT_SELECTION) -> dict[str, list[Problem]]:
    """The problems the selected checks that look at one object at a time find in ``manifests``."""
    return {
        check.id: list(check.run(manifests, _no_version))
        for check in CHECKS
        if check.each_object and check.run is not None and _runs(check, selection)
    }


def _no_version(_manifest: Manifest) -> str:
    raise AssertionError("a check of one object at a time needs no Kubernetes version")


def check_manifests(
    manifests: Sequence[Manifest],
    selection: Selection = DEFAULT_SELECTION,
    version_of: VersionOf | None = None,
    earlier: CheckedEarlier | None = None,
) -> list[Problem]:
    """The problems the selected checks find in ``manifests`` (kube-schema aside), annotations applied.

    With ``earlier``, the checks of one object at a time take what they found in its first
    objects and look only at the rest: the same problems in the same order."""
    from pytemplar.policies import DEFAULT_KUBE_VERSION

    versions: VersionOf = version_of or (lambda _manifest: DEFAULT_KUBE_VERSION)
    problems: list[Problem] = []
    for check in CHECKS:
        if check.run is None or not _runs(check, selection):
            continue
        if earlier is not None and check.each_object:
            problems.extend(earlier.found.get(check.id, ()))
            problems.extend(check.run(manifests[earlier.count :], versions))
        else:
            problems.extend(check.run(manifests, versions))
    return without_skipped(selected(problems, selection), manifests)


def _runs(check: Check, selection: Selection) -> bool:
    """Whether a row's function runs: its own id is selected, or one of the rows it serves."""
    return check.id in selection or any(other.part_of == check.id and other.id in selection for other in CHECKS)
