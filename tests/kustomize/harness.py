"""Run one change both ways: as a kustomization through the pinned ``kubectl kustomize``, and as
pytemplar transforms over an app whose template is the same objects; compare what comes out.

The expected output is never written down: it is what real kubectl prints for the case's
kustomization at test time. A case says either that both give the same objects, or that
pytemplar differs on purpose; then it must say so in its output (a warning or an error whose
text the case names), never silently.

kubectl is looked for on PATH, then in ~/.cache/peers/bin and in the folder
scripts/get-kubectl.sh fills (CI runs that script first); it must bundle kustomize v5.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from conftest import run_pytemplar, write_tree

KUBECTL_CANDIDATES = (
    Path.home() / ".cache" / "pytemplar" / "kubectl-2.2.2" / "kubectl",
    Path.home() / ".cache" / "peers" / "bin" / "kubectl",
)
NAMESPACE = "shop"


def find_kubectl() -> str | None:
    found = shutil.which("kubectl")
    candidates = [found] if found else []
    candidates += [str(path) for path in KUBECTL_CANDIDATES if path.is_file()]
    for candidate in candidates:
        probe = subprocess.run([candidate, "version", "--client"], capture_output=True, text=True, timeout=60)
        if probe.returncode == 0 and "Kustomize Version: v5" in probe.stdout:
            return candidate
    return None


KUBECTL = find_kubectl()
SKIP_REASON = (
    "kubectl with kustomize v5 is not on PATH, in ~/.cache/peers/bin or where "
    "scripts/get-kubectl.sh puts it; run scripts/get-kubectl.sh"
)

Outcome = Literal["same", "warns", "refuses", "reorders"]


@dataclass(frozen=True)
class Case:
    """One conformance case.

    ``resources``: the objects (YAML documents), as a template would render them.
    ``kustomization``: the kustomization's fields besides ``resources``.
    ``transforms``: the same change as pytemplar transforms under the release (default: the
    kustomization's text, when the field is spelt the same).
    ``outcome``: ``same`` (identical objects, no warning), ``warns`` (pytemplar differs on purpose
    and warns with ``says``), ``refuses`` (pytemplar exits 1 with ``says``), ``reorders`` (the same
    objects in another order, a documented difference that changes no object).
    ``ordered``: the objects must also come out in the same order (sortOptions).
    ``project``, ``environment``: pytemplar.yaml text for the top level and for the environment.
    ``kustomize_says``: kubectl kustomize refuses the case with this message (a regular
    expression); then pytemplar must refuse it too, with ``says``, for the outcome ``same``.
    """

    name: str
    krusty: str  # where in kustomize's api/krusty tests the case comes from
    resources: str
    kustomization: str
    transforms: str | None = None
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    outcome: Outcome = "same"
    says: str = ""  # a regular expression the warning or error must match
    why: str = ""  # for differences on purpose: why pytemplar differs
    ordered: bool = False
    project: str = ""
    environment: str = ""
    kustomize_says: str = ""


def in_order(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def parsed(text: str) -> list[dict[str, Any]]:
    return sorted(in_order(text), key=lambda doc: json.dumps(doc, sort_keys=True))


def write_files(folder: Path, files: Mapping[str, str | bytes]) -> None:
    write_tree(folder, {name: text for name, text in files.items() if isinstance(text, str)})
    for name, data in files.items():
        if isinstance(data, bytes):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)


def kustomize(folder: Path, case: Case) -> subprocess.CompletedProcess[str]:
    write_files(folder, {"resources.yaml": case.resources, **case.files})
    written = textwrap.dedent(case.kustomization).strip("\n") + "\n"
    own_resources = re.search(r"^resources:", written, re.MULTILINE)  # an overlay naming its own
    kustomization = written if own_resources else "resources: [resources.yaml]\n" + written
    (folder / "kustomization.yaml").write_text(kustomization, encoding="utf-8")
    assert KUBECTL is not None
    return subprocess.run([KUBECTL, "kustomize", str(folder)], capture_output=True, text=True, timeout=120)


def pytemplar_project(folder: Path, case: Case) -> Path:
    transforms = textwrap.dedent(case.transforms if case.transforms is not None else case.kustomization).strip("\n")
    template = "{% raw %}\n" + textwrap.dedent(case.resources).strip("\n") + "\n{% endraw %}\n"
    write_files(folder, {"app/app.yaml": "name: raw\nversion: 1.0.0\n", **case.files})
    (folder / "app" / "templates").mkdir(parents=True, exist_ok=True)
    (folder / "app" / "templates" / "all.yaml.j2").write_text(template, encoding="utf-8")
    project = textwrap.dedent(case.project).strip("\n")
    environment = textwrap.dedent(case.environment).strip("\n")
    config = (
        (project + "\n" if project else "")
        + f"environments:\n  dev:\n    namespace: {NAMESPACE}\n"
        + (textwrap.indent(environment, "    ") + "\n" if environment else "")
        + "releases:\n  r:\n    app: ./app\n"
        + (textwrap.indent(transforms, "    ") + "\n" if transforms else "")
    )
    (folder / "pytemplar.yaml").write_text(config, encoding="utf-8")
    return folder


def warnings_in(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "warning:" in line]


def check(tmp_path: Path, case: Case) -> None:
    """Run the case both ways and assert its outcome."""
    expected = kustomize(tmp_path / "kustomize", case)
    project = pytemplar_project(tmp_path / "pytemplar", case)
    ours = run_pytemplar("render", project, "-e", "dev")
    if case.kustomize_says:  # both refuse
        assert expected.returncode != 0, f"kubectl kustomize accepted the case: {expected.stdout}"
        assert re.search(case.kustomize_says, expected.stderr), expected.stderr
        assert ours.code == 1, ours.stdout
        assert re.search(case.says, ours.stderr), ours.stderr
        assert ours.stdout == ""
        return
    assert expected.returncode == 0, f"kubectl kustomize refused the case: {expected.stderr}"
    if case.outcome == "refuses":
        assert ours.code == 1, ours.stdout
        assert re.search(case.says, ours.stderr), ours.stderr
        assert ours.stdout == ""
        return
    assert ours.code == 0, ours.stderr
    if case.outcome == "warns":
        assert any(re.search(case.says, line) for line in warnings_in(ours.stderr)), ours.stderr
        assert parsed(ours.stdout) != parsed(expected.stdout), "the case differs on purpose but gives the same"
        return
    assert warnings_in(ours.stderr) == [], ours.stderr
    assert parsed(ours.stdout) == parsed(expected.stdout)
    if case.outcome == "reorders":
        assert in_order(ours.stdout) != in_order(expected.stdout), "the case differs in order but gives the same"
    elif case.ordered:
        assert [describe(doc) for doc in in_order(ours.stdout)] == [describe(doc) for doc in in_order(expected.stdout)]
        assert in_order(ours.stdout) == in_order(expected.stdout)


def describe(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata") or {}
    return f"{obj.get('apiVersion')} {obj.get('kind')} {metadata.get('namespace', '')}/{metadata.get('name')}"
