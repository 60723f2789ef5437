"""Shared fixtures: golden files, the CLI as a subprocess, and app/project trees from dicts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "apps"

# Compiled templates are cached per user; the tests keep theirs apart and remove it afterwards.
TEMPLATE_CACHE = Path(tempfile.mkdtemp(prefix="pytemplar-tests-cache-"))


def pytest_configure(config: pytest.Config) -> None:
    os.environ["PYTEMPLAR_CACHE_DIR"] = str(TEMPLATE_CACHE)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(TEMPLATE_CACHE, ignore_errors=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output (review the diff before committing)",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, Path], None]:
    """Compare text with a golden file; ``pytest --update-golden`` rewrites it instead."""

    def check(actual: str, expected_file: Path) -> None:
        if request.config.getoption("--update-golden"):
            expected_file.parent.mkdir(parents=True, exist_ok=True)
            expected_file.write_text(actual, encoding="utf-8")
        assert expected_file.exists(), f"{expected_file} is missing: run pytest --update-golden"
        assert actual == expected_file.read_text(encoding="utf-8")

    return check


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_pytemplar(*args: str | os.PathLike[str], cwd: Path | None = None, timeout: float = 60) -> CliResult:
    """Run ``python -m pytemplar`` as a user would, in a separate process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
    env["PYTEMPLAR_CACHE_DIR"] = str(TEMPLATE_CACHE)
    env["COLUMNS"] = "200"
    proc = subprocess.run(
        [sys.executable, "-m", "pytemplar", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_pytemplar


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Create files under ``root`` from {relative path: text}; text is dedented."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


MINIMAL_APP = {
    "app/app.yaml": """
        name: demo
        version: 0.1.0
    """,
    "app/values.yaml": """
        replicas: 1
        image:
          tag: "1.0"
    """,
    "app/values.schema.json": """
        {
          "type": "object",
          "properties": {
            "replicas": {"type": "integer"},
            "image": {"type": "object", "properties": {"tag": {"type": "string"}}}
          }
        }
    """,
    "app/templates/deployment.yaml.j2": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ release.name }}
          namespace: {{ release.namespace }}
        spec:
          replicas: {{ values.replicas }}
          selector:
            matchLabels: {app: demo}
          template:
            metadata:
              labels: {app: demo}
            spec:
              containers:
                - name: main
                  image: "example/demo:{{ values.image.tag }}"
    """,
    "project/pytemplar.yaml": """
        environments:
          dev: {}
          prod:
            namespace: production
        releases:
          one:
            app: ../app
    """,
}


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[..., Path]:
    """``make_tree({path: text, ...})`` writes files under a temp folder and returns it.

    ``make_tree(base=MINIMAL_APP, overrides)`` starts from a minimal app + project
    (``app/`` and ``project/``) and replaces or adds the given files.
    """

    def make(files: Mapping[str, str] | None = None, *, base: Mapping[str, str] | None = None) -> Path:
        merged = dict(base or {})
        merged.update(files or {})
        return write_tree(tmp_path, merged)

    return make
