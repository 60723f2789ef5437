"""Where pytemplar's time goes: the start-up cost, a profile of rendering, and import time.

    python bench/profile_render.py                   # W3: 200 releases
    python bench/profile_render.py --releases 2000   # W4

It writes the same generated projects as ``run.py`` (W1 and one of ``--releases``) to a temporary
folder, and prints Markdown for ``bench/RESULTS.md``:

1. the start-up cost of ``pytemplar render`` on W1, split by measuring, as whole processes
   (medians), the interpreter alone, the floor (the interpreter importing Jinja2 and ruamel.yaml
   with libyaml's parser), every module a render imports, and the full command;
2. in this process: ``pytemplar.render(project, environments=["prod"])`` and writing its
   manifests as one YAML stream (``pytemplar.output.to_yaml_stream``), timed with the cyclic
   garbage collector on and off, then profiled with cProfile: pytemplar's functions by
   cumulative time (the stages) and all functions by own time (the hot spots);
3. ``python -X importtime`` of those imports, summed by top-level package.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import measure
import suite
import workloads

IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")
ANCHORS = ("pytemplar", "jinja2", "jsonschema", "ruamel", "referencing", "deepmerge", "yaml", "typer", "pydantic")

# Renders W1 through the CLI's command in this process (no fork: --timeout 0 --max-memory 0) and
# prints the modules it imported on stderr. (The CLI's entry point would end the process.)
LIST_MODULES = """
import sys
from pytemplar.cli._quick import quick_command
project = sys.argv[1]
quick_command(["render", project, "-e", "prod", "--timeout", "0", "--max-memory", "0"])()
sys.stderr.write("\\n".join(sorted(sys.modules)))
"""
# Imports them in one process, with the garbage collector set as the command sets it.
IMPORT_EACH = """
import gc, importlib, os
gc.disable()
for name in {names!r}:
    try:
        importlib.import_module(name)
    except Exception:
        pass
os._exit(0)
"""
# Each process below ends as pytemplar's does, without tearing its modules down (os._exit).
FLOOR = suite.FLOOR_CODE


# --- start-up -----------------------------------------------------------------------------------


def modules_of_render(project: Path) -> list[str]:
    """The modules a ``pytemplar render`` of ``project`` imports, parents before children."""
    done = subprocess.run(
        [sys.executable, "-c", LIST_MODULES, str(project)], capture_output=True, text=True, check=True
    )
    names = [name for name in done.stderr.split() if name and not name.startswith("__main__")]
    return sorted(set(names) - set(sys.builtin_module_names), key=lambda name: (name.count("."), name))


def startup_lines(project: Path, folder: Path, runs: int) -> list[str]:
    """The start-up cost of rendering W1, part by part, from medians of whole-process runs."""
    script = folder / "import_render_modules.py"
    script.write_text(IMPORT_EACH.format(names=modules_of_render(project)), encoding="utf-8")
    pytemplar = str(Path(sys.executable).parent / "pytemplar")
    commands = {
        "start": [sys.executable, "-c", "import os; os._exit(0)"],
        "floor": [sys.executable, "-c", FLOOR],
        "imports": [sys.executable, str(script)],
        "one process": [pytemplar, "render", str(project), "-e", "prod", "--timeout", "0", "--max-memory", "0"],
        "render": [pytemplar, "render", str(project), "-e", "prod"],
    }
    samples: dict[str, list[float]] = {key: [] for key in commands}
    cpu_samples: dict[str, list[float]] = {key: [] for key in commands}
    for round_number in range(runs + 1):  # the first round fills the bytecode cache
        for key, argv in commands.items():
            sample = measure.run_process(argv, folder / "startup.out")
            if round_number:
                samples[key].append(1000 * sample.seconds)
                cpu_samples[key].append(1000 * sample.cpu_seconds)
    ms = {key: statistics.median(values) for key, values in samples.items()}
    cpu = {key: statistics.median(values) for key, values in cpu_samples.items()}
    parts = [
        ("the interpreter (`python -c pass`)", "start", None),
        ("Jinja2 and ruamel.yaml with libyaml's parser: with the interpreter, the floor", "floor", "start"),
        ("pytemplar's modules and the rest of what a render imports", "imports", "floor"),
        ("the work: project, schemas, one release from cached templates, checks, output", "one process", "imports"),
        (
            "the limits (a timer, address-space and CPU-time limits; against `--timeout 0 --max-memory 0`)",
            "render",
            "one process",
        ),
    ]
    rows = [(name, _part(ms, key, base), _part(cpu, key, base)) for name, key, base in parts]
    rows.append(("**`pytemplar render` (W1), whole process**", ms["render"], cpu["render"]))
    lines = [
        f"Medians of {runs} interleaved runs of each command, in ms; each part is a difference of two medians.",
        "On a loaded machine read the CPU column: wall time then includes waiting for a processor.",
        "",
    ]
    lines += ["| part | wall ms | CPU ms |", "| --- | ---: | ---: |"]
    table = [f"| {name} | {wall:.0f} | {used:.0f} |" for name, wall, used in rows]
    return lines + table + ["", *import_table(script, 12)]


def _part(values: dict[str, float], key: str, base: str | None) -> float:
    return values[key] - (values[base] if base else 0.0)


# --- the render, in process ---------------------------------------------------------------------


def render_once(project: Path) -> tuple[float, float, int]:
    """Seconds to render, seconds to write the stream, number of manifests."""
    import pytemplar
    from pytemplar.output import to_yaml_stream

    start = time.perf_counter()
    result = pytemplar.render(project, environments=["prod"])
    middle = time.perf_counter()
    to_yaml_stream(result.manifests)
    return middle - start, time.perf_counter() - middle, len(result.manifests)


def without_gc(action: Callable[[], Any]) -> Any:
    gc.collect()
    gc.disable()
    try:
        return action()
    finally:
        gc.enable()


def profile(action: Callable[[], Any]) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.runcall(action)
    return pstats.Stats(profiler, stream=io.StringIO())


def _where(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":
        return function
    parts = Path(filename).parts
    for anchor in ANCHORS:
        if anchor in parts:
            index = len(parts) - 1 - parts[::-1].index(anchor)
            return f"{'/'.join(parts[index:])}:{line}({function})"
    return f"{Path(filename).name}:{line}({function})"


def stats_table(stats: pstats.Stats, order: str, top: int, only: str | None = None) -> list[str]:
    """The ``top`` functions by ``order`` ("cumulative" or "tottime"), optionally those whose file contains ``only``."""
    rows = []
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for key, (_primitive, calls, own, cumulative, _callers) in raw.items():
        if only and f"/{only}/" not in key[0]:
            continue
        rows.append((cumulative if order == "cumulative" else own, calls, own, cumulative, _where(key)))
    rows.sort(reverse=True)
    lines = ["| function | calls | own s | cumulative s |", "| --- | ---: | ---: | ---: |"]
    lines += [
        f"| `{where}` | {calls:,} | {own:.3f} | {cumulative:.3f} |" for _, calls, own, cumulative, where in rows[:top]
    ]
    return lines


def render_lines(project: Path, releases: int, top: int) -> list[str]:
    render_once(project)  # imports; schemas and templates are compiled again by every render
    rendering, writing, count = render_once(project)
    no_gc = sum(without_gc(lambda: render_once(project))[:2])
    stats = profile(lambda: render_once(project))
    total = rendering + writing
    return [
        f"## Profile: {releases:,} releases ({count:,} manifests), in process",
        "",
        f"`pytemplar.render`: {rendering:.3f} s; `to_yaml_stream`: {writing:.3f} s; together "
        f"{1000 * total / releases:.2f} ms per release (imports excluded: a second render in the same process). "
        f"With the cyclic garbage collector off: {no_gc:.3f} s ({100 * (no_gc - total) / total:+.0f}%).",
        "",
        "### pytemplar's functions by cumulative time (under cProfile, which inflates small calls)",
        "",
        *stats_table(stats, "cumulative", top, only="pytemplar"),
        "",
        "### All functions by own time",
        "",
        *stats_table(stats, "tottime", top),
        "",
    ]


# --- imports ------------------------------------------------------------------------------------


def import_times(script: Path) -> tuple[float, dict[str, float]]:
    """Total import time of running ``script`` in a fresh interpreter, and each top-level package's share (ms)."""
    command = [sys.executable, "-X", "importtime", str(script)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    by_package: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            by_package[match.group(4).split(".")[0]] += int(match.group(1)) / 1000
    return sum(by_package.values()), dict(by_package)


def import_table(script: Path, top: int) -> list[str]:
    total, packages = import_times(script)
    ranked = sorted(packages.items(), key=lambda item: item[1], reverse=True)[:top]
    lines = [
        f"`python -X importtime` of the {total:.0f} ms of imports of a render (importtime adds its own overhead), "
        "by top-level package:",
        "",
        "| top-level package | ms (own time of its modules) |",
        "| --- | ---: |",
    ]
    return lines + [f"| {package} | {ms:.1f} |" for package, ms in ranked]


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--releases", type=int, default=200, help="releases in the generated project (default 200)")
    parser.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    parser.add_argument("--runs", type=int, default=15, help="runs of each start-up command (default 15)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pytemplar-profile-") as temporary:
        folder = Path(temporary)
        bytecode = measure.give_bytecode_cache(folder)
        single = workloads.write_pytemplar(workloads.generated_project(1), folder / "w1")
        many = workloads.write_pytemplar(workloads.generated_project(args.releases), folder / "many")
        out = ["## Start-up: W1 (one release)", "", f"Python children: {bytecode}.", ""]
        out += startup_lines(single, folder, args.runs)
        out += ["", *render_lines(many, args.releases, args.top)]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
