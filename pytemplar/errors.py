"""Problems and the one exception hierarchy that carries them.

Every stage reports what is wrong as :class:`Problem` values with a :class:`Location`.
Nothing below the CLI prints: the CLI turns a :class:`PytemplarError` into text once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Literal

from pytemplar.records import field, record, replace

Severity = Literal["error", "warning"]


# All C0 and C1 controls (a message is one line), and the bidirectional overrides.
@cache
def _control() -> re.Pattern[str]:
    # compiled on first use (~0.3 ms), by the commands that print a value
    return re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def escape_control(text: str) -> str:
    """Make control characters visible so a value in a message cannot drive the terminal."""
    if text.isprintable():  # none of them is printable: most texts need no pattern
        return text
    return _control().sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def display_path(path: Path | str) -> str:
    """A path as users typed it: relative to the working directory when it lies below it."""
    p = Path(path)
    try:
        return os.path.relpath(p) if p.is_absolute() and Path.cwd() in p.parents else str(p)
    except (OSError, ValueError):
        return str(p)


@record(order=True)
class Location:
    """A place in a file; line and column are 1-based."""

    path: str
    line: int | None = None
    column: int | None = None

    def __init__(self, path: str, line: int | None = None, column: int | None = None) -> None:
        # Written out, as @record would compile it: reading a YAML file makes a location per key
        # and value, and a record compiles its __init__ from source (~0.12 ms) once it has made 32.
        _set = object.__setattr__
        _set(self, "path", path)
        _set(self, "line", line)
        _set(self, "column", column)

    @property
    def file(self) -> str:
        """The file as people read it: relative to the working directory when it lies below it."""
        return display_path(self.path) if not self.path.startswith("--") else self.path

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@record
class Problem:
    """One thing wrong with the input, where it is, and what to do about it."""

    message: str
    location: Location | None = None
    hint: str | None = None
    severity: Severity = "error"
    release: str | None = None
    environment: str | None = None
    context: tuple[str, ...] = field(default=(), compare=False)
    rule: str | None = None  # the id of the check that found it (``pytemplar.checks.CHECKS``)
    subject: str | None = None  # the object it is about, "Kind namespace/name"

    @property
    def text(self) -> str:
        """The message with the id of its check, as people read it: ``... [kube-schema]``."""
        return f"{self.message} [{self.rule}]" if self.rule else self.message

    # The message frame, the same in every format (reporting.py): where, scope, message, hint.

    @property
    def where(self) -> str:
        """The location as people read it (``file:line:col``), control characters escaped."""
        return escape_control(str(self.location)) if self.location else ""

    @property
    def scope(self) -> str:
        """``environment/release``, either part left out when unknown."""
        return "/".join(x for x in (self.environment, self.release) if x)

    def frame(self) -> dict[str, str | int | None]:
        """The parts of the frame as data, for the formats machines read (JSON, GitHub, JUnit)."""
        location = self.location
        return {
            "severity": self.severity,
            "message": self.message,
            "rule": self.rule,
            "object": self.subject,
            "file": location.file if location else None,
            "line": location.line if location else None,
            "column": location.column if location else None,
            "environment": self.environment,
            "release": self.release,
            "hint": self.hint,
        }

    def format(self) -> str:
        where = f"{self.where}: " if self.location else ""
        scope = f"[{self.scope}] " if self.scope else ""
        lines = [f"{where}{self.severity}: {scope}{escape_control(self.text)}"]
        lines.extend(f"    {escape_control(line)}" for line in self.context)
        if self.hint:
            lines.append(f"  hint: {escape_control(self.hint)}")
        return "\n".join(lines)

    def sort_key(self) -> tuple[str, str, str, int, int, str]:
        loc = self.location or Location("")
        return (
            self.environment or "",
            self.release or "",
            loc.path,
            loc.line or 0,
            loc.column or 0,
            self.message,
        )


class PytemplarError(Exception):
    """Base of every error pytemplar reports to a user. Carries one or more problems."""

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        hint: str | None = None,
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems) or [Problem(message, location=location, hint=hint)]

    @property
    def location(self) -> Location | None:
        return self.problems[0].location

    def scoped(self, *, release: str | None, environment: str | None) -> PytemplarError:
        """The same error with every problem tagged with the release it came from."""
        self.problems = [
            replace(p, release=p.release or release, environment=p.environment or environment) for p in self.problems
        ]
        return self

    @classmethod
    def collect(cls, problems: Iterable[Problem]) -> PytemplarError:
        items = sorted(problems, key=Problem.sort_key)
        return cls(items[0].message if items else "invalid input", problems=items)


class ConfigError(PytemplarError):
    """pytemplar.yaml or app.yaml is missing or malformed."""


class FileAccessError(PytemplarError):
    """A file is missing, outside its root, too large or not a regular file."""


class YamlError(PytemplarError):
    """A YAML input cannot be read under pytemplar's rules."""


class ValuesError(PytemplarError):
    """Merged values do not satisfy the app's schema, or a values layer is unusable."""


class SchemaError(PytemplarError):
    """A JSON Schema itself is unusable."""


class TemplateError(PytemplarError):
    """A template does not compile or fails while rendering."""


class ManifestError(PytemplarError):
    """The rendered output is not valid YAML or fails a manifest check."""


class OutputError(PytemplarError):
    """The output cannot be written where it was asked to go."""


class UsageError(PytemplarError):
    """The command line asks for something impossible (exit code 2)."""
