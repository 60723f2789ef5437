"""Turning problems into text for people and machines (text, JSON, GitHub annotations)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import Any

from pytemplar.errors import Problem, display_path, escape_control
from pytemplar.values import Origin, ValuePath, format_path, iter_leaves
from pytemplar.yamlout import scalar_text


def strictly(problems: Sequence[Problem]) -> list[Problem]:
    """The problems with every warning made an error (``validate --strict``)."""
    return [dataclasses.replace(p, severity="error") for p in problems]


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


def as_json(problems: Sequence[Problem], releases: Sequence[tuple[str, str]]) -> str:
    items = []
    for problem in problems:
        location = problem.location
        items.append(
            {
                "severity": problem.severity,
                "message": problem.message,
                "file": display_path(location.path) if location else None,
                "line": location.line if location else None,
                "column": location.column if location else None,
                "environment": problem.environment,
                "release": problem.release,
                "hint": problem.hint,
            }
        )
    document = {
        "ok": not any(p.severity == "error" for p in problems),
        "checked": [{"environment": env, "release": rel} for env, rel in releases],
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
            props.append(f"file={_escape_property(display_path(problem.location.path))}")
            if problem.location.line:
                props.append(f"line={problem.location.line}")
            if problem.location.column:
                props.append(f"col={problem.location.column}")
        scope = problem.scope
        props.append(f"title={_escape_property('pytemplar ' + scope if scope else 'pytemplar')}")
        message = escape_control(problem.message)
        if problem.hint:
            message += f"\n{escape_control(problem.hint)}"
        lines.append(f"::{problem.severity} {','.join(props)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


def as_junit(problems: Sequence[Problem], releases: Sequence[tuple[str, str]]) -> str:
    """JUnit XML, as Jenkins' test report reads it: one test case per environment x release."""
    from xml.etree import ElementTree as ET

    cases: dict[tuple[str, str], list[Problem]] = {pair: [] for pair in releases}
    for problem in problems:
        key = (problem.environment or "", problem.release or "")
        cases.setdefault(key if key in cases else ("", "project"), []).append(problem)
    failed = str(sum(1 for found in cases.values() if any(p.severity == "error" for p in found)))
    suites = ET.Element("testsuites", name="pytemplar validate", tests=str(len(cases)), failures=failed)
    suite = ET.SubElement(suites, "testsuite", name="pytemplar", tests=str(len(cases)), failures=failed)
    for (environment, release), found in cases.items():
        case = ET.SubElement(suite, "testcase", classname=environment or "project", name=release or "project")
        for problem in found:
            tag = "failure" if problem.severity == "error" else "system-out"
            element = ET.SubElement(case, tag)
            text = escape_control(problem.format().replace("\n", " | "))
            if tag == "failure":
                element.set("message", escape_control(problem.message))
                element.set("type", "error")
            element.text = text
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
