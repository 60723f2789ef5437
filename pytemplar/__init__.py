"""pytemplar: render Kubernetes manifests from Jinja2 app templates with layered values.

The library API is what the command line is built on::

    import pytemplar
    result = pytemplar.render("examples/apps/shop", environments=["prod"])
    for manifest in result.manifests:
        print(manifest.kind, manifest.name)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Location",
    "ManifestError",
    "Problem",
    "PytemplarError",
    "TemplateError",
    "UsageError",
    "ValuesError",
    "__version__",
    "diff",
    "edit_values",
    "release_values",
    "render",
    "rollout",
    "rollout_status",
    "validate",
]

from pytemplar.errors import (
    ConfigError,
    Location,
    ManifestError,
    Problem,
    PytemplarError,
    TemplateError,
    UsageError,
    ValuesError,
)

if TYPE_CHECKING:
    from pytemplar.api import diff, edit_values, release_values, render, rollout, rollout_status, validate

_API = ("diff", "edit_values", "release_values", "render", "rollout", "rollout_status", "validate")


def __getattr__(name: str) -> Any:
    # The API pulls in Jinja2 and jsonschema; import it only when it is used.
    if name in _API:
        from pytemplar import api

        return getattr(api, name)
    raise AttributeError(name)
