"""Commands are bounded in time and memory, and templates cannot build huge values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import run_pytemplar

PROJECT = {
    "app/app.yaml": "name: h\nversion: 1.0.0\n",
    "project/pytemplar.yaml": "environments:\n  prod: {}\nreleases:\n  one:\n    app: ../app\n",
}


def with_template(make_tree: Any, template: str) -> Path:
    root: Path = make_tree({**PROJECT, "app/templates/t.yaml.j2": template})
    return root


# Few loop steps, but each on a million characters: the render budget counts the characters too.
SLOW = "{% for i in range(100000) %}{{ ('x' * 999999) | replace('x', 'yy') | length }}{% endfor %}"


def test_a_loop_over_megabytes_is_stopped_by_the_render_budget(make_tree: Any) -> None:
    root = with_template(make_tree, f"a: |\n  {SLOW}\n")
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root)
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "app/templates/t.yaml.j2:2: error: [prod/one] not allowed in a template: more than 10,000,000 units of work "
        "(loop steps, calls and characters handled) in one render; does a loop never end?"
    ]


def test_a_command_is_stopped_at_the_timeout(make_tree: Any) -> None:
    """No render finishes within a millisecond: the command is stopped, exits 124 and says so."""
    root = with_template(make_tree, "a: 1\n")
    result = run_pytemplar("render", "project", "-e", "prod", "--timeout", "0.001", cwd=root)
    assert result.code == 124
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    # Stopped before or while rendering, as the machine's load decides: the file is named if known.
    assert lines[0].endswith("error: the command took longer than 0.001 s and was stopped") or lines[0].endswith(
        "while rendering this template"
    ), result.stderr
    assert lines[1].endswith("--timeout raises the limit"), result.stderr


def test_a_template_that_allocates_too_much_is_stopped_at_the_memory_limit(make_tree: Any) -> None:
    template = 'a: 1\n{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}\n'
    root = with_template(make_tree, template)
    result = run_pytemplar("render", "project", "-e", "prod", "--max-memory", "100", cwd=root, timeout=60)
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "app/templates/t.yaml.j2: error: [prod/one] rendering this template needed more memory than the limit",
        "  hint: a loop or filter builds something very large; --max-memory raises the limit",
    ]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("9 ** (9 ** 9)", "9 ** 387420489 is too large to compute"),
        ('"x" * 10 ** 9', "repeating a str 1000000000 times is too large"),
        ("[0] * 10 ** 9", "repeating a list 1000000000 times is too large"),
        ("(10 ** 1000) * (10 ** 1000) * (10 ** 1000) * (10 ** 1000) * (10 ** 1000)", "the product is too large"),
    ],
)
def test_obviously_huge_operations_are_refused_before_they_run(make_tree: Any, expression: str, message: str) -> None:
    root = with_template(make_tree, f"a: {{{{ {expression} }}}}\n")
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root, timeout=30)
    assert result.code == 1
    assert result.stderr.startswith("app/templates/t.yaml.j2:1: error: [prod/one] not allowed in a template: ")
    assert message in result.stderr


def test_a_template_that_renders_too_much_text_is_refused(make_tree: Any) -> None:
    root = with_template(make_tree, "a: 1\n{% for i in range(20) %}{{ '#' * 999999 }}\n{% endfor %}")
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root, timeout=60)
    assert result.code == 1
    # Named at the {{ }} that went over: the loop's line.
    assert result.stderr.splitlines()[0] == (
        "app/templates/t.yaml.j2:2: error: [prod/one] the template rendered more than 16,777,216 characters, the limit"
    )


def test_a_template_that_loops_without_end_is_stopped_by_the_render_budget(make_tree: Any) -> None:
    root = with_template(
        make_tree, "a: 1\n{% for i in range(100000) %}\n{% for j in range(100000) %}{% endfor %}{% endfor %}\n"
    )
    result = run_pytemplar("render", "project", "-e", "prod", cwd=root, timeout=60)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "app/templates/t.yaml.j2:3: error: [prod/one] not allowed in a template: more than 10,000,000 units of work "
        "(loop steps, calls and characters handled) in one render; does a loop never end?"
    ]


def test_limits_can_be_lifted(make_tree: Any) -> None:
    root = with_template(
        make_tree, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: '{{ 2 ** 10 }}'}\n"
    )
    result = run_pytemplar("render", "project", "-e", "prod", "--timeout", "0", "--max-memory", "0", cwd=root)
    assert result.code == 0, result.stderr
    assert 'a: "1024"' in result.stdout
