"""Regular expressions of JSON Schemas (``pattern``, ``patternProperties``), matched in linear time.

An app's schema is written by the app's author, and Python's ``re`` backtracks: ``^(a+)+$``
against 30 letters runs for minutes, and one C-level match cannot be interrupted. Patterns are
therefore matched with RE2 (``google-re2``), whose time is linear in the text, whatever the
pattern. RE2 lacks what needs backtracking: lookahead and lookbehind, backreferences, atomic
groups and possessive quantifiers, and it caps a counted repetition at 1,000. Lookaheads right
after ``^`` (how Kubernetes writes "1 to 15 characters, one a letter") are matched as a
conjunction of RE2 searches; any other use of those features makes a schema refused when it is
loaded, naming the pattern and the feature (:func:`problem`). Nothing falls back to ``re``.

JSON Schema patterns follow ECMA-262, which RE2 reads the same in everything else that matters
here: ``\\d`` and ``\\w`` are ASCII, ``\\p{L}`` classes are known, ``(?<name>...)`` names a group.
ECMA's ``\\uXXXX`` escape is rewritten to RE2's ``\\x{XXXX}``.

jsonschema matches ``pattern``, ``patternProperties`` and the ``additionalProperties`` next to
them with the ``re`` module it imports; :func:`use_in_jsonschema` gives it this module's search
instead, so no path through the validator backtracks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

MAX_PATTERN = 10_000  # characters of one pattern

Search = Callable[[str], bool]

_FEATURES = (  # (what RE2 says, what the pattern uses)
    ("(?=", "a lookahead '(?=...)'"),
    ("(?!", "a negative lookahead '(?!...)'"),
    ("(?<=", "a lookbehind '(?<=...)'"),
    ("(?<!", "a negative lookbehind '(?<!...)'"),
    ("(?>", "an atomic group '(?>...)'"),
    ("\\k", "a named backreference '\\k<name>'"),
    ("++", "a possessive quantifier"),
    ("*+", "a possessive quantifier"),
    ("?+", "a possessive quantifier"),
    ("}+", "a possessive quantifier"),
    ("invalid repetition size", "a repetition count above 1,000"),
)
# Compiled on first use: a render whose schemas have no patterns, or whose checks are remembered, needs neither.
_BACKREFERENCE = r"invalid escape sequence: \\[1-9]"
_UNICODE_ESCAPE = r"\\(\\)|\\u([0-9A-Fa-f]{4})"


class PatternError(ValueError):
    """A pattern RE2 cannot run; the message says which feature (or syntax) is at fault."""


def _translated(pattern: str) -> str:
    """ECMA-262's ``\\uXXXX`` as RE2's ``\\x{XXXX}`` (an escaped backslash stays as it is)."""
    if "\\u" not in pattern:  # most patterns: nothing to rewrite, and no pattern to compile (0.14 ms)
        return pattern
    return re.sub(_UNICODE_ESCAPE, lambda m: "\\\\" if m[1] else "\\x{" + m[2] + "}", pattern)


@functools.cache
def _options() -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own message on stderr
    return options


@functools.lru_cache(maxsize=4096)
def compiled(pattern: str) -> Search:
    """A function telling whether ``pattern`` matches somewhere in a text; raises PatternError."""
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"is longer than {MAX_PATTERN:,} characters")
    import re2

    try:
        search = re2.compile(_translated(pattern), _options()).search
    except re2.error as exc:
        parts = _leading_lookaheads(pattern)
        if parts is None:
            raise PatternError(_explain(exc)) from None
        return _conjunction(parts, exc)
    return lambda text: search(text) is not None


def _leading_lookaheads(pattern: str) -> tuple[list[tuple[bool, str]], str] | None:
    """``^(?=A)(?!B)C`` as ``([(True, "A"), (False, "B")], "C")``, or None for any other shape.

    A lookahead right after ``^`` asks whether its body matches at the start of the text, which
    RE2 answers with ``^(?:A)`` on its own: the pattern is the conjunction of those searches and
    ``^(?:C)``, each linear. Kubernetes names are checked this way (``^(?=.{1,15}$)(?=.*[a-z])...``).
    """
    if not pattern.startswith("^(?"):
        return None
    lookaheads: list[tuple[bool, str]] = []
    at = 1
    while pattern.startswith(("(?=", "(?!"), at):
        end = _group_end(pattern, at)
        if end is None:
            return None
        lookaheads.append((pattern[at + 2] == "=", pattern[at + 3 : end]))
        at = end + 1
    return (lookaheads, pattern[at:]) if lookaheads else None


def _group_end(pattern: str, start: int) -> int | None:
    """The index of the ``)`` closing the group opened at ``start`` (escapes and classes skipped)."""
    depth, at, in_class = 0, start, False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            at += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern.startswith(("[]", "[^]"), at):  # a leading ] is a member of the class
                at += 2 if pattern[at + 1] == "]" else 3
                continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return at
        at += 1
    return None


def _conjunction(parts: tuple[list[tuple[bool, str]], str], error: Exception) -> Search:
    lookaheads, rest = parts
    try:
        checks = [(wanted, compiled("^(?:" + body + ")")) for wanted, body in lookaheads]
        main = compiled("^(?:" + rest + ")")
    except PatternError:
        raise PatternError(_explain(error)) from None
    return lambda text: main(text) and all(check(text) == wanted for wanted, check in checks)


def _explain(exc: Exception) -> str:
    said = exc.args[0] if exc.args else ""
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    if re.search(_BACKREFERENCE, text):
        return "uses a backreference '\\1', which needs a backtracking matcher"
    for marker, feature in _FEATURES:
        if marker in text:
            return f"uses {feature}, which needs a backtracking matcher"
    return f"is not a regular expression RE2 accepts ({text})"


def linear(regex: str) -> Any:
    """``regex``, written in the syntax RE2 shares with ``re``, compiled by RE2, whose matches take
    time linear in the text. Raises PatternError."""
    import re2

    try:
        return re2.compile(regex, _options())
    except re2.error as exc:
        raise PatternError(_explain(exc)) from None


def problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used (a phrase following the pattern), or None."""
    try:
        compiled(pattern)
    except PatternError as exc:
        return str(exc)
    return None


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text``; raises PatternError."""
    return compiled(pattern)(text)


class _LinearRe:
    """What jsonschema's keyword modules use of ``re``, matching with RE2."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    @staticmethod
    def search(pattern: str, string: str, flags: int = 0) -> Any:
        if flags or not isinstance(pattern, str) or not isinstance(string, str):
            return re.search(pattern, string, flags)  # not a call jsonschema makes
        return search(pattern, string) or None


def use_in_jsonschema() -> None:
    """Make jsonschema match schema patterns with RE2 (its keyword modules call ``re.search``)."""
    from jsonschema import _keywords, _legacy_keywords, _utils

    for module in (_keywords, _legacy_keywords, _utils):
        if module.re is re:
            module.re = _LinearRe()  # type: ignore[attr-defined]
