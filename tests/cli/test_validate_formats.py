"""validate --format junit for Jenkins, and --strict."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

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


def test_junit_has_one_test_case_per_release_and_a_failure_per_error(make_tree: Any) -> None:
    root = project_with_a_warning_and_an_error(make_tree)
    result = run_pytemplar("validate", "project", "--format", "junit", cwd=root)
    assert result.code == 1
    assert result.stderr == ""
    suites = ET.fromstring(result.stdout)
    assert suites.attrib == {"name": "pytemplar validate", "tests": "2", "failures": "1"}
    cases = {(c.attrib["classname"], c.attrib["name"]): c for c in suites.iter("testcase")}
    assert set(cases) == {("dev", "one"), ("prod", "one")}
    [failure] = cases[("dev", "one")].findall("failure")
    assert failure.attrib["message"] == 'values.replicas: "many" is not of type integer'
    assert failure.text is not None and failure.text.startswith("project/envs/dev.yaml:1:11: error: ")
    assert cases[("prod", "one")].findall("failure") == []
    [note] = cases[("prod", "one")].findall("system-out")
    assert note.text is not None and "warning" in note.text


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

    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "pytemplar-validate"
    assert hook["entry"] == "pytemplar validate"
    assert hook["pass_filenames"] is False
