"""What each ``pytemplar rollout`` command changes in a release's values, and its status report.

The commands are GitOps edits: they change the release x environment overlay and nothing
else, so the change is reviewed and committed like any other. This module only decides the
edits (pure functions of the merged values); :func:`pytemplar.api.rollout` writes them.

* ``promote``: BlueGreen switches ``rollout.active`` to the preview colour. Canary writes the
  canary's tag into the value that holds the stable tag (``rollout.tagValue``, default
  ``image.tag``), ends the canary (its tag is removed) and sets its weight back to 0.
* ``weight N``: the share of traffic the running canary receives.
* ``abort``: Canary ends the canary (tag removed, weight 0); BlueGreen gives the preview
  colour the active colour's version again, so nothing new waits behind the preview Service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pytemplar.errors import UsageError
from pytemplar.manifests import Manifest
from pytemplar.rollout import COLOR_LABEL, TRACK_LABEL, RolloutSpec, selects
from pytemplar.values import ROLLOUT_KEY, ValuePath

Action = Literal["promote", "weight", "abort"]
# A value to write, or REMOVE: take the key out of the overlay (or null it, when a lower layer sets it).
REMOVE: Any = object()


@dataclass(frozen=True)
class Change:
    path: ValuePath
    value: Any  # REMOVE, or the new value


def plan(
    action: Action, spec: RolloutSpec, values: dict[str, Any], release: str, weight: int | None = None
) -> list[Change]:
    """The value changes that perform ``action``; empty when there is nothing to do."""
    if spec.strategy in ("Recreate", "RollingUpdate"):
        raise UsageError(
            f"release '{release}' rolls out with {spec.strategy}: there is nothing to {action}",
            hint="promote, weight and abort apply to the BlueGreen and Canary strategies",
        )
    if action == "weight":
        return _weight(spec, release, weight)
    if spec.strategy == "BlueGreen":
        return _promote_colour(spec) if action == "promote" else _abort_colour(spec)
    return _promote_canary(spec, values, release) if action == "promote" else _abort_canary(spec)


def _canary_path(*rest: str) -> ValuePath:
    return (ROLLOUT_KEY, "canary", *rest)


def _weight(spec: RolloutSpec, release: str, weight: int | None) -> list[Change]:
    if spec.strategy != "Canary":
        raise UsageError(
            f"release '{release}' rolls out with {spec.strategy}; only a Canary has a traffic weight",
            hint="use 'pytemplar rollout promote' to switch the active colour",
        )
    if weight is None or not 0 <= weight <= 100:
        raise UsageError(f"the weight must be a whole number from 0 to 100, not {weight}")
    if spec.canary is None or not spec.canary.running:
        raise UsageError(
            f"no canary of release '{release}' is running",
            hint="start one by setting its version: pytemplar set ... rollout.canary.tag=VERSION",
        )
    return [Change(_canary_path("weight"), weight)]


def _promote_colour(spec: RolloutSpec) -> list[Change]:
    return [Change((ROLLOUT_KEY, "active"), spec.preview)]


def _abort_colour(spec: RolloutSpec) -> list[Change]:
    active, preview = spec.color(spec.active), spec.color(spec.preview)
    if active == preview:
        return []
    changes = []
    for field in ("tag", "image"):
        wanted = getattr(active, field)
        if getattr(preview, field) != wanted:
            changes.append(Change((ROLLOUT_KEY, spec.preview, field), REMOVE if wanted is None else wanted))
    return changes


def _promote_canary(spec: RolloutSpec, values: dict[str, Any], release: str) -> list[Change]:
    canary = spec.canary
    if canary is None or not canary.running:
        raise UsageError(
            f"no canary of release '{release}' is running: there is nothing to promote",
            hint="start one by setting its version: pytemplar set ... rollout.canary.tag=VERSION",
        )
    if canary.version.tag is None:
        raise UsageError(
            f"the canary of release '{release}' names a whole image (rollout.canary.image);"
            " promote can only move a tag",
            hint="set the stable image yourself, then run 'pytemplar rollout abort' to end the canary",
        )
    target = tuple(spec.tag_value.split("."))
    if not _holds(values, target[:-1]):
        raise UsageError(
            f"rollout.tagValue names '{spec.tag_value}', which is not a value of release '{release}'",
            hint="set rollout.tagValue to the dotted path of the value holding the image tag",
        )
    return [Change(target, canary.version.tag), *_end_canary(spec)]


def _abort_canary(spec: RolloutSpec) -> list[Change]:
    if spec.canary is None or not spec.canary.running:
        return []
    return _end_canary(spec)


def _end_canary(spec: RolloutSpec) -> list[Change]:
    assert spec.canary is not None
    changes = [Change(_canary_path(field), REMOVE) for field in ("tag", "image") if getattr(spec.canary.version, field)]
    if spec.canary.weight:
        changes.append(Change(_canary_path("weight"), 0))
    return changes


def _holds(values: dict[str, Any], path: ValuePath) -> bool:
    node: Any = values
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, dict)


# -- status ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Track:
    """One Deployment of a release's rollout and what sends traffic to it."""

    role: str  # active / preview (BlueGreen), stable / canary (Canary), or the strategy's name
    deployment: str
    images: tuple[str, ...]
    replicas: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Status:
    release: str
    environment: str
    strategy: str
    chosen_at: str
    tracks: tuple[Track, ...]
    traffic: str


def status(
    spec: RolloutSpec | None,
    manifests: Sequence[Manifest],
    release: str,
    environment: str,
    autoscaled: Callable[[Manifest], bool],
) -> Status:
    """The release's rollout as rendered: each Deployment, its images, and the Services selecting it."""
    deployments = [m for m in manifests if m.kind == "Deployment" and m.release == release]
    services = [m for m in manifests if m.kind == "Service" and m.release == release]
    tracks = tuple(
        Track(
            _role(spec, d),
            d.name,
            tuple(str(c.get("image")) for c in _containers(d)),
            "autoscaled" if autoscaled(d) else str(d.obj.get("spec", {}).get("replicas", 1)),
            tuple(s.name for s in services if selects(s.obj.get("spec", {}).get("selector"), _pod_labels(d))),
        )
        for d in deployments
    )
    strategy = spec.strategy if spec else "none (as the templates render it)"
    where = str(spec.where) if spec and spec.where else ""
    return Status(release, environment, strategy, where, tracks, _traffic(spec))


def _containers(deployment: Manifest) -> list[dict[str, Any]]:
    containers = deployment.obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or []
    return [c for c in containers if isinstance(c, dict)]


def _pod_labels(deployment: Manifest) -> dict[str, Any]:
    labels = deployment.obj.get("spec", {}).get("template", {}).get("metadata", {}).get("labels")
    return labels if isinstance(labels, dict) else {}


def _role(spec: RolloutSpec | None, deployment: Manifest) -> str:
    labels = _pod_labels(deployment)
    if spec is not None and spec.strategy == "BlueGreen" and COLOR_LABEL in labels:
        color = labels[COLOR_LABEL]
        return f"{'active' if color == spec.active else 'preview'} ({color})"
    if TRACK_LABEL in labels:
        return str(labels[TRACK_LABEL])
    return spec.strategy if spec else "deployment"


def _traffic(spec: RolloutSpec | None) -> str:
    if spec is None or spec.strategy in ("Recreate", "RollingUpdate"):
        return "all to the one Deployment"
    if spec.strategy == "BlueGreen":
        return f"all to {spec.active}; {spec.preview} behind the preview Service"
    canary = spec.canary
    if canary is None or not canary.running:
        return "all to stable; no canary is running"
    parts = [f"{canary.weight or 0}% to the canary"]
    if canary.header is not None:
        name, value = canary.header
        parts.append(f"requests with header {name}: {value or 'always'} to the canary")
    return "; ".join(parts)


def format_status(report: Status) -> str:
    lines = [
        f"{report.release} in {report.environment}: {report.strategy}"
        + (f" (chosen at {report.chosen_at})" if report.chosen_at else "")
    ]
    width = max((len(t.role) for t in report.tracks), default=0)
    for track in report.tracks:
        services = ", ".join(track.services) or "no Service"
        lines.append(
            f"  {track.role:<{width}}  Deployment {track.deployment}: {', '.join(track.images)}"
            f" (replicas: {track.replicas}; selected by {services})"
        )
    lines.append(f"  traffic: {report.traffic}")
    return "\n".join(lines) + "\n"
