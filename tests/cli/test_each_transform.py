"""Each transform key of the schema, declared alone, changes what `render` prints.

A release whose only transform is one key must be transformed: a key missing from the
transforms table would be accepted by the schema and silently do nothing. This needs no kubectl.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from conftest import MINIMAL_APP, REPO, CliResult

SCHEMA = json.loads((REPO / "schemas" / "pytemplar.schema.json").read_text("utf-8"))
SCHEMA_KEYS = set(SCHEMA["$defs"]["transforms"]["properties"])

Objects = dict[tuple[str, str], dict[str, Any]]


def deployment(objects: Objects) -> dict[str, Any]:
    [found] = [obj for (kind, _), obj in objects.items() if kind == "Deployment"]
    return found


def generated(kind: str) -> Callable[[Objects], bool]:
    return lambda objects: any(k == kind and name.startswith("made-") for k, name in objects)


# key -> (its declaration, alone, in a release; what it must do to the release's objects)
EFFECTS: dict[str, tuple[str, Callable[[Objects], bool]]] = {
    "commonLabels": ("commonLabels: {added: 'yes'}", lambda o: deployment(o)["metadata"]["labels"] == {"added": "yes"}),
    "labels": ("labels: [{pairs: {added: 'yes'}}]", lambda o: deployment(o)["metadata"]["labels"] == {"added": "yes"}),
    "commonAnnotations": (
        "commonAnnotations: {added: 'yes'}",
        lambda o: deployment(o)["metadata"]["annotations"] == {"added": "yes"},
    ),
    "namePrefix": ("namePrefix: pre-", lambda o: deployment(o)["metadata"]["name"].startswith("pre-")),
    "nameSuffix": ("nameSuffix: -post", lambda o: deployment(o)["metadata"]["name"].endswith("-post")),
    "images": (
        "images: [{name: example/demo, newTag: '9.9'}]",
        lambda o: deployment(o)["spec"]["template"]["spec"]["containers"][0]["image"] == "example/demo:9.9",
    ),
    "patches": (
        "patches: [{target: {kind: Deployment}, patch: {spec: {replicas: 7}}}]",
        lambda o: deployment(o)["spec"]["replicas"] == 7,
    ),
    # The template already writes the release's namespace: a patch takes it out for setNamespace to put back.
    "setNamespace": (
        "setNamespace: all\n"
        "    patches: [{target: {kind: Deployment}, patch: [{op: remove, path: /metadata/namespace}]}]",
        lambda o: deployment(o)["metadata"]["namespace"] == "dev",
    ),
    "patchesJson6902": (
        "patchesJson6902: [{target: {kind: Deployment}, patch: [{op: replace, path: /spec/replicas, value: 6}]}]",
        lambda o: deployment(o)["spec"]["replicas"] == 6,
    ),
    "replicas": ("replicas: [{name: replicas, count: 4}]", lambda o: deployment(o)["spec"]["replicas"] == 4),
    # A field nameReferences names follows the rename a prefix makes.
    "nameReferences": (
        "nameReferences: [{kind: Deployment, fields: [{kind: Deployment, path: metadata/annotations/ref}]}]\n"
        "    namePrefix: p-\n"
        "    patches: [{target: {kind: Deployment}, patch: {metadata: {annotations: {ref: namereferences}}}}]",
        lambda o: deployment(o)["metadata"]["annotations"]["ref"] == "p-namereferences",
    ),
    "generatorOptions": (
        "generatorOptions: {disableNameSuffixHash: true}\n    configMapGenerator: [{name: made, literals: [A=1]}]",
        lambda o: ("ConfigMap", "made") in o,
    ),
    "configMapGenerator": ("configMapGenerator: [{name: made, literals: [A=1]}]", generated("ConfigMap")),
    "secretGenerator": ("secretGenerator: [{name: made, literals: [A=1]}]", generated("Secret")),
    "resources": ("resources: [extra.yaml]", generated("ConfigMap")),
    "patchesStrategicMerge": (
        "patchesStrategicMerge: ['{apiVersion: apps/v1, kind: Deployment, metadata: {name: patchesstrategicmerge},"
        "\n      spec: {replicas: 8}}']",
        lambda o: deployment(o)["spec"]["replicas"] == 8,
    ),
    "replacements": (
        "replacements: [{sourceValue: '5', targets: [{select: {kind: Deployment}, fieldPaths: [spec.replicas]}]}]",
        lambda o: deployment(o)["spec"]["replicas"] == 5,
    ),
}
RESOURCES_FILE = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: made-from-a-file}\ndata: {A: '1'}\n"


def test_every_schema_key_has_an_effect_here() -> None:
    assert set(EFFECTS) == SCHEMA_KEYS


def test_each_key_alone_transforms_its_release(make_tree: Callable[..., Path], cli: Callable[..., CliResult]) -> None:
    releases = "".join(
        f"  {key.lower()}:\n    app: ../app\n    {declaration}\n" for key, (declaration, _) in EFFECTS.items()
    )
    project = "environments:\n  dev: {}\nreleases:\n  plain:\n    app: ../app\n" + releases
    root = make_tree(
        {"project/pytemplar.yaml": textwrap.indent(project, "        "), "project/extra.yaml": RESOURCES_FILE},
        base=MINIMAL_APP,
    )
    result = cli("render", "project", "-e", "dev", cwd=root)
    assert result.code == 0, result.stderr
    by_release: dict[str, Objects] = {}
    for text in result.stdout.split("\n---\n"):
        source = re.search(r"^# Source: ([^/]+)/", text, re.MULTILINE)
        document = yaml.safe_load(text)
        if source and document:
            by_release.setdefault(source[1], {})[(document["kind"], document["metadata"]["name"])] = document

    def objects(release: str) -> Objects:
        return by_release.get(release, {})

    plain = objects("plain")
    assert list(plain) == [("Deployment", "plain")]
    assert "labels" not in deployment(plain)["metadata"]
    for key, (_, effect) in EFFECTS.items():
        found = objects(key.lower())
        assert found, f"release {key.lower()} rendered nothing"
        assert effect(found), f"{key} declared alone did not change release {key.lower()}: {found}"
