"""pytemplar.yamlout: exact text of scalars and layouts, and output every YAML reader reads back the same."""

from __future__ import annotations

import io
import textwrap

import pytest
import yaml
from ruamel.yaml import YAML

from pytemplar.yamlio import load_yaml
from pytemplar.yamlout import dump_yaml, scalar_text

_RUAMEL = YAML(typ="safe", pure=True)


def ruamel_load(text: str) -> object:
    return _RUAMEL.load(io.StringIO(text))


def pytemplar_load(text: str) -> object:
    return load_yaml(text, "out.yaml").data


def assert_reads_back(data: object) -> str:
    """``dump_yaml(data)`` must read back as ``data`` in YAML 1.1 (PyYAML), ruamel and pytemplar."""
    text = dump_yaml(data)
    assert yaml.safe_load(text) == data, text
    assert ruamel_load(text) == data, text
    assert pytemplar_load(text) == data, text
    return text


# -- scalars --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-5, "-5"),
        (10**20, "100000000000000000000"),
        (1.5, "1.5"),
        (-0.0, "-0.0"),
        (1e20, "1.0e+20"),  # YAML 1.1 needs a dot in a float
        (1e-07, "1.0e-07"),
        (float("inf"), ".inf"),
        (float("-inf"), "-.inf"),
        (float("nan"), ".nan"),
        # strings that are plain in every reader
        ("hello", "hello"),
        ("nginx:1.25", "nginx:1.25"),
        ("http://x:80/p", "http://x:80/p"),
        ("a#b", "a#b"),
        ("key=value", "key=value"),
        ("$HOME", "$HOME"),
        ("(x)", "(x)"),
        ("_x", "_x"),
        ("./a", "./a"),
        ("/usr/bin", "/usr/bin"),
        ("a,b", "a,b"),
        ("1.2.3", "1.2.3"),
        # YAML 1.1 booleans
        ("yes", '"yes"'),
        ("No", '"No"'),
        ("ON", '"ON"'),
        ("off", '"off"'),
        ("y", '"y"'),
        ("N", '"N"'),
        ("true", '"true"'),
        ("False", '"False"'),
        # nulls
        ("~", '"~"'),
        ("null", '"null"'),
        ("NULL", '"NULL"'),
        ("", '""'),
        # numbers in either version
        ("012", '"012"'),
        ("0o12", '"0o12"'),
        ("0x1F", '"0x1F"'),
        ("0b1", '"0b1"'),
        ("1e3", '"1e3"'),
        ("1.10", '"1.10"'),
        ("1_000", '"1_000"'),
        ("123", '"123"'),
        (".5", '".5"'),
        (".inf", '".inf"'),
        (".NaN", '".NaN"'),
        # sexagesimal and dates
        ("12:30", '"12:30"'),
        ("190:20:30", '"190:20:30"'),
        ("2001-12-14", '"2001-12-14"'),
        ("2001-12-14 21:59:43.10 -5", '"2001-12-14 21:59:43.10 -5"'),
        ("=", '"="'),
        # indicators and plain-scalar breakers
        ("a: b", '"a: b"'),
        ("a:", '"a:"'),
        ("a #b", '"a #b"'),
        ("trailing ", '"trailing "'),
        (" leading", '" leading"'),
        ("-dash", '"-dash"'),
        ("- item", '"- item"'),
        ("---", '"---"'),
        ("*alias", '"*alias"'),
        ("&anchor", '"&anchor"'),
        ("!tag", '"!tag"'),
        ("%dir", '"%dir"'),
        ("@at", '"@at"'),
        ("`tick", '"`tick"'),
        ("|pipe", '"|pipe"'),
        (">fold", '">fold"'),
        ("?q", '"?q"'),
        ("{a}", '"{a}"'),
        ("[a]", '"[a]"'),
        ("'q'", "\"'q'\""),
        ('"q"', '"\\"q\\""'),
        ("é", '"é"'),
        # characters that must be escaped
        ("a\tb", '"a\\tb"'),
        ("a\x00", '"a\\u0000"'),
        ("a\x85", '"a\\u0085"'),
        ("a\u2028", '"a\\u2028"'),
        ("ok\ufeff", '"ok\\ufeff"'),
    ],
)
def test_scalar_text(value: object, text: str) -> None:
    assert scalar_text(value) == text


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "No",
        "on",
        "y",
        "012",
        "0o12",
        "1e3",
        "12:30",
        "2001-12-14",
        "~",
        "null",
        "",
        "=",
        "<<",
        "1_000",
        ".5",
        "nginx:1.25",
        "a#b",
        "key=value",
    ],
)
def test_strings_stay_strings_in_every_reader(value: str) -> None:
    assert_reads_back({"v": value, value: "k"})


@pytest.mark.parametrize("value", [".1_", "._5", "._", ".1_0", "._1e+5"])
def test_strings_that_yaml_1_1_or_ruamel_read_as_floats_are_quoted(value: str) -> None:
    # PyYAML and ruamel accept underscores in '.5'-style floats: '.1_' is 0.1 to them
    assert_reads_back({"v": value})


@pytest.mark.parametrize("value", ["x\uffff", "x\ufffe", "\uffffx"])
def test_non_characters_are_escaped_not_written_raw(value: str) -> None:
    # YAML readers refuse U+FFFE and U+FFFF anywhere in a stream
    assert_reads_back({"v": value})


def test_non_characters_in_a_multi_line_string_are_escaped() -> None:
    assert_reads_back({"v": "x\ufffe\ny\n"})


@pytest.mark.parametrize("value", ["...", "... x", "...x"])
def test_top_level_string_that_looks_like_a_document_end_marker(value: str) -> None:
    assert_reads_back(value)


def test_key_longer_than_1024_characters_reads_back() -> None:
    # YAML limits implicit keys to 1024 characters; longer keys need the explicit '? ' form
    assert_reads_back({"k" * 2000: 1})


@pytest.mark.parametrize(
    "value",
    [1, -1, 0, 2**64, -(2**100), 1.5, -0.0, 1e20, 1e-7, 5e-324, 1.7976931348623157e308, float("inf"), float("-inf")],
)
def test_numbers_read_back_with_their_type(value: float) -> None:
    text = dump_yaml({"n": value})
    for reader in (yaml.safe_load, ruamel_load, pytemplar_load):
        loaded = reader(text)["n"]
        assert loaded == value
        assert type(loaded) is type(value)


def test_booleans_and_null_read_back_with_their_type() -> None:
    data = {"t": True, "f": False, "nothing": None}
    text = assert_reads_back(data)
    assert text == "t: true\nf: false\nnothing: null\n"
    assert yaml.safe_load(text)["t"] is True


# -- multi-line strings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("line1\nline2\n", "v: |\n  line1\n  line2\n"),
        ("line1\nline2", "v: |-\n  line1\n  line2\n"),
        ("x\n\n", "v: |+\n  x\n\n"),
        ("a\n\n\nb\n\n", "v: |+\n  a\n\n\n  b\n\n"),
        ("\nstarts empty", "v: |-\n\n  starts empty\n"),
        ("a\n  indented later\n", "v: |\n  a\n    indented later\n"),
        ("tab\tinside\nok\n", "v: |\n  tab\tinside\n  ok\n"),
        ("# not a comment\n- not a list\n", "v: |\n  # not a comment\n  - not a list\n"),
        # forms a literal block cannot keep: double quotes instead
        ("  leading spaces\nx\n", 'v: "  leading spaces\\nx\\n"\n'),
        ("\tleading tab\nx", 'v: "\\tleading tab\\nx"\n'),
        ("trailing spaces  \nx\n", 'v: "trailing spaces  \\nx\\n"\n'),
        ("x\ntrailing tab\t", 'v: "x\\ntrailing tab\\t"\n'),
        ("x\n \ny", 'v: "x\\n \\ny"\n'),
        ("\n", 'v: "\\n"\n'),
        ("\n\n", 'v: "\\n\\n"\n'),
        ("windows\r\nline\r\n", 'v: "windows\\r\\nline\\r\\n"\n'),
        ("bell\x07\nx", 'v: "bell\\u0007\\nx"\n'),
        ("sep\u2028\nx", 'v: "sep\\u2028\\nx"\n'),
    ],
)
def test_multi_line_strings(value: str, text: str) -> None:
    data = {"v": value}
    assert dump_yaml(data) == text
    assert_reads_back(data)


def test_multi_line_string_in_a_list_and_in_a_map_inside_a_list() -> None:
    data = {"k": ["a\nb\n", {"script": "set -e\nrun\n", "num": 1}]}
    text = assert_reads_back(data)
    assert text == "k:\n  - |\n    a\n    b\n  - script: |\n      set -e\n      run\n    num: 1\n"


def test_top_level_multi_line_string() -> None:
    assert dump_yaml("x\ny") == "|-\n  x\n  y\n"
    assert_reads_back("x\ny")
    assert_reads_back("  x\ny\n")


def test_multi_line_key_is_double_quoted() -> None:
    text = assert_reads_back({"multi\nline": 3})
    assert text == '"multi\\nline": 3\n'


# -- layout ---------------------------------------------------------------------------------------


def test_nested_layout_indents_list_items_under_their_key() -> None:
    data = {
        "a": ["p", {"b": 1, "c": [1, 2]}, [3, [4]], {}, []],
        "e": {},
        "f": [],
        "g": {"h": {"i": 1}},
        "l": [{"m": {"n": 1}, "o": [{"p": 1}]}],
    }
    expected = textwrap.dedent(
        """\
        a:
          - p
          - b: 1
            c:
              - 1
              - 2
          -
            - 3
            -
              - 4
          - {}
          - []
        e: {}
        f: []
        g:
          h:
            i: 1
        l:
          - m:
              "n": 1
            o:
              - p: 1
        """
    )
    assert dump_yaml(data) == expected
    assert_reads_back(data)


def test_key_order_is_kept() -> None:
    assert dump_yaml({"z": 1, "a": 2, "m": 3}) == "z: 1\na: 2\nm: 3\n"


def test_keys_are_quoted_like_values() -> None:
    text = assert_reads_back({"yes": 1, "": 2, "on": 3, "8080": 4, "<<": 5, "a: b": 6})
    assert text == '"yes": 1\n"": 2\n"on": 3\n"8080": 4\n"<<": 5\n"a: b": 6\n'


def test_non_string_keys_are_written_as_strings() -> None:
    assert dump_yaml({1: "int key"}) == '"1": int key\n'


@pytest.mark.parametrize(
    ("value", "text"),
    [({}, "{}\n"), ([], "[]\n"), (5, "5\n"), (None, "null\n"), ("x", "x\n"), ("yes", '"yes"\n')],
)
def test_empty_collections_and_top_level_scalars(value: object, text: str) -> None:
    assert dump_yaml(value) == text
    assert_reads_back(value)


def test_top_level_list_of_maps() -> None:
    data = [{"a": 1, "b": {"c": 2}}, {"d": []}]
    assert assert_reads_back(data) == "- a: 1\n  b:\n    c: 2\n- d: []\n"


def test_kubernetes_manifest_reads_back_in_every_reader() -> None:
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "on"}},
        "spec": {
            "replicas": 3,
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": "nginx:1.25",
                            "args": ["--port", "8080", "--enable", "yes"],
                            "env": [{"name": "DEBUG", "value": "no"}, {"name": "TIME", "value": "12:30"}],
                            "command": ["sh", "-c", "echo hi\nexec nginx\n"],
                        }
                    ]
                }
            },
        },
    }
    assert_reads_back(manifest)


def test_dump_does_not_mutate_its_input() -> None:
    data = {"a": [{"b": "x\ny"}], "c": {}}
    dump_yaml(data)
    assert data == {"a": [{"b": "x\ny"}], "c": {}}


@pytest.mark.parametrize("value", ["1e_3", "70e0_", "1_e3", "1e+_3", "1_000", "-1_", "0x_1F", "0b1_0"])
def test_strings_kubernetes_reads_as_numbers_after_dropping_underscores_are_quoted(value: str) -> None:
    # go-yaml, Kubernetes' reader, drops every '_' of a number-like plain scalar (PyYAML does
    # not for 1e_3 or 70e0_): `kubectl label --local -o json` reads `a: 1e_3` as 1000.
    assert scalar_text(value).startswith('"')
    assert yaml.safe_load(dump_yaml({"a": value})) == {"a": value}


@pytest.mark.parametrize("value", ["a_1", "x1e_3", "v1_2"])
def test_words_with_underscores_stay_plain(value: str) -> None:
    assert scalar_text(value) == value
