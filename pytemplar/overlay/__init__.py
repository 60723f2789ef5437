"""Editing overlay files in place (``pytemplar set``, ``pytemplar rollout``, ``add``).

:mod:`~pytemplar.overlay.editor` changes one value in a YAML text and leaves every other byte
as it was; :mod:`~pytemplar.overlay.files` reads the file for it and writes the result back,
confined to the project and atomically.
"""

from pytemplar.overlay.editor import (
    DELETE,
    MISSING,
    EditError,
    TextEdit,
    delete_value,
    describe_change,
    edit_text,
    line_of,
    same_value,
    set_value,
    unified_diff,
)
from pytemplar.overlay.files import OverlayFile, read_overlay, write_overlay

__all__ = [
    "DELETE",
    "MISSING",
    "EditError",
    "OverlayFile",
    "TextEdit",
    "delete_value",
    "describe_change",
    "edit_text",
    "line_of",
    "read_overlay",
    "same_value",
    "set_value",
    "unified_diff",
    "write_overlay",
]
