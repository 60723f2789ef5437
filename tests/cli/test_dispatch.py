"""Commands come from one table; the CLI builds only the parser of the command it runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from conftest import run_pytemplar
from typer.testing import CliRunner

import pytemplar.cli
from pytemplar.cli import COMMANDS, build_app, command_app

NAMES = [command.name for command in COMMANDS]
CLI_FOLDER = Path(pytemplar.cli.__file__).parent


def test_every_module_of_the_cli_is_one_command_of_the_table() -> None:
    # A command module that the table forgets would silently not exist.
    modules = sorted(path.stem for path in CLI_FOLDER.glob("*.py") if not path.stem.startswith("_"))
    assert sorted(command.module for command in COMMANDS) == modules
    assert len(set(NAMES)) == len(NAMES)


def test_each_row_names_a_command_or_a_group() -> None:
    for command in COMMANDS:
        target = command.target()
        assert isinstance(target, typer.Typer) or callable(target), command


def test_help_lists_the_table_in_its_order() -> None:
    result = run_pytemplar("--help")
    assert result.code == 0
    listed = re.findall(r"^  ([a-z-]+)  ", result.stdout.split("Commands:", 1)[1], re.MULTILINE)
    groups = [command.name for command in COMMANDS if isinstance(command.target(), typer.Typer)]
    assert listed == [name for name in NAMES if name not in groups] + groups


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rest", [["--help"], ["--no-such-option"]])
def test_a_narrowed_app_answers_as_the_whole_app(name: str, rest: list[str]) -> None:
    argv = [name, *rest]
    narrowed = command_app(argv)
    assert len(narrowed.registered_commands) + len(narrowed.registered_groups) == 1
    runner = CliRunner()
    expected = runner.invoke(build_app(), argv, prog_name="pytemplar", env={"COLUMNS": "100"})
    actual = runner.invoke(narrowed, argv, prog_name="pytemplar", env={"COLUMNS": "100"})
    assert (actual.exit_code, actual.output) == (expected.exit_code, expected.output)
    assert expected.exit_code == (0 if rest == ["--help"] else 2)


@pytest.mark.parametrize("argv", [[], ["--version"], ["-h"], ["no-such-command"], ["render-x"]])
def test_anything_else_gets_the_whole_app(argv: list[str]) -> None:
    whole = command_app(argv)
    assert len(whole.registered_commands) + len(whole.registered_groups) == len(COMMANDS)
