"""The four workloads (W1-W4) and the commands each tool runs for them.

===  ============================================  ===========================================================
W1   one release (the CLI from cold)               ``pytemplar render`` / ``helm template`` / ``kubectl kustomize``
W2   the shop: 4 releases x 3 environments         one ``pytemplar render --all-envs`` / 12 ``helm template`` calls /
                                                   one ``kubectl kustomize`` of a root listing the 12 overlays
W3   200 generated releases                        one render / an umbrella chart with 200 aliased subcharts /
                                                   one ``kubectl kustomize`` of 200 overlays
W4   2,000 generated releases                      as W3, ten times larger (scaling and memory)
W5   Argo CD: 50 Applications refreshed in turn    50 runs of the generate command of the Config Management
                                                   Plugin (``examples/argocd/plugin.yaml``), each a cold
                                                   ``pytemplar render`` of one release / 50 ``helm template``
===  ============================================  ===========================================================

W5 runs the plugin's generate command exactly as Argo CD's sidecar does: the command and
arguments read from the plugin file, in the project folder (the Application's source path), with
``ARGOCD_ENV_ENVIRONMENT`` and ``ARGOCD_ENV_RELEASE`` set as the Application's plugin parameters.
Helm is run as Argo CD's repo server runs it for a Helm Application: one ``helm template`` each.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import workloads
import yaml
from workloads import Project, Release

WORKLOAD_KEYS = ("W1", "W2", "W3", "W4", "W5")
SIZES = {"W1": 1, "W3": 200, "W4": 2000, "W5": 50}
ARGOCD_PLUGIN = workloads.REPO / "examples" / "argocd" / "plugin.yaml"
TOOL_NAMES = ("pytemplar", "helm", "kustomize")
ONE_PROCESS = "pytemplar -j 1"  # the same render without workers: what parallelism adds, and its memory
INTERPRETER = "interpreter"
FLOOR = "floor"
# What any Jinja2 renderer reading YAML with libyaml pays before it does anything: pytemplar's
# interpreter importing Jinja2 and ruamel.yaml with its C extension, ending as pytemplar does.
FLOOR_CODE = "import jinja2, ruamel.yaml, _ruamel_yaml_clibz, os; os._exit(0)"


@dataclass(frozen=True)
class Tools:
    """How to start each tool; ``None`` for a peer that is not installed."""

    pytemplar: tuple[str, ...]
    helm: str | None
    kubectl: str | None


@dataclass(frozen=True)
class Step:
    """What one tool runs for a workload: one or more processes, timed together."""

    tool: str
    label: str
    commands: tuple[tuple[str, ...], ...]
    cwd: Path | None = None  # where the commands run (default: the benchmark's own folder)
    envs: tuple[Mapping[str, str], ...] | None = None  # each command's added environment variables
    reference: bool = False  # a process timed beside the tools, with no output to compare (the floor)


@dataclass
class Workload:
    key: str
    title: str
    renders: int  # releases x environments rendered
    steps: list[Step]


def prepare(key: str, root: Path, tools: Tools) -> Workload:
    """Write the inputs of workload ``key`` under ``root`` and say what each tool runs."""
    root.mkdir(parents=True, exist_ok=True)
    if key == "W2":
        return _shop(root, tools)
    if key == "W5":
        return _argocd(root, tools)
    return _generated(key, SIZES[key], root, tools)


def _shop(root: Path, tools: Tools) -> Workload:
    project = workloads.shop_project()
    releases = project.releases()
    folder = workloads.copy_shop(root / "pytemplar")
    command = (*tools.pytemplar, "render", str(folder), "--all-envs")
    steps = [
        Step("pytemplar", "pytemplar render --all-envs", (command,)),
        Step(ONE_PROCESS, "pytemplar render --all-envs -j 1", ((*command, "-j", "1"),)),
    ]
    steps += _peer_steps(tools, releases, root, umbrella=False)
    title = f"the shop: {len(project.release_values)} releases x {len(project.namespaces)} environments"
    return Workload("W2", title, len(releases), steps)


def _generated(key: str, count: int, root: Path, tools: Tools) -> Workload:
    project: Project = workloads.generated_project(count)
    releases = project.releases()
    folder = workloads.write_pytemplar(project, root / "pytemplar")
    command = (*tools.pytemplar, "render", str(folder), "-e", "prod")
    steps = [Step("pytemplar", "pytemplar render", (command,))]
    if count > 1:
        steps.append(Step(ONE_PROCESS, "pytemplar render -j 1", ((*command, "-j", "1"),)))
    else:
        python = interpreter_of(tools.pytemplar)
        steps.append(
            Step(
                INTERPRETER,
                "python -c 'import os; os._exit(0)'",
                ((python, "-c", "import os; os._exit(0)"),),
                reference=True,
            )
        )
        steps.append(
            Step(FLOOR, "python: import jinja2, ruamel.yaml (libyaml)", ((python, "-c", FLOOR_CODE),), reference=True)
        )
    steps += _peer_steps(tools, releases, root, umbrella=count > 1)
    title = "one release (cold CLI)" if count == 1 else f"{count:,} releases in one environment"
    return Workload(key, title, len(releases), steps)


def interpreter_of(pytemplar: Sequence[str]) -> str:
    """The Python that runs ``pytemplar``: the script's ``#!`` line, or the command's first word."""
    first = Path(pytemplar[0])
    try:
        with first.open("rb") as script:
            line = script.readline(4096)
    except OSError:
        return pytemplar[0]
    if line.startswith(b"#!"):
        return line[2:].decode("utf-8", "replace").split()[0]
    return pytemplar[0]


def plugin_generate(plugin: Path = ARGOCD_PLUGIN) -> tuple[str, ...]:
    """The generate command of the Argo CD plugin, as the sidecar runs it: command then args."""
    spec = yaml.safe_load(plugin.read_text(encoding="utf-8"))["spec"]["generate"]
    return (*spec["command"], *spec.get("args", []))


def _argocd(root: Path, tools: Tools) -> Workload:
    project: Project = workloads.generated_project(SIZES["W5"])
    releases = project.releases()
    folder = workloads.write_pytemplar(project, root / "pytemplar")
    if len(tools.pytemplar) != 1:
        raise SystemExit("W5 runs the plugin, which calls `pytemplar`: give the benchmark a pytemplar executable")
    command = plugin_generate()
    # The sidecar finds pytemplar on PATH: the benchmarked one comes first.
    path = f"{Path(tools.pytemplar[0]).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    envs = tuple(
        {"PATH": path, "ARGOCD_ENV_ENVIRONMENT": release.environment, "ARGOCD_ENV_RELEASE": release.name}
        for release in releases
    )
    steps = [
        Step(
            "pytemplar",
            f"{len(releases)} x plugin generate (pytemplar render . --env E --release R)",
            tuple(command for _ in releases),
            cwd=folder,
            envs=envs,
        )
    ]
    if tools.helm:
        steps.append(_helm_releases(tools.helm, releases, root / "helm"))
    title = f"Argo CD: {len(releases)} Applications refreshed one after another"
    return Workload("W5", title, len(releases), steps)


def _peer_steps(tools: Tools, releases: Sequence[Release], root: Path, umbrella: bool) -> list[Step]:
    steps = []
    if tools.helm:
        steps.append((_helm_umbrella if umbrella else _helm_releases)(tools.helm, releases, root / "helm"))
    if tools.kubectl:
        steps.append(_kustomize(tools.kubectl, releases, root / "kustomize"))
    return steps


def _helm_releases(helm: str, releases: Sequence[Release], root: Path) -> Step:
    chart, files = workloads.write_helm_releases(releases, root)
    commands = tuple(
        (helm, "template", release.name, str(chart), "--namespace", release.namespace, "--values", str(path))
        for release, path in zip(releases, files, strict=True)
    )
    label = "helm template" if len(commands) == 1 else f"{len(commands)} x helm template"
    return Step("helm", label, commands)


def _helm_umbrella(helm: str, releases: Sequence[Release], root: Path) -> Step:
    chart = workloads.write_helm_umbrella(releases, root)
    command = (helm, "template", "bench", str(chart), "--namespace", releases[0].namespace)
    return Step("helm", f"helm template (umbrella, {len(releases)} aliases)", (command,))


def _kustomize(kubectl: str, releases: Sequence[Release], root: Path) -> Step:
    folder, overlays = workloads.write_kustomize(releases, root)
    target = overlays[0] if len(overlays) == 1 else folder
    label = "kubectl kustomize" if len(overlays) == 1 else f"kubectl kustomize ({len(overlays)} overlays)"
    return Step("kustomize", label, ((kubectl, "kustomize", str(target)),))
