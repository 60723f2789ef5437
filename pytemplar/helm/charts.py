"""Third-party Helm charts as releases: rendered by ``helm template``, then handled like any
release (namespace, transforms, rollout, checks, output).

A release names ``helmChart: {archive, sha256}``. The archive must have that digest; its values
are the release's own layers (``releases/NAME.yaml``, ``envs/ENV/NAME.yaml``, ``-f``, ``--set``),
merged by pytemplar and given to helm as one file. helm is looked for on PATH.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pytemplar import atomicfile
from pytemplar.errors import ConfigError, Location, TemplateError
from pytemplar.templating.engine import RenderedFile

HELM_TIMEOUT = 120  # seconds for one `helm template`
_INSTALL_HINT = "install helm 3 or 4 (https://helm.sh/docs/intro/install/) and put it on PATH"


def find_helm(at: Location) -> str:
    found = shutil.which("helm")
    if found is None:
        raise ConfigError(
            "this release is a Helm chart, rendered by helm, but helm is not on PATH", location=at, hint=_INSTALL_HINT
        )
    return found


def check_digest(archive: Path, expected: str, at: Location, shown: str) -> None:
    try:
        data = archive.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the chart archive '{shown}': {exc.strerror}", location=at) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected:
        raise ConfigError(
            f"chart archive '{shown}' has sha256 {digest}, but {expected} is expected",
            location=at,
            hint="if the chart was updated on purpose, update sha256 (sha256sum ARCHIVE)",
        )


def render_chart(
    archive: Path,
    *,
    shown: str,
    release: str,
    namespace: str,
    values: dict[str, Any],
    kube_version: str,
    at: Location,
) -> list[RenderedFile]:
    """The chart's manifests, one :class:`RenderedFile` per template helm names (# Source:)."""
    helm = find_helm(at)
    with tempfile.TemporaryDirectory(prefix="pytemplar-helm-") as folder:
        atomicfile.create(Path(folder), "values.json", json.dumps(values).encode("utf-8"))
        values_file = Path(folder) / "values.json"
        command = [
            helm,
            "template",
            release,
            str(archive),
            "--namespace",
            namespace,
            "--values",
            str(values_file),
            "--kube-version",
            f"{kube_version}.0",
            "--include-crds",  # a chart's CRDs are part of what it deploys
            "--skip-tests",  # Helm tests are pods run by `helm test`, not objects to apply
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELM_KUBE")}
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=HELM_TIMEOUT, env=env, check=False)
        except subprocess.TimeoutExpired:
            raise TemplateError(f"helm template did not finish within {HELM_TIMEOUT} s", location=at) from None
        except OSError as exc:
            raise ConfigError(f"cannot run helm: {exc.strerror}", location=at, hint=_INSTALL_HINT) from None
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()
        raise TemplateError(
            f"helm template failed for chart '{shown}': {' '.join(reason[:3]) or f'exit code {done.returncode}'}",
            location=at,
            hint="the message is helm's; check the release's values against the chart's",
        )
    return _by_source(done.stdout, shown)


def _by_source(stream: str, shown: str) -> list[RenderedFile]:
    """helm's stream cut into one text per template, by its ``# Source: CHART/templates/x`` lines."""
    files: dict[str, list[str]] = {}
    current = "templates/output.yaml"
    for document in stream.split("\n---\n"):
        for line in document.splitlines():
            if line.startswith("# Source: "):
                current = line.removeprefix("# Source: ").split("/", 1)[-1]
                break
        files.setdefault(current, []).append(document.removeprefix("---\n"))
    return [
        RenderedFile(name.removeprefix("templates/"), f"{shown}/{name}", "\n---\n".join(texts))
        for name, texts in files.items()
    ]


# Kinds of the Kubernetes API that live outside namespaces.
CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CSIDriver",
        "CSINode",
        "CertificateSigningRequest",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "FlowSchema",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)


def set_namespace(objects: list[dict[str, Any]], namespace: str) -> None:
    """Give namespaced objects without a namespace the release's, as `helm install -n` would
    (`helm template` leaves it out): the output is then right for `kubectl apply -f -`."""
    crd_scopes = {
        obj.get("spec", {}).get("names", {}).get("kind"): obj.get("spec", {}).get("scope")
        for obj in objects
        if obj.get("kind") == "CustomResourceDefinition" and isinstance(obj.get("spec"), dict)
    }
    for obj in objects:
        kind = obj.get("kind")
        metadata = obj.get("metadata")
        if kind in CLUSTER_SCOPED or crd_scopes.get(kind) == "Cluster" or not isinstance(metadata, dict):
            continue
        metadata.setdefault("namespace", namespace)
