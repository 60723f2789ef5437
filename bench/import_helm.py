"""How close `pytemplar import helm` comes to `helm template` on real charts.

    python bench/import_helm.py CHART [CHART...] [--app CHART=APP] [--helm PATH] [--verbose]
    python bench/import_helm.py ~/charts/podinfo --values podinfo=bench/import-values/podinfo

Each chart folder is imported into a scratch folder (or, with ``--app``, a copy imported earlier
and fixed by hand is used), then rendered with ``pytemplar render APP`` beside ``helm template``
on the chart: at its defaults, then with each values file of its ``ci/`` folder and each
``values-*.yaml`` beside ``values.yaml``, and each file of a ``--values CHART=FOLDER`` (a chart
with no ``ci/`` folder gets its optional parts turned on there). The objects are compared as data, as kubectl reads
them; the ``managed-by`` label and ``checksum/*`` annotations (each tool's own name, each tool's
hash of its own text) are set aside, and so are the salts of bcrypt hashes (Helm's ``htpasswd``
salts at random). Printed per chart: templates, places marked for a hand,
runs, objects equal, and every run or object that differs.
"""

from __future__ import annotations

import argparse
import base64
import difflib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

_BCRYPT = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")


def _without_salt(value: Any, encoded: bool = False) -> Any:
    """Bcrypt hashes (htpasswd) as one text: Helm salts them at random, so no two renders agree."""
    if isinstance(value, dict):
        return {key: _without_salt(item, encoded) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_salt(item, encoded) for item in value]
    if isinstance(value, str) and encoded:
        try:
            text = base64.b64decode(value, validate=True).decode()
        except ValueError:
            return value
        return base64.b64encode(_BCRYPT.sub("<bcrypt>", text).encode()).decode()
    return _BCRYPT.sub("<bcrypt>", value) if isinstance(value, str) else value


def _objects(stream: str) -> dict[tuple[str, str, str], Any]:
    found = {}
    for doc in yaml.safe_load_all(stream):
        if not isinstance(doc, dict):
            continue
        doc = _without_salt(doc)
        if doc.get("kind") == "Secret" and isinstance(doc.get("data"), dict):
            doc["data"] = _without_salt(doc["data"], encoded=True)
        meta = doc.get("metadata") or {}
        for holder in (meta, ((doc.get("spec") or {}).get("template") or {}).get("metadata") or {}):
            labels = holder.get("labels") or {}
            if "app.kubernetes.io/managed-by" in labels:
                labels["app.kubernetes.io/managed-by"] = "<tool>"
            annotations = holder.get("annotations") or {}
            for key in [k for k in annotations if k.startswith("checksum/")]:
                annotations[key] = "<hash>"
        found[(str(doc.get("kind")), str(meta.get("namespace", "")), str(meta.get("name")))] = doc
    return found


def _values_files(chart: Path, extra: Path | None) -> list[Path | None]:
    files: list[Path | None] = [None]
    for folder in (chart / "ci", extra):
        if folder is not None and folder.is_dir():
            files += sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
    files += sorted(chart.glob("values-*.yaml"))
    return files


def measure(
    chart: Path, app: Path | None, values: Path | None, helm: str, pytemplar: list[str], verbose: bool
) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="import-helm-"))
    try:
        imported = subprocess.run(
            [*pytemplar, "import", "helm", str(chart), "-d", str(work)], capture_output=True, text=True
        )
        if imported.returncode != 0:
            return {"chart": chart.name, "error": imported.stderr.strip()}
        report = imported.stderr.splitlines()
        marked = [line for line in report if "TODO(import)" in line]
        templates = int(re.match(r"imported (\d+) templates", report[0]).group(1))  # type: ignore[union-attr]
        target = app or next(p for p in work.iterdir() if p.is_dir())
        runs = equal = total = failed = 0
        problems: list[str] = []
        for file in _values_files(chart, values):
            extra = ["-f", str(file)] if file else []
            shown = (
                (file.relative_to(chart).as_posix() if file.is_relative_to(chart) else file.name)
                if file
                else "defaults"
            )
            expected = subprocess.run(
                [helm, "template", "rel", str(chart), "-n", "ns", "--skip-tests", *extra],
                capture_output=True,
                text=True,
            )
            if expected.returncode != 0:
                problems.append(f"{shown}: helm fails: {expected.stderr.strip().splitlines()[-1]}")
                continue
            runs += 1
            helm_objects = _objects(expected.stdout)
            total += len(helm_objects)
            got = subprocess.run(
                [*pytemplar, "render", str(target), "--release-name", "rel", "-n", "ns", *extra],
                capture_output=True,
                text=True,
            )
            if got.returncode != 0:
                failed += 1
                problems.append(f"{shown}: pytemplar stops: {got.stderr.strip().splitlines()[0]}")
                continue
            ours = _objects(got.stdout)
            for key, obj in helm_objects.items():
                if ours.get(key) == obj:
                    equal += 1
                    continue
                problems.append(f"{shown}: {'/'.join(key)} differs")
                if verbose:
                    diff = difflib.unified_diff(
                        yaml.safe_dump(obj).splitlines(),
                        yaml.safe_dump(ours.get(key)).splitlines(),
                        "helm",
                        "pytemplar",
                        lineterm="",
                    )
                    problems += ["    " + line for line in list(diff)[:30]]
            problems += [f"{shown}: only pytemplar renders {'/'.join(key)}" for key in ours if key not in helm_objects]
        return {
            "chart": chart.name,
            "templates": templates,
            "marked": len(marked),
            "marks": marked,
            "runs": runs,
            "failed": failed,
            "equal": equal,
            "total": total,
            "problems": problems,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("charts", nargs="+", type=Path)
    parser.add_argument("--app", action="append", default=[], help="CHART=APP: render APP (fixed by hand) for CHART")
    parser.add_argument("--values", action="append", default=[], help="CHART=FOLDER: more values files for CHART")
    parser.add_argument("--helm", default=shutil.which("helm") or str(Path.home() / ".cache/peers/bin/helm"))
    parser.add_argument("--verbose", action="store_true", help="show how each differing object differs")
    args = parser.parse_args()
    apps = {name: Path(path) for name, _, path in (item.partition("=") for item in args.app)}
    values = {name: Path(path) for name, _, path in (item.partition("=") for item in args.values)}
    pytemplar = [sys.executable, "-m", "pytemplar"]
    print("| chart | templates | marked for a hand | runs | runs that stop | objects equal to `helm template` |")
    print("| --- | --- | --- | --- | --- | --- |")
    details = []
    for chart in args.charts:
        result = measure(chart, apps.get(chart.name), values.get(chart.name), args.helm, pytemplar, args.verbose)
        if "error" in result:
            print(f"| {result['chart']} | import fails: {result['error']} | | | | |")
            continue
        print(
            f"| {result['chart']} | {result['templates']} | {result['marked']} | {result['runs']} |"
            f" {result['failed']} | {result['equal']} of {result['total']} |"
        )
        details.append((result["chart"], result["marks"] + result["problems"]))
    for name, lines in details:
        if lines:
            print(f"\n{name}:")
            print("\n".join("  " + line for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
