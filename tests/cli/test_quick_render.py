"""A plain `pytemplar render` line is read without typer, into exactly what typer would pass.

The oracle is typer itself: for generated command lines, the arguments the quick reader returns
must equal those typer hands to the render command, and a line typer refuses (or answers with
help) must be declined by the quick reader.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import pytemplar.cli.render
from pytemplar.cli import build_app
from pytemplar.cli._quick import DEFAULTS, FLAGS, VALUE_OPTIONS, render_arguments


def typer_arguments(argv: list[str]) -> tuple[int, dict[str, Any] | None]:
    """The exit code of the typer app for ``argv``, and the arguments it gave the render command."""
    captured: dict[str, Any] = {}

    def capture(**arguments: Any) -> int:
        captured.update(arguments)
        return 0

    with mock.patch.object(pytemplar.cli.render, "render_command", capture):
        result = CliRunner().invoke(build_app(), argv, prog_name="pytemplar")
    return result.exit_code, (captured or None)


def render_options() -> dict[str, Any]:
    """typer's click parameters of `render`, by name."""
    command = typer.main.get_command(build_app())
    assert isinstance(command, typer.core.TyperGroup)
    return {param.name: param for param in command.commands["render"].params}


def test_the_table_names_every_option_of_render_as_typer_declares_it() -> None:
    params = render_options()
    flags: dict[str, list[str]] = {}
    for flag, (name, _setting) in FLAGS.items():
        flags.setdefault(name, []).append(flag)
    for name, param in params.items():
        if name == "project":
            assert param.param_type_name == "argument"
            continue
        names = sorted([*param.opts, *param.secondary_opts])
        if name in flags:
            assert param.is_flag and names == sorted(flags[name]), name
        else:
            options, _read, many = VALUE_OPTIONS[name]
            assert (names, param.multiple, param.is_flag) == (sorted(options), many, False), name
    assert set(params) == {"project", *VALUE_OPTIONS, *flags}


def test_the_defaults_are_typers() -> None:
    assert typer_arguments(["render"]) == (0, DEFAULTS)
    assert render_arguments(["render"]) == DEFAULTS


_NAMES = sorted({name for options, _read, _many in VALUE_OPTIONS.values() for name in options} | set(FLAGS))
_ODD = ["--help", "-h", "--", "--no-such", "-eprod", "-je", "-", "--version", "--env=", "--all-envs=1"]
_PLAIN = {  # values each option takes, by parameter
    "jobs": ["0", "3", "12"],
    "max_memory": ["0", "512"],
    "timeout": ["0", "2.5", "30"],
    "output": ["yaml", "json"],
    "layout": ["tree", "flat"],
}
_TEXTS = ["prod", "dev", "a=b", "x.yaml", "1.20", "examples/apps/shop"]
_ODD_VALUES = ["", "-", "-1", "1.", "1e3", " 3", "+3", "1_0", "\u0663", "inf", "nan", "YAML", "Json", "Flat", "--env"]


@st.composite
def _option(draw: st.DrawFn) -> list[str]:
    """One option as a user writes it: mostly plain, sometimes odd."""
    kind = draw(st.sampled_from(["value", "value", "value", "flag", "project", "odd"]))
    if kind == "flag":
        return [draw(st.sampled_from(sorted(FLAGS)))]
    if kind == "project":
        return [draw(st.sampled_from(["examples/apps/shop", ".", "project"]))]
    if kind == "odd":
        return [draw(st.sampled_from([*_ODD, *_NAMES, *_ODD_VALUES]))]
    parameter = draw(st.sampled_from(sorted(VALUE_OPTIONS)))
    name = draw(st.sampled_from(VALUE_OPTIONS[parameter][0]))
    plain = draw(st.integers(0, 4)) > 0
    value = draw(st.sampled_from(_PLAIN.get(parameter, _TEXTS) if plain else _ODD_VALUES))
    if name.startswith("--") and draw(st.booleans()):
        return [f"{name}={value}"]
    return [name, value]


@settings(max_examples=300, deadline=None)
@given(st.lists(_option(), max_size=6))
def test_a_line_read_quickly_is_read_as_typer_reads_it(options: list[list[str]]) -> None:
    argv = ["render", *(token for option in options for token in option)]
    quick = render_arguments(argv)
    code, by_typer = typer_arguments(argv)
    if quick is not None:  # declining a line typer reads is allowed: the typer app then runs it
        assert (code, by_typer) == (0, quick), argv


@pytest.mark.parametrize("parameter", sorted(VALUE_OPTIONS))
def test_each_option_with_each_value_is_read_as_typer_reads_it(parameter: str) -> None:
    for name in VALUE_OPTIONS[parameter][0]:
        for value in [*_PLAIN.get(parameter, _TEXTS), *_ODD_VALUES]:
            forms = [[name, value], [f"{name}={value}"]] if name.startswith("--") else [[name, value]]
            for form in forms:
                argv = ["render", *form]
                quick = render_arguments(argv)
                if quick is not None:
                    assert typer_arguments(argv) == (0, quick), argv


def test_plain_lines_are_read_quickly() -> None:
    # The lines the README, CI examples and the Argo CD plugin run.
    for argv in (
        ["render", "examples/apps/shop", "-e", "prod"],
        ["render", "--env", "prod", "--release", "web", "."],
        ["render", ".", "--all-envs", "--output-dir", "out", "--layout=flat", "-j", "1"],
        ["render", ".", "-e", "dev", "--set", "image.tag=1.2", "-f", "extra.yaml", "--timeout", "30"],
    ):
        assert render_arguments(argv) is not None, argv


def test_a_path_that_cannot_be_read_is_left_to_typer(tmp_path: Path) -> None:
    hidden = tmp_path / "values.yaml"
    hidden.write_text("a: 1\n", encoding="utf-8")
    hidden.chmod(0)
    try:
        readable = os.access(hidden, os.R_OK)  # root reads everything
        quick = render_arguments(["render", ".", "-f", str(hidden)])
        assert (quick is None) == (not readable)
        code, _ = typer_arguments(["render", ".", "-f", str(hidden)])
        assert code == (0 if readable else 2)
    finally:
        hidden.chmod(0o600)


def test_other_commands_are_left_to_typer() -> None:
    for argv in ([], ["--version"], ["validate", "."], ["render-x"], ["values", "render"]):
        assert render_arguments(argv) is None, argv


def test_help_of_render_still_comes_from_typer() -> None:
    assert render_arguments(["render", "--help"]) is None
    assert render_arguments(["render", ".", "-h"]) is None
