"""The benchmark's workloads: the same releases written for pytemplar, Helm and Kustomize.

A :class:`Project` holds the values layers of a pytemplar project (template defaults, project,
environment, release, release × environment). From it this module writes

- a pytemplar project that uses a copy of ``examples/apps/microservice`` (W2 copies the shop);
- Helm inputs for ``bench/helm/microservice``: one values file per release, or an umbrella chart
  with one aliased dependency per release;
- Kustomize overlays of ``bench/kustomize/base``: one per release and environment, plus a root
  kustomization that builds them all at once.

Helm and Kustomize have no layers between a chart's defaults and a release, so their inputs are
written from the merged layers (:func:`merge`, pytemplar's rules: maps merge, ``null`` deletes,
lists are replaced except ``extraEnv``, which merges item by item by ``name``), the way a Helm or
Kustomize user would write them by hand.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
APP_TEMPLATE = REPO / "examples" / "apps" / "microservice"
SHOP = REPO / "examples" / "apps" / "shop"
HELM_CHART = BENCH / "helm" / "microservice"
KUSTOMIZE = BENCH / "kustomize"

APP_NAME = "microservice"
APP_VERSION = "1.0.0"
LIST_MAP_KEYS = {"extraEnv": "name"}

Values = dict[str, Any]
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: ten times faster
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class Release:
    """One release in one environment, with the values each tool needs."""

    name: str
    environment: str
    namespace: str
    overrides: Values  # every layer above the template defaults, merged
    values: Values  # defaults and overrides merged: what the templates read

    @property
    def enabled(self) -> dict[str, bool]:
        """Which optional objects the release has (the Kustomize components)."""
        return {
            "hpa": bool(self.values["autoscaling"]["enabled"]),
            "pdb": bool(self.values["podDisruptionBudget"]["enabled"]),
            "ingress": bool(self.values["ingress"]["enabled"]),
        }


@dataclass
class Project:
    """The values layers of a pytemplar project."""

    name: str
    defaults: Values
    values: Values
    namespaces: dict[str, str]  # environment -> namespace
    env_values: dict[str, Values]
    release_values: dict[str, Values]
    release_env_values: dict[tuple[str, str], Values] = field(default_factory=dict)

    def releases(self, environments: Iterable[str] | None = None) -> list[Release]:
        """Every release in the given environments (all by default), environment by environment."""
        chosen = list(self.namespaces) if environments is None else list(environments)
        return [self.release(env, name) for env in chosen for name in self.release_values]

    def release(self, environment: str, name: str) -> Release:
        layers = [
            self.values,
            self.env_values.get(environment, {}),
            self.release_values[name],
            self.release_env_values.get((environment, name), {}),
        ]
        overrides: Values = {}
        for layer in layers:
            overrides = merge(overrides, layer)
        return Release(name, environment, self.namespaces[environment], overrides, merge(self.defaults, overrides))


def merge(base: Values, layer: Values, top: bool = True) -> Values:
    """``layer`` over ``base`` by pytemplar's rules; neither argument is changed."""
    result = copy.deepcopy(base)
    for key, value in layer.items():
        current = result.get(key)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(current, dict):
            result[key] = merge(current, value, top=False)
        elif top and key in LIST_MAP_KEYS and isinstance(value, list) and isinstance(current, list):
            result[key] = _merge_by_key(current, value, LIST_MAP_KEYS[key])
        else:
            result[key] = copy.deepcopy(value)
    return result


def _merge_by_key(base: list[Any], layer: list[Any], key: str) -> list[Any]:
    merged = {item[key]: item for item in base}
    for item in layer:
        merged[item[key]] = merge(merged[item[key]], item, top=False) if item[key] in merged else item
    return [copy.deepcopy(item) for item in merged.values()]


def read_yaml(path: Path) -> Values:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    return data if isinstance(data, dict) else {}


def write_yaml(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


# --- the projects -------------------------------------------------------------------------------


# What the Helm chart and Kustomize overlays written from the values do not express: the rollout
# strategies (a values key pytemplar owns), the Gateway API route the shop's staging canary uses,
# and the Kustomize-class transforms of pytemplar.yaml.
UNCOMPARED_VALUES = ("rollout", "route")
TRANSFORM_KEYS = (
    "commonLabels",
    "commonAnnotations",
    "namePrefix",
    "nameSuffix",
    "images",
    "patches",
    "configMapGenerator",
    "secretGenerator",
)


def shop_project() -> Project:
    """The shop of ``examples/apps/shop``: four releases in dev, staging and prod."""
    config = read_yaml(SHOP / "pytemplar.yaml")
    envs = config["environments"]
    names = list(config["releases"])
    release_env = {
        (env, name): _comparable(read_yaml(SHOP / "envs" / env / f"{name}.yaml"))
        for env in envs
        for name in names
        if (SHOP / "envs" / env / f"{name}.yaml").is_file()
    }
    return Project(
        name=config["project"],
        defaults=read_yaml(APP_TEMPLATE / "values.yaml"),
        values=config.get("values") or {},
        namespaces={env: spec["namespace"] for env, spec in envs.items()},
        env_values={env: read_yaml(SHOP / "envs" / f"{env}.yaml") for env in envs},
        release_values={name: read_yaml(SHOP / "releases" / f"{name}.yaml") for name in names},
        release_env_values=release_env,
    )


def _comparable(values: Values) -> Values:
    return {key: value for key, value in values.items() if key not in UNCOMPARED_VALUES}


def generated_project(count: int) -> Project:
    """``count`` releases of the microservice template in one environment (prod), varied by index.

    Release 0 has every optional object (Ingress with TLS, autoscaler, extraEnv, an overlay of its own),
    so the one-release workload renders all seven kinds.
    """
    names = [f"service-{index:04d}" for index in range(count)]
    release_values = {name: _generated_release(index, names) for index, name in enumerate(names)}
    release_env = {("prod", name): _generated_overlay(index) for index, name in enumerate(names) if index % 10 == 0}
    shop = shop_project()
    return Project(
        name=f"bench-{count}",
        defaults=shop.defaults,
        values=shop.values,
        namespaces={"prod": "bench-prod"},
        env_values={"prod": shop.env_values["prod"]},
        release_values=release_values,
        release_env_values=release_env,
    )


def _generated_release(index: int, names: Sequence[str]) -> Values:
    values: Values = {
        "image": {"name": f"svc{index:04d}", "tag": f"1.{index % 17}.{index % 5}"},
        "containerPort": 8080 + (index % 3) * 1000,
        "service": {"port": 80 if index % 2 else 8080},
        "config": {
            "UPSTREAM_URL": f"http://{names[(index + 1) % len(names)]}",
            "WORKERS": 2 + index % 6,
            "REGION": ("eu-west-1", "eu-central-1", "us-east-1")[index % 3],
        },
        "env": {"SERVICE_INDEX": str(index)},
    }
    if index % 5 == 0:
        values["ingress"] = {"enabled": True, "host": f"svc{index:04d}.bench.example"}
        if index % 10 == 0:
            values["ingress"]["tlsSecret"] = f"svc{index:04d}-tls"
    if index % 4 == 0:
        values["autoscaling"] = {"enabled": True, "minReplicas": 2 + index % 3, "maxReplicas": 6 + index % 5}
    if index % 3 == 0:
        secret = {"secretKeyRef": {"name": f"svc{index:04d}-db", "key": "password"}}
        values["extraEnv"] = [{"name": "DB_PASSWORD", "valueFrom": secret}, {"name": "DB_POOL", "value": "10"}]
    return values


def _generated_overlay(index: int) -> Values:
    return {
        "replicaCount": 4,
        "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}},
        "config": {"FEATURE_NEW_CHECKOUT": "enabled"},
        "extraEnv": [{"name": "DB_POOL", "value": "40"}] if index % 3 == 0 else [],
    }


# --- pytemplar ----------------------------------------------------------------------------------


def write_pytemplar(project: Project, root: Path) -> Path:
    """The project as pytemplar files under ``root`` (with a copy of the app template); its folder."""
    shutil.copytree(APP_TEMPLATE, root / APP_NAME)
    folder = root / "project"
    config = {
        "project": project.name,
        "values": project.values,
        "environments": {env: {"namespace": ns, "createNamespace": False} for env, ns in project.namespaces.items()},
        "releases": {name: {"app": f"../{APP_NAME}"} for name in project.release_values},
    }
    write_yaml(folder / "pytemplar.yaml", config)
    for env, values in project.env_values.items():
        write_yaml(folder / "envs" / f"{env}.yaml", values)
    for name, values in project.release_values.items():
        write_yaml(folder / "releases" / f"{name}.yaml", values)
    for (env, name), values in project.release_env_values.items():
        write_yaml(folder / "envs" / env / f"{name}.yaml", values)
    return folder


def copy_shop(root: Path) -> Path:
    """A copy of the shop that the peers can equal: no Namespaces (Helm and Kustomize create none),
    no rollout strategies and no transforms (the equivalents are written from the values alone)."""
    shutil.copytree(APP_TEMPLATE, root / APP_NAME)
    folder = root / "shop"
    shutil.copytree(SHOP, folder)
    config = read_yaml(folder / "pytemplar.yaml")
    for entry in [config, *config["environments"].values(), *config["releases"].values()]:
        if isinstance(entry, dict):
            for key in TRANSFORM_KEYS:
                entry.pop(key, None)
            if "createNamespace" in entry:
                entry["createNamespace"] = False
    write_yaml(folder / "pytemplar.yaml", config)
    for overlay in sorted((folder / "envs").rglob("*.yaml")):
        values = read_yaml(overlay)
        if any(key in values for key in UNCOMPARED_VALUES):
            write_yaml(overlay, _comparable(values))
    return folder


# --- Helm ---------------------------------------------------------------------------------------


def helm_values(release: Release, alias: bool = False) -> Values:
    """The values file of one release: the merged overrides plus what Helm cannot know."""
    extra: Values = {"environment": release.environment}
    if alias:
        extra["fullnameOverride"] = release.name
    return {**extra, **release.overrides}


def write_helm_releases(releases: Sequence[Release], root: Path) -> tuple[Path, list[Path]]:
    """The chart and one values file per release (in order): for one ``helm template`` call each."""
    chart = root / APP_NAME
    shutil.copytree(HELM_CHART, chart)
    files = []
    for release in releases:
        path = root / "values" / release.environment / f"{release.name}.yaml"
        write_yaml(path, helm_values(release))
        files.append(path)
    return chart, files


def write_helm_umbrella(releases: Sequence[Release], root: Path) -> Path:
    """An umbrella chart with one aliased dependency on the microservice chart per release."""
    chart = root / "umbrella"
    shutil.copytree(HELM_CHART, chart / "charts" / APP_NAME)
    dependencies = [{"name": APP_NAME, "version": APP_VERSION, "alias": r.name} for r in releases]
    meta = {"apiVersion": "v2", "name": "umbrella", "version": "1.0.0", "dependencies": dependencies}
    write_yaml(chart / "Chart.yaml", meta)
    write_yaml(chart / "values.yaml", {r.name: helm_values(r, alias=True) for r in releases})
    return chart


# --- Kustomize ----------------------------------------------------------------------------------


def write_kustomize(releases: Sequence[Release], root: Path) -> tuple[Path, list[Path]]:
    """The base, its components, one overlay per release (in order) and a root listing every overlay."""
    shutil.copytree(KUSTOMIZE, root, dirs_exist_ok=True)
    overlays = []
    for release in releases:
        folder = root / "overlays" / release.environment / release.name
        write_yaml(folder / "kustomization.yaml", kustomize_overlay(release))
        overlays.append(folder)
    resources = [str(path.relative_to(root)) for path in overlays]
    write_yaml(root / "kustomization.yaml", _kustomization(resources=resources))
    return root, overlays


def _kustomization(**fields: Any) -> Values:
    return {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", **fields}


def kustomize_overlay(release: Release) -> Values:
    """The kustomization of one release: namespace, components, labels, config and JSON patches."""
    values = release.values
    selector = {"app.kubernetes.io/name": APP_NAME, "app.kubernetes.io/instance": release.name}
    labels = {
        "app.kubernetes.io/version": str(values["image"]["tag"]),
        "app.kubernetes.io/managed-by": "kustomize",
        "app.kubernetes.io/part-of": f"{APP_NAME}-{APP_VERSION}",
        "environment": release.environment,
    }
    components = [f"../../../components/{name}" for name, on in release.enabled.items() if on]
    literals = [f"{key}={_text(value)}" for key, value in sorted(values["config"].items())]
    return _kustomization(
        namespace=release.namespace,
        resources=["../../../base"],
        components=components,
        labels=[{"pairs": selector, "includeSelectors": True}, {"pairs": labels, "includeTemplates": True}],
        configMapGenerator=[{"name": "app-config", "behavior": "merge", "literals": literals}],
        patches=_patches(release),
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _patch(kind: str, name: str, operations: list[Values]) -> Values:
    return {"target": {"kind": kind, "name": name}, "patch": json.dumps(operations)}


def _patches(release: Release) -> list[Values]:
    values = release.values
    name = release.name
    deployment = _deployment_ops(values) + _deployment_references(name)
    patches = [_patch("Deployment", "app", deployment), _patch("Service", "app", _service_ops(values))]
    enabled = release.enabled
    if enabled["hpa"]:
        hpa = [*_hpa_ops(values["autoscaling"]), _replace("/spec/scaleTargetRef/name", name)]
        patches.append(_patch("HorizontalPodAutoscaler", "app", hpa))
    if enabled["pdb"]:
        minimum = values["podDisruptionBudget"]["minAvailable"]
        patches.append(_patch("PodDisruptionBudget", "app", [_replace("/spec/minAvailable", minimum)]))
    if enabled["ingress"]:
        backend = _replace("/spec/rules/0/http/paths/0/backend/service/name", name)
        patches.append(_patch("Ingress", "app", [*_ingress_ops(values["ingress"]), backend]))
    # Renames last: the patches above find the objects by their base names.
    patches.append({"target": {"name": "app"}, "patch": json.dumps([_replace("/metadata/name", release.name)])})
    config_name = f"{release.name}-config"
    patches.append(_patch("ConfigMap", "app-config", [_replace("/metadata/name", config_name)]))
    return patches


def _deployment_references(name: str) -> list[Values]:
    """The Deployment's references to the release's other objects, set explicitly.

    Kustomize would follow the renames itself within one overlay, but it resolves references once,
    at the top of the build: with many overlays of one base in a namespace, every renamed Service
    was once "app", and it refuses the ambiguity ("found multiple possible referrals").
    """
    spec = "/spec/template/spec"
    return [
        _replace(f"{spec}/serviceAccountName", name),
        _replace(f"{spec}/containers/0/envFrom/0/configMapRef/name", f"{name}-config"),
        _replace(f"{spec}/volumes/0/configMap/name", f"{name}-config"),
    ]


def _replace(path: str, value: Any) -> Values:
    return {"op": "replace", "path": path, "value": value}


def _deployment_ops(values: Values) -> list[Values]:
    container = "/spec/template/spec/containers/0"
    image = values["image"]
    ops = [
        {"op": "remove", "path": "/spec/replicas"}
        if values["autoscaling"]["enabled"]
        else _replace("/spec/replicas", values["replicaCount"]),
        _replace("/spec/strategy", values["strategy"]),
        _replace(f"{container}/image", f"{image['registry']}/{image['name']}:{image['tag']}"),
        _replace(f"{container}/imagePullPolicy", image["pullPolicy"]),
        _replace(f"{container}/ports/0/containerPort", values["containerPort"]),
        _replace(f"{container}/livenessProbe", _probe(values["probes"]["liveness"])),
        _replace(f"{container}/readinessProbe", _probe(values["probes"]["readiness"])),
        _replace(f"{container}/resources", values["resources"]),
    ]
    if values["podAnnotations"]:
        annotations = {key: str(value) for key, value in sorted(values["podAnnotations"].items())}
        ops.append({"op": "add", "path": "/spec/template/metadata/annotations", "value": annotations})
    env = [{"name": key, "value": _text(value)} for key, value in sorted(values["env"].items())]
    env += values["extraEnv"]
    if env:
        ops.append({"op": "add", "path": f"{container}/env", "value": env})
    return ops


def _probe(probe: Values) -> Values:
    return {
        "httpGet": {"path": probe["path"], "port": "http"},
        "initialDelaySeconds": probe["initialDelaySeconds"],
        "periodSeconds": probe["periodSeconds"],
    }


def _service_ops(values: Values) -> list[Values]:
    service = values["service"]
    return [_replace("/spec/type", service["type"]), _replace("/spec/ports/0/port", service["port"])]


def _hpa_ops(scaling: Values) -> list[Values]:
    return [
        _replace("/spec/minReplicas", scaling["minReplicas"]),
        _replace("/spec/maxReplicas", scaling["maxReplicas"]),
        _replace("/spec/metrics/0/resource/target/averageUtilization", scaling["targetCPUUtilizationPercentage"]),
    ]


def _ingress_ops(ingress: Values) -> list[Values]:
    ops = [
        _replace("/spec/ingressClassName", ingress["className"]),
        _replace("/spec/rules/0/host", ingress["host"]),
        _replace("/spec/rules/0/http/paths/0/path", ingress["path"]),
    ]
    if ingress["tlsSecret"]:
        tls = [{"hosts": [ingress["host"]], "secretName": ingress["tlsSecret"]}]
        ops.append({"op": "add", "path": "/spec/tls", "value": tls})
    return ops
