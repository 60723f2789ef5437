"""The corpus validates clean (precision) and every mutation of it is caught (recall)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import mutations
from conftest import run_pytemplar

from pytemplar.api.files import validate_files
from pytemplar.yamlio import load_documents

CORPUS = Path(__file__).resolve().parent / "manifests"
# Mistakes inside a custom resource's fields that its CRD leaves open (x-kubernetes-preserve-unknown-
# fields): only the operator would refuse them.
KNOWN_MISSES = {
    ("number-as-text", "Rollout", "spec.template.spec.containers.0.ports.0.containerPort: 8080 -> '8080'"),
    ("invalid-label", "Prometheus", "spec.podMetadata.labels.app.kubernetes.io/name: a space in the value"),
    ("malformed-quantity", "Prometheus", "spec.resources.requests.memory: 2Gi -> '1 core'"),
}


def test_the_corpus_validates_clean_even_strictly() -> None:
    result = run_pytemplar("validate", "-f", CORPUS, "--strict")
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "ok: 38 objects in 4 files; 0 errors"


def test_every_mutation_of_the_corpus_is_caught(tmp_path: Path) -> None:
    missed: set[tuple[str, str, str]] = set()
    counted = 0
    for path in sorted(CORPUS.glob("*.yaml")):
        documents = load_documents(path.read_text(encoding="utf-8"), str(path), resolver="kubernetes")
        objects: list[dict[str, Any]] = [d.data for d in documents if isinstance(d.data, dict)]
        for operator, index, description, mutant in mutations.mutants(objects):
            changed = copy.copy(objects)
            changed[index] = mutant
            target = tmp_path / path.name
            target.write_text("".join("---\n" + json.dumps(obj) + "\n" for obj in changed), encoding="utf-8")
            counted += 1
            if validate_files([str(target)]).ok:
                missed.add((operator, str(mutant.get("kind")), description))
    assert counted > 800
    assert missed == KNOWN_MISSES
