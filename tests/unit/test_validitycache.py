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
