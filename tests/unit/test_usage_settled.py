"""Files whose every key some release used are settled: skipped and forgotten by later releases."""

from __future__ import annotations

from typing import Any

from pytemplar.templating.engine import ReadLog
from pytemplar.usage import UnusedValues
from pytemplar.values import ValuesLayer, merge_layers


def layer(kind: str, source: str, data: dict[str, Any]) -> ValuesLayer:
    return ValuesLayer(kind, source, data)


def record(unused: UnusedValues, layers: list[ValuesLayer], log: ReadLog, release: str) -> None:
    unused.record(layers, merge_layers(layers), log, None, release=release, environment="prod")


def reading(*paths: tuple[str, ...]) -> ReadLog:
    log = ReadLog()
    log.read.update(paths)
    return log


def test_a_file_used_whole_is_settled_and_its_paths_forgotten() -> None:
    overlay = layer("release", "releases/a.yaml", {"image": {"tag": "1"}, "old": None})
    unused = UnusedValues()
    record(unused, [overlay], reading(("image",), ("image", "tag")), release="a")
    assert unused.settled == {"releases/a.yaml"} and unused.used == {}
    record(unused, [overlay], ReadLog(), release="b")  # reads nothing of it: a key used once is used
    assert unused.problems("error") == []


def test_a_file_with_a_key_deleted_above_it_is_not_settled() -> None:
    lower = layer("environment", "envs/prod.yaml", {"image": {"tag": "1"}, "probe": {"pth": "/x"}})
    higher = layer("release", "releases/a.yaml", {"probe": None})
    unused = UnusedValues()
    # Release a deletes probe: what envs/prod.yaml says of it is still open.
    record(unused, [lower, higher], reading(("image",), ("image", "tag")), release="a")
    assert unused.settled == {"releases/a.yaml"}
    assert unused.problems("error") == []
    record(unused, [lower], reading(("image",), ("image", "tag")), release="b")
    assert [(p.message, p.release) for p in unused.problems("error")] == [("'probe' is not used by any template", "b")]
