"""Kustomize fields pytemplar does not support, each with what to write instead.

A level of ``pytemplar.yaml`` (or a ``component.yaml``) that holds one of these keys is refused
at the key; the message says the field is not supported rather than guessing a similar key.
"""

from __future__ import annotations

from collections.abc import Mapping

UNSUPPORTED_KUSTOMIZE_KEYS: Mapping[str, str] = {
    "sortOptions": (
        "remove it: pytemplar always writes objects in its own install order, neither Kustomize's "
        "legacy order nor input order: by environment (as listed), then by kind (Namespaces, policies, "
        "ServiceAccounts, Secrets, ConfigMaps, storage, CRDs, RBAC, Services, workloads, Ingresses and "
        "routes, API services and webhooks last; other kinds after them by name), then by namespace, "
        "name and release"
    ),
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
}
