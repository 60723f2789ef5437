"""`pytemplar new app` and `pytemplar init`: what they write works as it is, and they never overwrite."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from conftest import run_pytemplar

APP_FILES = [
    ".pytemplarignore",
    "README.md",
    "app.yaml",
    "templates/_helpers.j2",
    "templates/deployment.yaml.j2",
    "templates/service.yaml.j2",
    "values.overlay.schema.json",
    "values.schema.json",
    "values.yaml",
]


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        for p in folder.rglob("*")
    }


def test_init_makes_a_project_that_validates_and_renders(tmp_path: Path) -> None:
    created = run_pytemplar("init", "shop", "--app", "api", cwd=tmp_path)
    assert created.code == 0, created.stderr
    assert created.stderr == "created the project shop in shop\n"
    project = tmp_path / "shop"
    assert _files(project) == sorted(
        [
            "pytemplar.yaml",
            "envs/dev.yaml",
            "envs/staging.yaml",
            "envs/prod.yaml",
            "envs/prod/api.yaml",
            "releases/api.yaml",
            ".pytemplar/schemas/app.schema.json",
            ".pytemplar/schemas/pytemplar.schema.json",
            ".pytemplar/schemas/rollout.schema.json",
            *(f"apps/api/{name}" for name in APP_FILES),
        ]
    )
    validated = run_pytemplar("validate", project)
    assert validated.code == 0, validated.stderr
    for environment in ("dev", "staging", "prod"):
        rendered = run_pytemplar("render", project, "-e", environment)
        assert rendered.code == 0, rendered.stderr
        assert f"namespace: shop-{environment}\n" in rendered.stdout
        assert [line for line in rendered.stdout.splitlines() if line.startswith("kind:")] == [
            "kind: Service",
            "kind: Deployment",
        ]


def test_new_app_is_usable_by_a_project_and_can_be_packaged(tmp_path: Path) -> None:
    created = run_pytemplar("new", "app", "billing", "-d", "apps", cwd=tmp_path)
    assert created.code == 0, created.stderr
    app = tmp_path / "apps" / "billing"
    assert _files(app) == APP_FILES
    assert "name: billing" in (app / "app.yaml").read_text().splitlines()
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytemplar.yaml").write_text(
        "environments:\n  dev: {}\nreleases:\n  billing:\n    app: ../apps/billing\n", encoding="utf-8"
    )
    assert run_pytemplar("validate", project).code == 0
    packaged = run_pytemplar("package", app, "-d", tmp_path / "dist")
    assert packaged.code == 0, packaged.stderr
    assert (tmp_path / "dist" / "billing-0.1.0.tgz").is_file()


def test_the_new_app_readme_is_its_values_reference(tmp_path: Path) -> None:
    assert run_pytemplar("new", "app", "web", cwd=tmp_path).code == 0
    docs = run_pytemplar("docs", tmp_path / "web")
    assert docs.code == 0, docs.stderr
    assert (tmp_path / "web" / "README.md").read_text() == docs.stdout
    assert "| `image.repository` | string |" in docs.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new", "app", "web"), "error: 'web' already exists; nothing was written"),
        (("init", ".", "--name", "shop"), "error: 'pytemplar.yaml' already exists; nothing was written"),
        (("init", "web", "--name", "shop"), "error: 'web/envs' already exists; nothing was written"),
    ],
)
def test_existing_files_are_never_overwritten(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "values.yaml").write_text("mine: true\n")
    (tmp_path / "web" / "envs").mkdir()
    (tmp_path / "pytemplar.yaml").write_text("mine: true\n")
    before = _fingerprint(tmp_path)
    result = run_pytemplar(*args, cwd=tmp_path)
    assert result.code == 2
    assert result.stderr.splitlines()[0] == message
    assert _fingerprint(tmp_path) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new", "app", "Web_App"), "error: app name 'Web_App' is not a valid name"),
        (("new", "app", "../escape"), "error: app name '../escape' is not a valid name"),
        (("init", "project", "--app", "a_b"), "error: app name 'a_b' is not a valid name"),
        (
            ("init", "project", "--app", "a/b"),
            "error: --app names the app template init creates in apps/; 'a/b' is a path",
        ),
        (("init", "project", "--name", "-x"), "error: project name '-x' is not a valid name"),
        (("init", "My Project"), "error: the folder name 'My Project' cannot be the project name"),
    ],
)
def test_bad_names_are_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run_pytemplar(*args, cwd=tmp_path)
    assert result.code == 2
    assert result.stderr.splitlines()[0] == message
    assert os.listdir(tmp_path) == []


def test_init_takes_a_name_for_a_folder_whose_name_cannot_be_one(tmp_path: Path) -> None:
    result = run_pytemplar("init", "My Project", "--name", "shop", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "project: shop\n" in (tmp_path / "My Project" / "pytemplar.yaml").read_text()
