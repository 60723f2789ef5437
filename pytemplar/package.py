"""``pytemplar package``: an app template as a reproducible, checksummed ``NAME-VERSION.tgz``.

The same app gives the same bytes on any machine and at any time:

* members sorted, all under the top folder ``NAME/``; folders only where files are;
* every mtime is ``SOURCE_DATE_EPOCH`` when that is set (the reproducible-builds convention),
  else 0; uid and gid 0, no user or group names; modes 0755 for folders and executable files,
  0644 for the rest;
* POSIX.1-2001 (PAX) tar format; gzip without a file name or timestamp, at level 9 (the bytes
  depend on zlib, which has not changed its output for the same level in many years).

Before anything is written the archive is read back from memory the way ``render`` reads it and
checked: every template compiles, the defaults satisfy the schema, and the templates render
with the defaults alone. The archive and its ``.sha256`` file are written to temporary files and
renamed into place, so a failed run writes nothing.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pytemplar.archive import archive_root, read_archive_bytes
from pytemplar.atomicfile import replacing
from pytemplar.dependencies import VENDORED
from pytemplar.errors import FileAccessError, Location, OutputError, UsageError, ValuesError
from pytemplar.fsroot import ArchiveRoot, Root, is_archive_name
from pytemplar.ignore import IGNORE_FILE, IgnoreRules
from pytemplar.project import App, Workspace
from pytemplar.templating.engine import TemplateEngine, template_context
from pytemplar.templating.parse import parse_rendered
from pytemplar.values import AbsentKeys, key_origin_of, merge_layers, origin_of

EXECUTABLE = 0o755
REGULAR = 0o644

Member = tuple[bytes, int]  # content and mode of a packaged file


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    data: bytes
    sha256: str

    @property
    def file_name(self) -> str:
        return f"{self.name}-{self.version}.tgz"

    @property
    def checksum_line(self) -> str:
        """The ``.sha256`` file's text, in the format ``sha256sum --check`` reads."""
        return f"{self.sha256}  {self.file_name}\n"


def build_package(folder: Path) -> Package:
    """The checked archive of the app template in ``folder``, in memory."""
    if folder.is_file() and is_archive_name(folder):
        raise UsageError(f"'{folder}' is already a packaged app; give the app template folder")
    app = Workspace().app(folder)
    files = _packaged_files(app.root)
    files.update(_vendored(app, files))
    data = _archive_bytes(app.name, files, _mtime())
    archive = read_archive_bytes(data, str(app.root.path))
    # Read back with the source folder as the shown path, so a problem names the real file.
    packaged = Workspace().app_in(archive_root(archive, app.root.path))
    _check_renders(packaged)
    return Package(app.name, app.version, data, archive.sha256)


def write_package(package: Package, folder: Path, app_folder: Path) -> Path:
    """Write the archive and its ``.sha256`` into ``folder``, each as a temporary file renamed
    into place once both are written; a failure leaves no temporary file behind."""
    target = Path(os.path.abspath(folder))
    _refuse_inside_app(target, app_folder.resolve(), folder)
    if target.exists() and not target.is_dir():
        raise OutputError(f"'{folder}' is not a folder", location=Location(str(folder)))
    target.mkdir(parents=True, exist_ok=True)
    archive = target / package.file_name
    checksum = target / f"{package.file_name}.sha256"
    try:
        # Both are written before either is renamed into place: an archive beside the checksum
        # of another is left only if the last rename fails.
        with (
            replacing(checksum, package.checksum_line.encode("ascii"), mode=REGULAR),
            replacing(archive, package.data, mode=REGULAR),
        ):
            pass
    except OSError as exc:
        raise OutputError(f"cannot write the package: {exc.strerror}", location=Location(str(archive))) from exc
    return archive


def _refuse_inside_app(target: Path, app_folder: Path, shown: Path) -> None:
    real = target.resolve()
    if real == app_folder or app_folder in real.parents:
        raise UsageError(
            f"the package folder '{shown}' is inside the app template; the next package would include it",
            hint="write packages outside the app folder, e.g. -d dist",
        )


def _mtime() -> int:
    text = os.environ.get("SOURCE_DATE_EPOCH")
    if text is None or text == "":
        return 0
    if not text.isdigit():
        raise UsageError(
            f"SOURCE_DATE_EPOCH is '{text}', not a number of seconds",
            hint="set it to a Unix time such as $(git log -1 --format=%ct), or unset it",
        )
    return int(text)


def _packaged_files(root: Root) -> dict[str, Member]:
    """The app's files to package (relative name -> content and mode), links and special files refused."""
    if isinstance(root, ArchiveRoot):
        return {name: (data, REGULAR) for name, data in root.files.items()}
    rules = (
        IgnoreRules.parse(root.read_text(IGNORE_FILE), str(root.path / IGNORE_FILE))
        if root.present(IGNORE_FILE)
        else IgnoreRules()
    )
    found: dict[str, Member] = {}
    for current, folders, names in os.walk(root.path):
        here = Path(current)
        relative_here = here.relative_to(root.path).as_posix()
        prefix = "" if relative_here == "." else f"{relative_here}/"
        folders[:] = sorted(name for name in folders if not _skip(rules, here / name, prefix + name, True, root))
        for name in sorted(names):
            if not _skip(rules, here / name, prefix + name, False, root):
                found[prefix + name] = (root.read_bytes(prefix + name), _mode(here / name))
    return found


def _vendored(app: App, files: Mapping[str, Member]) -> dict[str, Member]:
    """Every dependency's files under ``dependencies/NAME/``, where archives are read from."""
    if not app.dependencies:
        return {}
    taken = next((name for name in files if name.startswith(f"{VENDORED}/")), None)
    if taken is not None:
        raise FileAccessError(
            f"the app has '{taken}', but {VENDORED}/ is where the package puts the app's dependencies",
            location=Location(str(app.root.path / taken)),
            hint=f"rename the folder, or list it in {IGNORE_FILE}",
        )
    vendored: dict[str, Member] = {}
    for name, dependency in sorted(app.dependencies.items()):
        for relative, member in _packaged_files(dependency.app.root).items():
            if not relative.startswith(f"{VENDORED}/"):  # vendored flat, at the top, once
                vendored[f"{VENDORED}/{name}/{relative}"] = member
    return vendored


def _skip(rules: IgnoreRules, path: Path, relative: str, is_folder: bool, root: Root) -> bool:
    """Whether ``relative`` is left out; a link or special file that is not left out is refused,
    except a link to a file inside the app, which ``render`` follows too: the archive holds a copy
    of the file (never a link, which an extractor might follow)."""
    if rules.ignored(relative, is_folder):
        return True
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        target = path.resolve()
        if not is_folder and target.is_file() and target.is_relative_to(root.path.resolve()):
            return False
        raise FileAccessError(
            f"'{relative}' is a symbolic link {'to a folder' if is_folder else 'that leaves the app'}; "
            "packaged apps hold files only",
            location=Location(str(path)),
            hint=f"replace the link with the file, or list it in {IGNORE_FILE}",
        )
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        raise FileAccessError(
            f"'{relative}' is a device, pipe or socket; packaged apps hold files only",
            location=Location(str(path)),
            hint=f"remove it, or list it in {IGNORE_FILE}",
        )
    return False


def _mode(path: Path) -> int:
    return EXECUTABLE if path.stat().st_mode & 0o111 else REGULAR  # a link's file decides


def _archive_bytes(name: str, files: Mapping[str, Member], mtime: int) -> bytes:
    """A gzip-compressed tar of ``files`` under ``name/``: the same input, the same bytes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in _entries(files):
            if not entry or entry.endswith("/"):
                tar.addfile(_info(f"{name}/{entry}".rstrip("/"), tarfile.DIRTYPE, EXECUTABLE, 0, mtime))
                continue
            data, mode = files[entry]
            tar.addfile(_info(f"{name}/{entry}", tarfile.REGTYPE, mode, len(data), mtime), io.BytesIO(data))
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, compresslevel=9, mtime=0) as stream:
        stream.write(raw.getvalue())
    return compressed.getvalue()


def _entries(files: Mapping[str, Member]) -> list[str]:
    """Folders (``""`` for the top one, else ending in ``/``) and files, parents first, sorted."""
    folders = {""}
    for path in files:
        parts = path.split("/")
        folders.update("/".join(parts[:end]) + "/" for end in range(1, len(parts)))
    return sorted([*folders, *files], key=lambda entry: entry.rstrip("/").split("/") if entry else [])


def _info(name: str, kind: bytes, mode: int, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = size
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _check_renders(app: App) -> None:
    """Refuse an app whose templates do not compile, or do not render with the defaults alone."""
    layers = [app.defaults]
    schema = app.schema
    list_keys = schema.list_keys if schema is not None else None
    values = merge_layers(layers, list_keys)
    if schema is not None:
        problems = schema.validate(
            values,
            lambda path: origin_of(layers, path, values, list_keys),
            locate_key=lambda path: key_origin_of(layers, path, values, list_keys),
        )
        if problems:
            raise ValuesError.collect(problems)
    engine = TemplateEngine(app)
    engine.compile_all()
    context = template_context(
        values,
        release=app.name,
        namespace="default",
        environment="package",
        app=app,
        kube_version=app.kube_version,
        absent=AbsentKeys({}, app.schema.names if app.schema is not None else None),
    )
    parse_rendered(engine.render(context), app.name, "package")
