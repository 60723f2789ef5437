"""The compiled-template cache trusts no file another user could have written (H63).

Loading a cache entry runs the code it holds, so a planted entry runs code. An entry is loaded
only when it, its folder and every folder above are writable by the current user alone (a sticky
folder such as /tmp excepted). The planted entries here keep the header of the entry they replace
(so they stand for the same template source) and hold code that creates a file; the first test
shows that it runs when the cache trusts them, so the refusals below are meaningful.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest

from .harness import RENDER, Sandbox

EXECUTED = "PYTEMPLAR-H63-EXECUTED"


def _planted(entry: bytes, path: Path) -> bytes:
    """``entry`` with its code replaced by code that creates the file ``path``: an entry is a
    header line, the template source's checksum line, then the code."""
    code_starts = entry.index(b"\n", entry.index(b"\n") + 1) + 1
    return entry[:code_starts] + marshal.dumps(compile(f"open({str(path)!r}, 'w').close()", "<planted>", "exec"))


def _cache(sandbox: Sandbox) -> Path:
    return sandbox.home / ".cache" / "pytemplar" / "templates"


def _plant(sandbox: Sandbox) -> Path:
    """Render once to fill the cache, then replace every entry with one that runs code."""
    sandbox.write({})
    first = sandbox.run(*RENDER)
    assert first.code == 0, first.describe()
    entries = sorted(_cache(sandbox).iterdir())
    assert entries, "the first render should have filled the cache"
    marker = sandbox.base / EXECUTED
    for entry in entries:
        entry.write_bytes(_planted(entry.read_bytes(), marker))
    return marker


def _renders_without_running_the_entry(sandbox: Sandbox, marker: Path) -> None:
    result = sandbox.run(*RENDER)
    assert result.code == 0, result.describe()
    assert not marker.exists(), "a cache entry another user could write was loaded"
    names = [doc["metadata"]["name"] for doc in result.documents()]
    assert names == ["one"]


def test_a_private_entry_is_loaded(sandbox: Sandbox) -> None:
    """The control: an entry of the user's own, in private folders, is trusted and loaded."""
    marker = _plant(sandbox)
    sandbox.run(*RENDER)
    assert marker.exists()


def test_an_own_entry_writable_by_others_is_not_loaded(sandbox: Sandbox) -> None:
    marker = _plant(sandbox)
    for entry in _cache(sandbox).iterdir():
        entry.chmod(0o666)
    _renders_without_running_the_entry(sandbox, marker)


def test_an_own_entry_writable_by_the_group_is_not_loaded(sandbox: Sandbox) -> None:
    marker = _plant(sandbox)
    for entry in _cache(sandbox).iterdir():
        entry.chmod(0o620)
    _renders_without_running_the_entry(sandbox, marker)


@pytest.mark.parametrize("level", [0, 1, 2], ids=["cache-folder", "pytemplar-folder", "dot-cache-folder"])
def test_a_folder_writable_by_others_disables_the_cache(sandbox: Sandbox, level: int) -> None:
    marker = _plant(sandbox)
    folder = _cache(sandbox)
    for _ in range(level):
        folder = folder.parent
    folder.chmod(0o777)
    _renders_without_running_the_entry(sandbox, marker)
    os.chmod(folder, 0o700)


def test_a_sticky_folder_above_is_fine(sandbox: Sandbox) -> None:
    """/tmp-like folders (sticky, writable by all) above the cache do not disable it."""
    marker = _plant(sandbox)
    (sandbox.home / ".cache").chmod(0o1777)
    sandbox.run(*RENDER)
    assert marker.exists()
