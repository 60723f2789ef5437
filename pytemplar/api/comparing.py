"""Two renders compared: two environments, or the project with itself at a git revision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pytemplar.api.rendering import render_with
from pytemplar.api.session import RenderOptions, RenderResult, render_options
from pytemplar.diffing import DiffResult, diff_manifests
from pytemplar.errors import (
    Problem,
    PytemplarError,
    UsageError,
    display_path,
)
from pytemplar.livechanges import live_changes
from pytemplar.manifests import Manifest
from pytemplar.setargs import SetKind


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
            twice = len(wanted) == 1 and len(environments) > 1
            raise UsageError(
                "diff compares two environments (-e A -e B) or one project with a git revision (--against REF)",
                hint=f"-e {wanted[0]} is given twice: name another environment, or compare {wanted[0]} with a "
                f"revision: pytemplar diff -e {wanted[0]} --against main"
                if twice
                else "for example: pytemplar diff -e staging -e prod, or pytemplar diff -e prod --against main",
            )
        old = _render_side(wanted[0], render_options(project, wanted[:1], releases, values_files, set_arguments))
        new = _render_side(wanted[1], render_options(project, wanted[1:], releases, values_files, set_arguments))
        result = diff_manifests(old.manifests, new.manifests, "release")
        return DiffReport(result, wanted[0], wanted[1], _unique([*old.warnings, *new.warnings]))
    new = _render_side("working tree", render_options(project, environments, releases, values_files, set_arguments))
    old_manifests, notes = _render_revision(Path(project), against, environments, releases, values_files, set_arguments)
    result = diff_manifests(old_manifests, new.manifests, "object")
    live = live_changes(old_manifests, new.manifests, against)
    return DiffReport(result, against, "working tree", _unique([*notes, *new.warnings, *live]))


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
    from pytemplar.gitrev import checkout, relabel

    with checkout(project, revision) as tree:
        if not tree.exists:
            note = f"there is no project at {display_path(project)} in {revision}: every object counts as added"
            return [], [Problem(note, severity="warning")]
        options = render_options(tree.project, environments, releases, values_files, set_arguments)
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
