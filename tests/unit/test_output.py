"""Streams written in pieces are the same text as written whole; objects with shared strings are equal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from conftest import EXAMPLES

from pytemplar.api import render
from pytemplar.errors import Location
from pytemplar.manifests import Manifest, shared_strings
from pytemplar.output import in_pieces, json_pieces, to_json, to_yaml_stream, yaml_pieces
from pytemplar.yamlout import dump_yaml


def manifest(name: str, environment: str = "prod", **extra: Any) -> Manifest:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/name": "shop"}},
        "data": {"greeting": "grüß dich", "ratio": 0.5, "count": 3, "on": True, "empty": None, **extra},
        "items": [{"name": "a"}, ["nested", 1]],
    }
    return Manifest(obj, name, environment, "templates/cm.yaml.j2", Location("app/templates/cm.yaml.j2", 1))


MANIFESTS = [manifest(f"release-{n}", "prod" if n % 2 else "dev") for n in range(600)]


def test_the_yaml_stream_in_pieces_is_the_whole_stream() -> None:
    pieces = list(yaml_pieces(MANIFESTS))
    assert len(pieces) > 1
    assert "".join(pieces) == to_yaml_stream(MANIFESTS)
    assert to_yaml_stream(MANIFESTS).count("\n# Environment: dev\n# Source: release-0/templates/cm.yaml.j2\n") == 1


def test_the_json_list_in_pieces_is_what_json_dumps_writes() -> None:
    document = {"apiVersion": "v1", "kind": "List", "items": [m.obj for m in MANIFESTS]}
    pieces = list(json_pieces(MANIFESTS))
    assert len(pieces) > 1
    assert "".join(pieces) == to_json(MANIFESTS) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_pieces_are_at_least_the_size_asked_for_except_the_last() -> None:
    chunks = ["abc"] * 10
    pieces = list(in_pieces(chunks, size=7))
    assert pieces == ["abcabcabc", "abcabcabc", "abcabcabc", "abc"]
    assert list(in_pieces([], size=7)) == []


def test_shared_strings_copies_objects_equal_and_shares_their_strings() -> None:
    first, second = manifest("web", key="value"), manifest("web", key="value")
    before = json.dumps(first.obj)
    pool: dict[str, str] = {}
    [one], [two] = shared_strings([first], pool), shared_strings([second], pool)
    assert one == first and two == second
    assert json.dumps(first.obj) == before  # the input is not changed
    assert one.obj is not first.obj and one.obj["metadata"] is not two.obj["metadata"]
    key_one = next(k for k in one.obj["data"] if k == "greeting")
    key_two = next(k for k in two.obj["data"] if k == "greeting")
    assert key_one is key_two and one.obj["data"]["greeting"] is two.obj["data"]["greeting"]
    assert one.obj["items"][0]["name"] is two.obj["items"][0]["name"]
    assert one.template is two.template


def test_texts_written_beforehand_are_used_and_missing_ones_written() -> None:
    texts: list[str | None] = [None if n % 3 else f"kind: Written{n}\n" for n in range(len(MANIFESTS))]
    stream = "".join(yaml_pieces(MANIFESTS, texts))
    assert stream.count("kind: Written") == len([t for t in texts if t is not None])
    whole = to_yaml_stream(MANIFESTS)
    assert stream.count("kind: ConfigMap") == whole.count("kind: ConfigMap") - len([t for t in texts if t])


def test_objects_are_not_changed_after_their_release_wrote_their_yaml(tmp_path: Path) -> None:
    """The texts of render(yaml_text=True) are written as each release is rendered by a worker:
    nothing after (the checks, Namespaces, ordering) may change an object, or the stream would be
    stale. In one process there are none: the stream is written from the objects."""
    project = parallel_project(tmp_path)
    for jobs in (1, 3):
        result = render(project, jobs=jobs, yaml_text=True)
        if jobs == 1:
            assert result.yaml_texts is None
            continue
        assert result.yaml_texts is not None
        written = [(t, m) for t, m in zip(result.yaml_texts, result.manifests, strict=True) if t is not None]
        assert len(written) == len(result.manifests) == 24 * 4
        assert [text for text, _ in written] == [dump_yaml(m.obj) for _, m in written]
        assert "".join(yaml_pieces(result.manifests, result.yaml_texts)) == to_yaml_stream(result.manifests)
    shop = render(EXAMPLES / "shop", jobs=3, yaml_text=True)  # 12 releases: too few for workers
    assert shop.yaml_texts is None


def parallel_project(folder: Path) -> Path:
    """Twenty-four releases of the shop's app: enough for three workers."""
    shutil.copytree(EXAMPLES / "microservice", folder / "microservice")
    releases = "".join(f"  r{n:02d}:\n    app: ../microservice\n" for n in range(24))
    (folder / "project").mkdir()
    (folder / "project" / "pytemplar.yaml").write_text(
        f"environments:\n  prod:\n    namespace: shop\nreleases:\n{releases}", encoding="utf-8"
    )
    return folder / "project"
