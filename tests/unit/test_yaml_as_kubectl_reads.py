"""Manifest text means to pytemplar what it means to kubectl: the real kubectl is the oracle.

Each literal is written as a plain scalar value into one ConfigMap-shaped
object; ``kubectl label --local -f FILE x=y -o json`` shows what Kubernetes takes from it, and
pytemplar's ``kubernetes`` resolver must give the same JSON. Besides the table, a seeded batch of
generated literals (digits, signs, prefixes, underscores, dots, exponents, words) is compared the
same way, in one kubectl call.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_APP, run_pytemplar
from peers import KUBECTL

from pytemplar.errors import YamlError
from pytemplar.yamlio import load_documents

needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH (scripts/get-kubectl.sh)")

LITERALS = [
    # octal, as Go's ParseInt reads a leading 0, and the other prefixes
    "0644",
    "0755",
    "-0644",
    "00",
    "08",
    "09.5",
    "0o17",
    "0O17",
    "0x1F",
    "0X1f",
    "0b101",
    "-0b11",
    "0o",
    "0x",
    # YAML 1.1 words
    "yes",
    "Yes",
    "YES",
    "no",
    "No",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "y",
    "Y",
    "n",
    "N",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "yES",
    "oN",
    # numbers
    "1e3",
    "1E3",
    "1.5e3",
    "12e-2",
    "1.0",
    "1.",
    ".5",
    "+.5",
    "-.5",
    "._5",
    "+12",
    "-0",
    "1_000",
    "1__0",
    "0x_1F",
    "1_0.5",
    "12.50",
    "3.14159",
    "99999999999999999999",
    # YAML 1.1 forms kubectl does not read as numbers or dates
    "190:20:30",
    "1:30",
    "2001-12-14",
    "2001-12-14T21:59:43.10Z",
    "0.1.2",
    "1e",
    "e3",
    "1,000",
    "0b2",
    # text
    "v1.2",
    "12abc",
    "latest",
    "=",
    "<<x",
    "nginx:1.25",
]


def kubectl_json(text: str, tmp_path: Path) -> Any:
    manifest = tmp_path / "literals.yaml"
    manifest.write_text(text, encoding="utf-8")
    assert KUBECTL is not None
    done = subprocess.run(
        [KUBECTL, "label", "--local", "-f", str(manifest), "x=y", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def document(literals: list[str]) -> str:
    values = "".join(f"  v{index}: {literal}\n" for index, literal in enumerate(literals))
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: literals\nvalues:\n{values}"


def pytemplar_json(text: str) -> Any:
    [loaded] = load_documents(text, "literals.yaml", resolver="kubernetes")
    loaded.data.setdefault("metadata", {})["labels"] = {"x": "y"}
    return json.loads(json.dumps(loaded.data))


def compare(literals: list[str], tmp_path: Path) -> None:
    text = document(literals)
    theirs, ours = kubectl_json(text, tmp_path), pytemplar_json(text)
    assert ours["values"] == theirs["values"]


@needs_kubectl
def test_the_literals_table_reads_as_kubectl_reads_it(tmp_path: Path) -> None:
    compare(LITERALS, tmp_path)


@needs_kubectl
@pytest.mark.parametrize("key", ["0644", "1e3", "1.5", "on", "Off", "0x10", "y", "1_0", "-1"])
def test_keys_kubectl_reads_as_other_text_are_refused_naming_what_it_reads(key: str, tmp_path: Path) -> None:
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\ndata2:\n  {key}: v\n"
    [theirs] = kubectl_json(text, tmp_path)["data2"]
    if theirs == key:  # the same text either way
        assert load_documents(text, "m.yaml", resolver="kubernetes")[0].data["data2"] == {key: "v"}
        return
    with pytest.raises(YamlError) as caught:  # kubectl would send another key, silently
        load_documents(text, "m.yaml", resolver="kubernetes")
    problem = caught.value.problems[0]
    assert problem.message == f"key '{key}' is read by Kubernetes as {theirs}, not as the text '{key}'"
    assert (problem.hint, str(problem.location)) == (f'quote it: "{key}":', "m.yaml:6:3")


@needs_kubectl
def test_generated_literals_read_as_kubectl_reads_them(tmp_path: Path) -> None:
    pieces = ["0", "1", "7", "8", "9", "_", ".", "e", "E", "+", "-", "x", "o", "b", "a", "f", "F"]
    rng = random.Random(18)
    literals = []
    while len(literals) < 400:
        literal = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        # Leave out what is not one plain scalar in a block map (a YAML syntax error for both).
        if literal[0] in "-" and len(literal) > 1 and literal[1] in " ":
            continue
        if literal in ("-", "+") or (literal.startswith("-") and not literal[1:2].isalnum()):
            continue
        literals.append(literal)
    compare(literals, tmp_path)


@pytest.mark.parametrize("literal", [".inf", "-.Inf", ".nan"])
def test_infinity_and_nan_are_refused_as_kubectl_refuses_them(literal: str) -> None:
    with pytest.raises(YamlError) as caught:
        load_documents(f"a: {literal}\n", "m.yaml", resolver="kubernetes")
    problem = caught.value.problems[0]
    assert problem.message == f"'{literal}' is read by Kubernetes as a number JSON cannot hold, which kubectl refuses"
    assert problem.hint == f'quote it if it is text: "{literal}"'
    assert str(problem.location) == "m.yaml:1:4"


def test_a_null_key_is_refused_as_kubectl_refuses_it() -> None:
    with pytest.raises(YamlError):
        load_documents("~: a\n", "m.yaml", resolver="kubernetes")


def test_template_text_renders_as_kubectl_reads_it(make_tree: Any) -> None:
    root: Path = make_tree(
        {
            "app/templates/config.yaml.j2": """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: {{ release.name }}
                spec:
                  containers: [{name: a, image: "nginx:1.25"}]
                  volumes:
                    - name: config
                      configMap: {name: config, defaultMode: 0644}
                    - name: secret
                      secret: {secretName: s, defaultMode: 0o600, optional: yes}
            """,
        },
        base=MINIMAL_APP,
    )
    result = run_pytemplar("render", "project", "-e", "prod", "-o", "json", cwd=root)
    assert result.code == 0, result.stderr
    [pod] = [item for item in json.loads(result.stdout)["items"] if item["kind"] == "Pod"]
    assert pod["spec"]["volumes"] == [
        {"name": "config", "configMap": {"name": "config", "defaultMode": 420}},
        {"name": "secret", "secret": {"secretName": "s", "defaultMode": 384, "optional": True}},
    ]
