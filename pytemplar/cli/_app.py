"""The typer app: the ``pytemplar`` group with the commands of :data:`pytemplar.cli.COMMANDS`."""

from __future__ import annotations

from typing import Annotated

import typer

from pytemplar import __version__
from pytemplar.cli import COMMANDS, Command


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
