"""What each ``pytemplar rollout`` command changes in a release's values, and its status report.

The commands are GitOps edits: they change the release x environment overlay and nothing
else, so the change is reviewed and committed like any other. This module only decides the
edits (pure functions of the merged values); :func:`pytemplar.api.rollout` writes them.

Each command moves the release from one phase to the next (:attr:`RolloutSpec.phase`), and each
state it leaves is safe on its own once applied: traffic only moves to pods that already ran in
the state before, at the capacity its share needs, and the old version stays whole until a later
command lets it go. A command that has nothing to do in the current phase is refused.

A running release adopts BlueGreen or Canary in two commits (``adoption``)::

    (no strategy) --adopt--> adopting --finish--> idle

BlueGreen (``active``, the ``blue`` and ``green`` versions, ``rollbackTo``)::

    idle --start--> previewing --promote--> promoted --finish--> idle
                    previewing <--rollback-- promoted
    idle <--abort-- previewing

Canary (``canary.tag``, ``canary.weight``, ``canary.rollbackTo``)::

    idle --start--> canary --weight N--> canary --promote--> promoted --finish--> idle
                    canary <--rollback-- promoted
    idle <--abort-- canary
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pytemplar.errors import UsageError
from pytemplar.manifests import Manifest
from pytemplar.strategy import (
    ADOPTABLE,
    COLOR_LABEL,
    TRACK_LABEL,
    Phase,
    RolloutSpec,
    Version,
    pods_for,
    repository_of,
    selects,
)
from pytemplar.values import ROLLOUT_KEY, ValuePath

Action = Literal["adopt", "start", "promote", "weight", "finish", "abort", "rollback"]
VERBS: dict[str, str] = {"weight": "re-weigh", "rollback": "roll back"}
# A value to write, or REMOVE: take the key out of the overlay (or null it, when a lower layer sets it).
REMOVE: Any = object()
# Take the key out of the overlay when it is there; never null a lower layer's value.
RESET: Any = object()


@dataclass(frozen=True)
class Change:
    path: ValuePath
    value: Any  # REMOVE, RESET, or the new value


@dataclass(frozen=True)
class Target:
    """The release and environment a command works on, and what its stable track can carry."""

    release: str
    environment: str
    stable_capacity: int = 1  # pods the stable Deployment may need: its replicas, or its autoscaler's maximum
    project: str = "."  # as the user gave it, so a suggested command runs from where they are

    def command(self, action: str) -> str:
        verb, _, rest = action.partition(" ")
        argument = rest if rest and not rest.startswith("-") else ""  # before the project, as the CLI reads it
        option = rest if rest.startswith("-") else ""
        words = [f"pytemplar rollout {verb}", argument, self._project(), self._scope(), option]
        return " ".join(word for word in words if word)

    def set_command(self, assignment: str) -> str:
        return " ".join(word for word in ("pytemplar set", self._project(), self._scope(), assignment) if word)

    def _project(self) -> str:
        return shlex.quote(self.project) if self.project not in ("", ".") else ""

    def _scope(self) -> str:
        return f"-e {self.environment} -r {self.release}"


@dataclass(frozen=True)
class Plan:
    changes: list[Change]
    note: str | None = None  # what the user must do before running the command again
    done: list[str] = field(default_factory=list)


def describe(spec: RolloutSpec) -> str:
    """The phase in words, as ``status`` shows it and refusals quote it."""
    phase = spec.phase
    if phase == "adopting":
        label = f"{COLOR_LABEL}: blue" if spec.strategy == "BlueGreen" else f"{TRACK_LABEL}: stable"
        return (
            f"adopting {spec.strategy}: the pods of its Deployment gain the label {label} while its Services"
            " still select all of them; once the Deployment has rolled out (kubectl rollout status), finish"
        )
    if spec.controller == "ArgoRollouts":
        return f"run by the Argo Rollouts controller ({spec.strategy}): kubectl argo rollouts get rollout shows where"
    if spec.strategy == "BlueGreen":
        old = spec.rollback_to or spec.preview
        return {
            "idle": f"idle: {spec.active} takes the traffic and no new version is pending",
            "previewing": (
                f"previewing: {spec.preview} runs a new version beside {spec.active}, which takes the traffic"
            ),
            "promoted": f"promoted: {spec.active} takes the traffic and {old} stays at full capacity for a rollback",
        }[phase]
    if spec.strategy == "Canary":
        if phase == "idle":
            return "idle: no canary is running"
        if phase == "promoted":
            return "promoted: the stable Deployment runs the canary's version while the canary keeps serving"
        assert spec.canary is not None
        header = f" and requests with header {spec.canary.header[0]}" if spec.canary.header else ""
        return f"running a canary at {spec.canary.weight or 0}% of the traffic{header}"
    return "idle: one Deployment takes the traffic"


def next_commands(spec: RolloutSpec) -> list[str]:
    """The commands that are safe to run next, the usual one first."""
    phase: Phase = spec.phase
    if phase == "adopting":
        return ["finish"]
    if phase == "previewing":
        return ["promote", "abort"]
    if phase == "canary":
        return ["weight PERCENT", "promote", "abort"]
    if phase == "promoted":
        return ["finish", "rollback"]
    return ["start --tag TAG"]


def _refuse(action: str, spec: RolloutSpec, target: Target, what: str | None = None) -> UsageError:
    hint = "next: " + "; or ".join(target.command(c) for c in next_commands(spec))
    what = what or f"release '{target.release}' in '{target.environment}' is {describe(spec)}"
    return UsageError(f"nothing to {VERBS.get(action, action)}: {what}", hint=hint)


def plan(
    action: Action,
    spec: RolloutSpec | None,
    values: dict[str, Any],
    target: Target,
    *,
    weight: int | None = None,
    tag: str | None = None,
    strategy: str | None = None,
) -> Plan:
    """The value changes that perform ``action``; a refusal when there is nothing to do."""
    if action == "adopt":
        assert strategy is not None
        return _adopt(spec, target, strategy)
    if spec is not None and spec.phase == "adopting":
        if action != "finish":
            raise _refuse(action, spec, target)
        # The Deployment keeps its selector for good; from now on the Services select by the label.
        return Plan([Change((ROLLOUT_KEY, "adoption"), "done")])
    if action == "start":
        assert tag is not None
        return _start(spec, values, target, tag)
    if spec is not None and spec.controller == "ArgoRollouts":
        raise UsageError(
            f"release '{target.release}' in '{target.environment}' is rolled out by the Argo Rollouts controller:"
            f" it shifts the traffic, promotes and aborts itself",
            hint="its steps set the weights: change rollout.steps"
            if action == "weight"
            else f"use its plugin: kubectl argo rollouts {_ARGO.get(action, action)} ROLLOUT -n NAMESPACE",
        )
    if spec is None or spec.strategy in ("Recreate", "RollingUpdate"):
        strategy = spec.strategy if spec else "no rollout strategy"
        raise UsageError(
            f"release '{target.release}' in '{target.environment}' rolls out with {strategy}:"
            f" there is nothing to {VERBS.get(action, action)}",
            hint=f"a new version goes live with: {target.command('start --tag TAG')}",
        )
    if action == "weight":
        return _weight(spec, target, weight)
    if spec.strategy == "BlueGreen":
        return Plan(_BLUE_GREEN[action](spec, values, target))
    changes = _CANARY[action](spec, values, target)
    if action in ("finish", "abort") and spec.canary is not None and spec.canary.weight:
        # The canary's share goes back to the stable pods before the canary goes: requests never
        # reach pods that are shutting down, and the stable autoscaler is released only after the
        # stable pods carry all the traffic again.
        note = (
            f"this change sends the canary's {spec.canary.weight}% back to the stable Deployment first;"
            f" once the stable pods carry it, run the same command again to end the canary"
        )
        return Plan([Change(_canary_path("weight"), 0)], note)
    return Plan(changes)


# -- start ----------------------------------------------------------------------------------------------


def _tag_path(spec: RolloutSpec | None) -> ValuePath:
    return tuple((spec.tag_value if spec else "image.tag").split("."))


_ARGO = {"rollback": "undo", "finish": "promote --full"}


def _adopt(spec: RolloutSpec | None, target: Target, strategy: str) -> Plan:
    """A running release moves onto BlueGreen or Canary without replacing its Deployment."""
    if strategy not in ADOPTABLE:
        raise UsageError(
            f"rollout adopt takes --strategy {' or '.join(ADOPTABLE)}, not '{strategy}'",
            hint="Recreate and RollingUpdate change nothing that runs: "
            + target.set_command(f"rollout.strategy={strategy}"),
        )
    if spec is not None and spec.phase == "adopting":
        raise _refuse("adopt", spec, target)
    if spec is not None and spec.strategy in ADOPTABLE:
        raise UsageError(
            f"release '{target.release}' in '{target.environment}' already rolls out with {spec.strategy}",
            hint="next: " + "; or ".join(target.command(c) for c in next_commands(spec)),
        )
    changes = [Change((ROLLOUT_KEY, "strategy"), strategy), Change((ROLLOUT_KEY, "adoption"), "started")]
    if strategy == "BlueGreen":
        changes.append(Change((ROLLOUT_KEY, "active"), "blue"))
    if spec is not None:
        changes.extend(
            Change((ROLLOUT_KEY, key), REMOVE)
            for key, value in (("maxSurge", spec.max_surge), ("maxUnavailable", spec.max_unavailable))
            if value is not None
        )
    note = (
        "the Deployment keeps its name and selector, and its pods restart to gain the strategy's label while"
        " the Services go on selecting all of them; once kubectl rollout status shows it rolled out, run: "
        + target.command("finish")
    )
    return Plan(changes, note)


def _start(spec: RolloutSpec | None, values: dict[str, Any], target: Target, tag: str) -> Plan:
    already = f"release '{target.release}' in '{target.environment}' already runs {tag}"
    if spec is None or spec.strategy in ("Recreate", "RollingUpdate") or spec.controller == "ArgoRollouts":
        path = _tag_path(spec)
        _check_holds(values, path, spec, target)
        if _value(values, path) == tag:
            raise _refuse("start", _idle(spec), target, already)
        return Plan([Change(path, tag)])
    if spec.phase == "promoted":
        raise _refuse("start", spec, target)
    if spec.strategy == "BlueGreen":
        if spec.runs(spec.color(spec.active)) == ("tag", tag):
            raise _refuse("start", spec, target, already)
        pending = spec.color(spec.preview)
        if spec.phase == "previewing" and spec.runs(pending) == ("tag", tag):
            raise _refuse("start", spec, target, f"{spec.preview} already runs {tag} behind the preview Service")
        return Plan(_set_version(spec, (ROLLOUT_KEY, spec.preview), pending, tag))
    canary = spec.canary
    if spec.runs(Version()) == ("tag", tag):
        raise _refuse("start", spec, target, already)
    if canary is not None and canary.running and canary.version == Version(tag):
        raise _refuse("start", spec, target, f"the canary of release '{target.release}' already runs {tag}")
    changes = _set_version(spec, _canary_path(), canary.version if canary else Version(), tag)
    if canary is not None and canary.weight:
        # A new build takes no weighted traffic until `rollout weight` sends it some.
        changes.append(Change(_canary_path("weight"), 0))
    return Plan(changes)


def _idle(spec: RolloutSpec | None) -> RolloutSpec:
    return spec or RolloutSpec(strategy="RollingUpdate")


def _set_version(spec: RolloutSpec, at: ValuePath, current: Version, tag: str) -> list[Change]:
    changes = [Change((*at, "tag"), tag)]
    if current.image is not None:
        changes.append(Change((*at, "image"), REMOVE))
    return changes


# -- Blue/Green -----------------------------------------------------------------------------------------


def _bg_promote(spec: RolloutSpec, values: dict[str, Any], target: Target) -> list[Change]:
    if spec.phase != "previewing":
        raise _refuse("promote", spec, target)
    return [Change((ROLLOUT_KEY, "active"), spec.preview), Change((ROLLOUT_KEY, "rollbackTo"), spec.active)]


def _bg_rollback(spec: RolloutSpec, values: dict[str, Any], target: Target) -> list[Change]:
    if spec.phase != "promoted":
        raise _refuse("rollback", spec, target)
    return [Change((ROLLOUT_KEY, "active"), spec.preview), Change((ROLLOUT_KEY, "rollbackTo"), REMOVE)]


def _bg_finish(spec: RolloutSpec, values: dict[str, Any], target: Target) -> list[Change]:
    """The old colour is let go: it takes the active version and scales down."""
    if spec.phase != "promoted":
        raise _refuse("finish", spec, target)
    active, old = spec.color(spec.active), spec.color(spec.preview)
    changes = [Change((ROLLOUT_KEY, "rollbackTo"), REMOVE)]
    if active.image is None and active.tag is not None and _holds(values, _tag_path(spec)[:-1]):
        # The new version becomes the stable tag, which both colours then run (no pod restarts).
        changes.append(Change(_tag_path(spec), active.tag))
        changes.append(Change((ROLLOUT_KEY, spec.active, "tag"), REMOVE))
        changes.extend(_clear(old, (ROLLOUT_KEY, spec.preview)))
    else:
        changes.extend(_copy_version(active, old, (ROLLOUT_KEY, spec.preview)))
    return changes


def _bg_abort(spec: RolloutSpec, values: dict[str, Any], target: Target) -> list[Change]:
    """The pending version goes: the preview colour takes the active version back and scales down."""
    if spec.phase != "previewing":
        raise _refuse("abort", spec, target)
    return _copy_version(spec.color(spec.active), spec.color(spec.preview), (ROLLOUT_KEY, spec.preview))


def _clear(version: Version, at: ValuePath) -> list[Change]:
    return [Change((*at, f), REMOVE) for f in ("tag", "image") if getattr(version, f) is not None]


def _copy_version(source: Version, into: Version, at: ValuePath) -> list[Change]:
    changes = []
    for name in ("tag", "image"):
        wanted = getattr(source, name)
        if getattr(into, name) != wanted:
            changes.append(Change((*at, name), REMOVE if wanted is None else wanted))
    return changes


_BLUE_GREEN: dict[str, Callable[[RolloutSpec, dict[str, Any], Target], list[Change]]] = {
    "promote": _bg_promote,
    "rollback": _bg_rollback,
    "finish": _bg_finish,
    "abort": _bg_abort,
}


# -- Canary ---------------------------------------------------------------------------------------------


def _canary_path(*rest: str) -> ValuePath:
    return (ROLLOUT_KEY, "canary", *rest)


def _weight(spec: RolloutSpec, target: Target, weight: int | None) -> Plan:
    if spec.strategy != "Canary":
        raise UsageError(
            f"release '{target.release}' rolls out with {spec.strategy}; only a Canary has a traffic weight",
            hint=f"switch the traffic with: {target.command('promote')}",
        )
    if weight is None or not 0 <= weight <= 100:
        raise UsageError(f"the weight must be a whole number from 0 to 100, not {weight}")
    canary = spec.canary
    if spec.phase != "canary" or canary is None:
        raise _refuse("weight", spec, target)
    if (canary.weight or 0) == weight:
        raise _refuse("weight", spec, target, f"the canary already takes {weight}% of the traffic")
    needed = pods_for(weight, target.stable_capacity)
    running = canary.pods(target.stable_capacity)
    if needed > running:
        # Traffic only moves to pods that already run: scale first, shift in the next commit.
        note = (
            f"the canary needs {needed} replicas for {weight}% of the traffic and runs {running}: this change"
            f" scales it up first; once its pods are ready, run the same command again to send {weight}%"
        )
        return Plan([Change(_canary_path("replicas"), needed)], note)
    return Plan([Change(_canary_path("weight"), weight)])


def _canary_promote(spec: RolloutSpec, values: dict[str, Any], target: Target) -> list[Change]:
    canary = spec.canary
    if spec.phase != "canary" or canary is None:
        raise _refuse("promote", spec, target)
    if canary.version.tag is None:
        raise UsageError(
            f"the canary of release '{target.release}' names a whole image (rollout.canary.image);"
            " promote can only move a tag",
            hint=f"set the stable image yourself, then end the canary: {target.command('abort')}",
        )
    path = _tag_path(spec)
    _check_holds(values, path, spec, target)
    old = _value(values, path)
    if old is None:
        raise UsageError(
            f"rollout.tagValue names '{spec.tag_value}', which release '{target.release}' does not set:"
            " a rollback would have no version to return to",
            hint=f"set {spec.tag_value} to the version the stable Deployment runs",
        )
    # The stable Deployment rolls to the canary's version while the canary keeps its traffic.
    return [Change(path, canary.version.tag), Change(_canary_path("rollbackTo", "tag"), old)]


def _canary_rollback(spec: RolloutSpec, values: dict[str, Any], target: Target) -> list[Change]:
    if spec.phase != "promoted" or spec.canary is None:
        raise _refuse("rollback", spec, target)
    back = spec.canary.rollback_to
    assert back.tag is not None or back.image is not None
    return [Change(_tag_path(spec), back.tag or back.image), Change(_canary_path("rollbackTo"), REMOVE)]


def _canary_finish(spec: RolloutSpec, values: dict[str, Any], target: Target) -> list[Change]:
    if spec.phase != "promoted":
        raise _refuse("finish", spec, target)
    return _end_canary(spec)


def _canary_abort(spec: RolloutSpec, values: dict[str, Any], target: Target) -> list[Change]:
    if spec.phase != "canary":
        raise _refuse("abort", spec, target)
    return _end_canary(spec)


def _end_canary(spec: RolloutSpec) -> list[Change]:
    assert spec.canary is not None
    changes = _clear(spec.canary.version, _canary_path())
    if spec.canary.weight:
        changes.append(Change(_canary_path("weight"), 0))
    if spec.canary.rollback_to.set:
        changes.append(Change(_canary_path("rollbackTo"), REMOVE))
    changes.append(Change(_canary_path("replicas"), RESET))
    return changes


_CANARY: dict[str, Callable[[RolloutSpec, dict[str, Any], Target], list[Change]]] = {
    "promote": _canary_promote,
    "rollback": _canary_rollback,
    "finish": _canary_finish,
    "abort": _canary_abort,
}


def _value(values: dict[str, Any], path: ValuePath) -> str | None:
    node: Any = values
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None if node is None or isinstance(node, (dict, list)) else str(node)


def _check_holds(values: dict[str, Any], path: ValuePath, spec: RolloutSpec | None, target: Target) -> None:
    if not _holds(values, path[:-1]):
        name = ".".join(map(str, path))
        raise UsageError(
            f"the image tag value '{name}' is not a value of release '{target.release}'",
            hint="set rollout.tagValue to the dotted path of the value holding the image tag",
        )


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
    kind: str = "Deployment"


@dataclass(frozen=True)
class Status:
    release: str
    environment: str
    strategy: str
    chosen_at: str
    phase: str
    next: tuple[str, ...]  # the safe commands from here, the usual one first
    tracks: tuple[Track, ...]
    traffic: str
    repository: str | None = None  # where new versions of the rolled-out container are pulled from


def status(
    spec: RolloutSpec | None,
    manifests: Sequence[Manifest],
    release: str,
    environment: str,
    autoscaled: Callable[[Manifest], str | None],
    project: str = ".",
) -> Status:
    """The release's rollout as rendered: each Deployment, its images, and the Services selecting it."""
    deployments = [m for m in manifests if m.kind in ("Deployment", "Rollout") and m.release == release]
    services = [m for m in manifests if m.kind == "Service" and m.release == release]
    tracks = tuple(
        Track(
            _role(spec, d),
            d.name,
            tuple(str(c.get("image")) for c in _containers(d)),
            autoscaled(d) or str(d.obj.get("spec", {}).get("replicas", 1)),
            tuple(s.name for s in services if selects(s.obj.get("spec", {}).get("selector"), _pod_labels(d))),
            d.kind,
        )
        for d in deployments
    )
    strategy = spec.strategy if spec else "none (as the templates render it)"
    where = str(spec.where) if spec and spec.where else ""
    target = Target(release, environment, project=project)
    shown = spec or RolloutSpec(strategy="RollingUpdate")
    steps = tuple(target.command(c) for c in next_commands(shown))
    serving = [d for d in deployments if _role(spec, d).split(" ")[0] in ("active", "stable")] or deployments
    repository = _repository(serving[0], spec) if len(serving) == 1 or spec else None
    return Status(release, environment, strategy, where, describe(shown), steps, tracks, _traffic(spec), repository)


def _repository(deployment: Manifest, spec: RolloutSpec | None) -> str | None:
    """The image name (registry and path, no tag or digest) of the container a rollout versions."""
    containers = _containers(deployment)
    if spec is not None and spec.container is not None:
        containers = [c for c in containers if c.get("name") == spec.container]
    if not containers:
        return None
    return repository_of(str(containers[0].get("image", "")))


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
    if spec.controller == "ArgoRollouts":
        return "as the controller's current step sets it"
    if spec.strategy == "BlueGreen":
        behind = "scaled down" if spec.phase == "idle" else "at full capacity behind the preview Service"
        return f"all to {spec.active}; {spec.preview} {behind}"
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
    lines.append(f"  phase: {report.phase}")
    lines.append("  next: " + "; or ".join(report.next))
    width = max((len(t.role) for t in report.tracks), default=0)
    for track in report.tracks:
        services = ", ".join(track.services) or "no Service"
        lines.append(
            f"  {track.role:<{width}}  {track.kind} {track.deployment}: {', '.join(track.images)}"
            f" (replicas: {track.replicas}; selected by {services})"
        )
    lines.append(f"  traffic: {report.traffic}")
    return "\n".join(lines) + "\n"
