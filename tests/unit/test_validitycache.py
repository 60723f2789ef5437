"""Schemas that compiled and inputs found valid are remembered between runs; nothing else is,
and a run that remembers gives exactly the output of one that does not."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytemplar import schemacheck, validitycache
from pytemplar.schema import compile_schema

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "examples" / "apps" / "shop"
SCHEMA = {
    "type": "object",
    "properties": {"replicas": {"type": "integer", "maximum": 3}, "name": {"type": "string", "pattern": "^[a-z]+$"}},
    "additionalProperties": False,
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PYTEMPLAR_CACHE_DIR", str(folder))
    monkeypatch.delenv("PYTEMPLAR_NO_CACHE", raising=False)
    validitycache.forget_state()
    yield folder / "valid"
    validitycache.forget_state()


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The schemas compiled into a fast test."""
    names: list[str] = []
    original = schemacheck.compile_check  # schema.py imports it when it compiles one

    def counting(schema: Any, resolve: Any, path: str) -> Any:
        names.append(path)
        return original(schema, resolve, path)

    monkeypatch.setattr(schemacheck, "compile_check", counting)
    return names


def new_run() -> None:
    """What the next process sees: the entries on disk, nothing in memory."""
    validitycache.save()
    validitycache.forget_state()


def problems(instance: Any) -> list[str]:
    compiled = compile_schema(SCHEMA, "values.schema.json", check=False)
    return [problem.message for problem in compiled.validate(instance, lambda path: None)]


def test_a_second_run_compiles_and_checks_nothing(cache: Path, compiles: list[str]) -> None:
    assert problems({"replicas": 2, "name": "web"}) == []
    assert compiles == ["values.schema.json"]
    assert not cache.exists(), "nothing is written before the command succeeded"
    new_run()
    assert sorted(os.listdir(cache)) and all(
        (cache / name).stat().st_mode & 0o777 == 0o600 for name in os.listdir(cache)
    )
    assert problems({"replicas": 2, "name": "web"}) == []
    assert compiles == ["values.schema.json"], "the schema compiled again"
    assert problems({"replicas": 3, "name": "api"}) == [], "another input is checked as usual"
    assert compiles == ["values.schema.json", "values.schema.json"]


def test_an_invalid_input_is_never_remembered_and_always_explained(cache: Path) -> None:
    first = problems({"replicas": 7})
    assert first and "7 is greater than the maximum of 3" in first[0]
    new_run()
    assert problems({"replicas": 7}) == first
    valid_entries = [name for name in os.listdir(cache)]
    assert len(valid_entries) == 1, "only the schema's entry, none for the invalid input"


def test_no_cache_remembers_nothing(cache: Path, monkeypatch: pytest.MonkeyPatch, compiles: list[str]) -> None:
    monkeypatch.setenv("PYTEMPLAR_NO_CACHE", "1")
    for _ in range(2):
        assert problems({"replicas": 1}) == []
        new_run()
    assert compiles == ["values.schema.json"] * 2
    assert not cache.exists()


@pytest.mark.parametrize(
    "one, two",
    [(True, 1), (1, 1.0), (0, False), (None, "null"), ({"1": 1}, {"1": "1"}), ([1, 2], [2, 1]), ("é", "e")],
)
def test_inputs_a_validator_tells_apart_have_different_keys(one: Any, two: Any) -> None:
    digest = validitycache.digest_of(SCHEMA, b"salt")
    assert digest is not None
    assert validitycache.valid_key(digest, one) != validitycache.valid_key(digest, two)


@pytest.mark.parametrize(
    "value",
    [(1, 2), {1: "a"}, float("nan"), float("inf"), {"a": [b"bytes"]}, type("Text", (str,), {})("x")],
    ids=["tuple", "int-key", "nan", "inf", "bytes", "str-subclass"],
)
def test_values_that_are_not_plain_json_are_not_remembered(value: Any) -> None:
    digest = validitycache.digest_of(SCHEMA, b"salt")
    assert digest is not None
    assert validitycache.valid_key(digest, value) is None


def test_the_key_follows_the_schema_as_loaded() -> None:
    changed = {**SCHEMA, "properties": {**SCHEMA["properties"], "replicas": {"type": "integer", "maximum": 9}}}
    assert validitycache.digest_of(SCHEMA, b"salt") != validitycache.digest_of(changed, b"salt")
    assert validitycache.digest_of(SCHEMA, b"salt") != validitycache.digest_of(SCHEMA, b"other")


INSTANCES = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 5) | st.sampled_from([1.0, 2.5]) | st.sampled_from(["web", "A", ""]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["replicas", "name"]), children),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(INSTANCES, min_size=1, max_size=4))
def test_remembering_never_changes_an_answer(cache: Path, instances: list[Any]) -> None:
    """Oracle: each input's problems with no cache at all, against the same after earlier runs
    (in any order, with any of the inputs) have filled the cache."""
    os.environ["PYTEMPLAR_NO_CACHE"] = "1"
    validitycache.forget_state()
    try:
        expected = [problems(instance) for instance in instances]
    finally:
        del os.environ["PYTEMPLAR_NO_CACHE"]
    for _ in range(2):
        validitycache.forget_state()
        assert [problems(instance) for instance in instances] == expected
        new_run()


def _render(cache: Path, *args: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
    env.update(PYTEMPLAR_CACHE_DIR=str(cache), COLUMNS="200")
    proc = subprocess.run(
        [sys.executable, "-m", "pytemplar", "render", str(SHOP), "-e", "prod", "-r", "service-a", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    "args",
    [(), ("--set", "replicaCount=-1"), ("--set", "replicas=3")],
    ids=["valid", "invalid-value", "unknown-key"],
)
def test_a_run_that_remembers_prints_what_one_that_does_not_prints(tmp_path: Path, args: tuple[str, ...]) -> None:
    cache = tmp_path / "cache"
    valid = cache / "valid"
    _render(cache)  # fills the cache with the shop's valid inputs
    remembered = set(os.listdir(valid))
    assert remembered, "a successful render remembers its schemas and inputs"
    missed = _render(tmp_path / "other-cache", *args)
    hit = _render(cache, *args)
    assert hit == missed
    if args:
        assert hit[0] != 0 and "error" in hit[2], hit
        assert set(os.listdir(valid)) == remembered, "a failing run writes nothing"


def _hiding_project(root: Path, hidden: str, schema: dict[str, Any] | None = None) -> Path:
    """An app whose environment file sets ``replicas: <hidden>``, which the release's file overrides."""
    import json

    files = {
        "app/app.yaml": "name: demo\nversion: 1.0.0\n",
        "app/values.schema.json": json.dumps(
            schema or {"type": "object", "properties": {"replicas": {"type": "integer"}}}
        ),
        "app/templates/cm.yaml.j2": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  replicas: '{{ values.replicas }}'\n"
        ),
        "project/pytemplar.yaml": "environments:\n  prod: {}\nreleases:\n  one:\n    app: ../app\n",
        "project/envs/prod.yaml": f"replicas: {hidden}\n",
        "project/releases/one.yaml": "replicas: 2\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root / "project"


def _hidden_warnings(project: Path) -> list[str]:
    from pytemplar.api import render

    return [problem.message for problem in render(project, ["prod"]).warnings]


@pytest.fixture
def overlays_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many overlay schemas were built (hidden values are checked against them)."""
    from pytemplar import editorschema

    built: list[int] = []
    original = editorschema.overlay_schema

    def counting(*args: Any) -> Any:
        built.append(1)
        return original(*args)

    monkeypatch.setattr(editorschema, "overlay_schema", counting)
    return built


def test_a_hidden_layer_remembered_valid_needs_no_overlay_schema(
    cache: Path, tmp_path: Path, overlays_built: list[int]
) -> None:
    project = _hiding_project(tmp_path, "3")
    assert _hidden_warnings(project) == []
    assert len(overlays_built) == 1
    new_run()
    assert _hidden_warnings(project) == []
    assert len(overlays_built) == 1, "the second run knows the layer is valid without building the overlay"


def test_a_hidden_invalid_value_is_reported_by_every_run(cache: Path, tmp_path: Path) -> None:
    project = _hiding_project(tmp_path, "three")
    expected = [
        "values.replicas: 'three' is not of type 'integer'; a higher layer overrides it, so it does not take effect now"
    ]
    for _ in range(2):
        assert _hidden_warnings(project) == expected
        new_run()


def test_the_overlay_key_follows_the_app_schema(cache: Path, tmp_path: Path) -> None:
    """A layer remembered valid against the overlay of one values schema is checked again when
    the schema changes: the overlay's key is made from the schema it is built from."""
    project = _hiding_project(tmp_path, "3")
    assert _hidden_warnings(project) == []
    new_run()
    stricter = {"type": "object", "properties": {"replicas": {"type": "integer", "maximum": 2}}}
    _hiding_project(tmp_path, "3", stricter)
    overridden = "a higher layer overrides it, so it does not take effect now"
    assert _hidden_warnings(project) == [f"values.replicas: 3 is greater than the maximum of 2; {overridden}"]


@pytest.fixture
def schemas_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of pytemplar's own schemas read, in a process that has read none yet."""
    from pytemplar import project

    names: list[str] = []
    original = project.parse_json

    def counting(text: str, path: str) -> Any:
        names.append(path)
        return original(text, path)

    monkeypatch.setattr(project, "parse_json", counting)
    project.builtin_schema.cache_clear()
    project.builtin_digest.cache_clear()
    yield names
    project.builtin_schema.cache_clear()
    project.builtin_digest.cache_clear()


def test_a_project_file_remembered_valid_is_known_without_reading_the_schema(
    cache: Path, tmp_path: Path, schemas_read: list[str]
) -> None:
    from pytemplar import project

    folder = _hiding_project(tmp_path, "3")
    assert _hidden_warnings(folder) == []
    assert "pytemplar.schema.json" in schemas_read
    new_run()
    project.builtin_schema.cache_clear()
    project.builtin_digest.cache_clear()
    schemas_read.clear()
    assert _hidden_warnings(folder) == []
    assert "pytemplar.schema.json" not in schemas_read
    assert "app.schema.json" not in schemas_read


def test_the_project_schema_key_follows_the_tables_that_complete_it(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytemplar import checks, project

    project.builtin_digest.cache_clear()
    before = project.builtin_digest("pytemplar.schema.json")
    monkeypatch.setattr(checks, "CHECKS", checks.CHECKS[:-1])
    project.builtin_digest.cache_clear()
    after = project.builtin_digest("pytemplar.schema.json")
    project.builtin_digest.cache_clear()
    assert before is not None and after is not None and before != after


def test_a_run_of_thousands_of_inputs_is_remembered_whole(cache: Path, compiles: list[str]) -> None:
    # A project of 2,500 releases validates 2,500 different values: all of them must fit in the
    # cache folder, or each run removes what the next needs and writes it all again.
    names = ["".join(chr(ord("a") + (number // 26**power) % 26) for power in range(3)) for number in range(2500)]
    for name in names:
        assert problems({"replicas": 1, "name": name}) == []
    new_run()
    written = {entry.name: entry.stat().st_mtime_ns for entry in os.scandir(cache)}
    assert len(written) == len(names) + 1  # and the schema's own entry
    compiles.clear()
    for name in names:
        assert problems({"replicas": 1, "name": name}) == []
    new_run()
    assert compiles == [], "every input was known"
    assert {entry.name: entry.stat().st_mtime_ns for entry in os.scandir(cache)} == written, "nothing written again"
