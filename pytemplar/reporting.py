"""Turning problems into text for people and machines (text, JSON, GitHub annotations)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from pytemplar.errors import Problem, escape_control
from pytemplar.records import replace
from pytemplar.values import Origin, ValuePath, format_path, iter_leaves
from pytemplar.yamlout import scalar_text


def strictly(problems: Sequence[Problem]) -> list[Problem]:
    """The problems with every warning made an error (``validate --strict``)."""
    return [replace(p, severity="error") for p in problems]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(problems: Sequence[Problem], releases: Sequence[tuple[str, str]]) -> str:
    """One closing line for people: what was checked and how it went."""
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    checked = (
        f"{_count(len(releases), 'release')} in {_count(len({env for env, _ in releases}), 'environment')}"
        if releases
        else "the project could not be loaded"
    )
    counts = _count(errors, "error") + (f", {_count(warnings, 'warning')}" if warnings else "")
    return f"{'ok' if not errors else 'failed'}: {checked}; {counts}"


def as_text(problems: Sequence[Problem]) -> str:
    return "".join(problem.format() + "\n" for problem in problems)


def as_json(
    problems: Sequence[Problem], releases: Sequence[tuple[str, str]], files: Sequence[str] | None = None
) -> str:
    """The report as JSON: ``checked`` lists the releases, or the files of ``validate -f``."""
    items = [problem.frame() for problem in problems]
    document = {
        "ok": not any(p.severity == "error" for p in problems),
        "checked": (
            [{"file": name} for name in files]
            if files is not None
            else [{"environment": env, "release": rel} for env, rel in releases]
        ),
        "problems": items,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def origins_table(values: dict[str, Any], origins: Callable[[ValuePath], Sequence[Origin]]) -> str:
    """One line per leaf: its value, the file:line:col that set it, and the layers it overrode."""
    lines = []
    for path, value in iter_leaves(values):
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else scalar_text(value)
        line = f"{format_path(path, '') if path else '.'}: {text}"
        found = origins(path)
        if found:
            line += f"  # {found[0].location} ({found[0].layer.kind})"
            if len(found) > 1:
                line += "; overrides " + ", ".join(f"{o.location} ({o.layer.kind})" for o in found[1:])
        lines.append(escape_control(line) + "\n")
    return "".join(lines)


def origins_json(values: dict[str, Any], origins: Callable[[ValuePath], Sequence[Origin]]) -> str:
    """The data of :func:`origins_table` for machines: one entry per leaf, in the same order.

    ``origin`` is the layer that won (null for a value no file set); ``overrides`` the layers
    below it that set the same path, highest first.
    """

    def place(origin: Origin) -> dict[str, Any]:
        where = origin.location
        return {"file": where.file, "line": where.line, "column": where.column, "layer": origin.layer.kind}

    entries = []
    for path, value in iter_leaves(values):
        found = origins(path)
        entries.append(
            {
                "path": format_path(path, "") if path else ".",
                "value": value,
                "origin": place(found[0]) if found else None,
                "overrides": [place(o) for o in found[1:]],
            }
        )
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(problems: Sequence[Problem]) -> str:
    """GitHub Actions workflow commands: one annotation per problem."""
    lines = []
    for problem in problems:
        props = []
        if problem.location:
            props.append(f"file={_escape_property(problem.location.file)}")
            if problem.location.line:
                props.append(f"line={problem.location.line}")
            if problem.location.column:
                props.append(f"col={problem.location.column}")
        # The title names the check, so a reviewer sees which rule to fix or to disable for the object.
        title = " ".join(x for x in ("pytemplar", problem.rule, problem.scope) if x)
        props.append(f"title={_escape_property(title)}")
        message = escape_control(problem.text)
        if problem.hint:
            message += f"\n{escape_control(problem.hint)}"
        lines.append(f"::{problem.severity} {','.join(props)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


JUNIT_INPUT_CASE = "input"  # the test case of problems about no one object: values, templates, YAML


def junit_suite(problem: Problem) -> str:
    """The test suite a problem belongs to: its environment/release, else its file."""
    if problem.release or problem.environment:
        return "/".join(x for x in (problem.environment, problem.release) if x)
    return problem.location.file if problem.location else "project"


def as_junit(problems: Sequence[Problem], objects: Sequence[tuple[str, str]] = (), checks: Sequence[str] = ()) -> str:
    """JUnit XML, as Jenkins' junit step reads it: a test suite per release (or file), a test case per
    object and check (``Kind namespace/name [check]``), failed by each error that check found in it;
    problems about no one object fail the suite's ``input`` case. ``objects`` are the (suite, object)
    pairs checked, ``checks`` the ids of the checks run."""
    from xml.etree import ElementTree as ET

    suites: dict[str, dict[str, list[Problem]]] = {}
    for suite_name, subject in objects:
        cases = suites.setdefault(suite_name, {})
        for check in checks:
            cases.setdefault(f"{subject} [{check}]", [])
    for problem in problems:
        cases = suites.setdefault(junit_suite(problem), {})
        if problem.subject is None:
            name = JUNIT_INPUT_CASE
        elif problem.rule is None:
            name = problem.subject
        else:
            name = f"{problem.subject} [{problem.rule}]"
        cases.setdefault(name, []).append(problem)
    total = sum(len(cases) for cases in suites.values())
    failed = sum(1 for cases in suites.values() for found in cases.values() if _fails(found))
    root = ET.Element("testsuites", name="pytemplar validate", tests=str(total), failures=str(failed))
    for suite_name, cases in suites.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=suite_name,
            tests=str(len(cases)),
            failures=str(sum(1 for found in cases.values() if _fails(found))),
        )
        # Jenkins splits a class name at its last dot into package and class.
        classname = suite_name.replace(".", "_")
        for name, found in cases.items():
            case = ET.SubElement(suite, "testcase", classname=classname, name=escape_control(name))
            notes = []
            for problem in found:
                text = escape_control(problem.format().replace("\n", " | "))
                if problem.severity == "error":
                    failure = ET.SubElement(case, "failure", message=escape_control(problem.text), type="error")
                    failure.text = text
                else:
                    notes.append(text)
            if notes:
                ET.SubElement(case, "system-out").text = "\n".join(notes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _fails(problems: Sequence[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
