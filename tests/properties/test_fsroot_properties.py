"""``Root`` resolves and reads as the standard library does, on trees full of links.

``Root.resolve`` resolves a file's folder once and then only looks at the file's own name; the
oracle resolves every path with :meth:`pathlib.Path.resolve` and checks containment, as the
read path always did. Generated trees hold folders, files, links to files and folders inside and
outside the root, dangling links, link loops and FIFOs; generated names mix those with ``.``,
``..``, empty components and absolute paths. Each name is resolved twice, in generated order,
through one ``Root`` (so the folder cache is warm for most of them): the real path, or the
refusal with its message and location, must be the oracle's. ``read_bytes`` is compared with
reading the resolved file whole, at and around the size limit.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytemplar.errors import FileAccessError, Location, display_path
from pytemplar.fsroot import Root

NAMES = ("a", "b", "c.yaml", "d")
KINDS = ("folder", "file", "link-in-file", "link-in-folder", "link-out", "link-dangling", "link-loop", "fifo")


def oracle(root: Path, relative: str) -> Path | tuple[str, Location]:
    """What resolving ``relative`` under ``root`` gives: Path.resolve, then the containment check."""
    candidate = Path(relative)
    joined = candidate if candidate.is_absolute() else root / candidate
    try:
        real = joined.resolve(strict=False)
    except (OSError, RuntimeError) as exc:
        return f"cannot resolve '{relative}': {exc.__class__.__name__}", Location(str(joined))
    if real != root and root not in real.parents:
        return f"'{relative}' is outside the folder '{display_path(root)}'", Location(str(joined))
    return real


def outcome(root: Root, relative: str) -> Path | tuple[str, Location]:
    try:
        return root.resolve(relative)
    except FileAccessError as exc:
        return exc.problems[0].message, exc.problems[0].location


def build(base: Path, entries: list[tuple[tuple[str, ...], str]]) -> Path:
    """A tree under ``base/root`` from (path, kind) entries; ``base/outside`` lies next to it."""
    root = base / "root"
    outside = base / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "file").write_text("out\n")
    root.mkdir()
    for parts, kind in entries:
        target = root.joinpath(*parts)
        if not target.parent.is_dir() or os.path.lexists(target):
            continue
        if kind == "folder":
            target.mkdir()
        elif kind == "file":
            target.write_text(f"{'/'.join(parts)}\n")
        elif kind == "link-in-file":
            (root / "real.yaml").write_text("real\n")
            target.symlink_to(root / "real.yaml")
        elif kind == "link-in-folder":
            (root / "realdir").mkdir(exist_ok=True)
            (root / "realdir" / "c.yaml").write_text("inside\n")
            target.symlink_to(os.path.relpath(root / "realdir", target.parent))
        elif kind == "link-out":
            target.symlink_to(outside / ("file" if len(parts) % 2 else "sub"))
        elif kind == "link-dangling":
            target.symlink_to(root / "missing")
        elif kind == "link-loop":
            target.symlink_to(target.name)
        else:
            os.mkfifo(target)
    return root


entries = st.lists(
    st.tuples(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map(tuple), st.sampled_from(KINDS)),
    max_size=14,
)
components = st.sampled_from((*NAMES, "realdir", "real.yaml", "missing", ".", "..", ""))
relatives = st.one_of(
    st.lists(components, min_size=1, max_size=4).map("/".join),
    st.lists(components, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts)),
)


@settings(max_examples=150, deadline=None)
@given(entries, st.lists(relatives, min_size=1, max_size=12))
def test_resolve_is_path_resolve_with_containment(tree: list[tuple[tuple[str, ...], str]], names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as base:
        folder = build(Path(base), tree)
        root = Root.at(folder)
        for relative in [*names, *names]:
            if relative.startswith("/"):
                relative = str(folder) + relative  # an absolute path into the tree
            assert outcome(root, relative) == oracle(root.path, relative), relative


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=3 * 65536), st.integers(min_value=-2, max_value=2))
def test_read_bytes_reads_the_whole_file_up_to_the_limit(size: int, around: int) -> None:
    with tempfile.TemporaryDirectory() as base:
        data = bytes(index % 251 for index in range(size))
        Path(base, "f").write_bytes(data)
        limit = max(size + around, 0)
        root = Root.at(base)
        try:
            read = root.read_bytes("f", limit=limit)
        except FileAccessError as exc:
            assert size > limit
            assert exc.problems[0].message == f"'f' is {size} bytes, above the limit of {limit}"
        else:
            assert size <= limit
            assert read == Path(base, "f").read_bytes()


def test_a_file_that_grows_while_read_is_read_to_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fstat saw the old size; what was appended since is read too, and counts against the limit."""
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    real_fstat = os.fstat

    def grow_after_fstat(fd: int) -> os.stat_result:
        found = real_fstat(fd)
        with open(path, "ab") as handle:
            handle.write(b"y" * 200_000)
        return found

    root = Root.at(tmp_path)
    monkeypatch.setattr(os, "fstat", grow_after_fstat)
    assert root.read_bytes("f", limit=300_000) == b"x" * 10 + b"y" * 200_000
    path.write_bytes(b"x" * 10)
    with pytest.raises(FileAccessError) as raised:
        root.read_bytes("f", limit=100_000)
    assert raised.value.problems[0].message == "'f' grew above 100000 bytes"
