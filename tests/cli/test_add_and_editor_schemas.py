"""Growing a project (``init --env``, ``add env``, ``add release``) and the schemas editors read.

Every values file pytemplar writes starts with a modeline whose path exists beside it, so an
editor with yaml-language-server checks it offline; overlays point at the app's overlay schema,
which accepts what an overlay may hold (any subset of keys, null, ``rollout``) and still flags
unknown keys and wrong values.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import EXAMPLES, run_pytemplar

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)
SHOP = EXAMPLES / "shop"
MICROSERVICE = EXAMPLES / "microservice"
SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer", None]
STRATEGIES = ["Recreate", "RollingUpdate", "BlueGreen", "Canary", None]


def files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def init(tmp_path: Path, *args: str) -> Path:
    result = run_pytemplar("init", "proj", *args, cwd=tmp_path)
    assert result.code == 0, result.stderr
    return tmp_path / "proj"


def validator(schema_file: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def modeline_target(path: Path) -> Path:
    found = MODELINE.search(path.read_text(encoding="utf-8"))
    assert found, f"{path} has no modeline"
    assert "://" not in found.group(1), "an editor must find the schema offline"
    return (path.parent / found.group(1)).resolve()


# --- init and add ------------------------------------------------------------------------------


def test_init_takes_the_environments_to_create(tmp_path: Path) -> None:
    project = init(tmp_path, "--env", "qa", "--env", "live")
    assert sorted(p.name for p in (project / "envs").iterdir()) == ["live", "live.yaml", "qa.yaml"]
    config = yaml.safe_load((project / "pytemplar.yaml").read_text(encoding="utf-8"))
    assert config["environments"] == {"qa": {"namespace": "proj-qa"}, "live": {"namespace": "proj-live"}}
    validated = run_pytemplar("validate", project)
    assert validated.code == 0, validated.stderr
    assert validated.stderr == "ok: 2 releases in 2 environments; 0 errors\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "Prod"], "error: environment name 'Prod' is not a valid name"),
        (["--env", "dev", "--env", "dev"], "error: give each environment once, and at least one"),
    ],
)
def test_init_refuses_bad_environment_lists(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_pytemplar("init", "proj", *args, cwd=tmp_path)
    assert (result.code, result.stderr.splitlines()[0]) == (2, message)
    assert list(tmp_path.iterdir()) == []


def test_add_env_edits_pytemplar_yaml_in_place_and_the_new_environment_renders(tmp_path: Path) -> None:
    project = init(tmp_path)
    before = (project / "pytemplar.yaml").read_text(encoding="utf-8")
    result = run_pytemplar("add", "env", "perf", "-p", "proj", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stderr == "added the environment perf to proj/pytemplar.yaml; its values go in proj/envs/perf.yaml\n"
    after = (project / "pytemplar.yaml").read_text(encoding="utf-8")
    # Only lines added, right after prod: every comment and the order of the rest are kept.
    assert after == before.replace(
        "    namespace: proj-prod\n", "    namespace: proj-prod\n  perf:\n    namespace: proj-perf\n"
    )
    assert modeline_target(project / "envs/perf.yaml") == (project / "apps/web/values.overlay.schema.json").resolve()
    rendered = run_pytemplar("render", project, "-e", "perf")
    assert rendered.code == 0, rendered.stderr
    assert "namespace: proj-perf\n" in rendered.stdout


def test_add_release_names_the_app_relative_to_the_project(tmp_path: Path) -> None:
    project = init(tmp_path)
    result = run_pytemplar("add", "release", "api", "--app", "proj/apps/web", "-p", "proj", cwd=tmp_path)
    assert result.code == 0, result.stderr
    config = yaml.safe_load((project / "pytemplar.yaml").read_text(encoding="utf-8"))
    assert config["releases"]["api"] == {"app": "apps/web"}
    assert (
        (project / "releases/api.yaml")
        .read_text(encoding="utf-8")
        .endswith("# Values of the api release in every environment.\n{}\n")
    )
    validated = run_pytemplar("validate", project)
    assert validated.stderr == "ok: 6 releases in 3 environments; 0 errors\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["env", "prod"], "error: the environment 'prod' is already in proj"),
        (["env", "Perf"], "error: environment name 'Perf' is not a valid name"),
        (["release", "web", "--app", "apps/web"], "error: the release 'web' is already in proj"),
        (
            ["release", "api", "--app", "apps/nope"],
            "error: --app: 'apps/nope' is not an app template (no app.yaml there)",
        ),
    ],
)
def test_add_refuses_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    project = init(tmp_path)
    before = files(project)
    result = run_pytemplar("add", *args, "-p", "proj", cwd=tmp_path)
    assert (result.code, result.stderr.splitlines()[0]) == (2, message)
    assert files(project) == before


def test_add_refuses_when_the_overlay_file_exists(tmp_path: Path) -> None:
    project = init(tmp_path)
    (project / "envs/perf.yaml").write_text("replicas: 9\n", encoding="utf-8")
    before = files(project)
    result = run_pytemplar("add", "env", "perf", "-p", project)
    assert result.code == 2
    assert "envs/perf.yaml' already exists; nothing was written" in result.stderr
    assert files(project) == before


# --- modelines and overlay schemas ------------------------------------------------------------


def test_every_values_file_init_writes_points_at_a_schema_that_is_there(tmp_path: Path) -> None:
    project = init(tmp_path)
    written = [p for p in project.rglob("*.yaml") if p.name != ".pytemplarignore"]
    assert len(written) == 8
    for path in written:
        target = modeline_target(path)
        assert target.is_file(), f"{path}: {target}"
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        errors = [e.message for e in validator(target).iter_errors(document)]
        assert errors == [], f"{path}: {errors}"


def test_new_app_values_point_at_the_schema_beside_them(tmp_path: Path) -> None:
    result = run_pytemplar("new", "app", "api", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert modeline_target(tmp_path / "api/values.yaml") == (tmp_path / "api/values.schema.json").resolve()
    assert "https://" not in (tmp_path / "api/app.yaml").read_text(encoding="utf-8")


def test_set_writes_the_modeline_into_a_new_overlay(tmp_path: Path) -> None:
    project = init(tmp_path)
    result = run_pytemplar("set", project, "-e", "dev", "-r", "web", "replicas=2")
    assert result.code == 0, result.stderr
    created = project / "envs/dev/web.yaml"
    assert created.read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../../apps/web/values.overlay.schema.json\nreplicas: 2\n"
    )


def shop_overlays() -> list[Path]:
    return sorted([*SHOP.glob("envs/**/*.yaml"), *SHOP.glob("releases/*.yaml")])


def test_the_shop_overlays_meet_their_overlay_schema_not_the_full_one() -> None:
    overlay = validator(MICROSERVICE / "values.overlay.schema.json")
    full = validator(MICROSERVICE / "values.schema.json")
    flagged_by_full = 0
    for path in shop_overlays():
        assert modeline_target(path) == (MICROSERVICE / "values.overlay.schema.json").resolve()
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        assert [e.message for e in overlay.iter_errors(document)] == [], path
        flagged_by_full += bool(list(full.iter_errors(document)))
    assert flagged_by_full >= 10  # what editors showed before: missing required keys, 'rollout'


def example_overlays() -> list[tuple[Path, Path | None]]:
    """Every overlay of every example project, with the one app its releases use (None: several)."""
    found: list[tuple[Path, Path | None]] = []
    for config in sorted(EXAMPLES.glob("*/pytemplar.yaml")):
        project = config.parent
        apps = {
            name: (project / spec["app"]).resolve()
            for name, spec in yaml.safe_load(config.read_text())["releases"].items()
        }
        for path in sorted([*project.glob("envs/**/*.yaml"), *project.glob("releases/*.yaml")]):
            relative = path.relative_to(project).parts
            release = path.stem if relative[0] == "releases" or len(relative) == 3 else None
            used = {apps[release]} if release else set(apps.values())
            found.append((path, used.pop() if len(used) == 1 else None))
    return found


def test_every_example_overlay_and_defaults_file_names_its_schema() -> None:
    overlays = example_overlays()
    assert len(overlays) >= 15
    for path, app in overlays:
        if app is None:  # an environment overlay shared by releases of several apps: no one schema fits
            assert not MODELINE.search(path.read_text(encoding="utf-8")), path
            continue
        assert modeline_target(path) == app / "values.overlay.schema.json", path
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        assert [e.message for e in validator(app / "values.overlay.schema.json").iter_errors(document)] == [], path
    for defaults in sorted(EXAMPLES.glob("*/values.yaml")):
        assert modeline_target(defaults) == defaults.parent / "values.schema.json"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"replicaCont": 3}, "Additional properties are not allowed ('replicaCont' was unexpected)"),
        (
            {"service": {"type": "Loadbalancer"}},
            "'Loadbalancer' is not one of ['ClusterIP', 'NodePort', 'LoadBalancer', None]",
        ),
        ({"image": {"tag": 1.2}}, "1.2 is not of type 'string', 'null'"),
        (
            {"rollout": {"strategy": "Canry"}},
            "'Canry' is not one of ['Recreate', 'RollingUpdate', 'BlueGreen', 'Canary', None]",
        ),
    ],
)
def test_the_overlay_schema_still_flags_typos_and_wrong_values(document: dict[str, Any], message: str) -> None:
    messages = [e.message for e in validator(MICROSERVICE / "values.overlay.schema.json").iter_errors(document)]
    assert messages == [message]


def test_an_overlay_may_hold_any_subset_null_and_rollout() -> None:
    overlay = validator(MICROSERVICE / "values.overlay.schema.json")
    for document in (
        {},
        {"image": {"tag": "2.0.0"}},
        {"resources": None},
        {"rollout": {"canary": {"weight": 20}}},
        {"extraEnv": [{"name": "LOG_LEVEL"}]},
    ):
        assert list(overlay.iter_errors(document)) == [], document
    assert [e.message for e in overlay.iter_errors({"extraEnv": [{"value": "x"}]})] == ["'name' is a required property"]


@pytest.mark.parametrize("app", ["microservice", "worker", "cronjob"])
def test_the_example_overlay_schemas_are_what_schema_values_overlay_prints(app: str) -> None:
    result = run_pytemplar("schema", "values", EXAMPLES / app, "--overlay")
    assert result.code == 0, result.stderr
    assert result.stdout == (EXAMPLES / app / "values.overlay.schema.json").read_text(encoding="utf-8"), (
        f"regenerate: pytemplar schema values examples/apps/{app} --overlay"
        f" > examples/apps/{app}/values.overlay.schema.json"
    )


def test_a_modeline_naming_a_stale_overlay_schema_is_warned_with_the_command_that_refreshes_it(
    tmp_path: Path,
) -> None:
    project = init(tmp_path, "--env", "prod")
    assert run_pytemplar("validate", "proj", cwd=tmp_path).stderr.count("warning") == 0
    schema_file = project / "apps" / "web" / "values.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["properties"]["timeoutSeconds"] = {"type": "integer"}
    schema_file.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    result = run_pytemplar("validate", "proj", cwd=tmp_path)
    assert result.code == 0, result.stderr
    refresh = (
        "  hint: refresh it: pytemplar schema values proj/apps/web --overlay > proj/apps/web/values.overlay.schema.json"
    )
    # One warning, at the file to refresh, for the three overlays whose modelines name it.
    assert result.stderr.splitlines() == [
        "proj/apps/web/values.overlay.schema.json: warning: the editor schema that the overlays' modelines name is"
        " out of date: the app's values schema changed after it was written; editors check them against it",
        refresh,
        "ok: 1 release in 1 environment; 0 errors, 1 warning",
    ]
    # The hint's command, run as shown, refreshes the schema and ends the warnings.
    command = refresh.split("refresh it: ", 1)[1]
    written = run_pytemplar(*command.split(" > ")[0].split()[1:], cwd=tmp_path)
    (tmp_path / command.split(" > ")[1]).write_text(written.stdout, encoding="utf-8")
    again = run_pytemplar("validate", "proj", cwd=tmp_path)
    assert again.stderr.splitlines() == ["ok: 1 release in 1 environment; 0 errors"]
    (project / "apps" / "web" / "values.overlay.schema.json").unlink()
    missing = run_pytemplar("render", "proj", "-e", "prod", cwd=tmp_path)
    assert missing.code == 0
    assert missing.stderr.splitlines() == [
        "proj/apps/web/values.overlay.schema.json: warning: the editor schema that the overlays' modelines name is"
        " missing; editors check them against it",
        refresh,
    ]
