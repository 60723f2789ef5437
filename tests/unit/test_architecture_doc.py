"""docs/architecture.md's "how to add" section names files and tables that exist."""

from __future__ import annotations

import re

from conftest import REPO

import pytemplar.api
import pytemplar.cli
from pytemplar.transforms import table

DOC = (REPO / "docs" / "architecture.md").read_text("utf-8")
SECTION = DOC.split("## How to add a transform, a check, a command", 1)[1].split("\n## ", 1)[0]


def test_the_section_exists_and_names_files() -> None:
    assert len(re.findall(r"`([\w./-]+\.(?:py|json|md))`", SECTION)) >= 10


def test_every_file_it_names_exists() -> None:
    for name in re.findall(r"`([\w./-]+\.(?:py|json|md))`", SECTION):
        if "/" in name:
            assert (REPO / name).is_file(), f"docs/architecture.md names {name}, which does not exist"


def test_every_folder_it_names_exists() -> None:
    for name in re.findall(r"`([\w./-]+/)`", SECTION):
        assert (REPO / name).is_dir(), name


def test_the_tables_it_names_are_there() -> None:
    assert "`TRANSFORMS`" in SECTION and table.TRANSFORMS
    assert "`COMMANDS`" in SECTION and pytemplar.cli.COMMANDS
    assert "`FUNCTIONS`" in SECTION and pytemplar.api.FUNCTIONS
    assert "`EFFECTS`" in SECTION
    assert "`DeclarationReader`" in SECTION
