"""pytemplar: render Kubernetes manifests from Jinja2 app templates with layered values.

The library API is what the command line is built on::

    import pytemplar
    result = pytemplar.render("examples/apps/shop", environments=["prod"])
    for manifest in result.manifests:
        print(manifest.kind, manifest.name)
"""

from __future__ import annotations

import gc as _gc

# Importing makes thousands of objects that live as long as the process: the cyclic garbage
# collector would scan them a dozen times (~2 ms of a one-release render) and find no garbage.
# It pauses while the modules load; then every object alive moves to its oldest generation,
# which only a full collection scans (gc.freeze() then gc.unfreeze(); skipped when objects are
# frozen already, which stay frozen: the program's, or Python 3.12's own), and the collector is
# on or off as it was.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from typing import TYPE_CHECKING, Any

    from pytemplar.api import FUNCTIONS
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
finally:
    if not _gc.get_freeze_count():
        _gc.freeze()
        _gc.unfreeze()
    if _collecting:
        _gc.enable()
    del _collecting

__version__ = "0.1.0"

# For type checkers only, derived from pytemplar.api.FUNCTIONS: tests/unit/test_library_list.py
# fails while they disagree, and `pytest --update-golden` rewrites the block.
if TYPE_CHECKING:
    from pytemplar.api import argocd_applications as argocd_applications
    from pytemplar.api import diff as diff
    from pytemplar.api import edit_values as edit_values
    from pytemplar.api import release_values as release_values
    from pytemplar.api import render as render
    from pytemplar.api import rollout as rollout
    from pytemplar.api import rollout_status as rollout_status
    from pytemplar.api import validate as validate
    from pytemplar.api import validate_files as validate_files

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
    *sorted(FUNCTIONS),
]


def __getattr__(name: str) -> Any:
    # The API pulls in Jinja2 and jsonschema; import it only when it is used.
    if name in FUNCTIONS:
        from pytemplar import api

        return getattr(api, name)
    raise AttributeError(name)
