"""Values marked ``writeOnly`` in the app's schema are never printed (H62).

A CI job passes secrets with ``--set`` from its variables, and its log is read by many. The value
must not appear in any message: not in the message text, not in the label naming the argument it
came from (``--set #1 password=<secret>``), not in ``values --origin``, not in the warning about a
number kept as text.
"""

from __future__ import annotations

from .harness import RENDER, Sandbox

SECRET = "TOPSECRET123"
SCHEMA = """
    {
      "type": "object",
      "properties": {
        "user": {"type": "string"},
        "password": {"type": "string", "writeOnly": true, "minLength": 20},
        "token": {"type": "string", "writeOnly": true},
        "auth": {"type": "object", "properties": {"key": {"type": "string", "writeOnly": true}}}
      }
    }
"""
SECRET_TEMPLATE = """
    apiVersion: v1
    kind: Secret
    metadata:
      name: s
    stringData:
      token: "{{ values.token | default('') }}"
"""


def _app(sandbox: Sandbox) -> None:
    sandbox.write({"app/values.schema.json": SCHEMA, "app/templates/secret.yaml.j2": SECRET_TEMPLATE})


def test_secret_in_a_failing_set_argument_is_masked_in_its_label(sandbox: Sandbox) -> None:
    _app(sandbox)
    result = sandbox.run(*RENDER, "--set", f"user=admin,password={SECRET}")
    sandbox.refused(
        result,
        file=None,
        message=r"^--set #1 user=admin,password=<secret>: error: \[dev/one\] values\.password: the secret value "
        r"does not satisfy the schema's 'minLength' rule$",
    )
    assert SECRET not in result.stderr


def test_secret_inside_a_set_json_object_is_masked_in_its_label(sandbox: Sandbox) -> None:
    _app(sandbox)
    result = sandbox.run(*RENDER, "--set-json", f'auth={{"key": "{SECRET}"}}', "--set", "password=short")
    sandbox.refused(result, file=None, message=r"^--set #2 password=<secret>: error: ")
    assert SECRET not in result.stderr
    assert "short" not in result.stderr


def test_values_origin_masks_the_argument_of_a_secret(sandbox: Sandbox) -> None:
    _app(sandbox)
    long_secret = SECRET * 2
    result = sandbox.run(
        "values", "project", "-e", "dev", "-r", "one", "--origin", "--set", f"password={long_secret},user=me"
    )
    sandbox.accepted(result)
    assert long_secret not in result.stdout + result.stderr
    assert 'password: "<secret>"  # --set #1 password=<secret>,user=me (set)' in result.stdout.splitlines()


def test_kept_text_warning_of_a_secret_shows_no_value(sandbox: Sandbox) -> None:
    """``token=0123`` is read as a number; the schema wants text, so the text is kept with a
    warning, which must not quote it."""
    _app(sandbox)
    result = sandbox.run(*RENDER, "--set", "token=0777123")
    sandbox.accepted(result)
    assert "0777123" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        "--set #1 token=<secret>: warning: [dev/one] values.token: the secret value is read by YAML as a number; "
        "using its text as written because the schema expects a string"
    )
    secrets = [doc for doc in result.documents() if doc["kind"] == "Secret"]
    assert secrets[0]["stringData"] == {"token": "0777123"}
