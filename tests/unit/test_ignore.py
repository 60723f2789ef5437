"""The .pytemplarignore subset: *, ?, **, trailing / for folders, ! to take back, # comments."""

from __future__ import annotations

import pytest

from pytemplar.ignore import IgnoreRules


def _kept(patterns: str, paths: list[str]) -> list[str]:
    return IgnoreRules.parse(patterns).kept(paths)


FILES = [
    "app.yaml",
    "values.yaml",
    "notes.txt",
    "templates/deployment.yaml.j2",
    "templates/notes.txt",
    "templates/old/x.yaml.j2",
    "files/a.log",
    "files/deep/b.log",
    "files/deep/keep.log",
    "build/out.txt",
    "docs/build/page.md",
]


@pytest.mark.parametrize(
    ("patterns", "left_out"),
    [
        pytest.param("", [], id="nothing"),
        pytest.param("# a comment\n\n   \n", [], id="comments-and-blank-lines"),
        pytest.param("notes.txt", ["notes.txt", "templates/notes.txt"], id="name-at-any-depth"),
        pytest.param("/notes.txt", ["notes.txt"], id="leading-slash-anchors"),
        pytest.param("templates/notes.txt", ["templates/notes.txt"], id="middle-slash-anchors"),
        pytest.param("*.log", ["files/a.log", "files/deep/b.log", "files/deep/keep.log"], id="star"),
        pytest.param("files/*.log", ["files/a.log"], id="star-does-not-cross-folders"),
        pytest.param("files/**/*.log", ["files/a.log", "files/deep/b.log", "files/deep/keep.log"], id="double-star"),
        pytest.param("**/old", ["templates/old/x.yaml.j2"], id="leading-double-star"),
        pytest.param("files/**", ["files/a.log", "files/deep/b.log", "files/deep/keep.log"], id="trailing-double-star"),
        pytest.param("build/", ["build/out.txt", "docs/build/page.md"], id="trailing-slash-folder-any-depth"),
        pytest.param("/build/", ["build/out.txt"], id="anchored-folder"),
        pytest.param("notes.txt/", [], id="trailing-slash-matches-folders-only"),
        pytest.param("*.log\n!keep.log", ["files/a.log", "files/deep/b.log"], id="negation"),
        pytest.param("!keep.log\n*.log", ["files/a.log", "files/deep/b.log", "files/deep/keep.log"], id="last-wins"),
        pytest.param(
            "files/deep/\n!files/deep/keep.log", ["files/deep/b.log", "files/deep/keep.log"], id="no-re-include"
        ),
        pytest.param("?alues.yaml", ["values.yaml"], id="question-mark"),
        pytest.param("[a]pp.yaml", [], id="brackets-are-literal"),
        pytest.param("notes.txt   ", ["notes.txt", "templates/notes.txt"], id="trailing-spaces-dropped"),
    ],
)
def test_patterns(patterns: str, left_out: list[str]) -> None:
    assert _kept(patterns, FILES) == [path for path in FILES if path not in left_out]


def test_escaped_hash_and_bang_are_literal() -> None:
    assert _kept("\\#x\n\\!y", ["#x", "!y", "z"]) == ["z"]


def test_a_folder_pattern_does_not_match_a_file_of_that_name() -> None:
    rules = IgnoreRules.parse("cache/")
    assert rules.ignored("cache", is_folder=True)
    assert not rules.ignored("cache", is_folder=False)
