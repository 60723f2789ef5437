"""Text derived from a table of the code and kept in a file (README rows, type checkers' imports).

Such text is never edited by hand: ``pytest --update-golden`` rewrites it from the table, as it does
golden files, and otherwise a test fails while the file and the table disagree.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def keep(request: pytest.FixtureRequest, path: Path, start: int, end: int, derived: str) -> None:
    """Lines ``start`` to ``end`` (0-based, end excluded) of ``path`` must be ``derived``."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    current = "".join(lines[start:end])
    if current != derived and request.config.getoption("--update-golden"):
        path.write_text("".join([*lines[:start], derived, *lines[end:]]), encoding="utf-8")
        return
    assert current == derived, (
        f"{path.name} lines {start + 1}-{end} are derived: run pytest --update-golden {request.node.path}"
    )
