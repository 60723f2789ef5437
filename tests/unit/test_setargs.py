"""pytemplar.setargs: the --set, --set-string, --set-json and --set-file grammar."""

from __future__ import annotations

import math
from typing import Any

import pytest

from pytemplar.errors import Location, UsageError
from pytemplar.setargs import (
    MAX_ARGUMENT,
    SetKind,
    SetValue,
    format_set,
    parse_set_argument,
    set_layer,
)
from pytemplar.values import ValuesLayer, merge_layers, origin_of

SET_HINT = "write --set key.sub=value, key[0]=value or key={a,b}"
ESCAPE_HINT = "write a backslash before . , = [ ] { or \\ to use it as text: kubernetes\\.io/os=linux"
JSON_HINT = """write --set-json 'key.sub=JSON', e.g. 'key={"a":[1,2]}' or 'key="text"'"""


def parsed(text: str, kind: SetKind = "set") -> list[tuple[tuple[str | int, ...], Any]]:
    return [(v.path, v.value) for v in parse_set_argument(text, kind, 1, read_file=lambda name: f"<{name}>")]


def failure(text: str, kind: SetKind = "set") -> UsageError:
    with pytest.raises(UsageError) as info:
        parse_set_argument(text, kind, 1, read_file=lambda name: f"<{name}>")
    assert type(info.value) is UsageError
    assert len(info.value.problems) == 1
    return info.value


def layer_of(*arguments: tuple[SetKind, str]) -> ValuesLayer:
    values: list[SetValue] = []
    for number, (kind, text) in enumerate(arguments, 1):
        values += parse_set_argument(text, kind, number, read_file=lambda name: f"<{name}>")
    return set_layer(values)


# -- valid arguments ------------------------------------------------------------------------------

VALID: list[tuple[SetKind, str, list[tuple[tuple[str | int, ...], Any]]]] = [
    # paths
    ("set", "a=x", [(("a",), "x")]),
    ("set", "a.b=x", [(("a", "b"), "x")]),
    ("set", "a.b=1,c=2", [(("a", "b"), 1), (("c",), 2)]),
    ("set", r"nodeSelector.kubernetes\.io/os=linux", [(("nodeSelector", "kubernetes.io/os"), "linux")]),
    ("set", "name[0]=x", [(("name", 0), "x")]),
    ("set", "a[0].b=x", [(("a", 0, "b"), "x")]),
    ("set", "a[1][0]=x", [(("a", 1, 0), "x")]),
    ("set", "a[0][1].b[2]=x", [(("a", 0, 1, "b", 2), "x")]),
    ("set", "a[007]=x", [(("a", 7), "x")]),
    ("set", "a[65536]=x", [(("a", 65536), "x")]),
    ("set", ".".join("k" * 30) + "=x", [(("k",) * 30, "x")]),
    ("set", "a" + "[0]" * 29 + "=x", [(("a",) + (0,) * 29, "x")]),
    ("set", "a b.c d=e f", [(("a b", "c d"), "e f")]),
    ("set", " a = 1 ", [((" a ",), " 1 ")]),
    ("set", "ключ.名前=値", [(("ключ", "名前"), "値")]),
    ("set", "1.2=x", [(("1", "2"), "x")]),
    ("set", "a{b}=x", [(("a{b}",), "x")]),
    # escapes in keys
    (
        "set",
        r"a\,b\=c\\d\[0\]e\.f\x=1",
        [(("a,b=c\\d[0]e.fx",), 1)],
    ),
    # values
    ("set", "a=b=c", [(("a",), "b=c")]),
    ("set", r"a=x\,y", [(("a",), "x,y")]),
    ("set", r"a=x\\y", [(("a",), "x\\y")]),
    ("set", r"a=x\=y\[z\]", [(("a",), "x=y[z]")]),
    ("set", r"a=\{x\,y}", [(("a",), "{x,y}")]),
    ("set", "a=x{y}", [(("a",), "x{y}")]),
    ("set", "a=x}", [(("a",), "x}")]),
    ("set", r"a=[1\,2]", [(("a",), "[1,2]")]),
    # lists
    ("set", "a={x,y}", [(("a",), ["x", "y"])]),
    ("set", "a={1,true,null,x}", [(("a",), [1, True, None, "x"])]),
    ("set", "a={}", [(("a",), [])]),
    ("set", "a={,}", [(("a",), ["", ""])]),
    ("set", "a={x,}", [(("a",), ["x", ""])]),
    ("set", r"a={x\,y,z\}}", [(("a",), ["x,y", "z}"])]),
    ("set", "a={x{y}", [(("a",), ["x{y"])]),
    ("set", "a={x},b={y}", [(("a",), ["x"]), (("b",), ["y"])]),
    ("set", "a[0]={x}", [(("a", 0), ["x"])]),
    # typing (YAML 1.2 core)
    ("set", "a=", [(("a",), "")]),
    ("set", "a=,b=1", [(("a",), ""), (("b",), 1)]),
    ("set", "a=null", [(("a",), None)]),
    ("set", "a=Null,b=NULL,c=~", [(("a",), None), (("b",), None), (("c",), None)]),
    ("set", "a=true,b=False,c=TRUE", [(("a",), True), (("b",), False), (("c",), True)]),
    (
        "set",
        "a=yes,b=no,c=on,d=off,e=y",
        [(("a",), "yes"), (("b",), "no"), (("c",), "on"), (("d",), "off"), (("e",), "y")],
    ),
    ("set", "a=1,b=-1,c=+1,d=0", [(("a",), 1), (("b",), -1), (("c",), 1), (("d",), 0)]),
    ("set", "a=012", [(("a",), 12)]),
    ("set", "a=0o17,b=0x1F", [(("a",), 15), (("b",), 31)]),
    ("set", "a=123456789012345678901234567890", [(("a",), 123456789012345678901234567890)]),
    ("set", "a=1.5,b=1e3,c=.5,d=1.", [(("a",), 1.5), (("b",), 1000.0), (("c",), 0.5), (("d",), 1.0)]),
    ("set", "a=1.20", [(("a",), 1.2)]),
    ("set", "a=.inf,b=-.Inf", [(("a",), math.inf), (("b",), -math.inf)]),
    (
        "set",
        "a=1_000,b=1.2.3,c=2001-12-14,d=12:30",
        [(("a",), "1_000"), (("b",), "1.2.3"), (("c",), "2001-12-14"), (("d",), "12:30")],
    ),
    ("set", "a= 1", [(("a",), " 1")]),
    ("set", "a=\x01\n\t", [(("a",), "\x01\n\t")]),
    # --set-string
    ("set-string", "a=1,b=true,c=null,d=", [(("a",), "1"), (("b",), "true"), (("c",), "null"), (("d",), "")]),
    ("set-string", "a={1,true,}", [(("a",), ["1", "true", ""])]),
    ("set-string", "a={}", [(("a",), [])]),
    ("set-string", r"a.b\.c[0]=1.20", [(("a", "b.c", 0), "1.20")]),
    # --set-json
    ("set-json", 'a={"x":1,"y":[1,2]}', [(("a",), {"x": 1, "y": [1, 2]})]),
    ("set-json", 'a={"x":1},b=[1, "2"]', [(("a",), {"x": 1}), (("b",), [1, "2"])]),
    ("set-json", 'a="x,y=z"', [(("a",), "x,y=z")]),
    ("set-json", "a=1,b=1.5,c=true,d=null", [(("a",), 1), (("b",), 1.5), (("c",), True), (("d",), None)]),
    ("set-json", "a=", [(("a",), None)]),
    ("set-json", "a= ,b=1", [(("a",), None), (("b",), 1)]),
    ("set-json", "a= [1] ,b=2", [(("a",), [1]), (("b",), 2)]),
    ("set-json", "a[0].b={}", [(("a", 0, "b"), {})]),
    ("set-json", "a=" + "[" * 100 + "]" * 100, [(("a",), eval("[" * 100 + "]" * 100))]),
    ("set-json", 'a="\\u00e9\\n"', [(("a",), "é\n")]),
    ("set-json", "a=123456789012345678901234567890", [(("a",), 123456789012345678901234567890)]),
    # --set-file
    ("set-file", "a=x.txt", [(("a",), "<x.txt>")]),
    ("set-file", r"a.b=dir/f\,1.txt,c=y", [(("a", "b"), "<dir/f,1.txt>"), (("c",), "<y>")]),
    ("set-file", "a={x}", [(("a",), "<{x}>")]),
]


@pytest.mark.parametrize(("kind", "text", "expected"), VALID, ids=[f"{k} {t[:40]!r}" for k, t, _ in VALID])
def test_valid_argument(kind: SetKind, text: str, expected: list[tuple[tuple[str | int, ...], Any]]) -> None:
    assert parsed(text, kind) == expected


def test_values_keep_their_types_exactly() -> None:
    [[_, one], [_, big], [_, flt]] = parsed("a=1,b=123456789012345678901234567890,c=1e3")
    assert type(one) is int and type(big) is int and type(flt) is float
    [[_, flag]] = parsed("a=true")
    assert flag is True


def test_set_value_fields() -> None:
    [first, second] = parse_set_argument(r"image.tag=1.20,list={a\,b,c}", "set", 3)
    assert first == SetValue(("image", "tag"), 1.2, "1.20", r"image.tag=1.20,list={a\,b,c}", "set", 3)
    assert second.raw == r"{a\,b,c}"
    assert second.value == ["a,b", "c"]
    assert first.location == Location(r"--set #3 image.tag=1.20,list={a\,b,c}")


def test_raw_is_the_value_as_written() -> None:
    values = parse_set_argument(r"a=x\,y,b=,c={1,2}", "set", 1)
    assert [v.raw for v in values] == [r"x\,y", "", "{1,2}"]
    [json_value] = parse_set_argument('a=  {"x": 1}  ', "set-json", 1)
    assert json_value.raw == '{"x": 1}'


def test_set_file_reads_each_file_once_and_keeps_the_name_as_raw() -> None:
    read: list[str] = []

    def fake(name: str) -> str:
        read.append(name)
        return f"contents of {name}\n"

    values = parse_set_argument(r"cfg=conf/app.ini,key=k\,1.pem", "set-file", 2, read_file=fake)
    assert read == ["conf/app.ini", "k,1.pem"]
    assert [(v.path, v.value, v.raw, v.kind, v.number) for v in values] == [
        (("cfg",), "contents of conf/app.ini\n", "conf/app.ini", "set-file", 2),
        (("key",), "contents of k,1.pem\n", "k,1.pem", "set-file", 2),
    ]


def test_set_file_is_parsed_before_any_file_is_read() -> None:
    read: list[str] = []

    def fake(name: str) -> str:
        read.append(name)
        return ""

    with pytest.raises(UsageError):
        parse_set_argument("a=x,b", "set-file", 1, read_file=fake)
    assert read == []


def test_set_file_without_a_reader_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        parse_set_argument("a=x.txt", "set-file", 1)
    assert info.value.problems[0].message == "--set-file 'a=x.txt': files cannot be read here"


def test_errors_of_the_file_reader_pass_through() -> None:
    class Missing(Exception):
        pass

    def missing(name: str) -> str:
        raise Missing(name)

    with pytest.raises(Missing):
        parse_set_argument("a=nope", "set-file", 1, read_file=missing)


def test_the_argument_limit_is_inclusive() -> None:
    text = "a=" + "x" * (MAX_ARGUMENT - 2)
    assert parsed(text) == [(("a",), "x" * (MAX_ARGUMENT - 2))]


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_set_argument("a=1", "set-yaml", 1)  # type: ignore[arg-type]


# -- malformed arguments --------------------------------------------------------------------------

DEEP_KEYS = ".".join(["k"] * 1000) + "=1"
DEEP_INDEXES = "a" + "[0]" * 1000 + "=1"
HUGE = "a=" + "x" * (2 * 1024 * 1024)

MALFORMED: list[tuple[SetKind, str, str, str]] = [
    ("set", "=1", "--set '=1': empty key at character 1", SET_HINT),
    ("set", "a..b=1", "--set 'a..b=1': empty key at character 3", SET_HINT),
    ("set", "a.=1", "--set 'a.=1': empty key at character 3", SET_HINT),
    ("set", ".a=1", "--set '.a=1': empty key at character 1", SET_HINT),
    ("set", "a.", "--set 'a.': missing key and '=value' after the '.' at character 2", SET_HINT),
    ("set", "a[=1", "--set 'a[=1': unclosed '[' at character 2", SET_HINT),
    ("set", "a[0", "--set 'a[0': unclosed '[' at character 2", SET_HINT),
    ("set", "a]=1", "--set 'a]=1': unexpected ']' at character 2", ESCAPE_HINT),
    ("set", "a.]=1", "--set 'a.]=1': unexpected ']' at character 3", ESCAPE_HINT),
    ("set", "a[0]]=1", "--set 'a[0]]=1': unexpected ']' at character 5", ESCAPE_HINT),
    ("set", "a", "--set 'a': missing '=' at character 2", SET_HINT),
    ("set", "a.b", "--set 'a.b': missing '=' at character 4", SET_HINT),
    ("set", "a[0]", "--set 'a[0]': missing '=' at character 5", SET_HINT),
    ("set", "a,b=1", "--set 'a,b=1': missing '=' at character 2", SET_HINT),
    ("set", "a[0],b=1", "--set 'a[0],b=1': missing '=' at character 5", SET_HINT),
    ("set", "a=1,b", "--set 'a=1,b': missing '=' at character 6", SET_HINT),
    ("set", "a=1,,b=2", "--set 'a=1,,b=2': empty key at character 5", SET_HINT),
    ("set", "a=1,", "--set 'a=1,': nothing after the last ',' at character 4", SET_HINT),
    ("set", ",a=1", "--set ',a=1': empty key at character 1", SET_HINT),
    ("set", "", "--set '': no key=value pair", SET_HINT),
    ("set", "a[x]=1", "--set 'a[x]=1': list index 'x' is not a number at character 3", SET_HINT),
    ("set", "a[]=1", "--set 'a[]=1': empty list index at character 3", SET_HINT),
    ("set", "a[ 1]=1", "--set 'a[ 1]=1': list index ' 1' is not a number at character 3", SET_HINT),
    ("set", "a[1.5]=1", "--set 'a[1.5]=1': list index '1.5' is not a number at character 3", SET_HINT),
    ("set", "a[٣]=1", "--set 'a[٣]=1': list index '٣' is not a number at character 3", SET_HINT),
    ("set", "a[-1]=1", "--set 'a[-1]=1': negative list index -1 at character 3", SET_HINT),
    (
        "set",
        "a[99999999]=1",
        "--set 'a[99999999]=1': list index 99999999 is larger than 65536 at character 3",
        SET_HINT,
    ),
    ("set", "a[65537]=1", "--set 'a[65537]=1': list index 65537 is larger than 65536 at character 3", SET_HINT),
    (
        "set",
        "a[" + "9" * 5000 + "]=1",
        "--set 'a[" + "9" * 77 + "…': list index " + "9" * 19 + "… is larger than 65536 at character 3",
        SET_HINT,
    ),
    ("set", "[0]=1", "--set '[0]=1': a path starts with a key, not a list index at character 1", SET_HINT),
    ("set", "a[0]x=1", "--set 'a[0]x=1': unexpected 'x' after ']' at character 5", SET_HINT),
    (
        "set",
        ".".join("k" * 31) + "=1",
        "--set '" + ".".join("k" * 31) + "=1': path nested deeper than 30 levels at character 61",
        SET_HINT,
    ),
    (
        "set",
        DEEP_KEYS,
        "--set '" + ("k." * 40)[:79] + "…': path nested deeper than 30 levels at character 61",
        SET_HINT,
    ),
    (
        "set",
        DEEP_INDEXES,
        "--set 'a"
        + ("[0]" * 30)[:78]
        + "…': path nested deeper than 30 levels at character 89 (near '…[0][0][0][0][0][0][0][0][0][0]…')",
        SET_HINT,
    ),
    ("set", "a=\\", "--set 'a=\\': trailing backslash at character 3", ESCAPE_HINT),
    ("set", "a\\", "--set 'a\\': trailing backslash at character 2", ESCAPE_HINT),
    ("set", "a={x\\", "--set 'a={x\\': trailing backslash at character 5", ESCAPE_HINT),
    ("set", "a\x00b=1", "--set 'a\\x00b=1': NUL byte at character 2", SET_HINT),
    ("set", "a=b\x00", "--set 'a=b\\x00': NUL byte at character 4", SET_HINT),
    ("set", "a=\udcff", "--set 'a=\\udcff': text that is not valid UTF-8 at character 3", SET_HINT),
    (
        "set",
        HUGE,
        "--set 'a=" + "x" * 77 + "…': argument longer than 1 MiB (2,097,154 characters)",
        "put large values in a values file, or pass text with --set-file",
    ),
    (
        "set",
        "a={x,y",
        "--set 'a={x,y': unclosed '{' at character 3",
        "close the list with '}', or write \\{ if it is text",
    ),
    ("set", "a={", "--set 'a={': unclosed '{' at character 3", "close the list with '}', or write \\{ if it is text"),
    (
        "set",
        "a={x}y",
        "--set 'a={x}y': unexpected 'y' after '}' at character 6",
        "write items as {a,b}; write \\{ for text",
    ),
    (
        "set",
        "a={x}}",
        "--set 'a={x}}': unexpected '}' after '}' at character 6",
        "write items as {a,b}; write \\{ for text",
    ),
    (
        "set",
        "a=" + "1" * 5000,
        "--set 'a=" + "1" * 77 + "…': the number " + "1" * 19 + "… has too many digits at character 3",
        "use --set-string to pass it as text",
    ),
    (
        "set",
        "k" * 100 + "..=1",
        "--set '" + "k" * 79 + "…': empty key at character 102 (near '…" + "k" * 14 + "..=1')",
        SET_HINT,
    ),
    ("set", "a\x1b[31m..b=1", "--set 'a\\x1b[31m..b=1': unclosed '[' at character 3", SET_HINT),
    # the other kinds share the path grammar and name themselves
    (
        "set-string",
        "a..b=1",
        "--set-string 'a..b=1': empty key at character 3",
        SET_HINT.replace("--set", "--set-string"),
    ),
    (
        "set-string",
        "a={x",
        "--set-string 'a={x': unclosed '{' at character 3",
        "close the list with '}', or write \\{ if it is text",
    ),
    ("set-json", "a..b=1", "--set-json 'a..b=1': empty key at character 3", JSON_HINT),
    (
        "set-file",
        "a..b=f",
        "--set-file 'a..b=f': empty key at character 3",
        "write --set-file key.sub=FILE, or key.sub=FILE,other=FILE2",
    ),
    (
        "set-file",
        "a=",
        "--set-file 'a=': empty file name at character 3",
        "write --set-file key.sub=FILE, or key.sub=FILE,other=FILE2",
    ),
    (
        "set-file",
        "a=f,b=",
        "--set-file 'a=f,b=': empty file name at character 7",
        "write --set-file key.sub=FILE, or key.sub=FILE,other=FILE2",
    ),
    # invalid JSON
    ("set-json", "a=hello", "--set-json 'a=hello': invalid JSON: Expecting value at character 3", JSON_HINT),
    (
        "set-json",
        "a={'x':1}",
        "--set-json 'a={'x':1}': invalid JSON: Expecting property name enclosed in double quotes at character 4",
        JSON_HINT,
    ),
    (
        "set-json",
        'a={"x":1',
        """--set-json 'a={"x":1': invalid JSON: Expecting ',' delimiter at character 9""",
        JSON_HINT,
    ),
    (
        "set-json",
        'a="x',
        """--set-json 'a="x': invalid JSON: Unterminated string starting at character 3""",
        JSON_HINT,
    ),
    (
        "set-json",
        'a="\n"',
        """--set-json 'a="\n"': invalid JSON: Invalid control character at character 4""".replace("\n", "\\n"),
        JSON_HINT,
    ),
    ("set-json", "a=NaN", "--set-json 'a=NaN': invalid JSON value: NaN is not a JSON number at character 3", JSON_HINT),
    (
        "set-json",
        "a=[-Infinity]",
        "--set-json 'a=[-Infinity]': invalid JSON value: -Infinity is not a JSON number at character 3",
        JSON_HINT,
    ),
    (
        "set-json",
        "a=1e400",
        "--set-json 'a=1e400': invalid JSON value: the number 1e400 is too large at character 3",
        JSON_HINT,
    ),
    (
        "set-json",
        'a={"k":1,"k":2}',
        """--set-json 'a={"k":1,"k":2}': invalid JSON value: duplicate key 'k' in a JSON object at character 3""",
        JSON_HINT,
    ),
    (
        "set-json",
        'a={"\\u0000":1}',
        """--set-json 'a={"\\u0000":1}': invalid JSON value: a JSON object key holds a NUL character at character 3""",
        JSON_HINT,
    ),
    (
        "set-json",
        'a="\\ud800"',
        """--set-json 'a="\\ud800"': a JSON string holds a lone surrogate (\\ud800-\\udfff), which is not text"""
        " at character 3",
        JSON_HINT,
    ),
    (
        "set-json",
        "a=[1] x",
        "--set-json 'a=[1] x': unexpected text after the JSON value at character 7",
        """one JSON value per key; quote text: 'key="a b"'""",
    ),
    (
        "set-json",
        "a=1 2",
        "--set-json 'a=1 2': unexpected text after the JSON value at character 5",
        """one JSON value per key; quote text: 'key="a b"'""",
    ),
    (
        "set-json",
        "a=" + "[" * 101 + "]" * 101,
        "--set-json 'a=" + "[" * 77 + "…': JSON nested deeper than 100 levels at character 3",
        JSON_HINT,
    ),
    (
        "set-json",
        "a=" + "[" * 100_000,
        "--set-json 'a=" + "[" * 77 + "…': JSON nested deeper than 100 levels at character 3",
        JSON_HINT,
    ),
    (
        "set-json",
        "a=" + "9" * 5000,
        "--set-json 'a=" + "9" * 77 + "…': invalid JSON value: the number " + "9" * 19 + "… has too many digits"
        " at character 3",
        JSON_HINT,
    ),
    ("set-json", "a=1,", "--set-json 'a=1,': nothing after the last ',' at character 4", JSON_HINT),
]


@pytest.mark.parametrize(
    ("kind", "text", "message", "hint"), MALFORMED, ids=[f"{k} {t[:30]!r}" for k, t, _, _ in MALFORMED]
)
def test_malformed_argument(kind: SetKind, text: str, message: str, hint: str) -> None:
    problem = failure(text, kind).problems[0]
    assert problem.message == message
    assert problem.hint == hint
    assert problem.location is None
    assert problem.severity == "error"


def test_messages_never_carry_control_characters() -> None:
    problem = failure("a\x1b]0;title\x07=1").problems[0]
    assert "\x1b" not in problem.message and "\x07" not in problem.message
    assert problem.message == "--set 'a\\x1b]0;title\\x07=1': unexpected ']' at character 3"


def test_long_arguments_are_cut_in_messages() -> None:
    message = failure("a" * 500 + "]=1").problems[0].message
    assert message.startswith("--set '" + "a" * 79 + "…': unexpected ']' at character 501 (near '…")
    assert len(message) < 200


# -- set_layer ------------------------------------------------------------------------------------


def test_set_layer_builds_nested_data_in_order() -> None:
    layer = layer_of(
        ("set", "image.tag=1.20,replicas=3"), ("set-string", "image.repo=nginx"), ("set", "list[0].name=a")
    )
    assert layer.kind == "set"
    assert layer.source == "command line"
    assert layer.data == {"image": {"tag": 1.2, "repo": "nginx"}, "replicas": 3, "list": [{"name": "a"}]}


def test_set_layer_records_where_each_path_came_from() -> None:
    layer = layer_of(("set", "image.tag=1.20"), ("set", "image.repo=x,hosts={a,b}"))
    first = Location("--set #1 image.tag=1.20")
    second = Location("--set #2 image.repo=x,hosts={a,b}")
    assert layer.locations == {
        ("image",): first,
        ("image", "tag"): first,
        ("image", "repo"): second,
        ("hosts",): second,
        ("hosts", 0): second,
        ("hosts", 1): second,
    }
    assert layer.key_locations == {
        ("image",): first,
        ("image", "tag"): first,
        ("image", "repo"): second,
        ("hosts",): second,
    }
    assert str(first) == "--set #1 image.tag=1.20"


def test_set_layer_locations_escape_and_shorten_the_argument() -> None:
    layer = layer_of(("set-string", "a=line1\nline2"), ("set", "b=" + "x" * 200))
    assert layer.locations[("a",)] == Location("--set-string #1 a=line1\\nline2")
    assert layer.locations[("b",)] == Location("--set #2 " + "b=" + "x" * 77 + "…")


def test_later_arguments_override_earlier_ones() -> None:
    layer = layer_of(("set", "a=1,b.c=1"), ("set", "a=2,b.c=2"))
    assert layer.data == {"a": 2, "b": {"c": 2}}
    assert layer.locations[("a",)] == Location("--set #2 a=2,b.c=2")
    assert layer.locations[("b",)] == Location("--set #1 a=1,b.c=1")  # the map is the one #1 made
    assert layer.locations[("b", "c")] == Location("--set #2 a=2,b.c=2")


def test_later_path_wins_within_one_argument() -> None:
    assert layer_of(("set", "a=1,a=2")).data == {"a": 2}
    assert layer_of(("set", "a=1,a.b=2")).data == {"a": {"b": 2}}
    assert layer_of(("set", "a.b=2,a=1")).data == {"a": 1}
    assert layer_of(("set", "a[0]=1,a.b=2")).data == {"a": {"b": 2}}
    assert layer_of(("set", "a.b=2,a[0]=1")).data == {"a": [1]}
    assert layer_of(("set", "a={x,y},a[1]=z")).data == {"a": ["x", "z"]}


def test_a_replaced_subtree_forgets_its_locations_and_texts() -> None:
    layer = layer_of(("set", "a.b=1,a.c[0]=2"), ("set", "a=3"))
    assert layer.data == {"a": 3}
    assert dict(layer.locations) == {("a",): Location("--set #2 a=3")}
    assert dict(layer.raw_texts) == {("a",): "3"}


def test_maps_merge_across_arguments_like_values_layers() -> None:
    layer = layer_of(("set", "a.x=1"), ("set-json", 'a={"y":2,"z":{"k":1}}'), ("set-json", 'a={"z":{"l":2},"x":null}'))
    assert layer.data == {"a": {"x": None, "y": 2, "z": {"k": 1, "l": 2}}}
    assert layer.locations[("a", "z", "k")] == Location('--set-json #2 a={"y":2,"z":{"k":1}}')
    assert layer.locations[("a", "z", "l")] == Location('--set-json #3 a={"z":{"l":2},"x":null}')


def test_lists_and_scalars_replace_across_arguments() -> None:
    assert layer_of(("set", "a={1,2,3}"), ("set-json", "a=[9]")).data == {"a": [9]}
    assert layer_of(("set-json", 'a={"b":1}'), ("set", "a=x")).data == {"a": "x"}


def test_list_items_can_be_set_in_any_order_and_across_arguments() -> None:
    assert layer_of(("set", "a[1]=y,a[0]=x")).data == {"a": ["x", "y"]}
    assert layer_of(("set", "a[0]=x"), ("set", "a[1].b=y")).data == {"a": ["x", {"b": "y"}]}
    assert layer_of(("set", "a[1][1]=y,a[1][0]=x,a[0]=w")).data == {"a": ["w", ["x", "y"]]}


def test_a_gap_in_a_list_is_refused() -> None:
    with pytest.raises(UsageError) as info:
        layer_of(("set", "b=1"), ("set", "containers[1].image=x"))
    problem = info.value.problems[0]
    assert problem.location == Location("--set #2 containers[1].image=x")
    assert problem.message == (
        "values.containers[0] is not set: an index in --set starts a new list, which would hold null there"
    )
    assert problem.hint == (
        "set every item from [0] up, or the whole list with --set-json 'containers=[...]'; "
        "the list replaces the one in the values files"
    )
    assert problem.format().startswith("--set #2 containers[1].image=x: error: values.containers[0] is not set")


def test_a_gap_filled_or_replaced_later_is_fine() -> None:
    assert layer_of(("set", "a[2]=z"), ("set", "a[0]=x,a[1]=y")).data == {"a": ["x", "y", "z"]}
    assert layer_of(("set", "a[2]=z"), ("set", "a=flat")).data == {"a": "flat"}
    assert layer_of(("set", "a[0][3]=z"), ("set", "a[0]={w}")).data == {"a": [["w"]]}


def test_an_explicit_null_is_not_a_gap() -> None:
    assert layer_of(("set", "a[0]=null,a[1]=x")).data == {"a": [None, "x"]}


def test_null_stays_in_the_layer_to_delete_the_key_when_merged() -> None:
    layer = layer_of(("set", "image.tag=null,replicas=2"))
    assert layer.data == {"image": {"tag": None}, "replicas": 2}
    base = ValuesLayer("defaults", "values.yaml", {"image": {"tag": "1.0", "repo": "r"}, "replicas": 1})
    assert merge_layers([base, layer]) == {"image": {"repo": "r"}, "replicas": 2}


def test_origin_of_a_merged_value_names_the_argument() -> None:
    base = ValuesLayer(
        "defaults", "values.yaml", {"image": {"tag": "1.0"}}, {("image", "tag"): Location("values.yaml", 2)}
    )
    layer = layer_of(("set", "x=1"), ("set", "image.tag=2.0"))
    assert str(origin_of([base, layer], ("image", "tag"))) == "--set #2 image.tag=2.0"


def test_raw_texts_keep_how_set_numbers_and_booleans_were_written() -> None:
    layer = layer_of(
        ("set", "a=1.20,b=true,c=x,d=null,e=,f={1.0,y,012},g=1\\.5"),
        ("set-string", "h=1.20"),
        ("set-json", "i=1.20"),
    )
    assert dict(layer.raw_texts) == {
        ("a",): "1.20",
        ("b",): "true",
        ("f", 0): "1.0",
        ("f", 2): "012",
        ("g",): "1.5",
    }


def test_raw_texts_are_dropped_when_a_later_argument_replaces_the_value() -> None:
    layer = layer_of(("set", "a=1.20,b=1.0"), ("set-json", "a=1.5"), ("set-string", "b=x"))
    assert dict(layer.raw_texts) == {}


def test_empty_set_layer() -> None:
    layer = set_layer([])
    assert (layer.kind, layer.data, dict(layer.locations)) == ("set", {}, {})


def test_set_layer_does_not_share_data_with_the_values() -> None:
    [value] = parse_set_argument('a={"b":[1]}', "set-json", 1)
    layer = set_layer([value])
    layer.data["a"]["b"].append(2)
    assert value.value == {"b": [1]}


# -- format_set -----------------------------------------------------------------------------------

FORMATTED: list[tuple[SetKind, str, str]] = [
    ("set", "a.b=1,c=x", "a.b=1,c=x"),
    ("set", r"nodeSelector.kubernetes\.io/os=linux", r"nodeSelector.kubernetes\.io/os=linux"),
    ("set", r"a\,b\=c\[d\]\\e=1", r"a\,b\=c\[d\]\\e=1"),
    ("set", r"\a.b=x", "a.b=x"),
    ("set", "a[0][1].b=x", "a[0][1].b=x"),
    ("set", "a=012,b=1e3,c=1.20,d=0x1F", "a=12,b=1000.0,c=1.2,d=31"),
    ("set", "a=~,b=TRUE,c=.NaN,d=-.inf,e=", "a=null,b=true,c=.nan,d=-.inf,e="),
    ("set", r"a=x\,y\\z,b=\{x,c=b=c", r"a=x\,y\\z,b=\{x,c=b=c"),
    ("set", r"a={x\,y,z\},{,}", r"a={x\,y,z\},{,}"),
    ("set", "a={},b={,}", "a={},b={,}"),
    ("set-string", "a={1,true},b=null", "a={1,true},b=null"),
    ("set-json", 'a={"x":[1,2.5,null]},b=', 'a={"x": [1, 2.5, null]},b=null'),
    ("set-json", 'a="é,\\u0001"', 'a="é,\\u0001"'),
    ("set-file", r"a=f\,g", r"a=f\,g"),
]


@pytest.mark.parametrize(("kind", "text", "expected"), FORMATTED, ids=[f"{k} {t!r}" for k, t, _ in FORMATTED])
def test_format_set(kind: SetKind, text: str, expected: str) -> None:
    values = parse_set_argument(text, kind, 1, read_file=lambda name: name.upper())
    assert format_set(values) == expected
    again = parse_set_argument(expected, kind, 1, read_file=lambda name: name.upper())
    assert [v.path for v in again] == [v.path for v in values]
    assert repr([v.value for v in again]) == repr([v.value for v in values])  # repr: nan == nan


def test_format_set_refuses_what_the_kind_cannot_express() -> None:
    def value(v: Any, kind: SetKind = "set") -> SetValue:
        return SetValue(("a",), v, "", "", kind, 1)

    for bad in ("true", "12", "null", "~", "1" * 5000, {"a": 1}, [[1]], [""]):
        with pytest.raises(ValueError):
            format_set([value(bad)])
    with pytest.raises(ValueError):
        format_set([value(1, "set-string")])
    with pytest.raises(ValueError):
        format_set([value("x"), value("x", "set-string")])
    with pytest.raises(ValueError):
        format_set([SetValue((0,), "x", "x", "", "set", 1)])


def test_format_set_of_nothing_is_empty() -> None:
    assert format_set([]) == ""
