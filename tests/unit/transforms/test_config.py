"""Reading declarations from pytemplar.yaml: the four levels, how they combine, and locations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_APP

from pytemplar.errors import ConfigError, PytemplarError
from pytemplar.project import Workspace, load_project
from pytemplar.transforms.config import Declarations, release_transforms

LAYERED = """
    commonLabels: {team: shop, level: project}
    namePrefix: p-
    nameSuffix: -p
    images:
      - {name: example/demo, newTag: "1"}
      - {name: busybox, newTag: "1.36"}
    environments:
      dev:
        commonLabels: {level: env}
        namePrefix: e-
        images:
          - {name: example/demo, newTag: "2"}
      prod: {}
    releases:
      one:
        app: ../app
        nameSuffix: -r
        commonAnnotations: {owner: one}
        labels:
          - pairs: {plain: "yes"}
        environments:
          dev:
            namePrefix: re-
            configMapGenerator:
              - name: "{release}-flags"
                literals: [A=1]
"""


def declarations(make_tree: Callable[..., Path], config: str, env: str = "dev") -> Declarations:
    root = make_tree({"project/pytemplar.yaml": config}, base=MINIMAL_APP)
    project = load_project(root / "project", Workspace())
    return release_transforms(project, env, "one")


def test_levels_combine_lowest_first(make_tree: Callable[..., Path]) -> None:
    found = declarations(make_tree, LAYERED)
    assert [dict(labels.pairs) for labels in found.labels] == [
        {"team": "shop", "level": "project"},
        {"level": "env"},
        {"plain": "yes"},
    ]
    assert [(ls.include_selectors, ls.include_templates) for ls in found.labels] == [
        (True, True),
        (True, True),
        (False, False),
    ]
    assert dict(found.annotations) == {"owner": "one"}
    assert found.names == ("re-e-p-", "-p-r")
    assert {image.name: image.new_tag for image in found.images} == {"example/demo": "2", "busybox": "1.36"}
    [generator] = found.generators
    assert generator.name == "one-flags"
    assert generator.sources[0].location.line == 26
    assert generator.location.line == 25


def test_other_environment_sees_only_its_levels(make_tree: Callable[..., Path]) -> None:
    found = declarations(make_tree, LAYERED, env="prod")
    assert found.names == ("p-", "-p-r")
    assert found.generators == ()


def test_a_project_without_transforms_has_empty_declarations(make_tree: Callable[..., Path]) -> None:
    root = make_tree(base=MINIMAL_APP)
    assert release_transforms(load_project(root / "project", Workspace()), "dev", "one").empty


PATCHES = """
    environments:
      dev: {}
    releases:
      one:
        app: ../app
        patches:
          - path: patches/ops.yaml
            target: {kind: Deployment}
          - patch:
              - {op: remove, path: /spec/replicas}
            target: {kind: Deployment}
          - patch: |
              kind: Deployment
              metadata: {name: "{release}"}
              spec: {replicas: 2}
          - patch: {metadata: {labels: {a: b}}}
            type: merge
            target: {labelSelector: "app in (one)"}
"""


def test_patches_inline_text_and_files_with_locations(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "project/pytemplar.yaml": PATCHES,
            "project/patches/ops.yaml": "- op: add\n  path: /metadata/labels/x\n  value: y\n"
            "- {op: test, path: /kind, value: Deployment}\n",
        },
        base=MINIMAL_APP,
    )
    found = release_transforms(load_project(root / "project", Workspace()), "dev", "one")
    from_file, inline_list, text, merge = found.patches
    assert from_file.type == "json6902"
    assert from_file.locate((1,)).path == str(root / "project/patches/ops.yaml")
    assert from_file.locate((1,)).line == 4
    assert from_file.target.kind == "Deployment"
    assert inline_list.locate((0,)).line == 10
    assert text.type == "strategic"
    assert text.body == {"kind": "Deployment", "metadata": {"name": "one"}, "spec": {"replicas": 2}}
    assert text.target.shown == "kind Deployment, name one"
    assert text.locate(("spec",)).line == 15
    assert merge.type == "merge"
    assert merge.target.label_selector[0].values == frozenset({"one"})


@pytest.mark.parametrize(
    ("entry", "message", "line"),
    [
        ("- patch: [{op: remove}]\n  target: {kind: Deployment}", "JSON patch 'remove' needs 'path'", 7),
        (
            "- patch: [{op: drop, path: /a}]\n  target: {kind: Deployment}",
            "a JSON patch operation needs 'op': add, remove, replace, move, copy or test",
            7,
        ),
        ("- patch: [{op: remove, path: /a}]", "this patch has no target", 7),
        ("- patch: {spec: {}}", "this patch has no target", 7),
        (
            "- patch: {spec: {}}\n  target: {name: 'web('}",
            "target name 'web(' is not a regular expression: missing ), unterminated subpattern at position 3",
            8,
        ),
        (
            "- patch: {spec: {}}\n  target: {labelSelector: 'a=b=c'}",
            "target labelSelector: 'a=b=c' is not a selector requirement",
            8,
        ),
        (
            "- patch: [{op: remove, path: /a}]\n  type: merge\n  target: {kind: D}",
            "a 'merge' patch must be a map, not a list",
            8,
        ),
        ('- patch: "a: ["\n  target: {kind: D}', "patch text: invalid YAML: ", 7),
        ("- path: nowhere.yaml", "patch file 'nowhere.yaml' not found", 7),
        ("- path: a.yaml\n  patch: {}", "a patch needs exactly one of 'patch' (the patch itself) and 'path'", 7),
    ],
)
def test_bad_patch_declarations(make_tree: Callable[..., Path], entry: str, message: str, line: int) -> None:
    indented = entry.replace("\n", "\n          ")
    config = f"""
    environments:
      dev: {{}}
    releases:
      one:
        app: ../app
        patches:
          {indented}
    """
    with pytest.raises(ConfigError) as caught:
        declarations(make_tree, config)
    [problem] = caught.value.problems
    assert problem.message.startswith(message)
    assert problem.location is not None
    assert problem.location.line == line


def test_schema_refuses_unknown_transform_keys(make_tree: Callable[..., Path]) -> None:
    config = """
    environments:
      dev:
        imagez: []
    releases:
      one:
        app: ../app
        images: [{name: x}]
    """
    with pytest.raises(PytemplarError) as caught:
        declarations(make_tree, config)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].message == "project.environments.dev: unknown key 'imagez'"
    assert caught.value.problems[0].hint == "did you mean 'images'?"
    with pytest.raises(PytemplarError) as caught:
        declarations(make_tree, config.replace("imagez", "images"))
    messages = sorted(problem.message for problem in caught.value.problems)
    assert messages == ["image override 'x' changes nothing"]


def test_a_patch_file_with_several_documents_takes_no_target(tmp_path: Path) -> None:
    (tmp_path / "two.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\n"
        "metadata: {name: b}\n",
        encoding="utf-8",
    )
    (tmp_path / "pytemplar.yaml").write_text(
        "environments: {dev: {}}\nreleases:\n  web:\n    app: ./app\n    patches:\n"
        "      - path: two.yaml\n        target: {kind: ConfigMap}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        release_transforms(load_project(tmp_path, Workspace()), "dev", "web")
    problem = raised.value.problems[0]
    assert problem.message == "a patch with 2 documents cannot have a 'target'"
    assert problem.location is not None and problem.location.line == 7
