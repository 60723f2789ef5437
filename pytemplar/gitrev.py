"""A project as it was at a git revision: the repository's tree exported into a temporary folder.

``pytemplar diff --against REF`` renders the same project path inside the exported tree, so app
templates referenced by relative paths (``../microservice``) come from that revision too.

git runs with a fixed argument list (no shell), a revision that starts with ``-`` is refused so
that it cannot be read as an option, and the archive is extracted member by member: regular files
and folders only, names that stay inside the folder. Links are not extracted (a link in a
revision could point anywhere); a project that reads files through links cannot be compared.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import replace as _replace
from pathlib import Path, PurePosixPath
from typing import IO

from pytemplar import atomicfile
from pytemplar.errors import Location, Problem, UsageError, display_path

GIT_TIMEOUT = 120.0  # seconds for one git command; an archive of a large repository takes a while


@dataclass(frozen=True)
class Checkout:
    """A revision's tree in a temporary folder, and the project's folder inside it."""

    revision: str
    root: Path  # the temporary folder holding the repository's tree
    project: Path  # the project folder inside ``root``
    exists: bool  # whether the project folder existed at the revision


def _git(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
            env=_git_environment(),
        )
    except FileNotFoundError:
        raise UsageError(
            "--against needs git, and git is not installed", hint="install git, or compare environments: -e A -e B"
        ) from None


def _git_environment() -> dict[str, str]:
    # No pager, no prompt for credentials, and English messages are not relied upon.
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}


def repository_root(project: Path) -> Path:
    """The top folder of the git work tree holding ``project``."""
    if not project.is_dir():
        raise UsageError(f"project folder '{display_path(project)}' does not exist")
    done = _git(["rev-parse", "--show-toplevel"], project)
    if done.returncode != 0:
        raise UsageError(
            f"'{display_path(project)}' is not inside a git repository, so --against has nothing to compare with",
            hint="run diff inside a git work tree, or compare two environments: -e A -e B",
        )
    return Path(done.stdout.strip())


def resolve_revision(top: Path, revision: str) -> str:
    """The commit ``revision`` names; unknown or option-like revisions are usage errors."""
    if not revision or revision.startswith("-"):
        raise UsageError(
            f"--against: '{revision}' is not a git revision",
            hint="name a branch, tag or commit, such as main, origin/main or HEAD~1",
        )
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], top)
    if done.returncode != 0:
        raise UsageError(
            f"--against: unknown git revision '{revision}'",
            hint=f"check the name with: git log -1 {revision} (fetch a remote branch first: git fetch origin)",
        )
    return done.stdout.strip()


@contextmanager
def checkout(project: Path, revision: str) -> Iterator[Checkout]:
    """The repository's tree at ``revision`` in a temporary folder, removed afterwards."""
    top = repository_root(project)
    commit = resolve_revision(top, revision)
    relative = project.resolve().relative_to(top.resolve())
    with atomicfile.staging(Path(tempfile.gettempdir()), "pytemplar-diff-") as made:
        folder = made.resolve()
        _export(top, commit, folder)
        inside = folder / relative
        yield Checkout(revision, folder, inside, (inside / "pytemplar.yaml").is_file())


def relabel(problems: list[Problem], tree: Checkout) -> list[Problem]:
    """Problems found in the exported tree, citing ``REVISION:path`` instead of the temporary folder."""
    prefix = str(tree.root) + os.sep

    def text(value: str) -> str:
        return value.replace(prefix, f"{tree.revision}:")

    def location(where: Location | None) -> Location | None:
        if where is None or not where.path.startswith(prefix):
            return where
        return _replace(where, path=text(where.path))

    return [
        _replace(p, message=text(p.message), hint=text(p.hint) if p.hint else p.hint, location=location(p.location))
        for p in problems
    ]


def _export(top: Path, commit: str, folder: Path) -> None:
    """Stream ``git archive`` of ``commit`` into ``folder``."""
    with subprocess.Popen(
        ["git", "archive", "--format=tar", commit],
        cwd=top,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_git_environment(),
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        _extract(process.stdout, folder)
        error = process.stderr.read().decode("utf-8", "replace").strip()
        if process.wait(timeout=GIT_TIMEOUT) != 0:
            raise UsageError(f"git archive {commit} failed: {error}", hint="check that the revision's tree is readable")


def _extract(stream: IO[bytes], folder: Path) -> None:
    try:
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            for member in archive:
                if _safe_member(member):
                    _extract_member(archive, member, folder)
    except tarfile.TarError as exc:
        raise UsageError(
            f"cannot read the output of git archive: {exc}", hint="check the revision with git log"
        ) from None


def _extract_member(archive: tarfile.TarFile, member: tarfile.TarInfo, folder: Path) -> None:
    if hasattr(tarfile, "data_filter"):
        archive.extract(member, folder, filter="data")
    else:
        # Python before 3.11.4 has no extraction filters. _safe_member has already left out links
        # and refused names leaving the folder; without the file modes, owners and times of the
        # archive, nothing it sets (a setuid bit, another owner) reaches the disk.
        archive.extract(member, folder, set_attrs=False)


def _safe_member(member: tarfile.TarInfo) -> bool:
    """Regular files and folders whose names stay inside the folder; links are left out."""
    if not (member.isfile() or member.isdir()):
        return False
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts:
        raise UsageError(
            f"git archive produced an unsafe path '{member.name}'", hint="the repository's tree looks damaged"
        )
    return True
