"""Rule ``helm-hook``: Helm hook annotations in the output, checked for what will read them.

pytemplar writes manifests; it runs no hooks. Argo CD reads ``helm.sh/hook`` annotations itself
and maps most of them onto its own sync hooks (pre-install and pre-upgrade to PreSync,
post-install and post-upgrade to PostSync, pre-delete and post-delete, hook-weight to a sync
wave); the rollback and test hooks it ignores, and an object that also has an Argo CD hook
annotation has its Helm hooks ignored. `kubectl apply` ignores them all: a hook Job is then
applied like any object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pytemplar.checks import has_helm_hook
from pytemplar.errors import Location, Problem
from pytemplar.manifests import Manifest

RULE = "helm-hook"
HOOK = "helm.sh/hook"
WEIGHT = "helm.sh/hook-weight"
DELETE_POLICY = "helm.sh/hook-delete-policy"

ARGO_CD_MAPS = {
    "pre-install": "PreSync",
    "pre-upgrade": "PreSync",
    "post-install": "PostSync",
    "post-upgrade": "PostSync",
    "pre-delete": "PreDelete",
    "post-delete": "PostDelete",
    "crd-install": "an ordinary CRD",
}
ARGO_CD_IGNORES = frozenset({"pre-rollback", "post-rollback", "test", "test-success", "test-failure"})
DELETE_POLICIES = frozenset({"before-hook-creation", "hook-succeeded", "hook-failed"})


def check_helm_hooks(manifests: Sequence[Manifest]) -> Iterable[Problem]:
    for manifest in manifests:
        if has_helm_hook(manifest):
            yield from _check(manifest, manifest.obj["metadata"]["annotations"])


def _problem(manifest: Manifest, message: str, hint: str, severity: str = "error") -> Problem:
    return Problem(
        f"{manifest.describe()}: {message}",
        location=Location(manifest.source.path),
        hint=hint,
        severity="warning" if severity == "warning" else "error",
        release=manifest.release or None,
        environment=manifest.environment,
        rule=RULE,
        subject=manifest.describe(),
    )


def _check(manifest: Manifest, annotations: dict[str, object]) -> Iterable[Problem]:
    hooks = [part.strip() for part in str(annotations.get(HOOK, "")).split(",") if part.strip()]
    known = set(ARGO_CD_MAPS) | ARGO_CD_IGNORES
    for hook in hooks:
        if hook not in known:
            yield _problem(
                manifest,
                f"'{hook}' is not a Helm hook",
                f"Helm hooks: {', '.join(sorted(known))}",
            )
        elif hook in ARGO_CD_IGNORES:
            yield _problem(
                manifest,
                f"Argo CD ignores the Helm hook '{hook}'; with kubectl apply the object is applied like any other",
                "remove the object from the render, or use an Argo CD hook (argocd.argoproj.io/hook)",
                "warning",
            )
    if hooks and "argocd.argoproj.io/hook" in annotations:
        yield _problem(
            manifest,
            "has both Helm and Argo CD hook annotations; Argo CD then ignores the Helm ones",
            "keep one of the two",
            "warning",
        )
    weight = annotations.get(WEIGHT)
    if weight is not None and not re.fullmatch(r"-?[0-9]+", str(weight)):
        yield _problem(manifest, f"{WEIGHT} '{weight}' is not an integer", 'write a whole number in quotes: "-5"')
    for policy in str(annotations.get(DELETE_POLICY, "")).split(","):
        if policy.strip() and policy.strip() not in DELETE_POLICIES:
            yield _problem(
                manifest,
                f"{DELETE_POLICY} '{policy.strip()}' is not a Helm hook delete policy",
                f"policies: {', '.join(sorted(DELETE_POLICIES))}",
            )
