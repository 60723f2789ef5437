"""Reading packaged apps (``NAME-VERSION.tgz``) into memory, never onto disk.

Extracting archives is how tar tools get tricked into writing outside their folder (``..``,
absolute names, links, devices), so an archive is read member by member into a dict of bytes,
with every member checked first:

* names are relative, use ``/`` only, have no ``..``, ``.`` or empty parts, and no part starts
  with a drive (``c:``);
* only regular files and folders: no symbolic or hard links, devices, pipes or sparse files;
* no name twice; every member inside one top folder, which holds ``app.yaml``;
* sizes are capped per file, in total and in member count, and the decompressed stream is
  capped as a whole, so a gzip bomb stops after a bounded read whatever the headers claim.

The first problem refuses the whole archive, with a message naming the archive and the member.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from pytemplar.errors import FileAccessError, Location
from pytemplar.fsroot import MAX_FILE_BYTES, ArchiveRoot
from pytemplar.records import record

if TYPE_CHECKING:  # imported when an archive is read: a render of folders does without them
    import gzip
    import tarfile

MAX_ARCHIVE_BYTES = 20 * 1024 * 1024  # the compressed file
MAX_MEMBER_BYTES = MAX_FILE_BYTES  # one file, after decompression
MAX_TOTAL_BYTES = 50 * 1024 * 1024  # all files together
MAX_MEMBERS = 10_000
# Tar headers, long-name and PAX records and padding come on top of the files' bytes.
MAX_STREAM_BYTES = MAX_TOTAL_BYTES + MAX_MEMBERS * 3 * 512 + 1024 * 1024

_DRIVE = r"[A-Za-z]:"  # patterns a plain render does not use are compiled on first use
_REFUSE_HINT = "packaged apps are made by `pytemplar package`; rebuild the archive with it"


@record
class Archive:
    """The checked contents of an app archive."""

    top: str  # the one top folder, named after the app
    files: dict[str, bytes]  # names relative to the top folder -> content
    sha256: str  # of the compressed archive file


class _ArchiveProblem(Exception):
    """A reason to refuse the archive; turned into a located error by :func:`read_archive_bytes`."""


class _BoundedReader(io.RawIOBase):
    """The decompressed stream, refusing to deliver more than ``limit`` bytes in all."""

    def __init__(self, inner: gzip.GzipFile, limit: int) -> None:
        self._inner = inner
        self._limit = limit
        self._delivered = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        self._delivered += len(data)
        if self._delivered > self._limit:
            raise _ArchiveProblem(f"decompresses to more than {self._limit:,} bytes (a gzip bomb?)")
        buffer[: len(data)] = data
        return len(data)


def read_archive_file(path: Path) -> bytes:
    """The bytes of an archive file (a regular file), size-capped before anything is decompressed."""
    shown = Location(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise FileAccessError(f"app archive '{path.name}' not found", location=shown) from exc
    except OSError as exc:
        raise FileAccessError(f"cannot open the app archive: {exc.strerror}", location=shown) from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise FileAccessError("the app archive is not a regular file", location=shown)
        data = handle.read(MAX_ARCHIVE_BYTES + 1)
    if len(data) > MAX_ARCHIVE_BYTES:
        raise FileAccessError(
            f"the app archive is larger than {MAX_ARCHIVE_BYTES:,} bytes", location=shown, hint=_REFUSE_HINT
        )
    return data


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_archive_bytes(data: bytes, shown: str, required: str = "app.yaml") -> Archive:
    """Check and read an app archive held in ``data``; ``shown`` is the path messages name.
    ``required`` is the file that says what the archive is (a Helm chart's is Chart.yaml)."""
    if not data:
        raise FileAccessError("the app archive is empty (0 bytes)", location=Location(shown), hint=_REFUSE_HINT)
    try:
        top, files = _read_members(data, required)
    except _ArchiveProblem as exc:
        raise FileAccessError(str(exc), location=Location(shown), hint=_REFUSE_HINT) from None
    return Archive(top, files, sha256_hex(data))


def archive_root(archive: Archive, shown_path: Path) -> ArchiveRoot:
    """The archive's app as a :class:`Root`; messages name files below ``shown_path``."""
    return ArchiveRoot(shown_path, archive.files)


def _read_members(data: bytes, required: str = "app.yaml") -> tuple[str, dict[str, bytes]]:
    import gzip
    import tarfile

    stream = _BoundedReader(gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb"), MAX_STREAM_BYTES)
    reader = _MemberReader()
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                reader.add(member, tar)
    except gzip.BadGzipFile:
        raise _ArchiveProblem("not a gzip file") from None
    except (EOFError, zlib.error) as exc:
        raise _ArchiveProblem(f"the gzip stream is truncated or corrupt ({exc})") from None
    except tarfile.TarError as exc:
        raise _ArchiveProblem(f"not a readable tar archive: {_tar_reason(exc)}") from None
    return reader.finish(required)


def _tar_reason(exc: tarfile.TarError) -> str:
    text = str(exc) or type(exc).__name__
    return {"empty file": "no tar data inside the gzip stream", "unexpected end of data": "truncated"}.get(text, text)


class _MemberReader:
    """Checks members one by one, in archive order, and keeps the files' bytes."""

    def __init__(self) -> None:
        self.top: str | None = None
        self.files: dict[str, bytes] = {}
        self.seen: set[str] = set()
        self.count = 0
        self.total = 0

    def add(self, member: tarfile.TarInfo, tar: tarfile.TarFile) -> None:
        self.count += 1
        if self.count > MAX_MEMBERS:
            raise _ArchiveProblem(f"the archive has more than {MAX_MEMBERS:,} members")
        raw = member.name
        parts = _checked_parts(raw)
        _check_type(member, raw)
        name = "/".join(parts)
        if name in self.seen:
            raise _ArchiveProblem(f"member '{raw}' appears twice")
        self.seen.add(name)
        relative = self._below_top(parts, raw, member.isdir())
        if member.isdir():
            return
        self.files[relative] = self._content(member, tar, raw)

    def _below_top(self, parts: list[str], raw: str, folder: bool) -> str:
        if len(parts) == 1 and not folder:
            raise _ArchiveProblem(f"member '{raw}' is at the top of the archive; files belong in the app's folder")
        if self.top is None:
            self.top = parts[0]
        elif parts[0] != self.top:
            raise _ArchiveProblem(
                f"member '{raw}' is outside the top folder '{self.top}'; an archive holds exactly one app folder"
            )
        return "/".join(parts[1:])

    def _content(self, member: tarfile.TarInfo, tar: tarfile.TarFile, raw: str) -> bytes:
        # The header's size is checked first (nothing is read for a huge one), and the read is
        # capped again, so a header that lies about the size cannot make us read more.
        if member.size > MAX_MEMBER_BYTES:
            raise _ArchiveProblem(
                f"member '{raw}' is {member.size:,} bytes, above the limit of {MAX_MEMBER_BYTES:,} per file"
            )
        import tarfile

        handle = tar.extractfile(member)
        try:
            content = handle.read(MAX_MEMBER_BYTES + 1) if handle is not None else b""
        except (tarfile.ReadError, EOFError):
            content = b""
        if len(content) != member.size:
            raise _ArchiveProblem(f"member '{raw}' is truncated")
        self.total += len(content)
        if self.total > MAX_TOTAL_BYTES:
            raise _ArchiveProblem(
                f"the files add up to more than {MAX_TOTAL_BYTES:,} bytes (at member '{raw}'), above the limit"
            )
        return content

    def finish(self, required: str = "app.yaml") -> tuple[str, dict[str, bytes]]:
        if self.top is None:
            raise _ArchiveProblem("the archive holds no files")
        if required not in self.files:
            what = "app" if required == "app.yaml" else "chart"
            raise _ArchiveProblem(f"no {what} in the archive: '{self.top}/{required}' is missing")
        return self.top, self.files


def _checked_parts(raw: str) -> list[str]:
    """The parts of a member name, or a refusal saying what is wrong with it."""
    if not raw:
        raise _ArchiveProblem("a member has an empty name")
    if raw.startswith("/"):
        raise _ArchiveProblem(f"member '{raw}' has an absolute path; names must be relative")
    name = raw.removeprefix("./")
    parts = name.split("/")
    # A drive in any part: an extractor on Windows would make 'app/c:/x' the path 'c:/x'.
    if "\\" in raw or any(re.match(_DRIVE, part) for part in parts):
        raise _ArchiveProblem(f"member '{raw}' has a backslash or a drive prefix; names must use '/' only")
    if ".." in parts:
        raise _ArchiveProblem(f"member '{raw}' leaves the app folder ('..')")
    if any(part in ("", ".") for part in parts):
        raise _ArchiveProblem(f"member '{raw}' has an empty or '.' part in its name")
    return parts


def _check_type(member: tarfile.TarInfo, raw: str) -> None:
    if member.issym():
        raise _ArchiveProblem(f"member '{raw}' is a symbolic link; links are not allowed in packaged apps")
    if member.islnk():
        raise _ArchiveProblem(f"member '{raw}' is a hard link; links are not allowed in packaged apps")
    if member.ischr() or member.isblk() or member.isfifo():
        raise _ArchiveProblem(f"member '{raw}' is a special file (device or pipe); only files and folders are allowed")
    if member.issparse() or not (member.isreg() or member.isdir()):
        raise _ArchiveProblem(f"member '{raw}' has an unsupported type; only files and folders are allowed")
