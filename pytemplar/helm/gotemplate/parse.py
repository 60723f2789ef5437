"""A lexer and parser for the part of Go's text/template language Helm charts use.

Text and actions (``{{ ... }}``, with ``-`` trim markers and ``/* */`` comments) become a
tree of :class:`Node`: text, output actions, ``if``/``else if``/``else``, ``range``, ``with``,
``define``, ``template``/``block``. A pipeline is a list of commands joined by ``|``; a
command is a list of operands (a function name and its arguments, or one value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class GoTemplateError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Field:
    """``.a.b`` (base ``.``), ``$x.a`` (base ``$x``), ``$`` or ``.`` alone (no names)."""

    base: str  # "." or "$" or "$name"
    names: tuple[str, ...] = ()


@dataclass
class Literal:
    value: str | int | float | bool | None


@dataclass
class Ident:
    name: str


@dataclass
class Sub:
    """A parenthesised pipeline, perhaps followed by field names: ``(index x 0).name``."""

    pipeline: Pipeline
    names: tuple[str, ...] = ()


Operand = Field | Literal | Ident | Sub


@dataclass
class Pipeline:
    commands: list[list[Operand]]
    declare: tuple[str, ...] = ()  # $x := ... or $i, $v := ...
    assign: bool = False  # $x = ... (changes an existing variable)


@dataclass
class Node:
    kind: str  # text, output, if, range, with, define, template, comment
    line: int
    text: str = ""
    pipeline: Pipeline | None = None
    body: list[Node] = field(default_factory=list)
    otherwise: list[Node] = field(default_factory=list)  # else branch (else-if is a nested "if")
    name: str = ""
    trim_left: bool = False
    trim_right: bool = False
    source: str = ""  # the action as written
    else_trim: tuple[bool, bool] = (False, False)  # the `else` tag's trim markers
    end_trim: tuple[bool, bool] = (False, False)  # the `end` tag's trim markers


_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)
_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>"(?:[^"\\]|\\.)*") |
    (?P<raw>`[^`]*`) |
    (?P<char>'(?:[^'\\]|\\.)') |
    (?P<number>[-+]?(?:0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)(?![\w.])) |
    (?P<declare>:=) |
    (?P<assign>=) |
    (?P<field>(?:\$[\w]*|)(?:\.[\w]+)+|\$[\w]*|\.) |
    (?P<ident>[A-Za-z_][\w]*) |
    (?P<punct>[()|,])
    )""",
    re.VERBOSE,
)


def tokens(text: str, line: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        found = _TOKEN.match(text, pos)
        if found is None or found.end() == pos:
            raise GoTemplateError(f"cannot read '{text[pos:].strip()[:30]}'", line)
        kind = found.lastgroup or ""
        text_of = found.group(kind)
        if kind == "field" and found.start(kind) == pos and out and out[-1] == ("punct", ")"):
            kind = "after"  # (pipeline).name: field names right after a parenthesis
        out.append((kind, text_of))
        pos = found.end()
    return out


class _Reader:
    def __init__(self, toks: list[tuple[str, str]], line: int) -> None:
        self.toks = toks
        self.pos = 0
        self.line = line

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def pipeline(self, stop: str | None = None) -> Pipeline:
        declare: tuple[str, ...] = ()
        assign = False
        # $x := / $i, $v := / $x =
        probe = self.pos
        names = []
        while probe < len(self.toks) and self.toks[probe][0] == "field" and self.toks[probe][1].startswith("$"):
            names.append(self.toks[probe][1])
            probe += 1
            if probe < len(self.toks) and self.toks[probe] == ("punct", ","):
                probe += 1
                continue
            break
        if names and probe < len(self.toks) and self.toks[probe][0] in ("declare", "assign"):
            declare = tuple(n[1:] for n in names)
            assign = self.toks[probe][0] == "assign"
            self.pos = probe + 1
        commands: list[list[Operand]] = [[]]
        while (tok := self.peek()) is not None:
            if tok == ("punct", ")") and stop == ")":
                break
            self.take()
            if tok == ("punct", "|"):
                commands.append([])
            elif tok == ("punct", "("):
                inner = self.pipeline(")")
                if self.peek() != ("punct", ")"):
                    raise GoTemplateError("unclosed '('", self.line)
                self.take()
                after: tuple[str, ...] = ()
                nxt = self.peek()
                if nxt is not None and nxt[0] == "after" and nxt[1].startswith("."):
                    after = tuple(nxt[1].split(".")[1:])
                    self.take()
                commands[-1].append(Sub(inner, after))
            else:
                commands[-1].append(_operand(tok, self.line))
        if any(not command for command in commands):
            raise GoTemplateError("empty command in a pipeline", self.line)
        return Pipeline(commands, declare, assign)


def _operand(tok: tuple[str, str], line: int) -> Operand:
    kind, text = tok
    if kind == "string":
        return Literal(bytes(text[1:-1], "utf-8").decode("unicode_escape"))
    if kind == "raw":
        return Literal(text[1:-1])
    if kind == "char":
        return Literal(ord(text[1:-1]))
    if kind == "number":
        return Literal(float(text) if any(c in text for c in ".eE") and "x" not in text else int(text, 0))
    if kind == "field":
        if text == ".":
            return Field(".")
        if text.startswith("$"):
            head, *rest = text.split(".")
            return Field(head, tuple(rest))
        return Field(".", tuple(text.split(".")[1:]))
    if kind == "ident":
        if text in ("true", "false"):
            return Literal(text == "true")
        if text == "nil":
            return Literal(None)
        return Ident(text)
    raise GoTemplateError(f"unexpected '{text}'", line)


_BLOCKS = ("if", "range", "with", "define", "block")


def parse(source: str) -> list[Node]:
    """The tree of a Go template."""
    root: list[Node] = []
    stack: list[tuple[Node, list[Node]]] = []  # open block, the list being filled
    current = root
    pos = 0
    for found in _ACTION.finditer(source):
        line = source.count("\n", 0, found.start()) + 1
        if found.start() > pos:
            current.append(Node("text", line, text=source[pos : found.start()]))
        pos = found.end()
        inner = found.group(2).strip()
        trim_left, trim_right = bool(found.group(1)), bool(found.group(3))
        if inner.startswith("/*"):
            current.append(Node("comment", line, text=inner, trim_left=trim_left, trim_right=trim_right))
            continue
        toks = tokens(inner, line)
        if not toks:
            raise GoTemplateError("empty action", line)
        word = toks[0][1] if toks[0][0] == "ident" else ""
        node = Node("output", line, trim_left=trim_left, trim_right=trim_right, source=found.group(0))
        if word in _BLOCKS:
            node.kind = word
            reader = _Reader(toks[1:], line)
            if word in ("define", "block"):
                node.name = str(_operand(reader.take(), line).value)  # type: ignore[union-attr]
                if word == "block":
                    node.kind = "block"
                    node.pipeline = reader.pipeline()
            else:
                node.pipeline = reader.pipeline()
            current.append(node)
            stack.append((node, current))
            current = node.body
        elif word == "else":
            if not stack:
                raise GoTemplateError("'else' outside a block", line)
            block, _ = stack[-1]
            block.else_trim = (trim_left, trim_right)
            if len(toks) > 1 and toks[1] == ("ident", "if"):
                nested = Node("if", line, pipeline=_Reader(toks[2:], line).pipeline(), trim_right=trim_right)
                nested.source = "else-if"
                block.otherwise.append(nested)
                stack.append((nested, block.otherwise))
                current = nested.body
            elif len(toks) > 1 and toks[1] == ("ident", "with"):
                nested = Node("with", line, pipeline=_Reader(toks[2:], line).pipeline(), trim_right=trim_right)
                nested.source = "else-if"
                block.otherwise.append(nested)
                stack.append((nested, block.otherwise))
                current = nested.body
            else:
                current = block.otherwise
        elif word == "end":
            if not stack:
                raise GoTemplateError("'end' without a block", line)
            block, parent = stack.pop()
            block.end_trim = (trim_left, trim_right)
            while block.source == "else-if" and stack:  # an else-if ends with its outer block
                block, parent = stack.pop()
                block.end_trim = (trim_left, trim_right)
            current = parent
        elif word == "template":
            reader = _Reader(toks[1:], line)
            node.kind = "template"
            node.name = str(_operand(reader.take(), line).value)  # type: ignore[union-attr]
            node.pipeline = reader.pipeline() if reader.peek() else None
            current.append(node)
        elif word in ("break", "continue"):
            node.kind = word
            current.append(node)
        else:
            node.pipeline = _Reader(toks, line).pipeline()
            current.append(node)
    if pos < len(source):
        current.append(Node("text", source.count("\n", 0, pos) + 1, text=source[pos:]))
    if stack:
        raise GoTemplateError(f"'{stack[-1][0].kind}' is never closed", stack[-1][0].line)
    return root
