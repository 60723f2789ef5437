"""The one atomic writer: the old content or the new, never a part, and nothing left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pytemplar.atomicfile import create, replacing, staging


def entries(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_the_new_content_replaces_the_old_with_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "values.yaml"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    with replacing(target, b"new\n", keep_metadata=True):
        assert target.read_bytes() == b"old\n"  # until the checks have passed
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert entries(tmp_path) == ["values.yaml"]


def test_a_failed_check_leaves_the_target_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "values.yaml"
    target.write_bytes(b"old\n")
    with pytest.raises(RuntimeError), replacing(target, b"new\n"):
        raise RuntimeError("changed meanwhile")
    assert target.read_bytes() == b"old\n"
    assert entries(tmp_path) == ["values.yaml"]


def test_create_only_never_overwrites_a_file_made_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "new.yaml"
    with pytest.raises(FileExistsError), replacing(target, b"mine\n", create_only=True):
        target.write_bytes(b"theirs\n")
    assert target.read_bytes() == b"theirs\n"
    assert entries(tmp_path) == ["new.yaml"]


def test_an_exact_mode_ignores_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        with replacing(tmp_path / "a.tgz", b"x", mode=0o644):
            pass
        with replacing(tmp_path / "b.yaml", b"x"):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.tgz").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.yaml").stat().st_mode) == 0o600


def test_a_missing_folder_is_an_os_error_for_the_caller(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), replacing(tmp_path / "no" / "file", b"x"):
        pass
    assert entries(tmp_path) == []


def test_every_writer_uses_it() -> None:
    # Writers that stage a file or a folder and rename it into place themselves would bypass it.
    source = Path(__file__).resolve().parents[2] / "pytemplar"
    for path in source.rglob("*.py"):
        if path.name == "atomicfile.py":
            continue
        text = path.read_text("utf-8")
        for bypass in ("mkstemp", "mkdtemp", "os.fsync", ".write_text(", ".write_bytes("):
            assert bypass not in text, (path, bypass)


def test_a_staging_folder_is_gone_however_the_with_ends(tmp_path: Path) -> None:
    with staging(tmp_path, ".work-") as folder:
        create(folder, "a/b.yaml", b"x: 1\n")
        assert (folder / "a" / "b.yaml").read_bytes() == b"x: 1\n"
        (folder / "a").rename(tmp_path / "a")  # what is renamed out stays
    assert entries(tmp_path) == ["a"]
    with pytest.raises(KeyboardInterrupt), staging(tmp_path, ".work-") as folder:
        create(folder, "c.yaml", b"")
        raise KeyboardInterrupt
    assert entries(tmp_path) == ["a"]


def test_create_writes_only_new_files_and_never_through_a_link(tmp_path: Path) -> None:
    create(tmp_path, "new.yaml", b"one\n")
    with pytest.raises(FileExistsError):
        create(tmp_path, "new.yaml", b"two\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    with pytest.raises(FileExistsError):
        create(tmp_path, "link.yaml", b"three\n")
    assert entries(tmp_path) == ["link.yaml", "new.yaml"]
    assert (tmp_path / "new.yaml").read_bytes() == b"one\n"
