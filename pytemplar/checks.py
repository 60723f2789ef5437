"""Checks on rendered manifests: each check maps manifests to problems and is tested alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from pytemplar import policies
from pytemplar.errors import Location, Problem
from pytemplar.manifests import Manifest

Check = Callable[[Sequence[Manifest]], Iterable[Problem]]


def _where(manifest: Manifest) -> Location:
    return Location(manifest.source.path)


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
            )


def check_unique_identities(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    """No two objects of one environment share group, kind, namespace and name."""
    seen: dict[tuple[str, str, str, str, str], Manifest] = {}
    for manifest in manifests:
        if not manifest.kind or not manifest.name:
            continue
        key = (manifest.environment, manifest.group, manifest.kind, manifest.namespace, manifest.name)
        first = seen.get(key)
        if first is None:
            seen[key] = manifest
            continue
        yield Problem(
            f"{manifest.describe()} is rendered twice: by {first.label} and by {manifest.label}",
            location=_where(manifest),
            hint="give one of them another name",
            release=manifest.release,
            environment=manifest.environment,
        )


DEFAULT_CHECKS: tuple[Check, ...] = (
    check_required_fields,
    check_unique_identities,
    policies.check_names,
    policies.check_labels,
    policies.check_selectors,
    policies.check_references,
)


def selected_checks(opt_in: Sequence[str]) -> tuple[Check, ...]:
    """The default checks and the opt-in ones named (ids of ``policies.OPT_IN_CHECKS``)."""
    return (*DEFAULT_CHECKS, *(policies.OPT_IN_CHECKS[name] for name in opt_in))


def check_manifests(manifests: Sequence[Manifest], checks: Sequence[Check] = DEFAULT_CHECKS) -> list[Problem]:
    problems: list[Problem] = []
    for check in checks:
        problems.extend(check(manifests))
    return problems
