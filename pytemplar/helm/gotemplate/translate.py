"""Go templates (Helm's) translated to pytemplar's Jinja2, for the idioms charts use.

``.Values.x`` becomes ``values.x``, ``.Release``/``.Chart``/``.Capabilities``/``.Files`` their
pytemplar names; ``define`` becomes a macro in ``_helpers.j2`` and ``include`` a call whose text
is read back as YAML; ``toYaml X | nindent N`` under a key becomes ``key: {{ X }}`` (the value
lands whole), and a fragment merged among other keys or items becomes a loop that writes each
entry; ``if``/``with``/``range``, variables, and the common Sprig functions map to Jinja2.
What has no translation is replaced by ``{{ import_todo(...) }}``, which stops a render that
reaches it, and a ``{# TODO(import) ... #}`` comment holding the Helm source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytemplar.helm.gotemplate.parse import Field, Ident, Literal, Node, Operand, Pipeline, Sub

ROOT = "<root>"
MARK = "\x00FRAGMENT"
TODO = "TODO(import)"


class Untranslatable(Exception):
    pass


def todo_mark(what: str, source: str) -> str:
    """What stands in for an action with no translation: a call that stops the render with an
    error at this line when it is reached (an untranslated line must not quietly render nothing),
    and a comment with the Helm source to translate by hand."""
    return "{{ import_todo(" + json.dumps(what) + ") }}{# " + f"{TODO}: {what}: " + source.replace("#}", "# }") + " #}"


def macro_name(define: str) -> str:
    return re.sub(r"\W", "_", define)


@dataclass
class Scope:
    dot: str = ROOT
    variables: dict[str, str] = field(default_factory=dict)
    # Variables declared in this loop body (or outside every loop): Jinja2's `set` changes them
    # from inside an `if`, but not from inside a `for`, which has its own scope.
    own: set[str] = field(default_factory=set)
    # `$`: the root context in a template, the macro's parameter in a define given another value.
    top: str = ROOT
    # Keys of that parameter that every caller fills with the root context (`dict "ctx" $ ...`).
    root_keys: frozenset[str] = frozenset()


@dataclass
class Translator:
    """Translates the templates of one chart (its defines are known before any template)."""

    defaults: Mapping[str, Any]
    defines: set[str]
    in_helpers: bool = False
    todos: list[tuple[int, str]] = field(default_factory=list)
    fragments: list[tuple[str, str]] = field(default_factory=list)  # (expression, "map"|"list"|"any")
    counter: int = 0
    # Values paths read through range variables ("*" for any item): the drafted schema names them.
    reads: set[tuple[str, ...]] = field(default_factory=set)
    notes: list[tuple[int, str]] = field(default_factory=list)  # translated, with a difference to know
    origins: dict[str, tuple[str, ...]] = field(default_factory=dict)  # loop variable -> values path
    # Values paths whose text ``tpl`` renders: their defaults are Go templates to translate too.
    tpl_values: set[tuple[str, ...]] = field(default_factory=set)
    # Defines whose macro takes the value given to include as a parameter, with the keys of it
    # that hold the root context; and, from the calls translated, what they should be.
    parameters: Mapping[str, frozenset[str]] = field(default_factory=dict)
    wanted: dict[str, frozenset[str]] = field(default_factory=dict)

    # -------------------------------------------------------------- tree -> text

    def template(self, nodes: list[Node], scope: Scope | None = None, trims: tuple[bool, bool] = (False, False)) -> str:
        """The nodes translated; ``trims``: whether Go trims the space at the start and at the
        end (a define's ``-}}`` and its end's ``{{-``)."""
        self.fragments = []
        text = self.block(nodes, scope or Scope(), *trims)
        return _retype_whole_values(self.place_fragments(_place_tags(text)))

    def block(self, nodes: list[Node], scope: Scope, strip_start: bool = False, strip_end: bool = False) -> str:
        """The nodes' text, with Go's trimming done on the text itself (``{{-`` and ``-}}``)."""
        out: list[str] = []
        strip_next = strip_start
        for index, node in enumerate(nodes):
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            if node.kind == "text":
                text = node.text.lstrip() if strip_next else node.text
                if (following is None and strip_end) or (following is not None and following.trim_left):
                    text = text.rstrip()
                out.append(text)
                strip_next = False
                continue
            try:
                out.append(self.node(node, scope, out))
            except Untranslatable as exc:
                self.todos.append((node.line, str(exc)))
                out.append(todo_mark(str(exc), node.source))
            strip_next = node.end_trim[1] if node.kind in _BLOCK_KINDS else node.trim_right
        return "".join(out)

    def body(self, node: Node, scope: Scope) -> str:
        ends_with_else = bool(node.otherwise)
        return self.block(node.body, scope, node.trim_right, node.else_trim[0] if ends_with_else else node.end_trim[0])

    def node(self, node: Node, scope: Scope, out: list[str]) -> str:
        kind = node.kind
        if kind == "comment" or kind == "define":
            return ""  # defines are collected into _helpers.j2
        if kind == "output":
            return self.output(node, scope, out)
        if kind == "template":
            # `template NAME .` writes the define's text where it stands, as `include` does.
            args = node.pipeline.commands[0] if node.pipeline else []
            include = Pipeline([[Ident("include"), Literal(node.name), *args]])
            return self.output(Node("output", node.line, pipeline=include, source=node.source), scope, out)
        if kind == "if":
            return self.if_block(node, scope)
        if kind == "with":
            return self.with_block(node, scope)
        if kind == "range":
            return self.range_block(node, scope)
        raise Untranslatable(f"`{kind}` has no translation")

    def if_block(self, node: Node, scope: Scope) -> str:
        assert node.pipeline is not None
        text = _tag("if " + self.pipeline(node.pipeline, scope)) + self.body(node, scope)
        return text + self.otherwise(node, scope) + _tag("endif")

    def otherwise(self, node: Node, scope: Scope) -> str:
        if not node.otherwise:
            return ""
        first = node.otherwise[0]
        if len(node.otherwise) == 1 and first.kind == "if" and first.source == "else-if":
            assert first.pipeline is not None
            nested = _tag("elif " + self.pipeline(first.pipeline, scope)) + self.body(first, scope)
            return nested + self.otherwise(first, scope)
        return _tag("else") + self.block(node.otherwise, scope, node.else_trim[1], node.end_trim[0])

    def with_block(self, node: Node, scope: Scope) -> str:
        assert node.pipeline is not None
        value = self.pipeline(node.pipeline, scope)
        inner = Scope(value, dict(scope.variables), scope.own, scope.top, scope.root_keys)
        text = _tag("if " + value) + self.body(node, inner)
        return text + self.otherwise(node, scope) + _tag("endif")

    def range_block(self, node: Node, scope: Scope) -> str:
        pipeline = node.pipeline
        assert pipeline is not None
        self.counter += 1
        collection = self.pipeline(Pipeline(pipeline.commands), scope)
        kind = self.kind_of(collection)
        names = list(pipeline.declare)
        inner = Scope(f"item{self.counter}", dict(scope.variables), top=scope.top, root_keys=scope.root_keys)
        source = re.fullmatch(r"values((?:\.\w+)*)", collection)
        source_path = tuple(source.group(1).split(".")[1:]) if source else None
        value = names[-1] if names else inner.dot
        inner.dot = value
        inner.variables[value] = value
        if source_path is not None:
            self.origins[value] = (*source_path, "*")
        if kind == "list":
            head = f"for {value} in {collection}"
            if len(names) == 2:
                inner.variables[names[0]] = "loop.index0"
        else:
            key = names[0] if len(names) == 2 else f"key{self.counter}"
            inner.variables[key] = key
            # A map in key order, as Go ranges over it; where the defaults do not tell a map from
            # a list, the value decides.
            pairs = f"{collection} | dictsort" if kind == "map" else f"helm_range({collection})"
            head = f"for {key}, {value} in {pairs}"
        text = _tag(head) + self.body(node, inner)
        if node.otherwise:
            text += _tag("else") + self.block(node.otherwise, scope, node.else_trim[1], node.end_trim[0])
        return text + _tag("endfor")

    def output(self, node: Node, scope: Scope, out: list[str]) -> str:
        pipeline = node.pipeline
        assert pipeline is not None
        if pipeline.declare:
            name = pipeline.declare[0]
            if pipeline.assign and name not in scope.own:
                raise Untranslatable("changing a variable declared outside this loop")
            value = self.pipeline(Pipeline(pipeline.commands), scope)
            scope.variables[name] = name
            scope.own.add(name)
            return _tag(f"set {name} = {value}")
        commands = _toyaml_first(_indent_after_tpl(pipeline.commands))
        last = commands[-1]
        head = last[0] if last else None
        lead = ""
        indent = None
        if isinstance(head, Ident) and head.name in ("nindent", "indent") and len(last) == 2:
            literal = last[1]
            if isinstance(literal, Literal) and isinstance(literal.value, int):
                indent, commands = literal.value, commands[:-1]
                if head.name == "nindent":  # a line break, then the text indented
                    lead = "\n" + " " * indent
                else:  # the text indented where the action stands
                    if out:
                        out[-1] = re.sub(r"[ \t]*\Z", "", out[-1])
                    lead = " " * indent
        alone = self.alone_on_line(out)
        if indent is None and alone is not None and self.is_fragment(commands):
            indent = alone  # `{{ include "x" . }}` alone on its line, indented by the line
        if indent is not None:
            if self.is_fragment(commands):
                expression, kind = self.fragment(commands, scope)
            else:  # text: fits only inside a block scalar (checked when placed)
                expression, kind = self.pipeline(Pipeline(commands), scope), "text"
            self.fragments.append((expression, kind))
            return f"{lead}{MARK}{len(self.fragments) - 1}\x00"
        expression = self.pipeline(Pipeline(commands), scope)
        if len(commands) == 1 and isinstance(head, Ident) and head.name == "include":
            # The define's text placed as a value: read as YAML, as Kubernetes reads Helm's output
            # (as an argument, include stays text: `include "x" . | b64enc`, `eq (include ...) "y"`).
            return "{{ (" + expression + " | fromyaml) }}"
        if self.may_be_text(expression):  # retyped as Helm's text is read where it is a whole value
            return VALUE_START + "{{ " + expression + " }}" + VALUE_END
        return "{{ " + expression + " }}"

    def may_be_text(self, expression: str) -> bool:
        """Whether the value may be text: a number, map, list or boolean default, or a quoted
        result, is placed as it is either way."""
        if _TYPED_RESULT.fullmatch(expression):
            return False
        found = re.fullmatch(r"values((?:\.\w+)+)", expression)
        if not found:
            return True
        node: Any = self.defaults
        for part in found.group(1).split(".")[1:]:
            node = node.get(part) if isinstance(node, Mapping) else None
        return node is None or isinstance(node, str)

    @staticmethod
    def alone_on_line(out: list[str]) -> int | None:
        """The indentation of the current line when only spaces precede the action on it."""
        before = "".join(out[-3:]) if out else ""
        line = before.rsplit("\n", 1)[-1]
        return len(line) if not line.strip() and "\n" in before else None

    @staticmethod
    def is_fragment(commands: list[list[Operand]]) -> bool:
        head = commands[0][0] if commands and commands[0] else None
        # `toYaml X | trim` before nindent: the same YAML without its final line break.
        rest_trims = all(_is_trim(c) for c in commands[1:])
        if _rendered_yaml(commands[0]) is not None:  # `tpl (toYaml X) $`: X with its texts rendered
            return rest_trims
        return isinstance(head, Ident) and head.name in ("toYaml", "include") and rest_trims

    def fragment(self, commands: list[list[Operand]], scope: Scope) -> tuple[str, str]:
        command = commands[0]
        head = command[0]
        assert isinstance(head, Ident)
        if head.name == "toYaml":
            expression = self.operand(command[1], scope)
            return expression, self.kind_of(expression)
        rendered = _rendered_yaml(command)
        if rendered is not None:
            if not _is_root(command[2], scope):
                raise Untranslatable("tpl with a context other than the root: the text would read that value as `.`")
            expression = self.operand(rendered, scope)
            self.note_tpl(expression)
            return f"(tpl({expression} | helm_toyaml) | fromyaml)", self.kind_of(expression)
        return f"({self.call(command, scope)} | fromyaml)", "any"

    def kind_of(self, expression: str) -> str:
        """map or list, from the chart's default values at a ``values.a.b`` path."""
        found = re.fullmatch(r"values((?:\.\w+)*)", expression)
        if not found:
            return "any"
        node: Any = self.defaults
        for part in found.group(1).split(".")[1:]:
            node = node.get(part) if isinstance(node, Mapping) else None
        if isinstance(node, list):
            return "list"
        return "map" if isinstance(node, Mapping) else "any"

    # -------------------------------------------------------------- fragments

    def place_fragments(self, text: str) -> str:
        """Each YAML fragment where Helm's output had it: as the value of the key above it when
        it is all that key holds, else as a loop writing its entries (or items) one per line,
        or as text inside a block scalar. Tags are inline (``{%+ +%}``), so lines are as in Go."""
        lines = text.split("\n")
        result: list[str] = []
        for index, line in enumerate(lines):
            found = re.fullmatch(r"( *)" + MARK + r"(\d+)\x00(.*)", line)
            if found is None:
                result.append(line)
                continue
            indent, number, rest = len(found.group(1)), int(found.group(2)), found.group(3)
            pad = found.group(1)
            expression, kind = self.fragments[number]
            previous = result[-1] if result else ""
            shown = [_without_tags(ln) for ln in result]
            header = next((ln for ln in reversed(shown) if ln.strip()), "")
            if re.search(r"[|>][-+]?\s*\Z", header) and _indent(header) < indent:
                text = expression if kind == "text" else f"({expression} | helm_toyaml)"
                result.append(f"{pad}{{{{ {text} }}}}{rest}")
                continue
            if kind == "text" and _without_tags(rest).strip():  # `{{ $key | nindent 2 }}: value`
                result.append(f"{pad}{{{{ {expression} }}}}{rest}")
                continue
            if kind == "text":
                result.append(pad + todo_mark("text placed with nindent outside a block scalar", expression) + rest)
                continue
            following = next((_without_tags(ln) for ln in lines[index + 1 :] if _without_tags(ln).strip()), "")
            ends_block = _indent(following) < indent or _without_tags(rest).strip() != ""
            if previous.rstrip().endswith(":") and _indent(previous) < indent and ends_block and _only_tags(rest):
                result[-1] = previous.rstrip() + " {{ " + expression + " }}" + rest
                continue
            list_loop, list_item = f"for entry in {expression} or []", f"{pad}- {{{{ entry }}}}"
            map_loop, map_item = (
                f"for key, entry in ({expression} or {{}}).items()",
                f"{pad}{{{{ key }}}}: {{{{ entry }}}}",
            )
            if kind == "any" and not _without_tags(previous).lstrip().startswith("- ") and result:
                # Neither the defaults nor the line above tell a map from a list: the value decides.
                result[-1] += "{%+ if (" + expression + ") is mapping +%}{%+ " + map_loop + " +%}"
                # One entry of `result` for the two lines: the next fragment looks at the line above it.
                branches = map_item + "{%+ endfor +%}{%+ else +%}{%+ " + list_loop + " +%}\n" + list_item
                result.append(branches + "{%+ endfor +%}{%+ endif +%}" + rest)
                continue
            if kind == "list" or kind == "any":
                loop, item = list_loop, list_item
            else:
                loop, item = map_loop, map_item
            if result:
                result[-1] += "{%+ " + loop + " +%}"
                result.append(item + "{%+ endfor +%}" + rest)
            else:
                result += ["{%+ " + loop + " +%}", item + "{%+ endfor +%}" + rest]
        return "\n".join(result)

    # -------------------------------------------------------------- expressions

    def pipeline(self, pipeline: Pipeline, scope: Scope) -> str:
        value: str | None = None
        for command in pipeline.commands:
            value = self.command(command, scope, value)
        assert value is not None
        return value

    def command(self, command: list[Operand], scope: Scope, piped: str | None) -> str:
        head = command[0]
        if isinstance(head, Ident):
            if head.name == "include":
                return self.call(command, scope, piped)
            if head.name == "tpl":
                return self.tpl(command, scope, piped)
            args = [self.operand(op, scope) for op in command[1:]]
            if piped is not None:
                args.append(piped)
            return self.function(head.name, args, command, scope)
        if len(command) > 1 or piped is not None:
            if isinstance(head, Field) and head.names:  # a method: .Files.Get "x", .Capabilities.APIVersions.Has "x"
                args = [self.operand(op, scope) for op in command[1:]]
                if piped is not None:
                    args.append(piped)
                return f"{self.operand(head, scope)}({', '.join(args)})"
            raise Untranslatable("a value cannot take arguments")
        return self.operand(head, scope)

    def tpl(self, command: list[Operand], scope: Scope, piped: str | None) -> str:
        """``tpl TEXT CONTEXT``: pytemplar's ``tpl(TEXT)`` renders a text as a template in the sandbox,
        with the calling template's names; the defaults of the values it renders are translated
        by the importer (``tpl_values``)."""
        if len(command) + (piped is not None) != 3:
            raise Untranslatable("tpl takes a text and a context")
        text = self.operand(command[1], scope) if piped is None else piped
        context = command[-1]
        if not _is_root(context, scope):
            raise Untranslatable("tpl with a context other than the root: the text would read that value as `.`")
        self.note_tpl(text)
        return f"tpl({text})"

    def note_tpl(self, text: str) -> None:
        for found in re.finditer(r"\bvalues((?:\.\w+)+)", text):
            self.tpl_values.add(tuple(found.group(1).split(".")[1:]))
        self.notes.append(
            (
                0,
                "tpl renders values written in Jinja2 ({{ release.name }}, not {{ .Release.Name }}): "
                "the chart's defaults are translated; translate the values files you pass to it",
            )
        )

    def operand(self, operand: Operand, scope: Scope) -> str:
        if isinstance(operand, Literal):
            return json.dumps(operand.value) if operand.value is not None else "none"
        if isinstance(operand, Sub):
            inner = "(" + self.pipeline(operand.pipeline, scope) + ")"
            return inner + "".join(f".{name}" for name in operand.names)
        if isinstance(operand, Ident):
            return self.function(operand.name, [], [operand], scope)
        return self.field(operand, scope)

    def field(self, operand: Field, scope: Scope) -> str:
        names = list(operand.names)
        if operand.base == "$":
            base = scope.top
        elif operand.base == ".":
            base = scope.dot
        else:
            variable = operand.base[1:]
            if variable not in scope.variables:
                raise Untranslatable(f"unknown variable ${variable}")
            base = scope.variables[variable]
        if base in self.origins and names:
            self.reads.add((*self.origins[base], *names))
        if base == scope.top and names and names[0] in scope.root_keys:  # `.ctx.Values.x`, ctx being `$`
            base, names = ROOT, names[1:]
        if base != ROOT:
            return base + "".join(f".{name}" for name in names) if names else base
        if not names:
            raise Untranslatable("the whole root context `.` as a value")
        return _root_field(names)

    def call(self, command: list[Operand], scope: Scope, piped: str | None = None) -> str:
        """``include NAME DOT``: the define's text, read back as YAML (a name, a map of labels...)."""
        if len(command) != 3 or piped is not None:
            raise Untranslatable("include takes a name and one value")
        name_op, arg = command[1], command[2]
        if isinstance(name_op, Sub):
            base = _template_path(name_op)
            if base is not None:
                return f'render_template("{base}.j2")'
        if not isinstance(name_op, Literal) or not isinstance(name_op.value, str):
            raise Untranslatable("include of a computed name")
        if name_op.value not in self.defines:
            raise Untranslatable(f"include of '{name_op.value}', which no template defines")
        name = name_op.value
        prefix = "" if self.in_helpers else "h."
        if _is_root(arg, scope):
            if name in self.parameters:
                raise Untranslatable(f"include '{name}' with the root context, where other calls give it another value")
            return f"{prefix}{macro_name(name)}()"
        keys = self.root_keys_of(arg, scope)
        self.wanted[name] = self.wanted[name] & keys if name in self.wanted else keys
        if name not in self.parameters or not self.parameters[name] <= keys:
            raise Untranslatable(f"include '{name}' with a value other than the root context")
        return f"{prefix}{macro_name(name)}({self.argument(arg, scope, self.parameters[name])})"

    @staticmethod
    def root_keys_of(arg: Operand, scope: Scope) -> frozenset[str]:
        """The keys of the value given to include that hold the root context."""
        pairs = _dict_pairs(arg)
        if pairs is not None:
            return frozenset(key for key, value in pairs if _is_root(value, scope))
        if isinstance(arg, Field) and not arg.names and (arg.base == "$" or scope.dot == scope.top):
            return scope.root_keys  # the macro's own parameter, passed on
        return frozenset()

    def argument(self, arg: Operand, scope: Scope, root_keys: frozenset[str]) -> str:
        """The value given to include, without the keys that hold the root context (the macro
        reads the root's names itself)."""
        pairs = _dict_pairs(arg)
        if pairs is None or not root_keys:
            return self.operand(arg, scope)
        kept = [f"{json.dumps(key)}: {self.operand(value, scope)}" for key, value in pairs if key not in root_keys]
        return "{" + ", ".join(kept) + "}"

    def function(self, name: str, args: list[str], command: list[Operand], scope: Scope) -> str:
        handler = FUNCTIONS.get(name)
        if handler is None:
            raise Untranslatable(f"the function `{name}`")
        try:
            return handler(args)
        except (IndexError, ValueError) as exc:
            raise Untranslatable(f"`{name}` with {len(args)} arguments") from exc


def _rendered_yaml(command: list[Operand]) -> Operand | None:
    """X of ``tpl (toYaml X) CONTEXT``: a value whose YAML text is rendered as a template."""
    if (
        len(command) == 3
        and isinstance(command[0], Ident)
        and command[0].name == "tpl"
        and isinstance(command[1], Sub)
        and not command[1].names
        and len(command[1].pipeline.commands) == 1
        and len(command[1].pipeline.commands[0]) == 2
        and isinstance(command[1].pipeline.commands[0][0], Ident)
        and command[1].pipeline.commands[0][0].name == "toYaml"
    ):
        return command[1].pipeline.commands[0][1]
    return None


def _is_trim(command: list[Operand]) -> bool:
    """``trim`` or ``trimSuffix "\\n"``: the YAML text without its final line break."""
    head = command[0] if command else None
    if len(command) == 1:
        return isinstance(head, Ident) and head.name == "trim"
    last = command[-1]
    return (
        len(command) == 2
        and isinstance(head, Ident)
        and head.name == "trimSuffix"
        and isinstance(last, Literal)
        and last.value == "\n"
    )


def _toyaml_first(commands: list[list[Operand]]) -> list[list[Operand]]:
    """``X | toYaml | ...`` as ``toYaml X | ...``."""
    if len(commands) >= 2 and len(commands[0]) == 1 and len(commands[1]) == 1:
        head = commands[1][0]
        if isinstance(head, Ident) and head.name == "toYaml":
            return [[head, commands[0][0]], *commands[2:]]
    return commands


def _indent_after_tpl(commands: list[list[Operand]]) -> list[list[Operand]]:
    """``tpl (X | toYaml | nindent N) $`` as ``tpl (toYaml X) $ | nindent N``: the same text where
    the values it renders are one line each, and the form the fragments know."""
    if len(commands) != 1 or len(commands[0]) != 3:
        return commands
    head, text, context = commands[0]
    if not (isinstance(head, Ident) and head.name == "tpl" and isinstance(text, Sub) and not text.names):
        return commands
    inner = list(text.pipeline.commands)
    indent: list[list[Operand]] = []
    last = inner[-1]
    if len(inner) > 1 and len(last) == 2 and isinstance(last[0], Ident) and last[0].name in ("nindent", "indent"):
        indent, inner = [last], inner[:-1]
    if len(inner) == 2 and len(inner[1]) == 1 and isinstance(inner[1][0], Ident) and inner[1][0].name == "toYaml":
        inner = [[inner[1][0], *inner[0]]] if len(inner[0]) == 1 else inner
    return [[head, Sub(Pipeline(inner)), context], *indent]


def _is_root(arg: Operand, scope: Scope) -> bool:
    if isinstance(arg, Field) and not arg.names:
        return (arg.base == "$" and scope.top == ROOT) or (arg.base == "." and scope.dot == ROOT)
    if isinstance(arg, Field) and len(arg.names) == 1 and arg.names[0] in scope.root_keys:
        return arg.base == "$" or (arg.base == "." and scope.dot == scope.top)
    return False


def _dict_pairs(arg: Operand) -> list[tuple[str, Operand]] | None:
    """``(dict "a" x "b" y)`` as its pairs, when every key is a literal text."""
    if not isinstance(arg, Sub) or arg.names or len(arg.pipeline.commands) != 1:
        return None
    command = arg.pipeline.commands[0]
    head, rest = command[0], command[1:]
    if not (isinstance(head, Ident) and head.name == "dict") or len(rest) % 2:
        return None
    keys = rest[::2]
    if not all(isinstance(key, Literal) and isinstance(key.value, str) for key in keys):
        return None
    return [(str(key.value), value) for key, value in zip(keys, rest[1::2], strict=True)]  # type: ignore[union-attr]


def _template_path(sub: Sub) -> str | None:
    """``(print $.Template.BasePath "/configmap.yaml")``: the template it names."""
    command = sub.pipeline.commands[0] if len(sub.pipeline.commands) == 1 else []
    if (
        len(command) == 3
        and isinstance(command[0], Ident)
        and command[0].name == "print"
        and isinstance(command[1], Field)
        and command[1].names == ("Template", "BasePath")
        and isinstance(command[2], Literal)
        and isinstance(command[2].value, str)
    ):
        return command[2].value.lstrip("/")
    return None


_ROOT_NAMES = {
    ("Release", "Name"): "release.name",
    ("Release", "Namespace"): "release.namespace",
    ("Release", "Service"): "release.service",
    ("Release", "IsInstall"): "true",
    ("Release", "IsUpgrade"): "false",
    ("Chart", "Name"): "app.name",
    ("Chart", "Version"): "app.version",
    ("Chart", "AppVersion"): "app.appVersion",
    ("Capabilities", "KubeVersion", "Version"): "capabilities.kube_version.version",
    ("Capabilities", "KubeVersion", "GitVersion"): "capabilities.kube_version.git_version",
    ("Capabilities", "KubeVersion", "Major"): "capabilities.kube_version.major",
    ("Capabilities", "KubeVersion", "Minor"): "capabilities.kube_version.minor",
    ("Capabilities", "APIVersions", "Has"): "capabilities.api_versions.has",
    ("Files", "Get"): "files.get",
    ("Files", "Glob"): "files.glob",
    ("Files", "Lines"): "files.lines",
}


def _root_field(names: list[str]) -> str:
    if names[0] == "Values":
        return "values" + "".join(f".{n}" if n.isidentifier() else f"[{n!r}]" for n in names[1:])
    for length in (3, 2):
        found = _ROOT_NAMES.get(tuple(names[:length]))
        if found is not None and len(names) >= length:
            return found + "".join(f".{n}" for n in names[length:])
    raise Untranslatable(f"`.{'.'.join(names)}`")


_VERB = re.compile(r"%[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?([a-zA-Z%])")


def _printf(args: list[str]) -> str:
    form = json.loads(args[0]) if args[0].startswith('"') else None
    if form is None:
        raise ValueError("computed format")
    # The arguments of %v, %s and %q are written as Go prints them (`true`, `<nil>`), not as
    # Python does (`True`, `None`); the numeric verbs format the value itself.
    verbs = [verb for verb in _VERB.findall(form) if verb != "%"]
    if len(verbs) != len(args) - 1 or "*" in form:
        raise ValueError("arguments and verbs differ")
    rest = [
        f"({value} | helm_verb({verb!r}))" if verb in "vsq" else value
        for value, verb in zip(args[1:], verbs, strict=True)
    ]
    form = form.replace("%v", "%s").replace("%q", "%s")
    return f"({json.dumps(form)} | format({', '.join(rest)}))" if rest else json.dumps(form)


def _pairs(args: list[str]) -> str:
    if len(args) % 2:
        raise ValueError("odd")
    return "{" + ", ".join(f"{args[i]}: {args[i + 1]}" for i in range(0, len(args), 2)) + "}"


def _eq(args: list[str]) -> str:
    if len(args) < 2:
        raise ValueError("eq")
    return "(" + " or ".join(f"{args[0]} == {other}" for other in args[1:]) + ")"


def _trunc(args: list[str]) -> str:
    count = int(args[0])
    return f"{args[1]}[:{count}]" if count >= 0 else f"{args[1]}[{count}:]"


def _kind_is(args: list[str]) -> str:
    tests = {'"map"': "is mapping", '"slice"': "is sequence", '"string"': "is string", '"bool"': "is boolean"}
    if args[0] == '"float64"':  # every number Helm reads from values is a float64
        return f"({args[1]} is number and {args[1]} is not boolean)"
    if args[0] not in tests:
        raise ValueError("kind")
    return f"({args[1]} {tests[args[0]]})"


def _two(template: str) -> Callable[[list[str]], str]:
    def make(args: list[str]) -> str:
        if len(args) != template.count("{"):
            raise ValueError("arity")
        return template.format(*args)

    return make


FUNCTIONS: dict[str, Callable[[list[str]], str]] = {
    "default": _two("({1} | default({0}, true))"),
    "quote": _two("({0} | quote)"),
    "squote": _two("({0} | squote)"),
    "required": _two("({1} | required({0}))"),
    "printf": _printf,
    "print": lambda a: "(" + " ~ ".join(f"({x} | helm_text)" for x in a) + ")",
    "trunc": _trunc,
    "trimSuffix": _two("{1}.removesuffix({0})"),
    "trimPrefix": _two("{1}.removeprefix({0})"),
    "trim": _two("({0} | trim)"),
    "replace": _two("({2} | string).replace({0}, {1})"),
    "lower": _two("({0} | lower)"),
    "upper": _two("({0} | upper)"),
    "title": _two("({0} | title)"),
    "toYaml": _two("({0} | helm_toyaml)"),
    "toJson": _two("({0} | tojson)"),
    "mustToJson": _two("({0} | tojson)"),
    "fromYaml": _two("({0} | fromyaml)"),
    "b64enc": _two("({0} | b64encode)"),
    "b64dec": _two("({0} | b64decode)"),
    "sha256sum": _two("({0} | sha256)"),
    "toString": _two("({0} | helm_text)"),
    "int": _two("({0} | int)"),
    "int64": _two("({0} | int)"),
    "float64": _two("({0} | float)"),
    "eq": _eq,
    "ne": _two("({0} != {1})"),
    "lt": _two("({0} < {1})"),
    "le": _two("({0} <= {1})"),
    "gt": _two("({0} > {1})"),
    "ge": _two("({0} >= {1})"),
    "and": lambda a: "(" + " and ".join(a) + ")",
    "or": lambda a: "(" + " or ".join(a) + ")",
    "not": _two("(not {0})"),
    "empty": _two("(not {0})"),
    "hasKey": _two("({1} in {0})"),
    "contains": _two("({0} in {1})"),
    "hasPrefix": _two("({1} | string).startswith({0})"),
    "hasSuffix": _two("({1} | string).endswith({0})"),
    "len": _two("({0} | length)"),
    "list": lambda a: "[" + ", ".join(a) + "]",
    "dict": _pairs,
    "index": lambda a: f"helm_index({', '.join(a)})" if len(a) > 1 else a[0],
    "merge": lambda a: f"helm_merge({', '.join(a)})",
    "ternary": _two("({0} if {2} else {1})"),
    "coalesce": lambda a: "(" + " or ".join(a) + ")",
    "join": _two("({1} | join({0}))"),
    "splitList": _two("({1} | string).split({0})"),
    "keys": _two("({0}.keys() | list)"),
    "sortAlpha": _two("({0} | sortalpha)"),
    "semverCompare": _two("semver_compare({0}, {1})"),
    "regexMatch": _two("({1} | regex_match({0}))"),
    "regexFind": _two("({1} | regex_find({0}))"),
    "regexReplaceAll": _two("({1} | regex_replace({0}, {2}))"),
    "fail": _two("fail({0})"),
    "kindIs": _kind_is,
    "toYamlPretty": _two("({0} | helm_toyaml)"),
    "omit": lambda a: f"dict({a[0]}.items() | rejectattr('0', 'in', [{', '.join(a[1:])}]) | list)",
    "has": _two("({0} in {1})"),
    "first": _two("({0} | first)"),
    "last": _two("({0} | last)"),
    "get": _two("({0}.get({1}, ''))"),
    "typeIs": lambda a: _kind_is([{'"string"': '"string"', '"bool"': '"bool"'}.get(a[0], a[0]), a[1]]),
    "nospace": _two("({0} | string).replace(' ', '')"),
    "toStrings": _two("({0} | map('string') | list)"),
    "until": _two("range({0})"),
    "htpasswd": _two("htpasswd({0}, {1})"),
    "concat": lambda a: "(" + " + ".join(f"({x} or [])" for x in a) + ")" if a else "[]",
}


# An action that may give text, when it is the whole value of a key or list item: Helm writes its
# text there and Kubernetes reads that text as YAML ("" is null, "9000" a number), so the
# translation places `helm_scalar` of it, which reads the text the same way.
VALUE_START, VALUE_END = "\x05", "\x06"
_VALUE = re.compile(VALUE_START + r"\{\{ (.*?) \}\}" + VALUE_END, re.DOTALL)
_TYPED_RESULT = re.compile(r"\(.* \| (quote|squote|int|float|length|tojson)\)", re.DOTALL)
_BLOCK_HEADER = re.compile(r"(?:^\s*-|:)\s+[|>][-+0-9]*\s*\Z")
_VALUE_PREFIX = re.compile(r"\s*(?:-\s+)*(?:\S.*:\s+)?")


def _retype_whole_values(text: str) -> str:
    """Each marked action that is the whole plain value of a key or list item, outside block
    scalars, piped through ``helm_scalar``; the other marked actions as they are."""
    lines = text.split("\n")
    block: int | None = None  # the indentation of a block scalar's header while inside it
    for index, line in enumerate(lines):
        if VALUE_START not in line and block is None and "|" not in line and ">" not in line:
            continue
        shown = _without_tags(line)
        if block is not None and (not shown.strip() or _indent(shown) > block):
            lines[index] = _VALUE.sub(r"{{ \1 }}", line)
            continue
        block = _indent(shown) if _BLOCK_HEADER.search(shown) else None
        found = list(_VALUE.finditer(shown))
        last = found[-1] if found else None
        whole = (
            last is not None
            and _VALUE_PREFIX.fullmatch(shown[: last.start()]) is not None
            and shown[: last.start()].strip() != ""
            and not shown[last.end() :].strip()
        )
        lines[index] = _place_values(line, retype_last=whole)
    return "\n".join(lines)


def _place_values(line: str, retype_last: bool) -> str:
    found = list(_VALUE.finditer(line))
    out, at = [], 0
    for number, match in enumerate(found, 1):
        expression = match.group(1)
        if retype_last and number == len(found):
            expression = _grouped(expression) + " | helm_scalar"
        out += [line[at : match.start()], "{{ " + expression + " }}"]
        at = match.end()
    return "".join(out) + line[at:]


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


def _grouped(expression: str) -> str:
    """The expression as one operand of a filter: parenthesized unless it is a name or one group."""
    if re.fullmatch(r"[\w.]+", expression):
        return expression
    bare = _STRING.sub('""', expression)
    depth = 0
    for position, char in enumerate(bare):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and position < len(bare) - 1:
            return "(" + expression + ")"
    return expression if bare.startswith("(") and depth == 0 else "(" + expression + ")"


_BLOCK_KINDS = frozenset({"if", "with", "range"})
_TAG = re.compile("\x01(.*?)\x02(\n?)", re.DOTALL)


def _tag(text: str) -> str:
    return f"\x01{text}\x02"


def _place_tags(text: str) -> str:
    """Every tag inline with Jinja's trimming turned off (``{%+ +%}``): the text around it,
    already trimmed as Go trims it, is written exactly as Helm writes it."""

    def place(found: re.Match[str]) -> str:
        return "{%+ " + found.group(1) + " +%}" + found.group(2)

    return _TAG.sub(place, text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _without_tags(text: str) -> str:
    return re.sub(r"\{%.*?%\}", "", text)


def _only_tags(text: str) -> bool:
    return not re.sub(r"\{%.*?%\}", "", text).strip()


def _is_tag_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("{%") and stripped.endswith("%}") and stripped.count("%}") == 1
