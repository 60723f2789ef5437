"""The output folder (H58) and file names derived from manifests (H59).

``--output-dir`` replaces the folder atomically: never through a symlink, never a source folder
(the project, an app, or a folder inside an app), never a folder pytemplar did not write; a failed
render leaves the previous output exactly as it was; stale files do not survive; and nothing in
a manifest decides where a file is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from .harness import RENDER, Sandbox, configmap

T = "app/templates/t.yaml.j2"


def _tree(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


def _escapes(base: Path) -> list[str]:
    """Escape files anywhere in the sandbox, or directly in /tmp (where absolute names point)."""
    return sorted(str(p) for p in [*base.rglob("pytemplar-escape-*"), *Path("/tmp").glob("pytemplar-escape-*")])


@pytest.mark.parametrize(
    ("prepare", "folder", "message"),
    [
        pytest.param(lambda s: s.symlink("out", s.outside), "out", r"symlink", id="H58a-output-folder-is-a-symlink"),
        pytest.param(lambda s: s.write({"out": "x"}, base=None), "out", r"not a folder", id="H58b-output-is-a-file"),
        pytest.param(lambda s: None, "app", r"app|project|source", id="H58-output-is-the-app-folder"),
        pytest.param(lambda s: None, "project", r"app|project|source", id="H58-output-is-the-project-folder"),
        pytest.param(lambda s: None, "app/rendered", r"app|inside|source", id="H58-output-inside-the-app-folder"),
        pytest.param(
            lambda s: s.write({"out/README.md": "mine\n"}, base=None),
            "out",
            r"not empty|not written by pytemplar",
            id="H58-output-folder-holds-foreign-files",
        ),
    ],
)
def test_unsafe_output_folder_is_refused_and_left_alone(
    sandbox: Sandbox, prepare: Callable[[Sandbox], object], folder: str, message: str
) -> None:
    sandbox.write({})
    prepare(sandbox)
    result = sandbox.run(*RENDER, "--output-dir", folder)
    sandbox.refused(result, file=folder, message=message)
    assert _tree(sandbox.outside) == ["canary-secret.txt", "evil.yaml.j2", "secret-values.yaml", "secret.json"]


def test_stale_files_do_not_survive_a_new_render(sandbox: Sandbox) -> None:
    """H58c: the folder is replaced, not merged: a template removed since the last run leaves no file."""
    sandbox.write({T: configmap("  a: b", name="extra")})
    first = sandbox.run(*RENDER, "--output-dir", "out", expect_changes=("out",))
    sandbox.accepted(first)
    assert "dev/one/t.yaml" in _tree(sandbox.work / "out")
    sandbox.remove(T)
    second = sandbox.run(*RENDER, "--output-dir", "out", expect_changes=("out",))
    sandbox.accepted(second)
    assert _tree(sandbox.work / "out") == [".pytemplar-output", "dev", "dev/one", "dev/one/deployment.yaml"]
    assert sorted(os.listdir(sandbox.work)) == ["app", "out", "project"], "a temporary folder was left behind"


def test_failed_render_leaves_the_previous_output_untouched(sandbox: Sandbox) -> None:
    """H58: the second render fails in its template; the folder keeps the first render, byte for
    byte, and no temporary folder is left beside it."""
    sandbox.write({})
    first = sandbox.run(*RENDER, "--output-dir", "out", expect_changes=("out",))
    sandbox.accepted(first)
    sandbox.write({T: configmap("  a: {{ values.nothing.here }}")}, base=None)
    result = sandbox.run(*RENDER, "--output-dir", "out")
    sandbox.refused(result, file=T, line=6, message=r"undefined")
    assert sorted(os.listdir(sandbox.work)) == ["app", "out", "project"]


@pytest.mark.parametrize(
    ("name", "namespace"),
    [
        pytest.param("../../../pytemplar-escape-H59a", "../../pytemplar-escape-H59b", id="H59-dotdot-in-name"),
        pytest.param("/tmp/pytemplar-escape-H59c", "/tmp/pytemplar-escape-H59d", id="H59-absolute-name"),
    ],
)
def test_manifest_content_never_decides_where_files_are_written(sandbox: Sandbox, name: str, namespace: str) -> None:
    """H59: kind, name and namespace with ``../`` or absolute paths do not steer the file names
    (they come from environment, release and template names only)."""
    before = _escapes(sandbox.base)
    sandbox.write(
        {
            T: f"apiVersion: v1\nkind: ../../Secret\nmetadata:\n  name: {name}\n  namespace: {namespace}\n",
            "project/pytemplar.yaml": """
                environments:
                  dev: {createNamespace: true}
                releases:
                  one:
                    app: ../app
            """,
        }
    )
    result = sandbox.run(*RENDER, "--output-dir", "out", expect_changes=("out",))
    sandbox.clean(result)
    assert _escapes(sandbox.base) == before, result.describe()
    if result.code == 0:
        assert sorted(p for p in _tree(sandbox.work / "out") if p.endswith(".yaml")) == [
            "dev/namespaces.yaml",
            "dev/one/deployment.yaml",
            "dev/one/t.yaml",
        ]
    else:
        sandbox.refused(result, file=T, message=r"name|namespace|kind")
