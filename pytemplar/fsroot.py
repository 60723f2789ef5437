"""The one place that opens input files.

A :class:`Root` confines reads to a folder, the way Kustomize's root-only load restrictor
does: symlinks are resolved before the containment check, only regular files are read,
and every read is capped in size.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from pytemplar.errors import FileAccessError, Location, display_path
from pytemplar.records import field, record

MAX_FILE_BYTES = 5 * 1024 * 1024
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz")  # packaged apps (pytemplar.archive reads them)


# A file name and a folder path that need no resolving beyond links (no ".", "..", "//" or "\\"):
# string tests that decide as the patterns in tests/properties/test_name_rule_properties.py
# (compiling the two patterns cost a one-release render 0.18 ms).
def _plain_name(name: str) -> bool:
    """``(?!\\.\\.?\\Z)[^/\\\\\\x00]+`` in full: not "", "." or "..", no '/', '\\\\' or NUL."""
    return name not in _DOTS and "/" not in name and "\\" not in name and "\x00" not in name


def _plain_folder(folder: str) -> bool:
    """``(?:(?!\\.\\.?(?:/|\\Z))[^/\\\\\\x00]+/)*(?!\\.\\.?\\Z)[^/\\\\\\x00]+`` in full: such names
    joined by single '/' (between slashes, no part is "", "." or "..")."""
    if "\\" in folder or "\x00" in folder:
        return False
    between = f"/{folder}/"
    return "//" not in between and "/./" not in between and "/../" not in between


_DOTS = ("", ".", "..")
_FULL_RESOLVE_ONLY = sys.platform == "win32"  # drive letters, junctions: Path.resolve decides alone


def is_archive_name(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a packaged app; asked of every app folder, so it lives here, not in
    pytemplar.archive, which a render of folders does not load."""
    return os.fspath(path).lower().endswith(ARCHIVE_SUFFIXES)


@record
class Root:
    """A folder whose files may be read; nothing outside it can be."""

    path: Path
    # Folders (as named, relative to the root) -> their real path, resolved once: a file's real
    # path is then its folder's and its own name, when an lstat() shows that name is no link.
    _folders: dict[str, Path] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def _text(self) -> str:
        return str(self.path)

    @classmethod
    def at(cls, folder: str | os.PathLike[str]) -> Root:
        path = Path(folder)
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise FileAccessError(f"folder '{path}' does not exist", location=Location(str(path))) from exc
        if not resolved.is_dir():
            raise FileAccessError(f"'{path}' is not a folder", location=Location(str(path)))
        return cls(resolved)

    def resolve(self, relative: str | os.PathLike[str]) -> Path:
        """The real path of ``relative``, refused when it leads outside the root."""
        text = os.fspath(relative)
        folder, _, name = text.rpartition("/")
        if _FULL_RESOLVE_ONLY or text[:1] == "/" or not _plain_name(name) or (folder and not _plain_folder(folder)):
            return self._resolve_all(relative)
        real_folder = self._folders.get(folder)
        if real_folder is None:
            # Resolved and checked as any path is; kept only when it is a folder inside the root.
            try:
                real_folder = self._resolve_all(folder or ".")
            except FileAccessError:
                real_folder = None
            if real_folder is None or not os.path.isdir(real_folder):
                return self._resolve_all(relative)  # refused, or not there: said of the file itself
            self._folders[folder] = real_folder
        real = real_folder / name
        try:
            is_link = stat.S_ISLNK(os.lstat(real).st_mode)
        except FileNotFoundError:
            return real  # as Path.resolve(strict=False) gives a name that is not there
        except (OSError, ValueError):
            return self._resolve_all(relative)
        return self._resolve_all(relative) if is_link else real

    def _resolve_all(self, relative: str | os.PathLike[str]) -> Path:
        """:meth:`resolve` by resolving every component of the path."""
        candidate = Path(relative)
        joined = candidate if candidate.is_absolute() else self.path / candidate
        try:
            real = joined.resolve(strict=False)
        except (OSError, RuntimeError) as exc:  # symlink loops
            raise FileAccessError(
                f"cannot resolve '{relative}': {exc.__class__.__name__}",
                location=Location(str(joined)),
            ) from exc
        if real != self.path and self.path not in real.parents:
            raise FileAccessError(
                f"'{relative}' is outside the folder '{display_path(self.path)}'",
                location=Location(str(joined)),
                hint="files may only be read from inside the project or app folder",
            )
        return real

    def exists(self, relative: str | os.PathLike[str]) -> bool:
        """Whether a regular file inside the root is there (False for anything else)."""
        try:
            return self.resolve(relative).is_file()
        except FileAccessError:
            return False

    def present(self, relative: str | os.PathLike[str]) -> bool:
        """Whether anything is at ``relative`` (a link, a device, a folder...), readable or not.

        Optional files are looked for with this, then read: a link out of the root or a FIFO
        where a values file should be is then an error that names it, never a silent skip.
        """
        text = os.fspath(relative)
        if _FULL_RESOLVE_ONLY or text[:1] == "/" or not _plain_folder(text):
            return os.path.lexists(self.path / relative)
        return os.path.lexists(f"{self._text}/{text}")  # a plain relative name: the same path, made faster

    def read_bytes(self, relative: str | os.PathLike[str], *, limit: int = MAX_FILE_BYTES) -> bytes:
        return self._read_real(self.resolve(relative), relative, limit)

    def read_resolved_text(self, real: Path, relative: str, *, limit: int = MAX_FILE_BYTES) -> str:
        """:meth:`read_text` of a path that :meth:`resolve` has just returned for ``relative``."""
        data = self._read_real(real, relative, limit)
        if not data.startswith(_BOM):
            try:
                return data.decode("utf-8")  # the common case; decode_utf8 says what is wrong
            except UnicodeDecodeError:
                pass
        return decode_utf8(data, str(self.path / relative))

    def _shown(self, relative: str | os.PathLike[str]) -> str:
        """How messages show the file: the root and the name as given (made only for a message)."""
        return str(self.path / relative)

    def _read_real(self, real: Path, relative: str | os.PathLike[str], limit: int) -> bytes:
        try:
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError as exc:
            raise FileAccessError(f"file '{relative}' not found", location=Location(self._shown(relative))) from exc
        except OSError as exc:
            raise FileAccessError(
                f"cannot open '{relative}': {exc.strerror}", location=Location(self._shown(relative))
            ) from exc
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                what = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
                raise FileAccessError(f"'{relative}' is {what}, not a file", location=Location(self._shown(relative)))
            if info.st_size > limit:
                raise FileAccessError(
                    f"'{relative}' is {info.st_size} bytes, above the limit of {limit}",
                    location=Location(self._shown(relative)),
                )
            data = _read_all(fd, info.st_size, limit + 1)
        finally:
            os.close(fd)
        if len(data) > limit:
            raise FileAccessError(f"'{relative}' grew above {limit} bytes", location=Location(self._shown(relative)))
        return data

    def read_text(self, relative: str | os.PathLike[str], *, limit: int = MAX_FILE_BYTES) -> str:
        data = self.read_bytes(relative, limit=limit)
        return decode_utf8(data, str(self.path / relative))

    def list_files(self, folder: str, suffix: str = "") -> list[str]:
        """Regular files below ``folder`` (relative names, sorted), not entering linked folders."""
        start = self.resolve(folder)
        if not start.is_dir():
            return []
        found: list[str] = []
        for current, dirs, files in os.walk(start, followlinks=False):
            for name in dirs:
                if os.path.islink(os.path.join(current, name)):
                    shown = Path(current, name).relative_to(self.path)
                    raise FileAccessError(
                        f"'{shown}' is a link to a folder; templates must be files inside the app",
                        location=Location(str(Path(current, name))),
                    )
            dirs.sort()
            for name in sorted(files):
                if name.endswith(suffix):
                    full = Path(current) / name
                    found.append(full.relative_to(self.path).as_posix())
        return found


def _read_all(fd: int, size: int, most: int) -> bytes:
    """Up to ``most`` bytes of an open file of ``size`` bytes (as fstat saw it) by os.read, without
    a buffered reader: the file's size and one more byte first (an empty read proves the end),
    then in chunks, should it have grown."""
    data = os.read(fd, min(size + 1, most))
    if not data:
        return data
    chunks = [data]
    total = len(data)
    while total < most:
        chunk = os.read(fd, min(_CHUNK, most - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks) if len(chunks) > 1 else data


_CHUNK = 1 << 16


if sys.platform == "win32":  # pragma: no cover
    from pathlib import WindowsPath as _ConcretePath
else:
    from pathlib import PosixPath as _ConcretePath


class MemberPath(_ConcretePath):
    """The path of a file held in memory (a member of an app archive).

    Callers of :meth:`Root.resolve` ask the result ``is_file()``; nothing is on disk at this
    path, so the answer comes from the archive.
    """

    _member_exists = False

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return self._member_exists


@record
class ArchiveRoot(Root):
    """An app read from an archive into memory: the same reads as :class:`Root`, no disk.

    ``path`` is what messages show (the archive path and its top folder, or the folder it was
    packaged from); ``files`` maps names relative to the root (``templates/a.yaml.j2``) to their
    bytes. The archive reader has refused links, special files and names that leave the root.
    """

    files: Mapping[str, bytes] = field(default_factory=dict, compare=False)

    def _name(self, relative: str | os.PathLike[str]) -> str:
        """``relative`` as a member name, refused when it leads outside the root."""
        text = os.fspath(relative)
        name = _inside_name(text)
        if name is None:
            raise FileAccessError(
                f"'{relative}' is outside the folder '{display_path(self.path)}'",
                location=Location(str(self.path / text)),
                hint="files may only be read from inside the project or app folder",
            )
        return name

    def _is_folder(self, name: str) -> bool:
        prefix = f"{name}/" if name else ""
        return any(key.startswith(prefix) for key in self.files)

    def resolve(self, relative: str | os.PathLike[str]) -> Path:
        name = self._name(relative)
        path = MemberPath(self.path / name) if name else MemberPath(self.path)
        path._member_exists = name in self.files
        return path

    def exists(self, relative: str | os.PathLike[str]) -> bool:
        try:
            return self._name(relative) in self.files
        except FileAccessError:
            return False

    def present(self, relative: str | os.PathLike[str]) -> bool:
        try:
            name = self._name(relative)
        except FileAccessError:
            return False
        return name in self.files or self._is_folder(name)

    def read_resolved_text(self, real: Path, relative: str, *, limit: int = MAX_FILE_BYTES) -> str:
        return self.read_text(relative, limit=limit)  # members are read from memory, not by path

    def read_bytes(self, relative: str | os.PathLike[str], *, limit: int = MAX_FILE_BYTES) -> bytes:
        name = self._name(relative)
        shown = str(self.path / relative)
        data = self.files.get(name)
        if data is None:
            if self._is_folder(name):
                raise FileAccessError(f"'{relative}' is a folder, not a file", location=Location(shown))
            raise FileAccessError(f"file '{relative}' not found", location=Location(shown))
        if len(data) > limit:
            raise FileAccessError(
                f"'{relative}' is {len(data)} bytes, above the limit of {limit}", location=Location(shown)
            )
        return data

    def below(self, folder: str, *, keep: str) -> ArchiveRoot:
        """The files below ``folder`` as a root of their own, with those below ``keep`` kept at
        the same names (an archive's vendored dependencies stay visible to each of them)."""
        inner = f"{self._name(folder)}/"
        kept = f"{self._name(keep)}/"
        files = {name: data for name, data in self.files.items() if name.startswith(kept)}
        files.update({name[len(inner) :]: data for name, data in self.files.items() if name.startswith(inner)})
        return ArchiveRoot(self.path / folder, files)

    def list_files(self, folder: str, suffix: str = "") -> list[str]:
        """Files below ``folder``, in the order :meth:`Root.list_files` gives for a folder:
        a folder's own files (sorted) before those of its subfolders (sorted)."""
        name = self._name(folder)
        prefix = f"{name}/" if name else ""
        found = [key for key in self.files if key.startswith(prefix) and key.endswith(suffix)]
        return sorted(found, key=_walk_order)


def _inside_name(text: str) -> str | None:
    """``text`` with ``.`` and ``..`` applied, or None when it is absolute or climbs out."""
    if text.startswith("/") or "\\" in text:
        return None
    parts: list[str] = []
    for part in PurePosixPath(text).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _walk_order(name: str) -> list[tuple[int, str]]:
    *folders, file = name.split("/")
    return [*((1, part) for part in folders), (0, file)]


_BOM = b"\xef\xbb\xbf"


def decode_utf8(data: bytes, path: str) -> str:
    """Strict UTF-8 (a single leading BOM allowed), with the line of the first bad byte."""
    if data.startswith(_BOM):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise FileAccessError(
            "not valid UTF-8", location=Location(path, line, column), hint="save the file as UTF-8"
        ) from exc
    if text.startswith("\ufeff"):
        raise FileAccessError("the file starts with two byte-order marks", location=Location(path, 1, 1))
    return text
