"""Rendering templates: the sandboxed engine, slots placed by the YAML parser, template lines.

``engine.py`` renders each template to text with a token per ``{{ }}``; ``parse.py`` parses that
text and places each value where the parser found its token (``slots.py``); ``lines.py`` maps
rendered positions back to template lines; ``codegen.py`` is how templates compile.
"""

from pytemplar.templating.engine import ReadLog, RenderedFile, TemplateEngine, template_context
from pytemplar.templating.parse import parse_rendered

__all__ = ["ReadLog", "RenderedFile", "TemplateEngine", "parse_rendered", "template_context"]
