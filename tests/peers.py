"""Where the tests find the peers they compare with: the pinned kubectl and helm (see the developers' guide).

Each is looked for on PATH, then where the pinning scripts put it; a test that needs one skips when
it is missing (CI installs both).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

KUBECTL_CANDIDATES = (
    Path.home() / ".cache" / "pytemplar" / "kubectl-2.2.2" / "kubectl",
    Path.home() / ".cache" / "peers" / "bin" / "kubectl",
)
HELM_CANDIDATES = (Path.home() / ".cache" / "peers" / "bin" / "helm",)


def _first_working(name: str, candidates: tuple[Path, ...], probe: list[str], wanted: str) -> str | None:
    found = shutil.which(name)
    listed = [found] if found else []
    listed += [str(path) for path in candidates if path.is_file()]
    for candidate in listed:
        try:
            done = subprocess.run([candidate, *probe], capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if done.returncode == 0 and wanted in done.stdout:
            return candidate
    return None


def find_kubectl() -> str | None:
    """A kubectl of the 1.3x line with kustomize v5 built in."""
    return _first_working("kubectl", KUBECTL_CANDIDATES, ["version", "--client"], "Kustomize Version: v5")


def find_helm() -> str | None:
    """Helm 3 or 4."""
    return _first_working("helm", HELM_CANDIDATES, ["version", "--short"], "v")


KUBECTL = find_kubectl()
HELM = find_helm()
