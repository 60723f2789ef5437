"""A template that runs away is stopped by the render budget, with the default flags (H25b, H25j).

The budget counts units of work (loop steps weighted by the loop body's size, macro bodies, calls)
and the characters written, while the template renders: the same template is stopped at the same
point on every machine, after about a second of CPU, with its file and line.
"""

from __future__ import annotations

import pytest

from .harness import RENDER, Sandbox, configmap

T = "app/templates/t.yaml.j2"
WORK = (
    r"not allowed in a template: more than 10,000,000 units of work \(loop steps, calls and characters handled\) "
    r"in one render; "
    r"does a loop never end\?$"
)


@pytest.mark.parametrize(
    ("template", "line", "message"),
    [
        pytest.param(
            "a: 1\n{% for i in range(10**10) %}x{% endfor %}\n",
            2,
            r"not allowed in a template: range\(10000000000\) is too large: 10,000,000,000 numbers, more than 100,000$",
            id="range-of-ten-billion",
        ),
        pytest.param(
            "a: 1\n{% for i in range(100000) %}\n{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
            3,
            WORK,
            id="nested-loops-of-ten-billion-steps",
        ),
        pytest.param(
            "{% macro f(n) %}\n{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}\na: {{ f(40) }}\n",
            2,
            WORK,
            id="macro-calling-itself-twice",
        ),
        pytest.param(
            "{% set s = 'x' * 999999 %}a: 1\n{% for i in range(100000) %}{{ s | replace('x', 'yy') | length }}\n"
            "{% endfor %}\n",
            2,
            WORK,
            id="replace-on-a-megabyte-per-step",
        ),
        pytest.param(
            "{% set s = 'x' * 999999 %}a: 1\n{% for i in range(100000) %}{{ (s ~ s) | length }}{% endfor %}\n",
            2,
            WORK,
            id="concatenating-megabytes-per-step",
        ),
        pytest.param(
            "{% set s = 'x' * 999999 %}a: 1\n{% for i in range(100000) %}{{ s.upper() | length }}{% endfor %}\n",
            2,
            WORK,
            id="string-method-on-a-megabyte-per-step",
        ),
        pytest.param(
            "{% set l = range(100000) | list %}a: 1\n{% for i in range(100000) %}{{ l | join(',') | length }}"
            "{% endfor %}\n",
            2,
            WORK,
            id="joining-a-long-list-per-step",
        ),
        pytest.param(
            "{% set l = ['x' * 999999] * 999999 %}\na: {{ l | join('') | length }}\n",
            2,
            r"not allowed in a template: join would make 999,998,000,001 characters, more than the rest of one "
            r"render's budget \([0-9,]+ characters\)$",
            id="join-of-a-terabyte",
        ),
        pytest.param(
            "{% set s = 'x' * 999999 %}\na: {{ s | replace('x', s) | length }}\n",
            2,
            r"not allowed in a template: replace would make 999,998,000,001 characters",
            id="replace-making-a-terabyte",
        ),
        pytest.param(
            "{% set s = 'x' * 999999 %}\na: {{ s.replace('x', s) | length }}\n",
            2,
            r"not allowed in a template: replace would make 999,998,000,001 characters",
            id="str-replace-method-making-a-terabyte",
        ),
        pytest.param(
            "{% set s %}\n{% for i in range(100000) %}" + "y" * 2000 + "{% endfor %}{% endset %}\n"
            "a: {{ s | length }}\n",
            2,
            WORK,
            id="literal-text-captured-by-set-per-step",
        ),
        pytest.param(
            "a: |\n{% for i in range(100000) %}{% for j in range(100000) %}\n  {{ 'x' * 1000 }}\n"
            "{% endfor %}{% endfor %}\n",
            3,
            r"the template rendered more than 16,777,216 characters, the limit$",
            id="output-past-16-mib",
        ),
    ],
)
def test_runaway_template_is_stopped_at_its_line(sandbox: Sandbox, template: str, line: int, message: str) -> None:
    sandbox.write({T: template})
    result = sandbox.run(*RENDER)
    sandbox.refused(result, file=T, line=line, message=r"^" + T + rf":{line}: error: \[dev/one\] " + message)


def test_a_large_but_finite_template_renders(sandbox: Sandbox) -> None:
    """Guarding against over-blocking: a 100,000-line ConfigMap, a macro call per line, is well
    inside the budget."""
    template = "{% macro item(i, j) %}k{{ i }}-{{ j }}{% endmacro %}" + configmap(
        "{% for i in range(1000) %}{% for j in range(100) %}  {{ item(i, j) }}: v\n{% endfor %}{% endfor %}"
    )
    sandbox.write({T: template})
    result = sandbox.run(*RENDER)
    sandbox.accepted(result)
    data = next(doc["data"] for doc in result.documents() if doc["kind"] == "ConfigMap")
    assert len(data) == 100_000 and data["k999-99"] == "v"


def test_a_catastrophic_regular_expression_in_a_template_is_matched_in_linear_time(sandbox: Sandbox) -> None:
    """``regex_match('^(a+)+$')`` on 40 letters and a '!' backtracks for hours in Python's ``re``;
    the regex filters use RE2, as Helm's Go regexp does, and answer at once."""
    sandbox.write({T: configmap("  m: \"{{ ('a' * 40 ~ '!') | regex_match('^(a+)+$') }}\"")})
    result = sandbox.run(*RENDER)
    sandbox.accepted(result)
    data = next(doc["data"] for doc in result.documents() if doc["kind"] == "ConfigMap")
    assert data == {"m": "false"}


def test_a_regular_expression_needing_backtracking_is_refused_at_its_line(sandbox: Sandbox) -> None:
    sandbox.write({T: "a: 1\nb: {{ 'xy' | regex_replace('x(?=y)', 'z') }}\n"})
    result = sandbox.run(*RENDER)
    sandbox.refused(
        result,
        file=T,
        line=2,
        message=r"not allowed in a template: the regular expression 'x\(\?=y\)' uses a lookahead '\(\?=\.\.\.\)', "
        r"which needs a backtracking matcher$",
    )
