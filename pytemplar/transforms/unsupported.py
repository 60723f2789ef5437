"""Kustomize fields pytemplar does not support, each with what to write instead.

A level of ``pytemplar.yaml`` (or a ``component.yaml``) that holds one of these keys is refused
at the key; the message says the field is not supported rather than guessing a similar key.
``MISPLACED_KUSTOMIZE_KEYS`` are supported at other levels only: the message says where.
"""

from __future__ import annotations

from collections.abc import Mapping

UNSUPPORTED_KUSTOMIZE_KEYS: Mapping[str, str] = {
    "vars": "use replacements (or template values) instead",
    "configurations": "declare name references with nameReferences; other configurations are not supported",
    "openapi": "remove it: pytemplar reads custom resources' merge keys from their CRDs (crds: at the top)",
    "crds": "list CRD folders in 'crds:' at the top of pytemplar.yaml instead",
    "helmCharts": "render the chart with helm template and add its output with resources, or migrate it",
    "helmGlobals": "render the chart with helm template and add its output with resources, or migrate it",
    "transformers": "plugins are not supported: use the built-in transforms",
    "generators": "plugins are not supported: use configMapGenerator, secretGenerator or resources",
    "validators": "plugins are not supported: use pytemplar validate's checks and policies",
    "buildMetadata": "remove it: pytemplar does not record build metadata in objects",
    "bases": "list the base's manifest files (or its folder) under resources, or make the base the app template",
    "imageTags": "rename it to images (Kustomize's current name for the same entries)",
    "helmChartInflationGenerator": (
        "render the chart with helm template and add its output with resources, or migrate it"
    ),
}

# Kustomize fields pytemplar takes at some levels only: (why not here, what to do).
MISPLACED_KUSTOMIZE_KEYS: Mapping[str, tuple[str, str]] = {
    "sortOptions": (
        "sortOptions orders the objects of a whole environment, not those of one release or component",
        "declare it at the top of pytemplar.yaml (every environment) or under environments.<env>",
    ),
}


def refusal(key: str) -> tuple[str, str] | None:
    """(why, what to do) for a Kustomize field that a level taking transforms does not take."""
    if key in MISPLACED_KUSTOMIZE_KEYS:
        return MISPLACED_KUSTOMIZE_KEYS[key]
    if key in UNSUPPORTED_KUSTOMIZE_KEYS:
        return f"Kustomize's {key} is not supported by pytemplar", UNSUPPORTED_KUSTOMIZE_KEYS[key]
    return None
