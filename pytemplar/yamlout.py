"""Writing YAML: a small deterministic emitter for plain data.

Manifests are plain data by the time they are written (maps, lists, strings, numbers,
booleans, null), so a purpose-built emitter is both faster than a general one and easier to
make exact about what matters to Kubernetes users:

* block style, two-space indent, list items indented under their key, key order kept;
* a string is written plain only when every YAML reader agrees it is that string: anything a
  YAML 1.1 reader (kubectl, Helm, PyYAML) would take for a bool, number, null, date or
  sexagesimal number is quoted (``"yes"``, ``"on"``, ``"012"``, ``"1e3"``, ``"12:30"``);
* multi-line strings use literal block style when that round-trips, double quotes otherwise.
"""

from __future__ import annotations

import math
import re
from json.encoder import encode_basestring as _json_string
from typing import Any

# The writer decides what to quote with string tests: compiling its patterns cost a one-release
# render 0.7 ms. Each test decides as the pattern it stands for (tests/properties/
# test_yaml_writer_pattern_properties.py compares them on any text); where a test cannot tell
# without it, the pattern is compiled on first use (re's cache), for text that is not ASCII or a
# rare scalar. Characters a YAML reader refuses or takes for a line break, escaped in JSON text:
_NOT_PRINTABLE = "[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]"


def _escaped(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"


def escape_for_yaml(json_text: str) -> str:
    """JSON text made safe for YAML readers.

    JSON escapes C0 controls, quotes and backslashes; YAML readers also treat NEL and the
    Unicode line and paragraph separators as line breaks and refuse a few other characters.
    """
    if json_text.isascii():
        return json_text.replace("\x7f", "\\u007f")  # the one such character in ASCII
    if json_text.isprintable():  # none of them is printable
        return json_text
    return re.sub(_NOT_PRINTABLE, _escaped, json_text)


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON string syntax is a subset of it)."""
    # What json.dumps(text, ensure_ascii=False) returns, without building an encoder per call.
    return escape_for_yaml(_json_string(text))


# Plain-safe: starts with a character that cannot begin an indicator and holds no character a
# reader refuses or takes for a line break (all of which are not printable).
_PLAIN_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./$(")
_PLAIN_SAFE = r"[A-Za-z0-9_./$(][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]*\Z"


def _plain_safe(text: str) -> bool:
    if text[:1] not in _PLAIN_FIRST:
        return False
    if text.isprintable():
        return True
    # Not printable: in ASCII a control character, which the pattern refuses; beyond ASCII it may
    # be one the pattern allows (a no-break space, a format character).
    return not text.isascii() and re.match(_PLAIN_SAFE, text) is not None


def _breaks_plain(text: str) -> bool:
    """Whether ``text`` holds a sequence that ends or comments a plain scalar: what the pattern
    ``: |:\\Z| #|\\s\\Z|\\A(?:---|\\.\\.\\.)(?:\\s|\\Z)`` finds (``\\s`` is str.isspace())."""
    return (
        ": " in text
        or " #" in text
        or text[-1:] == ":"
        or text[-1:].isspace()
        or (text[:3] in _DOCUMENT_MARKERS and (len(text) == 3 or text[3].isspace()))
    )


_DOCUMENT_MARKERS = ("---", "...")
# Anything a YAML 1.1 or 1.2 resolver could read as something other than a string: the booleans
# and nulls in the three spellings YAML 1.1 reads, NaNs, the value key; or the pattern below.
_AMBIGUOUS_WORDS = frozenset(
    [
        spelt
        for word in ("y", "yes", "n", "no", "true", "false", "on", "off", "null")
        for spelt in (word, word.title(), word.upper())
    ]
    + ["~", ".nan", ".NaN", ".NAN", "="]
)
_AMBIGUOUS = r"""(?x)
    (?: [-+]?(?:[0-9_]*\.[0-9_]*|[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?            # numbers, 1.1 floats
      | [-+]?\.(?:inf|Inf|INF)
      | [-+]?0[bB][01_]+ | [-+]?0[oO]?[0-7_]+ | [-+]?0[xX][0-9a-fA-F_]+
      | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?                       # sexagesimal
      | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+).*)?                     # dates
    )\Z
    """
_SIGNS = frozenset("+-")
_NUMBER_FIRST = frozenset("0123456789._")  # after one sign, every alternative starts with one
_NUMBER_CHARACTERS = "0123456789_.:+-eE"  # all that numbers and sexagesimals hold
_LETTER_PREFIXES = frozenset(("0b", "0B", "0o", "0O", "0x", "0X", ".i", ".I"))  # the others, after a sign


def _ambiguous(text: str) -> bool:
    """Whether a YAML 1.1 or 1.2 resolver could read ``text`` as other than a string.

    Most texts are told without the pattern: ones that cannot start a number, ASCII digits with
    at most one dot (numbers), and, unless they may be dates or 0b/0o/0x/.inf numbers, texts
    with two dots or a character no number holds ("1.0.0", "500m", "512Mi", a checksum).
    """
    if text in _AMBIGUOUS_WORDS:
        return True
    body = text[1:] if text[:1] in _SIGNS else text
    if body[:1] not in _NUMBER_FIRST:
        return False
    undotted = body.replace(".", "", 1)
    if not undotted or (undotted.isascii() and undotted.isdigit()):
        return True
    if "." in undotted or undotted.strip(_NUMBER_CHARACTERS):
        may_be_date = text[4:5] == "-" and text[:4].isascii() and text[:4].isdigit()
        if not may_be_date and body[:2] not in _LETTER_PREFIXES:
            return False
    return re.match(_AMBIGUOUS, text) is not None


# Kubernetes' reader (go-yaml) drops every '_' of a plain scalar that starts like a number before
# reading it as one: 1e_3 and 70e0_ are numbers to kubectl.
# Compiled on first use (re's cache): few strings start like a number and hold a '_'.
_GO_NUMBER = (
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?0(?:[xX][0-9a-fA-F]+|[oO]?[0-7]+|[bB][01]+)"
)


def _go_yaml_number(text: str) -> bool:
    return text[:1] in _NUMBER_START and "_" in text and re.fullmatch(_GO_NUMBER, text.replace("_", "")) is not None


_NUMBER_START = frozenset("0123456789+-.")
_BLOCK_SAFE = r"[^\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff\r]*\Z"


def _block_safe(text: str) -> bool:
    """Whether a literal block can hold every character of ``text``."""
    if text.replace("\n", "").replace("\t", "").isprintable():
        return True
    return not text.isascii() and re.match(_BLOCK_SAFE, text) is not None


MAX_PLAIN_KEY = 1024  # longer keys need the explicit '? key' form


def scalar_text(value: Any) -> str:
    """The YAML text of a scalar, quoted where any reader could misread it."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    return _string_text(str(value))


def _float_text(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    # YAML 1.1 needs a dot in a float; repr(1e20) == '1e+20'.
    if "." not in text and "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


# Keys and many values repeat across the objects of a run ("name", "metadata", "TCP"): their
# text is remembered rather than matched against three patterns again. Bounded, so a run over
# many distinct strings does not grow it without end.
_STRING_TEXTS: dict[str, str] = {}
_STRING_TEXTS_LIMIT = 4096
_CACHED_LENGTH = 128


def _string_text(text: str) -> str:
    known = _STRING_TEXTS.get(text)
    if known is not None:
        return known
    if _plain_safe(text) and not _breaks_plain(text) and not _ambiguous(text) and not _go_yaml_number(text):
        written = text
    else:
        written = double_quoted(text)
    if len(text) <= _CACHED_LENGTH:
        if len(_STRING_TEXTS) >= _STRING_TEXTS_LIMIT:
            _STRING_TEXTS.clear()
        _STRING_TEXTS[text] = written
    return written


def _block_literal(text: str, indent: str) -> str | None:
    """``|`` block scalar for multi-line text, or None when it would not round-trip."""
    if not _block_safe(text):
        return None
    lines = text.split("\n")
    if text.endswith("\n"):
        body = lines[:-1]
        chomp = "+" if text.endswith("\n\n") else ""
    else:
        body = lines
        chomp = "-"
    content = [line for line in body if line]
    if not content or content[0][0] in " \t":
        return None  # would need an explicit indentation indicator
    if any(line != line.rstrip(" \t") for line in body):
        return None
    rendered = "\n".join(f"{indent}{line}" if line else "" for line in body)
    return f"|{chomp}\n{rendered}"


# A block's layout: ``step`` spaces per level of maps, ``list_step`` for a list under a key. The
# output of pytemplar uses 2 and 2; the overlay editor passes the layout of the file it edits
# (``list_step`` 0: lists start at their key's column, as kubectl writes them).


def _emit_map(
    value: dict[Any, Any], indent: int, out: list[str], lead: str | None = None, step: int = 2, list_step: int = 2
) -> None:
    """The entries of a non-empty map, one per line at ``indent``; the first line starts with
    ``lead`` instead of the indent when the map is a list item (``- key: value``)."""
    pad = " " * indent
    for key, child in value.items():
        key_text = _string_text(key) if type(key) is str else scalar_text(str(key))
        start = pad
        if lead is not None:
            start, lead = lead, None
        if len(key_text) > MAX_PLAIN_KEY:
            out.append(f"{start}? {key_text}")
            _emit_entry(f"{pad}:", child, indent, out, False, step, list_step)
        else:
            _emit_entry(f"{start}{key_text}:", child, indent, out, False, step, list_step)


def _emit_list(value: list[Any], indent: int, out: list[str], step: int = 2, list_step: int = 2) -> None:
    head = " " * indent + "-"
    for item in value:
        if type(item) is dict and item:
            _emit_map(item, indent + 2, out, head + " ", step, list_step)
        else:
            _emit_entry(head, item, indent, out, True, step, list_step)


def _emit_entry(
    head: str, child: Any, indent: int, out: list[str], in_list: bool = False, step: int = 2, list_step: int = 2
) -> None:
    # Exact types first: manifests are plain data, and str is by far the most common value.
    kind = type(child)
    if kind is str:
        if "\n" in child:
            out.append(f"{head} {block_scalar(child, indent + (2 if in_list else step))}")
        else:
            out.append(f"{head} {_string_text(child)}")
    elif isinstance(child, dict) and child:
        if in_list:
            _emit_map(child, indent + 2, out, head + " ", step, list_step)
        else:
            out.append(head)
            _emit_map(child, indent + step, out, None, step, list_step)
    elif isinstance(child, list) and child:
        out.append(head)
        _emit_list(child, indent + (2 if in_list else list_step), out, step, list_step)
    elif isinstance(child, dict):
        out.append(f"{head} {{}}")
    elif isinstance(child, list):
        out.append(f"{head} []")
    elif isinstance(child, str) and "\n" in child:
        out.append(f"{head} {block_scalar(child, indent + (2 if in_list else step))}")
    else:
        out.append(f"{head} {scalar_text(child)}")


def block_scalar(text: str, indent: int) -> str:
    """Multi-line text as a ``|`` block with its lines at ``indent``, or double-quoted on one
    line when a literal block cannot hold it exactly."""
    block = _block_literal(text, " " * indent)
    return block if block is not None else double_quoted(text)


def block_lines(value: dict[Any, Any] | list[Any], indent: int, step: int = 2, list_step: int = 2) -> list[str]:
    """The lines of a non-empty map or list at ``indent``, with the given layout."""
    out: list[str] = []
    if isinstance(value, dict):
        _emit_map(value, indent, out, None, step, list_step)
    else:
        _emit_list(value, indent, out, step, list_step)
    return out


def dump_yaml(value: Any) -> str:
    """One YAML document (without ``---``) for a map, list or scalar."""
    if isinstance(value, (dict, list)) and value:
        out: list[str] = []
        if isinstance(value, dict):
            _emit_map(value, 0, out)
        else:
            _emit_list(value, 0, out)
        return "\n".join(out) + "\n"
    if isinstance(value, dict):
        return "{}\n"
    if isinstance(value, list):
        return "[]\n"
    if isinstance(value, str) and "\n" in value:
        return block_scalar(value, 2) + "\n"
    return scalar_text(value) + "\n"
