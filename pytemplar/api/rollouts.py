"""A release's rollout: its status as rendered, and promote, weight and abort as overlay edits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytemplar.api.editing import EditResult, edit_values
from pytemplar.api.session import ReleaseValues, Session, render_options
from pytemplar.errors import (
    PytemplarError,
    UsageError,
)
from pytemplar.manifests import Manifest
from pytemplar.overlay import (
    DELETE,
)
from pytemplar.project import (
    ReleaseSpec,
)
from pytemplar.rolloutplan import REMOVE, RESET, Action, Plan, Status, Target
from pytemplar.rolloutplan import plan as plan_rollout
from pytemplar.rolloutplan import status as rollout_report
from pytemplar.strategy import TRACK_LABEL, capacity, read_rollout
from pytemplar.values import (
    ValuePath,
)


def _rollout_of(session: Session, environment: str, release: str) -> tuple[ReleaseSpec, ReleaseValues]:
    environment_name, spec = session.targets()[0]
    try:
        return spec, session.values(environment_name, spec)
    except PytemplarError as exc:
        raise exc.scoped(release=spec.name, environment=environment_name) from None


def rollout_status(project: str | Path, environment: str, release: str) -> Status:
    """How one release rolls out in one environment, as rendered: its Deployments, images and Services."""
    session = Session(render_options(project, (environment,), (release,), ()))
    spec, values = _rollout_of(session, environment, release)
    try:
        manifests = session.render_release(environment, spec)
    except PytemplarError as exc:
        raise exc.scoped(release=spec.name, environment=environment) from None
    autoscalers = [m for m in manifests if m.kind == "HorizontalPodAutoscaler"]

    def autoscaled(deployment: Manifest) -> str | None:
        for autoscaler in autoscalers:
            spec = autoscaler.obj.get("spec") or {}
            if spec.get("scaleTargetRef", {}).get("name") != deployment.name:
                continue
            least, most = spec.get("minReplicas", 1), spec.get("maxReplicas")
            if least == most:
                return f"{most}, its autoscaler held at its maximum"
            return f"autoscaled {least}-{most}"
        return None

    return rollout_report(
        read_rollout(values.values, values.origin), manifests, release, environment, autoscaled, str(project)
    )


def rollout(
    project: str | Path,
    environment: str,
    release: str,
    action: Action,
    weight: int | None = None,
    *,
    tag: str | None = None,
    strategy: str | None = None,
    dry_run: bool = False,
) -> tuple[Plan, EditResult]:
    """Adopt a strategy, start, promote, re-weigh, finish, abort or roll back a release's rollout by
    editing its release x environment overlay. A command with nothing to do raises :class:`UsageError`.

    Returns the plan (its changes, and what to do before running the command again) and the edit.
    """
    session = Session(render_options(project, (environment,), (release,), ()))
    release_spec, values = _rollout_of(session, environment, release)
    current = read_rollout(values.values, values.origin)
    if current is None and action not in ("start", "adopt"):
        raise UsageError(
            f"release '{release}' has no rollout strategy in environment '{environment}'",
            hint="choose one first: "
            + Target(release, environment, project=str(project)).set_command("rollout.strategy=Canary"),
        )
    stable_capacity = 1
    if action == "weight" and current is not None and current.strategy == "Canary":
        try:
            manifests = session.render_release(environment, release_spec)
        except PytemplarError as exc:
            raise exc.scoped(release=release, environment=environment) from None
        stable = [m for m in manifests if m.kind == "Deployment" and _track(m) == "stable"]
        stable_capacity = capacity(manifests, stable[0]) if stable else 1
    target = Target(release, environment, stable_capacity, str(project))
    planned = plan_rollout(action, current, values.values, target, weight=weight, tag=tag, strategy=strategy)
    edits = []
    for change in planned.changes:
        if change.value is REMOVE:
            edits.append((change.path, _removal(values, change.path)))
        elif change.value is RESET:
            if any(o.layer.kind == "release-environment" for o in values.origins(change.path)):
                edits.append((change.path, DELETE))
        else:
            edits.append((change.path, change.value))
    return planned, edit_values(project, environment, release, edits, dry_run=dry_run)


def _track(deployment: Manifest) -> object:
    labels = ((deployment.obj.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {}
    return labels.get(TRACK_LABEL)


def _removal(values: ReleaseValues, path: ValuePath) -> Any:
    """Remove the key from the overlay, or null it there when a lower layer sets it too."""

    lower = [o for o in values.origins(path) if o.layer.kind != "release-environment"]
    return None if lower else DELETE
