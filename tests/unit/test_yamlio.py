"""pytemplar.yamlio: YAML 1.2 core typing, locations, and every refusal with its message and place."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from pytemplar.errors import FileAccessError, Location, YamlError
from pytemplar.fsroot import decode_utf8
from pytemplar.yamlio import MAX_ALIASES, MAX_DEPTH, load_documents, load_mapping, load_yaml, resolve_plain

PATH = "values.yaml"


def load(text: str) -> object:
    return load_yaml(textwrap.dedent(text), PATH).data


def refusal(text: str, *, dedent: bool = True) -> tuple[str, Location | None, str | None]:
    """The (message, location, hint) of the one problem ``load_yaml`` reports for ``text``."""
    with pytest.raises(YamlError) as caught:
        load_yaml(textwrap.dedent(text) if dedent else text, PATH)
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    return problem.message, problem.location, problem.hint


# -- YAML 1.2 core schema typing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # YAML 1.1 booleans are plain strings under 1.2
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("NO", "NO"),
        ("Yes", "Yes"),
        ("y", "y"),
        ("n", "n"),
        # core booleans
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("FALSE", False),
        # integers: a leading zero is decimal, octal needs 0o
        ("012", 12),
        ("0o12", 10),
        ("0x1F", 31),
        ("0x1f", 31),
        ("-17", -17),
        ("+12", 12),
        ("0", 0),
        ("12345678901234567890", 12345678901234567890),
        ("-98765432109876543210987", -98765432109876543210987),
        # floats
        ("1e3", 1000.0),
        ("1.10", 1.1),
        ("-2.5E-3", -0.0025),
        (".5", 0.5),
        ("5.", 5.0),
        (".inf", float("inf")),
        ("-.Inf", float("-inf")),
        ("+.INF", float("inf")),
        # nulls
        ("~", None),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("", None),
        # things YAML 1.1 types but the core schema leaves as strings
        ("2001-12-14", "2001-12-14"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("12:30", "12:30"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("0o", "0o"),
        ("-0x1F", "-0x1F"),
        ("nULL", "nULL"),
        ("tRUE", "tRUE"),
        ("=", "="),
        ("1.2.3", "1.2.3"),
        ("v1", "v1"),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(text: str, expected: object) -> None:
    value = load_yaml(f"key: {text}\n", PATH).data["key"]
    assert value == expected
    assert type(value) is type(expected)


def test_nan_is_read_as_a_float_nan() -> None:
    value = load_yaml("key: .NaN\n", PATH).data["key"]
    assert isinstance(value, float)
    assert value != value


def test_twenty_digit_integers_are_exact() -> None:
    data = load("big: 98765432109876543211\nneg: -18446744073709551617\n")
    assert data == {"big": 98765432109876543211, "neg": -18446744073709551617}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'012'", "012"),
        ('"012"', "012"),
        ("'yes'", "yes"),
        ('"true"', "true"),
        ("'~'", "~"),
        ('"null"', "null"),
        ("''", ""),
        ('"1e3"', "1e3"),
        ("!!str 012", "012"),
        ("!!str true", "true"),
        ("!!str", ""),
        ("!!int 012", 12),
        ("!!float 1", 1.0),
        ("!!bool false", False),
        ("!!null ~", None),
    ],
)
def test_quoted_and_core_tagged_scalars(text: str, expected: object) -> None:
    value = load_yaml(f"key: {text}\n", PATH).data["key"]
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!!int x", "'x' is not a valid !!int"),
        ("!!int 1.5", "'1.5' is not a valid !!int"),
        ("!!int true", "'true' is not a valid !!int"),
        ("!!bool yes", "'yes' is not a valid !!bool"),
        ("!!float abc", "'abc' is not a valid !!float"),
        ("!!null 0", "'0' is not a valid !!null"),
    ],
)
def test_core_tag_on_a_scalar_of_another_type_is_refused(text: str, message: str) -> None:
    assert refusal(f"key: {text}\n")[:2] == (message, Location(PATH, 1, 6))


def test_resolve_plain_leaves_words_alone() -> None:
    assert resolve_plain("nginx") == "nginx"
    assert resolve_plain("latest") == "latest"
    assert resolve_plain("1.25.3") == "1.25.3"


def test_collections_and_core_collection_tags() -> None:
    data = load(
        """
        plain: {a: 1}
        tagged_map: !!map {b: 2}
        tagged_seq: !!seq [3]
        flow: [x, 'y', "z"]
        """
    )
    assert data == {"plain": {"a": 1}, "tagged_map": {"b": 2}, "tagged_seq": [3], "flow": ["x", "y", "z"]}


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load("'<<': 1\n") == {"<<": 1}


def test_aliases_repeat_the_anchored_value() -> None:
    data = load(
        """
        base: &b {cpu: 1}
        copy: *b
        scalar: &s hello
        again: *s
        """
    )
    assert data == {"base": {"cpu": 1}, "copy": {"cpu": 1}, "scalar": "hello", "again": "hello"}


# -- locations ------------------------------------------------------------------------------------


def test_locations_of_scalars_are_their_own_line_and_column() -> None:
    document = load_yaml("top:\n  name: web\n  port:   8080\n", PATH)
    assert document.locations[("top", "name")] == Location(PATH, 2, 9)
    assert document.locations[("top", "port")] == Location(PATH, 3, 11)


def test_locations_of_collections_are_their_key() -> None:
    text = textwrap.dedent(
        """\
        top:
          list:
            - a
            - k: v
              m: [1, 2]
          map:
            inner: {x: 1}
        """
    )
    locations = load_yaml(text, PATH).locations
    assert locations[()] == Location(PATH, 1, 1)
    assert locations[("top",)] == Location(PATH, 1, 1)
    assert locations[("top", "list")] == Location(PATH, 2, 3)
    assert locations[("top", "map")] == Location(PATH, 6, 3)
    assert locations[("top", "map", "inner")] == Location(PATH, 7, 5)
    # list items: a scalar where it is, a mapping item where it starts
    assert locations[("top", "list", 0)] == Location(PATH, 3, 7)
    assert locations[("top", "list", 1)] == Location(PATH, 4, 7)
    assert locations[("top", "list", 1, "k")] == Location(PATH, 4, 10)
    assert locations[("top", "list", 1, "m")] == Location(PATH, 5, 7)
    assert locations[("top", "list", 1, "m", 0)] == Location(PATH, 5, 11)
    assert locations[("top", "list", 1, "m", 1)] == Location(PATH, 5, 14)
    assert locations[("top", "map", "inner", "x")] == Location(PATH, 7, 16)


def test_location_of_falls_back_to_the_nearest_ancestor() -> None:
    document = load_yaml("a:\n  b: 1\n", PATH)
    assert document.location_of(("a", "b", "c", 0)) == Location(PATH, 2, 6)
    assert document.location_of(("a", "missing")) == Location(PATH, 1, 1)


def test_locations_are_not_tracked_when_asked_not_to() -> None:
    assert load_yaml("a: 1\n", PATH, track=False).locations == {}


def test_locations_of_keys_taken_from_a_merge_are_the_merge_value() -> None:
    text = "base: &b {p: 1}\nuse:\n  <<: *b\n  q: 2\n"
    locations = load_yaml(text, PATH).locations
    assert locations[("use", "q")] == Location(PATH, 4, 6)
    # the merged key points at the value it takes from the anchored mapping
    assert locations[("use", "p")] == Location(PATH, 1, 14)


# -- refusals -------------------------------------------------------------------------------------


def test_duplicate_key_names_the_key_and_its_first_line() -> None:
    message, location, hint = refusal("a: 1\nb: 2\na: 3\n")
    assert message == "duplicate key 'a' (first defined on line 1)"
    assert location == Location(PATH, 3, 1)
    assert hint == "remove one of the two"


def test_duplicate_key_written_quoted_and_plain_is_refused() -> None:
    message, location, _ = refusal("top:\n  name: x\n  'name': y\n")
    assert message == "duplicate key 'name' (first defined on line 2)"
    assert location == Location(PATH, 3, 3)


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        # Keys whose text is not the text of the value they read as: Helm makes 010 the key "8",
        # 1.50 "1.5", 0x1F "31"; a key written so is refused rather than guessed.
        ("010: x\n", "key '010' is read as int, not a string", 'quote it: "010":'),
        ("0x1F: x\n", "key '0x1F' is read as int, not a string", 'quote it: "0x1F":'),
        ("1.50: x\n", "key '1.50' is read as float, not a string", 'quote it: "1.50":'),
        ("1e3: x\n", "key '1e3' is read as float, not a string", 'quote it: "1e3":'),
        ("null: x\n", "key 'null' is read as NoneType, not a string", 'quote it: "null":'),
    ],
)
def test_non_string_keys_are_refused(text: str, message: str, hint: str) -> None:
    assert refusal(text) == (message, Location(PATH, 1, 1), hint)


def test_nested_non_string_key_is_located() -> None:
    assert refusal("a:\n  b:\n    0755: mode\n")[:2] == (
        "key '0755' is read as int, not a string",
        Location(PATH, 3, 5),
    )


def test_number_and_boolean_keys_are_their_text_as_helm_takes_them() -> None:
    # A port map (`tcp: {9000: ...}`) is written so in Helm values files.
    assert load("9000: a\ntrue: b\n1.5: c\n-1: d\n") == {"9000": "a", "true": "b", "1.5": "c", "-1": "d"}
    assert refusal("9000: a\n'9000': b\n")[0] == "duplicate key '9000' (first defined on line 1)"


def test_collection_keys_are_refused() -> None:
    assert refusal("? [a, b]\n: x\n")[:2] == ("keys must be strings, not collections", Location(PATH, 1, 3))


def test_quoted_keys_that_look_like_numbers_are_accepted() -> None:
    assert load("'1': x\n\"true\": y\n!!str 2: z\n") == {"1": "x", "true": "y", "2": "z"}


SCALAR_TAG_HINT = "only the YAML core tags !!str !!int !!float !!bool !!null are accepted"
COLLECTION_TAG_HINT = "only the YAML core tags !!map and !!seq are accepted on collections"


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("key: !Ref x\n", "tag '!Ref' is not allowed", SCALAR_TAG_HINT),
        ("key: !!binary aGVsbG8=\n", "tag '!!binary' is not allowed", SCALAR_TAG_HINT),
        ("key: !!timestamp 2001-12-14\n", "tag '!!timestamp' is not allowed", SCALAR_TAG_HINT),
        ("key: !!python/name:os.system ''\n", "tag '!!python/name:os.system' is not allowed", SCALAR_TAG_HINT),
        # on collections the tag is shown the way it was written, as on scalars
        (
            "key: !!python/object/apply:os.system [x]\n",
            "tag '!!python/object/apply:os.system' is not allowed",
            COLLECTION_TAG_HINT,
        ),
        ("key: !!set {x}\n", "tag '!!set' is not allowed", COLLECTION_TAG_HINT),
        ("key: !!omap [a: 1]\n", "tag '!!omap' is not allowed", COLLECTION_TAG_HINT),
        ("key: !GetAtt [a, b]\n", "tag '!GetAtt' is not allowed", COLLECTION_TAG_HINT),
    ],
)
def test_tags_outside_the_core_schema_are_refused(text: str, message: str, hint: str) -> None:
    assert refusal(text) == (message, Location(PATH, 1, 6), hint)


def test_python_object_tag_never_runs_code() -> None:
    # builtins.exit would end the test run; the load must fail before anything is constructed
    with pytest.raises(YamlError, match="is not allowed"):
        load_yaml("!!python/object/apply:builtins.exit [3]\n", PATH)


RECURSIVE = "recursive alias '*x': a node contains itself"


def test_recursive_alias_is_refused() -> None:
    assert refusal("a: &x [1, *x]\n")[:2] == (RECURSIVE, Location(PATH, 1, 11))


def test_recursive_alias_through_a_mapping_is_refused() -> None:
    assert refusal("a: &x {b: {c: *x}}\n")[:2] == (RECURSIVE, Location(PATH, 1, 15))


def test_recursive_merge_is_refused() -> None:
    assert refusal("a: &x {<<: *x}\n")[:2] == (RECURSIVE, Location(PATH, 1, 12))


def billion_laughs(levels: int = 10) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly() -> None:
    # 9**10 strings if expanded; the refusal must come from counting, not from building them
    message, location, _ = refusal(billion_laughs(), dedent=False)
    assert message == "aliases expand to more than 1,000,000 nodes"
    # the alias that would pass the budget: the second *a5 on a6's line
    assert location == Location(PATH, 7, 10)


def test_billion_laughs_with_mappings_and_merge_keys_is_refused() -> None:
    lines = ["m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}"]
    for i in range(1, 12):
        items = ", ".join(f"k{j}: *m{i - 1}" for j in range(10))
        lines.append(f"m{i}: &m{i} {{<<: *m{i - 1}, {items}}}")
    message, _, _ = refusal("\n".join(lines) + "\n", dedent=False)
    assert message == "aliases expand to more than 1,000,000 nodes"


def test_more_than_max_aliases_is_refused() -> None:
    text = "x: &x 1\nlist: [" + ", ".join(["*x"] * (MAX_ALIASES + 1)) + "]\n"
    message, location, _ = refusal(text, dedent=False)
    assert message == "more than 1000 aliases"
    assert location == Location(PATH, 2, 8 + 4 * MAX_ALIASES)  # the alias one past the limit


def test_exactly_max_aliases_is_accepted() -> None:
    text = "x: &x 1\nlist: [" + ", ".join(["*x"] * MAX_ALIASES) + "]\n"
    assert load_yaml(text, PATH).data["list"] == [1] * MAX_ALIASES


def nested_block_maps(levels: int) -> str:
    """``levels`` nested mappings; the innermost scalar sits ``levels`` below the root."""
    return "".join("  " * i + f"k{i}:\n" for i in range(levels)) + "  " * levels + "leaf\n"


def test_block_nesting_at_the_limit_is_accepted() -> None:
    data = load_yaml(nested_block_maps(MAX_DEPTH), PATH).data
    for i in range(MAX_DEPTH):
        data = data[f"k{i}"]
    assert data == "leaf"


def test_block_nesting_deeper_than_the_limit_is_refused() -> None:
    message, location, _ = refusal(nested_block_maps(MAX_DEPTH + 1), dedent=False)
    assert message == "nesting deeper than 100 levels"
    assert location == Location(PATH, MAX_DEPTH + 2, 2 * (MAX_DEPTH + 1) + 1)


def test_flow_nesting_at_the_limit_is_accepted() -> None:
    data = load_yaml("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), PATH).data
    for _ in range(MAX_DEPTH):
        data = data[0]
    assert data == []


def test_flow_nesting_deeper_than_the_limit_is_refused() -> None:
    levels = MAX_DEPTH + 2
    message, location, _ = refusal("[" * levels + "]" * levels, dedent=False)
    assert message == "nesting deeper than 100 levels"
    assert location == Location(PATH, 1, MAX_DEPTH + 2)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        "{a: " * 5000 + "1" + "}" * 5000,
        "- " * 5000 + "x\n",
    ],
    ids=["flow-lists", "flow-maps", "block-lists"],
)
def test_5000_levels_give_the_depth_error_not_recursion_error(text: str) -> None:
    message, location, _ = refusal(text, dedent=False)
    assert message == "nesting deeper than 100 levels"
    assert location is not None
    assert location.line == 1


def test_very_deep_nesting_is_refused_without_crashing_the_interpreter() -> None:
    # 100,000 levels is a 200 KB file, well under the file size limit. It runs in a child
    # process because a crash in the C composer would take the test run down with it.
    script = textwrap.dedent(
        """
        from pytemplar.errors import YamlError
        from pytemplar.yamlio import load_yaml
        try:
            load_yaml("[" * 100_000 + "]" * 100_000, "deep.yaml")
        except YamlError as exc:
            print(exc.problems[0].message)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"interpreter died with exit code {proc.returncode}: {proc.stderr[-500:]}"
    assert proc.stdout.strip() == "nesting deeper than 100 levels"


def test_integer_too_long_to_convert_is_a_yaml_error_or_exact() -> None:
    digits = "1" + "0" * 5000  # above Python's default int <-> str conversion limit
    try:
        data = load_yaml(f"big: {digits}\n", PATH).data
    except YamlError as exc:
        assert exc.problems[0].location == Location(PATH, 1, 6)
    else:
        assert data == {"big": 10**5000}


# -- merge keys -----------------------------------------------------------------------------------


def test_merge_precedence_explicit_keys_then_earlier_maps() -> None:
    data = load(
        """
        a: &a {p: a, q: a}
        b: &b {q: b, r: b, s: b}
        merged:
          <<: [*a, *b]
          s: own
        """
    )
    assert data["merged"] == {"p": "a", "q": "a", "r": "b", "s": "own"}
    assert data["a"] == {"p": "a", "q": "a"}  # the anchored maps are untouched
    assert data["b"] == {"q": "b", "r": "b", "s": "b"}


def test_explicit_key_before_the_merge_key_also_wins() -> None:
    assert load("a: &a {x: 1, y: 1}\nm: {x: 2, <<: *a}\n")["m"] == {"x": 2, "y": 1}


def test_merge_of_a_single_mapping() -> None:
    assert load("a: &a {x: 1}\nm:\n  <<: *a\n  y: 2\n")["m"] == {"x": 1, "y": 2}


def test_merge_is_shallow() -> None:
    data = load("a: &a {x: {p: 1, q: 1}}\nm:\n  <<: *a\n  x: {p: 2}\n")
    assert data["m"] == {"x": {"p": 2}}


def test_two_merge_keys_are_refused() -> None:
    message, location, hint = refusal("a: &a {x: 1}\nb: &b {y: 1}\nm:\n  <<: *a\n  <<: *b\n")
    assert message == "more than one merge key '<<' in this mapping"
    assert location == Location(PATH, 5, 3)
    assert hint == "list the maps to merge in one key: <<: [*a, *b]"


def test_merge_of_a_scalar_is_refused() -> None:
    message, location, _ = refusal("m:\n  <<: 1\n")
    assert message == "a merge key '<<' takes a mapping or a list of mappings"
    assert location == Location(PATH, 2, 3)


def test_merge_of_a_list_holding_a_scalar_is_refused() -> None:
    message, _, _ = refusal("a: &a {x: 1}\nm:\n  <<: [*a, 3]\n")
    assert message == "a merge key '<<' takes a mapping or a list of mappings"


# -- documents ------------------------------------------------------------------------------------


def test_multi_document_file_is_refused_at_the_second_document() -> None:
    message, location, hint = refusal("a: 1\n---\nb: 2\n")
    assert message == "expected one YAML document, found more"
    assert location == Location(PATH, 3)
    assert hint == "remove the '---' separator or split the file"


def test_multi_document_refusal_points_past_leading_comments_of_the_second_document() -> None:
    assert refusal("a: 1\n---\n# about b\n\nb: 2\n")[1] == Location(PATH, 5)


def test_leading_document_marker_and_end_marker_are_one_document() -> None:
    assert load("---\na: 1\n...\n") == {"a": 1}


def test_load_documents_returns_every_document() -> None:
    documents = load_documents("a: 1\n---\n---\n- x\n", PATH)
    assert [d.data for d in documents] == [{"a": 1}, None, ["x"]]
    assert documents[0].line == 1
    assert documents[2].line == 4


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_empty_file_is_none_and_an_empty_mapping(text: str) -> None:
    assert load_yaml(text, PATH).data is None
    assert load_mapping(text, PATH).data == {}


def test_load_mapping_returns_the_mapping_with_locations() -> None:
    document = load_mapping("a:\n  b: 1\n", PATH)
    assert document.data == {"a": {"b": 1}}
    assert document.locations[("a", "b")] == Location(PATH, 2, 6)


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ("- a\n- b\n", "list", 1),
        ("\n\n- a\n", "list", 3),
        ("hello\n", "string", 1),
        ("12\n", "number", 1),
        ("1.5\n", "number", 1),
        ("true\n", "boolean", 1),
    ],
)
def test_load_mapping_refuses_anything_but_a_mapping(text: str, kind: str, line: int) -> None:
    with pytest.raises(YamlError) as caught:
        load_mapping(text, PATH, what="values.yaml")
    assert caught.value.problems[0].message == f"values.yaml must be a mapping, not a {kind}"
    assert caught.value.problems[0].location == Location(PATH, line)


def test_load_mapping_default_wording() -> None:
    with pytest.raises(YamlError, match=r"^this file must be a mapping, not a list$"):
        load_mapping("- a\n", PATH)


@pytest.mark.parametrize(
    ("text", "message", "location"),
    [
        (
            "a: [1, 2\n",
            "invalid YAML: did not find expected ',' or ']'",
            Location(PATH, 2, 1),
        ),
        ("a: b: c\n", "invalid YAML: mapping values are not allowed in this context", Location(PATH, 1, 5)),
        ("a: 1\n b: 2\n", "invalid YAML: mapping values are not allowed in this context", Location(PATH, 2, 3)),
        ("a: *missing\n", "alias '*missing' refers to no anchor '&missing' before it", Location(PATH, 1, 4)),
        # an unterminated quote is reported where it opens, which is what the user has to fix
        (
            "a: 'open\n",
            "invalid YAML: while scanning a quoted scalar at line 1, column 4: found unexpected end of stream",
            Location(PATH, 1, 4),
        ),
        (
            "a:\n\t- b\n",  # libyaml's "found character that cannot start any token", for a tab
            "invalid YAML: a tab character indents this line; YAML indents with spaces only",
            Location(PATH, 2, 1),
        ),
    ],
)
def test_syntax_errors_are_invalid_yaml_with_a_line(text: str, message: str, location: Location) -> None:
    assert refusal(text, dedent=False)[:2] == (message, location)


def test_syntax_error_in_a_later_document_is_reported() -> None:
    with pytest.raises(YamlError) as caught:
        load_documents("a: 1\n---\nb: [\n", PATH)
    assert caught.value.problems[0].message.startswith("invalid YAML: ")
    assert caught.value.problems[0].location.line == 4


def test_yaml_error_is_a_pytemplar_error_with_location_property() -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml("a: 1\na: 2\n", PATH)
    assert caught.value.location == Location(PATH, 2, 1)
    assert str(caught.value) == "duplicate key 'a' (first defined on line 1)"


# -- decode_utf8 ----------------------------------------------------------------------------------


def test_decode_utf8_plain_text() -> None:
    assert decode_utf8("name: café\n".encode(), PATH) == "name: café\n"


def test_decode_utf8_invalid_byte_gives_line_and_column() -> None:
    with pytest.raises(FileAccessError) as caught:
        decode_utf8(b"a: 1\nb: \xff\n", PATH)
    problem = caught.value.problems[0]
    assert problem.message == "not valid UTF-8"
    assert problem.location == Location(PATH, 2, 4)
    assert problem.hint == "save the file as UTF-8"


def test_decode_utf8_truncated_sequence_at_end_of_file() -> None:
    with pytest.raises(FileAccessError) as caught:
        decode_utf8(b"a\n\xe2\x82", PATH)
    assert caught.value.problems[0].location == Location(PATH, 2, 1)


def test_decode_utf8_column_counts_characters_not_bytes() -> None:
    # 'éé' is four bytes but two characters: the bad byte is the third character of the line
    with pytest.raises(FileAccessError) as caught:
        decode_utf8("a: 1\néé".encode() + b"\xff", PATH)
    assert caught.value.problems[0].location == Location(PATH, 2, 3)


def test_decode_utf8_accepts_and_drops_a_single_bom() -> None:
    assert decode_utf8(b"\xef\xbb\xbfa: 1\n", PATH) == "a: 1\n"


def test_decode_utf8_invalid_byte_right_after_a_bom_is_column_one() -> None:
    with pytest.raises(FileAccessError) as caught:
        decode_utf8(b"\xef\xbb\xbf\xff", PATH)
    assert caught.value.problems[0].location == Location(PATH, 1, 1)


def test_decode_utf8_refuses_a_double_bom() -> None:
    with pytest.raises(FileAccessError) as caught:
        decode_utf8(b"\xef\xbb\xbf\xef\xbb\xbfa: 1\n", PATH)
    assert caught.value.problems[0].message == "the file starts with two byte-order marks"
    assert caught.value.problems[0].location == Location(PATH, 1, 1)
