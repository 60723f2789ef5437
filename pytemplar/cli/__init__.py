"""The command line: parses flags, calls :mod:`pytemplar.api`, prints, and sets the exit code.

Only this package prints or exits. Each command lives in its own module, and ``COMMANDS`` below
registers it: nothing registers itself on import, so a command missing from the table does not
exist (and a test fails). ``--help`` lists the commands in the table's order, then the groups.
A run builds the parser of its own command only, and commands import the library lazily inside
their action, so that ``--help`` and small renders stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Annotated, Any

import typer

from pytemplar import __version__
from pytemplar.cli._common import entrypoint


@dataclass(frozen=True)
class Command:
    """``pytemplar NAME``: ``attribute`` of ``pytemplar.cli.<module>``, a function or, for a group
    of subcommands, a ``typer.Typer``."""

    name: str
    module: str
    attribute: str

    def target(self) -> Any:
        return getattr(import_module(f"pytemplar.cli.{self.module}"), self.attribute)


COMMANDS: tuple[Command, ...] = (
    Command("render", "render", "render"),
    Command("validate", "validate", "validate"),
    Command("values", "values", "values_command"),
    Command("set", "edit", "set_command"),
    Command("diff", "diff", "diff_command"),
    Command("schema", "schema", "schema_command"),
    Command("docs", "docs", "docs_command"),
    Command("package", "package", "package_command"),
    Command("init", "init", "init_command"),
    Command("completion", "completion", "completion_command"),
    Command("rollout", "rollout", "rollout_app"),
    Command("argocd", "argocd", "argocd_app"),
    Command("new", "new", "new_app"),
    Command("add", "add", "add_app"),
    Command("import", "importing", "import_app"),
)


def _version(value: bool) -> None:
    if value:
        print(f"pytemplar {__version__}")
        raise typer.Exit()


def main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """pytemplar: Kubernetes manifests from Jinja2 app templates with layered, validated values."""


def build_app(commands: tuple[Command, ...] = COMMANDS) -> typer.Typer:
    """The ``pytemplar`` app with ``commands`` registered, in their order."""
    app = typer.Typer(
        name="pytemplar",
        help="Render Kubernetes manifests from one app template for many releases and environments.",
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(main)
    for command in commands:
        target = command.target()
        if isinstance(target, typer.Typer):
            app.add_typer(target, name=command.name)
        else:
            app.command(command.name)(target)
    return app


def command_app(argv: list[str]) -> typer.Typer:
    """The app to run ``argv`` with: when it names a command, an app holding only that command.

    Typer builds the parser of every registered command before it dispatches, which costs more
    than rendering one small release; the narrowed app builds one and behaves the same for it.
    An unknown command gets the whole app, which says so with the list of commands.
    """
    wanted = argv[0] if argv and not argv[0].startswith("-") else None
    named = tuple(command for command in COMMANDS if command.name == wanted)
    return build_app(named or COMMANDS)


__all__ = ["COMMANDS", "Command", "build_app", "command_app", "entrypoint"]
