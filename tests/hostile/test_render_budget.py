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
    r"not allowed in a template: more than 10,000,000 units of work \(loop steps and calls\) in one render; "
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
