"""Overlay files edited in place by ``pytemplar set`` in hostile situations (H51, H53-H57).

The overlay is trusted content in an untrusted situation: a symlink planted where it lives, a
hard link, anchors shared with other environments, CRLF and a byte-order mark, a file size limit
that makes the write fail, two CI jobs editing at once. An edit either changes exactly the asked
value or changes nothing, and never writes outside the project.
"""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys

import pytest
import yaml

from .harness import OUTSIDE_CANARY, Result, Sandbox

OVERLAY = "project/envs/prod/one.yaml"
SET = ("set", "project", "-e", "prod", "-r", "one")


def edit(sandbox: Sandbox, *args: str, changes: tuple[str, ...] = (OVERLAY,)) -> Result:
    """``pytemplar set`` on release one in prod; ``changes`` are the paths it may change."""
    return sandbox.run(*SET, *args, expect_changes=changes)


def edited(sandbox: Sandbox, result: Result) -> None:
    """Exit 0, clean, and nothing changed but the paths the run was told to expect."""
    sandbox.clean(result)
    assert result.code == 0, result.describe()
    assert result.stdout == "", result.describe()
    assert result.changed == [], f"files changed: {result.changed}\n{result.describe()}"


# -- H53: links ------------------------------------------------------------------------------------


def test_h53a_overlay_symlinked_out_of_the_project_is_refused(sandbox: Sandbox) -> None:
    sandbox.write({})
    sandbox.symlink(OVERLAY, sandbox.outside / "secret-values.yaml")
    result = sandbox.run(*SET, "image.tag=2.0")
    sandbox.refused(
        result, file=OVERLAY, message=r"is a symlink to .*, outside the project; refusing to edit through it"
    )
    assert (sandbox.outside / "secret-values.yaml").read_text() == f"stolen: {OUTSIDE_CANARY}\nreplicas: 7\n"


def test_h53b_overlay_symlinked_inside_the_project_edits_the_target(sandbox: Sandbox) -> None:
    sandbox.write({"project/shared/prod.yaml": "replicas: 2  # shared by prod releases\n"})
    sandbox.symlink(OVERLAY, "../../shared/prod.yaml")
    result = edit(sandbox, "replicas=3", changes=("project/shared/prod.yaml",))
    edited(sandbox, result)
    assert result.stderr == "project/envs/prod/one.yaml:1: replicas: 2 -> 3\n"
    assert (sandbox.work / OVERLAY).is_symlink()
    assert (sandbox.work / "project/shared/prod.yaml").read_text() == "replicas: 3  # shared by prod releases\n"


def test_h53c_hard_linked_overlay_is_refused(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: "replicas: 2\n"})
    os.link(sandbox.work / OVERLAY, sandbox.work / "project/envs/prod/copy.yaml")
    result = sandbox.run(*SET, "replicas=3")
    sandbox.refused(result, file=OVERLAY, message=r"has 2 hard links; replacing it would leave the other names")


def test_overlay_that_is_a_folder_is_refused(sandbox: Sandbox) -> None:
    sandbox.write({f"{OVERLAY}/x": "a: 1\n"})
    result = sandbox.run(*SET, "replicas=3")
    sandbox.refused(result, file=OVERLAY, message=r"is a folder, not a file")


def test_h34c_overlay_that_is_not_utf8_is_refused(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: "replicas: 2\n".encode("utf-16")})
    result = sandbox.run(*SET, "replicas=3")
    sandbox.refused(result, file=OVERLAY, line=1, message=r"not valid UTF-8")


# -- H54: a realistic overlay changes by one line -----------------------------------------------------

H54_OVERLAY = """\
---
# prod overrides for one
image:
    repository: "registry.example.com/one"    # mirrored
    tag: '1.4.2'          # bumped by CI
    pullPolicy: ~
replicas: 3
debug: True
annotations:
    note: >
        folded text that
        spans two lines
hosts:
- one.example.com
-   two.example.com   # alias
long: "a long line that a YAML writer with a default width of eighty columns would fold in two places"
...
"""


def test_h54_a_realistic_overlay_changes_by_exactly_one_line(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: H54_OVERLAY})
    result = edit(sandbox, "image.tag=1.4.3")
    edited(sandbox, result)
    assert result.stderr == "project/envs/prod/one.yaml:5: image.tag: 1.4.2 -> 1.4.3\n"
    assert (sandbox.work / OVERLAY).read_text() == H54_OVERLAY.replace("tag: '1.4.2'", "tag: '1.4.3'")


def test_h54_setting_the_same_value_changes_zero_bytes(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: H54_OVERLAY})
    result = sandbox.run(*SET, "image.tag=1.4.2", "replicas=3")
    sandbox.accepted(result)  # not even the file's mtime or inode changes


@pytest.mark.parametrize(
    ("before", "after", "line"),
    [
        pytest.param("--- null\n", "---\nreplicas: 3\n", 2, id="document-marker-and-null"),
        pytest.param("--- ~  # nothing yet\n", "---\nreplicas: 3  # nothing yet\n", 2, id="marker-tilde-comment"),
        pytest.param("%YAML 1.2\n--- {}\n", "%YAML 1.2\n---\nreplicas: 3\n", 3, id="directive-marker-empty-map"),
        pytest.param("null\n", "replicas: 3\n", 1, id="null-alone"),
    ],
)
def test_an_overlay_holding_only_null_is_edited_as_the_empty_overlay_it_renders_as(
    sandbox: Sandbox, before: str, after: str, line: int
) -> None:
    """``--- null`` is an empty overlay to ``render``; ``set`` agrees: the value is added, the
    document marker kept, and the file reads back as the one value."""
    sandbox.write({OVERLAY: before})
    assert sandbox.run("render", "project", "-e", "prod").code == 0
    result = edit(sandbox, "replicas=3")
    edited(sandbox, result)
    assert (sandbox.work / OVERLAY).read_text() == after
    assert yaml.safe_load(after) == {"replicas": 3}
    assert result.stderr == f"{OVERLAY}:{line}: replicas: 3 (new)\n"


# -- H55: anchors and merge keys -----------------------------------------------------------------------


def test_h55_value_under_a_shared_anchor_is_refused(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: 'image: &img\n  tag: "1.0"\nsidecar:\n  image: *img\n'})
    result = sandbox.run(*SET, "image.tag=2.0")
    sandbox.refused(
        result,
        file=OVERLAY,
        line=1,
        message=r"image\.tag is shared through the anchor &img \(used by \*img on line\(s\) 4\): "
        r"changing it here would change those places too",
    )


def test_h55_value_behind_an_alias_is_refused(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: 'base: &img\n  tag: "1.0"\nimage: *img\n'})
    result = sandbox.run(*SET, "image.tag=2.0")
    sandbox.refused(result, file=OVERLAY, line=3, message=r"image is the alias \*img: setting image\.tag here")


def test_h55b_value_from_a_merge_key_is_set_in_the_map_itself(sandbox: Sandbox) -> None:
    text = 'base: &base\n  tag: "1.0"\nimage:\n  <<: *base\n'
    sandbox.write({OVERLAY: text})
    result = edit(sandbox, "image.tag=2.0")
    edited(sandbox, result)
    written = (sandbox.work / OVERLAY).read_text()
    assert written == text + '  tag: "2.0"\n'
    assert yaml.safe_load(written) == {"base": {"tag": "1.0"}, "image": {"tag": "2.0"}}


# -- H51: values a YAML 1.1 reader would retype, and values shaped like YAML ---------------------------------


def test_h51h_edited_strings_read_the_same_in_yaml_1_1(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: "labels: {}\n"})
    texts = {"a": "NO", "b": "on", "c": "12:30", "d": "1e3", "e": "012", "f": "~", "g": "2024-01-01", "h": "0x1F"}
    arguments = ",".join(f"labels.{key}={value}" for key, value in texts.items())
    result = edit(sandbox, "--string", arguments)
    sandbox.clean(result)
    assert result.code == 0, result.describe()
    assert yaml.safe_load((sandbox.work / OVERLAY).read_text()) == {"labels": texts}  # PyYAML is YAML 1.1


def test_h50_a_value_shaped_like_yaml_stays_one_value(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: "image:\n  tag: x\n"})
    result = edit(sandbox, "image.tag=1.0\nkind: Secret\n--- # x")
    sandbox.clean(result)
    assert result.code == 0, result.describe()
    assert yaml.safe_load((sandbox.work / OVERLAY).read_text()) == {"image": {"tag": "1.0\nkind: Secret\n--- # x"}}


# -- H56: modes, line endings, failed writes ---------------------------------------------------------------


def test_h56a_file_mode_is_kept(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: "replicas: 2\n"})
    (sandbox.work / OVERLAY).chmod(0o640)
    edited(sandbox, edit(sandbox, "replicas=3"))
    assert stat.S_IMODE((sandbox.work / OVERLAY).stat().st_mode) == 0o640


def test_h56_crlf_and_byte_order_mark_are_kept(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: b"\xef\xbb\xbf# prod\r\nreplicas: 2\r\nimage:\r\n  tag: '1'\r\n"})
    edited(sandbox, edit(sandbox, "replicas=3", "image.tag=2"))
    assert (sandbox.work / OVERLAY).read_bytes() == b"\xef\xbb\xbf# prod\r\nreplicas: 3\r\nimage:\r\n  tag: '2'\r\n"


def test_h56b_unwritable_folder_is_a_clean_error(sandbox: Sandbox) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    sandbox.write({OVERLAY: "replicas: 2\n"})
    folder = sandbox.work / OVERLAY
    folder.parent.chmod(0o555)
    try:
        result = sandbox.run(*SET, "replicas=3")
    finally:
        folder.parent.chmod(0o755)
    sandbox.refused(result, file=OVERLAY, message=r"cannot write the file: Permission denied; nothing was changed")


def test_h56_a_write_that_fails_halfway_leaves_the_old_file_and_no_temp_file(sandbox: Sandbox) -> None:
    """The file size limit (``ulimit -f``) stops the write of the new content part way."""
    old = "# prod\nreplicas: 2\n" + "".join(f"k{n}: {'v' * 60}\n" for n in range(100))
    sandbox.write({OVERLAY: old})
    limit = len(old) // 2

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-m", "pytemplar", *SET, "replicas=3"],
        cwd=sandbox.work,
        env=sandbox.environment(),
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit_file_size,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith(f"{OVERLAY}: error: [prod/one] cannot write the file: File too large"), proc.stderr
    assert (sandbox.work / OVERLAY).read_text() == old
    assert sorted(os.listdir(sandbox.work / "project/envs/prod")) == ["one.yaml"]


def test_a_value_the_schema_refuses_writes_nothing(sandbox: Sandbox) -> None:
    sandbox.write({OVERLAY: "replicas: 2\n"})
    result = sandbox.run(*SET, "replicas=two")
    sandbox.refused(result, file=OVERLAY, line=1, message=r"values\.replicas: \"two\" is not of type integer")
    assert "the file was not changed" in result.stderr


def test_a_new_overlay_that_fails_validation_creates_no_folder(sandbox: Sandbox) -> None:
    sandbox.write({})
    result = sandbox.run(*SET, "image.tag={a,b}")
    sandbox.refused(result, file=OVERLAY, line=2, message=r"values\.image\.tag: .* is not of type string")
    assert not (sandbox.work / "project/envs").exists()


# -- H57: two edits at once -----------------------------------------------------------------------------


def test_h57_concurrent_edits_never_lose_an_update(sandbox: Sandbox) -> None:
    """Several ``set`` runs on one overlay at once: each either lands or fails saying the file
    changed; a run that reports success always finds its value in the file afterwards."""
    sandbox.write({OVERLAY: "# prod\nreplicas: 1\n"})
    keys = [f"k{n}" for n in range(6)]
    for round_ in range(3):
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "pytemplar", *SET, f"{key}.round={round_}"],
                cwd=sandbox.work,
                env=sandbox.environment(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for key in keys
        ]
        outcomes = [(run.communicate(timeout=60)[1], run.returncode) for run in runs]
        data = yaml.safe_load((sandbox.work / OVERLAY).read_text())
        for key, (stderr, code) in zip(keys, outcomes, strict=True):
            assert "Traceback" not in stderr
            if code == 0:
                assert data.get(key) == {"round": round_}, f"{key} reported success but its edit is gone: {data}"
            else:
                assert code == 1 and "changed since it was read" in stderr, stderr
        assert sorted(os.listdir(sandbox.work / "project/envs/prod")) == ["one.yaml"]
