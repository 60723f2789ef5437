"""Hostile app archives (H01-H13): a release names a ``.tgz`` that tries to escape, link, bomb or
confuse. Each archive is built here with ``tarfile``; pytemplar must refuse it with one line naming
the archive and the member, exit 1, and write nothing anywhere (it never extracts to disk).
"""

from __future__ import annotations

import gzip
import io
import tarfile
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from .harness import (
    _PROBLEM,
    APP_YAML,
    RENDER,
    SCHEMA_JSON,
    VALUES_YAML,
    Batch,
    Case,
    Sandbox,
    batch_sandbox,
    configmap,
)

ARCHIVE = "app.tgz"
PROJECT = {"project/pytemplar.yaml": f"environments:\n  dev: {{}}\nreleases:\n  one:\n    app: ../{ARCHIVE}\n"}
APP = {
    "demo/app.yaml": APP_YAML,
    "demo/values.yaml": VALUES_YAML,
    "demo/values.schema.json": SCHEMA_JSON,
    "demo/templates/config.yaml.j2": configmap('  replicas: "{{ values.replicas }}"'),
}


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes = b"x: 1\n"
    kind: bytes = tarfile.REGTYPE
    link: str = ""
    pax_path: str | None = None
    size: int | None = None  # the size the header claims, when it lies


def _good_members() -> list[Member]:
    return [Member(name, textwrap.dedent(text).lstrip("\n").encode()) for name, text in APP.items()]


def _tar(members: list[Member]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member in members:
            info = tarfile.TarInfo(member.name)
            info.type = member.kind
            info.linkname = member.link
            if member.pax_path is not None:
                info.pax_headers = {"path": member.pax_path}
            if member.kind == tarfile.REGTYPE:
                info.size = len(member.data)
                tar.addfile(info, io.BytesIO(member.data))
            else:
                tar.addfile(info)
    return raw.getvalue()


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def tgz(*extra: Member, good: bool = True) -> bytes:
    return _gzip(_tar([*(_good_members() if good else []), *extra]))


def _truncated_member() -> bytes:
    """A member whose data stops before the size its header gives (H12f)."""
    tar = _tar([*_good_members(), Member("demo/files/big.txt", b"y" * 5000)])
    cut = tar.index(b"y" * 5000) + 1000
    return _gzip(tar[:cut])


def _inflating(name: str, size: int) -> bytes:
    """A small archive whose one member inflates to ``size`` bytes (H07)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member in _good_members():
            info = tarfile.TarInfo(member.name)
            info.size = len(member.data)
            tar.addfile(info, io.BytesIO(member.data))
        info = tarfile.TarInfo(name)
        info.size = size
        tar.addfile(info, io.BytesIO(bytes(size)))
    return _gzip(raw.getvalue())


def _many_files(count: int, size: int) -> bytes:
    members = [Member(f"demo/files/f{index:05d}.txt", bytes(size)) for index in range(count)]
    return tgz(*members)


CASES: list[tuple[str, Callable[[], bytes], str]] = [
    # H01: `..` in member names, also only in the PAX path record
    (
        "H01a-dotdot-inside",
        lambda: tgz(Member("demo/../../pytemplar-escape.txt")),
        r"member 'demo/\.\./\.\./pytemplar-escape\.txt' leaves the app folder",
    ),
    (
        "H01b-leading-dotdot",
        lambda: tgz(Member("../pytemplar-escape.txt")),
        r"member '\.\./pytemplar-escape\.txt' leaves the app folder",
    ),
    (
        "H01d-dot-then-dotdot",
        lambda: tgz(Member("./demo/./../../x.txt")),
        r"member '\./demo/\./\.\./\.\./x\.txt' leaves the app folder",
    ),
    (
        "H01e-pax-path-dotdot",
        lambda: tgz(Member("demo/ok.txt", pax_path="demo/../../escape.txt")),
        r"member 'demo/\.\./\.\./escape\.txt' leaves the app folder",
    ),
    # H02: absolute names
    (
        "H02a-absolute",
        lambda: tgz(Member("/tmp/pytemplar-escape.txt")),
        r"member '/tmp/pytemplar-escape\.txt' has an absolute path",
    ),
    ("H02b-double-slash", lambda: tgz(Member("//tmp/x.txt")), r"member '//tmp/x\.txt' has an absolute path"),
    # H03, H04: symbolic links, to files and to folders
    (
        "H03a-symlink-absolute",
        lambda: tgz(Member("demo/files/passwd", kind=tarfile.SYMTYPE, link="/etc/passwd")),
        r"member 'demo/files/passwd' is a symbolic link; links are not allowed",
    ),
    (
        "H03b-symlink-relative",
        lambda: tgz(Member("demo/h", kind=tarfile.SYMTYPE, link="../../../../etc/hostname")),
        r"member 'demo/h' is a symbolic link",
    ),
    (
        "H04-symlinked-folder",
        lambda: tgz(Member("demo/escape", kind=tarfile.SYMTYPE, link="../../.."), Member("demo/escape/x.txt")),
        r"member 'demo/escape' is a symbolic link",
    ),
    # H05: hard links
    (
        "H05a-hardlink-absolute",
        lambda: tgz(Member("demo/p", kind=tarfile.LNKTYPE, link="/etc/passwd")),
        r"member 'demo/p' is a hard link; links are not allowed",
    ),
    (
        "H05b-hardlink-relative",
        lambda: tgz(Member("demo/h", kind=tarfile.LNKTYPE, link="../../../etc/hostname")),
        r"member 'demo/h' is a hard link",
    ),
    # H06: special files
    (
        "H06a-char-device",
        lambda: tgz(Member("demo/null", kind=tarfile.CHRTYPE)),
        r"member 'demo/null' is a special file",
    ),
    (
        "H06b-block-device",
        lambda: tgz(Member("demo/sda", kind=tarfile.BLKTYPE)),
        r"member 'demo/sda' is a special file",
    ),
    ("H06c-fifo", lambda: tgz(Member("demo/pipe", kind=tarfile.FIFOTYPE)), r"member 'demo/pipe' is a special file"),
    # H07, H08: bombs and caps
    (
        "H07-one-member-inflates-to-32-mib",
        lambda: _inflating("demo/files/bomb.txt", 32 * 1024 * 1024),
        r"member 'demo/files/bomb\.txt' is 33,554,432 bytes, above the limit of 5,242,880 per file",
    ),
    (
        "H08a-total-above-the-cap",
        lambda: _many_files(26, 4 * 1024 * 1024),
        r"the files add up to more than 52,428,800 bytes \(at member 'demo/files/f000\d\d\.txt'\)",
    ),
    ("H08b-too-many-members", lambda: _many_files(10_003, 0), r"the archive has more than 10,000 members"),
    # H09: Windows-style names
    ("H09a-backslash-dotdot", lambda: tgz(Member("demo\\..\\..\\x.txt")), r"has a backslash or a drive prefix"),
    ("H09b-drive-slash", lambda: tgz(Member("c:/x.txt")), r"member 'c:/x\.txt' has a backslash or a drive prefix"),
    (
        "H09f-drive-inside-the-app",
        lambda: tgz(Member("demo/c:/x.txt")),
        r"member 'demo/c:/x\.txt' has a backslash or a drive prefix",
    ),
    ("H09c-drive-backslash", lambda: tgz(Member("C:\\x.txt")), r"has a backslash or a drive prefix"),
    ("H09d-unc", lambda: tgz(Member("\\\\?\\C:\\x.txt")), r"has a backslash or a drive prefix"),
    ("H09e-mixed", lambda: tgz(Member("demo/sub\\..\\..\\x.txt")), r"has a backslash or a drive prefix"),
    # H11: the same member twice (a reviewer reads the first, an extractor keeps the last)
    (
        "H11-duplicate-member",
        lambda: tgz(Member("demo/values.yaml", b"replicas: 9\n")),
        r"member 'demo/values\.yaml' appears twice",
    ),
    # H12: not an archive, or a broken one
    ("H12a-not-gzip", lambda: _tar(_good_members()), r"not a gzip file"),
    ("H12b-empty-file", lambda: b"", r"the app archive is empty \(0 bytes\)"),
    ("H12c-truncated-gzip", lambda: tgz()[:200], r"truncated"),
    ("H12d-gzip-of-garbage", lambda: _gzip(b"this is not a tar archive\n" * 40), r"not a readable tar archive"),
    ("H12e-empty-tar", lambda: _gzip(bytes(1024)), r"the archive holds no files"),
    ("H12f-member-shorter-than-its-header", _truncated_member, r"member 'demo/files/big\.txt' is truncated"),
    # H13: more than one app, or files outside the app folder
    (
        "H13a-two-top-folders",
        lambda: tgz(Member("other/values.yaml", b"replicas: 9\n")),
        r"member 'other/values\.yaml' is outside the top folder 'demo'",
    ),
    (
        "H13b-file-at-the-root",
        lambda: tgz(Member("values.yaml", b"replicas: 9\n")),
        r"member 'values\.yaml' is at the top of the archive",
    ),
    (
        "H13c-no-app-yaml",
        lambda: tgz(Member("demo/values.yaml"), good=False),
        r"no app in the archive: 'demo/app\.yaml' is missing",
    ),
]


@pytest.fixture(scope="module")
def archive_batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Batch]:
    """Every case as its own archive and release, checked by one ``pytemplar validate`` run
    (which reports each release's problem), to keep the suite fast."""
    with batch_sandbox(tmp_path_factory.mktemp("archives")) as sandbox:
        releases = {case_id: f"c{index:02d}" for index, (case_id, _, _) in enumerate(CASES)}
        files: dict[str, str | bytes] = {f"archives/{case_id}.tgz": build() for case_id, build, _ in CASES}
        listing = "".join(f"  {release}:\n    app: ../archives/{case}.tgz\n" for case, release in releases.items())
        files["project/pytemplar.yaml"] = "environments:\n  dev: {}\nreleases:\n" + listing
        sandbox.write(files, base=None)
        result = sandbox.run("validate", "project")
        problems: dict[str, list[str]] = {}
        for line in result.stderr.splitlines():
            found = _PROBLEM.match(line)
            if found:
                problems.setdefault(found["release"], []).append(line)
        yield Batch(sandbox, result, releases, problems)


@pytest.mark.parametrize(("case_id", "message"), [pytest.param(c, m, id=c) for c, _, m in CASES])
def test_hostile_archive_is_refused(archive_batch: Batch, case_id: str, message: str) -> None:
    archive_batch.check(Case(case_id, {}, f"archives/{case_id}.tgz", message))


def test_a_hostile_archive_stops_render_with_one_line(sandbox: Sandbox) -> None:
    """The same refusal from ``render``, alone: exit 1, the first line names archive and member."""
    sandbox.write({**PROJECT, ARCHIVE: tgz(Member("demo/../../pytemplar-escape.txt"))}, base=None)
    result = sandbox.run(*RENDER)
    sandbox.refused(
        result, file=ARCHIVE, message=r"member 'demo/\.\./\.\./pytemplar-escape\.txt' leaves the app folder"
    )


def test_the_top_folder_must_be_named_after_the_app(sandbox: Sandbox) -> None:
    """H10: an archive made by hand whose folder and app.yaml disagree is refused at app.yaml's name."""
    members = [Member(m.name.replace("demo/", "other/", 1), m.data) for m in _good_members()]
    sandbox.write({**PROJECT, ARCHIVE: _gzip(_tar(members))}, base=None)
    result = sandbox.run(*RENDER)
    sandbox.refused(result, file=f"{ARCHIVE}/other/app.yaml", line=1, message=r"the archive's folder is 'other'")


def test_a_clean_archive_renders(sandbox: Sandbox) -> None:
    """The same builder without a hostile member: accepted, so each refusal above is the member's."""
    sandbox.write({**PROJECT, ARCHIVE: tgz()}, base=None)
    result = sandbox.run(*RENDER)
    sandbox.accepted(result)
    assert [doc["kind"] for doc in result.documents()] == ["ConfigMap"]


def test_a_packaged_app_with_an_outside_symlink_is_refused(sandbox: Sandbox) -> None:
    """H61b: packaging never follows a link out of the app; the secret never enters an archive."""
    sandbox.write({})
    sandbox.symlink("app/files/secret.txt", sandbox.outside / "canary-secret.txt")
    result = sandbox.run("package", "app", "-d", "dist")
    sandbox.refused(result, file="app/files/secret.txt", message=r"'files/secret\.txt' is a symbolic link")


def test_packaging_is_deterministic(sandbox: Sandbox) -> None:
    """H61: two packages of the same app, the second after changing every file's time, are equal."""
    sandbox.write({})
    first = sandbox.run("package", "app", "-d", "dist", expect_changes=("dist",))
    sandbox.accepted(first)
    data = (sandbox.work / "dist" / "demo-0.1.0.tgz").read_bytes()
    for path in (sandbox.work / "app").rglob("*"):
        path.touch()
    second = sandbox.run("package", "app", "-d", "dist", expect_changes=("dist", "app"))
    sandbox.accepted(second)
    assert (sandbox.work / "dist" / "demo-0.1.0.tgz").read_bytes() == data
