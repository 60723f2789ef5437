"""The template built-ins Helm charts lean on, in pytemplar's terms.

Registered in the template environment by :func:`install`: byte-order sorting (Go's and
Sprig's ``sortAlpha`` order, also the default of ``dictsort`` and ``sort``), semantic-version
comparison, regular expressions, the rendered text of another template (for checksum
annotations), ``capabilities`` and ``files.glob``. Each is compared with real
``helm template`` in ``tests/helm/``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

from jinja2 import Undefined, pass_context, pass_environment
from jinja2.exceptions import SecurityError
from jinja2.filters import do_dictsort, do_sort

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.runtime import Context

    from pytemplar.templating.engine import TemplateEngine

SERVICE = "pytemplar"  # release.service: what manages the objects (Helm writes "Helm")

# Names Helm users reach for that pytemplar spells otherwise, and what to write instead.
HELM_NAMES = {
    "nindent": "maps and lists land whole: write `key: {{ values.x }}` on the key's line, "
    "with no toYaml and no nindent",
    "toYaml": "write `key: {{ values.x }}` (maps and lists land whole), or use `| toyaml` for YAML text",
    "include": "import the helper and call its macro: {% import '_helpers.j2' as h with context %}, then h.name()",
    "sha256sum": "use `| sha256`",
    "sortAlpha": "use `| sortalpha`",
    "semverCompare": "use `semver_compare(constraint, version)`",
    "regexReplaceAll": "use `| regex_replace(pattern, replacement)`",
    "trunc": "use `[:63]`, e.g. `(release.name ~ '-web')[:63]`",
    "trimSuffix": "use `.removesuffix('-')`",
    "b64enc": "use `| b64encode`",
}


def _dictsort(value: Mapping[str, Any], case_sensitive: bool = True, by: str = "key", reverse: bool = False) -> Any:
    # Byte order by default, as Go's `range` over a map and Sprig's sortAlpha: environment
    # variables and annotations come out in the order Helm writes them.
    return do_dictsort(value, case_sensitive, by, reverse)  # type: ignore[arg-type]


@pass_environment
def _sort(
    environment: Environment, value: Any, reverse: bool = False, case_sensitive: bool = True, attribute: Any = None
) -> Any:
    return do_sort(environment, value, reverse, case_sensitive, attribute)


def _sortalpha(value: Any) -> list[str]:
    """Sprig's sortAlpha: the items as text, in byte order."""
    from pytemplar.templating.slots import as_text

    return sorted(as_text(item) for item in value)


def semver_compare(constraint: str, version: str) -> bool:
    """Whether ``version`` satisfies ``constraint`` (``>=1.21-0``, ``^1.2``, ``~1.2.3``, ``a || b``),
    with a leading ``v`` allowed on either, as Helm's semverCompare."""
    from pytemplar.dependencies import satisfies

    text = str(version).strip().removeprefix("v")
    return any(
        satisfies(text, part.strip().replace(" v", " ").removeprefix("v")) for part in str(constraint).split("||")
    )


def _go_replacement(replacement: str) -> str:
    # Go writes groups as $1 or ${1} (or ${name}); Python as \g<1>.
    escaped = replacement.replace("\\", "\\\\")
    return re.sub(r"\$(?:\{(\w+)\}|(\d+))", lambda m: f"\\g<{m.group(1) or m.group(2)}>", escaped)


@cache
def _compiled(pattern: str) -> Any:
    # RE2, as Go's regexp that Helm uses: linear in the text, so a template's pattern cannot
    # make a render backtrack for hours (a lookahead or backreference is refused, as in Helm).
    from pytemplar.patterns import PatternError, linear

    try:
        return linear(pattern)
    except PatternError as exc:
        raise SecurityError(f"the regular expression {pattern!r} {exc}") from None


def regex_match(value: Any, pattern: str) -> bool:
    return _compiled(pattern).search(str(value)) is not None


def regex_find(value: Any, pattern: str) -> str:
    found = _compiled(pattern).search(str(value))
    return found.group(0) if found else ""


def regex_find_all(value: Any, pattern: str, count: int = -1) -> list[str]:
    found = [m.group(0) for m in _compiled(pattern).finditer(str(value))]
    return found if count < 0 else found[:count]


def regex_replace(value: Any, pattern: str, replacement: str) -> str:
    replaced: str = _compiled(pattern).sub(_go_replacement(str(replacement)), str(value))
    return replaced


def regex_split(value: Any, pattern: str, count: int = -1) -> list[str]:
    parts: list[str] = _compiled(pattern).split(str(value), maxsplit=max(count - 1, 0) if count > 0 else 0)
    return parts


class ApiVersions:
    """``capabilities.api_versions.has("apps/v1")`` or ``has("apps/v1/Deployment")``: what the
    bundled schema of the target Kubernetes version serves (Helm, offline, knows group versions
    only; pytemplar knows the kinds too)."""

    def __init__(self, version: str) -> None:
        self._version = version

    def has(self, name: str) -> bool:
        return str(name) in _served(self._version)


@cache
def _served(version: str) -> frozenset[str]:
    from pytemplar.kubeschema import nearest_bundled, schema_set

    kinds = schema_set(nearest_bundled(version)).kinds
    names = set(kinds)
    names.update(kind.rsplit("/", 1)[0] for kind in kinds)
    return frozenset(names)


def capabilities(kube_version: str) -> dict[str, Any]:
    """The ``capabilities`` of a render for Kubernetes ``kube_version`` (a minor version: 1.35)."""
    major, minor = kube_version.split(".")[:2]
    full = f"v{major}.{minor}.0"
    return {
        "kubeVersion": kube_version,
        "kube_version": {"version": full, "git_version": full, "major": major, "minor": minor},
        "api_versions": ApiVersions(kube_version),
    }


class FileGlob:
    """The files of the app matching a pattern (Helm's ``.Files.Glob``), by path, sorted."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def get(self, name: str) -> str:
        return self._texts[name]

    def as_config(self) -> dict[str, str]:
        """A ConfigMap's ``data``: file name (without folders) -> text, as Helm's AsConfig."""
        return {name.rsplit("/", 1)[-1]: text for name, text in self._texts.items()}

    def as_secrets(self) -> dict[str, str]:
        """A Secret's ``data``: file name -> base64 of the text, as Helm's AsSecrets."""
        return {
            name.rsplit("/", 1)[-1]: base64.b64encode(text.encode("utf-8")).decode("ascii")
            for name, text in self._texts.items()
        }


def glob_pattern(pattern: str) -> re.Pattern[str]:
    """A Helm glob: ``*`` and ``?`` stay within a folder, ``**`` crosses folders, ``{a,b}`` chooses."""
    out = ""
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out += ".*"
            index += 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "{" and "}" in pattern[index:]:
            end = pattern.index("}", index)
            out += "(?:" + "|".join(re.escape(part) for part in pattern[index + 1 : end].split(",")) + ")"
            index = end + 1
            continue
        else:
            out += re.escape(char)
        index += 1
    return re.compile(out + r"\Z")


def helm_toyaml(value: Any) -> str:
    """YAML text laid out as Helm's ``toYaml`` writes it: keys sorted, list items at their
    key's indentation, no trailing line break (for text such as a config file in a ConfigMap)."""
    from pytemplar.templating.engine import _plain
    from pytemplar.yamlout import dump_yaml

    plain = _sorted(_plain(value))
    if not isinstance(plain, (dict, list)) or not plain:
        return dump_yaml(plain).rstrip("\n")
    out: list[str] = []
    _helm_lines(plain, 0, out)
    return "\n".join(out)


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _helm_lines(value: Any, indent: int, out: list[str], lead: str = "") -> None:
    from pytemplar.yamlout import dump_yaml

    pad = " " * indent
    if isinstance(value, dict):
        for index, (key, child) in enumerate(value.items()):
            start = lead if index == 0 and lead else pad
            head = f"{start}{dump_yaml(key).rstrip()}:"
            if isinstance(child, dict) and child:
                out.append(head)
                _helm_lines(child, indent + 2, out)
            elif isinstance(child, list) and child:
                out.append(head)
                _helm_lines(child, indent, out)
            else:
                text = dump_yaml(child).rstrip("\n")
                out.append(f"{head} {text}" if "\n" not in text else f"{head} {_reindent(text, indent + 2)}")
    else:
        for item in value:
            if isinstance(item, dict) and item:
                _helm_lines(item, indent + 2, out, f"{pad}- ")
            elif isinstance(item, list) and item:
                out.append(f"{pad}-")
                _helm_lines(item, indent + 2, out)
            else:
                out.append(f"{pad}- {dump_yaml(item).rstrip()}")


@pass_environment
def helm_index(environment: Environment, collection: Any, *keys: Any) -> Any:
    """Go's ``index``: a key a map does not have gives none (a Go map's zero value); an item
    past the end of a list is an error, as in Go."""
    from jinja2.runtime import Undefined

    value = collection
    for key in keys:
        if isinstance(value, Mapping) and key not in value:
            return None
        value = environment.getitem(value, key)
        if isinstance(value, Undefined):
            return value  # its error names the list and its length when it is used
    return value


class MergedMap(dict[str, Any]):
    """What ``helm_merge`` returns: a key no map gave reads as none, as a missing key of a Go map
    does (``{% if merged.digest %}`` needs no guard)."""

    def __missing__(self, key: str) -> None:
        return None


def helm_merge(first: Any, *others: Any) -> MergedMap:
    """Sprig's ``merge``: the maps merged key by key, the first one that gives a key a non-empty
    value winning (maps inside are merged the same way); the arguments are left as they were."""
    from pytemplar.templating.engine import _plain

    merged = MergedMap()
    for source in (first, *others):
        plain = _plain(source)
        if not isinstance(plain, dict):
            raise TypeError(f"merge takes maps, not {type(plain).__name__}")
        _fill(merged, plain)
    return merged


def _fill(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        have = target.get(key)
        if isinstance(have, dict) and isinstance(value, dict):
            _fill(have, value)
        elif key not in target or have in (None, "", 0, False) or have == {} or have == []:
            target[key] = _copy(value)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return MergedMap({key: _copy(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _reindent(block: str, indent: int) -> str:
    first, _, rest = block.partition("\n")
    return first + "\n" + "\n".join(" " * indent + line.lstrip(" ") if line else line for line in rest.split("\n"))


# A text that Helm's output holds as one plain scalar: no indicator first (a dash, question mark
# or colon only before more text), no comment, no line break, no space at either end.
_PLAIN_TEXT = r"(?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|[-?:](?=\S))[^\n]*(?<![\s:])\Z"  # compiled on first use


def helm_scalar(value: Any) -> Any:
    """A text read as Kubernetes reads Helm's output where Helm writes the text as a whole value
    (``port: {{ $key }}``): an empty text is null, ``9000`` the number, ``yes`` true. Other values,
    and texts that are not a plain scalar (``a: b``), are kept."""
    from pytemplar.yamlio import NotJsonError, resolve_kubernetes

    if type(value) is not str:
        return value
    if value == "":
        return None
    if ": " in value or " #" in value or not re.match(_PLAIN_TEXT, value):
        return value
    try:
        return resolve_kubernetes(value)
    except NotJsonError:
        return value


def helm_range(collection: Any) -> list[tuple[Any, Any]]:
    """What Go's ``range`` gives over a value that may be a map or a list: a map's keys and values
    in key order, a list's indexes and items; nothing for none."""
    from jinja2.runtime import Undefined

    if isinstance(collection, Undefined):
        str(collection)  # its error names the value
    if collection is None:
        return []
    if isinstance(collection, Mapping):
        return sorted(collection.items(), key=lambda item: str(item[0]))
    if isinstance(collection, (list, tuple)):
        return list(enumerate(collection))
    raise TypeError(f"range over {type(collection).__name__}: it takes a map or a list")


_BCRYPT_ALPHABET = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
)


def htpasswd(user: Any, password: Any) -> str:
    """Sprig's ``htpasswd``: ``user:`` and a bcrypt hash of the password (``$2a$``, cost 10), as
    web servers read it. Helm salts it at random, so every render differs; here the salt comes
    from the user and password, so the same values render the same bytes (no diff in Git or Argo
    CD) and the hash still checks against the password."""
    import hashlib
    import hmac

    import bcrypt

    from pytemplar.templating.engine import TemplateFailure

    name, secret = str(user).encode(), str(password).encode()
    if b":" in name:
        raise TemplateFailure(f"htpasswd: the user name {str(user)!r} holds ':', which ends a user name there")
    if len(secret) > 72:
        raise TemplateFailure("htpasswd: bcrypt takes passwords of at most 72 bytes")
    raw = hmac.new(secret, b"pytemplar htpasswd\0" + name, hashlib.sha256).digest()[:16]
    salt = b"$2a$10$" + base64.b64encode(raw)[:22].translate(_BCRYPT_ALPHABET)
    return f"{user}:{bcrypt.hashpw(secret, salt).decode()}"


def helm_text(value: Any) -> str:
    """Sprig's ``toString``: a value's text as Go prints it inside text (``true``, an empty text
    for none, ``1.5``), not Python's (``True``, ``None``)."""
    from pytemplar.templating.slots import as_text

    return as_text(value, strict=False)


def helm_verb(value: Any, verb: str) -> str:
    """An argument of Go's ``printf`` for ``%v``, ``%s`` or ``%q``, as Go writes it: ``true`` for
    true, ``<nil>`` for nil under ``%v`` (``%!s(<nil>)`` under the others), a quoted text for ``%q``."""
    if value is None or isinstance(value, Undefined):
        return "<nil>" if verb == "v" else f"%!{verb}(<nil>)"
    if verb == "q":
        if not isinstance(value, str):
            from pytemplar.templating.engine import TemplateFailure

            raise TemplateFailure(f"printf: %q is given {helm_text(value)!r}, which is not a text")
        return json.dumps(value, ensure_ascii=False)
    return helm_text(value)


def import_todo(what: str) -> NoReturn:
    """Where ``import helm`` left a Helm action untranslated: a render that reaches it stops here,
    since rendering nothing in its place would give objects that silently differ from Helm's."""
    from pytemplar.templating.engine import TemplateFailure

    raise TemplateFailure(
        f"import helm could not translate this line ({what}), so it cannot render yet"
        "\x00translate the Helm template in the TODO(import) comment beside it into Jinja2, "
        "then delete the import_todo(...) call"
    )


def install(environment: Environment, engine: TemplateEngine) -> None:
    """Add the Helm-inspired filters and functions to a template environment."""
    environment.filters.update(
        {
            "dictsort": _dictsort,
            "sort": _sort,
            "sortalpha": _sortalpha,
            "helm_toyaml": helm_toyaml,
            "helm_scalar": helm_scalar,
            "helm_text": helm_text,
            "helm_verb": helm_verb,
            "regex_match": regex_match,
            "regex_find": regex_find,
            "regex_find_all": regex_find_all,
            "regex_replace": regex_replace,
            "regex_split": regex_split,
        }
    )

    @pass_context
    def render_template(context: Context, name: str) -> str:
        """The rendered text of another template of the app, with this template's context."""
        return engine.render_text(str(name), context.get_all())

    environment.globals.update(
        {
            "semver_compare": semver_compare,
            "render_template": render_template,
            "helm_merge": helm_merge,
            "helm_index": helm_index,
            "helm_range": helm_range,
            "htpasswd": htpasswd,
            "import_todo": import_todo,
        }
    )
