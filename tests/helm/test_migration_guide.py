"""Every command in docs/migrating-from-helm.md runs, from a copy of the repository's examples,
and prints what the guide shows; the two renders it compares give the same objects."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, TEMPLATE_CACHE

from .peer import HELM, needs_helm, objects

GUIDE = REPO / "docs" / "migrating-from-helm.md"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert HELM is not None
    words = shlex.split(command.split(">")[0])
    if words[0] == "pytemplar":
        words = [sys.executable, "-m", "pytemplar", *words[1:]]
    elif words[0] == "helm":
        words[0] = HELM
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
    env["PYTEMPLAR_CACHE_DIR"] = str(TEMPLATE_CACHE)
    done = subprocess.run(words, cwd=cwd, capture_output=True, text=True, env=env, timeout=120, check=False)
    if ">" in command:
        (cwd / command.split(">")[1].strip()).write_text(done.stdout, encoding="utf-8")
    return done


@needs_helm
def test_every_command_of_the_guide_runs_and_shows_what_it_says(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    consoles = _blocks("console")
    assert len(consoles) == 2
    # The import comes first: the other commands use what it wrote.
    order = [consoles[0], *_blocks("sh"), consoles[1]]
    for block in order:
        lines = block.strip().splitlines()
        if lines[0].startswith("$ "):
            command, shown = lines[0][2:], lines[1:]
            done = _run(command, tmp_path)
            assert done.returncode == 0, done.stderr
            assert (done.stdout + done.stderr).splitlines() == shown, command
        else:
            for command in lines:
                done = _run(command, tmp_path)
                assert done.returncode == 0, (command, done.stderr)
    helm, ours = objects((tmp_path / "helm.yaml").read_text()), objects((tmp_path / "pytemplar.yaml").read_text())
    for rendered in (helm, ours):
        for obj in rendered:
            annotations = obj.get("spec", {}).get("template", {}).get("metadata", {}).get("annotations", {})
            assert (annotations.pop("checksum/config", None) is not None) == (obj["kind"] == "Deployment")
    assert len(ours) == 5 and ours == helm


def test_the_guide_lists_the_built_ins_the_importer_translates() -> None:
    from pytemplar.helm.gotemplate.translate import FUNCTIONS

    text = GUIDE.read_text(encoding="utf-8")
    internal = {"toYamlPretty", "mustToJson", "int64", "until", "nospace", "toStrings", "get", "has", "last", "print"}
    missing = [name for name in FUNCTIONS if name not in internal and f"`{name}" not in text and f" {name}" not in text]
    assert missing == []
