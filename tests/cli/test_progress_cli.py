"""The progress line of render and validate: on a terminal only, and gone before anything else.

The line waits one second before it appears; these runs take less, so they run the real CLI
with that delay set to zero.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_APP, TEMPLATE_CACHE, CliResult, run_pytemplar

pty = pytest.importorskip("pty")

NO_DELAY = (
    "import sys, pytemplar.progress as p; p.DELAY = 0; "
    "from pytemplar.cli import entrypoint; sys.argv[0] = 'pytemplar'; entrypoint()"
)

TWO_RELEASES = {
    "project/pytemplar.yaml": """
        environments:
          prod: {}
        releases:
          one:
            app: ../app
          two:
            app: ../app
    """,
}


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
    env["PYTEMPLAR_CACHE_DIR"] = str(TEMPLATE_CACHE)
    return env


def run_without_delay(*args: str | Path, stderr_on_terminal: bool) -> CliResult:
    """The CLI with stdout to a pipe and stderr to a pipe or to a pseudo-terminal."""
    command = [sys.executable, "-c", NO_DELAY, *map(str, args)]
    if not stderr_on_terminal:
        proc = subprocess.run(command, capture_output=True, text=True, env=_environment(), timeout=60)
        return CliResult(proc.returncode, proc.stdout, proc.stderr)
    controller, terminal = pty.openpty()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=terminal, env=_environment()) as child:
        os.close(terminal)
        stdout = child.communicate(timeout=60)[0].decode()
    return CliResult(child.returncode, stdout, _read_all(controller).decode())


def _read_all(controller: int) -> bytes:
    received = b""
    try:
        while select.select([controller], [], [], 5)[0]:
            chunk = os.read(controller, 4096)
            if not chunk:
                break
            received += chunk
    except OSError:  # Linux: the terminal side is closed and everything was read
        pass
    finally:
        os.close(controller)
    return received


@pytest.fixture
def project(make_tree: Callable[..., Path]) -> Path:
    return make_tree(TWO_RELEASES, base=MINIMAL_APP) / "project"


def test_render_to_a_pipe_shows_no_progress(project: Path) -> None:
    result = run_without_delay("render", project, "-e", "prod", stderr_on_terminal=False)
    assert (result.code, result.stderr) == (0, "")
    assert result.stdout == run_pytemplar("render", project, "-e", "prod").stdout


def test_validate_to_a_pipe_shows_no_progress(project: Path) -> None:
    result = run_without_delay("validate", project, stderr_on_terminal=False)
    assert (result.code, result.stderr) == (0, run_pytemplar("validate", project).stderr)
    assert "releases (" not in result.stderr


def test_render_on_a_terminal_shows_progress_then_clears_it(project: Path) -> None:
    result = run_without_delay("render", project, "-e", "prod", stderr_on_terminal=True)
    assert result.code == 0
    assert result.stderr.startswith("\rrendering 1/2 releases (prod/one)")
    assert result.stderr.endswith("\r") and result.stderr.rsplit("\r", 2)[1].strip(" ") == ""
    assert result.stdout == run_pytemplar("render", project, "-e", "prod").stdout


def test_a_failing_render_clears_the_line_before_its_error(make_tree: Callable[..., Path]) -> None:
    root = make_tree({**TWO_RELEASES, "project/releases/two.yaml": "replicas: many\n"}, base=MINIMAL_APP)
    (root / "project/pytemplar.yaml").write_text(
        "environments:\n  prod: {}\nreleases:\n  one:\n    app: ../app\n"
        "  two:\n    app: ../app\n    valuesFiles: [releases/two.yaml]\n",
        encoding="utf-8",
    )
    result = run_without_delay("render", root / "project", "-e", "prod", stderr_on_terminal=True)
    assert (result.code, result.stdout) == (1, "")
    cleared = re.fullmatch(r"(.*)\r( +)\r(.*)", result.stderr, re.DOTALL)
    assert cleared is not None, result.stderr
    progress, blanks, message = cleared.groups()
    assert progress.startswith("\rrendering 1/2 releases (prod/one)")
    assert len(blanks) == len(progress.rpartition("\r")[2])  # the last line shown, all of it
    assert "error: [prod/two] values.replicas" in message.splitlines()[0]
