"""pytemplar.provenance: a rendered field's value traced to the values path the template placed there."""

from __future__ import annotations

from typing import Any

import pytest

from pytemplar.provenance import placed_values, value_source

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
            - containerPort: {{- values.ports[0] -}}  # the first port
"""


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("replicas", {("replicas",)}),
        ("imagePullPolicy", {("image", "pull-policy")}),
        ("containerPort", {("ports", 0)}),
        ("image", set()),  # two references in one scalar: not one whole value
        ("name", set()),
        ("absent", set()),
    ],
)
def test_placed_values_are_whole_values_references_under_the_key(key: str, expected: set[Any]) -> None:
    assert placed_values(TEMPLATE, key) == expected


def test_the_value_must_be_exactly_the_one_in_the_values() -> None:
    values = {"replicas": "3", "image": {"pull-policy": "Sometimes"}}
    assert value_source(TEMPLATE, "replicas", "3", values) == ("replicas",)
    assert value_source(TEMPLATE, "replicas", 3, values) is None  # same text, another type
    assert value_source(TEMPLATE, "imagePullPolicy", "Sometimes", values) == ("image", "pull-policy")
    assert value_source(TEMPLATE, "imagePullPolicy", "Always", values) is None


def test_two_lines_for_one_key_cite_nothing() -> None:
    template = "a:\n  replicas: {{ values.a }}\nb:\n  replicas: {{ values.b }}\n"
    assert placed_values(template, "replicas") == {("a",), ("b",)}
    assert value_source(template, "replicas", "x", {"a": "x", "b": "y"}) is None


def test_an_expression_is_not_a_placement() -> None:
    template = "replicas: {{ values.replicas | default(1) }}\nport: {{ values.port + 1 }}\n"
    assert placed_values(template, "replicas") == set()
    assert placed_values(template, "port") == set()


def test_a_path_missing_from_the_values_cites_nothing() -> None:
    assert value_source(TEMPLATE, "replicas", "3", {}) is None
