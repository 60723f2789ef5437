"""Hostile YAML in values files and overlays (H29-H38).

YAML is read under pytemplar's rules: YAML 1.2 core schema, core tags only, string and unique
keys, spec merge keys, one document, and limits on nesting, aliases, expansion and size. Each
refusal names the file, line and column; the accepted cases read exactly as the spec says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pytemplar import yamlio

from .harness import RENDER, Batch, Case, Sandbox, batch_sandbox, configmap, run_batch

OVERLAY = "project/envs/dev.yaml"
VALUES = ("values", "project", "-e", "dev", "-r", "one", "-o", "json")

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
MIB = 1024 * 1024


def _values(
    case_id: str, content: str | bytes, message: str, line: int | None = None, column: int | None = None
) -> Case:
    """A case whose release overlay holds ``content``; ``line``/``column`` are where it is refused."""
    where = None if line is None else (line if column is None else f"{line}:{column}")
    data = content.encode() if isinstance(content, str) else content
    return Case(case_id, {"values": data}, "values", message, line=where)


CASES = [
    # H30: nesting
    _values("H30a-5000-level-flow-sequence", "x: " + "[" * 5000 + "]" * 5000 + "\n", r"nesting deeper than 100", 1),
    _values("H30b-5000-level-flow-mapping", "x: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", r"nesting deeper", 1),
    _values(
        "H30c-300-level-block-mapping",
        "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v\n",
        r"nesting deeper than 100",
        102,
    ),
    # H31: duplicate keys
    _values("H31-duplicate-top-level-key", "replicas: 1\nreplicas: 100\n", r"duplicate key 'replicas'.*line 1", 2, 1),
    _values("H31-duplicate-nested-key", "image:\n  tag: a\n  tag: b\n", r"duplicate key 'tag'.*line 2", 3, 3),
    _values(
        "H31-duplicate-map-key",
        "securityContext:\n  runAsNonRoot: true\nsecurityContext:\n  privileged: true\n",
        r"duplicate key 'securityContext'.*line 1",
        3,
        1,
    ),
    # H33: tags outside the core schema
    _values(
        "H33-python-object-apply",
        "x: !!python/object/apply:os.system ['echo PYTEMPLAR-H33-EXECUTED']\n",
        r"tag '!!python/object/apply:os.system' is not allowed",
        1,
        4,
    ),
    _values("H33-python-name", "x: !!python/name:os.system\n", r"tag .* is not allowed", 1, 4),
    _values("H33-python-module", "x: !!python/module:os\n", r"tag .* is not allowed", 1, 4),
    _values("H33-local-tag", "x: !Ref foo\n", r"tag '!Ref' is not allowed", 1, 4),
    _values("H33-binary", "x: !!binary aGVsbG8=\n", r"tag '!!binary' is not allowed", 1, 4),
    _values("H33-set", "x: !!set {a: null}\n", r"tag '!!set' is not allowed", 1, 4),
    _values("H33-omap", "x: !!omap [{a: 1}]\n", r"tag '!!omap' is not allowed", 1, 4),
    _values("H33-timestamp", "x: !!timestamp 2001-12-14\n", r"tag '!!timestamp' is not allowed", 1, 4),
    # H34: encodings and characters
    _values("H34a-latin1-byte", b"name: caf\xe9\n", r"not valid UTF-8", 1, 10),
    _values("H34b-nul-byte", b"name: a\x00b\n", r"NUL|control character|#x0000", 1, 8),
    _values("H34d-utf8-surrogate", b"name: \xed\xa0\x80\n", r"not valid UTF-8", 1, 7),
    _values("H34d-overlong-utf8", b"name: \xc0\xaf\n", r"not valid UTF-8", 1, 7),
    _values("H34e-raw-c0-control", b"name: a\x07b\n", r"control character|#x0007", 1, 8),
    _values("H34e-raw-c1-control", "name: a\x9bb\n".encode(), r"control character|#x009b", 1, 8),
    _values("H34g-two-byte-order-marks", b"\xef\xbb\xbf\xef\xbb\xbfname: x\n", r"byte-order mark", 1, 1),
    # H35: merge keys
    _values("H35a-two-merge-keys", "b: &b {x: 1}\nc:\n  <<: *b\n  <<: *b\n", r"more than one merge key", 4, 3),
    _values("H35b-merge-of-a-scalar", "c:\n  <<: 5\n", r"merge key '<<' takes a mapping", 2, 3),
    _values("H35b-merge-list-with-a-scalar", "b: &b {x: 1}\nc:\n  <<: [*b, 5]\n", r"merge key '<<' takes a mapping", 3),
    # H36: documents and shapes
    _values("H36a-two-documents", "a: 1\n---\nb: 2\n", r"one YAML document", 3),
    _values("H36d-top-level-list", "- a\n- b\n", r"must be a mapping, not a list", 1),
    _values("H36e-top-level-scalar", "hello\n", r"must be a mapping, not a string", 1),
    # H37: size, refused before parsing
    _values("H37-50-mb-values-file", "k: " + "x" * (50 * MIB) + "\n", r"above the limit|exceeds|too large|MiB|bytes"),
    _values("H37-10-mb-scalar", b'k: "' + b"y" * (10 * MIB) + b'"\n', r"above the limit|exceeds|too large|MiB|bytes"),
    _values("H37-just-above-5-mib", "k: " + "z" * (5 * MIB) + "\n", r"above the limit|exceeds|too large|MiB|bytes"),
    # H38: keys that are not strings
    # 9000: and true: are the keys "9000" and "true", as Helm takes them; these have another text
    _values("H38a-octal-key", "010: x\n", r"key '010' .*not a string", 1, 1),
    _values("H38a-hex-key", "0x1F: x\n", r"key '0x1F' .*not a string", 1, 1),
    _values("H38a-null-key", "null: x\n", r"key 'null' .*not a string", 1, 1),
    _values("H38a-float-key", "1.50: x\n", r"key '1.50' .*not a string", 1, 1),
    _values("H38b-sequence-key", "? [a, b]\n: x\n", r"keys must be strings", 1),
    _values("H38b-mapping-key", "? {a: 1}\n: x\n", r"keys must be strings", 1),
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Batch]:
    with batch_sandbox(tmp_path_factory.mktemp("yaml")) as sandbox:
        yield run_batch(sandbox, CASES)


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_hostile_values_file_is_refused_at_its_line(batch: Batch, case: Case) -> None:
    batch.check(case)


# -- H29: aliases -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        pytest.param(BOMB, r"aliases expand to more than", 7, id="H29a-alias-bomb"),
        pytest.param("x: &x 1\nl:\n" + "  - *x\n" * 10000, r"more than 1,?000 aliases", 1003, id="H29b-10000-aliases"),
        pytest.param("a: &n\n  b: 1\n  c: *n\n", r"recursive alias '\*n'", 3, id="H29c-node-contains-itself"),
        pytest.param("a: &n\n  <<: *n\n", r"recursive alias '\*n'", 2, id="H29c-map-merges-itself"),
    ],
)
def test_alias_abuse_is_refused_while_reading(sandbox: Sandbox, content: str, message: str, line: int) -> None:
    """Refused while reading, at the alias that passes a limit counted while reading (aliases,
    nodes they expand to, a node inside itself), before any merge or tojson could expand it."""
    sandbox.write({OVERLAY: content.encode()})
    result = sandbox.run(*RENDER)
    sandbox.refused(result, file=OVERLAY, line=line, message=message)


def test_many_aliases_beside_many_values_load_in_linear_work(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """H29b: 1,000 aliases (the limit) next to 100,000 plain values (a 200 KB file) are legitimate.
    Copying the locations under an alias must look at the anchored node's entries only: scanning
    every entry of the document for every alias made loading quadratic (10**8 steps here)."""
    content = "big: [" + ",".join(["1"] * 100_000) + "]\nx: &x 1\nl: [" + ",".join(["*x"] * 1000) + "]\n"
    scanned: list[int] = []
    original = yamlio._Builder.reroot

    def counting(self: Any, old: Any, new: Any, entries: tuple[int, int]) -> None:
        scanned.append(entries[1] - entries[0])
        original(self, old, new, entries)

    monkeypatch.setattr(yamlio._Builder, "reroot", counting)
    data = yamlio.load_mapping(content, "values.yaml").data
    assert len(data["big"]) == 100_000 and data["l"] == [1] * 1000
    assert len(scanned) == 1000 and sum(scanned) <= 1000, f"{sum(scanned):,} entries scanned for 1,000 aliases"
    # The same through the command line: the file loads and the values come out whole.
    sandbox.write({OVERLAY: content.encode()})
    result = sandbox.run(*VALUES)
    sandbox.accepted(result)
    shown = json.loads(result.stdout)
    assert len(shown["big"]) == 100_000 and shown["l"] == [1] * 1000


# -- the accepted cases ------------------------------------------------------------------------------------------

H32_SCHEMA = """
    {
      "type": "object",
      "properties": {
        "replicas": {"type": "integer"},
        "image": {"type": "object", "properties": {"tag": {"type": "string"}}},
        "version": {"type": "string"},
        "sci": {"type": "string"},
        "sha": {"type": "string"}
      }
    }
"""
H32_KEYS = ("country", "answer", "on", "octal", "sci", "sha", "time", "short", "version", "date", "big", "hex")


def test_yaml_1_1_lookalikes_keep_their_yaml_1_2_meaning_and_read_back_the_same(sandbox: Sandbox) -> None:
    """H32: values are YAML 1.2 (``NO`` and ``on`` are text, ``012`` is 12, dates and ``12:30`` stay
    text, big integers stay exact, the schema's strings keep their source text); the output is
    quoted so a YAML 1.1 reader (kubectl, Helm, PyYAML) reads exactly the same values."""
    sandbox.write(
        {
            "app/values.schema.json": H32_SCHEMA,
            # The keys are quoted: in template text, as kubectl reads it, a bare `on:` is the key "true".
            "app/templates/t.yaml.j2": configmap(*(f'  "{key}": {{{{ values["{key}"] }}}}' for key in H32_KEYS)),
            OVERLAY: """
                country: NO
                answer: yes
                on: key
                octal: 012
                sci: 1e3
                sha: 1234567e1
                time: 12:30:00
                short: 22:22
                version: 1.10
                date: 2001-12-14
                big: 12345678901234567890
                hex: 0x1F
            """,
        }
    )
    result = sandbox.run(*RENDER)
    sandbox.clean(result)
    assert result.code == 0, result.describe()
    data = next(doc for doc in result.documents() if doc["kind"] == "ConfigMap")["data"]
    assert data == {
        "country": "NO",
        "answer": "yes",
        "on": "key",
        "octal": 12,
        "sci": "1e3",
        "sha": "1234567e1",
        "time": "12:30:00",
        "short": "22:22",
        "version": "1.10",
        "date": "2001-12-14",
        "big": 12345678901234567890,
        "hex": 31,
    }


def test_spec_merge_keys_are_accepted_with_spec_precedence(sandbox: Sandbox) -> None:
    """H35c: explicit keys win, then the first map of the merge list (PyYAML gets this wrong)."""
    sandbox.write(
        {
            OVERLAY: """
                base: &base
                  replicas: 1
                  image: {tag: "0.1"}
                extra: &extra
                  replicas: 99
                  debug: true
                  image: {tag: "9.9"}
                dev:
                  <<: [*base, *extra]
                  image: {tag: "1.0"}
            """
        }
    )
    result = sandbox.run(*VALUES)
    sandbox.accepted(result)
    assert json.loads(result.stdout)["dev"] == {"replicas": 1, "debug": True, "image": {"tag": "1.0"}}


def test_core_tags_are_accepted(sandbox: Sandbox) -> None:
    """H33, the legitimate side: ``!!str 012`` is the text 012, ``!!float "1"`` the number 1.0,
    and a date used as a key stays a string key (H38)."""
    sandbox.write({OVERLAY: 'zip: !!str 012\nratio: !!float "1"\nflag: !!bool true\ndays:\n  2001-12-14: x\n'})
    result = sandbox.run(*VALUES)
    sandbox.accepted(result)
    data: dict[str, Any] = json.loads(result.stdout)
    assert (data["zip"], data["ratio"], data["flag"], data["days"]) == ("012", 1.0, True, {"2001-12-14": "x"})
    assert isinstance(data["ratio"], float)


def test_utf16_values_file_is_read_or_refused_clearly(sandbox: Sandbox) -> None:
    """H34c: YAML allows UTF-16 with a BOM; pytemplar may read it or refuse it, but clearly."""
    sandbox.write({OVERLAY: "replicas: 3\n".encode("utf-16")})
    result = sandbox.run(*VALUES)
    sandbox.clean(result)
    if result.code == 0:
        assert json.loads(result.stdout)["replicas"] == 3
    else:
        sandbox.refused(result, file=OVERLAY, message=r"UTF-8|UTF-16|encoding")


def test_invisible_and_bidi_characters_in_values_are_warned_about(sandbox: Sandbox) -> None:
    """H34f: text that reads ``admin`` but holds a right-to-left override or a zero-width space
    (Trojan Source) renders where Kubernetes accepts it (here a ConfigMap value), with a warning
    naming the value."""
    sandbox.write(
        {
            OVERLAY: 'suffix: "adm\\u202ein\\u200b"\n',
            "app/templates/t.yaml.j2": configmap("  user: {{ values.suffix }}"),
        }
    )
    result = sandbox.run(*RENDER)
    sandbox.clean(result)
    assert result.code == 0, result.describe()
    assert any(doc["data"]["user"] == "adm\u202ein\u200b" for doc in result.documents())
    assert "warning" in result.stderr and "suffix" in result.stderr, f"no warning\n{result.describe()}"


def test_invisible_and_bidi_characters_in_names_are_refused(sandbox: Sandbox) -> None:
    """H34f: in a name, such characters make an object Kubernetes refuses: caught before it."""
    sandbox.write(
        {
            OVERLAY: 'suffix: "adm\\u202ein\\u200b"\n',
            "app/templates/t.yaml.j2": configmap("  a: b", name="cm-{{ values.suffix }}"),
        }
    )
    result = sandbox.run("validate", "project")
    sandbox.clean(result)
    assert result.code == 1, result.describe()
    assert "is not a DNS-1123 subdomain [dns-name]" in result.stderr
    assert "\u202e" not in result.stderr and "\u200b" not in result.stderr  # printed escaped


@pytest.fixture(scope="module")
def empty_overlays(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Any]]:
    """One render of three releases whose overlays are empty, ``--- null`` and comments only."""
    with batch_sandbox(tmp_path_factory.mktemp("empty")) as sandbox:
        sandbox.write(
            {
                "project/pytemplar.yaml": """
                    environments:
                      dev: {}
                    releases:
                      empty: {app: ../app}
                      nulldoc: {app: ../app}
                      comments: {app: ../app}
                """,
                "project/releases/empty.yaml": b"",
                "project/releases/nulldoc.yaml": b"--- null\n",
                "project/releases/comments.yaml": b"# nothing here\n# at all\n",
            }
        )
        yield sandbox, sandbox.run(*RENDER)


@pytest.mark.parametrize(
    "release",
    [
        pytest.param("empty", id="H36b-empty-file"),
        pytest.param("nulldoc", id="H36c-null-document"),
        pytest.param("comments", id="H36f-comments-only"),
    ],
)
def test_empty_values_files_mean_no_values(empty_overlays: tuple[Sandbox, Any], release: str) -> None:
    sandbox, result = empty_overlays
    sandbox.accepted(result)
    deployments = {doc["metadata"]["name"]: doc for doc in result.documents()}
    assert deployments[release]["spec"]["replicas"] == 1
