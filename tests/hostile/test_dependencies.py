"""Dependencies of an app stay within reach of the app and the project (H16e).

An app's ``dependencies:`` name folders relative to the app. Without a bound, an app taken from
elsewhere could import the templates (and so the text) of any app-shaped folder on the runner.
The decision: a dependency (and each of its own dependencies) must resolve, symlinks included,
inside the folder that holds the release's app (its siblings, e.g. ``../common``) or inside the
project folder.
"""

from __future__ import annotations

import pytest

from .harness import RENDER, Sandbox

LIBRARY = {
    "app.yaml": "name: lib\nversion: 1.0.0\n",
    "templates/_helpers.j2": "{% macro label() %}from-lib{% endmacro %}\n",
}
USES_LIB = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
    '{% import "@lib/_helpers.j2" as lib %}\ndata:\n  from: {{ lib.label() }}\n'
)


def _app_depending_on(sandbox: Sandbox, where: str, written: str) -> None:
    files: dict[str, str] = {f"{where}/{name}": text for name, text in LIBRARY.items()}
    declared = f"dependencies:\n  - name: lib\n    app: {written}\n    version: ^1.0.0\n"
    files["app/app.yaml"] = "name: demo\nversion: 0.1.0\n" + declared
    files["app/templates/cm.yaml.j2"] = USES_LIB
    sandbox.write(files)


def test_dependency_outside_the_app_and_project_is_refused(sandbox: Sandbox) -> None:
    """``../../outside/lib`` climbs out of the folder holding the app: refused at its line."""
    sandbox.write({f"../../../outside/lib/{name}": text for name, text in LIBRARY.items()})
    _app_depending_on(sandbox, "app/unused", "../../../../outside/lib")
    result = sandbox.run(*RENDER)
    sandbox.refused(
        result,
        file="app/app.yaml",
        line=5,
        message=r"dependency '\.\./\.\./\.\./\.\./outside/lib' resolves to '.*/outside/lib', outside '.*/work'",
    )


def test_dependency_through_a_symlink_to_outside_is_refused(sandbox: Sandbox) -> None:
    """A sibling that is a link to a folder outside is judged by where it leads."""
    sandbox.write({f"../../../outside/lib/{name}": text for name, text in LIBRARY.items()})
    _app_depending_on(sandbox, "app/unused", "../lib")
    sandbox.symlink("lib", sandbox.outside / "lib")
    result = sandbox.run(*RENDER)
    sandbox.refused(result, file="app/app.yaml", line=5, message=r"dependency '\.\./lib' resolves to .*outside")


@pytest.mark.parametrize(
    ("where", "written"),
    [
        pytest.param("common/lib", "../common/lib", id="sibling-of-the-app"),
        pytest.param("project/libs/lib", "../project/libs/lib", id="inside-the-project"),
    ],
)
def test_dependency_next_to_the_app_or_in_the_project_is_used(sandbox: Sandbox, where: str, written: str) -> None:
    _app_depending_on(sandbox, where, written)
    result = sandbox.run(*RENDER)
    sandbox.accepted(result)
    data = [doc["data"] for doc in result.documents() if doc["kind"] == "ConfigMap"]
    assert data == [{"from": "from-lib"}]
