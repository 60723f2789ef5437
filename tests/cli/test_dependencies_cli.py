"""Dependencies between app templates: a library shared by two apps, vendored by `package`;
cycles, unmet versions and conflicts refused naming both sides."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, run_pytemplar, write_tree

LIBRARY = {
    "lib/app.yaml": "name: lib\nversion: 1.0.0\n",
    # A library's helpers import each other by the same @NAME/ prefix its users write.
    "lib/templates/_names.j2": "{% macro full(name) %}{{ name }}-svc{% endmacro %}\n",
    "lib/templates/_labels.j2": (
        '{% import "@lib/_names.j2" as names %}\n'
        '{% set all = {"app": app.name, "service": names.full(release.name)} %}\n'
    ),
}
USER = {
    "web/app.yaml": "name: web\nversion: 0.1.0\ndependencies:\n  - name: lib\n    app: ../lib\n    version: ^1.0.0\n",
    "web/templates/cm.yaml.j2": (
        '{% import "@lib/_labels.j2" as labels with context %}\n'
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ release.name }}\n  labels: {{ labels.all }}\n"
    ),
    "project/pytemplar.yaml": "environments:\n  dev: {}\nreleases:\n  one:\n    app: ../web\n",
}
LABELS = {"app": "web", "service": "one-svc"}


def _labels(stdout: str) -> dict[str, str]:
    labels: dict[str, str] = yaml.safe_load(stdout)["metadata"]["labels"]
    return labels


def test_the_library_is_shared_by_two_example_apps() -> None:
    for app in ("worker", "cronjob"):
        assert "  - name: common\n    app: ../common\n" in (EXAMPLES / app / "app.yaml").read_text()
    result = run_pytemplar("render", EXAMPLES / "batch", "-e", "prod")
    assert result.code == 0, result.stderr
    assert result.stdout.count("app.kubernetes.io/part-of: platform\n") == 4
    assert result.stdout.count("seccompProfile:\n") == 2


def test_helpers_of_a_dependency_are_imported_by_prefix(tmp_path: Path) -> None:
    write_tree(tmp_path, {**LIBRARY, **USER})
    result = run_pytemplar("render", "project", "-e", "dev", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert _labels(result.stdout) == LABELS


def test_package_vendors_dependencies_and_renders_from_them(tmp_path: Path) -> None:
    write_tree(tmp_path, {**LIBRARY, **USER})
    from_folder = run_pytemplar("render", "project", "-e", "dev", cwd=tmp_path).stdout
    assert run_pytemplar("package", "web", "-d", "dist", cwd=tmp_path).code == 0
    with tarfile.open(tmp_path / "dist" / "web-0.1.0.tgz") as tar:
        assert [name for name in tar.getnames() if "/dependencies/" in name] == [
            "web/dependencies/lib",
            "web/dependencies/lib/app.yaml",
            "web/dependencies/lib/templates",
            "web/dependencies/lib/templates/_labels.j2",
            "web/dependencies/lib/templates/_names.j2",
        ]
    shutil.rmtree(tmp_path / "lib")  # the archive no longer needs the library's folder
    (tmp_path / "project" / "pytemplar.yaml").write_text(
        "environments:\n  dev: {}\nreleases:\n  one:\n    app: ../dist/web-0.1.0.tgz\n"
    )
    result = run_pytemplar("render", "project", "-e", "dev", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stdout == from_folder
    assert _labels(result.stdout) == LABELS


def test_example_apps_render_the_same_from_their_archives(tmp_path: Path) -> None:
    for app in ("worker", "cronjob"):
        assert run_pytemplar("package", EXAMPLES / app, "-d", tmp_path / "dist").code == 0
    batch = Path(shutil.copytree(EXAMPLES / "batch", tmp_path / "batch"))
    config = batch / "pytemplar.yaml"
    text = config.read_text()
    for app in ("worker", "cronjob"):
        assert f"app: ../{app}\n" in text
        text = text.replace(f"app: ../{app}\n", f"app: ../dist/{app}-1.0.0.tgz\n")
    config.write_text(text)
    from_archives = run_pytemplar("render", batch, "-e", "prod")
    assert from_archives.code == 0, from_archives.stderr
    assert from_archives.stdout == run_pytemplar("render", EXAMPLES / "batch", "-e", "prod").stdout


def _app(name: str, version: str, *dependencies: tuple[str, str, str]) -> dict[str, str]:
    listed = "".join(
        f"  - name: {dep}\n    app: ../{folder}\n    version: '{constraint}'\n"
        for dep, folder, constraint in dependencies
    )
    return {
        f"{name}/app.yaml": f"name: {name.rstrip('0123456789')}\nversion: {version}\n"
        + (f"dependencies:\n{listed}" if listed else "")
    }


@pytest.mark.parametrize(
    ("files", "first", "hint"),
    [
        pytest.param(
            {**_app("a", "1.0.0", ("b", "b", "*")), **_app("b", "1.0.0", ("a", "a", "*"))},
            "b/app.yaml:4:11: error: dependency cycle: a -> b -> a",
            "  hint: declared: b at a/app.yaml:4:11; a at b/app.yaml:4:11; remove one of these dependencies",
            id="cycle",
        ),
        pytest.param(
            _app("a", "1.0.0", ("a", "a", "*")),
            "a/app.yaml:4:11: error: dependency cycle: a -> a",
            "  hint: declared: a at a/app.yaml:4:11; remove one of these dependencies",
            id="depends-on-itself",
        ),
        pytest.param(
            {**_app("a", "1.0.0", ("b", "b", "^2.0.0")), **_app("b", "1.4.0")},
            "a/app.yaml:6:14: error: dependency 'b' is version 1.4.0 (b/app.yaml), which does not satisfy '^2.0.0'",
            "  hint: change the constraint, or point `app:` at a version that satisfies it",
            id="version-not-satisfied",
        ),
        pytest.param(
            {
                **_app("a", "1.0.0", ("b", "b2", "^2.0.0"), ("c", "c", "*")),
                **_app("b2", "2.0.0"),
                **_app("b1", "1.0.0"),
                **_app("c", "1.0.0", ("b", "b1", "^1.0.0")),
            },
            "c/app.yaml:4:11: error: dependency 'b' is 1.0.0 (b1) for 'c' but 2.0.0 (b2) for 'a' (a/app.yaml:4:11)",
            "  hint: one render uses one version of each dependency; make both point at the same one",
            id="two-versions-of-one-dependency",
        ),
        pytest.param(
            {**_app("a", "1.0.0", ("b", "c", "*")), **_app("c", "1.0.0")},
            "a/app.yaml:4:11: error: dependency 'b' is the app 'c' (c)",
            "  hint: the name must be the dependency's own name, from its app.yaml",
            id="name-is-not-the-apps",
        ),
        pytest.param(
            {**_app("a", "1.0.0", ("b", "b", "newest")), **_app("b", "1.0.0")},
            "a/app.yaml:6:14: error: 'newest' is not a version constraint",
            "  hint: write comparators such as '>=1.2.0 <2.0.0', '^1.2.0', '~1.2.0' or '1.2.3'",
            id="not-a-constraint",
        ),
    ],
)
def test_bad_dependencies_are_refused_naming_both_sides(
    tmp_path: Path, files: dict[str, str], first: str, hint: str
) -> None:
    write_tree(tmp_path, files)
    result = run_pytemplar("docs", "a", cwd=tmp_path)
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[:2] == [first, hint]


def test_an_archive_must_carry_its_dependencies(tmp_path: Path) -> None:
    """An archive made by hand that declares a dependency it does not vendor is refused."""
    write_tree(tmp_path, USER)
    with tarfile.open(tmp_path / "web.tgz", "w:gz") as tar:
        tar.add(tmp_path / "web", arcname="web")
    (tmp_path / "project" / "pytemplar.yaml").write_text(
        "environments:\n  dev: {}\nreleases:\n  one:\n    app: ../web.tgz\n"
    )
    result = run_pytemplar("render", "project", "-e", "dev", cwd=tmp_path)
    assert result.code == 1
    assert result.stderr.splitlines()[:2] == [
        "web.tgz/web/app.yaml:4:11: error: [dev/one] dependency 'lib' is not in the archive"
        " (dependencies/lib/ is missing)",
        "  hint: package the app with `pytemplar package`, which puts its dependencies in the archive",
    ]
