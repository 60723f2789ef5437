"""Schemas that compiled and inputs found valid, remembered between runs.

ArgoCD refreshes every Application every few minutes, and each refresh is a new process that
reads the same project file, app schema and values as the last one. Compiling a schema into its
fast test (:mod:`pytemplar.schemacheck`) costs more than validating anything against it, so the
outcome is remembered, keyed by a SHA-256 of pytemplar's version and validation code (its files'
paths, sizes, times and inodes: :func:`pytemplar.cachefolder.code_stamp`), the schema as loaded
and, for an input, the input in a canonical JSON form:

- "this schema compiled": what :func:`pytemplar.schema.compile_schema` checks (references,
  patterns, a usable validator) passed, so the fast test may be compiled when first needed;
- "this input is valid": the fast test answered yes for it.

Only yes is remembered: an input that is invalid, or that the fast test cannot judge, is checked
(and explained) by jsonschema on every run. Both answers are pure functions of what is hashed:
validating has no other effect. A value that is not plain JSON (a date, a tuple, a key that is
not text, a float that is not finite) is not remembered. Entries live in the private cache folder
(:mod:`pytemplar.cachefolder`) and are written only once a command succeeded.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

from pytemplar.cachefolder import code_stamp, read_private, usable_folder, write_private

_VALIDATION_MODULES = ("schema.py", "schemacheck.py", "patterns.py")  # their code decides the answers
_MARK = b"pytemplar: valid\n"

_state: dict[str, Any] = {}  # "folder": Path | None, "salt": bytes
_pending: dict[str, bytes] = {}


def schema_digest(schema: Any) -> bytes | None:
    """The key of ``schema`` under this pytemplar, or None when nothing is to be remembered."""
    folder, salt = _opened()
    return None if folder is None else digest_of(schema, salt)


def digest_of(schema: Any, salt: bytes) -> bytes | None:
    """The key of ``schema`` under ``salt`` (:func:`salt`), None for a schema not plain JSON."""
    text = _canonical(schema)
    return None if text is None else hashlib.sha256(salt + b"schema\0" + text).digest()


def derived_digest(recipe: str, *sources: bytes) -> bytes | None:
    """The key of a schema that code builds from other things, made from those things
    (``sources``: the digests of the schemas it is built from, the code that builds it), so an
    input remembered valid against it is known without building it. ``recipe`` names the kind
    of schema. None when nothing is to be remembered."""
    folder, salt = _opened()
    if folder is None:
        return None
    digest = hashlib.sha256(salt + b"derived\0" + recipe.encode("utf-8") + b"\0")
    for source in sources:
        digest.update(len(source).to_bytes(8, "little") + source)
    return digest.digest()


def entry(key: str) -> bytes:
    """What the file of a remembered key holds."""
    return _MARK + key.encode("ascii")


def compiled_key(digest: bytes) -> str:
    return hashlib.sha256(digest + b"\0compiles").hexdigest()


def valid_key(digest: bytes, instance: Any) -> str | None:
    """The entry meaning "``instance`` is valid", or None for an input that is not plain JSON."""
    text = _canonical(instance)
    return None if text is None else hashlib.sha256(digest + b"\0valid\0" + text).hexdigest()


def known(key: str) -> bool:
    folder, _salt = _opened()
    if folder is None:
        return False
    return key in _pending or read_private(folder / key) == entry(key)


def remember(key: str) -> None:
    """Note ``key`` as true; written by :func:`save` once the command succeeded."""
    if _state.get("folder") is not None and not known(key):
        _pending[key] = entry(key)


def hand_over() -> dict[str, bytes]:
    """The entries remembered and not saved yet, taken out: a render worker sends them to the
    command's process, which saves them with its own once the command succeeded (:func:`take_in`)."""
    taken = dict(_pending)
    _pending.clear()
    return taken


def take_in(entries: dict[str, bytes]) -> None:
    _pending.update(entries)


def save() -> None:
    pending = dict(_pending)
    _pending.clear()
    folder = _state.get("folder")
    if folder is not None:
        write_private(folder, pending)


def forget_state() -> None:
    """What a new process sees: nothing opened, nothing pending (for tests)."""
    _state.clear()
    _pending.clear()


def _opened() -> tuple[Path | None, bytes]:
    if "folder" not in _state:
        folder = usable_folder("valid")
        salt = b""
        if folder is not None:
            try:
                salt = salt_now()
            except OSError:  # an unreadable installation: remember nothing
                folder = None
        _state["folder"], _state["salt"] = folder, salt
    return _state["folder"], _state["salt"]


def salt_now() -> bytes:
    """What every key depends on: Python, pytemplar's version and its validation code."""
    from pytemplar import __version__

    digest = hashlib.sha256()
    for part in (sys.version, __version__):
        digest.update(part.encode("utf-8") + b"\0")
    here = Path(__file__).parent
    digest.update(code_stamp(here / name for name in _VALIDATION_MODULES))
    return digest.digest()


def _canonical(value: Any) -> bytes | None:
    """One text per JSON value as a validator sees it (``true`` is not ``1``, ``1`` not ``1.0``);
    None for anything that is not plain JSON."""
    try:
        if not _plain(value):
            return None
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("ascii")
    except (RecursionError, ValueError):  # very deep, or an integer too long to print
        return None


_SCALARS = (str, int, bool, type(None))


def _plain(value: Any) -> bool:
    """Exactly dicts with text keys, lists, text, integers, finite floats, booleans and null:
    subclasses may answer type checks differently, so they are not remembered."""
    kind = type(value)
    if kind is dict:
        return all(type(key) is str and _plain(item) for key, item in value.items())
    if kind is list:
        return all(_plain(item) for item in value)
    if kind is float:
        return math.isfinite(value)
    return kind in _SCALARS
