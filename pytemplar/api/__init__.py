"""The library API: every command is one call here, and the CLI only formats the result.

A render runs the pipeline once per environment x release (:mod:`pytemplar.api.session`):

    load layers -> merge -> validate values -> render -> parse -> transforms -> rollout strategy
then, over everything rendered:
    check -> sort

Files and compiled templates are shared across releases through one :class:`Workspace`.

``FUNCTIONS`` below is the one list of the library's functions, each with the module of this
package that holds it (``MORE``: what they take and return); ``__all__`` and ``pytemplar.<name>``
follow from it, and the imports type checkers read are derived from it by the test suite.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# The library: each name and its module in ``pytemplar.api``, imported on first use (a render
# does not pay for diff's, set's or rollout's). FUNCTIONS are also ``pytemplar.<name>``.
FUNCTIONS: dict[str, str] = {
    "argocd_applications": "argocd",  # pytemplar argocd applications
    "diff": "comparing",  # pytemplar diff
    "edit_values": "editing",  # pytemplar set
    "release_values": "rendering",  # pytemplar values
    "render": "rendering",  # pytemplar render
    "rollout": "rollouts",  # pytemplar rollout start, promote, weight, finish, abort, rollback
    "rollout_status": "rollouts",  # pytemplar rollout status
    "validate": "rendering",  # pytemplar validate
    "validate_files": "files",  # pytemplar validate -f: plain manifests
}
# What they take and return, and render_with (a render sharing a Workspace with other calls).
MORE: dict[str, str] = {
    "DiffReport": "comparing",
    "EditResult": "editing",
    "FileValidation": "files",
    "ReleaseValues": "session",
    "RenderOptions": "session",
    "RenderResult": "session",
    "ValidationResult": "rendering",
    "render_with": "rendering",
}
_HOMES = {**FUNCTIONS, **MORE}

# For type checkers only, derived from the two tables above: tests/unit/test_library_list.py fails
# while they disagree, and `pytest --update-golden` rewrites the block.
if TYPE_CHECKING:
    from pytemplar.api.argocd import argocd_applications as argocd_applications
    from pytemplar.api.comparing import DiffReport as DiffReport
    from pytemplar.api.comparing import diff as diff
    from pytemplar.api.editing import EditResult as EditResult
    from pytemplar.api.editing import edit_values as edit_values
    from pytemplar.api.files import FileValidation as FileValidation
    from pytemplar.api.files import validate_files as validate_files
    from pytemplar.api.rendering import ValidationResult as ValidationResult
    from pytemplar.api.rendering import release_values as release_values
    from pytemplar.api.rendering import render as render
    from pytemplar.api.rendering import render_with as render_with
    from pytemplar.api.rendering import validate as validate
    from pytemplar.api.rollouts import rollout as rollout
    from pytemplar.api.rollouts import rollout_status as rollout_status
    from pytemplar.api.session import ReleaseValues as ReleaseValues
    from pytemplar.api.session import RenderOptions as RenderOptions
    from pytemplar.api.session import RenderResult as RenderResult


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pytemplar.api' has no attribute '{name}'")
    return getattr(import_module(f"pytemplar.api.{home}"), name)


__all__ = sorted(_HOMES)
