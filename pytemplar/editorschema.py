"""Schemas for editors: the schema of a *partial* values file, and the modelines that point at it.

An overlay (``envs/prod.yaml``, ``releases/web.yaml``…) sets a few values over the layers below
it, so checking it against the app's full values schema flags every required key it leaves out,
and ``rollout`` (which pytemplar owns in every app's values). :func:`overlay_schema` derives the
schema an overlay must meet: every property optional, ``null`` allowed wherever a value is (it
removes what a lower layer set), ``rollout`` allowed at the top, and everything else (types,
enums, unknown keys) checked as in the app's schema.

Editors with yaml-language-server find it through a modeline,
``# yaml-language-server: $schema=<path>``, with a path relative to the file, so it works
offline; the overlay schema lives beside the app's ``values.schema.json`` as
``values.overlay.schema.json`` (``pytemplar schema values APP --overlay`` prints it).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytemplar.project import MODELINE, MODELINE_CHARACTERS, MODELINE_HEAD

if TYPE_CHECKING:
    from pytemplar.errors import Problem
    from pytemplar.project import App

OVERLAY_SCHEMA_FILE = "values.overlay.schema.json"

# JSON Schema keywords whose value is a schema, a map of schemas, or a list of schemas.
_ONE_SCHEMA = ("items", "additionalProperties", "contains")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
# Conditions between keys cannot be decided on one layer (the other key may be set below it).
_CROSS_KEY = ("if", "then", "else", "dependentSchemas", "dependentRequired", "minProperties")
_ROLLOUT_DEF = "pytemplarRollout"
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def overlay_schema(values_schema: dict[str, Any] | None, rollout_schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of a partial values file for an app whose values schema is ``values_schema``."""
    start = copy.deepcopy(values_schema) if values_schema is not None else {"type": "object"}
    schema: dict[str, Any] = _partial(start)
    rollout = {k: v for k, v in copy.deepcopy(rollout_schema).items() if k not in ("$schema", "$id")}
    rollout = _partial(_moved_refs(rollout, f"#/$defs/{_ROLLOUT_DEF}/$defs/"))
    schema.setdefault("$defs", {})[_ROLLOUT_DEF] = _nullable(rollout)
    schema.setdefault("properties", {})["rollout"] = {"$ref": f"#/$defs/{_ROLLOUT_DEF}"}
    schema.pop("$id", None)
    title = schema.get("title")
    schema["title"] = f"{title} (overlay: every key optional)" if title else "values overlay (every key optional)"
    return schema


def _partial(schema: Any, map_keys: tuple[str, ...] = ()) -> Any:
    """``schema`` with no key required (but ``map_keys``), and null allowed for each property."""
    if not isinstance(schema, dict):
        return schema
    if isinstance(schema.get("required"), list):
        kept = [key for key in schema["required"] if key in map_keys]
        if kept:
            schema["required"] = kept
        else:
            del schema["required"]
    for keyword in _CROSS_KEY:
        schema.pop(keyword, None)
    if "oneOf" in schema:  # branches told apart by required keys may all match a partial value
        schema["anyOf" if "anyOf" not in schema else "allOf"] = (
            schema.pop("oneOf") if "anyOf" not in schema else [*schema.get("allOf", []), {"anyOf": schema.pop("oneOf")}]
        )
    for keyword in _ONE_SCHEMA:
        if keyword in schema:
            keys: tuple[str, ...] = ()
            if keyword == "items" and schema.get("x-kubernetes-list-type") == "map":
                # Items of a list merged by key: an overlay item names its key and what changes.
                keys = tuple(schema.get("x-kubernetes-list-map-keys") or ())
            schema[keyword] = _partial(schema[keyword], keys)
    for keyword in _SCHEMA_MAPS:
        if isinstance(schema.get(keyword), dict):
            nullable = keyword in ("properties", "patternProperties")
            schema[keyword] = {
                name: _nullable(_partial(sub)) if nullable else _partial(sub) for name, sub in schema[keyword].items()
            }
    for keyword in _SCHEMA_LISTS:
        if isinstance(schema.get(keyword), list):
            schema[keyword] = [_partial(sub) for sub in schema[keyword]]
    return schema


def _moved_refs(schema: Any, prefix: str) -> Any:
    """``schema`` with its local ``#/$defs/X`` references pointing at ``prefix + X``."""
    if isinstance(schema, dict):
        moved = {key: _moved_refs(value, prefix) for key, value in schema.items()}
        ref = moved.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            moved["$ref"] = prefix + ref.removeprefix("#/$defs/")
        return moved
    if isinstance(schema, list):
        return [_moved_refs(item, prefix) for item in schema]
    return schema


def _nullable(schema: Any) -> Any:
    """``schema`` that also accepts null; kept flat where it can be, so editors' messages stay plain."""
    if not isinstance(schema, dict) or schema == {}:
        return schema
    if "type" not in schema and "enum" not in schema and "const" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    schema = dict(schema)
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = types if "null" in types else [*types, "null"]
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    return schema


def modeline(from_file: Path, schema_file: Path) -> str:
    """The modeline for ``from_file`` pointing at ``schema_file`` by a relative path."""
    relative = os.path.relpath(os.path.abspath(schema_file), os.path.abspath(from_file.parent))
    return MODELINE + Path(relative).as_posix()


def overlay_modeline(project: Path, relative: str, app: str | None) -> str | None:
    """The modeline for the overlay ``relative`` of ``project`` whose releases use ``app``.

    None when the releases use several apps or the app has no overlay schema file.
    """
    if app is None:
        return None
    schema = project / app / OVERLAY_SCHEMA_FILE
    if not schema.is_file():
        return None
    return modeline(project / relative, schema)


def app_overlay_schema(app_folder: Path) -> dict[str, Any]:
    """:func:`overlay_schema` of the app template in ``app_folder``."""
    from pytemplar.project import Workspace, builtin_schema

    found = Workspace().app(app_folder).schema
    return overlay_schema(found.schema if found is not None else None, builtin_schema("rollout.schema.json").schema)


def schema_text(schema: dict[str, Any]) -> str:
    """A schema as ``pytemplar schema`` prints it and as the files beside an app hold it."""
    import json

    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


_MODELINE_BYTES = MODELINE.encode("utf-8")


def stale_overlay_schema(values_file: str, app: App, known: dict[Path, Any] | None = None) -> Problem | None:
    """A warning when ``values_file`` has a modeline naming ``app``'s overlay schema file and that
    file is missing or no longer what ``pytemplar schema values APP --overlay`` prints (the app's
    values schema changed since it was written): editors would check the file against old rules.
    The warning names the schema file, so the overlays naming one schema give the same warning.
    ``known`` keeps, per schema file, what was found, for the next overlay naming it."""
    import json

    from pytemplar.errors import Location, Problem, display_path
    from pytemplar.project import builtin_schema

    try:
        with open(values_file, "rb") as handle:
            raw = handle.read(MODELINE_HEAD)
    except OSError:
        return None
    if _MODELINE_BYTES not in raw:
        return None  # most overlays have none: no decoding, no line splitting
    head = raw.decode("utf-8", errors="replace")[:MODELINE_CHARACTERS]
    for line in head.splitlines():
        column = line.find(MODELINE)
        if column < 0:
            continue
        named = line[column + len(MODELINE) :].strip()
        target = Path(os.path.normpath(Path(values_file).resolve().parent / named))
        if target.name != OVERLAY_SCHEMA_FILE or target.parent != app.root.path.resolve():
            return None
        known = {} if known is None else known
        if target not in known:
            try:
                written: Any = json.loads(app.root.read_text(OVERLAY_SCHEMA_FILE))
            except Exception:  # missing, unreadable or not JSON: as stale as can be
                written = None
            values_schema = app.schema.schema if app.schema is not None else None
            current = written == overlay_schema(values_schema, builtin_schema("rollout.schema.json").schema)
            known[target] = "current" if current else "missing" if written is None else "stale"
        if known[target] == "current":
            return None
        # One warning per schema file, however many overlays name it: that file is what to refresh.
        shown_app = display_path(app.root.path)
        why = (
            "is missing"
            if known[target] == "missing"
            else "is out of date: the app's values schema changed after it was written"
        )
        return Problem(
            f"the editor schema that the overlays' modelines name {why}; editors check them against it",
            location=Location(str(target)),
            hint=f"refresh it: pytemplar schema values {shown_app} --overlay > {display_path(target)}",
            severity="warning",
        )
    return None
