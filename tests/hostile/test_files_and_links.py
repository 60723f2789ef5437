"""App folders as hostile data: symlinks, special files, include paths and file helpers (H16-H20).

An app may only read files inside its own folder, and a project only inside its own: symlinks are
resolved before the check, only regular files are read, and a file that cannot be read is an error
naming it, never silently treated as absent (a dropped schema or overlay changes the manifests).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from .harness import RENDER, Batch, Case, Sandbox, Setup, batch_sandbox, configmap, run_batch

T = "app/templates/t.yaml.j2"


def _fifo(sandbox: Sandbox, path: str) -> None:
    real = sandbox.work / path
    real.parent.mkdir(parents=True, exist_ok=True)
    if real.exists() or real.is_symlink():
        real.unlink()
    os.mkfifo(real)


def _link(link: str, target: str) -> Setup:
    """Plant ``link -> target``; ``{OUTSIDE}`` in the target is the outside folder."""

    def setup(sandbox: Sandbox, where: Callable[[str], str]) -> None:
        sandbox.symlink(where(link), sandbox.fill(target))

    return setup


def _make_fifo(path: str) -> Setup:
    return lambda sandbox, where: _fifo(sandbox, where(path))


def _cycle(sandbox: Sandbox, where: Callable[[str], str]) -> None:
    sandbox.symlink(where("app/templates/a.yaml.j2"), "b.yaml.j2")
    sandbox.symlink(where("app/templates/b.yaml.j2"), "a.yaml.j2")


LINK_OR_SPECIAL = r"outside|symlink|link|device|pipe|not a (regular )?file"

# The batch of cases that are refused while the app is read (H16, H17, H19, H20): one release each.
CASES = [
    Case(
        "H16a-template-symlink-to-etc-hostname",
        {},
        "app/templates/leak.yaml.j2",
        LINK_OR_SPECIAL,
        setup=_link("app/templates/leak.yaml.j2", "/etc/hostname"),
    ),
    Case(
        "H16b-template-symlink-to-outside-canary",
        {},
        "app/templates/leak.yaml.j2",
        LINK_OR_SPECIAL,
        setup=_link("app/templates/leak.yaml.j2", "{OUTSIDE}/evil.yaml.j2"),
    ),
    Case(
        "H16c-templates-subfolder-symlink-to-etc",
        {},
        "app/templates/etc",
        LINK_OR_SPECIAL,
        setup=_link("app/templates/etc", "/etc"),
    ),
    Case(
        "H16c-files-get-through-a-symlinked-folder",
        {T: configmap('  host: {{ files.get("files/etc/hostname") }}')},
        T,
        r"outside",
        line=6,
        setup=_link("app/files/etc", "/etc"),
    ),
    Case(
        "H16b-defaults-values-symlink-to-outside",
        {},
        "app/values.yaml",
        LINK_OR_SPECIAL,
        setup=_link("app/values.yaml", "{OUTSIDE}/secret-values.yaml"),
    ),
    Case(
        "H16b-schema-symlink-to-outside",
        {},
        "app/values.schema.json",
        LINK_OR_SPECIAL,
        setup=_link("app/values.schema.json", "{OUTSIDE}/secret.json"),
    ),
    Case(
        "H16b-app-yaml-symlink-to-outside",
        {},
        "app/app.yaml",
        LINK_OR_SPECIAL,
        setup=_link("app/app.yaml", "{OUTSIDE}/secret-values.yaml"),
    ),
    Case(
        "H16b-release-overlay-symlink-to-outside",
        {},
        "values",
        LINK_OR_SPECIAL,
        setup=_link("values", "{OUTSIDE}/secret-values.yaml"),
    ),
    Case(
        "H17a-defaults-values-symlink-to-dev-zero",
        {},
        "app/values.yaml",
        LINK_OR_SPECIAL,
        setup=_link("app/values.yaml", "/dev/zero"),
    ),
    Case(
        "H17b-template-symlink-to-dev-urandom",
        {},
        "app/templates/random.yaml.j2",
        LINK_OR_SPECIAL,
        setup=_link("app/templates/random.yaml.j2", "/dev/urandom"),
    ),
    Case(
        "H17c-template-is-a-fifo",
        {},
        "app/templates/fifo.yaml.j2",
        LINK_OR_SPECIAL,
        setup=_make_fifo("app/templates/fifo.yaml.j2"),
    ),
    Case(
        "H17c-defaults-values-is-a-fifo",
        {},
        "app/values.yaml",
        LINK_OR_SPECIAL,
        setup=_make_fifo("app/values.yaml"),
    ),
    Case(
        "H17c-release-overlay-is-a-fifo",
        {},
        "values",
        LINK_OR_SPECIAL,
        setup=_make_fifo("values"),
    ),
    Case(
        "H17d-schema-symlink-to-dev-zero",
        {},
        "app/values.schema.json",
        LINK_OR_SPECIAL,
        setup=_link("app/values.schema.json", "/dev/zero"),
    ),
    Case(
        "H17d-schema-is-a-fifo",
        {},
        "app/values.schema.json",
        LINK_OR_SPECIAL,
        setup=_make_fifo("app/values.schema.json"),
    ),
    Case(
        "H18b-symlink-cycle-between-two-templates",
        {},
        ("app/templates/a.yaml.j2", "app/templates/b.yaml.j2"),
        r"loop|resolve|link",
        setup=_cycle,
    ),
    Case(
        "H18-dangling-template-link",
        {},
        "app/templates/gone.yaml.j2",
        r"not found|missing|dangling|link",
        setup=_link("app/templates/gone.yaml.j2", "missing.yaml.j2"),
    ),
    *(
        Case(case_id, {T: f"# line 1\n{statement}\n"}, T, r"not found|outside|not allowed", line=2)
        for case_id, statement in [
            ("H19a-include-dotdot", '{% include "../../../../../etc/hostname" %}'),
            ("H19a-include-app-file-outside-templates", '{% include "../values.yaml" %}'),
            ("H19b-include-absolute", '{% include "/etc/hostname" %}'),
            ("H19c-include-backslash", '{% include "..\\\\..\\\\..\\\\etc\\\\hostname" %}'),
            ("H19d-import-dotdot", '{% import "../../../../outside/evil.yaml.j2" as evil %}'),
            ("H19d-extends-dotdot", '{% extends "../../../../outside/evil.yaml.j2" %}'),
            ("H19e-include-value-computed", '{% include values.image.tag ~ "/../../../../outside/evil.yaml.j2" %}'),
        ]
    ),
    *(
        Case(case_id, {T: configmap(f'  leak: {{{{ files.get("{name}") }}}}')}, T, r"outside", line=6)
        for case_id, name in [
            ("H20-files-get-dotdot-canary", "../../../../outside/canary-secret.txt"),
            ("H20-files-get-absolute", "/etc/passwd"),
            ("H20-files-get-glob", "../**"),
            ("H20-files-get-proc-environ", "/proc/self/environ"),
        ]
    ),
    Case(
        "H20-files-exists-outside-is-an-error-not-an-oracle",
        # Answering true/false for host paths lets a template probe the runner (a kubeconfig? an SSH
        # key?) and leak the answer into the manifests.
        {T: configmap('  probe: {{ files.exists("../../../../home/.kube/config") }}')},
        T,
        r"outside",
        line=6,
    ),
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Batch]:
    with batch_sandbox(tmp_path_factory.mktemp("links")) as sandbox:
        yield run_batch(sandbox, CASES)


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_app_input_that_leaves_the_app_or_is_not_a_file_is_refused_by_name(batch: Batch, case: Case) -> None:
    """Each case is refused naming the culprit file, never silently skipped: an ignored schema,
    values file or overlay silently changes what is validated and rendered."""
    batch.check(case)


def test_values_file_listed_outside_the_project_is_refused_at_the_listing(sandbox: Sandbox) -> None:
    """H16b: ``valuesFiles`` of pytemplar.yaml may not climb out of the project folder."""
    sandbox.write(
        {
            "project/pytemplar.yaml": """
                environments:
                  dev:
                    valuesFiles:
                      - ../../../../outside/secret-values.yaml
                releases:
                  one:
                    app: ../app
            """,
        }
    )
    result = sandbox.run(*RENDER)
    sandbox.refused(result, file="project/pytemplar.yaml", line=4, message=r"outside")


def test_set_file_of_a_device_is_refused_without_reading_it(sandbox: Sandbox) -> None:
    """H17: ``--set-file`` goes through the same reader: /dev/zero is not a file."""
    sandbox.write({})
    result = sandbox.run(*RENDER, "--set-file", "payload=/dev/zero")
    sandbox.refused(result, file=None, code=2, message=r"--set-file.*(device|not a file)")


def test_symlink_that_stays_inside_the_app_is_followed(sandbox: Sandbox) -> None:
    """H16d: a link to a file inside the app is legitimate (the decision: follow it)."""
    sandbox.write({"app/shared/cm.yaml.j2": configmap("  from: shared", name="shared")})
    sandbox.symlink("app/templates/alias.yaml.j2", "../shared/cm.yaml.j2")
    result = sandbox.run(*RENDER)
    sandbox.accepted(result)
    kinds = sorted((doc["kind"], doc["metadata"]["name"]) for doc in result.documents())
    assert kinds == [("ConfigMap", "shared"), ("Deployment", "one")]


def test_link_inside_the_app_is_followed_by_package_too(sandbox: Sandbox) -> None:
    """H16d, one decision for every command: ``package`` follows a link that stays inside the app,
    as ``render`` does, and the archive holds a copy (never a link); rendering the archive gives
    the same manifests as rendering the folder."""
    sandbox.write({"app/shared/cm.yaml.j2": configmap("  from: shared", name="shared")})
    sandbox.symlink("app/templates/alias.yaml.j2", "../shared/cm.yaml.j2")
    from_folder = sandbox.run(*RENDER)
    sandbox.accepted(from_folder)
    packaged = sandbox.run("package", "app", "-d", "dist", expect_changes=("dist",))
    sandbox.accepted(packaged)
    (sandbox.work / "project" / "pytemplar.yaml").write_text(
        "environments:\n  dev: {}\nreleases:\n  one:\n    app: ../dist/demo-0.1.0.tgz\n"
    )
    from_archive = sandbox.run(*RENDER, expect_changes=("project",))
    sandbox.accepted(from_archive)
    assert from_archive.documents() == from_folder.documents()


# -- H18: folder link loops while discovering templates -----------------------------------------


@pytest.mark.parametrize(
    ("link", "target"),
    [
        pytest.param("app/templates/loop", ".", id="H18a-templates-link-to-itself"),
        pytest.param("app/templates/up", "..", id="H18c-templates-link-to-the-app-folder"),
    ],
)
def test_folder_link_loop_is_not_followed_into_duplicates(sandbox: Sandbox, link: str, target: str) -> None:
    """Either the linked folder is skipped (each template renders once) or it is refused by name."""
    sandbox.write({})
    sandbox.symlink(link, target)
    result = sandbox.run(*RENDER)
    sandbox.clean(result)
    if result.code == 0:
        assert [doc["kind"] for doc in result.documents()] == ["Deployment"], result.describe()
    else:
        sandbox.refused(result, file=link, message=r"link|loop|outside")


def test_files_get_inside_the_app_works(sandbox: Sandbox) -> None:
    """H20, the legitimate case: a file of the app is read."""
    sandbox.write({"app/files/app.conf": "level=info\n", T: configmap('  conf: {{ files.get("files/app.conf") }}')})
    result = sandbox.run(*RENDER)
    sandbox.accepted(result)
    config = next(doc for doc in result.documents() if doc["kind"] == "ConfigMap")
    assert config["data"] == {"conf": "level=info\n"}
