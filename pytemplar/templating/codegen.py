"""How templates compile: every ``{{ }}`` becomes a slot, every run of output marks its line.

Jinja2 writes a template as Python source; this generator changes three things in it:

* each ``{{ expr }}`` calls ``environment.slot(value, template, lineno)``, which records the
  value and returns its token (never the value's text), including ``{{ "literal" }}``, which
  Jinja2 would otherwise fold into the template text at compile time. It is not given the
  template's ``context``: a macro whose code named it would keep its module's context alive in a
  reference cycle, which only the garbage collector frees (for every helper import of every release);
* a ``{% filter %}`` block's result is a slot too: text made from values is never template text;
* each run of output first writes ``environment.line_marks[template, lineno]``, an empty string that
  says which template line the text after it comes from. It travels with the text wherever the
  text goes: into the release's stream, a macro's result, an include inside a macro, a call
  block's output; whatever joins the text records where each mark fell
  (:mod:`pytemplar.templating.lines`), so every rendered line maps back to its template line.

The template's name is written into the code as a literal: a template that extends another binds
``name`` as a local of its own.

Before a template is parsed, :func:`keep_line_breaks` narrows Jinja2's ``trim_blocks`` to the
lines it is meant for (see there).
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame


class SlotCodeGenerator(CodeGenerator):
    def _make_finalize(self) -> CodeGenerator._FinalizeInfo:
        # No compile-time folding of expressions: their output must become slots.
        return self._FinalizeInfo(None, None)

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write("environment.slot(")

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write(f", {self.name!r}, {node.lineno})")

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        if self.name is not None:  # the text given to tpl has no file to point at
            mark = f"environment.line_marks[{(self.name, node.lineno)!r}]"
            self.writeline(f"yield {mark}" if frame.buffer is None else f"{frame.buffer}.append({mark})")
        super().visit_Output(node, frame)

    def visit_FilterBlock(self, node: nodes.FilterBlock, frame: Frame) -> None:
        filter_frame = frame.inner()
        filter_frame.symbols.analyze_node(node)
        self.enter_frame(filter_frame)
        self.buffer(filter_frame)
        self.blockvisit(node.body, filter_frame)
        self.start_write(frame, node)
        self.write("environment.slot(")
        self.visit_Filter(node.filter, filter_frame)
        self.write(f", {self.name!r}, {node.lineno})")
        self.end_write(frame)
        self.leave_frame(filter_frame)


def keep_line_breaks(source: str) -> str:
    """``source`` with each block tag or comment that ends a line holding anything else (text or
    a ``{{ }}``) marked ``+%}`` / ``+#}``: its line break is kept.

    ``trim_blocks`` removes the line break after every block tag, which is what makes the lines
    of ``{% if %}``, ``{% for %}`` and ``{% endif %}`` disappear from the output. But after a tag
    that ends a line of YAML (``tag: {{ t }}{% if s %}-{{ s }}{% endif %}``) it joins that line
    with the next one: a Helm user who writes ``{{ end }}`` there gets two lines, and so does
    pytemplar's user. Lines that hold only tags, comments and spaces still disappear.
    """
    content: set[int] = set()  # lines with text or a {{ }}
    ends: list[int] = []  # the line of each tag or comment end that ends its line
    pending: int | None = None
    try:
        tokens = list(_PLAIN.lexer.tokeniter(source, None))
    except TemplateSyntaxError:
        return source  # reported, with its file and line, when the template is parsed
    for line, kind, value in tokens:
        if pending is not None:
            if kind == "data" and value.startswith(("\n", "\r\n")):
                ends.append(pending)
            pending = None
        if kind == "data":
            for offset, piece in enumerate(value.split("\n")):
                if piece.strip():
                    content.add(line + offset)
        elif kind == "variable_begin":
            content.add(line)
        elif kind in ("block_end", "comment_end", "raw_end") and value.rstrip()[-3:-2] not in ("-", "+"):
            pending = line  # a plain %} or #}, not -%} or +%}
    marked = [line for line in ends if line in content]
    if not marked:
        return source
    lines = source.split("\n")
    for line in marked:
        text = lines[line - 1]
        end = len(text.rstrip("\r"))
        lines[line - 1] = f"{text[: end - 2]}+{text[end - 2 :]}"
    return "\n".join(lines)


# Reads the template as written: no whitespace control, Jinja2's default delimiters (pytemplar's).
_PLAIN = Environment(keep_trailing_newline=True)
