"""Values hidden by a higher layer are checked too.

Only the merged values are validated, so a wrong value in a lower layer (``replicaCount: three``
in ``envs/prod.yaml``) passes as long as a higher layer sets the same key: it surfaces the day
that override is removed, far from the change that caused it. Each layer is checked on its own
against the app's overlay schema (every key optional, see :mod:`pytemplar.editorschema`), and a
problem at a value that a higher layer replaces is reported as a warning, naming what hides it.
Problems at values that take effect are left to the check of the merged values.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from pytemplar import validitycache
from pytemplar.cachefolder import code_stamp
from pytemplar.errors import Problem
from pytemplar.schema import CompiledSchema, compile_schema
from pytemplar.values import ListKeys, ValuePath, ValuesLayer, format_path, origins_of

_overlays: dict[int, tuple[Any, CompiledSchema]] = {}  # id of an app's values schema -> (it, its overlay's)
_overlay_digests: dict[int, tuple[Any, bytes | None]] = {}  # the same -> (it, its overlay's key)


def hidden_value_problems(
    layers: Sequence[ValuesLayer],
    merged: Any,
    values_schema: CompiledSchema,
    list_keys: ListKeys | None,
    found: dict[tuple[str, int], list[tuple[ValuePath, str]]],
) -> list[Problem]:
    """Warnings for values of ``layers`` that break the schema and that a higher layer hides here.

    ``found`` keeps each layer's problems for the run: a layer shared by many releases of one app
    is checked once. The warnings name no release, so every release that hides a value gives the
    same one, whatever the order (or the process) the releases are rendered in.
    """
    problems: list[Problem] = []
    above: set[str] = set()  # the top-level keys the layers above the current one set
    hiding: list[bool] = []
    for layer in reversed(layers):
        # A layer none of whose top-level keys a higher layer sets hides nothing of it: every
        # value it sets takes effect, and the merged check reports those.
        hiding.append(not above.isdisjoint(layer.data))
        above.update(layer.data)
    for layer, hidden in zip(layers, reversed(hiding), strict=True):
        if layer.kind == "defaults" or not hidden:
            continue
        key = (layer.source, id(values_schema.schema))
        if key not in found:
            found[key] = _layer_problems(layer, values_schema)
        for path, message in found[key]:
            winner = origins_of(layers, path, merged, list_keys)
            if not winner or winner[0].layer is layer:
                continue  # the value takes effect: the merged check reports it
            problems.append(
                Problem(
                    f"{format_path(path)}: {message}; a higher layer overrides it, so it does not take effect now",
                    location=layer.locations[path],
                    hint="fix or remove it: it applies as soon as the override goes",
                    severity="warning",
                )
            )
    return problems


def _layer_problems(layer: ValuesLayer, values_schema: CompiledSchema) -> list[tuple[ValuePath, str]]:
    data = dict(layer.data)
    digest = _overlay_digest(values_schema)
    remembered = validitycache.valid_key(digest, data) if digest is not None else None
    if remembered is not None and validitycache.known(remembered):
        return []  # an earlier run found this layer valid against this very overlay: not even built
    overlay = _overlay_schema(values_schema.schema, digest)
    if overlay.valid_quickly(data):
        return []  # the usual case, answered without importing jsonschema (~40 ms)
    problems: list[tuple[ValuePath, str]] = []
    for error in overlay.validator.iter_errors(data):
        path: ValuePath = tuple(error.absolute_path)
        while path and path not in layer.locations:
            path = path[:-1]
        wanted = error.validator_value if error.validator == "type" else None
        wants_text = wanted == "string" or (isinstance(wanted, list) and "string" in wanted)
        if wants_text and path in layer.raw_texts:
            continue  # an unquoted 1.20 where text is wanted: the merged check keeps its text, with a warning
        if path:
            problems.append((path, _short(error.message)))
    return problems


def _short(message: str) -> str:
    # The overlay schema allows null everywhere (it deletes); that is no news about this value.
    message = message.replace(", 'null'", "").replace(", None]", "]")
    return message if len(message) <= 160 else message[:157] + "..."


def _overlay_digest(values_schema: CompiledSchema) -> bytes | None:
    """The overlay schema's key in the validity cache, made from what it is built from: the
    app's schema, the code that builds it and the rollout schema it embeds."""
    cached = _overlay_digests.get(id(values_schema.schema))
    if cached is not None and cached[0] is values_schema.schema:
        return cached[1]
    made_of, recipe = values_schema.digest, _overlay_recipe()
    digest = None if made_of is None or recipe is None else validitycache.derived_digest("overlay", made_of, recipe)
    _overlay_digests[id(values_schema.schema)] = (values_schema.schema, digest)
    return digest


@cache
def _overlay_recipe() -> bytes | None:
    """The stamp of what builds an overlay schema besides the app's schema (the code and the
    rollout schema it embeds); None when they cannot be found (a zipped package): then the overlay
    is built and keyed by its own text."""
    from pytemplar.project import builtin_schema_file

    rollout = builtin_schema_file("rollout.schema.json")
    if rollout is None:
        return None
    try:
        return code_stamp([Path(__file__).parent / "editorschema.py", rollout])
    except OSError:
        return None


def _overlay_schema(values_schema: Any, digest: bytes | None) -> CompiledSchema:
    cached = _overlays.get(id(values_schema))
    if cached is not None and cached[0] is values_schema:
        return cached[1]
    from pytemplar.editorschema import overlay_schema
    from pytemplar.project import builtin_schema

    schema = overlay_schema(values_schema, builtin_schema("rollout.schema.json").schema)
    # Made from the app's schema, which was checked: no metaschema check here. jsonschema (with
    # the user's patterns matched by RE2) is built only for a layer the fast test refuses.
    compiled = compile_schema(schema, "values overlay schema", check=False, digest=digest)
    _overlays[id(values_schema)] = (values_schema, compiled)
    return compiled
