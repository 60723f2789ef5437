"""Reading app archives into memory (archive.py) and serving them as a Root (fsroot.ArchiveRoot).

The hostile archives themselves (traversal, links, bombs...) are tested end to end in
tests/hostile/test_archives.py; these tests cover what is accepted and the in-memory Root.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from pytemplar import archive
from pytemplar.errors import FileAccessError
from pytemplar.fsroot import ArchiveRoot, Root


def _tgz(entries: dict[str, bytes | None], *extra: tuple[str, bytes]) -> bytes:
    """A gzip tar of ``entries`` (name -> bytes; None for a folder), then the ``extra`` files."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in [*entries.items(), *extra]:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


GOOD = {
    "demo": None,
    "demo/app.yaml": b"name: demo\nversion: 0.1.0\n",
    "demo/templates": None,
    "demo/templates/cm.yaml.j2": b"kind: ConfigMap\n",
}


def test_a_good_archive_is_read_into_memory() -> None:
    data = _tgz(GOOD)
    read = archive.read_archive_bytes(data, "demo.tgz")
    assert read.top == "demo"
    assert read.files == {"app.yaml": GOOD["demo/app.yaml"], "templates/cm.yaml.j2": GOOD["demo/templates/cm.yaml.j2"]}
    assert read.sha256 == hashlib.sha256(data).hexdigest()


def test_names_made_by_tar_with_a_leading_dot_slash_are_accepted() -> None:
    read = archive.read_archive_bytes(_tgz({f"./{name}": data for name, data in GOOD.items()}), "demo.tgz")
    assert read.top == "demo"
    assert sorted(read.files) == ["app.yaml", "templates/cm.yaml.j2"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("demo//x.txt", "member 'demo//x.txt' has an empty or '.' part in its name"),
        ("demo/./x.txt", "member 'demo/./x.txt' has an empty or '.' part in its name"),
        ("demo/templates", "member 'demo/templates' appears twice"),
    ],
)
def test_unusual_names_are_refused(name: str, message: str) -> None:
    with pytest.raises(FileAccessError) as caught:
        archive.read_archive_bytes(_tgz(GOOD, (name, b"x")), "demo.tgz")
    assert caught.value.problems[0].message == message
    assert str(caught.value.problems[0].location) == "demo.tgz"


def test_the_decompressed_stream_is_capped_whatever_the_headers_say(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_STREAM_BYTES", 4096)
    with pytest.raises(FileAccessError, match=r"decompresses to more than 4,096 bytes"):
        archive.read_archive_bytes(_tgz({**GOOD, "demo/big.txt": bytes(100_000)}), "demo.tgz")


def test_an_archive_file_above_the_size_limit_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 100)
    path = tmp_path / "demo.tgz"
    path.write_bytes(bytes(101))
    with pytest.raises(FileAccessError, match=r"the app archive is larger than 100 bytes"):
        archive.read_archive_file(path)


# -- ArchiveRoot: the same reads as Root, from memory ---------------------------------------------

TREE = {
    "app.yaml": b"name: demo\n",
    "templates/z.yaml.j2": b"z",
    "templates/a.yaml.j2": b"a",
    "templates/sub/b.yaml.j2": b"b",
    "templates/_h.j2": b"h",
    "files/conf.txt": b"conf",
}


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Root, ArchiveRoot]:
    for name, data in TREE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return Root.at(tmp_path), ArchiveRoot(tmp_path, TREE)


def test_list_files_gives_the_folder_order(roots: tuple[Root, ArchiveRoot]) -> None:
    folder, memory = roots
    for where, suffix in (("templates", ".j2"), ("", ""), ("files", ".txt"), ("nothing", "")):
        assert memory.list_files(where, suffix) == folder.list_files(where, suffix)


def test_reads_and_probes_match_the_folder(roots: tuple[Root, ArchiveRoot]) -> None:
    folder, memory = roots
    for name in ("app.yaml", "files/conf.txt", "templates/../app.yaml", "missing.txt", "templates"):
        assert memory.exists(name) == folder.exists(name), name
        assert memory.present(name) == folder.present(name), name
        assert memory.resolve(name).is_file() == folder.resolve(name).is_file(), name
        assert memory.resolve(name) == folder.resolve(name), name
    assert memory.read_text("files/conf.txt") == "conf"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../outside.txt", "'../outside.txt' is outside the folder"),
        ("/etc/passwd", "'/etc/passwd' is outside the folder"),
        ("files\\..\\..\\x", "is outside the folder"),
        ("missing.txt", "file 'missing.txt' not found"),
        ("templates", "'templates' is a folder, not a file"),
    ],
)
def test_reads_outside_or_of_nothing_are_refused(roots: tuple[Root, ArchiveRoot], name: str, message: str) -> None:
    _, memory = roots
    with pytest.raises(FileAccessError, match=message.replace("\\", "\\\\")):
        memory.read_text(name)


def test_a_read_above_the_limit_is_refused(roots: tuple[Root, ArchiveRoot]) -> None:
    _, memory = roots
    with pytest.raises(FileAccessError, match=r"'files/conf.txt' is 4 bytes, above the limit of 3"):
        memory.read_bytes("files/conf.txt", limit=3)
