"""The command line: parses flags, calls :mod:`pytemplar.api`, prints, and sets the exit code.

Only this package prints or exits. Each command lives in its own module, and ``COMMANDS`` below
registers it: nothing registers itself on import, so a command missing from the table does not
exist (and a test fails). ``--help`` lists the commands in the table's order, then the groups.
A run builds the parser of its own command only, and commands import the library lazily inside
their action, so that ``--help`` and small renders stay fast. A plain ``render`` does not even
import typer (:mod:`pytemplar.cli._quick`); importing this package does not either.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pytemplar.cli._running import entrypoint
from pytemplar.records import record

if TYPE_CHECKING:
    import typer


@record
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


def build_app(commands: tuple[Command, ...] = COMMANDS) -> typer.Typer:
    """The ``pytemplar`` app with ``commands`` registered, in their order."""
    from pytemplar.cli._app import build_app as build

    return build(commands)


def command_app(argv: list[str]) -> typer.Typer:
    """The app to run ``argv`` with: when it names a command, an app holding only that command."""
    from pytemplar.cli._app import command_app as narrowed

    return narrowed(argv)


__all__ = ["COMMANDS", "Command", "build_app", "command_app", "entrypoint"]
