"""pytemplar's performance benchmark against Helm and Kustomize (issue 9).

Run from the repository with the Python that has pytemplar installed::

    python bench/run.py                 # every workload, the default number of runs
    python bench/run.py --quick         # a smoke run in under a minute (3 runs, no W4, no Kustomize on W3)
    python bench/run.py --helm ~/bin/helm --kubectl ~/bin/kubectl --workloads W1,W3 --runs 5

For each workload (see ``suite.py``) it writes the same releases for pytemplar, Helm and
Kustomize in a temporary folder, runs each tool once and checks that the three rendered the same
objects (``equivalence.py``), then times whole processes interleaved (pytemplar, Helm, Kustomize,
pytemplar, ...) and prints medians, peak RSS and the ratios against the targets of issue 9.
``helm`` and ``kubectl`` are found on PATH or given by flag; a missing one is explained and skipped.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import equivalence
import measure
import suite
import workloads
from measure import Series

DEFAULT_RUNS = {"W1": 21, "W2": 15, "W3": 9, "W4": 3, "W5": 3, "help": 21}
QUICK_RUNS = 3
REFERENCES = (suite.INTERPRETER, suite.FLOOR)  # timed beside the tools, not tools themselves
DEFAULT_KUSTOMIZE_MAX = 500
QUICK_KUSTOMIZE_MAX = 12
HOW_TO_GET = {
    "helm": "install Helm (https://helm.sh/docs/intro/install/) and put it on PATH, or pass --helm PATH",
    "kubectl": "install kubectl (https://kubernetes.io/docs/tasks/tools/) and put it on PATH, or pass --kubectl PATH",
}
PEERS_HINT = "in the pytemplar development setup, `bash ../shared/get-peers.sh` installs both and prints their folder"


@dataclass(frozen=True)
class Target:
    """One target of issue 9: a figure, its limit and how to print it."""

    name: str
    limit: float
    unit: str  # "x" for ratios, "MiB", "ms"

    def line(self, value: float | None) -> str:
        if value is None:
            return f"| {self.name} | <= {self._show(self.limit)} | not measured | - |"
        verdict = "met" if value <= self.limit else "**missed**"
        return f"| {self.name} | <= {self._show(self.limit)} | {self._show(value)} | {verdict} |"

    def _show(self, value: float) -> str:
        if self.unit == "x":
            return f"{value:.2f}x"
        return f"{value:.1f} {self.unit}" if value < 10 else f"{value:.0f} {self.unit}"


@dataclass
class Outcome:
    """What one workload measured."""

    workload: suite.Workload
    series: dict[str, Series] = field(default_factory=dict)
    equivalent: bool = True
    comparison: list[str] = field(default_factory=list)  # what the equivalence check said
    failed: bool = False  # a tool exited with an error
    skipped: list[str] = field(default_factory=list)

    def median(self, tool: str) -> float | None:
        series = self.series.get(tool)
        return series.median_seconds if series and series.samples else None

    def rss(self, tool: str) -> float | None:
        series = self.series.get(tool)
        return series.max_rss_mib if series and series.samples else None


# --- finding the tools --------------------------------------------------------------------------


def find_pytemplar(flag: str | None) -> tuple[str, ...]:
    """The pytemplar command: the flag, the script beside this Python, PATH, or ``python -m pytemplar``."""
    if flag:
        return (flag,)
    beside = Path(sys.executable).parent / "pytemplar"
    if beside.is_file():
        return (str(beside),)
    found = shutil.which("pytemplar")
    return (found,) if found else (sys.executable, "-m", "pytemplar")


def find_peer(name: str, flag: str | None) -> str | None:
    """A peer from its flag or PATH; ``None`` (with instructions on stderr) when it is missing."""
    path = flag or shutil.which(name)
    if path and Path(path).is_file() and os.access(path, os.X_OK):
        return path
    where = f"'{flag}' is not an executable file" if flag else f"{name} is not on PATH"
    print(f"note: {where}; its columns are skipped. To include it: {HOW_TO_GET[name]} ({PEERS_HINT}).", file=sys.stderr)
    return None


def version_of(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=30, check=False)
    except OSError as exc:
        return f"unavailable ({exc})"
    return " / ".join(line.strip() for line in done.stdout.splitlines() if line.strip()) or "unknown"


# --- the machine --------------------------------------------------------------------------------


def machine_lines(tools: suite.Tools) -> list[str]:
    """The machine and the tools, as Markdown list items."""
    lines = [
        f"- date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {_cpu_model()}, {os.cpu_count()} logical cores",
        f"- memory: {_memory_gib():.1f} GiB",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_version()} ({sys.executable})",
        f"- pytemplar: {version_of([*tools.pytemplar, '--version'])} ({' '.join(tools.pytemplar)}), {_commit()}",
    ]
    for name, path, flags in (
        ("helm", tools.helm, ["version", "--short"]),
        ("kubectl", tools.kubectl, ["version", "--client"]),
    ):
        found = f"{version_of([path, *flags])} ({path})" if path else f"not found, not run: {HOW_TO_GET[name]}"
        lines.append(f"- {name}: {found}")
    return lines


def cpu_counters() -> tuple[int, int] | None:
    """(steal, total) CPU time of all CPUs so far, in ticks, from /proc/stat; ``None`` elsewhere."""
    try:
        fields = Path("/proc/stat").read_text(encoding="utf-8").splitlines()[0].split()
    except (OSError, IndexError):
        return None
    ticks = [int(value) for value in fields[1:9]]  # user nice system idle iowait irq softirq steal
    return (ticks[7] if len(ticks) > 7 else 0), sum(ticks)


def steal_percent(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of CPU time the hypervisor took away between two readings (noise on a shared VM)."""
    if before is None or after is None or after[1] == before[1]:
        return None
    return 100 * (after[0] - before[0]) / (after[1] - before[1])


def _commit() -> str:
    """The repository's commit, and whether the package has changes not committed (read-only git)."""
    repo = str(workloads.REPO)
    head = version_of(["git", "-C", repo, "rev-parse", "--short", "HEAD"])
    changed = version_of(["git", "-C", repo, "status", "--porcelain", "--", "pytemplar"])
    return f"commit {head}" + (" with uncommitted changes in pytemplar/" if changed != "unknown" else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


# --- one workload -------------------------------------------------------------------------------


def check_equivalence(outputs: dict[str, Path]) -> tuple[bool, list[str]]:
    """Compare each peer's output with pytemplar's; the verdict and the lines to print."""
    if "pytemplar" not in outputs:
        return False, ["pytemplar produced no output: nothing to compare"]
    start = time.perf_counter()
    reference = equivalence.load_objects(outputs["pytemplar"])
    lines = [f"pytemplar: {len(reference)} objects"]
    ok = True
    if suite.ONE_PROCESS in outputs:
        same = outputs[suite.ONE_PROCESS].read_bytes() == outputs["pytemplar"].read_bytes()
        ok = ok and same
        lines.append(f"{suite.ONE_PROCESS}: {'the same bytes' if same else 'DIFFERENT OUTPUT'}")
    for tool in ("helm", "kustomize"):
        if tool in outputs:
            result = equivalence.compare(reference, equivalence.load_objects(outputs[tool]), tool)
            ok = ok and result.ok
            lines += result.lines()
    lines.append(f"(checked in {time.perf_counter() - start:.1f} s)")
    return ok, lines


def run_workload(workload: suite.Workload, folder: Path, runs: int, log: Callable[[str], None]) -> Outcome:
    """Warm up and check equivalence with one run of each step, then time ``runs`` interleaved rounds."""
    outcome = Outcome(workload)
    outputs: dict[str, Path] = {}
    for step in workload.steps:
        path = folder / f"{step.tool}.out.yaml"
        try:
            measure.run_step(step.commands, path, step.cwd, step.envs)
        except measure.CommandFailed as exc:
            log(f"  {step.tool} failed, left out: {exc}")
            outcome.skipped.append(f"{step.tool}: failed ({str(exc).splitlines()[0]})")
            outcome.failed = True
            continue
        outputs[step.tool] = path
    compared = {tool: path for tool, path in outputs.items() if tool not in REFERENCES}
    outcome.equivalent, outcome.comparison = check_equivalence(compared)
    for line in outcome.comparison:
        log(f"  {line}")
    steps = [step for step in workload.steps if step.tool in outputs]
    outcome.series = {step.tool: Series() for step in steps}
    for round_number in range(runs):
        for step in steps:
            sample = measure.run_step(step.commands, folder / f"{step.tool}.timed.yaml", step.cwd, step.envs)
            outcome.series[step.tool].samples.append(sample)
        log(f"  round {round_number + 1}/{runs}: " + ", ".join(_round_summary(outcome, steps)))
    return outcome


def _round_summary(outcome: Outcome, steps: Sequence[suite.Step]) -> list[str]:
    return [f"{s.tool} {outcome.series[s.tool].samples[-1].seconds:.3f} s" for s in steps]


def time_help(pytemplar: Sequence[str], runs: int, folder: Path) -> Series:
    """``pytemplar --help``, from cold, ``runs`` times (after one warm-up)."""
    series = Series()
    command = ((*pytemplar, "--help"),)
    measure.run_step(command, folder / "help.txt")
    for _ in range(runs):
        series.samples.append(measure.run_step(command, folder / "help.txt"))
    return series


# --- the report ---------------------------------------------------------------------------------


def workload_table(outcome: Outcome) -> list[str]:
    """One Markdown table: each tool's command, median, spread, peak RSS and pytemplar's ratios."""
    workload = outcome.workload
    renders = f"{workload.renders:,} release render" + ("s" if workload.renders > 1 else "")
    lines = [
        f"### {workload.key}: {workload.title} ({renders})",
        "",
        "| tool | command | median wall | min - max | median CPU | peak RSS | pytemplar / tool: time | RSS |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    mine, my_rss = outcome.median("pytemplar"), outcome.rss("pytemplar")
    for step in workload.steps:
        series = outcome.series.get(step.tool)
        if not series or not series.samples:
            continue
        low, high = series.spread
        median, rss = series.median_seconds, series.max_rss_mib
        ratio = f"{mine / median:.2f}x" if mine is not None and step.tool != "pytemplar" else ""
        rss_ratio = f"{my_rss / rss:.2f}x" if my_rss is not None and step.tool != "pytemplar" else ""
        if step.tool == suite.ONE_PROCESS or step.reference:
            ratio = rss_ratio = ""  # the same tool, or no tool: its row shows what the rest costs
        cpu = series.median_cpu_seconds
        row = f"| {step.tool} | `{step.label}` | {median:.3f} s | {low:.3f} - {high:.3f} | {cpu:.3f} s | {rss:.0f} MiB"
        lines.append(f"{row} | {ratio} | {rss_ratio} |")
    runs = max((len(s.samples) for s in outcome.series.values()), default=0)
    verdict = "same objects." if outcome.equivalent else "**outputs differ**:"
    lines += ["", f"{runs} interleaved runs; equivalence: {verdict}"]
    if not outcome.equivalent:
        lines += ["", "```", *outcome.comparison, "```"]
    lines += [f"Not run: {note}." for note in outcome.skipped]
    lines += floor_lines(outcome)
    return [*lines, ""]


def floor_lines(outcome: Outcome) -> list[str]:
    """How far pytemplar is above the floor, and where the floor is against the peers."""
    mine, floor, bare = outcome.median("pytemplar"), outcome.median(suite.FLOOR), outcome.median(suite.INTERPRETER)
    if mine is None or floor is None or bare is None:
        return []
    peers = [
        f"{floor / median:.2f}x `{tool}`"
        for tool in ("helm", "kustomize")
        if (median := outcome.median(tool)) is not None
    ]
    return [
        "",
        f"The floor (pytemplar's interpreter importing Jinja2 and ruamel.yaml with libyaml, nothing else) "
        f"is {1000 * floor:.1f} ms, of which the bare interpreter {1000 * bare:.1f} ms; it alone is "
        + (" and ".join(peers) or "not compared")
        + f". pytemplar is {1000 * (mine - floor):.1f} ms above it ({mine / floor:.2f}x the floor).",
    ]


def per_release_ms(outcomes: dict[str, Outcome], key: str) -> float | None:
    """pytemplar's cost per release in ms: (median - W1's median) / (releases - 1), W1 being the fixed cost."""
    outcome, single = outcomes.get(key), outcomes.get("W1")
    if outcome is None or outcome.median("pytemplar") is None:
        return None
    total = outcome.median("pytemplar") or 0.0
    fixed = single.median("pytemplar") if single else None
    renders = outcome.workload.renders
    if fixed is None:
        return 1000 * total / renders
    return 1000 * (total - fixed) / (renders - 1)


def target_lines(outcomes: dict[str, Outcome], help_series: Series | None) -> list[str]:
    """The targets (issues 9 and 21) with the figures reached."""

    def ratio(key: str, tool: str, rss: bool = False) -> float | None:
        outcome = outcomes.get(key)
        if outcome is None:
            return None
        mine = outcome.rss("pytemplar") if rss else outcome.median("pytemplar")
        theirs = outcome.rss(tool) if rss else outcome.median(tool)
        return mine / theirs if mine is not None and theirs else None

    w3, w4 = per_release_ms(outcomes, "W3"), per_release_ms(outcomes, "W4")
    w4_outcome = outcomes.get("W4")
    rows = [
        (Target("W1 time vs helm template", 2.0, "x"), ratio("W1", "helm")),
        (Target("W1 time vs kubectl kustomize", 1.5, "x"), ratio("W1", "kustomize")),
        (Target("W2 time vs 12 helm template calls", 0.30, "x"), ratio("W2", "helm")),
        (Target("W2 time vs one kubectl kustomize of 12", 0.8, "x"), ratio("W2", "kustomize")),
        (Target("W3 time vs Helm umbrella chart", 0.8, "x"), ratio("W3", "helm")),
        (Target("W3 per release (after W1's start-up)", 1.2, "ms"), w3),
        (Target("W3 peak RSS vs Helm umbrella chart", 0.5, "x"), ratio("W3", "helm", rss=True)),
        (Target("W4 per-release cost vs W3's", 1.15, "x"), w4 / w3 if w3 and w4 else None),
        (Target("W4 peak RSS", 100, "MiB"), w4_outcome.rss("pytemplar") if w4_outcome else None),
        (Target("pytemplar --help", 150, "ms"), 1000 * help_series.median_seconds if help_series else None),
    ]
    lines = ["| target | limit | reached | verdict |", "| --- | ---: | ---: | --- |"]
    lines += [target.line(value) for target, value in rows]
    if w3 is not None or w4 is not None:
        shown = ", ".join(f"{k} {v:.2f} ms" for k, v in (("W3", w3), ("W4", w4)) if v is not None)
        lines += ["", f"pytemplar per release ((median - W1 median) / (releases - 1)): {shown}."]
    w5 = outcomes.get("W5")
    if w5 is not None and w5.median("pytemplar") and w5.median("helm"):
        wall = (w5.median("pytemplar") or 0) / (w5.median("helm") or 1)
        mine, theirs = w5.series["pytemplar"].median_cpu_seconds, w5.series["helm"].median_cpu_seconds
        lines += [
            "",
            f"W5 (no target): {w5.workload.renders} Argo CD refreshes take {wall:.2f}x the time of as many"
            f" `helm template` calls and {mine / theirs:.2f}x their CPU.",
        ]
    return lines


@dataclass
class Conditions:
    """How the run went, beside the figures: the bytecode cache and the CPU time stolen by the host."""

    bytecode: str = ""
    steal: float | None = None
    seconds: float = 0.0
    loads: list[tuple[float, float, float]] = field(default_factory=list)  # at the start of each workload, and the end

    def lines(self) -> list[str]:
        steal = "unknown" if self.steal is None else f"{self.steal:.1f}% of CPU time"
        loads = ", ".join("/".join(f"{value:.1f}" for value in load) for load in self.loads) or "unknown"
        return [
            f"- Python children: {self.bytecode}",
            f"- CPU steal during the run (from /proc/stat): {steal}",
            f"- load average (1/5/15 min) at the start of each workload and at the end: {loads}",
            f"- benchmark duration: {self.seconds / 60:.1f} min",
        ]


def report(
    args: argparse.Namespace,
    tools: suite.Tools,
    outcomes: dict[str, Outcome],
    help_series: Series | None,
    conditions: Conditions,
) -> str:
    lines = ["## Machine", "", *machine_lines(tools), *conditions.lines(), ""]
    lines += ["## Command", "", f"    {_command_line(args)}", ""]
    lines += ["## Results", ""]
    for outcome in outcomes.values():
        lines += workload_table(outcome)
    if help_series:
        low, high = help_series.spread
        median = 1000 * help_series.median_seconds
        rss = help_series.max_rss_mib
        spread = f"{1000 * low:.0f} - {1000 * high:.0f}"
        lines += [f"`pytemplar --help`: median {median:.0f} ms ({spread}), peak RSS {rss:.0f} MiB.", ""]
    lines += ["## Targets", "", *target_lines(outcomes, help_series), ""]
    lines += ["## Documented differences", "", *[f"- {d}" for d in equivalence.DOCUMENTED_DIFFERENCES], ""]
    return "\n".join(lines)


def _command_line(args: argparse.Namespace) -> str:
    return " ".join(["python", "bench/run.py", *args.argv])


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="few runs, no W4, no Kustomize on W3: under a minute")
    parser.add_argument("--helm", help="path of the helm binary (default: helm on PATH)")
    parser.add_argument("--kubectl", help="path of the kubectl binary (default: kubectl on PATH)")
    parser.add_argument("--pytemplar", help="path of the pytemplar command (default: beside this Python, or PATH)")
    parser.add_argument("--workloads", default=None, help="comma-separated subset of W1,W2,W3,W4,W5 (default: all)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per workload (default: 21/15/9/3/3)")
    parser.add_argument(
        "--kustomize-max",
        type=int,
        default=None,
        help=f"skip Kustomize above this many releases: its time grows quadratically (default {DEFAULT_KUSTOMIZE_MAX})",
    )
    parser.add_argument(
        "--workdir", type=Path, help="an empty folder to write the workloads to and keep (default: temp)"
    )
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    args.argv = list(argv)
    default = [key for key in suite.WORKLOAD_KEYS if not (args.quick and key == "W4")]
    chosen = args.workloads.split(",") if args.workloads else default
    unknown = [key for key in chosen if key not in suite.WORKLOAD_KEYS]
    if unknown:
        parser.error(f"unknown workloads {', '.join(unknown)}; choose from {', '.join(suite.WORKLOAD_KEYS)}")
    args.chosen = chosen
    if args.kustomize_max is None:
        args.kustomize_max = QUICK_KUSTOMIZE_MAX if args.quick else DEFAULT_KUSTOMIZE_MAX
    return args


def runs_for(args: argparse.Namespace, key: str) -> int:
    if args.runs is not None:
        return max(1, int(args.runs))
    return QUICK_RUNS if args.quick else DEFAULT_RUNS[key]


def load_average() -> tuple[float, float, float]:
    """The machine's load (as ``uptime`` shows it): other work competing for the processors."""
    try:
        return os.getloadavg()
    except OSError:
        return (float("nan"),) * 3


def run_all(
    args: argparse.Namespace, tools: suite.Tools, root: Path, conditions: Conditions
) -> tuple[dict[str, Outcome], Series]:
    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    outcomes: dict[str, Outcome] = {}
    for key in args.chosen:
        conditions.loads.append(load_average())
        renders = 12 if key == "W2" else suite.SIZES[key]
        kubectl = tools.kubectl if renders <= args.kustomize_max else None
        start = time.perf_counter()
        workload = suite.prepare(key, root / key, suite.Tools(tools.pytemplar, tools.helm, kubectl))
        log(f"{key}: {workload.title}; inputs written in {time.perf_counter() - start:.1f} s")
        outcome = run_workload(workload, root / key, runs_for(args, key), log)
        if tools.kubectl and not kubectl:
            outcome.skipped.append(f"kustomize: {renders:,} overlays is above --kustomize-max {args.kustomize_max}")
        outcomes[key] = outcome
    log("pytemplar --help")
    help_series = time_help(tools.pytemplar, runs_for(args, "help"), root)
    conditions.loads.append(load_average())
    return outcomes, help_series


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    helm, kubectl = find_peer("helm", args.helm), find_peer("kubectl", args.kubectl)
    tools = suite.Tools(find_pytemplar(args.pytemplar), helm, kubectl)
    if args.workdir and args.workdir.exists() and any(args.workdir.iterdir()):
        print(f"error: --workdir {args.workdir} is not empty; give a new or empty folder", file=sys.stderr)
        return 2
    conditions = Conditions()
    start, before = time.perf_counter(), cpu_counters()
    with tempfile.TemporaryDirectory(prefix="pytemplar-bench-") as temporary:
        root = args.workdir or Path(temporary)
        conditions.bytecode = measure.give_bytecode_cache(root)
        outcomes, help_series = run_all(args, tools, root, conditions)
    conditions.steal = steal_percent(before, cpu_counters())
    conditions.seconds = time.perf_counter() - start
    text = report(args, tools, outcomes, help_series, conditions)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0 if all(outcome.equivalent and not outcome.failed for outcome in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
