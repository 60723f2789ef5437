"""Hostile ``--set`` arguments (H46-H52): often filled from CI variables (branch names, PR titles).

Malformed or oversized arguments are usage errors (exit 2) quoting the argument, shortened and
escaped, with the position at fault; values land as data of their own type, never as YAML
structure or template code.
"""

from __future__ import annotations

import json
import re

import pytest

from pytemplar.errors import UsageError
from pytemplar.setargs import parse_set_argument

from .harness import RENDER, Sandbox, configmap

T = "app/templates/t.yaml.j2"
VALUES = ("values", "project", "-e", "dev", "-r", "one", "-o", "json")


@pytest.mark.parametrize(
    ("kind", "argument", "message"),
    [
        # H46: list indexes
        pytest.param("set", "a[99999999]=1", r"index 99999999 is larger than 65536", id="H46-index-above-the-cap"),
        pytest.param("set", "a[65537]=1", r"index 65537 is larger than 65536", id="H46-index-just-above-the-cap"),
        pytest.param("set", "a[9223372036854775807]=1", r"larger than 65536", id="H46-index-2-pow-63"),
        pytest.param("set", "a[-1]=1", r"negative list index", id="H46-negative-index"),
        pytest.param("set", "a" + "[0]" * 33 + "=1", r"nested deeper than 30", id="H46-33-nested-indexes"),
        # H47: nesting
        pytest.param("set", ".".join(["a"] * 1000) + "=1", r"nested deeper than 30", id="H47-1000-level-dotted-key"),
        pytest.param("set", "a" + "[0]" * 1000 + "=1", r"nested deeper than 30", id="H47-1000-nested-indexes"),
        # H48: malformed
        pytest.param("set", "=1", r"empty key", id="H48-no-key"),
        pytest.param("set", "a..b=1", r"empty key", id="H48-empty-key-between-dots"),
        pytest.param("set", "a[=1", r"unclosed '\['", id="H48-unclosed-bracket"),
        pytest.param("set", "a]=1", r"unexpected '\]'", id="H48-stray-bracket"),
        pytest.param("set", "a", r"missing '='", id="H48-no-value"),
        pytest.param("set", "a=1,,b=2", r"empty key", id="H48-empty-pair"),
        pytest.param("set", "a=b\\", r"trailing backslash", id="H48-trailing-backslash"),
        pytest.param("set", "k" * 100_000 + "=1", r"key .*(longer|above|limit)|1,?024", id="H48-100-kb-key"),
        pytest.param("set-json", "a=" + "[" * 5000 + "]" * 5000, r"nested deeper than 100", id="H48-json-5000-deep"),
        pytest.param("set-json", "a=NaN", r"NaN", id="H48-json-nan"),
        pytest.param("set-json", 'a={"x":1,"x":2}', r"duplicate key", id="H48-json-duplicate-key"),
    ],
)
def test_malformed_or_oversized_set_argument_is_a_usage_error(
    sandbox: Sandbox, kind: str, argument: str, message: str
) -> None:
    sandbox.write({})
    result = sandbox.run(*RENDER, f"--{kind}", argument)
    sandbox.refused(result, file=None, code=2, message=rf"^error: --{kind} '.*{message}")
    assert len(result.first_line) < 400, f"the message quotes the whole argument\n{result.describe()}"


def test_argument_above_one_mib_is_refused_before_parsing() -> None:
    """H48: 1 MiB cannot pass through argv (Linux caps one argument at 128 KiB); the parser
    refuses it on its own."""
    with pytest.raises(UsageError, match=r"longer than 1 MiB"):
        parse_set_argument("k=" + "v" * (1024 * 1024), "set", 1)


def test_nul_byte_is_refused() -> None:
    """H48: a real command line cannot carry NUL; the parser (used by the library too) refuses it."""
    with pytest.raises(UsageError, match=r"NUL"):
        parse_set_argument("a=b\x00c", "set", 1)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param(("a=1,a.b=2",), {"b": 2}, id="H48-scalar-then-map-later-wins"),
        pytest.param(("a.b=2", "a=1"), 1, id="H48-map-then-scalar-later-wins"),
        pytest.param(("a.b=1", "a[0]=2"), [2], id="H48-map-then-list-later-wins"),
    ],
)
def test_conflicting_paths_follow_the_documented_rule(
    sandbox: Sandbox, arguments: tuple[str, ...], expected: object
) -> None:
    """H48: a later path wins, like a later values layer (documented in setargs)."""
    sandbox.write({})
    flags = [part for argument in arguments for part in ("--set", argument)]
    result = sandbox.run(*VALUES, *flags)
    sandbox.accepted(result)
    assert json.loads(result.stdout)["a"] == expected


# -- H49: values from CI variables stay one value ----------------------------------------------------------------

SECRET_INJECTION = "x\nkind: Secret\nstringData:\n  token: stolen\n---\nkind: Namespace"


def test_set_value_with_yaml_structure_is_one_string(sandbox: Sandbox) -> None:
    """H49: a value written as a whole node is one quoted string; no Secret, no extra document."""
    sandbox.write({T: configmap("  title: {{ values.title }}", name="cm")})
    result = sandbox.run(*RENDER, "--set-string", f"title={SECRET_INJECTION}")
    sandbox.accepted(result)
    documents = result.documents()
    assert sorted(doc["kind"] for doc in documents) == ["ConfigMap", "Deployment"]
    config = next(doc for doc in documents if doc["kind"] == "ConfigMap")
    assert config["data"] == {"title": SECRET_INJECTION}


def test_set_value_with_a_line_break_inside_a_plain_scalar_is_one_name_and_refused_as_one(sandbox: Sandbox) -> None:
    """H49: the same value as part of a name is placed inside the name, whole (no key or document
    is added), and the name, not a valid one, is refused."""
    sandbox.write({T: configmap("  a: b", name="cm-{{ values.title }}")})
    result = sandbox.run(*RENDER, "--set", f"title={SECRET_INJECTION}")
    sandbox.refused(result, file=T, message=r"is not a DNS-1123 subdomain")


def test_set_value_with_template_syntax_is_never_evaluated(sandbox: Sandbox) -> None:
    """H49, H50b: ``{{ 7*7 }}`` from a value is text, not code."""
    sandbox.write({T: configmap('  title: "{{ values.title }}"', "  node: {{ values.title }}", name="cm")})
    # A leading "{" starts a list in the --set grammar; "\\{" is the documented escape for text.
    result = sandbox.run(*RENDER, "--set-string", "title=\\{{ 7*7 }}{% for x in range(3) %}x{% endfor %}")
    sandbox.accepted(result)
    config = next(doc for doc in result.documents() if doc["kind"] == "ConfigMap")
    text = "{{ 7*7 }}{% for x in range(3) %}x{% endfor %}"
    assert config["data"] == {"title": text, "node": text}
    assert "49" not in result.stdout and "xxx" not in result.stdout


# -- H51: types and text survive to the output ---------------------------------------------------------------------

H51_SCHEMA = """
    {
      "type": "object",
      "properties": {
        "replicas": {"type": "integer"},
        "image": {"type": "object", "properties": {"tag": {"type": "string"}}},
        "zip": {"type": "string"},
        "country": {"type": "string"},
        "version": {"type": "string"},
        "time": {"type": "string"},
        "flag": {"type": "string"}
      }
    }
"""


def test_set_values_keep_their_type_and_text_for_yaml_1_1_readers(sandbox: Sandbox) -> None:
    """H51: big integers stay digits, strings the schema wants stay the text typed, and the output
    quotes what a YAML 1.1 reader would retype (read back here with PyYAML, as kubectl would)."""
    keys = ("zip", "country", "version", "time", "flag")
    sandbox.write(
        {
            "app/values.schema.json": H51_SCHEMA,
            T: configmap("  tag: {{ values.image.tag }}", *(f"  {key}: {{{{ values.{key} }}}}" for key in keys)),
        }
    )
    arguments = "replicas=12345678901,image.tag=1e3,zip=012,country=NO,version=1.10,time=22:22,flag=on"
    result = sandbox.run(*RENDER, "--set", arguments)
    sandbox.clean(result)
    assert result.code == 0, result.describe()
    documents = {doc["kind"]: doc for doc in result.documents()}
    assert documents["Deployment"]["spec"]["replicas"] == 12345678901
    assert documents["ConfigMap"]["data"] == {
        "tag": "1e3",
        "zip": "012",
        "country": "NO",
        "version": "1.10",
        "time": "22:22",
        "flag": "on",
    }


# -- H52: names that look like Python or like escapes ------------------------------------------------------------


def test_dunder_and_escaped_keys_are_plain_data(sandbox: Sandbox) -> None:
    """H52: ``__class__`` is a data key, never an attribute; ``\\.`` and ``\\=`` are literal."""
    sandbox.write({})
    result = sandbox.run(*VALUES, "--set", "__class__=x", "--set", "a\\.b=1", "--set", "c.d\\=e=2")
    sandbox.accepted(result)
    data = json.loads(result.stdout)
    assert (data["__class__"], data["a.b"], data["c"]) == ("x", 1, {"d=e": 2})


def test_dunder_key_reaches_templates_only_as_data(sandbox: Sandbox) -> None:
    """H52: reading the data key works; going on into Python attributes from it does not."""
    sandbox.write({T: configmap('  k: {{ values["__class__"] }}', "  m: {{ values.__class__.__mro__ }}", name="cm")})
    result = sandbox.run(*RENDER, "--set", "__class__=x")
    sandbox.refused(result, file=T, line=7, message=r"not allowed|unsafe|no attribute|undefined")
    assert re.search(r"__mro__", result.first_line), result.describe()
