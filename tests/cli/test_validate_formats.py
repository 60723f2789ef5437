"""validate --format junit for Jenkins, and --strict."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from conftest import MINIMAL_APP, REPO, run_pytemplar


def project_with_a_warning_and_an_error(make_tree: Any) -> Path:
    root: Path = make_tree(
        {
            "project/envs/prod.yaml": "image:\n  tag: 1.20\n",  # kept as text, with a warning
            "project/envs/dev.yaml": "replicas: many\n",  # an error
        },
        base=MINIMAL_APP,
    )
    return root


def test_junit_has_a_suite_per_release_and_the_values_error_on_its_input_case(make_tree: Any) -> None:
    root = project_with_a_warning_and_an_error(make_tree)
    result = run_pytemplar("validate", "project", "--format", "junit", cwd=root)
    assert result.code == 1
    assert result.stderr == ""
    suites = ET.fromstring(result.stdout)
    assert suites.attrib["failures"] == "1"
    by_name = {suite.attrib["name"]: suite for suite in suites.iter("testsuite")}
    assert set(by_name) == {"dev/one", "prod/one"}
    [failed] = [case for case in by_name["dev/one"].iter("testcase") if case.find("failure") is not None]
    assert (failed.attrib["classname"], failed.attrib["name"]) == ("dev/one", "input")
    [failure] = failed.findall("failure")
    assert failure.attrib["message"] == 'values.replicas: "many" is not of type integer'
    assert failure.text is not None and failure.text.startswith("project/envs/dev.yaml:1:11: error: ")
    # prod renders: a passing case per object and check; the warning is on its input case.
    prod = {case.attrib["name"]: case for case in by_name["prod/one"].iter("testcase")}
    assert "Deployment production/one [kube-schema]" in prod and "Deployment production/one [dns-name]" in prod
    assert all(case.find("failure") is None for case in prod.values())
    note = prod["input"].find("system-out")
    assert note is not None and note.text is not None and "warning" in note.text


def test_junit_has_a_case_per_object_and_check_failed_by_that_check(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: ClusterIp, ports: [{port: 80}]}\n"
    )
    result = run_pytemplar("validate", "-f", "app.yaml", "--format", "junit", "--check", "image-pinned", cwd=tmp_path)
    assert result.code == 1
    [suite] = ET.fromstring(result.stdout).iter("testsuite")
    cases = {case.attrib["name"]: case for case in suite.iter("testcase")}
    assert suite.attrib == {"name": "app.yaml", "tests": str(len(cases)), "failures": "2"}
    assert len(cases) == 2 * 13  # two objects, thirteen checks run (resources-set is off)
    assert {case.attrib["classname"] for case in cases.values()} == {"app_yaml"}
    failed = sorted(name for name, case in cases.items() if case.find("failure") is not None)
    assert failed == ["ConfigMap Bad_Name [dns-name]", "Service web [kube-schema]"]
    failure = cases["Service web [kube-schema]"].find("failure")
    assert failure is not None and failure.attrib["message"].startswith("Service web: spec.type: 'ClusterIp'")


def test_github_annotations_point_at_the_field(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: ClusterIp\n  ports: [{port: 80}]\n"
    )
    result = run_pytemplar("validate", "-f", "app.yaml", "--format", "github", cwd=tmp_path)
    assert result.code == 1
    assert result.stdout.startswith(
        "::error file=app.yaml,line=6,col=9,title=pytemplar kube-schema::Service web: spec.type: 'ClusterIp' is not "
        "one of: "
    )


@pytest.mark.parametrize("format", ["json", "github", "junit"])
def test_machine_readable_output_when_nothing_can_be_checked(tmp_path: Path, format: str) -> None:
    result = run_pytemplar("validate", "missing", "--format", format, cwd=tmp_path)
    assert result.code == 2
    assert "project folder 'missing' does not exist" in result.stdout
    assert result.stderr == "error: project folder 'missing' does not exist\n"


def test_warnings_pass_unless_strict(make_tree: Any) -> None:
    root: Path = make_tree({"project/envs/prod.yaml": "image:\n  tag: 1.20\n"}, base=MINIMAL_APP)
    relaxed = run_pytemplar("validate", "project", cwd=root)
    assert relaxed.code == 0, relaxed.stderr
    assert relaxed.stderr.splitlines()[-1] == "ok: 2 releases in 2 environments; 0 errors, 1 warning"
    strict = run_pytemplar("validate", "project", "--strict", cwd=root)
    assert strict.code == 1
    assert strict.stderr.splitlines()[0].startswith("project/envs/prod.yaml:2:8: error: [prod/one] values.image.tag")
    assert strict.stderr.splitlines()[-1] == "failed: 2 releases in 2 environments; 1 error"


def test_the_pre_commit_hook_runs_validate() -> None:
    import yaml

    [hook, _manifests_hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "pytemplar-validate"
    assert hook["entry"] == "pytemplar validate"
    assert hook["pass_filenames"] is False


def test_the_manifests_hook_validates_the_files_it_is_given(tmp_path: Path) -> None:
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = [hook for hook in hooks if hook["id"] == "pytemplar-validate-manifests"]
    assert hook["pass_filenames"] is True
    entry = hook["entry"].split()
    assert entry[:3] == ["pytemplar", "validate", "-f"]
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: B}\n")
    result = run_pytemplar(*entry[1:], "a.yaml", "b.yaml", cwd=tmp_path)  # as pre-commit appends them
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == "failed: 2 objects in 2 files; 1 error"
