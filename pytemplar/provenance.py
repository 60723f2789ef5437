"""Which value a rendered field came from, for messages about the rendered objects.

A Kubernetes-schema error names a field of a rendered object (``spec.replicas``); the user
has to change a values file. The parser placed every ``{{ }}`` itself, so a field written whole
by one ``{{ }}`` knows the values path it read (``replicas: {{ values.replicas }}``). When the
value there is still exactly that value (no transform changed it), the error can cite where it
was set; anything less certain cites nothing rather than guess.
"""

from __future__ import annotations

from typing import Any

from pytemplar.manifests import Manifest
from pytemplar.values import ValuePath, value_at


def value_source(manifest: Manifest, field: ValuePath, value: Any, values: dict[str, Any]) -> ValuePath | None:
    """The values path placed whole at ``field`` of ``manifest`` that holds exactly ``value``."""
    if manifest.origins is None:
        return None
    path = manifest.origins.values_path_of(field)
    if path is None:
        return None
    found, held = value_at(values, path)
    if not found or type(held) is not type(value) or held != value:
        return None
    return path
