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
    "release_values",
    "render",
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
    from pytemplar.api import release_values, render, validate


def __getattr__(name: str) -> Any:
    # The API pulls in Jinja2 and jsonschema; import it only when it is used.
    if name in ("render", "validate", "release_values"):
        from pytemplar import api

        return getattr(api, name)
    raise AttributeError(name)
