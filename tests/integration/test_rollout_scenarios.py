"""Blue/Green and Canary walked through every ``pytemplar rollout`` command on a copy of the shop.

ArgoCD applies each commit at once, so every file state a command leaves must be safe on its own
and as a step from the state before it. After each command the release is rendered and an
independent oracle, which reads only the rendered objects, checks that:

* every Service, Ingress and HTTPRoute sends its share of the traffic only to Deployments whose
  replicas (or autoscaler maximum) cover that share of the release's full capacity;
* a Deployment that gains traffic already ran, with the same image and enough pods, in the
  previous state (pods take time to start; a rolling Deployment is still running the old pods),
  and keeps those pods in the new state: the pods it surely runs are its replicas or its
  autoscaler's minimum, since an autoscaler only follows the load it has already seen;
* after a promote, the old version keeps its full capacity, and a rollback sends the traffic back
  to it;
* a Deployment that ran before keeps its selector (Kubernetes refuses to change it in place), and a
  Service that sends traffic to it still selects the pods it ran before (they serve until the
  Deployment has rolled);
* for the walks that adopt a strategy on a running release, each commit is also compared with
  the one before by ``pytemplar validate --against HEAD``, which must find nothing a sync breaks.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, CliResult, run_pytemplar

NGINX = "nginx.ingress.kubernetes.io/"
# Requests routed by a header are test traffic of unknown size: at least one ready pod must take them.
HEADER_SHARE = 1e-6

# The release's full capacity, read off the example's values files (not from pytemplar's output):
# the most pods its load may need. service-c in prod autoscales up to autoscaling.maxReplicas 8
# (envs/prod/service-c.yaml); service-d in prod runs replicaCount 4 (envs/prod/service-d.yaml);
# service-a in staging 2 (envs/staging.yaml).
# service-a in prod autoscales up to 12 (envs/prod/service-a.yaml), service-b in prod runs 3 (envs/prod.yaml).
FULL_CAPACITY = {
    ("prod", "service-c"): 8,
    ("prod", "service-d"): 4,
    ("staging", "service-a"): 2,
    ("prod", "service-a"): 12,
    ("prod", "service-b"): 3,
}
# The Service the release's in-cluster clients call: the app template names it after the release.
CLIENT_SERVICE = "{release}"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    return tmp_path / "shop"


# --- the oracle ---------------------------------------------------------------------------------


@dataclass
class State:
    """The rendered objects of one release after one command."""

    after: str
    objects: list[dict[str, Any]]
    shares: dict[tuple[str, str], float] = field(default_factory=dict)  # (entry, Deployment) -> share
    serving: set[tuple[str, str]] = field(default_factory=set)  # (Service, Deployment) carrying traffic

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o["kind"] == kind]

    def named(self, kind: str, name: str) -> dict[str, Any] | None:
        return next((o for o in self.of(kind) if o["metadata"]["name"] == name), None)

    def autoscaler(self, deployment: dict[str, Any]) -> dict[str, Any] | None:
        for hpa in self.of("HorizontalPodAutoscaler"):
            ref = hpa["spec"]["scaleTargetRef"]
            if ref["kind"] == "Deployment" and ref["name"] == deployment["metadata"]["name"]:
                return hpa
        return None

    def capacity(self, deployment: dict[str, Any]) -> int:
        """Pods the Deployment surely runs: its replicas, or its autoscaler's minimum (none when scaled to 0)."""
        replicas = deployment["spec"].get("replicas")
        hpa = self.autoscaler(deployment)
        if hpa is not None:
            return 0 if replicas == 0 else int(hpa["spec"].get("minReplicas", 1))
        return 1 if replicas is None else int(replicas)

    def reach(self, deployment: dict[str, Any]) -> int:
        """Pods the Deployment can run for the load it carries: its replicas, or its autoscaler's maximum."""
        hpa = self.autoscaler(deployment)
        if hpa is not None and deployment["spec"].get("replicas") != 0:
            return int(hpa["spec"]["maxReplicas"])
        return self.capacity(deployment)

    def selected(self, service: str) -> list[dict[str, Any]]:
        found = self.named("Service", service)
        assert found is not None, f"after {self.after}: traffic goes to Service {service}, which does not exist"
        selector = found["spec"].get("selector") or {}
        return [
            d
            for d in self.of("Deployment")
            if selector and all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items())
        ]


def image(deployment: dict[str, Any]) -> str:
    return str(deployment["spec"]["template"]["spec"]["containers"][0]["image"])


def entries(state: State, release: str) -> Iterator[tuple[str, dict[str, float]]]:
    """Each way traffic enters the release, with the share of it each Service receives."""
    yield "in-cluster", {CLIENT_SERVICE.format(release=release): 1.0}
    ingresses = state.of("Ingress")
    canaries = [i for i in ingresses if (i["metadata"].get("annotations") or {}).get(NGINX + "canary") == "true"]
    for ingress in ingresses:
        if ingress in canaries:
            continue
        for rule in ingress["spec"].get("rules") or []:
            for path in rule["http"]["paths"]:
                shares = {path["backend"]["service"]["name"]: 1.0}
                for canary in canaries:
                    for canary_rule in canary["spec"].get("rules") or []:
                        for canary_path in canary_rule["http"]["paths"]:
                            if (canary_rule.get("host"), canary_path["path"]) != (rule.get("host"), path["path"]):
                                continue
                            notes = canary["metadata"]["annotations"]
                            name = canary_path["backend"]["service"]["name"]
                            total = int(notes.get(NGINX + "canary-weight-total", "100"))
                            weight = int(notes.get(NGINX + "canary-weight", "0")) / total
                            main = next(iter(shares))
                            shares[main] -= weight
                            shares[name] = shares.get(name, 0.0) + weight
                            if NGINX + "canary-by-header" in notes:
                                shares[name] = max(shares[name], HEADER_SHARE)
                yield f"Ingress {ingress['metadata']['name']} {rule.get('host')}{path['path']}", shares
    for route in state.of("HTTPRoute"):
        for number, rule in enumerate(route["spec"]["rules"]):
            refs = [r for r in rule.get("backendRefs") or [] if r.get("kind", "Service") == "Service"]
            by_header = any(m.get("headers") for m in rule.get("matches") or [])
            total = sum(r.get("weight", 1) for r in refs)
            shares = {}
            for ref in refs:
                share = HEADER_SHARE if by_header else ref.get("weight", 1) / total if total else 0.0
                shares[ref["name"]] = shares.get(ref["name"], 0.0) + share
            yield f"HTTPRoute {route['metadata']['name']} rule {number}", shares


def needed(share: float, full: int) -> int:
    return max(1, math.ceil(share * full - 1e-9))


def check_state(state: State, release: str, full: int) -> None:
    """Every share of traffic lands on Deployments with the pods it needs (``full``: the release's capacity)."""
    for entry, shares in entries(state, release):
        for service, share in shares.items():
            if share <= 0:
                continue
            deployments = state.selected(service)
            capacity = sum(state.reach(d) for d in deployments)
            assert capacity >= needed(share, full), (
                f"after {state.after}: {entry} sends {share:.0%} of the traffic to Service {service}, whose"
                f" Deployments ({', '.join(d['metadata']['name'] for d in deployments) or 'none'}) reach {capacity}"
                f" pods; that share of a capacity of {full} needs {needed(share, full)}"
            )
            for deployment in deployments:
                state.serving.add((service, deployment["metadata"]["name"]))
                part = share * state.reach(deployment) / capacity
                key = (entry, deployment["metadata"]["name"])
                state.shares[key] = state.shares.get(key, 0.0) + (HEADER_SHARE if share == HEADER_SHARE else part)


def check_step(before: State, after: State, full: int) -> None:
    """Traffic only moves to pods that already ran, with the same image and in the number it needs."""
    for (entry, name), share in after.shares.items():
        if share <= before.shares.get((entry, name), 0.0) + 1e-9 or share <= HEADER_SHARE:
            continue
        now = after.named("Deployment", name)
        then = before.named("Deployment", name)
        assert now is not None
        assert then is not None, f"{after.after}: {entry} sends {share:.0%} to Deployment {name}, created in this step"
        assert image(then) == image(now), (
            f"{after.after}: {entry} sends more traffic ({share:.0%}) to Deployment {name} while it rolls from"
            f" {image(then)} to {image(now)}: the old pods take it until the rollout ends"
        )
        assert before.capacity(then) >= needed(share, full), (
            f"{after.after}: {entry} sends {share:.0%} to Deployment {name}, which ran {before.capacity(then)}"
            f" pods before this step; it needs {needed(share, full)}"
        )
        assert after.capacity(now) >= needed(share, full), (
            f"{after.after}: {entry} sends {share:.0%} to Deployment {name} and lets it drop to"
            f" {after.capacity(now)} pods in the same step; it needs {needed(share, full)}"
        )


def pod_labels(deployment: dict[str, Any]) -> dict[str, Any]:
    return dict(deployment["spec"]["template"]["metadata"].get("labels") or {})


def check_running_objects(before: State, after: State) -> None:
    """What Kubernetes keeps and what a rolling Deployment still runs."""
    for deployment in after.of("Deployment"):
        name = deployment["metadata"]["name"]
        then = before.named("Deployment", name)
        if then is not None:
            assert then["spec"]["selector"] == deployment["spec"]["selector"], (
                f"{after.after}: Deployment {name} changes its selector, which Kubernetes refuses to change in place"
            )
    for service, name in after.serving:
        then = before.named("Deployment", name)
        selector = (after.named("Service", service) or {}).get("spec", {}).get("selector") or {}
        if then is not None:
            labels = pod_labels(then)
            assert all(labels.get(k) == v for k, v in selector.items()), (
                f"{after.after}: Service {service} selects {selector}, which the pods Deployment {name} ran before"
                f" this step ({labels}) do not carry: until it has rolled, the Service has only its new pods"
            )


class Walk:
    """Runs rollout commands in the shop copy, as a user in their repository would; checks each state left."""

    def __init__(self, shop: Path, environment: str, release: str, *, git: bool = False) -> None:
        self.shop, self.environment, self.release = shop, environment, release
        self.overlay = shop / "envs" / environment / f"{release}.yaml"
        self.git = git
        if git:  # each command's result is a commit, compared with the one before by validate --against
            self.git_run("init", "-q")
            self.commit("the initial state")
        self.states: list[State] = []
        self.states.append(self.render("the initial state"))

    def git_run(self, *args: str) -> None:
        identity = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
        subprocess.run(["git", *identity, *args], cwd=self.shop.parent, check=True, capture_output=True)

    def commit(self, message: str) -> None:
        self.git_run("add", "-A")
        self.git_run("commit", "-q", "--allow-empty", "-m", message)

    def check_against_previous_commit(self, after: str) -> None:
        result = run_pytemplar("validate", self.shop, "-e", self.environment, "--against", "HEAD")
        assert result.code == 0, f"{after}: {result.stderr}"
        assert "warning" not in result.stderr, f"{after}: validate --against HEAD warns:\n{result.stderr}"
        self.commit(after)

    def render(self, after: str) -> State:
        result = run_pytemplar("render", self.shop, "-e", self.environment, "-r", self.release)
        assert result.code == 0, f"after {after}: {result.stderr}"
        objects = [d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] != "Namespace"]
        state = State(after, objects)
        full = FULL_CAPACITY[(self.environment, self.release)]
        check_state(state, self.release, full)
        if self.states:
            check_step(self.states[-1], state, full)
            check_running_objects(self.states[-1], state)
        return state

    @property
    def state(self) -> State:
        return self.states[-1]

    def run(self, *command: str) -> CliResult:
        result = run_pytemplar("rollout", *command, "-e", self.environment, "-r", self.release, cwd=self.shop)
        assert result.code == 0, f"rollout {' '.join(command)}: {result.stderr}"
        self.states.append(self.render(f"rollout {' '.join(command)}"))
        if self.git:
            self.check_against_previous_commit(f"rollout {' '.join(command)}")
        return result

    def refused(self, *command: str) -> str:
        """The command changes nothing and exits 2; its message."""
        before = self.overlay.read_text(encoding="utf-8")
        result = run_pytemplar("rollout", *command, "-e", self.environment, "-r", self.release, cwd=self.shop)
        assert (result.code, result.stdout) == (2, ""), f"rollout {' '.join(command)} was not refused: {result}"
        assert self.overlay.read_text(encoding="utf-8") == before
        return result.stderr

    def serving(self, service: str) -> set[str]:
        """The images behind a Service now."""
        return {image(d) for d in self.state.selected(service)}

    def images_ready(self) -> set[str]:
        """Images running now in pods enough for all the traffic the release may take."""
        full = FULL_CAPACITY[(self.environment, self.release)]
        return {image(d) for d in self.state.of("Deployment") if self.state.capacity(d) >= full}

    def images_able(self) -> set[str]:
        """Images whose Deployments can scale to all the traffic (an idle release's others are scaled down)."""
        full = FULL_CAPACITY[(self.environment, self.release)]
        return {image(d) for d in self.state.of("Deployment") if self.state.reach(d) >= full}

    def status(self) -> list[str]:
        result = run_pytemplar("rollout", "status", "-e", self.environment, "-r", self.release, cwd=self.shop)
        assert result.code == 0, result.stderr
        return result.stdout.splitlines()


ORDERS = "ghcr.io/acme-shop/orders"
PAYMENTS = "ghcr.io/acme-shop/payments"


def refusal(action: str, release: str, environment: str, phase: str, *commands: str) -> str:
    steps = [c.partition(" ") for c in commands]
    hint = "; or ".join(
        f"pytemplar rollout {verb} -e {environment} -r {release}{sep}{rest}" for verb, sep, rest in steps
    )
    return f"error: nothing to {action}: release '{release}' in '{environment}' is {phase}\n  hint: next: {hint}\n"


# --- Blue/Green ------------------------------------------------------------------------------------


def test_blue_green_promote_switches_only_to_a_colour_at_full_capacity(shop: Path) -> None:
    walk = Walk(shop, "prod", "service-c")
    walk.run("promote")
    assert walk.serving("service-c") == {f"{ORDERS}:3.0.0"}
    assert f"{ORDERS}:2.9.7" in walk.images_ready(), "the old colour must stay at full capacity"


def test_blue_green_abort_after_promote_keeps_the_rollback_target(shop: Path) -> None:
    walk = Walk(shop, "prod", "service-c")
    walk.run("promote")
    message = walk.refused("abort")
    phase = "promoted: green takes the traffic and blue stays at full capacity for a rollback"
    assert message == refusal("abort", "service-c", "prod", phase, "finish", "rollback")
    assert f"{ORDERS}:2.9.7" in walk.images_ready()


def test_blue_green_promote_with_nothing_pending_is_refused(shop: Path) -> None:
    walk = Walk(shop, "prod", "service-c")
    walk.run("abort")
    assert walk.serving("service-c") == {f"{ORDERS}:2.9.7"}
    message = walk.refused("promote")
    assert message == refusal(
        "promote", "service-c", "prod", "idle: blue takes the traffic and no new version is pending", "start --tag TAG"
    )


def test_blue_green_walk_through_every_command(shop: Path) -> None:
    walk = Walk(shop, "prod", "service-c")
    release = ("service-c", "prod")
    assert walk.status()[1:3] == [
        "  phase: previewing: green runs a new version beside blue, which takes the traffic",
        "  next: pytemplar rollout promote -e prod -r service-c; or pytemplar rollout abort -e prod -r service-c",
    ]
    previewing = "previewing: green runs a new version beside blue, which takes the traffic"
    assert walk.refused("finish") == refusal("finish", *release, previewing, "promote", "abort")
    assert walk.refused("rollback") == refusal("roll back", *release, previewing, "promote", "abort")
    assert walk.refused("weight", "10").startswith("error: release 'service-c' rolls out with BlueGreen")

    walk.run("promote")
    promoted = "promoted: green takes the traffic and blue stays at full capacity for a rollback"
    assert walk.status()[1] == f"  phase: {promoted}"
    assert walk.refused("promote") == refusal("promote", *release, promoted, "finish", "rollback")
    assert walk.refused("start", "--tag", "3.1.0") == refusal("start", *release, promoted, "finish", "rollback")

    walk.run("rollback")
    assert walk.serving("service-c") == {f"{ORDERS}:2.9.7"}, "rollback after promote returns to the old version"
    assert f"{ORDERS}:3.0.0" in walk.images_ready()

    walk.run("promote")
    walk.run("finish")
    assert walk.serving("service-c") == {f"{ORDERS}:3.0.0"}
    assert walk.images_able() == {f"{ORDERS}:3.0.0"}
    idle = "idle: green takes the traffic and no new version is pending"
    for action, verb in (("promote", "promote"), ("finish", "finish"), ("abort", "abort"), ("rollback", "roll back")):
        assert walk.refused(action) == refusal(verb, *release, idle, "start --tag TAG")
    assert walk.refused("start", "--tag", "3.0.0") == (
        "error: nothing to start: release 'service-c' in 'prod' already runs 3.0.0\n"
        "  hint: next: pytemplar rollout start -e prod -r service-c --tag TAG\n"
    )

    walk.run("start", "--tag", "3.1.0")
    assert walk.serving("service-c-preview") == {f"{ORDERS}:3.1.0"}
    walk.run("start", "--tag", "3.1.1")  # a newer build replaces the pending one, still behind the preview
    assert walk.serving("service-c-preview") == {f"{ORDERS}:3.1.1"}
    walk.run("abort")
    assert walk.serving("service-c") == {f"{ORDERS}:3.0.0"}
    assert walk.images_able() == {f"{ORDERS}:3.0.0"}

    walk.run("start", "--tag", "3.2.0")
    walk.run("promote")
    assert walk.serving("service-c") == {f"{ORDERS}:3.2.0"}
    assert f"{ORDERS}:3.0.0" in walk.images_ready()
    walk.run("rollback")
    assert walk.serving("service-c") == {f"{ORDERS}:3.0.0"}
    walk.run("promote")
    walk.run("finish")
    assert walk.serving("service-c") == {f"{ORDERS}:3.2.0"}
    assert walk.images_able() == {f"{ORDERS}:3.2.0"}


# --- Canary ------------------------------------------------------------------------------------------


def until_done(walk: Walk, *command: str) -> None:
    """A command that asks to be run again (its first commit only prepares the move) runs twice;
    each commit is checked."""
    result = walk.run(*command)
    if "run the same command again" in result.stderr:
        assert "run the same command again" not in walk.run(*command).stderr


def canary_weight(walk: Walk, percent: int) -> None:
    """``rollout weight``: when the canary lacks the pods for the new share, the first run only scales it."""
    until_done(walk, "weight", str(percent))


def test_canary_pods_follow_the_weight(shop: Path) -> None:
    walk = Walk(shop, "prod", "service-d")
    for percent in (50, 100):
        canary_weight(walk, percent)
    canary = walk.state.named("Deployment", "service-d-canary")
    assert canary is not None and walk.state.capacity(canary) == 4
    budgets = [
        b
        for b in walk.state.of("PodDisruptionBudget")
        if b["spec"]["selector"]["matchLabels"].get("pytemplar.io/track") == "canary"
    ]
    assert len(budgets) == 1, "the canary has its own disruption budget"


def test_canary_promote_keeps_the_canary_serving_while_stable_rolls(shop: Path) -> None:
    walk = Walk(shop, "prod", "service-d")
    canary_weight(walk, 100)
    walk.run("promote")
    assert walk.serving("service-d") == {f"{PAYMENTS}:0.10.0"}
    assert walk.serving("service-d-canary") == {f"{PAYMENTS}:0.10.0"}
    result = walk.run("finish")
    assert "run the same command again" in result.stderr, "the canary's 100% goes back to stable first"
    assert walk.state.named("Deployment", "service-d-canary") is not None
    walk.run("finish")
    assert walk.state.named("Deployment", "service-d-canary") is None


@pytest.mark.parametrize(("environment", "release"), [("prod", "service-d"), ("staging", "service-a")])
def test_canary_walk_through_every_command(shop: Path, environment: str, release: str) -> None:
    walk = Walk(shop, environment, release)
    image_name = {"service-d": PAYMENTS, "service-a": "ghcr.io/acme-shop/storefront"}[release]
    old, new = {"service-d": ("0.9.12", "0.10.0"), "service-a": ("2.3.1", "2.4.0-rc.1")}[release]
    at = (release, environment)
    running = walk.status()[1]
    assert running.startswith("  phase: running a canary")
    assert walk.refused("finish").startswith(f"error: nothing to finish: release '{release}' in '{environment}'")
    assert walk.refused("rollback").startswith(f"error: nothing to roll back: release '{release}' in '{environment}'")

    canary_weight(walk, 50)
    canary_weight(walk, 100)
    assert walk.refused("weight", "100").startswith(
        "error: nothing to re-weigh: the canary already takes 100% of the traffic\n"
    )
    walk.run("promote")
    promoted = "promoted: the stable Deployment runs the canary's version while the canary keeps serving"
    assert walk.status()[1] == f"  phase: {promoted}"
    assert walk.refused("promote") == refusal("promote", *at, promoted, "finish", "rollback")
    assert walk.refused("abort") == refusal("abort", *at, promoted, "finish", "rollback")

    walk.run("rollback")
    assert walk.serving(release) == {f"{image_name}:{old}"}, "rollback after promote returns to the old version"
    assert walk.serving(f"{release}-canary") == {f"{image_name}:{new}"}
    walk.run("promote")
    until_done(walk, "finish")
    assert walk.serving(release) == {f"{image_name}:{new}"}
    assert walk.state.named("Deployment", f"{release}-canary") is None
    idle = "idle: no canary is running"
    for action, verb in (("promote", "promote"), ("finish", "finish"), ("abort", "abort"), ("rollback", "roll back")):
        assert walk.refused(action) == refusal(verb, *at, idle, "start --tag TAG")
    assert walk.refused("weight", "10") == refusal("weight", *at, idle, "start --tag TAG").replace(
        "nothing to weight", "nothing to re-weigh"
    )

    walk.run("start", "--tag", "9.9.9")
    assert walk.serving(f"{release}-canary") == {f"{image_name}:9.9.9"}
    canary_weight(walk, 10)
    walk.run("start", "--tag", "9.9.10")  # a newer build replaces the canary and takes no weighted traffic yet
    canary_weight(walk, 20)
    until_done(walk, "abort")
    assert walk.serving(release) == {f"{image_name}:{new}"}
    assert walk.state.named("Deployment", f"{release}-canary") is None


# --- adopting a strategy on a running release ----------------------------------------------------------

STOREFRONT = "ghcr.io/acme-shop/storefront"
CATALOG = "ghcr.io/acme-shop/catalog"


def test_switching_a_running_release_to_canary_in_one_commit_is_caught(shop: Path) -> None:
    """The oracle and validate --against see what a direct switch breaks (so their silence below means something)."""
    walk = Walk(shop, "prod", "service-a", git=True)
    with walk.overlay.open("a", encoding="utf-8") as overlay:
        overlay.write("rollout:\n  strategy: Canary\n")
    with pytest.raises(AssertionError, match="changes its selector"):
        walk.render("setting rollout.strategy: Canary")
    result = run_pytemplar("validate", shop, "-e", "prod", "--against", "HEAD")
    assert "warning: [prod/service-a] Deployment service-a: spec.selector changes from HEAD" in result.stderr
    assert "pytemplar rollout adopt -e prod -r service-a --strategy Canary" in result.stderr


def test_switching_a_running_release_to_blue_green_in_one_commit_is_caught(shop: Path) -> None:
    walk = Walk(shop, "prod", "service-b", git=True)
    with walk.overlay.open("a", encoding="utf-8") as overlay:
        overlay.write("rollout:\n  strategy: BlueGreen\n  active: blue\n")
    with pytest.raises(AssertionError, match="service-b-blue, created in this step"):
        walk.render("setting rollout.strategy: BlueGreen")
    result = run_pytemplar("validate", shop, "-e", "prod", "--against", "HEAD")
    assert "Service service-b sends its traffic to Deployment service-b-blue, new since HEAD" in result.stderr
    assert "pytemplar rollout adopt -e prod -r service-b --strategy BlueGreen" in result.stderr


def test_adopting_canary_keeps_the_deployment_and_walks_every_command(shop: Path) -> None:
    walk = Walk(shop, "prod", "service-a", git=True)
    release = ("service-a", "prod")
    selector = walk.state.named("Deployment", "service-a")["spec"]["selector"]  # type: ignore[index]
    assert walk.refused("promote").startswith("error: release 'service-a' has no rollout strategy")

    result = walk.run("adopt", "--strategy", "Canary")
    assert "run: pytemplar rollout finish -e prod -r service-a" in result.stderr
    adopting = (
        "adopting Canary: the pods of its Deployment gain the label pytemplar.io/track: stable while its Services"
        " still select all of them; once the Deployment has rolled out (kubectl rollout status), finish"
    )
    assert walk.status()[1:3] == [f"  phase: {adopting}", "  next: pytemplar rollout finish -e prod -r service-a"]
    for action in ("promote", "abort", "rollback"):
        assert walk.refused(action) == refusal(VERB.get(action, action), *release, adopting, "finish")
    assert walk.refused("start", "--tag", "2.4.0") == refusal("start", *release, adopting, "finish")
    assert walk.refused("adopt", "--strategy", "Canary") == refusal("adopt", *release, adopting, "finish")
    assert [d["metadata"]["name"] for d in walk.state.of("Deployment")] == ["service-a"]

    walk.run("finish")
    assert walk.status()[1] == "  phase: idle: no canary is running"
    assert walk.state.named("Service", "service-a")["spec"]["selector"]["pytemplar.io/track"] == "stable"  # type: ignore[index]
    assert walk.refused("adopt", "--strategy", "BlueGreen").startswith(
        "error: release 'service-a' in 'prod' already rolls out with Canary\n"
    )

    walk.run("start", "--tag", "2.4.0")
    canary_weight(walk, 50)
    assert walk.state.capacity(walk.state.named("Deployment", "service-a-canary")) == 6  # type: ignore[arg-type]
    walk.run("promote")
    walk.run("rollback")
    assert walk.serving("service-a") == {f"{STOREFRONT}:2.3.0"}, "rollback after promote returns to the old version"
    walk.run("promote")
    until_done(walk, "finish")
    assert walk.serving("service-a") == {f"{STOREFRONT}:2.4.0"}
    assert walk.state.named("Deployment", "service-a-canary") is None
    assert walk.state.named("Deployment", "service-a")["spec"]["selector"] == selector  # type: ignore[index]


def test_adopting_blue_green_keeps_the_deployment_as_blue_and_walks_every_command(shop: Path) -> None:
    walk = Walk(shop, "prod", "service-b", git=True)
    release = ("service-b", "prod")
    selector = walk.state.named("Deployment", "service-b")["spec"]["selector"]  # type: ignore[index]

    walk.run("adopt", "--strategy", "BlueGreen")
    adopting = (
        "adopting BlueGreen: the pods of its Deployment gain the label pytemplar.io/color: blue while its Services"
        " still select all of them; once the Deployment has rolled out (kubectl rollout status), finish"
    )
    assert walk.status()[1] == f"  phase: {adopting}"
    assert walk.refused("start", "--tag", "1.15.0") == refusal("start", *release, adopting, "finish")
    assert [d["metadata"]["name"] for d in walk.state.of("Deployment")] == ["service-b"]

    walk.run("finish")
    assert sorted(d["metadata"]["name"] for d in walk.state.of("Deployment")) == ["service-b", "service-b-green"]
    assert walk.serving("service-b") == {f"{CATALOG}:1.14.0"}

    walk.run("start", "--tag", "1.15.0")
    assert walk.serving("service-b-preview") == {f"{CATALOG}:1.15.0"}
    walk.run("promote")
    assert walk.serving("service-b") == {f"{CATALOG}:1.15.0"}
    walk.run("rollback")
    assert walk.serving("service-b") == {f"{CATALOG}:1.14.0"}, "rollback after promote returns to the old version"
    walk.run("promote")
    walk.run("finish")
    assert walk.serving("service-b") == {f"{CATALOG}:1.15.0"}
    walk.run("start", "--tag", "1.16.0")  # the next version goes to the adopted Deployment, now the preview
    assert walk.serving("service-b-preview") == {f"{CATALOG}:1.16.0"}
    walk.run("promote")
    walk.run("finish")
    assert walk.serving("service-b") == {f"{CATALOG}:1.16.0"}
    assert walk.state.named("Deployment", "service-b")["spec"]["selector"] == selector  # type: ignore[index]


VERB = {"rollback": "roll back", "weight": "re-weigh"}
