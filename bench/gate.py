"""validate -f as a CI gate: false alarms on real manifests, recall on mutations, time per manifest.

    python bench/gate.py                          # the corpora in tests/corpus, and the throughput row
    python bench/gate.py --corpus DIR [--corpus DIR]...   # also these folders (each file on its own)
    python bench/gate.py --manifests 5000 --runs 3

1. Precision: every file of each corpus folder (the written corpus, each folder of real manifests
   in ``tests/corpus/real``, and the folders given) is validated on its own (examples folders hold
   independent examples), and every error is printed: on manifests that a cluster accepts, each
   is a false alarm. Warnings (a Service alone in its file selects no pods) are counted apart.
2. Recall: every mutant of ``tests/corpus/mutations.py`` (one mistake the API server refuses, in
   one object of either corpus) is validated with the rest of its file; caught means at least
   one error. kubernetes-validate (PyPI), when installed, is run on the same mutants (strict mode).
   Built-in kinds and custom resources are counted apart: a custom resource's mistake in a field
   its CRD leaves open is refused by its operator, not by the API server.
3. Throughput: N manifests (both corpora, repeated under new names) written to files, then
   ``pytemplar validate -f`` and ``kubernetes-validate --strict`` measured as whole processes
   (median of the runs): wall time, CPU time (what to compare on a loaded machine), peak memory.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "manifests"
REAL = REPO / "tests" / "corpus" / "real"
sys.path.insert(0, str(REPO / "tests" / "corpus"))

import mutations  # noqa: E402

from pytemplar.api.files import validate_files  # noqa: E402
from pytemplar.manifests import list_items  # noqa: E402
from pytemplar.yamlio import load_documents  # noqa: E402


def documents(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    return [d.data for d in load_documents(text, str(path), resolver="kubernetes") if isinstance(d.data, dict)]


def dump(objects: list[dict[str, Any]]) -> str:
    return "".join("---\n" + json.dumps(obj) + "\n" for obj in objects)


def precision(folders: list[Path]) -> int:
    false_alarms = 0
    for folder in folders:
        files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
        objects = warnings = 0
        found: list[str] = []
        for path in files:
            result = validate_files([str(path)])
            objects += len(result.objects)
            found.extend(problem.format().splitlines()[0] for problem in result.problems if problem.severity == "error")
            warnings += sum(problem.severity != "error" for problem in result.problems)
        print(f"\n## {folder}: {objects} objects in {len(files)} files, {len(found)} errors, {warnings} warnings")
        for line in found:
            print(f"- {line}")
        false_alarms += len(found)
    return false_alarms


def kubernetes_validate_catches(obj: dict[str, Any], version: str) -> bool | None:
    try:
        import kubernetes_validate
        from kubernetes_validate.utils import SchemaNotFoundError, ValidationError
    except ImportError:
        return None
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except ValidationError:
        return True
    except SchemaNotFoundError:
        return False
    except Exception:  # a crash of the peer is not a catch
        return False
    return False


def recall() -> None:
    caught: Counter[tuple[str, bool]] = Counter()
    peer: Counter[tuple[str, bool]] = Counter()
    total: Counter[tuple[str, bool]] = Counter()
    missed: list[str] = []
    paths = [*sorted(CORPUS.glob("*.yaml")), *sorted(REAL.rglob("*.yaml"))]
    with tempfile.TemporaryDirectory() as work:
        for path in paths:
            objects = documents(path)
            for operator, index, description, mutant in mutations.mutants(objects):
                changed = copy.copy(objects)
                changed[index] = mutant
                target = Path(work) / path.name
                target.write_text(dump(changed), encoding="utf-8")
                result = validate_files([str(target)])
                key = (operator, mutations.is_custom(mutant))
                total[key] += 1
                if not result.ok:
                    caught[key] += 1
                else:
                    missed.append(f"{operator}: {path.relative_to(REPO)} {mutant.get('kind')}: {description}")
                if kubernetes_validate_catches(mutant, "1.35.0"):
                    peer[key] += 1
    print("\n## Recall on mutations of both corpora\n")
    print("| mistake | kinds | mutants | pytemplar | kubernetes-validate --strict |")
    print("| --- | --- | --- | --- | --- |")
    for operator in mutations.OPERATORS:
        for custom in (False, True):
            key = (operator, custom)
            if total[key]:
                kinds = "custom" if custom else "built-in"
                print(f"| {operator} | {kinds} | {total[key]} | {caught[key]} | {peer[key]} |")
    for custom in (False, True):
        keys = [key for key in total if key[1] == custom]
        all_total = sum(total[key] for key in keys)
        ours, theirs = sum(caught[key] for key in keys), sum(peer[key] for key in keys)
        kinds = "custom" if custom else "built-in"
        print(
            f"| all | {kinds} | {all_total} | {ours} ({ours / all_total:.3f}) | {theirs} ({theirs / all_total:.3f}) |"
        )
    print("\nmissed by pytemplar:")
    for line in missed:
        print(f"- {line}")


def throughput(count: int, runs: int) -> None:
    paths = [*sorted(CORPUS.glob("*.yaml")), *sorted(REAL.rglob("*.yaml"))]
    base = [item for path in paths for obj in documents(path) for item in list_items(obj)]
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "manifests"
        folder.mkdir()
        written = 0
        file_number = 0
        while written < count:
            batch = []
            for obj in base:
                if written >= count:
                    break
                copied = copy.deepcopy(obj)
                if obj.get("kind") != "CustomResourceDefinition":
                    metadata = copied.setdefault("metadata", {})
                    if "name" in metadata:  # not for generateName
                        metadata["name"] = f"{metadata['name']}-{written}"
                batch.append(copied)
                written += 1
            (folder / f"m{file_number:04d}.yaml").write_text(dump(batch), encoding="utf-8")
            file_number += 1
        files = sorted(str(p) for p in folder.glob("*.yaml"))
        rows = [("pytemplar validate -f", [sys.executable, "-m", "pytemplar", "validate", "-f", str(folder)])]
        peer = shutil.which("kubernetes-validate")
        if peer:
            rows.append(("kubernetes-validate --strict", [peer, "--strict", "--quiet", "-k", "1.35.0", *files]))
        print(f"\n## Validating {count} manifests from {len(files)} files (median of {runs} runs)\n")
        print("| tool | wall | CPU | CPU per manifest | peak memory |")
        print("| --- | --- | --- | --- | --- |")
        for name, command in rows:
            times, cpus, peaks = [], [], []
            for _ in range(runs):
                start = time.perf_counter()
                child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                _, _, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest so far
                child.returncode = 0
                times.append(time.perf_counter() - start)
                cpus.append(usage.ru_utime + usage.ru_stime)  # the forked worker included: it is waited for
                peaks.append(usage.ru_maxrss)
            median, cpu = statistics.median(times), statistics.median(cpus)
            print(
                f"| {name} | {median:.2f} s | {cpu:.2f} s | {cpu / count * 1e6:.0f} µs | {max(peaks) / 1024:.0f} MiB |"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", type=Path, default=[], help="a folder of real manifests")
    parser.add_argument("--manifests", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    precision([CORPUS, *sorted(p for p in REAL.iterdir() if p.is_dir()), *args.corpus])
    recall()
    throughput(args.manifests, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
