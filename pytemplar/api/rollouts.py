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
from pytemplar.rollout import read_rollout
from pytemplar.rolloutplan import REMOVE, Action, Change, Status
from pytemplar.rolloutplan import plan as plan_rollout
from pytemplar.rolloutplan import status as rollout_report
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

    def autoscaled(deployment: Manifest) -> bool:
        return any(
            (m.obj.get("spec") or {}).get("scaleTargetRef", {}).get("name") == deployment.name for m in autoscalers
        )

    return rollout_report(read_rollout(values.values, values.origin), manifests, release, environment, autoscaled)


def rollout(
    project: str | Path,
    environment: str,
    release: str,
    action: Action,
    weight: int | None = None,
    *,
    dry_run: bool = False,
) -> tuple[list[Change], EditResult | None]:
    """Promote, re-weigh or abort a release's rollout by editing its release x environment overlay.

    Returns the planned changes and the edit (None when there was nothing to change).
    """
    session = Session(render_options(project, (environment,), (release,), ()))
    _, values = _rollout_of(session, environment, release)
    strategy = read_rollout(values.values, values.origin)
    if strategy is None:
        raise UsageError(
            f"release '{release}' has no rollout strategy in environment '{environment}'",
            hint=f"choose one first: pytemplar set -e {environment} -r {release} rollout.strategy=Canary",
        )
    changes = plan_rollout(action, strategy, values.values, release, weight)
    if not changes:
        return changes, None
    edits = [(c.path, _removal(values, c.path) if c.value is REMOVE else c.value) for c in changes]
    return changes, edit_values(project, environment, release, edits, dry_run=dry_run)


def _removal(values: ReleaseValues, path: ValuePath) -> Any:
    """Remove the key from the overlay, or null it there when a lower layer sets it too."""

    lower = [o for o in values.origins(path) if o.layer.kind != "release-environment"]
    return None if lower else DELETE
