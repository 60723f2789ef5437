"""Go templates (Helm's) read into a small tree: the lexer and parser of ``pytemplar import helm``."""
