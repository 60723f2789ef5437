"""The shop example rendered end to end through the command line, against golden files.

``pytest --update-golden`` rewrites ``expected/shop/<env>.yaml``; the semantic tests below
check what those files must say, so a wrong golden file cannot pass review unnoticed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, REPO, CliResult, run_pytemplar
from ruamel.yaml import YAML

SHOP = "examples/apps/shop"
EXPECTED = Path(__file__).parent / "expected" / "shop"
ENVIRONMENTS = ("dev", "staging", "prod")
RELEASES = ("service-a", "service-b", "service-c", "service-d")
MARKER = ".pytemplar-output"

_renders: dict[str, CliResult] = {}


def render(env: str) -> CliResult:
    """``pytemplar render examples/apps/shop -e ENV`` from the repository root (cached per run)."""
    if env not in _renders:
        _renders[env] = run_pytemplar("render", SHOP, "-e", env, cwd=REPO)
    result = _renders[env]
    assert result.code == 0, result.stderr
    return result


def documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def by_identity(text: str) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for doc in documents(text):
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in found, f"{key} rendered twice"
        found[key] = doc
    return found


def serving(objects: dict[tuple[str, str], dict[str, Any]], release: str) -> dict[str, Any]:
    """The Deployment the release's Service sends traffic to (blue/green and canaries add others)."""
    selector = objects[("Service", release)]["spec"]["selector"]
    found = [
        doc
        for (kind, _), doc in objects.items()
        if kind == "Deployment" and selector.items() <= doc["spec"]["template"]["metadata"]["labels"].items()
    ]
    assert len(found) == 1, f"the Service {release} selects {len(found)} Deployments"
    return found[0]


def container(objects: dict[tuple[str, str], dict[str, Any]], release: str) -> dict[str, Any]:
    containers = serving(objects, release)["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


# The objects the rollout strategies add (examples/apps/shop/envs/*/<release>.yaml: rollout).
ROLLOUT_OBJECTS = {
    "staging": {("Deployment", "service-a-canary"), ("Service", "service-a-canary"), ("Ingress", "service-a-canary")},
    "prod": {
        ("Deployment", "service-c-green"),
        ("Service", "service-c-preview"),
        ("Deployment", "service-d-canary"),
        ("Service", "service-d-canary"),
        ("Ingress", "service-d-canary"),
    },
}


def copy_shop(tmp_path: Path) -> Path:
    """A writable copy of the shop and its app template; returns the project folder."""
    shutil.copytree(EXAMPLES / "shop", tmp_path / "apps" / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "apps" / "microservice")
    return tmp_path / "apps" / "shop"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- golden files --------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_render_of_each_environment_matches_its_golden_file(env: str, golden: Callable[[str, Path], None]) -> None:
    result = render(env)
    assert result.stderr == ""
    golden(result.stdout, EXPECTED / f"{env}.yaml")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_golden_file_holds_four_releases_and_their_namespace(env: str) -> None:
    text = (EXPECTED / f"{env}.yaml").read_text(encoding="utf-8")
    objects = by_identity(text)
    namespace = f"shop-{env}"
    assert objects[("Namespace", namespace)]["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "pytemplar",
        "environment": env,
    }
    assert [doc for doc in documents(text) if doc["kind"] == "Namespace"] == [objects[("Namespace", namespace)]]
    for release in RELEASES:
        for kind, name in [
            ("ServiceAccount", release),
            ("ConfigMap", f"{release}-config"),
            ("Service", release),
            ("Deployment", f"{release}-blue" if (env, release) == ("prod", "service-c") else release),
        ]:
            obj = objects[(kind, name)]
            assert obj["metadata"]["namespace"] == namespace
            assert obj["metadata"]["labels"]["app.kubernetes.io/instance"] == release
            assert obj["metadata"]["labels"]["environment"] == env
    assert ROLLOUT_OBJECTS.get(env, set()) <= objects.keys()
    for doc in documents(text):
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == namespace
    sources = [line for line in text.splitlines() if line.startswith("# Source: ")]
    assert len(sources) == len(documents(text))
    assert sources[0] == "# Source: pytemplar.yaml"


def test_golden_files_install_in_dependency_order() -> None:
    text = (EXPECTED / "prod.yaml").read_text(encoding="utf-8")
    kinds = [doc["kind"] for doc in documents(text)]
    order = [
        "Namespace",
        "PodDisruptionBudget",
        "ServiceAccount",
        "ConfigMap",
        "Service",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Ingress",
    ]
    assert sorted(kinds, key=order.index) == kinds
    # Four releases, one of them blue/green (two Deployments) and one with a canary running.
    assert kinds.count("Deployment") == 6


def test_replicas_follow_the_environment_and_release_overlays() -> None:
    dev, staging, prod = (by_identity(render(env).stdout) for env in ENVIRONMENTS)
    for release in RELEASES:
        assert dev[("Deployment", release)]["spec"]["replicas"] == 1
        assert staging[("Deployment", release)]["spec"]["replicas"] == 2
    assert prod[("Deployment", "service-b")]["spec"]["replicas"] == 3  # envs/prod.yaml
    assert prod[("Deployment", "service-d")]["spec"]["replicas"] == 4  # envs/prod/service-d.yaml
    # Canaries run the weight's share of the stable capacity, at least one (10% of 4 in prod).
    assert staging[("Deployment", "service-a-canary")]["spec"]["replicas"] == 1
    assert prod[("Deployment", "service-d-canary")]["spec"]["replicas"] == 1
    # Autoscaled in prod: the HPA owns the replica count, the Deployment must not set it.
    # service-c previews green beside the active blue: both colours are held at the autoscaler's
    # maximum (envs/prod/service-c.yaml: 3 to 8) until the rollout ends, for either may take all traffic.
    for deployment, low, high, cpu in [
        ("service-a", 4, 12, 65),
        ("service-c-blue", 8, 8, 75),
        ("service-c-green", 8, 8, 75),
    ]:
        assert "replicas" not in prod[("Deployment", deployment)]["spec"]
        hpa = prod[("HorizontalPodAutoscaler", deployment)]["spec"]
        assert (hpa["minReplicas"], hpa["maxReplicas"]) == (low, high)
        assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == cpu
        assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment}
    assert not [key for key in dev if key[0] == "HorizontalPodAutoscaler"]
    assert not [key for key in staging if key[0] == "HorizontalPodAutoscaler"]
    autoscaled = ["service-a", "service-c-blue", "service-c-green"]
    assert sorted(key[1] for key in prod if key[0] == "HorizontalPodAutoscaler") == autoscaled


def test_resources_follow_the_layers() -> None:
    rendered = {env: by_identity(render(env).stdout) for env in ENVIRONMENTS}

    def resources(env: str, release: str) -> tuple[str, str, str]:
        found = container(rendered[env], release)["resources"]
        return found["requests"]["cpu"], found["requests"]["memory"], found["limits"]["memory"]

    for release in ("service-a", "service-b", "service-c"):
        assert resources("dev", release) == ("25m", "64Mi", "128Mi")
        assert resources("staging", release) == ("100m", "128Mi", "256Mi")
    assert resources("prod", "service-a") == ("500m", "512Mi", "1Gi")  # envs/prod/service-a.yaml
    assert resources("prod", "service-b") == ("250m", "256Mi", "512Mi")
    assert resources("prod", "service-c") == ("250m", "256Mi", "512Mi")
    # service-d's own values sit above every environment overlay.
    for env in ENVIRONMENTS:
        assert resources(env, "service-d") == ("100m", "128Mi", "256Mi")


def test_the_storefront_has_an_ingress_with_a_host_per_environment() -> None:
    expected = {
        "dev": ("shop.dev.acme.example", None),
        "staging": ("shop.staging.acme.example", None),
        "prod": ("shop.acme.example", {"hosts": ["shop.acme.example"], "secretName": "shop-acme-example-tls"}),
    }
    ingresses = {
        "dev": ["service-a"],
        "staging": ["service-a", "service-a-canary"],  # service-a's canary, routed by header
        "prod": ["service-a", "service-d", "service-d-canary"],  # payments' webhooks and their canary
    }
    for env, (host, tls) in expected.items():
        objects = by_identity(render(env).stdout)
        assert sorted(name for kind, name in objects if kind == "Ingress") == ingresses[env]
        spec = objects[("Ingress", "service-a")]["spec"]
        assert [rule["host"] for rule in spec["rules"]] == [host]
        assert spec.get("tls") == ([tls] if tls else None)
        backend = spec["rules"][0]["http"]["paths"][0]["backend"]["service"]
        assert backend == {"name": "service-a", "port": {"name": "http"}}


def test_config_images_and_logging_follow_the_overlays() -> None:
    rendered = {env: by_identity(render(env).stdout) for env in ENVIRONMENTS}
    flags = {"dev": "all", "staging": "beta", "prod": "none"}
    levels = {"dev": "debug", "staging": "info", "prod": "warn"}
    for env, objects in rendered.items():
        for release in RELEASES:
            data = objects[("ConfigMap", f"{release}-config")]["data"]
            assert data["FEATURE_FLAGS"] == flags[env]
            assert data["SHOP_CURRENCY"] == "EUR"
            assert data["LOG_FORMAT"] == "json"
            assert data["logging.conf"].startswith("# Logging configuration mounted at /etc/app/logging.conf\n")
            main = container(objects, release)
            assert main["env"][0] == {"name": "LOG_LEVEL", "value": levels[env]}
            if release != "service-d":
                assert len(main["env"]) == 1
            assert main["imagePullPolicy"] == ("Always" if env == "dev" else "IfNotPresent")
    # service-d's extraEnv merges by name: prod swaps the key's Secret and keeps the other variable.
    stripe_secret = {
        env: container(rendered[env], "service-d")["env"][1]["valueFrom"]["secretKeyRef"]["name"]
        for env in ENVIRONMENTS
    }
    assert stripe_secret == {
        "dev": "payments-stripe-test",
        "staging": "payments-stripe-test",
        "prod": "payments-stripe-live",
    }
    assert all(
        container(rendered[env], "service-d")["env"][2] == {"name": "STRIPE_WEBHOOK_TOLERANCE_SECONDS", "value": "300"}
        for env in ENVIRONMENTS
    )
    assert rendered["dev"][("ConfigMap", "service-b-config")]["data"]["SEARCH_BACKEND"] == "memory"
    assert rendered["staging"][("ConfigMap", "service-b-config")]["data"]["SEARCH_BACKEND"] == "opensearch"
    assert rendered["prod"][("ConfigMap", "service-b-config")]["data"]["SEARCH_BACKEND"] == "opensearch"
    assert rendered["prod"][("ConfigMap", "service-d-config")]["data"]["PROVIDER"] == "stripe-live"
    assert rendered["staging"][("ConfigMap", "service-d-config")]["data"]["PROVIDER"] == "stripe"
    # Numbers in config are written as strings, as ConfigMap data must be.
    assert rendered["dev"][("ConfigMap", "service-b-config")]["data"]["CACHE_TTL_SECONDS"] == "300"
    images = {
        "dev": ["storefront:2.3.1", "catalog:1.14.0", "orders:3.0.2", "payments:0.9.12"],
        # staging overrides the orders image in pytemplar.yaml (images:)
        "staging": ["storefront:2.3.1", "catalog:1.14.0", "orders:3.1.0-rc.1", "payments:0.9.12"],
        "prod": ["storefront:2.3.0", "catalog:1.14.0", "orders:2.9.7", "payments:0.9.12"],
    }
    for env, names in images.items():
        assert [container(rendered[env], release)["image"] for release in RELEASES] == [
            f"ghcr.io/acme-shop/{name}" for name in names
        ]
    # The versions waiting behind the preview Service and running as canaries.
    for env, deployment, image in [
        ("staging", "service-a-canary", "storefront:2.4.0-rc.1"),
        ("prod", "service-c-green", "orders:3.0.0"),
        ("prod", "service-d-canary", "payments:0.10.0"),
    ]:
        containers = rendered[env][("Deployment", deployment)]["spec"]["template"]["spec"]["containers"]
        assert containers[0]["image"] == f"ghcr.io/acme-shop/{image}"
    # The pod template's annotations: project-wide values, quoted so they stay strings.
    annotations = rendered["prod"][("Deployment", "service-a")]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "8080"
    # A config change rolls the pods: the checksum differs between environments.
    checksums = {
        rendered[env][("Deployment", "service-a")]["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
        for env in ENVIRONMENTS
    }
    assert len(checksums) == 3


def test_disruption_budgets_exist_outside_dev() -> None:
    # Each colour of a previewing blue/green release has one; a canary has its own, allowing the
    # stable budget's disruptions (service-d: 4 replicas, minAvailable 3; its one canary pod, 0).
    expected = {
        "staging": {"service-a": 1, "service-a-canary": 0, "service-b": 1, "service-c": 1, "service-d": 1},
        "prod": {
            "service-a": 2,
            "service-b": 2,
            "service-c-blue": 2,
            "service-c-green": 2,
            "service-d": 3,
            "service-d-canary": 0,
        },
    }
    assert not [key for key in by_identity(render("dev").stdout) if key[0] == "PodDisruptionBudget"]
    for env, minimum in expected.items():
        objects = by_identity(render(env).stdout)
        names = sorted(minimum)
        assert sorted(name for kind, name in objects if kind == "PodDisruptionBudget") == names
        assert {name: objects[("PodDisruptionBudget", name)]["spec"]["minAvailable"] for name in names} == minimum


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_selectors_match_the_pods_of_their_release(env: str) -> None:
    objects = by_identity(render(env).stdout)
    for release in RELEASES:
        deployment = serving(objects, release)["spec"]
        selector = deployment["selector"]["matchLabels"]
        base = {"app.kubernetes.io/name": "microservice", "app.kubernetes.io/instance": release}
        # A rollout strategy adds its track or colour label to the selector and the pods.
        assert base.items() <= selector.items()
        assert set(selector) - set(base) <= {"pytemplar.io/track", "pytemplar.io/color"}
        assert selector.items() <= deployment["template"]["metadata"]["labels"].items()
        assert objects[("Service", release)]["spec"]["selector"] == selector
        budgets = [doc for (kind, _), doc in objects.items() if kind == "PodDisruptionBudget"]
        mine = [
            b
            for b in budgets
            if base.items() <= b["spec"]["selector"]["matchLabels"].items()
            and b["spec"]["selector"]["matchLabels"].get("pytemplar.io/track") != "canary"
            and b["spec"]["selector"]["matchLabels"].get("pytemplar.io/color")
            in (None, selector.get("pytemplar.io/color"))
        ]
        assert all(b["spec"]["selector"]["matchLabels"] == selector for b in mine)
        volume = deployment["template"]["spec"]["volumes"][0]["configMap"]["name"]
        assert volume == f"{release}-config"
        assert ("ConfigMap", volume) in objects
        assert deployment["template"]["spec"]["serviceAccountName"] == release


def test_service_ports_follow_release_values() -> None:
    objects = by_identity(render("prod").stdout)
    ports = {release: objects[("Service", release)]["spec"]["ports"][0]["port"] for release in RELEASES}
    assert ports == {"service-a": 80, "service-b": 80, "service-c": 80, "service-d": 443}
    container_ports = {release: container(objects, release)["ports"][0]["containerPort"] for release in RELEASES}
    assert container_ports == {"service-a": 3000, "service-b": 8080, "service-c": 8080, "service-d": 8443}


# -- determinism and readers ---------------------------------------------------------------------


def test_render_is_byte_identical_across_runs_hash_seeds_and_working_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONHASHSEED", "1")
    first = run_pytemplar("render", SHOP, "--all-envs", cwd=REPO)
    monkeypatch.setenv("PYTHONHASHSEED", "2")
    second = run_pytemplar("render", SHOP, "--all-envs", cwd=REPO)
    third = run_pytemplar("render", EXAMPLES / "shop", "--all-envs", cwd=tmp_path)
    assert first.code == second.code == third.code == 0, first.stderr + second.stderr + third.stderr
    assert first.stdout.encode() == second.stdout.encode() == third.stdout.encode()
    assert len(first.stdout) > 10_000


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_document_reads_the_same_in_pyyaml_and_ruamel(env: str) -> None:
    text = render(env).stdout
    with_pyyaml = list(yaml.safe_load_all(text))  # YAML 1.1, like Kubernetes
    with_ruamel = list(YAML(typ="safe", pure=True).load_all(text))  # YAML 1.2
    assert with_pyyaml == with_ruamel
    assert all(isinstance(doc, dict) for doc in with_pyyaml)
    assert len(with_pyyaml) == text.count("\n---\n") + 1 == text.count("# Source: ")


def test_json_output_is_a_v1_list_of_the_same_objects() -> None:
    result = run_pytemplar("render", SHOP, "-e", "prod", "-o", "json", cwd=REPO)
    assert result.code == 0, result.stderr
    listed = json.loads(result.stdout)
    assert listed["apiVersion"] == "v1"
    assert listed["kind"] == "List"
    assert set(listed) == {"apiVersion", "kind", "items"}
    assert listed["items"] == documents(render("prod").stdout)


def _split_by_environment(text: str) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for chunk in text.split("---\n")[1:]:
        header, _, body = chunk.partition("\n")
        assert header.startswith("# Environment: "), chunk[:80]
        grouped.setdefault(header.removeprefix("# Environment: "), []).append("---\n" + body)
    return grouped


def test_all_envs_renders_every_environment_as_single_renders_do() -> None:
    result = run_pytemplar("render", SHOP, "--all-envs", cwd=REPO)
    assert result.code == 0, result.stderr
    grouped = _split_by_environment(result.stdout)
    assert sorted(grouped) == sorted(ENVIRONMENTS)
    for env in ENVIRONMENTS:
        assert "".join(grouped[env]) == render(env).stdout
    several = run_pytemplar("render", SHOP, "-e", "dev", "-e", "staging", "-e", "prod", cwd=REPO)
    assert several.code == 0, several.stderr
    assert several.stdout == result.stdout


# -- output folder -------------------------------------------------------------------------------


def _canonical(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True)


def test_output_dir_writes_one_file_per_environment_release_and_template(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_pytemplar("render", SHOP, "--all-envs", "--output-dir", out, cwd=REPO)
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert (out / MARKER).is_file()
    templates = {p.name.removesuffix(".j2") for p in (EXAMPLES / "microservice" / "templates").glob("[!_]*.j2")}
    written: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(out.rglob("*.yaml")):
        relative = path.relative_to(out)
        docs = documents(path.read_text(encoding="utf-8"))
        assert docs, f"{relative} is empty"
        env = relative.parts[0]
        assert env in ENVIRONMENTS
        written.setdefault(env, []).extend(docs)
        if all(doc["kind"] == "Namespace" for doc in docs):
            continue
        assert len(relative.parts) == 3, relative
        _, release, template = relative.parts
        assert release in RELEASES
        assert template in templates or template.startswith("generated-"), template
        for doc in docs:
            assert doc["metadata"]["labels"]["app.kubernetes.io/instance"] == release
            assert doc["metadata"]["namespace"] == f"shop-{env}"
    assert (out / "prod" / "service-a" / "hpa.yaml").is_file()
    assert not (out / "prod" / "service-b" / "hpa.yaml").exists()
    assert not (out / "dev" / "service-a" / "pdb.yaml").exists()
    for env in ENVIRONMENTS:
        assert sorted(written[env], key=_canonical) == sorted(documents(render(env).stdout), key=_canonical)


def test_output_dir_does_not_write_a_file_named_like_a_project_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_pytemplar("render", SHOP, "-e", "prod", "--output-dir", out, cwd=REPO)
    assert result.code == 0, result.stderr
    namespace_files = [
        path.relative_to(out).as_posix()
        for path in out.rglob("*.yaml")
        if any(doc["kind"] == "Namespace" for doc in documents(path.read_text(encoding="utf-8")))
    ]
    assert len(namespace_files) == 1
    # A Namespace in DIR/prod/pytemplar.yaml reads as a pytemplar project file to people, editors
    # (yaml-language-server schema mapping) and to pytemplar itself when pointed at the folder.
    assert not namespace_files[0].endswith("pytemplar.yaml"), namespace_files


def test_output_dir_second_run_replaces_the_environments_it_renders(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_pytemplar("render", SHOP, "--all-envs", "--output-dir", out, cwd=REPO)
    assert first.code == 0, first.stderr
    assert (out / "prod" / "service-a" / "hpa.yaml").is_file()
    (out / "dev" / "service-a" / "stale.yaml").write_text("kind: Stale\n", encoding="utf-8")
    second = run_pytemplar("render", SHOP, "-e", "dev", "--output-dir", out, cwd=REPO)
    assert second.code == 0, second.stderr
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "dev", "prod", "staging"]
    assert (out / "prod" / "service-a" / "hpa.yaml").is_file()
    assert not (out / "dev" / "service-a" / "stale.yaml").exists()
    assert (out / "dev" / "service-a" / "deployment.yaml").is_file()
    # No staging or retired folders are left beside the output.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failed_render_leaves_the_existing_output_folder_untouched(tmp_path: Path) -> None:
    project = copy_shop(tmp_path)
    out = tmp_path / "out"
    first = run_pytemplar("render", project, "--all-envs", "--output-dir", out, cwd=tmp_path)
    assert first.code == 0, first.stderr
    before = snapshot(out)
    overlay = project / "envs" / "prod.yaml"
    overlay.write_text(overlay.read_text(encoding="utf-8").replace("replicaCount: 3", "replicaCount: three"))
    second = run_pytemplar("render", project, "--all-envs", "--output-dir", out, cwd=tmp_path)
    assert second.code == 1
    assert "apps/shop/envs/prod.yaml:2:15: error:" in second.stderr
    assert "Traceback" not in second.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["apps", "out"]


def test_output_dir_refuses_a_non_empty_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n", encoding="utf-8")
    (out / "sub").mkdir()
    (out / "sub" / "deployment.yaml").write_text("kind: Deployment\n", encoding="utf-8")
    before = snapshot(out)
    result = run_pytemplar("render", EXAMPLES / "shop", "-e", "dev", "--output-dir", "mine", cwd=tmp_path)
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "mine: error: output folder 'mine' is not empty and was not written by pytemplar",
        "  hint: choose an empty or new folder; pytemplar replaces the environments it renders there",
    ]
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_output_dir_refuses_to_replace_the_project_folder(tmp_path: Path) -> None:
    project = copy_shop(tmp_path)
    before = snapshot(project)
    result = run_pytemplar("render", "apps/shop", "-e", "dev", "--output-dir", "apps/shop", cwd=tmp_path)
    assert result.code == 1
    assert "output folder 'apps/shop' would replace the project or app folder" in result.stderr
    assert snapshot(project) == before


def test_validate_accepts_the_shop() -> None:
    result = run_pytemplar("validate", SHOP, cwd=REPO)
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "ok: 12 releases in 3 environments; 0 errors\n"
