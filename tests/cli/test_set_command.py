"""``pytemplar set``: values changed in the release x environment overlay, every other byte kept."""

from __future__ import annotations

import difflib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES, MINIMAL_APP, CliResult, run_pytemplar, write_tree

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "expected" / "set"

SCHEMA = """
    {
      "type": "object",
      "properties": {
        "replicas": {"type": "integer"},
        "debug": {"type": "boolean"},
        "image": {
          "type": "object",
          "properties": {
            "repository": {"type": "string"},
            "tag": {"type": "string"},
            "digest": {"type": ["string", "null"]},
            "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]}
          },
          "additionalProperties": false
        },
        "podAnnotations": {"type": "object", "additionalProperties": {"type": "string"}},
        "hosts": {"type": "array", "items": {"type": "string"}},
        "extraArgs": {"type": "array", "items": {"type": "string"}},
        "longLine": {"type": "string"}
      }
    }
"""

OVERLAY = "project/envs/prod/one.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The minimal app and project, with a schema that knows the golden overlay's keys."""
    write_tree(tmp_path, {**MINIMAL_APP, "app/values.schema.json": SCHEMA})
    return tmp_path


def set_(cwd: Path, *args: str) -> CliResult:
    return run_pytemplar("set", *args, cwd=cwd)


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- the golden overlay ------------------------------------------------------------------------------


def test_set_changes_one_line_and_adds_one_in_a_heavily_commented_overlay(
    project: Path, golden: Callable[[str, Path], None]
) -> None:
    original = (GOLDEN / "overlay.yaml").read_text(encoding="utf-8")
    overlay = write(project, OVERLAY, original)
    result = set_(project / "project", "-e", "prod", "-r", "one", "image.tag=1.5.0", "image.pullPolicy=Always")
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        "envs/prod/one.yaml:10: image.tag: 1.4.2 -> 1.5.0\nenvs/prod/one.yaml:12: image.pullPolicy: Always (new)\n"
    )
    edited = overlay.read_text(encoding="utf-8")
    golden(edited, GOLDEN / "overlay.edited.yaml")
    changes = [line for line in difflib.ndiff(original.splitlines(), edited.splitlines()) if line[:1] in "+-"]
    assert changes == [
        '-     tag: "1.4.2"    # pinned after the incident of 2024-03-01',
        '+     tag: "1.5.0"    # pinned after the incident of 2024-03-01',
        "+     pullPolicy: Always",
    ]


def test_setting_the_value_already_there_writes_nothing(project: Path) -> None:
    overlay = write(project, OVERLAY, (GOLDEN / "overlay.yaml").read_text(encoding="utf-8"))
    before = overlay.stat()
    result = set_(project / "project", "-e", "prod", "-r", "one", "image.tag=1.4.2")
    assert result.code == 0, result.stderr
    assert result.stderr == (
        "envs/prod/one.yaml:10: image.tag: 1.4.2 (unchanged)\nenvs/prod/one.yaml: nothing to change\n"
    )
    assert overlay.stat().st_mtime_ns == before.st_mtime_ns
    assert overlay.stat().st_ino == before.st_ino


# -- which file ------------------------------------------------------------------------------------


def test_the_default_overlay_is_created_with_its_folder(project: Path) -> None:
    result = set_(project / "project", "-e", "prod", "-r", "one", "replicas=3", "image.tag=2.0")
    assert result.code == 0, result.stderr
    assert result.stderr == (
        "envs/prod/one.yaml: (new file)\n"
        "envs/prod/one.yaml:1: replicas: 3 (new)\n"
        'envs/prod/one.yaml:3: image.tag: "2.0" (new)\n'
    )
    assert (project / OVERLAY).read_text() == 'replicas: 3\nimage:\n  tag: "2.0"\n'


def test_the_project_folder_can_be_named_first(project: Path) -> None:
    result = set_(project, "project", "-e", "dev", "-r", "one", "replicas=2")
    assert result.code == 0, result.stderr
    assert (project / "project/envs/dev/one.yaml").read_text() == "replicas: 2\n"


def test_of_several_listed_files_the_one_that_sets_the_key_is_edited(project: Path) -> None:
    write(
        project,
        "project/pytemplar.yaml",
        "environments:\n  prod: {}\nreleases:\n  one:\n    app: ../app\n    environments:\n"
        "      prod:\n        valuesFiles: [prod/base.yaml, prod/one.yaml]\n",
    )
    base = write(project, "project/prod/base.yaml", "replicas: 2  # the floor\n")
    top = write(project, "project/prod/one.yaml", "image:\n  tag: '1.0'\n")
    assert set_(project / "project", "-e", "prod", "-r", "one", "replicas=4").code == 0
    assert set_(project / "project", "-e", "prod", "-r", "one", "image.tag=1.1").code == 0
    assert set_(project / "project", "-e", "prod", "-r", "one", "image.repository=x").code == 0
    assert base.read_text() == "replicas: 4  # the floor\n"
    assert top.read_text() == "image:\n  tag: '1.1'\n  repository: x\n"


# -- typing --------------------------------------------------------------------------------------------


def test_a_number_is_written_as_text_where_the_schema_wants_text(project: Path) -> None:
    result = set_(project / "project", "-e", "prod", "-r", "one", "image.tag=1.10", "replicas=5", "hosts={1,2.0}")
    assert result.code == 0, result.stderr
    assert (project / OVERLAY).read_text() == 'image:\n  tag: "1.10"\nreplicas: 5\nhosts:\n  - "1"\n  - "2.0"\n'


def test_string_flag_makes_every_value_text(project: Path) -> None:
    result = set_(project / "project", "-e", "prod", "-r", "one", "--string", "podAnnotations.port=8080")
    assert result.code == 0, result.stderr
    assert (project / OVERLAY).read_text() == 'podAnnotations:\n  port: "8080"\n'


def test_lists_and_escaped_keys_follow_the_set_grammar(project: Path) -> None:
    result = set_(
        project / "project", "-e", "prod", "-r", "one", "hosts={a.example,b.example}", r"podAnnotations.a\.b/c=x"
    )
    assert result.code == 0, result.stderr
    assert (project / OVERLAY).read_text() == "hosts:\n  - a.example\n  - b.example\npodAnnotations:\n  a.b/c: x\n"


# -- deleting and dry runs ------------------------------------------------------------------------------


def test_delete_removes_a_key(project: Path) -> None:
    overlay = write(project, OVERLAY, "# prod\nreplicas: 2\nimage:\n  tag: '1'\n")
    result = set_(project / "project", "-e", "prod", "-r", "one", "--delete", "replicas")
    assert result.code == 0, result.stderr
    assert result.stderr == "envs/prod/one.yaml:2: replicas: 2 -> (deleted)\n"
    assert overlay.read_text() == "# prod\nimage:\n  tag: '1'\n"


def test_dry_run_prints_a_diff_and_writes_nothing(project: Path) -> None:
    overlay = write(project, OVERLAY, "# prod\nreplicas: 2")
    result = set_(project / "project", "-e", "prod", "-r", "one", "replicas=3", "--dry-run")
    assert result.code == 0, result.stderr
    assert result.stdout == (
        "--- a/envs/prod/one.yaml\n+++ b/envs/prod/one.yaml\n@@ -1,2 +1,2 @@\n # prod\n"
        "-replicas: 2\n\\ No newline at end of file\n+replicas: 3\n\\ No newline at end of file\n"
    )
    assert result.stderr == "envs/prod/one.yaml:2: replicas: 2 -> 3\n"
    assert overlay.read_text() == "# prod\nreplicas: 2"


def test_dry_run_of_a_new_file_creates_nothing(project: Path) -> None:
    result = set_(project / "project", "-e", "prod", "-r", "one", "replicas=3", "--dry-run")
    assert result.code == 0, result.stderr
    assert result.stdout == "--- /dev/null\n+++ b/envs/prod/one.yaml\n@@ -0,0 +1 @@\n+replicas: 3\n"
    assert not (project / "project/envs").exists()


# -- refusals ----------------------------------------------------------------------------------------


def test_a_value_the_schema_refuses_is_not_written(project: Path) -> None:
    overlay = write(project, OVERLAY, "replicas: 2\n")
    result = set_(project / "project", "-e", "prod", "-r", "one", "replicas=many")
    assert result.code == 1
    assert result.stderr == (
        'envs/prod/one.yaml:1:11: error: [prod/one] values.replicas: "many" is not of type integer\n'
        "  hint: the file was not changed\n"
    )
    assert overlay.read_text() == "replicas: 2\n"


def test_values_that_pass_the_schema_but_break_the_release_are_not_written(project: Path) -> None:
    overlay = write(project, OVERLAY, "replicas: 2\n")
    # A canary weight needs an Ingress or HTTPRoute to carry it; the minimal app has neither.
    args = ("rollout.strategy=Canary", "rollout.canary.tag=2.0", "rollout.canary.weight=10")
    result = set_(project / "project", "-e", "prod", "-r", "one", *args)
    assert result.code == 1
    assert result.stderr == (
        "envs/prod/one.yaml:3:13: error: [prod/one] rollout: the canary's weight or header needs a Service"
        " of the release selecting the pods of Deployment 'one', and an Ingress or HTTPRoute routing to it;"
        " there is no such Service\n"
        "  hint: render a Service for the Deployment, or remove rollout.canary.weight and"
        " rollout.canary.header (the file was not changed)\n"
    )
    assert overlay.read_text() == "replicas: 2\n"


def test_a_rollout_tag_typed_as_a_number_is_written_as_text(project: Path) -> None:
    # rollout is checked by pytemplar's own schema, which wants tags as text: 2.10 must stay 2.10.
    result = set_(project / "project", "-e", "prod", "-r", "one", "rollout.strategy=Canary", "rollout.canary.tag=2.10")
    assert result.code == 0, result.stderr
    assert (project / OVERLAY).read_text() == 'rollout:\n  strategy: Canary\n  canary:\n    tag: "2.10"\n'


def test_an_unknown_key_the_schema_forbids_is_not_written_and_no_file_is_created(project: Path) -> None:
    result = set_(project / "project", "-e", "prod", "-r", "one", "image.tagg=1")
    assert result.code == 1
    assert result.stderr.startswith("envs/prod/one.yaml:2:3: error: [prod/one] values.image: unknown key 'tagg'\n")
    assert "did you mean 'tag'? (the file was not changed)" in result.stderr
    assert not (project / "project/envs").exists()


def test_a_key_the_schema_does_not_describe_is_a_warning(project: Path) -> None:
    result = set_(project / "project", "-e", "prod", "-r", "one", "replica=3")
    assert result.code == 0, result.stderr
    assert result.stderr.startswith(
        "envs/prod/one.yaml:1: warning: replica is not described by the app's values schema\n"
        "  hint: check the spelling: no template may read it\n"
    )


def test_a_value_under_a_shared_anchor_is_refused(project: Path) -> None:
    text = "image: &img\n  tag: '1.0'\nother: *img\n"
    overlay = write(project, OVERLAY, text)
    result = set_(project / "project", "-e", "prod", "-r", "one", "image.tag=2.0")
    assert result.code == 1
    assert result.stderr.startswith(
        "envs/prod/one.yaml:1:8: error: [prod/one] image.tag is shared through the anchor &img "
        "(used by *img on line(s) 3): changing it here would change those places too\n"
    )
    assert overlay.read_text() == text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("replicas=1",),
            "error: set needs an environment (-e) and a release (-r)\n  hint: environments: dev, prod; releases: one\n",
        ),
        (
            ("-e", "prod", "replicas=1"),
            "error: set needs an environment (-e) and a release (-r)\n  hint: releases: one\n",
        ),
        (("-e", "prod", "-r", "one"), "error: set needs at least one KEY=VALUE (or --delete KEY)\n"),
        (("-e", "prod", "-r", "two", "a=1"), "error: unknown release 'two'\n  hint: releases of project: one\n"),
        (("-e", "prod", "-r", "one", "nope", "a=1"), "error: 'nope' is neither a project folder nor KEY=VALUE\n"),
    ],
)
def test_usage_errors_exit_2(project: Path, args: tuple[str, ...], message: str) -> None:
    result = set_(project / "project", *args)
    assert (result.code, result.stderr) == (2, message)
    assert not (project / "project/envs").exists()


def test_a_malformed_key_value_is_a_usage_error(project: Path) -> None:
    result = set_(project / "project", "-e", "prod", "-r", "one", "a..b=1")
    assert result.code == 2
    assert result.stderr.startswith("error: --set 'a..b=1'")


def test_a_read_only_folder_is_a_clean_error(project: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    overlay = write(project, OVERLAY, "replicas: 2\n")
    overlay.parent.chmod(0o555)
    try:
        result = set_(project / "project", "-e", "prod", "-r", "one", "replicas=3")
    finally:
        overlay.parent.chmod(0o755)
    assert result.code == 1
    assert result.stderr.startswith("envs/prod/one.yaml: error: [prod/one] cannot write the file: Permission denied")
    assert overlay.read_text() == "replicas: 2\n"
    assert sorted(p.name for p in overlay.parent.iterdir()) == ["one.yaml"]


def test_the_shop_example_can_be_edited(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "apps")
    shop = tmp_path / "apps" / "shop"
    overlay = shop / "envs/prod/service-c.yaml"
    before = overlay.read_text().splitlines()
    result = set_(shop, "-e", "prod", "-r", "service-c", "image.tag=9.9.9")
    assert result.code == 0, result.stderr
    after = overlay.read_text().splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert len(changed) == 1
    assert changed[0][1] == changed[0][0].split(":")[0] + ': "9.9.9"'
