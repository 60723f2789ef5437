"""Every command shown in README.md, docs/*.md and the examples' READMEs runs, and prints what the page shows.

How a page's commands are found and run (write new docs to this convention):

* A fenced block tagged ``console`` holds commands after ``$ `` and, below each, the output it
  shows (stdout and stderr together, as a terminal shows them). Each command runs and must exit
  0, and where output is shown it must match line for line (trailing spaces aside).
* A fenced block tagged ``sh``, ``bash`` or ``shell`` holds commands only: each line (``\\``
  continues it, ``#`` starts a comment) runs in order and must exit 0.
* Blocks with another tag (``yaml``, none) are not run.
* An inline code span that starts with ``pytemplar `` must name a real command and real flags:
  it runs with ``--help`` appended (only the part before a ``|``), so placeholders are fine.
* Every block runs in a fresh folder holding a copy of the repository's ``examples/``, with the
  pytemplar under test first on PATH; commands of one block share that folder.

HTML comments on the lines right before a fence change how it runs:

* ``<!-- docs-test: setup SHELL -->``: run SHELL first, unseen (e.g. add the typo an example
  talks about). Several setup lines run in order.
* ``<!-- docs-test: exit N -->``: every command of the block must exit N instead of 0.
* ``<!-- docs-test: needs TOOL... -->``: the block runs other programs (``kubectl``, ``helm``);
  it is skipped where one is not on PATH (CI puts the pinned kubectl there).
* ``<!-- docs-test: skip REASON -->``: not run; REASON is required (e.g. "needs a cluster"). Its
  ``pytemplar`` commands are still checked to parse (``--help`` appended).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import REPO, TEMPLATE_CACHE

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# The examples' READMEs: their fenced blocks run too (their inline spans hold CI variables).
EXAMPLE_PAGES = sorted((REPO / "examples").glob("**/README.md"))
RUN_TAGS = {"console", "sh", "bash", "shell"}
MARKER = re.compile(r"<!--\s*docs-test:\s*(setup|exit|skip|needs)\b\s*(.*?)\s*-->")
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")


@dataclass
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    tag: str
    body: list[str]
    setup: list[str] = field(default_factory=list)
    exit: int = 0
    skip: str | None = None
    needs: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, tag = opening.groups()
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = [line.removeprefix(indent) for line in lines[index + 1 : end]]
        block = Block(page, index + 1, tag, body)
        above = index - 1
        while above >= 0 and MARKER.search(lines[above]):
            kind, argument = MARKER.search(lines[above]).groups()  # type: ignore[union-attr]
            if kind == "setup":
                block.setup.insert(0, argument)
            elif kind == "exit":
                block.exit = int(argument)
            elif kind == "needs":
                block.needs.extend(argument.split())
            else:
                assert argument, f"{block.label}: 'docs-test: skip' needs a reason"
                block.skip = argument
            above -= 1
        found.append(block)
        index = end + 1
    return found


def inline_commands(page: Path) -> list[tuple[str, str]]:
    text = page.read_text(encoding="utf-8")
    prose = re.sub(r"^\s*```.*?^\s*```", "", text, flags=re.DOTALL | re.MULTILINE)
    return [
        (f"{page.relative_to(REPO)}: {span}", span.split("|")[0].strip())
        for span in re.findall(r"`(pytemplar [^`]+)`", prose)
    ]


def console_steps(block: Block) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for line in block.body:
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            pytest.fail(f"{block.label}: a console block starts with a '$ ' command, not {line!r}")
    return steps


def shell_steps(block: Block) -> list[str]:
    commands: list[str] = []
    pending = ""
    for line in block.body:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command = (pending + line).strip()
        pending = ""
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


def environment() -> dict[str, str]:
    scripts = str(Path(sys.executable).parent)
    if shutil.which("pytemplar", path=scripts) is None:
        pytest.fail(f"pytemplar is not installed beside {sys.executable}: pip install -e .")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
    env.update(PATH=os.pathsep.join([scripts, env.get("PATH", "/usr/bin:/bin")]), COLUMNS="200", NO_COLOR="1")
    env["PYTEMPLAR_CACHE_DIR"] = str(TEMPLATE_CACHE)
    return env


def run(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=folder,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )


ALL_BLOCKS = [block for page in [*PAGES, *EXAMPLE_PAGES] for block in blocks(page) if block.tag in RUN_TAGS]


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=[block.label for block in ALL_BLOCKS])
def test_the_commands_of_a_block_run_and_print_what_is_shown(block: Block, tmp_path: Path) -> None:
    if block.skip:
        # Not run, but what it names must still exist: each pytemplar command parses.
        for command in shell_steps(block) if block.tag != "console" else [c for c, _ in console_steps(block)]:
            for part in re.split(r"&&|\|\||[|;]", command):
                if part.strip().startswith("pytemplar "):
                    done = run(f"{part.split('#')[0].strip()} --help", REPO)
                    assert done.returncode == 0, f"{block.label}: {part.strip()}\n{done.stdout}"
        pytest.skip(block.skip)
    missing = [tool for tool in block.needs if shutil.which(tool, path=environment()["PATH"]) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not on PATH (see scripts/get-kubectl.sh)")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    for command in block.setup:
        done = run(command, tmp_path)
        assert done.returncode == 0, f"{block.label}: setup {command!r} failed:\n{done.stdout}"
    if block.tag == "console":
        steps = console_steps(block)
        assert steps, f"{block.label}: a console block without a '$ ' command checks nothing"
        for command, shown in steps:
            done = run(command, tmp_path)
            printed = [line.rstrip() for line in done.stdout.splitlines()]
            assert (done.returncode, printed if shown else []) == (block.exit, [line.rstrip() for line in shown]), (
                f"{block.label}: $ {command}\n{done.stdout}"
            )
    else:
        for command in shell_steps(block):
            done = run(command, tmp_path)
            assert done.returncode == block.exit, f"{block.label}: {command}\n{done.stdout}"


INLINE = [item for page in PAGES for item in inline_commands(page)]


@pytest.mark.parametrize(("label", "command"), INLINE, ids=[label for label, _ in INLINE])
def test_inline_commands_name_real_commands_and_flags(label: str, command: str) -> None:
    done = run(f"{command} --help", REPO)
    assert done.returncode == 0, f"{label}:\n{done.stdout}"


def test_the_convention_finds_the_pages_commands() -> None:
    """The extraction itself: the README's console blocks are found with their output."""
    readme = [block for block in ALL_BLOCKS if block.page == REPO / "README.md" and block.tag == "console"]
    assert len(readme) >= 3
    assert all(console_steps(block) for block in readme)


def test_the_blocks_skipped_here_are_the_ones_ci_runs() -> None:
    """Nothing is skipped silently: the only blocks not run here are the README's first two ``sh``
    blocks (install and render, install and test), which .ci/run reads from the README and runs,
    and the Argo CD install, which needs a cluster."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    readme = [block for block in ALL_BLOCKS if block.page == REPO / "README.md" and block.tag == "sh"]
    argocd = [block for block in ALL_BLOCKS if block.page == REPO / "examples/argocd/README.md"]
    assert [block.label for block in ALL_BLOCKS if block.skip] == [readme[0].label, readme[1].label, argocd[0].label]
    assert argocd[0].body[0].startswith("docker build") and "cluster" in (argocd[0].skip or "")
    assert "quick_start=$(awk '/^```sh$/ {getline; print; exit}' README.md)" in ci
    assert "readme_tests=$(awk '/^```sh$/ {n++; getline; if (n == 2) {print; exit}}' README.md)" in ci
    assert readme[0].body[0].endswith("pip install . && pytemplar render examples/apps/shop -e prod")
    assert readme[1].body[0].endswith("pip install -e '.[test]' && pytest")


def test_blocks_that_need_other_programs_run_where_ci_puts_them() -> None:
    """A block that needs helm or kubectl skips without them; .ci/run puts the pinned ones on PATH."""
    needed = {tool for block in ALL_BLOCKS for tool in block.needs}
    assert needed <= {"helm", "kubectl"}, needed
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "kubectl_dir=$(bash scripts/get-kubectl.sh" in ci and 'export PATH="$kubectl_dir:$PATH"' in ci
    script = (REPO / "scripts" / "get-kubectl.sh").read_text(encoding="utf-8")
    assert '[ -x "$dir/kubectl" ] && [ -x "$dir/helm" ]' in script  # both, in the folder it prints
