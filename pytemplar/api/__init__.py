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

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytemplar.api.argocd import argocd_applications
    from pytemplar.api.comparing import DiffReport, diff
    from pytemplar.api.editing import EditResult, edit_values
    from pytemplar.api.rendering import ValidationResult, release_values, render, render_with, validate
    from pytemplar.api.rollouts import rollout, rollout_status
    from pytemplar.api.session import ReleaseValues, RenderOptions, RenderResult

# Each name's module, imported on first use: a render does not pay for diff's, set's or rollout's.
_HOMES = {
    "argocd_applications": "argocd",
    "DiffReport": "comparing",
    "diff": "comparing",
    "EditResult": "editing",
    "edit_values": "editing",
    "ValidationResult": "rendering",
    "release_values": "rendering",
    "render": "rendering",
    "render_with": "rendering",
    "validate": "rendering",
    "rollout": "rollouts",
    "rollout_status": "rollouts",
    "ReleaseValues": "session",
    "RenderOptions": "session",
    "RenderResult": "session",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'pytemplar.api' has no attribute '{name}'")
    return getattr(import_module(f"pytemplar.api.{home}"), name)


__all__ = [
    "DiffReport",
    "EditResult",
    "ReleaseValues",
    "RenderOptions",
    "RenderResult",
    "ValidationResult",
    "argocd_applications",
    "diff",
    "edit_values",
    "release_values",
    "render",
    "render_with",
    "rollout",
    "rollout_status",
    "validate",
]
