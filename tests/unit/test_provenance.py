"""pytemplar.provenance: a rendered field's value traced to the values path placed there whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytemplar.errors import Location
from pytemplar.manifests import Manifest
from pytemplar.project import Workspace
from pytemplar.provenance import value_source
from pytemplar.templating.engine import TemplateEngine, template_context
from pytemplar.templating.parse import parse_rendered

TEMPLATE = """\
spec:
  replicas: {{ values.replicas }}
  strategy: {{ values.strategy }}
  template:
    spec:
      containers:
        - name: main
          image: "{{ values.image.repository }}:{{ values.image.tag }}"
          imagePullPolicy: "{{ values.image['pull-policy'] }}"
          ports:
            - containerPort: {{ values.ports[0] }}  # the first port
          args: {{ values.args }}
      port: {{ values.port + 1 }}
"""

VALUES = {
    "replicas": "3",
    "strategy": {"type": "Recreate"},
    "image": {"repository": "r", "tag": "t", "pull-policy": "Sometimes"},
    "ports": [8080],
    "args": ["a", "b"],
    "port": 1000,
}


@pytest.fixture
def manifest(make_tree: Callable[..., Path]) -> Manifest:
    root = make_tree({"app/app.yaml": "name: demo\nversion: 0.1.0\n", "app/templates/t.yaml.j2": TEMPLATE})
    app = Workspace().app(root / "app")
    context = template_context(VALUES, release="r", namespace="ns", environment="dev", app=app, kube_version=None)
    (found,) = parse_rendered(TemplateEngine(app).render(context), "r", "dev", track=True)
    return found


CONTAINER = ("spec", "template", "spec", "containers", 0)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (("spec", "replicas"), "3", ("replicas",)),
        (("spec", "replicas"), 3, None),  # same text, another type
        (("spec", "strategy", "type"), "Recreate", None),  # inside a placed map: the map's path, not this one
        (("spec", "strategy"), {"type": "Recreate"}, ("strategy",)),
        ((*CONTAINER, "imagePullPolicy"), "Sometimes", None),  # inside quotes: text, not the value
        ((*CONTAINER, "image"), "r:t", None),  # two values in one scalar
        ((*CONTAINER, "ports", 0, "containerPort"), 8080, ("ports", 0)),
        ((*CONTAINER, "args"), ["a", "b"], ("args",)),
        (("spec", "template", "spec", "port"), 1001, None),  # an expression of a value
        ((*CONTAINER, "name"), "main", None),  # template text
    ],
)
def test_a_field_cites_the_values_path_placed_there_whole(
    manifest: Manifest, field: tuple[Any, ...], value: Any, expected: Any
) -> None:
    assert value_source(manifest, field, value, VALUES) == expected


def test_a_changed_value_cites_nothing(manifest: Manifest) -> None:
    assert value_source(manifest, ("spec", "replicas"), "3", {"replicas": "4"}) is None
    assert value_source(manifest, ("spec", "replicas"), "3", {}) is None


def test_each_field_knows_its_template_line(manifest: Manifest) -> None:
    path = manifest.source.path
    assert manifest.location_of(("spec", "replicas")) == Location(path, 2)
    assert manifest.location_of((*CONTAINER, "ports", 0, "containerPort")) == Location(path, 11)
    assert manifest.location_of((*CONTAINER, "name")) == Location(path, 7)
    assert manifest.location_of(("spec", "template", "spec", "port")) == Location(path, 13)
