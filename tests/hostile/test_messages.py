"""Messages that quote hostile text (H60): terminal escapes, OSC-8 links, carriage returns and
CI workflow commands must come out inert, in every output format."""

from __future__ import annotations

import json

import pytest

from .harness import RENDER, Sandbox, configmap

OVERLAY = "project/envs/dev.yaml"
# Clear the screen, an OSC-8 hyperlink, a carriage return (overwrites the line) and a C1 CSI.
EVIL = "\x1b[2J\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\\rfake ok\x9b31m"
EVIL_YAML = json.dumps(EVIL)  # a YAML double-quoted scalar
RAW = ("\x1b", "\r", "\x9b", "\x07")


def _inert(text: str) -> bool:
    return not any(char in text for char in RAW)


SCHEMA_CLOSED = """
    {
      "type": "object",
      "additionalProperties": false,
      "properties": {"replicas": {"type": "integer"}, "image": {"type": "object"}}
    }
"""


@pytest.mark.parametrize(
    ("files", "arguments", "file"),
    [
        pytest.param({OVERLAY: f"replicas: {EVIL_YAML}\n"}, (), OVERLAY, id="H60-escapes-in-a-value"),
        pytest.param(
            {OVERLAY: f"{EVIL_YAML}: 1\n", "app/values.schema.json": SCHEMA_CLOSED},
            (),
            OVERLAY,
            id="H60-escapes-in-a-key",
        ),
        # The location of a --set value is the argument itself: "--set #1 replicas=...: error: ...".
        pytest.param({}, ("--set", f"replicas={EVIL}"), None, id="H60-escapes-in-a-set-argument"),
        pytest.param(
            {"app/templates/t.yaml.j2": configmap("  x: {{ fail(values.message) }}")},
            ("--set-string", f"message={EVIL}"),
            "app/templates/t.yaml.j2",
            id="H60-escapes-in-a-fail-message",
        ),
    ],
)
def test_control_characters_in_messages_are_escaped(
    sandbox: Sandbox, files: dict[str, str], arguments: tuple[str, ...], file: str | None
) -> None:
    sandbox.write(files)
    result = sandbox.run(*RENDER, *arguments)
    sandbox.refused(result, file=file, message=r"\\(x1b|u001b)")


def test_unknown_environment_name_is_escaped(sandbox: Sandbox) -> None:
    """H60: an environment name from a CI variable is quoted inert in the usage error."""
    sandbox.write({})
    result = sandbox.run("render", "project", "-e", f"dev{EVIL}")
    sandbox.refused(result, file=None, code=2, message=r"unknown environment .*\\x1b")


def test_output_folder_name_is_escaped_in_the_summary(sandbox: Sandbox) -> None:
    """H60: the success line quotes the folder name; it must not drive the terminal either."""
    sandbox.write({})
    folder = "out\x1b[2J\rdone"
    result = sandbox.run(*RENDER, "--output-dir", folder, expect_changes=(folder,))
    sandbox.clean(result)
    assert result.code == 0, result.describe()
    assert _inert(result.stderr), repr(result.stderr)


def test_github_annotations_cannot_be_forged(sandbox: Sandbox) -> None:
    """H60: a value holding a line break and ``::error``/``::add-mask`` cannot start a workflow
    command of its own; control characters stay escaped."""
    forged = "x\n::error file=evil.yaml::pwned\r\n::add-mask::y" + EVIL
    sandbox.write({OVERLAY: f"replicas: {json.dumps(forged)}\n"})
    result = sandbox.run("validate", "project", "-e", "dev", "--format", "github")
    sandbox.clean(result)
    assert result.code == 1, result.describe()
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::error file=project/envs/dev.yaml,") for line in lines), result.stdout
    assert _inert(result.stdout), repr(result.stdout)


def test_json_report_is_valid_and_inert(sandbox: Sandbox) -> None:
    """H60: the JSON report carries the value escaped (valid JSON, no raw control characters)."""
    sandbox.write({OVERLAY: f"replicas: {EVIL_YAML}\n"})
    result = sandbox.run("validate", "project", "-e", "dev", "--format", "json")
    sandbox.clean(result)
    assert result.code == 1, result.describe()
    assert _inert(result.stdout), repr(result.stdout)
    report = json.loads(result.stdout)
    assert not report["ok"] and report["problems"][0]["file"] == OVERLAY


def test_values_output_is_inert(sandbox: Sandbox) -> None:
    """H60: ``values`` prints hostile strings quoted, in YAML and with --origin."""
    sandbox.write({OVERLAY: f"note: {EVIL_YAML}\n"})
    for extra in ((), ("--origin",)):
        result = sandbox.run("values", "project", "-e", "dev", "-r", "one", *extra)
        sandbox.accepted(result)
        assert _inert(result.stdout) and _inert(result.stderr), repr(result.stdout)
