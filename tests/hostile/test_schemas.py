"""Hostile JSON Schemas (values.schema.json of a third-party app): H39-H45.

A schema may only refer to itself: no network, no files, no ``$ref`` cycles or chains that blow
the stack, no JSON laxities (NaN, duplicate keys, overflowing numbers) that silently switch a
constraint off, and no regular expression that can hang CI.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from .harness import RENDER, Batch, Case, Sandbox, batch_sandbox, run_batch

SCHEMA = "app/values.schema.json"
VALUES = ("values", "project", "-e", "dev", "-r", "one", "-o", "json")
EXTERNAL = r"not allowed|self-contained|external"


def _schema(case_id: str, schema: object, message: str, *, values: str = "", line: int | str | None = None) -> Case:
    text = schema if isinstance(schema, str) else json.dumps(schema, indent=1)
    files: dict[str, str | bytes] = {SCHEMA: text}
    if values:
        files["values"] = values
    return Case(case_id, files, SCHEMA, message, line=line)


def _with_property(name: str, subschema: object) -> dict[str, object]:
    return {
        "type": "object",
        "properties": {"replicas": {"type": "integer"}, "image": {"type": "object"}, name: subschema},
    }


CHAIN: dict[str, object] = {"$defs": {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(2000)}}
CHAIN["$defs"]["d2000"] = {"type": "object"}  # type: ignore[index]
CHAIN["$ref"] = "#/$defs/d0"

CASES = [
    # H39, H40: reference cycles and chains
    _schema("H39a-ref-to-itself", {"$ref": "#"}, r"cycle|recurs"),
    _schema(
        "H39b-mutual-refs",
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
        r"cycle|recurs",
    ),
    _schema("H40-2000-chained-refs", CHAIN, r"chain|deep|limit|recurs|nest"),
    # H41: the network
    _schema("H41a-remote-ref", _with_property("x", {"$ref": "{LISTENER}/evil.json"}), EXTERNAL),
    _schema(
        "H41b-metadata-shaped-ref",
        _with_property("x", {"$ref": "{LISTENER}/latest/meta-data/iam/security-credentials/"}),
        EXTERNAL,
    ),
    _schema(
        "H41c-remote-through-id",
        {"$id": "{LISTENER}/root.json", "type": "object", "properties": {"replicas": {"$ref": "other.json"}}},
        EXTERNAL,
    ),
    _schema(
        "H41a-remote-ref-under-a-property-named-default",
        # "default", "enum", "const" and "examples" are data keywords, but here they are property
        # names whose values are subschemas: the check for external refs must still see the $ref.
        _with_property("default", {"$ref": "{LISTENER}/hidden.json"}),
        EXTERNAL,
    ),
    _schema("H41a-remote-dynamic-ref", _with_property("x", {"$dynamicRef": "{LISTENER}/d.json"}), EXTERNAL),
    # H42: files
    _schema("H42a-file-ref-etc-passwd", _with_property("x", {"$ref": "file:///etc/passwd"}), EXTERNAL),
    _schema("H42b-file-ref-dev-zero", _with_property("x", {"$ref": "file:///dev/zero"}), EXTERNAL),
    _schema("H42c-relative-ref-outside", _with_property("x", {"$ref": "../../../../outside/secret.json"}), EXTERNAL),
    _schema(
        "H42a-file-ref-under-a-property-named-enum",
        _with_property("enum", {"$ref": "file://{OUTSIDE}/secret.json"}),
        EXTERNAL + r"|cannot be resolved",
        values="enum: 1\n",
    ),
    # H44: broken JSON and laxities that switch constraints off
    _schema("H44a-not-json", '{"type": "object",\n  oops}', r"invalid JSON", line=2),
    _schema("H44b-wrong-keyword-type", {"type": 42}, r"invalid JSON Schema.*type"),
    _schema(
        "H44c-number-overflowing-to-infinity",
        '{"type": "object", "properties": {"replicas": {"type": "integer", "maximum": 1e999999}}}',
        r"number|range|infinit|too large",
    ),
    _schema(
        "H44c-number-underflowing-to-zero",
        '{"type": "object", "properties": {"replicas": {"type": "integer", "minimum": 1e-400}}}',
        r"number|range|too small|underflow",
    ),
    _schema("H44d-nan", '{"type": "object", "properties": {"replicas": {"minimum": NaN}}}', r"NaN"),
    _schema("H44d-infinity", '{"type": "object", "properties": {"replicas": {"maximum": Infinity}}}', r"Infinity"),
    _schema(
        "H44e-duplicate-keys",
        '{"type": "object", "properties": {"replicas": {"type": "string"}}, "properties": {}}',
        r"duplicate key 'properties'",
    ),
    _schema("H44f-empty-file", "", r"invalid JSON", line=1),
    _schema("H44g-top-level-array", "[]", r"must be an object"),
    # H45: nesting
    _schema("H45-20000-nested-arrays", "[" * 20000 + "]" * 20000, r"nest|deep"),
    _schema("H45-150-nested-subschemas", '{"not": ' * 150 + "{}" + "}" * 150, r"nesting deeper than 100"),
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Batch]:
    with batch_sandbox(tmp_path_factory.mktemp("schemas")) as sandbox:
        yield run_batch(sandbox, CASES)


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_hostile_schema_is_refused_naming_the_schema(batch: Batch, case: Case) -> None:
    """Each refused naming values.schema.json, with no request to the listener and no content of
    a file outside the app in any message."""
    batch.check(case)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("true", id="H44b-schema-keyword-is-a-boolean"),
        pytest.param("[1]", id="H44b-schema-keyword-is-a-list"),
    ],
)
def test_non_string_schema_keyword_is_refused_not_a_crash(sandbox: Sandbox, value: str) -> None:
    """H44b (found by the fuzz test): ``"$schema": true`` crashed jsonschema's draft lookup."""
    sandbox.write({SCHEMA: f'{{"$schema": {value}, "type": "object"}}'})
    result = sandbox.run(*RENDER)
    sandbox.refused(result, file=SCHEMA, message=r"\$schema")


# -- accepted ------------------------------------------------------------------------------------------------


def test_legitimate_recursive_schema_validates(sandbox: Sandbox) -> None:
    """H39c: a tree whose nodes refer to the node definition is a normal schema."""
    schema = {
        "$defs": {
            "node": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
            }
        },
        "type": "object",
        "properties": {"replicas": {"type": "integer"}, "image": {"type": "object"}, "tree": {"$ref": "#/$defs/node"}},
    }
    tree = {"name": "root", "children": [{"name": "a", "children": [{"name": "a1"}]}, {"name": "b"}]}
    sandbox.write({SCHEMA: json.dumps(schema), "project/envs/dev.yaml": f"tree: {json.dumps(tree)}\n"})
    result = sandbox.run(*VALUES)
    sandbox.accepted(result)
    assert json.loads(result.stdout)["tree"] == tree


def test_recursive_schema_still_refuses_a_bad_node_at_its_line(sandbox: Sandbox) -> None:
    """H39c: validation through the recursion still works and points at the overlay line."""
    schema = {
        "$defs": {"node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}},
        "$ref": "#/$defs/node",
        "properties": {"name": {"type": "string"}},
    }
    sandbox.write({SCHEMA: json.dumps(schema), "project/envs/dev.yaml": "children:\n  - name: [5]\n"})
    result = sandbox.run(*VALUES)
    sandbox.refused(result, file="project/envs/dev.yaml", line=2, message=r"children\[0\]\.name.*not of type")


def test_remote_meta_schema_is_never_fetched(sandbox: Sandbox) -> None:
    """H41d: an unknown ``$schema`` is refused clearly or validated with the default draft,
    but never downloaded."""
    sandbox.write({SCHEMA: json.dumps({"$schema": "{LISTENER}/meta.json", "type": "object"})})
    result = sandbox.run(*RENDER)
    sandbox.clean(result)
    if result.code != 0:
        sandbox.refused(result, file=SCHEMA, message=r"\$schema|draft|meta")


# -- H43: regular expressions ---------------------------------------------------------------------------------

REDOS = [
    pytest.param(
        {"type": "object", "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}},
        "name: " + "a" * 34 + "!\n",
        id="H43-nested-quantifier-pattern",
    ),
    pytest.param(
        {"type": "object", "patternProperties": {"^(a+)+$": {"type": "string"}}},
        "a" * 34 + "!: x\n",
        id="H43-nested-quantifier-pattern-property",
    ),
]


def test_catastrophic_pattern_is_matched_in_linear_time(sandbox: Sandbox) -> None:
    """H43: ``^(a+)+$`` against 34 letters and a '!' backtracks for hours in Python's ``re``; RE2
    answers at once, with the default flags, and the value is refused at its overlay line."""
    sandbox.write({SCHEMA: json.dumps(REDOS[0].values[0]), "project/envs/dev.yaml": REDOS[0].values[1]})
    result = sandbox.run(*RENDER)
    sandbox.refused(
        result,
        file="project/envs/dev.yaml",
        line=1,
        message=r'values\.name: "a{34}!" does not match the pattern \^\(a\+\)\+\$$',
    )


def test_catastrophic_pattern_property_is_matched_in_linear_time(sandbox: Sandbox) -> None:
    """H43: the same pattern as a ``patternProperties`` name: the key does not match, so it is
    not constrained, and the render goes on, with the default flags."""
    sandbox.write({SCHEMA: json.dumps(REDOS[1].values[0]), "project/envs/dev.yaml": REDOS[1].values[1]})
    sandbox.accepted(sandbox.run(*RENDER))


PASSWORD = "properties.password.pattern"
BACKTRACKING = [
    pytest.param("^.(?=.*[0-9]).{8,}$", PASSWORD, "a lookahead '(?=...)'", id="lookahead-inside"),
    pytest.param("^a(?!admin).*$", PASSWORD, "a negative lookahead '(?!...)'", id="negative-lookahead-inside"),
    pytest.param("(?<=x)y", PASSWORD, "a lookbehind '(?<=...)'", id="lookbehind"),
    pytest.param("(?<!x)y", PASSWORD, "a negative lookbehind '(?<!...)'", id="negative-lookbehind"),
    pytest.param("^(a)\\1$", PASSWORD, "a backreference '\\1'", id="backreference"),
    pytest.param("^(?<q>a)\\k<q>$", PASSWORD, "a named backreference '\\k<name>'", id="named-backreference"),
    pytest.param("^(?>a+)b$", PASSWORD, "an atomic group '(?>...)'", id="atomic-group"),
    pytest.param("^a++$", PASSWORD, "a possessive quantifier", id="possessive"),
    pytest.param("^a{1,5000}$", PASSWORD, "a repetition count above 1,000", id="huge-count"),
]


@pytest.mark.parametrize(("pattern", "at", "feature"), BACKTRACKING)
def test_pattern_needing_backtracking_is_refused_naming_the_feature(
    sandbox: Sandbox, pattern: str, at: str, feature: str
) -> None:
    schema = {"type": "object", "properties": {"password": {"type": "string", "pattern": pattern}}}
    sandbox.write({SCHEMA: json.dumps(schema)})
    result = sandbox.run(*RENDER)
    sandbox.refused(
        result,
        file=SCHEMA,
        message=f"^{SCHEMA}: error: \\[dev/one\\] the pattern '.*' at {re.escape(at)} uses {re.escape(feature)}, "
        "which needs a backtracking matcher$",
    )


def test_pattern_property_needing_backtracking_is_refused_with_its_path(sandbox: Sandbox) -> None:
    pattern = "^a(?!kubernetes\\.io/)"
    schema = {"type": "object", "$defs": {"labels": {"patternProperties": {pattern: {}}}}}
    sandbox.write({SCHEMA: json.dumps(schema)})
    result = sandbox.run(*RENDER)
    where = f"$defs.labels.patternProperties.{pattern}"
    sandbox.refused(
        result, file=SCHEMA, message=re.escape(f"the pattern '{pattern}' at {where} uses a negative lookahead")
    )


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        pytest.param("^(?=.*[0-9]).{8,}$", "abcdefg1", "abcdefgh", id="lookahead"),
        pytest.param("^(?!admin$)[a-z]+$", "adminx", "admin", id="negative-lookahead"),
        pytest.param("^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "http-2", "8080", id="port-name"),
        pytest.param("^(?=(a+)+$)", "a" * 34, "a" * 34 + "!", id="catastrophic-lookahead-body"),
    ],
)
def test_leading_lookaheads_are_matched_without_backtracking(
    sandbox: Sandbox, pattern: str, good: str, bad: str
) -> None:
    """Lookaheads right after ``^`` (how passwords and Kubernetes names are often written) are each
    a search of their own at the start of the text: RE2 answers them in linear time."""
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": pattern}}}
    sandbox.write({SCHEMA: json.dumps(schema), "project/envs/dev.yaml": f"name: '{good}'\n"})
    sandbox.accepted(sandbox.run(*RENDER))
    sandbox.write({SCHEMA: json.dumps(schema), "project/envs/dev.yaml": f"name: '{bad}'\n"})
    sandbox.refused(sandbox.run(*RENDER), file="project/envs/dev.yaml", line=1, message="does not match the pattern")


def test_crd_pattern_needing_backtracking_is_refused_naming_the_crd(sandbox: Sandbox) -> None:
    """A CRD's pattern RE2 cannot read (the API server refuses such a CRD too) is never matched with
    a backtracking engine: the CRD is refused when loaded, naming its file, kind and field."""
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {"spec": {"properties": {"id": {"type": "string", "pattern": "^(a+)+\\1$"}}}},
                        }
                    },
                }
            ],
        },
    }
    widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {id: " + "a" * 40 + "b}\n"
    sandbox.write({"crds/widget.json": json.dumps(crd), "widget.yaml": widget})
    result = sandbox.run("validate", "-f", "widget.yaml", "--crds", "crds")
    # As for any unusable file of a schema folder: the schema is skipped, and the object unvalidated.
    sandbox.clean(result)
    assert result.code == 0, result.describe()
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "crds/widget.json:1: warning: schema skipped: Widget example.com/v1: the pattern '^(a+)+\\\\1$' at "
        "properties.spec.properties.id uses a backreference '\\1', which needs a backtracking matcher [kube-schema]"
    ), result.describe()
    assert lines[1].endswith("no backreferences or lookarounds"), result.describe()
    assert "Widget w: not validated: no schema for kind Widget" in lines[2], result.describe()
    strict = sandbox.run("validate", "-f", "widget.yaml", "--crds", "crds", "--strict")
    assert strict.code == 1, strict.describe()


def test_ecma_unicode_escapes_and_classes_work(sandbox: Sandbox) -> None:
    """JSON Schema patterns are ECMA-262: ``\\u00e9`` and ``\\p{L}`` are understood."""
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^\\p{L}+\\u00e9$"}}}
    sandbox.write({SCHEMA: json.dumps(schema), "project/envs/dev.yaml": "name: café\n"})
    sandbox.accepted(sandbox.run(*RENDER))
    sandbox.write({SCHEMA: json.dumps(schema), "project/envs/dev.yaml": "name: cafe\n"})
    sandbox.refused(sandbox.run(*RENDER), file="project/envs/dev.yaml", line=1, message="does not match the pattern")
