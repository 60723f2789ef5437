"""Reading and writing an overlay file for the editor: confined to the project, through a
symlink only when its target is inside the project, never through a hard link, with the
permission bits kept, atomically (:mod:`pytemplar.atomicfile`), and refused when the file
changed after it was read."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pytemplar.atomicfile import replacing
from pytemplar.errors import FileAccessError, Location, OutputError
from pytemplar.fsroot import MAX_FILE_BYTES, Root, decode_utf8


@dataclass
class OverlayFile:
    """An overlay as read for editing; ``original`` is None when the file does not exist yet."""

    path: Path  # as named in the project (what messages show)
    real: Path  # the file written: the link target for a symlink inside the project
    root: Root
    original: bytes | None
    text: str  # decoded, without a byte-order mark
    bom: bool = False

    @property
    def created(self) -> bool:
        return self.original is None

    def encode(self, text: str) -> bytes:
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


def read_overlay(root: Root, relative: str) -> OverlayFile:
    """The overlay ``relative`` to the project ``root``, refusing what must not be edited."""
    named = root.path / relative
    where = Location(str(named))
    real = _confined(root, relative, named)
    if not os.path.lexists(real):
        if os.path.islink(named):
            raise FileAccessError(
                f"'{relative}' is a symlink to '{os.readlink(named)}', which does not exist",
                location=where,
                hint="point the link at an existing file, or replace it by a file",
            )
        return OverlayFile(named, real, root, None, "")
    info = os.stat(real)
    if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
        raise FileAccessError(
            f"'{relative}' has {info.st_nlink} hard links; replacing it would leave the other names "
            "with the old content",
            location=where,
            hint="make it a file of its own (cp it to a new name and move that over it), then run the command again",
        )
    data = root.read_bytes(relative, limit=MAX_FILE_BYTES)
    text = decode_utf8(data, str(named))
    return OverlayFile(named, real, root, data, text, data.startswith(b"\xef\xbb\xbf"))


def _confined(root: Root, relative: str, named: Path) -> Path:
    try:
        return root.resolve(relative)
    except FileAccessError:
        if os.path.islink(named):
            raise FileAccessError(
                f"'{relative}' is a symlink to '{os.readlink(named)}', outside the project; "
                "refusing to edit through it",
                location=Location(str(named)),
                hint="replace the link by the file itself, or edit the target by hand",
            ) from None
        raise


def write_overlay(overlay: OverlayFile, text: str) -> None:
    """Replace the overlay's content by ``text`` atomically; refuse if it changed since it was read.

    The new content goes to a temp file in the same folder (same permission bits, flushed to
    disk), which then replaces the file with one rename; a new file is linked into place, so
    it never overwrites a file created meanwhile. On any failure nothing is left behind.
    """
    shown = Location(str(overlay.path))
    folder = overlay.real.parent
    made = _make_folders(folder, overlay)
    written = False
    try:
        with (
            _folder_lock(folder),
            replacing(overlay.real, overlay.encode(text), keep_metadata=True, create_only=overlay.original is None),
        ):
            _check_unchanged(overlay, shown)
        written = True
    except FileExistsError:
        raise OutputError(
            f"'{overlay.path.name}' was created by someone else while this edit ran; nothing was written",
            location=shown,
            hint="run the command again",
        ) from None
    except OSError as exc:
        raise OutputError(
            f"cannot write the file: {exc.strerror or exc}; nothing was changed",
            location=shown,
            hint="check the free space and the folder's permissions",
        ) from None
    finally:
        if not written and made and not os.path.lexists(overlay.real):
            for created in reversed(made):
                with contextlib.suppress(OSError):
                    os.rmdir(created)


def _make_folders(folder: Path, overlay: OverlayFile) -> list[Path]:
    missing: list[Path] = []
    current = folder
    while not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    made: list[Path] = []
    try:
        for path in reversed(missing):
            os.mkdir(path)
            made.append(path)
    except OSError as exc:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                os.rmdir(path)
        raise OutputError(
            f"cannot create the folder '{path.name}': {exc.strerror or exc}",
            location=Location(str(overlay.path)),
            hint="check the folder's permissions",
        ) from None
    return made


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder between the last check and the rename, so two pytemplar
    runs editing files there at the same time cannot both pass the check."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: the content check alone remains
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _check_unchanged(overlay: OverlayFile, shown: Location) -> None:
    if overlay.original is None:
        if os.path.lexists(overlay.real):
            raise FileExistsError(str(overlay.real))
        return
    try:
        current = overlay.root.read_bytes(overlay.real.relative_to(overlay.root.path))
    except (FileAccessError, ValueError):
        current = None
    if current != overlay.original:
        raise OutputError(
            "the file changed since it was read (another edit at the same time?); nothing was written",
            location=shown,
            hint="run the command again",
        )
