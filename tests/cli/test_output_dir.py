"""``render --output-dir``: only what was rendered is replaced, in the layouts GitOps tools read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, REPO, run_pytemplar

from pytemplar import outputdir

SHOP = EXAMPLES / "shop"
MARKER = ".pytemplar-output"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def render(*args: str | Path) -> None:
    result = run_pytemplar("render", SHOP, *args, cwd=REPO)
    assert result.code == 0, result.stderr


def objects(text: str) -> list[tuple[str, str, str]]:
    return [
        (doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"])
        for doc in yaml.safe_load_all(text)
        if doc
    ]


def test_rendering_one_environment_keeps_the_others(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render("--all-envs", "--output-dir", out)
    before = snapshot(out)
    (out / "prod" / "service-a" / "stale.yaml").write_text("kind: Stale\n", encoding="utf-8")
    render("-e", "prod", "--output-dir", out)
    assert snapshot(out) == before  # prod replaced by the same render, its stale file gone; dev, staging kept
    assert sorted(os.listdir(out)) == [MARKER, "dev", "prod", "staging"]
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_rendering_chosen_releases_replaces_only_their_entries(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render("--all-envs", "--output-dir", out)
    before = snapshot(out)
    (out / "prod" / "service-a" / "stale.yaml").write_text("kind: Stale\n", encoding="utf-8")
    (out / "prod" / "service-b" / "kept.yaml").write_text("kind: Kept\n", encoding="utf-8")
    render("-e", "prod", "-r", "service-a", "--output-dir", out)
    after = snapshot(out)
    assert after.pop("prod/service-b/kept.yaml") == b"kind: Kept\n"
    assert after == before


def test_the_flat_layout_is_one_file_per_release_in_one_folder_per_environment(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render("--all-envs", "--output-dir", out, "--layout", "flat")
    for env in ("dev", "staging", "prod"):
        names = sorted(os.listdir(out / env))
        assert names == ["00-namespaces.yaml", "service-a.yaml", "service-b.yaml", "service-c.yaml", "service-d.yaml"]
        stream = run_pytemplar("render", SHOP, "-e", env, cwd=REPO).stdout
        # The files, read in name order (as kubectl and Argo CD read a folder), hold the stream's objects.
        from_files = [obj for name in names for obj in objects((out / env / name).read_text(encoding="utf-8"))]
        assert sorted(from_files) == sorted(objects(stream))
        assert from_files[0][0] == "Namespace"


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        pytest.skip("kubectl is not on PATH (bash scripts/get-kubectl.sh)")
    return found


def test_kubectl_reads_a_flat_environment_folder_as_the_stream(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render("-e", "staging", "--output-dir", out, "--layout", "flat")
    done = subprocess.run(
        [kubectl(), "label", "--local", "-f", out / "staging", "checked=yes", "-o", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    decoder = json.JSONDecoder()
    read: list[dict[str, Any]] = []
    text = done.stdout.strip()
    while text:
        obj, end = decoder.raw_decode(text)
        read.append(obj)
        text = text[end:].lstrip()
    stream = run_pytemplar("render", SHOP, "-e", "staging", cwd=REPO).stdout
    expected = [doc for doc in yaml.safe_load_all(stream) if doc]
    for doc in expected:
        doc["metadata"].setdefault("labels", {})["checked"] = "yes"
    key = lambda d: (d["kind"], d["metadata"]["name"])  # noqa: E731
    assert sorted(read, key=key) == sorted(expected, key=key)


def test_a_release_changes_layout_without_being_doubled(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render("-e", "dev", "-r", "service-a", "--output-dir", out)
    render("-e", "dev", "-r", "service-a", "--output-dir", out, "--layout", "flat")
    names = sorted(os.listdir(out / "dev"))
    assert names == ["00-namespaces.yaml", "service-a.yaml"]


@pytest.mark.parametrize(("first", "then"), [("tree", "flat"), ("flat", "tree")])
def test_chosen_releases_never_leave_an_environment_in_two_layouts(tmp_path: Path, first: str, then: str) -> None:
    # kubectl apply -f out/dev and Argo CD's directory source skip subfolders: a flat file beside
    # tree folders would drop the other releases from what is applied (and Argo CD would prune them).
    out = tmp_path / "out"
    render("-e", "dev", "--output-dir", out, "--layout", first)
    before = snapshot(out)
    result = run_pytemplar(
        "render", SHOP, "-e", "dev", "-r", "service-a", "--output-dir", out, "--layout", then, cwd=REPO
    )
    kept = "service-b" if first == "tree" else "service-b.yaml"
    assert (result.code, result.stdout, result.stderr) == (
        1,
        "",
        f"{out}: error: output folder '{out}/dev' is in the {first} layout ('{kept}'); writing chosen releases "
        f"to it with --layout {then} would mix the two, and kubectl apply -f or Argo CD would read only part of it\n"
        f"  hint: render the whole environment (no -r) to change its layout, or keep --layout {first}\n",
    )
    assert snapshot(out) == before
    render("-e", "dev", "--output-dir", out, "--layout", then)  # the whole environment changes layout
    assert all(p.is_dir() == (then == "tree") for p in (out / "dev").iterdir() if p.name.startswith("service-"))


def test_layout_without_output_dir_is_a_usage_error() -> None:
    result = run_pytemplar("render", SHOP, "-e", "dev", "--layout", "flat")
    assert (result.code, result.stdout, result.stderr) == (2, "", "error: --layout needs --output-dir\n")


def test_a_folder_it_did_not_write_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "prod").mkdir(parents=True)
    (out / "prod" / "mine.yaml").write_text("kind: Mine\n", encoding="utf-8")
    result = run_pytemplar("render", SHOP, "-e", "prod", "--output-dir", out, cwd=REPO)
    assert result.code == 1
    assert result.stderr.splitlines()[0].endswith("is not empty and was not written by pytemplar")
    assert snapshot(out) == {"prod/mine.yaml": b"kind: Mine\n"}


def test_a_run_killed_while_writing_leaves_nothing_the_next_run_keeps(tmp_path: Path) -> None:
    out = tmp_path / "out"
    render("-e", "dev", "--output-dir", out)
    (out / ".pytemplar-work-x1" / "dev").mkdir(parents=True)
    render("-e", "dev", "--output-dir", out)
    assert sorted(os.listdir(out)) == [MARKER, "dev"]


@pytest.mark.parametrize("failing_call", range(1, 9))
def test_a_failure_while_swapping_puts_every_entry_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_call: int
) -> None:
    """Whichever rename fails, the folder is as it was before the render, byte for byte."""
    out = tmp_path / "out"
    render("--all-envs", "--output-dir", out, "--layout", "flat")
    with (out / "dev" / "service-a.yaml").open("a", encoding="utf-8") as changed:
        changed.write("---\nkind: Extra\n")
    before = snapshot(out)
    from pytemplar.api import render as api_render

    result = api_render(SHOP, ["dev", "prod"], ["service-a", "service-b"])
    real_replace = os.replace
    calls = 0

    def flaky(source: Any, destination: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == failing_call:
            raise OSError(28, "No space left on device")
        real_replace(source, destination)

    monkeypatch.setattr(outputdir.os, "replace", flaky)
    with pytest.raises(outputdir.OutputError):
        outputdir.write_folder(
            result.manifests, out, rendered=result.releases, whole_environments=False, layout=outputdir.Layout.flat
        )
    assert calls >= failing_call
    assert snapshot(out) == before
    assert sorted(os.listdir(out)) == [MARKER, "dev", "prod", "staging"]
