"""Editing values files as text (pytemplar.overlay): one value changes, every other byte stays."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from pytemplar.errors import FileAccessError, OutputError, YamlError
from pytemplar.fsroot import Root
from pytemplar.overlay import (
    DELETE,
    MISSING,
    EditError,
    delete_value,
    edit_text,
    read_overlay,
    same_value,
    set_value,
    write_overlay,
)

SOURCE = "envs/prod/web.yaml"

OVERLAY = """\
# Production overlay of web.
image:
  repository: nginx   # the upstream image
  tag: "1.4.2"  # pinned
replicas: 3
hosts:
  - a.example
  - b.example
empty:
"""


def edited(text: str, path: tuple[str | int, ...], value: Any) -> str:
    return set_value(text, path, value, SOURCE)


# -- setting values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "old_line", "new_line"),
    [
        (("image", "tag"), "1.5.0", '  tag: "1.4.2"  # pinned', '  tag: "1.5.0"  # pinned'),
        (("image", "repository"), "ghcr.io/x", "  repository: nginx   # the upstream image",
         "  repository: ghcr.io/x   # the upstream image"),
        (("replicas",), 5, "replicas: 3", "replicas: 5"),
        (("replicas",), "5", "replicas: 3", 'replicas: "5"'),
        (("hosts", 1), "c.example", "  - b.example", "  - c.example"),
        (("empty",), "yes", "empty:", 'empty: "yes"'),
        (("image", "tag"), "it's", '  tag: "1.4.2"  # pinned', "  tag: \"it's\"  # pinned"),
    ],
)  # fmt: skip
def test_a_changed_value_changes_one_line(
    path: tuple[str | int, ...], value: Any, old_line: str, new_line: str
) -> None:
    assert old_line in OVERLAY.splitlines()
    assert edited(OVERLAY, path, value) == OVERLAY.replace(old_line + "\n", new_line + "\n", 1)


@pytest.mark.parametrize(
    ("old", "value", "new"),
    [
        ("a: 'x'\n", "it's", "a: 'it''s'\n"),
        ("a: 'x'\n", 3, "a: 3\n"),
        ("a: x\n", "on", 'a: "on"\n'),  # YAML 1.1 readers take on for true
        ("a: x\n", "1.10", 'a: "1.10"\n'),
        ("a: x\n", "012", 'a: "012"\n'),
        ("a: x\n", "a: b", 'a: "a: b"\n'),
        ("a: x\n", None, "a: null\n"),
        ("a: x\n", True, "a: true\n"),
        ("a: x\n", 1e20, "a: 1.0e+20\n"),
        ("a: x\n", {}, "a: {}\n"),
        ("a: x\n", [], "a: []\n"),
    ],
)
def test_values_are_spelled_safely_in_the_quote_style_already_there(old: str, value: Any, new: str) -> None:
    assert edited(old, ("a",), value) == new


def test_a_new_key_is_a_new_line_at_the_end_of_its_map() -> None:
    assert edited(OVERLAY, ("image", "pullPolicy"), "Always") == OVERLAY.replace(
        "# pinned\n", "# pinned\n  pullPolicy: Always\n"
    )


def test_missing_maps_are_created_at_the_end_of_the_file() -> None:
    assert edited(OVERLAY, ("resources", "limits", "memory"), "1Gi") == (
        OVERLAY + "resources:\n  limits:\n    memory: 1Gi\n"
    )


def test_a_key_below_an_empty_value_replaces_the_empty_value() -> None:
    assert edited(OVERLAY, ("empty", "sub"), 1) == OVERLAY.replace("empty:\n", "empty:\n  sub: 1\n")
    assert edited("a: {}  # none yet\n", ("a", "b"), 1) == "a:  # none yet\n  b: 1\n"
    assert edited("a: ~\n", ("a", "b"), 1) == "a:\n  b: 1\n"


def test_a_list_item_is_appended_after_the_last() -> None:
    assert edited(OVERLAY, ("hosts", 2), "c.example") == OVERLAY.replace(
        "  - b.example\n", "  - b.example\n  - c.example\n"
    )


def test_a_map_value_is_written_in_block_style_at_the_files_indentation() -> None:
    text = "root:\n    child:\n        x: 1\n    list:\n    - a\n"
    assert (
        edited(text, ("root", "new"), {"k": [1, {"m": 2}]})
        == text + "    new:\n        k:\n        - 1\n        - m: 2\n"
    )


def test_a_collection_replaced_by_a_scalar_keeps_the_key_line_comment() -> None:
    text = "image:  # which image\n  repository: nginx\n  tag: x  # pinned\nnext: 1\n"
    assert edited(text, ("image",), "nginx:1") == "image: nginx:1  # which image\nnext: 1\n"


def test_a_scalar_replaced_by_a_collection_keeps_its_comment_on_the_key_line() -> None:
    text = "image: nginx  # which image\nnext: 1\n"
    assert edited(text, ("image",), {"repository": "nginx", "tag": "1"}) == (
        'image:  # which image\n  repository: nginx\n  tag: "1"\nnext: 1\n'
    )


def test_multi_line_text_is_a_literal_block() -> None:
    assert edited("a: x\nb: 1\n", ("a",), "line 1\nline 2\n") == "a: |\n  line 1\n  line 2\nb: 1\n"
    assert edited("a: |\n  old\n  text\n\nb: 1\n", ("a",), "new") == "a: new\n\nb: 1\n"


def test_list_items_that_are_maps_use_the_compact_form() -> None:
    text = "items:\n  - name: a\n    port: 80\n"
    assert edited(text, ("items", 0), {"name": "b", "port": 81}) == "items:\n  - name: b\n    port: 81\n"
    assert edited(text, ("items", 0, "path"), "/") == "items:\n  - name: a\n    port: 80\n    path: /\n"


def test_a_scalar_inside_a_flow_collection_is_replaced_and_quoted_for_flow_context() -> None:
    assert edited("a: {x: 1, y: 2}\n", ("a", "x"), "p,q") == 'a: {x: "p,q", y: 2}\n'
    assert edited("a: [1, 2]\n", ("a", 1), 3) == "a: [1, 3]\n"


def test_setting_the_value_already_there_changes_nothing() -> None:
    edit = edit_text(OVERLAY, ("image", "tag"), "1.4.2", SOURCE)
    assert edit.text is OVERLAY
    assert (edit.line, edit.old, edit.changed) == (4, "1.4.2", False)


def test_an_int_is_not_the_same_value_as_its_text_or_a_float() -> None:
    assert edited("a: 1\n", ("a",), "1") == 'a: "1"\n'
    assert edited("a: 1\n", ("a",), 1.0) == "a: 1.0\n"
    assert not same_value(1, True)
    assert same_value(float("nan"), float("nan"))


def test_the_edit_reports_the_line_and_the_old_value() -> None:
    edit = edit_text(OVERLAY, ("image", "pullPolicy"), "Always", SOURCE)
    assert (edit.line, edit.old, edit.new, edit.changed) == (5, MISSING, "Always", True)
    edit = edit_text(OVERLAY, ("replicas",), 4, SOURCE)
    assert (edit.line, edit.old) == (5, 3)


# -- line endings, byte-order mark, empty files --------------------------------------------------


def test_crlf_files_stay_crlf() -> None:
    text = "a: 1\r\nb:\r\n  c: 2\r\n"
    assert edited(text, ("b", "d"), {"x": 1}) == "a: 1\r\nb:\r\n  c: 2\r\n  d:\r\n    x: 1\r\n"
    assert edited(text, ("a",), 5) == "a: 5\r\nb:\r\n  c: 2\r\n"
    assert delete_value(text, ("b", "c"), SOURCE) == "a: 1\r\nb: {}\r\n"


def test_a_file_without_a_final_line_break_stays_without_one() -> None:
    assert edited("a: 1\nb: 2", ("c",), 3) == "a: 1\nb: 2\nc: 3"
    assert edited("a: 1\nb: 2", ("b",), 5) == "a: 1\nb: 5"
    assert delete_value("a: 1\nb: 2", ("b",), SOURCE) == "a: 1"


def test_a_byte_order_mark_is_kept() -> None:
    assert edited("\ufeffa: 1\n", ("b",), 2) == "\ufeffa: 1\nb: 2\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "a:\n  b: 1\n"),
        ("# only a comment\n", "# only a comment\na:\n  b: 1\n"),
        ("# only a comment", "# only a comment\na:\n  b: 1"),
        ("---\n# nothing yet\n...\n", "---\n# nothing yet\na:\n  b: 1\n...\n"),
        ("{}\n", "a:\n  b: 1\n"),
        ("~\n", "a:\n  b: 1\n"),
    ],
)
def test_empty_files_get_their_first_key(text: str, expected: str) -> None:
    assert edited(text, ("a", "b"), 1) == expected


# -- deleting --------------------------------------------------------------------------------------


def test_deleting_removes_the_key_and_its_value_lines() -> None:
    assert delete_value(OVERLAY, ("image", "tag"), SOURCE) == OVERLAY.replace('  tag: "1.4.2"  # pinned\n', "")
    assert delete_value(OVERLAY, ("hosts",), SOURCE) == OVERLAY.replace("hosts:\n  - a.example\n  - b.example\n", "")
    assert delete_value(OVERLAY, ("hosts", 0), SOURCE) == OVERLAY.replace("  - a.example\n", "")


def test_deleting_the_last_key_of_a_map_leaves_an_empty_map_not_a_null() -> None:
    # A null would remove the defaults below it; an empty map changes nothing.
    text = "rollout:\n  canary:  # next version\n    tag: 2.0.0\nnext: 1\n"
    assert delete_value(text, ("rollout", "canary"), SOURCE) == "rollout: {}\nnext: 1\n"


def test_deleting_the_first_key_of_a_list_item_keeps_the_item() -> None:
    text = "items:\n- name: a\n  x: 1\n- name: b\n"
    assert delete_value(text, ("items", 0, "name"), SOURCE) == "items:\n- x: 1\n- name: b\n"
    assert delete_value(text, ("items", 1, "name"), SOURCE) == "items:\n- name: a\n  x: 1\n- {}\n"


def test_deleting_a_key_that_is_not_there_changes_nothing() -> None:
    edit = edit_text(OVERLAY, ("image", "digest"), DELETE, SOURCE)
    assert (edit.text, edit.old, edit.changed) == (OVERLAY, MISSING, False)
    assert delete_value(OVERLAY, ("nothing", "here"), SOURCE) == OVERLAY


def test_deleting_the_only_key_of_the_file_leaves_its_comments() -> None:
    assert delete_value("# header\na: 1\n", ("a",), SOURCE) == "# header\n"


# -- anchors, aliases and merge keys ---------------------------------------------------------------

SHARED = """\
base: &img
  repository: nginx
  tag: "1.0"
prod:
  image: *img
staging:
  <<: *img
"""


def refusal(text: str, path: tuple[str | int, ...], value: Any = "2.0") -> str:
    with pytest.raises(EditError) as caught:
        edit_text(text, path, value, SOURCE)
    return caught.value.problems[0].format()


def test_a_value_under_a_shared_anchor_is_refused() -> None:
    assert refusal(SHARED, ("base", "tag")) == (
        "envs/prod/web.yaml:1:7: error: base.tag is shared through the anchor &img (used by *img on line(s) 5, 7): "
        "changing it here would change those places too\n"
        "  hint: write the value out in full where it should differ instead of *img, "
        "or change the anchored value by hand if every place should change"
    )
    assert "shared through the anchor &img" in refusal(SHARED, ("base",), DELETE)
    assert "shared through the anchor &img" in refusal(SHARED, ("base", "digest"))


def test_a_value_behind_an_alias_is_refused() -> None:
    assert refusal(SHARED, ("prod", "image", "tag")).startswith(
        "envs/prod/web.yaml:5:10: error: prod.image is the alias *img: setting prod.image.tag here would change "
        "the anchored value &img and every place that uses it"
    )


def test_an_alias_itself_can_be_replaced() -> None:
    assert edited(SHARED, ("prod", "image"), "nginx:2") == SHARED.replace("image: *img", "image: nginx:2")


def test_an_anchor_nothing_uses_does_not_stop_an_edit() -> None:
    assert edited("a: &x 1\nb: 2\n", ("a",), 3) == "a: 3\nb: 2\n"


def test_a_merged_key_is_overridden_in_the_map_itself() -> None:
    assert edited(SHARED, ("staging", "tag"), "2.0") == SHARED + '  tag: "2.0"\n'


def test_a_path_below_a_merged_value_is_refused() -> None:
    text = "base: &b\n  image: {tag: 1}\nstaging:\n  <<: *b\n"
    assert "staging.image comes from the merge key '<<' on line 4" in refusal(text, ("staging", "image", "tag"))
    assert "cannot be removed here" in refusal(text, ("staging", "image"), DELETE)


# -- other refusals --------------------------------------------------------------------------------


def test_a_path_through_a_single_value_is_refused() -> None:
    assert refusal("image: nginx\n", ("image", "tag")) == (
        "envs/prod/web.yaml:1:8: error: image is a single value, not a map: image.tag cannot be set inside it\n"
        "  hint: set image itself to replace it, or check the path"
    )
    assert "hosts is a list, not a map" in refusal(OVERLAY, ("hosts", "x"))
    assert "image is a map, not a list" in refusal(OVERLAY, ("image", 0))


def test_a_gap_in_a_list_is_refused() -> None:
    assert "hosts has 2 item(s): hosts[5] would leave a gap" in refusal(OVERLAY, ("hosts", 5))


def test_a_new_key_in_a_flow_map_is_refused() -> None:
    assert refusal("a: {x: 1}\n", ("a", "y")) == (
        "envs/prod/web.yaml:1:4: error: a.y is inside a flow-style {...} collection, which pytemplar does not edit\n"
        "  hint: write that collection in block style (one entry per line), or edit it by hand"
    )


def test_old_mac_line_endings_are_refused() -> None:
    assert "lone carriage return" in refusal("a: 1\rb: 2\n", ("a",))


def test_a_file_that_is_not_a_map_is_refused() -> None:
    assert "must hold a mapping" in refusal("- a\n", ("a",))


def test_invalid_yaml_is_reported_with_its_line() -> None:
    with pytest.raises(YamlError) as caught:
        edit_text("a: 1\nb: [\n", ("a",), 2, SOURCE)
    assert str(caught.value.problems[0].location).startswith(f"{SOURCE}:")


def test_values_that_are_not_plain_data_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="plain data"):
        edit_text("a: 1\n", ("a",), object(), SOURCE)
    with pytest.raises(ValueError, match="must be strings"):
        edit_text("a: 1\n", ("a",), {1: "x"}, SOURCE)


# -- the file on disk ------------------------------------------------------------------------------


def overlay_file(tmp_path: Path, text: str = "a: 1\n", name: str = "envs/prod/web.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_writing_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    path = overlay_file(tmp_path)
    path.chmod(0o640)
    overlay = read_overlay(Root.at(tmp_path), "envs/prod/web.yaml")
    write_overlay(overlay, "a: 2\n")
    assert path.read_text() == "a: 2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["web.yaml"]  # no temp file left


def test_a_new_file_is_created_with_its_folders(tmp_path: Path) -> None:
    overlay = read_overlay(Root.at(tmp_path), "envs/prod/web.yaml")
    assert overlay.created and overlay.text == ""
    write_overlay(overlay, "a: 1\n")
    assert (tmp_path / "envs/prod/web.yaml").read_text() == "a: 1\n"


def test_a_byte_order_mark_is_written_back(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\r\n")
    overlay = read_overlay(Root.at(tmp_path), "v.yaml")
    write_overlay(overlay, set_value(overlay.text, ("a",), 2, str(path)))
    assert path.read_bytes() == b"\xef\xbb\xbfa: 2\r\n"


def test_a_file_changed_after_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = overlay_file(tmp_path)
    overlay = read_overlay(Root.at(tmp_path), "envs/prod/web.yaml")
    path.write_text("a: 1\nb: 2\n")  # another edit lands in between
    with pytest.raises(OutputError, match="changed since it was read"):
        write_overlay(overlay, "a: 3\n")
    assert path.read_text() == "a: 1\nb: 2\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["web.yaml"]


def test_a_file_created_after_it_was_found_missing_is_not_overwritten(tmp_path: Path) -> None:
    overlay = read_overlay(Root.at(tmp_path), "envs/prod/web.yaml")
    path = overlay_file(tmp_path, "theirs: 1\n")
    with pytest.raises(OutputError, match="created by someone else"):
        write_overlay(overlay, "mine: 1\n")
    assert path.read_text() == "theirs: 1\n"


def test_a_symlink_inside_the_project_edits_its_target(tmp_path: Path) -> None:
    target = overlay_file(tmp_path, name="shared/web.yaml")
    link = tmp_path / "envs/prod/web.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to("../../shared/web.yaml")
    overlay = read_overlay(Root.at(tmp_path), "envs/prod/web.yaml")
    write_overlay(overlay, "a: 2\n")
    assert link.is_symlink() and target.read_text() == "a: 2\n"


def test_a_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("a: 1\n")
    project = tmp_path / "project"
    (project / "envs").mkdir(parents=True)
    (project / "envs/prod.yaml").symlink_to(outside)
    with pytest.raises(FileAccessError, match=r"is a symlink to .*outside the project; refusing to edit through it"):
        read_overlay(Root.at(project), "envs/prod.yaml")


def test_a_hard_linked_file_is_refused(tmp_path: Path) -> None:
    path = overlay_file(tmp_path)
    os.link(path, tmp_path / "other.yaml")
    with pytest.raises(FileAccessError, match="has 2 hard links"):
        read_overlay(Root.at(tmp_path), "envs/prod/web.yaml")


def test_a_failed_write_leaves_the_file_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = overlay_file(tmp_path)
    overlay = read_overlay(Root.at(tmp_path), "envs/prod/web.yaml")

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OutputError, match="cannot write the file: No space left on device; nothing was changed"):
        write_overlay(overlay, "a: 2\n")
    assert path.read_text() == "a: 1\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["web.yaml"]


def test_folders_made_for_a_new_file_are_removed_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = read_overlay(Root.at(tmp_path), "envs/prod/web.yaml")

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "link", full_disk)
    with pytest.raises(OutputError):
        write_overlay(overlay, "a: 1\n")
    assert list(tmp_path.iterdir()) == []


# -- new blocks are written by yamlout, in the file's indentation ------------------------------------------


def test_text_ending_in_blank_lines_is_kept_exactly() -> None:
    text = "image:\n  tag: '1'\n"
    assert set_value(text, ("notes",), "a\n\n", SOURCE) == "image:\n  tag: '1'\nnotes: |+\n  a\n\n"
    assert set_value(text, ("image", "notes"), "a\n\n\n", SOURCE) == "image:\n  tag: '1'\n  notes: |+\n    a\n\n\n"


def test_a_very_long_key_gets_the_explicit_key_form() -> None:
    key = "k" * 1100
    assert set_value("a: 1\n", ("m", key), 1, SOURCE) == f"a: 1\nm:\n  ? {key}\n  : 1\n"


def test_new_blocks_follow_the_files_list_indentation() -> None:
    value = {"hosts": ["a", "b"], "sub": {"x": [1]}}
    flush = "list:\n- a\n"
    assert (
        set_value(flush, ("new",), value, SOURCE) == flush + "new:\n  hosts:\n  - a\n  - b\n  sub:\n    x:\n    - 1\n"
    )
    indented = "a:\n    b: 1\nlist:\n    - a\n"
    assert set_value(indented, ("new",), value, SOURCE) == (
        indented + "new:\n    hosts:\n        - a\n        - b\n    sub:\n        x:\n            - 1\n"
    )
