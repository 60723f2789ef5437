"""Which values templates read, and the unused keys that are reported as likely typos."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

from pytemplar.errors import Location
from pytemplar.project import Workspace
from pytemplar.schema import declares
from pytemplar.templating.engine import ReadLog, TemplateEngine, template_context
from pytemplar.usage import UnusedValues
from pytemplar.values import ValuesLayer, merge_layers


def reads(tmp_path: Path, template: str, values: dict[str, Any]) -> ReadLog:
    write_tree(tmp_path, {"app/app.yaml": "name: t\nversion: 1.0.0\n", "app/templates/t.yaml.j2": template})
    app = Workspace().app(tmp_path / "app")
    log = ReadLog()
    context = template_context(values, release="r", namespace="n", environment="e", app=app, kube_version=None, log=log)
    TemplateEngine(app).render(context)
    return log


def test_attribute_and_item_access_read_exactly_the_path(tmp_path: Path) -> None:
    log = reads(
        tmp_path, "a: {{ values.image.tag }}\nb: {{ values['port'] }}\n", {"image": {"tag": "1", "x": 2}, "port": 1}
    )
    assert log.uses(("image", "tag"))
    assert log.uses(("port",))
    assert not log.uses(("image", "x"))
    assert log.touches(("image",))
    # reading image.tag goes through image, which does not make image.x read
    assert ("image",) in log.read
    assert ("image",) not in log.whole


def test_a_map_written_whole_or_iterated_counts_as_read_whole(tmp_path: Path) -> None:
    template = "a: {{ values.res }}\n{% for k, v in values.env | dictsort %}\n{{ k }}: {{ v }}\n{% endfor %}\n"
    log = reads(tmp_path, template, {"res": {"cpu": 1}, "env": {"X": "1"}, "other": {"y": 1}})
    assert log.uses(("res", "cpu"))
    assert log.uses(("env", "X"))
    assert not log.touches(("other",))


def test_get_and_list_indexes_are_reads(tmp_path: Path) -> None:
    log = reads(tmp_path, "a: {{ values.m.get('k') }}\nb: {{ values.l[1] }}\n", {"m": {"k": 1, "j": 2}, "l": [1, 2]})
    assert log.uses(("m", "k"))
    assert not log.uses(("m", "j"))
    assert log.uses(("l", 1))
    assert not log.uses(("l", 0))


def test_filters_that_serialise_read_the_whole_value(tmp_path: Path) -> None:
    log = reads(tmp_path, "a: {{ values.m | tojson | sha256 }}\n", {"m": {"k": {"deep": 1}}})
    assert log.uses(("m", "k", "deep"))


SCHEMA = {
    "type": "object",
    "properties": {
        "image": {"type": "object", "properties": {"tag": {"type": "string"}}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "free": {"type": "object"},
        "closed": {"type": "object", "properties": {"a": {}}, "additionalProperties": False},
        "ref": {"$ref": "#/$defs/probe"},
        "hosts": {"type": "array", "items": {"type": "object", "properties": {"name": {}}}},
        "either": {"anyOf": [{"properties": {"x": {}}}, {"properties": {"y": {}}}]},
        "open": {"type": "object", "properties": {"a": {}}, "additionalProperties": True},
        "typed": {"type": "object", "properties": {"a": {}}, "additionalProperties": {"type": "string"}},
        "bare": {"type": "object", "additionalProperties": True},
    },
    "patternProperties": {"^x-": {}},
    "$defs": {"probe": {"type": "object", "properties": {"path": {}}}},
}


@pytest.mark.parametrize(
    ("path", "declared"),
    [
        (("image", "tag"), True),
        (("image", "tagg"), False),
        (("imag",), False),
        (("labels", "anything"), True),
        (("free", "any", "depth"), True),
        (("closed", "b"), False),
        (("ref", "path"), True),
        (("ref", "pth"), False),
        (("hosts", 3, "name"), True),
        (("hosts", 3, "nam"), False),
        (("either", "y"), True),
        (("either", "z"), False),
        (("x-custom",), True),
        (("open", "a"), True),
        (("open", "b"), False),  # additionalProperties: true beside properties tolerates, does not describe
        (("typed", "b"), True),  # a typed map describes its other keys
        (("bare", "b"), True),  # no properties at all: a free-form map
    ],
)
def test_declares_follows_properties_refs_items_and_free_form_maps(path: tuple[Any, ...], declared: bool) -> None:
    assert declares(SCHEMA, path) is declared


def layer(kind: str, source: str, data: dict[str, Any]) -> ValuesLayer:
    locations = {}
    keys = {}

    def walk(node: Any, at: tuple[Any, ...], line: list[int]) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                line[0] += 1
                keys[(*at, key)] = Location(source, line[0], 1)
                locations[(*at, key)] = Location(source, line[0], 10)
                walk(child, (*at, key), line)

    walk(data, (), [0])
    return ValuesLayer(kind, source, data, locations, keys)


def record(unused: UnusedValues, layers: list[ValuesLayer], log: ReadLog, release: str = "r") -> None:
    unused.record(layers, merge_layers(layers), log, None, release=release, environment="prod")


def test_a_key_no_template_read_is_reported_at_its_key_with_a_suggestion() -> None:
    defaults = layer("defaults", "values.yaml", {"replicas": 1})
    overlay = layer("environment", "envs/prod.yaml", {"replicaz": 3})
    log = ReadLog()
    log.read.add(("replicas",))
    unused = UnusedValues()
    record(unused, [defaults, overlay], log)
    [problem] = unused.problems("error")
    assert problem.message == "'replicaz' is not used by any template"
    assert problem.location == Location("envs/prod.yaml", 1, 1)
    assert problem.hint == "did you mean 'replicas'?"
    assert problem.severity == "error"


def test_defaults_are_never_reported() -> None:
    unused = UnusedValues()
    record(unused, [layer("defaults", "values.yaml", {"unread": 1})], ReadLog())
    assert unused.problems("error") == []


def test_the_outermost_unread_key_is_reported_once() -> None:
    overlay = layer("environment", "envs/prod.yaml", {"autoscalling": {"enabled": True, "max": 3}})
    unused = UnusedValues()
    record(unused, [overlay], ReadLog())
    assert [p.message for p in unused.problems("warning")] == ["'autoscalling' is not used by any template"]


def test_a_key_used_by_any_release_is_not_reported() -> None:
    overlay = layer("environment", "envs/prod.yaml", {"ingress": {"host": "x"}})
    unused = UnusedValues()
    record(unused, [overlay], ReadLog(), release="a")
    log = ReadLog()
    log.read.update({("ingress",), ("ingress", "host")})
    record(unused, [overlay], log, release="b")
    assert unused.problems("error") == []


def test_a_key_deleted_by_a_higher_layer_is_not_reported() -> None:
    lower = layer("environment", "envs/prod.yaml", {"old": {"x": 1}})
    higher = layer("release", "releases/a.yaml", {"old": None})
    unused = UnusedValues()
    record(unused, [lower, higher], ReadLog())
    assert unused.problems("error") == []


def test_a_key_the_schema_describes_is_not_reported() -> None:
    overlay = layer("environment", "envs/prod.yaml", {"image": {"tag": "1"}})
    unused = UnusedValues()
    schema = type("Schema", (), {"declares": staticmethod(lambda path: declares(SCHEMA, path))})()
    unused.record([overlay], merge_layers([overlay]), ReadLog(), schema, release="r", environment="prod")  # type: ignore[arg-type]
    assert unused.problems("error") == []
