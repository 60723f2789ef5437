"""How templates compile: every ``{{ }}`` becomes a slot, every run of output marks its line.

Jinja2 writes a template as Python source; this generator changes four things in it:

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
  (:mod:`pytemplar.templating.lines`), so every rendered line maps back to its template line;
* an import with context asks the environment for the module (``module_with_context``), which
  hands the templates of a release one module when running the helper again would make the same.

The template's name is written into the code as a literal: a template that extends another binds
``name`` as a local of its own.

Before a template is parsed, :func:`keep_lines` narrows Jinja2's ``trim_blocks`` and
``lstrip_blocks`` to the lines they are meant for (see there).
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

    def _import_common(self, node: nodes.Import | nodes.FromImport, frame: Frame) -> None:
        if not node.with_context or self.environment.is_async:
            super()._import_common(node, frame)
            return
        # The engine decides whether the helper runs again (see _Environment.module_with_context).
        self.write("environment.module_with_context(")
        self.visit(node.template, frame)
        self.write(f", {self.name!r}, context, {self.dump_local_context(frame)})")

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


def keep_lines(source: str) -> str:
    """``source`` with Jinja2's ``trim_blocks`` and ``lstrip_blocks`` turned off for each tag or
    comment on a line that holds anything else (text or a ``{{ }}``): a tag that ends such a
    line is marked ``+%}`` (its line break is kept), one that starts it after indentation ``{%+``
    (the indentation is kept).

    The two settings make the lines of ``{% if %}``, ``{% for %}`` and ``{% endif %}`` disappear
    from the output, as intended. On a line of YAML they do harm: after
    ``tag: {{ t }}{% if s %}-{{ s }}{% endif %}`` the next line would be joined to this one, and
    ``  {% if a %}annotations: {}{% endif %}`` would lose its indentation and move to another
    map, silently. Helm keeps both, and so does pytemplar: only lines holding nothing but tags,
    comments and spaces are removed. ``-`` and ``+`` written in a tag still decide.
    """
    try:
        tokens = list(_PLAIN.lexer.tokeniter(source, None))
    except TemplateSyntaxError:
        return source  # reported, with its file and line, when the template is parsed
    content: set[int] = set()  # lines with text or a {{ }}
    ends: set[int] = set()  # lines ending with a plain %} or #} (not -%} or +%})
    starts: set[int] = set()  # lines starting, after indentation, with a plain {% or {#
    at_line_start = True
    pending_end: int | None = None
    for line, kind, value in tokens:
        if pending_end is not None and kind == "data" and value.startswith(("\n", "\r\n")):
            ends.add(pending_end)
        pending_end = None
        if kind == "data":
            pieces = value.split("\n")
            content.update(line + offset for offset, piece in enumerate(pieces) if piece.strip())
            at_line_start = not pieces[-1].strip() and (len(pieces) > 1 or at_line_start)
            continue
        if kind in ("block_begin", "comment_begin", "raw_begin") and at_line_start and value[2:3] not in ("-", "+"):
            starts.add(line)
        elif kind == "variable_begin":
            content.add(line)
        elif kind in ("block_end", "comment_end", "raw_end") and value.rstrip()[-3:-2] not in ("-", "+"):
            pending_end = line
        at_line_start = False
    changed = sorted((ends | starts) & content)
    if not changed:
        return source
    lines = source.split("\n")
    for line in changed:
        text = lines[line - 1]
        if line in ends:
            end = len(text.rstrip("\r")) - 2
            text = f"{text[:end]}+{text[end:]}"
        if line in starts:
            begin = len(text) - len(text.lstrip(" \t")) + 2
            text = f"{text[:begin]}+{text[begin:]}"
        lines[line - 1] = text
    return "\n".join(lines)


# Reads the template as written: no whitespace control, Jinja2's default delimiters (pytemplar's).
_PLAIN = Environment(keep_trailing_newline=True)
