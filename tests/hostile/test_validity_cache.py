"""The cache of inputs found valid trusts no file another user could have written.

An entry saying "these values are valid" skips their validation, so a planted entry would let
invalid values through. Entries are trusted only when they, their folder and every folder above
are writable by the current user alone (a sticky folder such as /tmp excepted). The first test
shows that a planted entry of the user's own is trusted, so the refusals below are meaningful.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pytemplar import validitycache

from .harness import RENDER, Sandbox

SCHEMA = {
    "type": "object",
    "properties": {
        "replicas": {"type": "integer", "maximum": 3},
        "image": {"type": "object", "properties": {"tag": {"type": "string"}}},
    },
}
INVALID = {"replicas": 7, "image": {"tag": "1.0"}}


def _cache(sandbox: Sandbox) -> Path:
    return sandbox.home / ".cache" / "pytemplar" / "valid"


def _plant(sandbox: Sandbox) -> None:
    """Render valid values once (which makes the cache), then break the values and plant an
    entry saying the broken values are valid."""
    schema = json.dumps(SCHEMA)
    sandbox.write({"app/values.schema.json": schema})
    first = sandbox.run(*RENDER)
    assert first.code == 0, first.describe()
    sandbox.write({"app/values.schema.json": schema, "app/values.yaml": 'replicas: 7\nimage:\n  tag: "1.0"\n'})
    digest = validitycache.digest_of(SCHEMA, validitycache.salt_now())
    assert digest is not None
    key = validitycache.valid_key(digest, INVALID)
    assert key is not None
    (_cache(sandbox) / key).write_bytes(validitycache.entry(key))
    (_cache(sandbox) / key).chmod(0o600)


def _refuses_the_values(sandbox: Sandbox) -> None:
    result = sandbox.run(*RENDER)
    assert result.code != 0, "a planted entry another user could write was trusted"
    assert "7 is greater than the maximum of 3" in result.stderr, result.describe()


def test_a_private_entry_is_trusted(sandbox: Sandbox) -> None:
    """The control: an entry of the user's own, in private folders, is believed."""
    _plant(sandbox)
    result = sandbox.run(*RENDER)
    assert result.code == 0, result.describe()
    assert result.documents()[0]["spec"]["replicas"] == 7


@pytest.mark.parametrize("mode", [0o666, 0o620], ids=["others", "group"])
def test_an_own_entry_writable_by_others_is_not_trusted(sandbox: Sandbox, mode: int) -> None:
    _plant(sandbox)
    for entry in _cache(sandbox).iterdir():
        entry.chmod(mode)
    _refuses_the_values(sandbox)


def test_a_linked_entry_is_not_trusted(sandbox: Sandbox) -> None:
    _plant(sandbox)
    for entry in list(_cache(sandbox).iterdir()):
        target = sandbox.base / f"elsewhere-{entry.name}"
        target.write_bytes(entry.read_bytes())
        target.chmod(0o600)
        entry.unlink()
        entry.symlink_to(target)
    _refuses_the_values(sandbox)


@pytest.mark.parametrize("level", [0, 1, 2], ids=["cache-folder", "pytemplar-folder", "dot-cache-folder"])
def test_a_folder_writable_by_others_disables_the_cache(sandbox: Sandbox, level: int) -> None:
    _plant(sandbox)
    folder = _cache(sandbox)
    for _ in range(level):
        folder = folder.parent
    folder.chmod(0o777)
    _refuses_the_values(sandbox)
    os.chmod(folder, 0o700)


def test_an_entry_for_other_content_is_not_trusted(sandbox: Sandbox) -> None:
    _plant(sandbox)
    for entry in _cache(sandbox).iterdir():
        entry.write_bytes(b"")
    _refuses_the_values(sandbox)
