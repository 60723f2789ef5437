"""YAML-safe template output: exactly one YAML scalar (or node) per ``{{ }}``.

Text templating knows nothing of YAML, so a value with a newline or ``: `` could add keys or
whole documents to a manifest. Before a template compiles, :class:`YamlSlots` looks at the
template text around every ``{{ expr }}`` and rewrites it to ``{{ (expr) | _slot(kind, indent) }}``,
where ``kind`` says what the surrounding YAML expects there:

``node``     the expression is a whole value, key or list item: strings are emitted quoted,
             numbers, booleans and null as YAML literals, maps and lists as inline JSON;
``dq``/``sq`` inside a double- or single-quoted scalar: the text is escaped for that style;
``block``    inside a literal/folded block scalar: continuation lines get the block's indent;
``plain``    part of a longer plain scalar (``name: {{ a }}-web``): only text that cannot end
             the scalar is accepted;
``comment``  inside a ``#`` comment: only single-line text.

Values that cannot be placed safely are refused with a message that says how to fix the
template, never emitted.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.runtime import Undefined

from pytemplar.yamlout import double_quoted, escape_for_yaml

SLOT_FILTER = "_slot"

MAX_KEY_LENGTH = 1024
_LINE_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")
_RAW_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")
_BLOCK_HEADER = re.compile(r"(?:^|[\s:])[|>][-+0-9]*\s*(?:#.*)?$")


class YamlText(str):
    """Text that is already valid YAML for one node (e.g. the output of ``quote``).

    ``data`` keeps the value it was made from, so a whole-node slot can emit it as
    inline JSON instead of re-indenting multi-line block YAML.
    """

    data: Any = None

    @classmethod
    def of(cls, text: str, data: Any = None) -> YamlText:
        made = cls(text)
        made.data = data
        return made


class SlotError(ValueError):
    """A value cannot be placed where the template put it."""


# -- emitting ------------------------------------------------------------------------------------


def inline_json(value: Any) -> str:
    try:
        return escape_for_yaml(_JSON.encode(value))
    except ValueError as exc:
        raise SlotError(f"cannot write {type(value).__name__} as YAML: {exc}") from exc


def _not_data(value: Any) -> Any:
    if isinstance(value, Undefined):
        str(value)  # raises the undefined error with its name
    raise SlotError(f"a {type(value).__name__} is not data and cannot be written into a manifest")


# One encoder for every slot: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_not_data)


def _float_literal(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def as_text(value: Any) -> str:
    """The text of a scalar as it reads inside a larger string."""
    if isinstance(value, Undefined):
        return str(value)  # StrictUndefined raises here
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:  # as Helm writes a null inside text
        return ""
    if isinstance(value, float):
        return _float_literal(value)
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, (dict, list, tuple)):
        raise SlotError(
            f"a {'map' if isinstance(value, dict) else 'list'} cannot be placed inside text; "
            "pipe it through tojson or place it as a whole value"
        )
    raise SlotError(f"a {type(value).__name__} is not data and cannot be written into a manifest")


def emit_node(value: Any) -> str:
    if type(value) is str:  # the common case, ahead of the checks for its subclasses
        return double_quoted(value)
    if isinstance(value, Undefined):
        return str(value)
    if isinstance(value, YamlText):
        return inline_json(value.data) if value.data is not None else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_literal(value)
    if isinstance(value, str):
        return double_quoted(value)
    if isinstance(value, (dict, list, tuple)):
        return inline_json(value)
    return as_text(value)


def emit_key(value: Any) -> str:
    if isinstance(value, (dict, list, tuple)):
        raise SlotError("a map or list cannot be a key")
    text = emit_node(value)
    if len(text) > MAX_KEY_LENGTH:
        raise SlotError(f"a key longer than {MAX_KEY_LENGTH} characters cannot be written as a YAML key")
    return text


def _refuse_raw(text: str, where: str) -> None:
    """Refuse characters that YAML cannot hold outside double quotes."""
    found = _RAW_UNSAFE.search(text)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise SlotError(
            f"the value contains the control character {code}, which cannot be written {where}; "
            "use double quotes around the scalar"
        )


def _refuse_breaks(text: str, where: str, fix: str = "; use double quotes around the scalar") -> None:
    if _LINE_BREAKS.search(text):
        raise SlotError(f"a value with a line break cannot be placed {where}{fix}")


def emit_double_quoted(value: Any) -> str:
    return double_quoted(as_text(value))[1:-1]


def emit_single_quoted(value: Any) -> str:
    text = as_text(value)
    _refuse_breaks(text, "inside single quotes")
    _refuse_raw(text, "inside single quotes")
    return text.replace("'", "''")


def emit_block(value: Any, indent: int, first_on_line: bool = True) -> str:
    text = as_text(value).replace("\r\n", "\n")
    # The template line ends with its own line break: a file's final newline would add an
    # empty line to the block.
    text = text.removesuffix("\n")
    if _OTHER_BREAKS.search(text):
        raise SlotError(
            "the value has a line break other than \\n, which a block scalar cannot keep; "
            "use double quotes around the scalar"
        )
    _refuse_raw(text, "in a block scalar")
    lines = text.split("\n")
    if any(line and not line.strip(" \t") for line in lines):
        raise SlotError(
            "the value has a line of only spaces or tabs, which a block scalar reads as an empty line; "
            "use double quotes around the scalar"
        )
    first = next((line for line in lines if line), "")
    if first_on_line and first[:1] in (" ", "\t"):
        raise SlotError(
            "the value starts with a space or tab, which would change the block scalar's indentation; "
            "add an indentation indicator to the block header (e.g. |2) or use double quotes"
        )
    return text.replace("\n", "\n" + " " * indent)


def emit_plain(value: Any, at_start: bool, before: str = "", after: str = "", in_flow: bool = False) -> str:
    text = as_text(value)
    problem = None
    if _LINE_BREAKS.search(text):
        problem = "contains a line break"
    elif _RAW_UNSAFE.search(text):
        problem = "contains a control character"
    elif ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        problem = "contains ': ', ' #' or a tab"
    elif text != text.strip():
        problem = "starts or ends with a space"
    elif at_start and text and text[0] in "-?:,[]{}#&*!|>'\"%@`":
        problem = f"starts with '{text[0]}'"
    elif before == ":" and not text and after in ("", " ", "\t"):
        problem = "is empty after ':'"
    elif before in (" ", "\t") and text.startswith("#"):
        problem = "starts with '#' after a space"
    elif after == ":" and not text and before in ("", " ", "\t"):
        problem = "is empty before ':'"
    elif in_flow and any(c in text for c in ",[]{}:?#"):
        problem = "contains one of , [ ] { } : ? # inside a flow collection"
    if problem:
        raise SlotError(
            f"value {double_quoted(text)[:80]} {problem}, which would change the YAML "
            "structure here; put the whole scalar in double quotes"
        )
    return text


def emit_comment(value: Any) -> str:
    text = as_text(value)
    _refuse_breaks(text, "in a comment", "")
    _refuse_raw(text, "in a comment")
    return text


def slot(value: Any, kind: str, indent: int = 0, before: str = "", after: str = "") -> str:
    if kind == "node":
        return emit_node(value)
    if kind == "key":
        return emit_key(value)
    if kind == "dq":
        return emit_double_quoted(value)
    if kind == "sq":
        return emit_single_quoted(value)
    if kind in ("block", "block-mid"):
        return emit_block(value, indent, first_on_line=kind == "block")
    if kind.endswith("plain") or kind.endswith("plain-start"):
        return emit_plain(
            value,
            at_start=kind.endswith("-start"),
            before=before[-1:],
            after=after[:1],
            in_flow=kind.startswith("flow-"),
        )
    return emit_comment(value)


# -- context analysis ----------------------------------------------------------------------------


def _scan_line(prefix: str) -> tuple[str, bool, bool]:
    """The quoting state at the end of ``prefix`` (one line of template text).

    Returns (state, at_scalar_start, in_flow) where state is ``plain``, ``dq``, ``sq`` or
    ``comment`` and in_flow says whether a ``[`` or ``{`` is still open.
    """
    state = "plain"
    at_start = True
    flow = 0
    i = 0
    n = len(prefix)
    while i < n:
        ch = prefix[i]
        if state == "dq":
            if ch == "\\":
                i += 1
            elif ch == '"':
                state, at_start = "plain", False
        elif state == "sq":
            if ch == "'":
                if i + 1 < n and prefix[i + 1] == "'":
                    i += 1
                else:
                    state, at_start = "plain", False
        elif state == "plain":
            if ch in " \t":
                pass
            elif ch == "#" and (i == 0 or prefix[i - 1] in " \t"):
                return "comment", False, flow > 0
            elif at_start and ch == '"':
                state = "dq"
            elif at_start and ch == "'":
                state = "sq"
            elif ch in "[{," or (ch in "-?:" and i + 1 < n and prefix[i + 1] in " \t"):
                flow += ch in "[{"
                at_start = True
            elif ch in "]}":
                flow = max(flow - 1, 0)
                at_start = False
            else:
                at_start = False
        i += 1
    return state, at_start, flow > 0


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _in_block_scalar(previous: list[str], line: str) -> bool:
    indent = _indent_of(line) if line.strip() else len(line)
    for earlier in reversed(previous):
        if not earlier.strip():
            continue
        if _indent_of(earlier) < indent:
            return bool(_BLOCK_HEADER.search(earlier.rstrip()))
    return False


def classify(previous: list[str], prefix: str, suffix: str) -> tuple[str, int]:
    """The slot kind and block indent for an expression between ``prefix`` and ``suffix``."""
    if _in_block_scalar(previous, prefix):
        return ("block" if not prefix.strip() else "block-mid"), _indent_of(prefix)
    state, at_start, in_flow = _scan_line(prefix)
    if state != "plain":
        return state, 0
    rest = suffix.lstrip(" \t")
    is_key = bool(rest) and rest[0] == ":" and (len(rest) == 1 or rest[1] in " \t")
    if at_start and (not rest or rest[0] in "#,]}" or is_key):
        return ("key" if is_key else "node"), 0
    kind = "plain-start" if at_start else "plain"
    return (f"flow-{kind}" if in_flow else kind), 0


_PLACEHOLDER = "x"


class YamlSlots(Extension):
    """Wraps every ``{{ expr }}`` in the slot filter chosen by :func:`classify`."""

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        tokens = list(stream)
        return self._rewrite(tokens)

    def _rewrite(self, tokens: list[Token]) -> Iterator[Token]:
        previous: list[str] = []
        line = ""
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "data":
                parts = token.value.split("\n")
                if len(parts) > 1:
                    previous.append(line + parts[0])
                    previous.extend(parts[1:-1])
                    line = parts[-1]
                else:
                    line += parts[0]
                yield token
                i += 1
                continue
            if token.type != "variable_begin":
                yield token
                i += 1
                continue
            end = i + 1
            while tokens[end].type != "variable_end":
                end += 1
            suffix = self._suffix(tokens, end + 1)
            kind, indent = classify(previous, line, suffix)
            lineno = token.lineno
            yield token
            yield Token(lineno, "lparen", "(")
            yield from tokens[i + 1 : end]
            yield Token(lineno, "rparen", ")")
            yield Token(lineno, "pipe", "|")
            yield Token(lineno, "name", SLOT_FILTER)
            yield Token(lineno, "lparen", "(")
            yield Token(lineno, "string", kind)
            yield Token(lineno, "comma", ",")
            yield Token(lineno, "integer", indent)  # type: ignore[arg-type]
            yield Token(lineno, "comma", ",")
            yield Token(lineno, "string", line[-1:])
            yield Token(lineno, "comma", ",")
            yield Token(lineno, "string", suffix[:1])
            yield Token(lineno, "rparen", ")")
            yield tokens[end]
            line += _PLACEHOLDER
            i = end + 1

    @staticmethod
    def _suffix(tokens: list[Token], start: int) -> str:
        text = ""
        depth = 0
        for token in tokens[start:]:
            if token.type == "variable_begin":
                depth += 1
                text += _PLACEHOLDER
            elif token.type == "variable_end":
                depth -= 1
            elif token.type == "data" and depth == 0:
                head, newline, _ = token.value.partition("\n")
                text += head
                if newline:
                    break
        return text
