"""`pytemplar import helm CHART`: a Helm chart (folder or .tgz) turned into a pytemplar app.

``Chart.yaml`` becomes ``app.yaml``; ``values.yaml`` is carried over as written (pytemplar then
warns about what Helm reads otherwise), ``values.schema.json`` too, or one is drafted from the
values and from every ``.Values`` path the templates read (so an optional key may be left
unset); the defines of every ``*.tpl`` become macros in ``templates/_helpers.j2``, each manifest
template is translated (:mod:`pytemplar.helm.gotemplate.translate`), and the chart's other files
are copied for ``files.get``. What has no translation is marked ``TODO(import)`` and listed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytemplar.errors import ConfigError, Location, PytemplarError, UsageError
from pytemplar.helm.gotemplate.parse import GoTemplateError, Node, parse
from pytemplar.helm.gotemplate.translate import TODO, Scope, Translator, macro_name
from pytemplar.yamlio import load_mapping

HELPERS = "templates/_helpers.j2"
IMPORT_LINE = '{% import "_helpers.j2" as h with context %}\n'
_SKIPPED = {"templates/NOTES.txt": "NOTES.txt: pytemplar prints no notes; put them in the app's README"}


@dataclass
class Imported:
    name: str
    files: dict[str, str]
    todos: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, what
    skipped: list[tuple[str, str]] = field(default_factory=list)  # file, why
    notes: list[tuple[str, str]] = field(default_factory=list)  # file, what differs from Helm there


def read_chart(path: Path) -> dict[str, str]:
    """The chart's text files by path inside the chart."""
    if path.is_file():
        from pytemplar.archive import read_archive_bytes, read_archive_file

        archive = read_archive_bytes(read_archive_file(path), str(path), required="Chart.yaml")
        files = archive.files
    elif path.is_dir():
        files = {
            p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob("*"))
            if p.is_file() and not p.is_symlink()
        }
    else:
        raise UsageError(f"chart '{path}' does not exist")
    if "Chart.yaml" not in files:
        raise UsageError(f"'{path}' is not a Helm chart: it has no Chart.yaml")
    texts: dict[str, str] = {}
    for name, data in files.items():
        try:
            texts[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return texts


def import_chart(path: Path) -> Imported:
    chart = read_chart(path)
    meta = load_mapping(chart["Chart.yaml"], str(path / "Chart.yaml"), what="Chart.yaml").data
    if meta.get("dependencies"):
        raise ConfigError(
            "the chart has dependencies (subcharts), which import helm does not bring along",
            location=Location(str(path / "Chart.yaml")),
            hint="import each dependency as its own app, or keep the chart as a release rendered by helm",
        )
    name = str(meta.get("name", path.stem))
    values_text = chart.get("values.yaml", "")
    defaults = load_mapping(values_text, str(path / "values.yaml"), what="values.yaml").data if values_text else {}

    trees: dict[str, list[Node]] = {}
    result = Imported(name, {})
    for file, text in sorted(chart.items()):
        if not file.startswith("templates/"):
            continue
        if file in _SKIPPED or file.startswith("templates/tests/"):
            why = _SKIPPED.get(file, "a Helm test (run by helm test); pytemplar renders no tests")
            result.skipped.append((file, why))
            continue
        try:
            trees[file] = parse(text)
        except GoTemplateError as exc:
            result.todos.append((file, exc.line, f"cannot parse: {exc}"))
    defines = {node.name: node for tree in trees.values() for node in _defines(tree)}

    # A define that include gives another value than the root context (`include "x.image"
    # .Values.image`, `(dict "ctx" $ ...)`) becomes a macro with a parameter; calls found while
    # translating say which, so the translation runs again until they agree.
    parameters: dict[str, frozenset[str]] = {}
    for _ in range(_MAX_PASSES):
        helpers, bodies, translated = _translate(trees, defines, defaults, parameters)
        wanted: dict[str, frozenset[str]] = {}
        for translator in [helpers, *(translator for _, translator in translated.values())]:
            for define_name, keys in translator.wanted.items():
                wanted[define_name] = wanted[define_name] & keys if define_name in wanted else keys
        if wanted == parameters:
            break
        parameters = wanted
    reads: set[tuple[str, ...]] = set()
    rendered: set[tuple[str, ...]] = set()  # values paths given to tpl
    files: dict[str, str] = {}
    macros = [_macro(define_name, define_name in parameters, body) for define_name, body in bodies]
    if macros:
        files[HELPERS] = "\n".join(macros)
    for target, (body, translator) in translated.items():
        reads |= translator.reads
        rendered |= translator.tpl_values
        files[target] = (IMPORT_LINE if macros else "") + body.lstrip("\n")
        result.notes += [(f"{name}/{target}", what) for what in sorted({what for _, what in translator.notes})]
    files["app.yaml"] = _app_yaml(meta)
    rendered |= helpers.tpl_values
    files["values.yaml"] = _translate_rendered_defaults(values_text, defaults, rendered, set(defines), result)
    reads |= helpers.reads
    result.notes += [(f"{name}/{HELPERS}", what) for what in sorted({what for _, what in helpers.notes})]
    own_schema = chart.get("values.schema.json")
    files["values.schema.json"] = (
        _with_reads(own_schema, files, reads) if own_schema else _draft_schema(defaults, files, reads)
    )
    for file, text in chart.items():
        if file.startswith("templates/") or file in ("Chart.yaml", "values.yaml", "values.schema.json", "Chart.lock"):
            continue
        if file.startswith("charts/") or file == ".helmignore":
            continue
        files[file] = text
    result.files = {f"{name}/{file}": text for file, text in files.items()}
    parse_failures = [(f"{name}/{file}", line, what) for file, line, what in result.todos if not file.endswith(".j2")]
    result.todos = parse_failures + marked_lines(result.files)
    return result


_MAX_PASSES = 6


def _macro(define: str, takes_value: bool, body: str) -> str:
    """A define as a macro whose text is the define's text in Go: Jinja drops a line break right
    after the macro tag (Go's ``-}}`` drops it too), and ``{%- endmacro`` the one added before
    the end tag."""
    end = "\n{%- endmacro %}" if body == body.rstrip() else "{% endmacro %}"
    return f"{{# {define} #}}\n{{% macro {macro_name(define)}({'dot' if takes_value else ''}) %}}{body}{end}\n"


def _translate(
    trees: dict[str, list[Node]],
    defines: dict[str, Node],
    defaults: dict[str, Any],
    parameters: dict[str, frozenset[str]],
) -> tuple[Translator, list[tuple[str, str]], dict[str, tuple[str, Translator]]]:
    """The defines' macro bodies (with the translator that read them) and each manifest template."""
    helpers = Translator(defaults, set(defines), in_helpers=True, parameters=parameters)
    bodies = []
    for define_name, node in defines.items():
        scope = Scope("dot", top="dot", root_keys=parameters[define_name]) if define_name in parameters else None
        # The space at the end is trimmed as in Go; at the start, the line break Jinja drops is kept.
        bodies.append((define_name, helpers.template(node.body, scope, (False, node.end_trim[0]))))
    translated: dict[str, tuple[str, Translator]] = {}
    for file, tree in trees.items():
        if file.endswith(".tpl") or not any(node.kind != "define" and node.kind != "comment" for node in tree):
            continue
        translator = Translator(defaults, set(defines), parameters=parameters)
        body = translator.template(tree)
        target = file + ".j2" if file.endswith((".yaml", ".yml")) else file.rsplit(".", 1)[0] + ".yaml.j2"
        translated[target] = (body, translator)
    return helpers, bodies, translated


def _translate_rendered_defaults(
    text: str, defaults: dict[str, Any], paths: set[tuple[str, ...]], defines: set[str], result: Imported
) -> str:
    """values.yaml with each default that ``tpl`` renders translated from a Go template to Jinja2
    (``{{ .Release.Name }}`` to ``{{ release.name }}``), every other byte kept; a default that has
    no translation is kept as written and listed for a hand."""
    from pytemplar.overlay.editor import line_of, set_value

    for at, written in sorted({found for path in paths for found in _templates_below(defaults, path)}, key=str):
        translator = Translator(defaults, defines)
        try:
            translated = translator.template(parse(written))
            problem = translator.todos[0][1] if translator.todos else None
        except GoTemplateError as exc:
            translated, problem = written, str(exc)
        if problem is None:
            try:
                text = set_value(text, at, translated, "values.yaml")
                continue
            except PytemplarError as exc:
                problem = exc.problems[0].message
        shown = ".".join(str(part) for part in at)
        result.todos.append(
            (
                "values.yaml",
                line_of(text, at, "values.yaml"),
                f"tpl renders {shown}, a Go template kept as written: {problem}",
            )
        )
    return text


def _templates_below(node: Any, path: tuple[str, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    """The texts holding ``{{`` at or below ``path`` in the default values, with their paths."""
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return [((*path, *inner), text) for inner, text in _templates_in(node)]


def _templates_in(node: Any) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, str):
        return [((), node)] if "{{" in node else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    return [((key, *inner), text) for key, value in items for inner, text in _templates_in(value)]


def _defines(tree: list[Node]) -> list[Node]:
    return [node for node in tree if node.kind == "define"]


def _app_yaml(meta: dict[str, Any]) -> str:
    lines = [f"name: {json.dumps(str(meta.get('name')))}", f"version: {json.dumps(str(meta.get('version', '0.1.0')))}"]
    if meta.get("description"):
        lines.append(f"description: {json.dumps(str(meta['description']))}")
    if meta.get("appVersion") is not None:
        lines.append(f"appVersion: {json.dumps(str(meta['appVersion']))}")
    return "# Imported from a Helm chart by `pytemplar import helm`.\n" + "\n".join(lines) + "\n"


_VALUES_PATH = re.compile(r"\bvalues((?:\.[A-Za-z_]\w*)+)")


def _draft_schema(defaults: dict[str, Any], translated: dict[str, str], reads: set[tuple[str, ...]]) -> str:
    """A schema with the types of the default values, naming every key the templates read
    (``*``: each item of a list, or each value of a map, read through a loop)."""
    schema = _schema_of(defaults)
    for path in sorted(reads):
        _declare(schema, list(path))
    for file, text in translated.items():
        if file.startswith("templates/"):
            for found in _VALUES_PATH.finditer(text):
                _declare(schema, found.group(1).split(".")[1:])
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def _schema_of(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"type": "object", "properties": {k: _schema_of(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"type": "array"}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    return {}


def _declare(schema: dict[str, Any], names: list[str]) -> bool:
    """Name the key at ``names`` in the schema, where the schema leaves room for it (never past a
    ``$ref``, a closed map or a type that is not a map); whether the schema changed."""
    node = schema
    changed = False
    for name in names:
        if not isinstance(node, dict) or "$ref" in node:
            return changed
        if name == "*" and node.get("type") == "array":
            changed |= "items" not in node
            node = node.setdefault("items", {})
            continue
        if node.get("type") not in (None, "object"):
            return changed
        if name == "*":
            changed |= "additionalProperties" not in node
            node = node.setdefault("additionalProperties", {})
            continue
        properties = node.setdefault("properties", {})
        if name not in properties:
            if node.get("additionalProperties") is False:
                return changed
            changed = True
        node = properties.setdefault(name, {})
    return changed


def _with_reads(text: str, translated: dict[str, str], reads: set[tuple[str, ...]]) -> str:
    """The chart's own schema, with the keys the templates read that it does not name (an optional
    ``route.*.annotations`` that Helm reads as empty) added where it leaves room for them."""
    try:
        schema = json.loads(text)
    except ValueError:
        return text  # pytemplar reports the chart's broken schema where it reads it
    if not isinstance(schema, dict):
        return text
    changed = False
    for path in sorted(reads):
        changed |= _declare(schema, list(path))
    for file, body in translated.items():
        if file.startswith("templates/"):
            for found in _VALUES_PATH.finditer(body):
                changed |= _declare(schema, found.group(1).split(".")[1:])
    return json.dumps(schema, indent=2) + "\n" if changed else text


def marked_lines(files: dict[str, str]) -> list[tuple[str, int, str]]:
    """Each line of the app that carries a TODO(import) marker, with what it says."""
    found = []
    for file, text in files.items():
        for number, line in enumerate(text.splitlines(), 1):
            at = line.find(TODO + ": ")
            if at >= 0:
                found.append((file, number, line[at + len(TODO) + 2 :].split(" #}", 1)[0].strip()))
    return found
