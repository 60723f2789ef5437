"""Inputs that used to cost CPU out of proportion, each now bounded by design (H25, H44, H64).

Each case runs with the default flags: the bound is the algorithm's, not ``--timeout``'s. The
harness's own wall-clock limit only turns a regression into a failed test instead of a stuck job.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer

from pytemplar.cli import build_app

from .harness import RENDER, Sandbox


def test_ignore_pattern_with_many_stars_is_matched_without_backtracking(sandbox: Sandbox) -> None:
    """``*a*a…*b`` (23 stars) against a 30-letter name was exponential: 16 s for one name."""
    name = "a" * 30
    sandbox.write({"app/.pytemplarignore": "*a" * 23 + "*b\n", f"app/files/{name}": "x\n"})
    result = sandbox.run("package", "app", "-d", "dist", expect_changes=("dist",))
    sandbox.accepted(result)
    import tarfile

    with tarfile.open(sandbox.work / "dist" / "demo-0.1.0.tgz") as archive:
        assert f"demo/files/{name}" in archive.getnames()  # no 'b' in the name: kept


def test_ignore_pattern_too_large_to_match_is_refused_at_its_line(sandbox: Sandbox) -> None:
    sandbox.write({"app/.pytemplarignore": "*.bak\n" + "?" * 600_000 + "\n"})
    result = sandbox.run("package", "app", "-d", "dist")
    sandbox.refused(
        result, file="app/.pytemplarignore", line=2, message=r"this pattern cannot be matched: it is too large$"
    )


def test_six_thousand_set_arguments_take_linear_time(sandbox: Sandbox) -> None:
    """6,000 unused ``--set`` keys made the did-you-mean hint compare each with all others (26 s)."""
    sandbox.write({})
    arguments = [part for index in range(6000) for part in ("--set", f"extra{index}=v{index}")]
    result = sandbox.run(*RENDER, *arguments)
    sandbox.accepted(result)
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert len(warnings) == 6000
    assert warnings[0] == "--set #1 extra0=v0: warning: [dev/one] 'extra0' is not used by any template"


def test_did_you_mean_still_finds_the_close_key(sandbox: Sandbox) -> None:
    sandbox.write({})
    result = sandbox.run(*RENDER, "--set", "replicsa=3")
    sandbox.accepted(result)
    assert "did you mean 'replicas'?" in result.stderr


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every command of the command line, subcommands of groups included."""
    found: list[tuple[tuple[str, ...], Any]] = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found.extend(_commands(command, (*prefix, name)))
        else:
            found.append(((*prefix, name), command))
    return found


COMMANDS = _commands(typer.main.get_command(build_app()))


@pytest.mark.parametrize("command", [pytest.param(c, id=" ".join(path)) for path, c in COMMANDS])
def test_every_command_has_time_and_memory_limits(command: Any) -> None:
    options = {name for param in command.params for name in getattr(param, "opts", ())}
    assert {"--timeout", "--max-memory"} <= options


def test_package_renders_under_the_render_budget(sandbox: Sandbox) -> None:
    """``package`` renders the app to check it; a template that loops over megabytes is stopped
    by the render budget with the default flags, naming its line, and no archive is written."""
    loop = "{% for i in range(100000) %}{{ ('x' * 999999) | replace('x', 'yy') | length }}{% endfor %}\n"
    sandbox.write({"app/templates/loop.yaml.j2": loop})
    result = sandbox.run("package", "app", "-d", "dist")
    sandbox.refused(result, file="app/templates/loop.yaml.j2", line=1, message=r"more than 10,000,000 units of work")


def test_package_stops_at_its_time_limit(sandbox: Sandbox) -> None:
    """No package is built within a millisecond: --timeout stops it, exit 124, nothing written."""
    result = sandbox.run("package", "app", "-d", "dist", "--timeout", "0.001")
    sandbox.refused(result, file=None, message=r"took longer than 0\.001 s", code=124)
