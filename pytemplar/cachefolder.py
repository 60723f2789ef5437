"""The per-user cache folder and the rules that make what it holds trustworthy.

What pytemplar keeps between runs (compiled templates, inputs found valid) would let whoever
could write it run code or pass invalid values, so a cache is used only when its folder belongs
to the current user and nobody else can write to it, nor to any folder above it (a folder above
may be writable by others only when it is sticky and so protects its entries, as ``/tmp`` does),
and each file read is a regular file of that user, writable by nobody else, opened without
following links. Files are written with mode 0600, only by a command that succeeded. Nothing
about a cache can make a command fail: an error reading or writing it only costs time.
``PYTEMPLAR_NO_CACHE=1`` turns caching off, ``PYTEMPLAR_CACHE_DIR`` moves the folder.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

CACHE_ENV = "PYTEMPLAR_CACHE_DIR"
DISABLE_ENV = "PYTEMPLAR_NO_CACHE"
# Past this, the oldest half of a folder's entries is removed. What one run keeps (an entry per
# release x environment whose values were found valid, one per template) must fit in half of it:
# otherwise each run removes what the next one needs and writes it all again (at 2,000, a run of
# 2,000 releases spent a quarter of its time rewriting ~1,100 entries). Entries are ~100 bytes.
MAX_ENTRIES = 20_000

_OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH


def default_folder() -> Path:
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pytemplar"


def code_stamp(paths: Iterable[Path]) -> bytes:
    """What a cache key takes from pytemplar's own files (the code and schemas an entry's answer
    depends on): each one's path, size, modification time and inode, as Python's bytecode cache
    judges a source file. Reading and hashing their text instead cost a one-release render ~0.5 ms;
    an installation, an upgrade or an edit changes the time. Raises OSError for a missing file."""
    parts = []
    for path in paths:
        info = os.stat(path)
        parts.append(f"{os.path.abspath(path)}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ino}")
    return "\0\0".join(parts).encode("utf-8", "surrogateescape")


def usable_folder(name: str) -> Path | None:
    """The cache's subfolder ``name`` when caching is on and the folder can be trusted (or does
    not exist yet: it is made on the first save, so a run that fails leaves no folder)."""
    if os.environ.get(DISABLE_ENV, "") not in ("", "0") or not hasattr(os, "getuid"):
        return None
    try:
        folder = default_folder() / name
        if not folder.is_dir():
            return folder
        return folder if private(folder) else None
    except (OSError, RuntimeError):  # no home folder, unreadable file system, ...
        return None


def private(folder: Path) -> bool:
    """Whether only the current user can have written ``folder`` and what it holds."""
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & _OTHERS_WRITE:
        return False
    return all(_safe_above(above) for above in Path(os.path.abspath(folder)).parents)


def _safe_above(folder: Path) -> bool:
    """A folder above the cache: another user who could write it could swap the cache folder."""
    info = os.stat(folder)  # links above the cache are followed, as the path itself is
    owned = info.st_uid in (os.getuid(), 0)
    return owned and (not info.st_mode & _OTHERS_WRITE or bool(info.st_mode & stat.S_ISVTX))


def read_private(path: Path) -> bytes | None:
    """The content of ``path`` if it is a regular file of the user that nobody else can write."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & _OTHERS_WRITE:
            return None
        return stream.read()


def write_private(folder: Path, entries: Mapping[str, bytes]) -> None:
    """Write ``entries`` (file name -> content) into ``folder``, made private if it is missing;
    nothing when the folder cannot be trusted."""
    if not entries:
        return
    from pytemplar.atomicfile import replacing  # with tempfile: only a run that has something to keep

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not private(folder):
            return
        for name, data in entries.items():
            # Private to the user, and not flushed to disk: a lost entry only costs time.
            with replacing(folder / name, data, mode=0o600, durable=False):
                pass
        _prune(folder)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _prune(folder: Path) -> None:
    entries = list(os.scandir(folder))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda entry: entry.stat().st_mtime)
    for entry in entries[: len(entries) // 2]:
        Path(entry.path).unlink(missing_ok=True)
