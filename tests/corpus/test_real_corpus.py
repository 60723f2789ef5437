"""Manifests from public repositories (``real/``, see SOURCES.md) validate without a false alarm,
and the mistakes the API server refuses are caught in them (precision and recall)."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import mutations
import pytest
from conftest import run_pytemplar

from pytemplar.api.files import validate_files
from pytemplar.yamlio import load_documents

REAL = Path(__file__).resolve().parent / "real"
APPLICATIONS = ("microservices-demo", "kube-prometheus")  # one application each: validated whole
EXAMPLES = ("kubeconform", "kubernetes-examples", "argo-rollouts")  # independent examples: file by file
# Built-in mistakes missed (none: a PersistentVolume's capacity without `storage`, which no
# OpenAPI schema states, was the last).
KNOWN_BUILTIN_MISSES: set[tuple[str, str, str]] = set()


def _files(folder: str) -> list[Path]:
    return sorted((REAL / folder).rglob("*.yaml"))


@pytest.mark.parametrize("folder", APPLICATIONS)
def test_an_application_validates_clean_even_strictly(folder: str) -> None:
    result = run_pytemplar("validate", "-f", REAL / folder, "--strict")
    assert result.code == 0, result.stderr
    assert result.stderr.splitlines()[-1].endswith("; 0 errors"), result.stderr


@pytest.mark.parametrize("folder", EXAMPLES)
def test_every_example_validates_without_an_error(folder: str) -> None:
    """Alone in its file, a Service whose pods are elsewhere gets a warning (service-selects-pods,
    scale-target-exists), never an error."""
    errors = []
    warned: Counter[str] = Counter()
    for path in _files(folder):
        for problem in validate_files([path]).problems:
            if problem.severity == "error":
                errors.append(problem.format())
            else:
                warned[str(problem.rule)] += 1
    assert errors == []
    assert set(warned) <= {"service-selects-pods", "scale-target-exists"}, warned


def _mutants() -> list[tuple[str, str, str, bool, Path, list[dict[str, Any]]]]:
    """(operator, file, description, is custom, file, objects with the mutant) for every mutant."""
    found = []
    for path in sorted(REAL.rglob("*.yaml")):
        documents = load_documents(path.read_text(encoding="utf-8"), str(path), resolver="kubernetes")
        objects: list[dict[str, Any]] = [d.data for d in documents if isinstance(d.data, dict)]
        for operator, index, description, mutant in mutations.mutants(objects):
            changed = copy.copy(objects)
            changed[index] = mutant
            shown = path.relative_to(REAL).as_posix()
            found.append((operator, shown, description, mutations.is_custom(mutant), path, changed))
    return found


def test_mutations_of_real_manifests_are_caught(tmp_path: Path) -> None:
    """Every mistake in a built-in kind is caught; in custom resources, those their CRDs
    constrain (the rest, in fields a CRD leaves open, only the operator would refuse)."""
    missed: set[tuple[str, str, str]] = set()
    counted: Counter[bool] = Counter()
    caught: Counter[bool] = Counter()
    for operator, shown, description, custom, path, objects in _mutants():
        target = tmp_path / path.name
        target.write_text("".join("---\n" + json.dumps(obj) + "\n" for obj in objects), encoding="utf-8")
        counted[custom] += 1
        if validate_files([str(target)]).ok:
            if not custom:
                missed.add((operator, shown, description))
        else:
            caught[custom] += 1
    assert counted[False] > 4000 and counted[True] > 600
    assert missed == KNOWN_BUILTIN_MISSES
    assert caught[True] / counted[True] > 0.6, f"{caught[True]} of {counted[True]} custom-resource mutants"
