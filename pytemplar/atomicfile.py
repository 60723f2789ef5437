"""Writing a file so that a reader sees its old content or its new content, never a part.

Every writer of a single file goes through :func:`replacing`: the overlay editor (``set``,
``rollout``), ``package`` and the template cache. The new content goes to a temporary file in
the target's folder, which then takes the target's place with one rename; on any failure the
temporary file is removed and the target is untouched. Writers of folders (``--output-dir``,
``init``/``new``/``add``/``import helm``) build the tree in a :func:`staging` folder beside the
target with :func:`create`, then rename its entries into place. ``OSError`` reaches the caller,
which knows what to tell the user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(
    target: Path,
    data: bytes,
    *,
    mode: int | None = None,
    keep_metadata: bool = False,
    create_only: bool = False,
    durable: bool = True,
) -> Iterator[None]:
    """Write ``data`` beside ``target``; when the ``with`` body (last checks) ends without an
    exception, put it in place of ``target`` with one rename.

    ``mode``: the new file's permission bits exactly; by default 0o666 less the umask, like any
    new file. ``keep_metadata``: an existing target's permission bits and, where allowed, owner.
    ``create_only``: the file is linked into place, so a target created meanwhile is never
    overwritten (``FileExistsError``). ``durable``: the data, then the folder, are flushed to disk.
    """
    temporary = _write_temporary(target, data, mode, keep_metadata, durable)
    try:
        yield
        if create_only:
            os.link(temporary, target)
            os.unlink(temporary)
        else:
            os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if durable:
        _sync_folder(target.parent)


def _write_temporary(target: Path, data: bytes, mode: int | None, keep_metadata: bool, durable: bool) -> Path:
    # An unpredictable name, created exclusively and never through a link: no one can plant it.
    # (os.urandom is what secrets.token_hex reads; importing secrets would load hmac at start-up.)
    temporary = target.parent / f".{target.name}.{os.urandom(6).hex()}.tmp"
    existing = os.stat(target) if keep_metadata and os.path.lexists(target) else None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temporary, flags, 0o600 if mode is not None or existing else 0o666)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        if existing is not None:
            info = existing
            os.fchmod(fd, stat.S_IMODE(info.st_mode))
            with contextlib.suppress(OSError):  # keeping the owner needs privileges; the mode does not
                if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
                    os.fchown(fd, info.st_uid, info.st_gid)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    os.close(fd)
    return temporary


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def staging(beside: Path, prefix: str) -> Iterator[Path]:
    """A new private folder in ``beside`` to build a tree in before its entries are renamed into
    place; removed with what is left in it when the ``with`` ends, however it ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=beside))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def create(folder: Path, relative: str, data: bytes) -> None:
    """Write the new file ``folder/relative`` (folders made as needed): created exclusively and
    never through a link, like :func:`replacing`'s temporary file."""
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
