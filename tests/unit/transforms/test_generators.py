"""Generators: sources, behaviors, and Kustomize's content hash."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from pytemplar.errors import ConfigError, Location
from pytemplar.fsroot import Root
from pytemplar.transforms.generators import (
    Generator,
    Source,
    add_hash_suffixes,
    content_hash,
    run_generators,
)

HERE = Location("pytemplar.yaml", 3)


def literal(text: str, line: int = 5) -> Source:
    return Source("literal", text, Location("pytemplar.yaml", line))


def config_map(name: str, *sources: Source, **options: Any) -> Generator:
    return Generator("ConfigMap", name, HERE, tuple(sources), **options)


# Names kubectl kustomize (v5.7) gives these generators; the hash covers the content only.
@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"kind": "ConfigMap", "data": {"K": "V"}}, "882hgddftf"),
        ({"kind": "ConfigMap", "data": {"K": "V<&>", "Z": "ü"}}, "8k4mdc7t7d"),
    ],
)
def test_content_hash_is_kustomizes(obj: dict[str, Any], expected: str) -> None:
    assert content_hash(obj) == expected


def test_hash_ignores_name_and_labels_but_not_data_or_secret_type() -> None:
    base = {"kind": "Secret", "type": "Opaque", "data": {"a": "MQ=="}, "metadata": {"name": "x"}}
    renamed = {**base, "metadata": {"name": "y", "labels": {"a": "b"}}}
    assert content_hash(base) == content_hash(renamed)
    assert content_hash(base) != content_hash({**base, "type": "kubernetes.io/tls"})
    assert content_hash(base) != content_hash({**base, "data": {"a": "Mg=="}})


def test_literals_files_and_env_files(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "app.properties").write_text("x=1\n", encoding="utf-8")
    (tmp_path / "conf" / "app.env").write_text("# comment\n\n  A=1\nB= two \n", encoding="utf-8")
    generator = config_map(
        "cfg",
        literal("GREETING='hello world'"),
        Source("file", "conf/app.properties", HERE),
        Source("file", "renamed.props=conf/app.properties", HERE),
        Source("env", "conf/app.env", HERE),
    )
    objects: list[dict[str, Any]] = []
    generated = run_generators(objects, [generator], Root.at(tmp_path), "shop")
    assert objects == [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cfg", "namespace": "shop"},
            "data": {
                "GREETING": "hello world",
                "app.properties": "x=1\n",
                "renamed.props": "x=1\n",
                "A": "1",
                "B": " two ",
            },
        }
    ]
    assert generated.created == {0: generator}
    assert generated.to_hash == [0]


def test_secrets_are_base64_with_a_type(tmp_path: Path) -> None:
    generator = Generator("Secret", "creds", HERE, (literal("token=s3cr3t"),), secret_type="kubernetes.io/basic-auth")
    objects: list[dict[str, Any]] = []
    run_generators(objects, [generator], Root.at(tmp_path), "shop")
    assert objects[0]["type"] == "kubernetes.io/basic-auth"
    assert base64.b64decode(objects[0]["data"]["token"]) == b"s3cr3t"


def test_merge_and_replace_change_an_existing_object_and_keep_whether_it_is_hashed(tmp_path: Path) -> None:
    existing = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1", "b": "2"}}
    objects = [existing]
    merge = config_map("cfg", literal("b=3"), behavior="merge")
    generated = run_generators(objects, [merge], Root.at(tmp_path), "shop")
    assert existing["data"] == {"a": "1", "b": "3"}
    assert generated.to_hash == []  # as in Kustomize, an object it did not generate is not hashed
    again = [config_map("new", literal("x=1")), config_map("new", literal("y=2"), behavior="merge")]
    generated = run_generators(objects, again, Root.at(tmp_path), "shop")
    assert objects[1]["data"] == {"x": "1", "y": "2"}
    assert generated.to_hash == [1]
    run_generators(objects, [config_map("cfg", literal("c=4"), behavior="replace")], Root.at(tmp_path), "shop")
    assert existing["data"] == {"c": "4"}
    renames = add_hash_suffixes(objects[:1])
    assert renames == {("ConfigMap", "", "cfg"): f"cfg-{content_hash(existing)}"}
    assert existing["metadata"]["name"] == renames[("ConfigMap", "", "cfg")]


def test_disable_name_suffix_hash(tmp_path: Path) -> None:
    generated = run_generators([], [config_map("cfg", literal("a=1"), hash_suffix=False)], Root.at(tmp_path), "ns")
    assert generated.to_hash == []


@pytest.mark.parametrize(
    ("generators", "existing", "message", "line"),
    [
        ([config_map("cfg", literal("NOEQUALS"))], [], "literal 'NOEQUALS' is not KEY=VALUE", 5),
        (
            [config_map("cfg", literal("a=1", 5), literal("a=2", 6))],
            [],
            "configMapGenerator 'cfg': key 'a' is given twice",
            6,
        ),
        (
            [config_map("cfg", literal("bad key=1"))],
            [],
            "configMapGenerator 'cfg': 'bad key' is not a valid data key",
            5,
        ),
        (
            [config_map("cfg", literal("a=1"))],
            [{"kind": "ConfigMap", "metadata": {"name": "cfg"}}],
            "configMapGenerator 'cfg' creates ConfigMap cfg, which the release already has",
            3,
        ),
        (
            [config_map("cfg", literal("a=1"), behavior="merge")],
            [],
            "configMapGenerator 'cfg' has 'behavior: merge' but the release has no ConfigMap cfg",
            3,
        ),
    ],
)
def test_generator_errors(
    tmp_path: Path, generators: list[Generator], existing: list[dict[str, Any]], message: str, line: int
) -> None:
    with pytest.raises(ConfigError) as caught:
        run_generators(existing, generators, Root.at(tmp_path), "ns")
    [problem] = caught.value.problems
    assert (problem.message, problem.location) == (message, Location("pytemplar.yaml", line))


def test_env_file_errors_name_the_line_and_missing_files_the_declaration(tmp_path: Path) -> None:
    (tmp_path / "app.env").write_text("A=1\nJUSTAKEY\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        run_generators([], [config_map("cfg", Source("env", "app.env", HERE))], Root.at(tmp_path), "ns")
    [problem] = caught.value.problems
    assert problem.message == "line 'JUSTAKEY' is not KEY=VALUE"
    assert problem.location == Location(str(tmp_path / "app.env"), 2)
    with pytest.raises(ConfigError) as caught:
        run_generators([], [config_map("cfg", Source("file", "missing.txt", HERE))], Root.at(tmp_path), "ns")
    assert caught.value.problems[0].message == "generator file 'missing.txt' not found"
    assert caught.value.problems[0].location == HERE
    with pytest.raises(ConfigError) as caught:
        run_generators([], [config_map("cfg", Source("file", "../outside.txt", HERE))], Root.at(tmp_path), "ns")
    assert "is outside the folder" in caught.value.problems[0].message
