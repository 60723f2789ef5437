"""Editing a release's overlay file in place, validated before anything is written (``pytemplar set``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pytemplar.api.session import Session, expected_types, render_options
from pytemplar.errors import (
    ConfigError,
    Location,
    ManifestError,
    Problem,
    PytemplarError,
    display_path,
    escape_control,
)
from pytemplar.overlay import (
    DELETE,
    describe_change,
    edit_text,
    line_of,
    read_overlay,
    unified_diff,
    write_overlay,
)
from pytemplar.project import (
    ReleaseSpec,
)
from pytemplar.schema import CompiledSchema
from pytemplar.setargs import format_path_argument
from pytemplar.values import (
    ROLLOUT_KEY,
    ValuePath,
    ValuesLayer,
)


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


class _EditSession(Session):
    """A session that reads one overlay from edited text instead of from the disk."""

    edits_files = True

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
            document.raw_keys,
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
    session = _EditSession(render_options(project, (environment,), (release,), ()))
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
    schema = session.app(spec).schema if spec.helm_chart is None else None
    text = overlay.text
    if overlay.created:  # a new file starts with the modeline that gives editors the overlay schema
        from pytemplar.editorschema import overlay_modeline

        modeline = overlay_modeline(session.project.root.path, relative, str(spec.app_path))
        text = f"{modeline}\n" if modeline else text
    start = text
    records: list[tuple[ValuePath, int, Any, Any]] = []
    for path, asked in changes:
        value = _as_schema_text(path, asked, raw_texts, schema)
        edit = edit_text(text, path, value, str(overlay.path))
        records.append((path, edit.line, edit.old, value))
        text = edit.text
    if len(records) > 1:  # a later edit may have moved an earlier one's line
        records = [(p, n if v is DELETE else line_of(text, p, str(overlay.path)), o, v) for p, n, o, v in records]
    if text == start:  # nothing to change: the file is left exactly as it is
        return EditResult(overlay.path, False, records, overlay.text, overlay.text)
    result = EditResult(overlay.path, overlay.created, records, overlay.text, text)
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
    result.warnings = [*values.warnings, *_undeclared(records, schema, overlay.path), *session.shadowed]
    if not dry_run:
        write_overlay(overlay, text)
        result.written = True
    return result


def _overlay_for(session: Session, environment: str, spec: ReleaseSpec, paths: Sequence[ValuePath]) -> str:
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
