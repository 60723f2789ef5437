"""Smaller hostile cases: an unclosed ``{{``, numbers given with ``--set`` whose text matters."""

from __future__ import annotations

import pytest

from .harness import RENDER, Sandbox, configmap

T = "app/templates/t.yaml.j2"


@pytest.mark.parametrize(
    ("template", "line", "message"),
    [
        pytest.param("a: 1\nb: {{", 2, r"template syntax error: unexpected 'end of template'$", id="bare"),
        pytest.param(
            "a: 1\nb: {{ values.replicas",
            2,
            r"template syntax error: unexpected end of template, expected 'end of print statement'\.$",
            id="expression",
        ),
    ],
)
def test_unclosed_expression_at_the_end_is_a_syntax_error_at_its_line(
    sandbox: Sandbox, template: str, line: int, message: str
) -> None:
    """It used to be an internal error (IndexError), exit 3, with no file or line."""
    sandbox.write({T: template})
    result = sandbox.run(*RENDER)
    sandbox.refused(result, file=T, line=line, message=rf"^{T}:{line}: error: \[dev/one\] {message}")


UNTYPED = configmap('  tag: "{{ values.tag }}"', '  version: "{{ values.version }}"', '  count: "{{ values.count }}"')


def test_set_number_whose_text_would_change_keeps_its_text_with_a_warning(sandbox: Sandbox) -> None:
    """No schema types these values: ``012`` would become 12 and ``1.10`` 1.1, silently."""
    sandbox.write({T: UNTYPED})
    result = sandbox.run(*RENDER, "--set", "tag=012", "--set", "version=1.10", "--set", "count=7")
    sandbox.accepted(result)
    data = next(doc["data"] for doc in result.documents() if doc["kind"] == "ConfigMap")
    assert data == {"tag": "012", "version": "1.10", "count": "7"}
    assert result.stderr.splitlines() == [
        "--set #1 tag=012: warning: [dev/one] values.tag: 012 would be read as the number 12, which changes its "
        "text; using the text '012'",
        "  hint: use --set-string tag=012 to say it is text, or --set-json tag=12 for the number",
        "--set #2 version=1.10: warning: [dev/one] values.version: 1.10 would be read as the number 1.1, which "
        "changes its text; using the text '1.10'",
        "  hint: use --set-string version=1.10 to say it is text, or --set-json version=1.1 for the number",
    ]


def test_set_number_typed_by_the_schema_stays_a_number(sandbox: Sandbox) -> None:
    """``replicas`` is an integer in the schema: ``--set replicas=012`` is the number 12."""
    sandbox.write({})
    result = sandbox.run(*RENDER, "--set", "replicas=012")
    sandbox.accepted(result)
    assert result.stderr == ""
    assert next(doc for doc in result.documents() if doc["kind"] == "Deployment")["spec"]["replicas"] == 12
