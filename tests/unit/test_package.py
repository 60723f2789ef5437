"""What ``build_package`` puts in an archive: sorted members under NAME/, fixed metadata, no gzip
name or time, files left out by .pytemplarignore; and what it refuses."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest
from conftest import MINIMAL_APP, write_tree

from pytemplar.errors import FileAccessError, PytemplarError, UsageError
from pytemplar.package import build_package

APP = {path: text for path, text in MINIMAL_APP.items() if path.startswith("app/")}


def _members(data: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return tar.getmembers()


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    write_tree(tmp_path, {**APP, "app/files/z.txt": "z\n", "app/files/a/b.txt": "b\n", "app/run.sh": "#!/bin/sh\n"})
    (tmp_path / "app" / "run.sh").chmod(0o700)
    (tmp_path / "app" / "files" / "z.txt").chmod(0o600)
    return tmp_path / "app"


def test_members_are_sorted_under_the_app_folder_with_fixed_metadata(app: Path) -> None:
    package = build_package(app)
    members = _members(package.data)
    assert [(m.name, m.type, oct(m.mode)) for m in members] == [
        ("demo", tarfile.DIRTYPE, "0o755"),
        ("demo/app.yaml", tarfile.REGTYPE, "0o644"),
        ("demo/files", tarfile.DIRTYPE, "0o755"),
        ("demo/files/a", tarfile.DIRTYPE, "0o755"),
        ("demo/files/a/b.txt", tarfile.REGTYPE, "0o644"),
        ("demo/files/z.txt", tarfile.REGTYPE, "0o644"),
        ("demo/run.sh", tarfile.REGTYPE, "0o755"),
        ("demo/templates", tarfile.DIRTYPE, "0o755"),
        ("demo/templates/deployment.yaml.j2", tarfile.REGTYPE, "0o644"),
        ("demo/values.schema.json", tarfile.REGTYPE, "0o644"),
        ("demo/values.yaml", tarfile.REGTYPE, "0o644"),
    ]
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, 0, "", "")}
    assert package.file_name == "demo-0.1.0.tgz"
    assert package.checksum_line == f"{package.sha256}  demo-0.1.0.tgz\n"


def test_the_gzip_header_has_no_name_and_no_time(app: Path) -> None:
    data = build_package(app).data
    assert data[:3] == b"\x1f\x8b\x08"
    assert data[3] == 0, "no FNAME or other optional header fields"
    assert data[4:8] == b"\0\0\0\0", "MTIME is zero"


def test_file_times_and_permissions_do_not_change_the_bytes(app: Path) -> None:
    first = build_package(app).data
    for path in app.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    (app / "values.yaml").chmod(0o664)
    assert build_package(app).data == first


def test_source_date_epoch_sets_every_member_time(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert {m.mtime for m in _members(build_package(app).data)} == {1_700_000_000}


def test_a_source_date_epoch_that_is_not_a_number_is_a_usage_error(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH is 'yesterday', not a number of seconds"):
        build_package(app)


def test_pytemplarignore_leaves_files_out(app: Path) -> None:
    (app / ".pytemplarignore").write_text("# scratch files\nfiles/\n!files/z.txt\n*.sh\n")
    names = [m.name for m in _members(build_package(app).data)]
    assert "demo/run.sh" not in names
    assert not any(name.startswith("demo/files") for name in names), "a left-out folder is not entered"
    assert "demo/.pytemplarignore" in names


def test_a_link_to_a_file_inside_the_app_is_packaged_as_a_copy(app: Path) -> None:
    """As render follows it, package does: the archive holds the file, never a link."""
    (app / "files" / "link.txt").symlink_to("z.txt")
    members = {m.name: m for m in _members(build_package(app).data)}
    assert members["demo/files/link.txt"].isreg()
    assert members["demo/files/link.txt"].size == (app / "files" / "z.txt").stat().st_size


def test_a_link_to_a_folder_inside_the_app_is_refused(app: Path) -> None:
    (app / "more").symlink_to("files")
    with pytest.raises(FileAccessError, match=r"'more' is a symbolic link to a folder; packaged apps hold files only"):
        build_package(app)


def test_a_left_out_link_is_fine(app: Path) -> None:
    (app / "files" / "link.txt").symlink_to("/etc/passwd")
    (app / ".pytemplarignore").write_text("link.txt\n")
    assert "demo/files/link.txt" not in [m.name for m in _members(build_package(app).data)]


def test_an_app_that_does_not_render_with_its_defaults_is_refused(app: Path) -> None:
    template = app / "templates" / "deployment.yaml.j2"
    template.write_text(template.read_text() + "# {{ values.nothing.here }}\n")
    with pytest.raises(PytemplarError, match=r"'values.nothing' is undefined"):
        build_package(app)


def test_an_archive_cannot_be_packaged_again(app: Path, tmp_path: Path) -> None:
    archive = tmp_path / "demo-0.1.0.tgz"
    archive.write_bytes(build_package(app).data)
    with pytest.raises(UsageError, match="is already a packaged app"):
        build_package(archive)


def test_a_folder_named_like_the_vendored_dependencies_is_refused(app: Path) -> None:
    write_tree(app.parent, {"lib/app.yaml": "name: lib\nversion: 1.0.0\n", "app/dependencies/x.txt": "mine\n"})
    meta = app / "app.yaml"
    meta.write_text(meta.read_text() + "dependencies:\n  - name: lib\n    app: ../lib\n    version: '1.0.0'\n")
    with pytest.raises(FileAccessError, match=r"the app has 'dependencies/x.txt', but dependencies/ is where"):
        build_package(app)
