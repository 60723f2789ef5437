"""Exit codes a script can rely on: diff(1)'s for ``diff``, one code per kind of failure elsewhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES, REPO, run_pytemplar

SHOP = EXAMPLES / "shop"


def shop_copy(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    shutil.copytree(SHOP, tmp_path / "shop")
    return tmp_path / "shop"


def test_diff_exit_codes_tell_different_from_failed(tmp_path: Path) -> None:
    shop = shop_copy(tmp_path)
    different = run_pytemplar("diff", shop, "-e", "dev", "-e", "prod")
    assert different.code == 1, different.stderr
    usage = run_pytemplar("diff", shop, "-e", "dev")
    assert usage.code == 2
    (shop / "envs/prod/service-a.yaml").write_text("replicaCount: many\n", encoding="utf-8")
    failed = run_pytemplar("diff", shop, "-e", "dev", "-e", "prod")
    assert (failed.code, failed.stdout) == (4, "")
    assert 'envs/prod/service-a.yaml:1:15: error: [prod/service-a] (prod) values.replicaCount: "many"' in failed.stderr


def test_diff_exits_0_for_equal_renders(tmp_path: Path) -> None:
    shop = shop_copy(tmp_path)
    (shop / "envs/qa.yaml").write_text((shop / "envs/prod.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    config = shop / "pytemplar.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("environments:\n", "environments:\n  qa: {namespace: shop-prod, createNamespace: true}\n", 1)
    config.write_text(text, encoding="utf-8")
    result = run_pytemplar("diff", shop, "-e", "qa", "-e", "qa", "-r", "service-b")
    assert result.code == 2  # one environment twice: a usage error, not "the same"
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@e", "-c", "commit.gpgsign=false", "commit", "-qm", "x"],
        cwd=tmp_path,
        check=True,
    )
    unchanged = run_pytemplar("diff", "shop", "-e", "prod", "--against", "HEAD", cwd=tmp_path)
    assert (unchanged.code, unchanged.stdout) == (0, ""), unchanged.stderr


def test_a_diff_step_that_accepts_different_still_fails_on_errors(tmp_path: Path) -> None:
    """The shipped CI steps end in ``|| [ $? -eq 1 ]``: that accepts "different" and nothing else."""
    shop = shop_copy(tmp_path)
    scripts = str(Path(sys.executable).parent)
    step = f'pytemplar diff "{shop}" -e dev -e prod > /dev/null || [ $? -eq 1 ]'
    environment = {"PATH": os.pathsep.join([scripts, "/usr/bin", "/bin"])}
    different = subprocess.run(["bash", "-e", "-c", step], capture_output=True, text=True, env=environment)
    assert different.returncode == 0, different.stderr
    (shop / "envs/prod.yaml").write_text("replicaCount: [\n", encoding="utf-8")
    broken = subprocess.run(["bash", "-e", "-c", step], capture_output=True, text=True, env=environment)
    assert broken.returncode != 0
    assert "envs/prod.yaml:2:1: error: [prod/service-a] (prod) invalid YAML" in broken.stderr


def test_a_missing_values_file_is_a_usage_error_for_f_and_set_file() -> None:
    values = run_pytemplar("values", SHOP, "-e", "prod", "-r", "service-a", "-f", "nope.yaml")
    assert (values.code, values.stderr.splitlines()[0]) == (2, "error: -f: file 'nope.yaml' not found")
    render = run_pytemplar("render", SHOP, "-e", "prod", "-f", "nope.yaml")
    assert (render.code, render.stderr.splitlines()[0]) == (2, "error: -f: file 'nope.yaml' not found")
    set_file = run_pytemplar("values", SHOP, "-e", "prod", "-r", "service-a", "--set-file", "a=nope.txt")
    assert (set_file.code, set_file.stderr.splitlines()[0]) == (2, "error: --set-file: file 'nope.txt' not found")


def test_values_origin_as_json() -> None:
    result = run_pytemplar(
        "values", "examples/apps/shop", "-e", "prod", "-r", "service-a", "--origin", "-o", "json", cwd=REPO
    )
    assert result.code == 0, result.stderr
    entries = json.loads(result.stdout)
    [tag] = [entry for entry in entries if entry["path"] == "image.tag"]
    assert tag == {
        "path": "image.tag",
        "value": "2.3.0",
        "origin": {
            "file": "examples/apps/shop/envs/prod/service-a.yaml",
            "line": 3,
            "column": 8,
            "layer": "release-environment",
        },
        "overrides": [
            {"file": "examples/apps/shop/releases/service-a.yaml", "line": 4, "column": 8, "layer": "release"},
            {"file": "examples/apps/microservice/values.yaml", "line": 6, "column": 8, "layer": "defaults"},
        ],
    }
    text = run_pytemplar("values", SHOP, "-e", "prod", "-r", "service-a", "--origin")
    assert [e["path"] for e in entries] == [line.split(":", 1)[0] for line in text.stdout.splitlines()]
