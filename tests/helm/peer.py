"""Running real ``helm template`` beside pytemplar, and comparing what they render as data.

helm is looked for on PATH, then where ``/work/shared/get-peers.sh``-style setups put it
(``~/.cache/peers/bin``); the tests that need it are skipped when it is missing.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_pytemplar, write_tree

HELM_CANDIDATES = (Path.home() / ".cache" / "peers" / "bin" / "helm",)


def find_helm() -> str | None:
    found = shutil.which("helm")
    candidates = [found] if found else []
    candidates += [str(path) for path in HELM_CANDIDATES if path.is_file()]
    for candidate in candidates:
        probe = subprocess.run([candidate, "version", "--short"], capture_output=True, text=True, timeout=60)
        if probe.returncode == 0 and probe.stdout.startswith(("v3.", "v4.")):
            return candidate
    return None


HELM = find_helm()
needs_helm = pytest.mark.skipif(HELM is None, reason="helm v3 or v4 is not on PATH or in ~/.cache/peers/bin")


def helm_template(
    chart: Path, *args: str, release: str = "rel", check: bool = True
) -> subprocess.CompletedProcess[str]:
    assert HELM is not None
    proc = subprocess.run([HELM, "template", release, str(chart), *args], capture_output=True, text=True, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def objects(stream: str) -> list[Any]:
    """The documents of a YAML stream as a YAML 1.1 reader (kubectl's) sees them, sorted."""
    docs = [doc for doc in yaml.safe_load_all(stream) if doc is not None]
    return sorted(docs, key=lambda d: (d.get("kind", ""), d.get("metadata", {}).get("name", "")))


def chart(root: Path, files: Mapping[str, str]) -> Path:
    """A Helm chart in ``root/chart`` from {path: text}."""
    write_tree(root / "chart", files)
    return root / "chart"


def project(root: Path, app: Mapping[str, str], overlay: str | None = None, env: str = "prod") -> Path:
    """A pytemplar app in ``root/app`` and a one-release project (release ``rel``) in ``root/project``."""
    files = {f"app/{path}": text for path, text in app.items()}
    files["project/pytemplar.yaml"] = f"""
        environments:
          {env}: {{namespace: default}}
        releases:
          rel: {{app: ../app}}
    """
    if overlay is not None:
        files[f"project/envs/{env}.yaml"] = overlay
    write_tree(root, files)
    return root / "project"


def pytemplar_render(folder: Path, *args: str, env: str = "prod") -> list[Any]:
    result = run_pytemplar("render", folder, "-e", env, *args)
    assert result.code == 0, result.stderr
    return objects(result.stdout)


def without(objs: Iterable[Any], *paths: tuple[str, ...]) -> list[Any]:
    """Objects with the given paths removed (labels or annotations one tool adds by design)."""
    out = []
    for obj in objs:
        for path in paths:
            node = obj
            for part in path[:-1]:
                node = node.get(part, {}) if isinstance(node, dict) else {}
            if isinstance(node, dict):
                node.pop(path[-1], None)
        out.append(obj)
    return out
