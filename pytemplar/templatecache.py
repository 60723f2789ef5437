"""Compiled templates kept on disk between runs.

Jinja2 turns each template into Python source and then into a code object; for the example
app that costs ~80 ms, more than rendering one release. The code objects are kept, as Python
keeps ``.pyc`` files, in a per-user cache folder and reused while the template's text, its
file, Python, Jinja2 and pytemplar's template-shaping code are the same.

Loading a cached file runs ``marshal`` on it, so a file someone else could have written would be
code execution. The cache is therefore used only when its folder belongs to the current user and
nobody else can write to it, nor to any folder above it (a folder above may be writable by others
only when it is sticky and so protects its entries, as ``/tmp`` does), and each file read is a
regular file of that user, writable by nobody else, opened without following links; otherwise
templates are compiled as if there were no cache. Ownership alone is not enough: a file of the
user's left writable by others (``chmod 666``) may hold anything. Newly compiled templates are
written only by :func:`save_compiled`, which the command line calls once a command succeeded: a
failing command writes nothing, not even here. Nothing about the cache can make a command fail: any
error reading or writing it is ignored.
``PYTEMPLAR_NO_CACHE=1`` turns it off, ``PYTEMPLAR_CACHE_DIR`` moves it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from types import CodeType

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from pytemplar.cachefolder import code_stamp, read_private, usable_folder, write_private

_SHAPING_MODULES = (
    "templating/engine.py",
    "templating/codegen.py",
    "budget.py",
)  # their code decides what a template compiles to

_caches: dict[str, TemplateCodeCache | None] = {}


def template_cache(settings: str) -> TemplateCodeCache | None:
    """The cache for templates compiled under ``settings`` (the environment's options), or None
    when caching is off or the folder cannot be trusted."""
    if settings not in _caches:
        _caches[settings] = _open(settings)
    return _caches[settings]


def save_compiled() -> None:
    """Write the templates compiled so far in this process to the cache."""
    for cache in _caches.values():
        if cache is not None:
            cache.save()


def _open(settings: str) -> TemplateCodeCache | None:
    folder = usable_folder("templates")
    if folder is None:
        return None
    try:
        return TemplateCodeCache(folder, _salt(settings))
    except (OSError, RuntimeError):  # an unreadable installation: compile as if there were no cache
        return None


def _salt(settings: str) -> bytes:
    import jinja2

    from pytemplar import __version__

    digest = hashlib.sha256(_HEADER)  # an entry of another format is another key
    for part in (sys.version, jinja2.__version__, __version__, settings):
        digest.update(part.encode("utf-8") + b"\0")
    here = Path(__file__).parent
    digest.update(code_stamp(here / name for name in _SHAPING_MODULES))
    return digest.digest()


# An entry: this header, the template source's checksum as Jinja2 computes it and a newline, then
# the code object as marshal writes it. Jinja2's own format reads the code with marshal.load() from
# a file object, which fetches the bytes of each object of the code through a method call: for the
# ten templates of a one-release render, 1.0 ms against 0.4 ms with marshal.loads() on the bytes.
_HEADER = b"pytemplar compiled template 1\n"


def _entry(checksum: str, code: CodeType) -> bytes:
    return _HEADER + checksum.encode("utf-8", "surrogatepass") + b"\n" + marshal.dumps(code)


def _code_in(entry: bytes, checksum: str) -> CodeType | None:
    """The code an entry holds for a template whose source has ``checksum``; None for an entry of
    another source, of another format, or damaged."""
    head = _HEADER + checksum.encode("utf-8", "surrogatepass") + b"\n"
    if not entry.startswith(head):
        return None
    try:
        code = marshal.loads(memoryview(entry)[len(head) :])
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


class TemplateCodeCache(BytecodeCache):
    """Jinja2's bytecode cache over one private folder, one file per template."""

    def __init__(self, folder: Path, salt: bytes) -> None:
        self.folder = folder
        self.salt = salt
        self.pending: dict[str, bytes] = {}

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        digest = hashlib.sha256(self.salt)
        digest.update(f"{name}\0{filename}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        entry = self.pending.get(bucket.key) or self._read(self.folder / bucket.key)
        code = _code_in(entry, bucket.checksum) if entry is not None else None
        if code is None:
            bucket.reset()  # missing, stale or damaged: compiled as if it were not there
        else:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            self.pending[bucket.key] = _entry(bucket.checksum, bucket.code)

    def save(self) -> None:
        pending, self.pending = self.pending, {}
        write_private(self.folder, pending)

    def _read(self, path: Path) -> bytes | None:
        return read_private(path)

    def clear(self) -> None:
        for entry in os.scandir(self.folder):
            Path(entry.path).unlink(missing_ok=True)
