"""The CLI builds only the parser of the command it runs; that command must not notice."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pytemplar.cli import app
from pytemplar.cli._common import _command_app, _command_name, _group_name

NAMES = sorted(
    {name for name in map(_command_name, app.registered_commands) if name}
    | {name for name in map(_group_name, app.registered_groups) if name}
)


def test_every_command_is_found_by_name() -> None:
    assert {"render", "validate", "values", "set", "diff", "rollout", "new", "package", "init"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rest", [["--help"], ["--no-such-option"]])
def test_a_narrowed_app_answers_as_the_whole_app(name: str, rest: list[str]) -> None:
    argv = [name, *rest]
    narrowed = _command_app(argv)
    assert narrowed is not app
    assert len(narrowed.registered_commands) + len(narrowed.registered_groups) == 1
    runner = CliRunner()
    expected = runner.invoke(app, argv, prog_name="pytemplar", env={"COLUMNS": "100"})
    actual = runner.invoke(narrowed, argv, prog_name="pytemplar", env={"COLUMNS": "100"})
    assert (actual.exit_code, actual.output) == (expected.exit_code, expected.output)
    assert expected.exit_code == (0 if rest == ["--help"] else 2)


@pytest.mark.parametrize("argv", [[], ["--version"], ["-h"], ["no-such-command"], ["render-x"]])
def test_anything_else_gets_the_whole_app(argv: list[str]) -> None:
    assert _command_app(argv) is app
