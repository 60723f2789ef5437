"""``.pytemplarignore``: which files of an app ``pytemplar package`` leaves out.

A small, documented subset of ``.gitignore``:

* one pattern per line; blank lines and lines starting with ``#`` are skipped; trailing spaces
  are dropped; ``\\#`` and ``\\!`` start a pattern with a literal ``#`` or ``!``;
* ``*`` matches any characters but ``/``, ``?`` one character but ``/``; every other character
  (``[``, ``]`` and ``\\`` included) matches itself;
* ``**`` as a whole part matches any number of folders: ``**/x``, ``x/**``, ``a/**/b``;
* a pattern ending in ``/`` matches folders only;
* a pattern with a ``/`` at its start or in its middle is relative to the app folder; without
  one it matches a name at any depth;
* ``!pattern`` takes a path back in; the last pattern that matches a path decides.

As in git, a folder that is left out is not entered, so nothing below it can be taken back in.

Patterns become regular expressions matched by RE2, in time linear in the path: a pattern such
as ``*a*a*a…*b`` would make a backtracking matcher take time exponential in the file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pytemplar.errors import ConfigError, Location
from pytemplar.patterns import PatternError, linear

IGNORE_FILE = ".pytemplarignore"


@dataclass(frozen=True)
class Rule:
    pattern: str  # as written, for messages and tests
    regex: Any  # compiled by RE2
    negated: bool
    folders_only: bool

    def matches(self, path: str, is_folder: bool) -> bool:
        return (is_folder or not self.folders_only) and self.regex.fullmatch(path) is not None


@dataclass(frozen=True)
class IgnoreRules:
    rules: tuple[Rule, ...] = ()

    @classmethod
    def parse(cls, text: str, path: str = IGNORE_FILE) -> IgnoreRules:
        rules: list[Rule] = []
        for number, line in enumerate(text.splitlines(), 1):
            try:
                rule = _parse_line(line)
            except PatternError:
                raise ConfigError(
                    "this pattern cannot be matched: it is too large",
                    location=Location(path, number),
                    hint="split it into shorter patterns",
                ) from None
            if rule is not None:
                rules.append(rule)
        return cls(tuple(rules))

    def ignored(self, path: str, is_folder: bool = False) -> bool:
        """Whether ``path`` (relative to the app folder, ``/``-separated) is left out."""
        verdict = False
        for rule in self.rules:
            if rule.matches(path, is_folder):
                verdict = not rule.negated
        return verdict

    def kept(self, paths: Iterable[str]) -> list[str]:
        """The files among ``paths`` that are not left out, themselves or by a folder above them."""
        return [path for path in paths if not self._left_out(path)]

    def _left_out(self, path: str) -> bool:
        parts = path.split("/")
        folders = ("/".join(parts[:end]) for end in range(1, len(parts)))
        return any(self.ignored(folder, is_folder=True) for folder in folders) or self.ignored(path)


def _parse_line(line: str) -> Rule | None:
    text = line.rstrip(" \t\r")
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    if negated or text.startswith(("\\#", "\\!")):
        text = text[1:]
    folders_only = text.endswith("/")
    text = text.rstrip("/")
    if not text:
        return None
    anchored = "/" in text
    body = text.lstrip("/")
    regex = _translate(body if anchored else f"**/{body}")
    return Rule(line.strip(), linear(regex), negated, folders_only)


def _translate(pattern: str) -> str:
    """A pattern of ``/``-separated parts as a regular expression over a whole path."""
    parts = pattern.split("/")
    out: list[str] = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            # Any folders (zero or more) before the next part; at the end, anything below.
            out.append(".*" if last else "(?:[^/]+/)*")
            continue
        out.append(_translate_part(part) + ("" if last else "/"))
    return "".join(out)


def _translate_part(part: str) -> str:
    pieces: list[str] = []
    for char in part:
        if char == "*":
            if not pieces or pieces[-1] != "[^/]*":  # `**` inside a name is one `*`
                pieces.append("[^/]*")
        elif char == "?":
            pieces.append("[^/]")
        else:
            pieces.append(re.escape(char))
    return "".join(pieces)
