"""The command line: parses flags, calls :mod:`pytemplar.api`, prints, and sets the exit code.

Only this package prints or exits. Each command lives in its own module and registers itself
on the shared typer ``app``; the import order below is the order ``--help`` lists them.
Commands import the library lazily inside their action so that ``--help`` stays fast.
"""

from pytemplar.cli._common import app, entrypoint

# isort: off
from pytemplar.cli import render, validate, values  # noqa: F401  (each registers its command)
from pytemplar.cli import edit  # noqa: F401
from pytemplar.cli import diff  # noqa: F401
from pytemplar.cli import rollout  # noqa: F401
from pytemplar.cli import reference  # noqa: F401
from pytemplar.cli import package  # noqa: F401
from pytemplar.cli import add  # noqa: F401
from pytemplar.cli import completion  # noqa: F401
from pytemplar.cli import importing  # noqa: F401
# isort: on

__all__ = ["app", "entrypoint"]
