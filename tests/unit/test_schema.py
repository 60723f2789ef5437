"""pytemplar.schema: strict JSON, self-contained schemas, and validation problems located by the caller."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator

import pytest

from pytemplar.errors import Location, Problem, SchemaError
from pytemplar.schema import CompiledSchema, compile_schema, parse_json

SCHEMA = "values.schema.json"


def json_refusal(text: str) -> Problem:
    with pytest.raises(SchemaError) as caught:
        parse_json(text, SCHEMA)
    assert len(caught.value.problems) == 1
    return caught.value.problems[0]


def schema_refusal(schema: object) -> Problem:
    with pytest.raises(SchemaError) as caught:
        compile_schema(schema, SCHEMA)
    return caught.value.problems[0]


class Recorder:
    """A locator that answers with a line per path and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple] = []

    def __call__(self, path: tuple) -> Location:
        self.asked.append(path)
        return Location("values.yaml", 10 + len(self.asked), 3)

    def where(self, path: tuple) -> Location:
        return Location("values.yaml", 11 + self.asked.index(path), 3)


# -- parse_json -----------------------------------------------------------------------------------


def test_parse_json_reads_plain_json() -> None:
    assert parse_json('{"a": [1, 2.5, "x", true, null]}', SCHEMA) == {"a": [1, 2.5, "x", True, None]}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_parse_json_refuses_nan_and_infinity(constant: str) -> None:
    problem = json_refusal(f'{{"maximum": {constant}}}')
    assert problem.message == f"invalid JSON: '{constant}' is not valid JSON"
    assert problem.location is not None
    assert problem.location.path == SCHEMA


def test_parse_json_refuses_duplicate_keys() -> None:
    problem = json_refusal('{"type": "object", "type": "string"}')
    assert problem.message == "invalid JSON: duplicate key 'type'"
    assert problem.location is not None
    assert problem.location.path == SCHEMA


def test_parse_json_refuses_nested_duplicate_keys() -> None:
    assert json_refusal('{"properties": {"a": {}, "b": {}, "a": {}}}').message == "invalid JSON: duplicate key 'a'"


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('{"a": 1,\n "b": }', "invalid JSON: Expecting value", 2, 7),
        ('{\n"a": [1, 2\n', "invalid JSON: Expecting ',' delimiter", 3, 1),
        ("", "invalid JSON: Expecting value", 1, 1),
        ("{'a': 1}", "invalid JSON: Expecting property name enclosed in double quotes", 1, 2),
        ('{"a": 1} x', "invalid JSON: Extra data", 1, 10),
    ],
)
def test_parse_json_syntax_errors_have_line_and_column(text: str, message: str, line: int, column: int) -> None:
    problem = json_refusal(text)
    assert problem.message == message
    assert problem.location == Location(SCHEMA, line, column)


def test_parse_json_deep_nesting_is_refused_not_a_crash() -> None:
    assert json_refusal("[" * 100_000 + "]" * 100_000).message == "invalid JSON: nesting too deep"


# -- compile_schema: references -------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail any attempt to open a connection or resolve a host name; yields the attempts."""
    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> object:
        attempts.append(repr(args))
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    yield attempts
    assert attempts == []


@pytest.mark.parametrize(
    "ref",
    [
        "http://example.com/schema.json",
        "https://example.com/schema.json#/$defs/x",
        "file:///etc/passwd",
        "other.schema.json",
        "../shared/defs.json#/$defs/port",
        "urn:example:thing",
    ],
)
def test_external_refs_are_refused_before_any_network_access(ref: str, no_network: list[str]) -> None:
    problem = schema_refusal({"type": "object", "properties": {"a": {"$ref": ref}}})
    assert problem.message == f"$ref '{ref}' is not allowed: schemas must be self-contained"
    assert problem.location == Location(SCHEMA)
    assert problem.hint == "copy the referenced definition under $defs and refer to it as '#/$defs/...'"


def test_external_ref_deep_inside_a_list_keyword_is_refused(no_network: list[str]) -> None:
    problem = schema_refusal({"anyOf": [{"type": "string"}, {"items": {"$ref": "http://evil.example/x"}}]})
    assert problem.message.startswith("$ref 'http://evil.example/x' is not allowed")


def test_external_dynamic_ref_is_refused_at_compile_time(no_network: list[str]) -> None:
    problem = schema_refusal({"$dynamicRef": "http://example.com/schema.json"})
    assert "not allowed" in problem.message


def test_ref_to_a_missing_local_definition_is_reported_as_a_problem() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}
    try:
        compiled = compile_schema(schema, SCHEMA)
    except SchemaError as exc:
        assert "#/$defs/missing" in exc.problems[0].message
    else:
        problems = compiled.validate({"a": 1}, Recorder())
        assert problems, "a reference to nothing must not validate silently"
        assert any("missing" in p.message for p in problems)


def test_local_defs_ref_is_accepted_and_used(no_network: list[str]) -> None:
    schema = {
        "$defs": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}},
        "type": "object",
        "properties": {"http": {"$ref": "#/$defs/port"}, "https": {"$ref": "#/$defs/port"}},
    }
    compiled = compile_schema(schema, SCHEMA)
    assert isinstance(compiled, CompiledSchema)
    assert compiled.validate({"http": 80, "https": 443}, Recorder()) == []
    problems = compiled.validate({"http": "80", "https": 0}, Recorder())
    assert [p.message for p in problems] == [
        'values.http: "80" is not of type integer',
        "values.https: 0 is less than the minimum of 1",
    ]


def test_draft_07_definitions_ref_is_accepted(no_network: list[str]) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"name": {"type": "string"}},
        "properties": {"name": {"$ref": "#/definitions/name"}},
    }
    compiled = compile_schema(schema, SCHEMA)
    assert [p.message for p in compiled.validate({"name": 3}, Recorder())] == ["values.name: 3 is not of type string"]


def test_recursive_tree_schema_is_accepted(no_network: list[str]) -> None:
    schema = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
                "required": ["name"],
                "additionalProperties": False,
            }
        },
        "$ref": "#/$defs/node",
    }
    compiled = compile_schema(schema, SCHEMA)
    tree = {"name": "root", "children": [{"name": "a", "children": [{"name": "b", "children": []}]}]}
    assert compiled.validate(tree, Recorder()) == []
    bad = {"name": "root", "children": [{"name": "a", "children": [{"name": 3}, {"children": []}]}]}
    messages = sorted(p.message for p in compiled.validate(bad, Recorder()))
    assert messages == [
        "values.children[0].children[0].name: 3 is not of type string",
        "values.children[0].children[1]: 'name' is required",
    ]


def test_schema_that_refers_to_itself_without_end_is_a_problem_not_a_crash() -> None:
    compiled = compile_schema({"$ref": "#"}, SCHEMA)
    problems = compiled.validate({"a": 1}, Recorder())
    assert [p.message for p in problems] == ["the schema recurses without end"]
    assert problems[0].location == Location(SCHEMA)


# -- compile_schema: invalid schemas --------------------------------------------------------------


@pytest.mark.parametrize("schema", [[], "object", 3, None])
def test_schema_must_be_an_object(schema: object) -> None:
    problem = schema_refusal(schema)
    assert problem.message == "a JSON Schema must be an object"
    assert problem.location == Location(SCHEMA)


def test_boolean_schemas_are_accepted() -> None:
    assert compile_schema(True, SCHEMA).validate({"anything": 1}, Recorder()) == []
    assert len(compile_schema(False, SCHEMA).validate({"anything": 1}, Recorder())) == 1


def test_invalid_schema_names_the_place_in_the_schema() -> None:
    problem = schema_refusal({"type": "object", "properties": {"a": {"type": 5}}})
    assert problem.message.startswith("invalid JSON Schema at schema.properties.a.type: ")
    assert problem.location == Location(SCHEMA)


def test_schema_nesting_deeper_than_the_limit_is_refused() -> None:
    schema: dict = {"type": "string"}
    for _ in range(120):
        schema = {"items": schema}
    assert schema_refusal(schema).message == "schema nesting deeper than 100 levels"


# -- validate -------------------------------------------------------------------------------------

APP_SCHEMA = {
    "type": "object",
    "properties": {
        "replicas": {"type": "integer"},
        "name": {"type": "string"},
        "mode": {"enum": ["blue", "green"]},
        "image": {
            "type": "object",
            "properties": {"repository": {"type": "string"}, "tag": {"type": "string"}},
            "required": ["repository"],
            "additionalProperties": False,
        },
        "ports": {"type": "array", "items": {"type": "integer"}},
        "labels": {"type": "object", "patternProperties": {"^x-": {}}, "additionalProperties": False},
        "optional": {"type": ["string", "null"]},
    },
    "required": ["name"],
    "additionalProperties": False,
}


@pytest.fixture
def app_schema() -> CompiledSchema:
    return compile_schema(APP_SCHEMA, SCHEMA)


def test_valid_values_give_no_problems(app_schema: CompiledSchema) -> None:
    locate = Recorder()
    values = {"name": "web", "replicas": 2, "mode": "blue", "image": {"repository": "nginx"}, "ports": [80]}
    assert app_schema.validate(values, locate) == []
    assert locate.asked == []


def test_all_errors_are_reported_at_once(app_schema: CompiledSchema) -> None:
    values = {
        "replicas": "3",
        "mode": "red",
        "image": {"repositry": "nginx", "tag": 1},
        "ports": [80, "443"],
        "replicsa": 1,
    }
    locate = Recorder()
    problems = app_schema.validate(values, locate)
    by_message = {p.message: p for p in problems}
    assert set(by_message) == {
        'values.replicas: "3" is not of type integer',
        "values.mode: 'red' is not one of ['blue', 'green']",
        "values.image: unknown key 'repositry'",
        "values.image.tag: 1 is not of type string",
        "values.image: 'repository' is required",
        'values.ports[1]: "443" is not of type integer',
        "values: unknown key 'replicsa'",
        "values: 'name' is required",
    }
    assert all(p.severity == "error" for p in problems)
    # every problem is located through the callback, at the path of the offending value
    for path, message in [
        (("replicas",), 'values.replicas: "3" is not of type integer'),
        (("mode",), "values.mode: 'red' is not one of ['blue', 'green']"),
        (("image", "repositry"), "values.image: unknown key 'repositry'"),
        (("image", "tag"), "values.image.tag: 1 is not of type string"),
        (("image",), "values.image: 'repository' is required"),
        (("ports", 1), 'values.ports[1]: "443" is not of type integer'),
        (("replicsa",), "values: unknown key 'replicsa'"),
        ((), "values: 'name' is required"),
    ]:
        assert path in locate.asked
        assert by_message[message].location == locate.where(path)


def test_unknown_key_hints_at_the_closest_known_key(app_schema: CompiledSchema) -> None:
    problems = app_schema.validate({"name": "x", "replicsa": 1, "image": {"repository": "r", "tga": "1"}}, Recorder())
    hints = {p.message: p.hint for p in problems}
    assert hints == {
        "values: unknown key 'replicsa'": "did you mean 'replicas'?",
        "values.image: unknown key 'tga'": "did you mean 'tag'?",
    }


def test_unknown_key_without_a_close_match_lists_the_known_keys(app_schema: CompiledSchema) -> None:
    problems = app_schema.validate({"name": "x", "image": {"repository": "r", "zzzz": 1}}, Recorder())
    assert [(p.message, p.hint) for p in problems] == [
        ("values.image: unknown key 'zzzz'", "known keys: repository, tag")
    ]


def test_unknown_key_in_an_object_without_properties_has_no_hint() -> None:
    compiled = compile_schema({"type": "object", "additionalProperties": False}, SCHEMA)
    problems = compiled.validate({"a": 1}, Recorder())
    assert [(p.message, p.hint) for p in problems] == [("values: unknown key 'a'", None)]


def test_keys_matching_pattern_properties_are_not_unknown(app_schema: CompiledSchema) -> None:
    problems = app_schema.validate({"name": "x", "labels": {"x-team": "a", "team": "b"}}, Recorder())
    assert [p.message for p in problems] == ["values.labels: unknown key 'team'"]


def test_each_unknown_key_is_its_own_problem(app_schema: CompiledSchema) -> None:
    locate = Recorder()
    problems = app_schema.validate({"name": "x", "one": 1, "two": 2}, locate)
    assert sorted(p.message for p in problems) == ["values: unknown key 'one'", "values: unknown key 'two'"]
    assert ("one",) in locate.asked
    assert ("two",) in locate.asked


def test_type_error_with_several_types(app_schema: CompiledSchema) -> None:
    problems = app_schema.validate({"name": "x", "optional": 5}, Recorder())
    assert [p.message for p in problems] == ["values.optional: 5 is not of type string or null"]


def test_long_values_are_shortened_in_type_errors(app_schema: CompiledSchema) -> None:
    problems = app_schema.validate({"name": "x" * 100, "replicas": "y" * 100}, Recorder())
    assert [p.message for p in problems] == ['values.replicas: "' + "y" * 56 + "... is not of type integer"]


def test_long_messages_are_cut_at_200_characters() -> None:
    compiled = compile_schema({"enum": [f"value-number-{i}" for i in range(50)]}, SCHEMA)
    (problem,) = compiled.validate("other", Recorder())
    prefix = "values: "
    assert problem.message.startswith(prefix + "'other' is not one of [")
    assert len(problem.message) == len(prefix) + 200
    assert problem.message.endswith("...")


def test_required_property_whose_name_has_a_quote() -> None:
    compiled = compile_schema({"type": "object", "required": ["it's"]}, SCHEMA)
    assert [p.message for p in compiled.validate({}, Recorder())] == ["values: 'it's' is required"]


def test_validate_uses_the_given_root_name() -> None:
    compiled = compile_schema({"type": "object", "properties": {"a": {"type": "string"}}}, SCHEMA)
    problems = compiled.validate({"a": 1}, Recorder(), root="spec")
    assert [p.message for p in problems] == ["spec.a: 1 is not of type string"]


def test_locator_may_answer_none() -> None:
    compiled = compile_schema({"type": "object", "properties": {"a": {"type": "string"}}}, SCHEMA)
    (problem,) = compiled.validate({"a": 1}, lambda path: None)
    assert problem.location is None
    assert problem.message == "values.a: 1 is not of type string"


def test_pytemplars_own_schemas_are_valid_json_schemas() -> None:
    # builtin_schema() trusts them at run time; this is where that trust comes from.
    import json

    import jsonschema
    from conftest import REPO

    for path in sorted((REPO / "schemas").glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema).check_schema(schema)


def test_a_broken_schema_is_reported_when_a_value_fails_not_blamed_on_the_value() -> None:
    schema = compile_schema({"properties": {"a": {"type": "integer", "minimum": "five"}}}, "s.json", check=False)
    with pytest.raises(SchemaError, match=r"^invalid JSON Schema at schema\.properties\.a\.minimum: "):
        schema.validate({"a": 1}, lambda path: None)


# -- what a schema says about a path, remembered --------------------------------------------------

PATH_SCHEMA = {
    "$defs": {"secret": {"type": "string", "writeOnly": True}},
    "type": "object",
    "properties": {
        "password": {"$ref": "#/$defs/secret"},
        "db": {"type": "object", "writeOnly": True, "properties": {"user": {"type": "string"}}},
        "port": {"type": ["integer", "string"]},
        "env": {
            "type": "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "patternProperties": {"^x-": {"type": "boolean"}},
    "allOf": [{"properties": {"port": {"type": "integer"}}}],
}
ASKED = [(), ("password",), ("db",), ("db", "user"), ("port",), ("env",), ("env", 0), ("env", 0, "name")]
ASKED += [("labels", "tier"), ("x-debug",), ("nowhere",), ("nowhere", "deeper"), ("env", "name")]


def answers(schema: CompiledSchema, path: tuple) -> tuple:
    return (schema.expected_types(path), schema.is_secret(path), schema.list_keys(path), schema.names(path))


def test_what_a_schema_says_about_a_path_is_the_same_asked_once_or_again() -> None:
    fresh = [answers(compile_schema(PATH_SCHEMA, SCHEMA), path) for path in ASKED]
    asked_again = compile_schema(PATH_SCHEMA, SCHEMA)
    for _ in range(3):
        assert [answers(asked_again, path) for path in reversed(ASKED)] == fresh[::-1]
    assert fresh[1] == ({"string"}, True, None, True)
    assert fresh[3] == ({"string"}, True, None, True)  # inside a writeOnly map
    assert fresh[4] == ({"integer", "string"}, False, None, True)
    assert fresh[5][2] == ("name",)
    assert fresh[9] == ({"boolean"}, False, None, False)


def test_changing_an_answer_does_not_change_the_next_one() -> None:
    schema = compile_schema(PATH_SCHEMA, SCHEMA)
    schema.expected_types(("port",)).add("null")
    assert schema.expected_types(("port",)) == {"integer", "string"}


def test_past_the_remembered_paths_answers_are_still_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytemplar.schema

    monkeypatch.setattr(pytemplar.schema, "MAX_REMEMBERED_PATHS", 2)
    schema = compile_schema(PATH_SCHEMA, SCHEMA)
    fresh = [answers(compile_schema(PATH_SCHEMA, SCHEMA), path) for path in ASKED]
    assert [answers(schema, path) for path in ASKED] == fresh
    assert len(schema._nodes) == 2
