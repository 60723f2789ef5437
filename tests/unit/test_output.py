"""Streams written in pieces are the same text as written whole; objects with shared strings are equal."""

from __future__ import annotations

import json
from typing import Any

from pytemplar.errors import Location
from pytemplar.manifests import Manifest, shared_strings
from pytemplar.output import in_pieces, json_pieces, to_json, to_yaml_stream, yaml_pieces


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
