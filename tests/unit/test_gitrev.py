"""Reading ``git archive`` output: the same files on every Python 3.11, nothing unsafe written."""

from __future__ import annotations

import io
import re
import stat
import tarfile
from pathlib import Path

import pytest

from pytemplar import gitrev
from pytemplar.errors import UsageError


def _archive(*members: tuple[tarfile.TarInfo, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for info, data in members:
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if info.isfile() else None)
    buffer.seek(0)
    return buffer


def _file(name: str, data: bytes, mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.mode = mode
    return info, data


def _link(name: str, target: str) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info, b""


@pytest.fixture(params=["with extraction filters", "without (Python < 3.11.4)"])
def python(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param.startswith("without"):
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
        original = tarfile.TarFile.extract

        def extract_without_filters(
            self: tarfile.TarFile, member: tarfile.TarInfo, path: str, **options: object
        ) -> None:
            if "filter" in options:  # what Python 3.11.2 answers
                raise TypeError("TarFile.extract() got an unexpected keyword argument 'filter'")
            original(self, member, path, **options)  # type: ignore[arg-type]

        monkeypatch.setattr(tarfile.TarFile, "extract", extract_without_filters)
    return str(request.param)


def test_files_and_folders_are_extracted_and_links_left_out(python: str, tmp_path: Path) -> None:
    stream = _archive(
        _file("project/pytemplar.yaml", b"releases: {}\n"),
        _file("project/run.sh", b"#!/bin/sh\n", mode=0o4755),
        _link("project/secret", "/etc/passwd"),
    )
    gitrev._extract(stream, tmp_path)
    assert (tmp_path / "project/pytemplar.yaml").read_text() == "releases: {}\n"
    assert not (tmp_path / "project/secret").exists()
    assert not (tmp_path / "project/run.sh").stat().st_mode & stat.S_ISUID


def test_a_name_leaving_the_folder_is_refused(python: str, tmp_path: Path) -> None:
    stream = _archive(_file("../outside.txt", b"x"))
    with pytest.raises(UsageError, match=re.escape("unsafe path '../outside.txt'")):
        gitrev._extract(stream, tmp_path / "inside")
    assert not (tmp_path / "outside.txt").exists()
