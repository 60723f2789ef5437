"""The library API: every command is one call here, and the CLI only formats the result.

A render runs the pipeline once per environment x release (:mod:`pytemplar.api.session`):

    load layers -> merge -> validate values -> render -> parse -> transforms -> rollout strategy
then, over everything rendered:
    check -> sort

Files and compiled templates are shared across releases through one :class:`Workspace`.

* :mod:`~pytemplar.api.rendering`: :func:`render`, :func:`validate`, :func:`release_values`
* :mod:`~pytemplar.api.comparing`: :func:`diff`
* :mod:`~pytemplar.api.editing`: :func:`edit_values` (``pytemplar set``)
* :mod:`~pytemplar.api.rollouts`: :func:`rollout_status`, :func:`rollout`
"""

from pytemplar.api.comparing import DiffReport, diff
from pytemplar.api.editing import EditResult, edit_values
from pytemplar.api.rendering import ValidationResult, release_values, render, render_with, validate
from pytemplar.api.rollouts import rollout, rollout_status
from pytemplar.api.session import ReleaseValues, RenderOptions, RenderResult

__all__ = [
    "DiffReport",
    "EditResult",
    "ReleaseValues",
    "RenderOptions",
    "RenderResult",
    "ValidationResult",
    "diff",
    "edit_values",
    "release_values",
    "render",
    "render_with",
    "rollout",
    "rollout_status",
    "validate",
]
