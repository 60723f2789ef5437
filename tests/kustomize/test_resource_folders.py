"""``resources`` entries naming folders: what is refused, with the message and the line to edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_pytemplar, write_tree

APP = {
    "app/app.yaml": "name: raw\nversion: 1.0.0\n",
    "app/templates/cm.yaml.j2": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1'}\n",
    "extra/s.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
}


def refusal(tmp_path: Path, entry: str, files: dict[str, str]) -> str:
    config = f"environments: {{dev: {{}}}}\nreleases:\n  r:\n    app: ./app\n    resources: ['{entry}']\n"
    folder = write_tree(tmp_path, {**APP, **files, "pytemplar.yaml": config})
    result = run_pytemplar("render", folder)
    assert result.code == 1, result.stdout
    assert result.stdout == ""
    return result.stderr


@pytest.mark.parametrize(
    ("entry", "files", "message"),
    [
        (
            "extra",
            {},
            "pytemplar.yaml:5:17: error: [dev/r] resources 'extra' is a folder without a kustomization.yaml\n"
            "  hint: name its files, or add a kustomization.yaml that lists them under resources\n",
        ),
        (
            "extra",
            {"extra/component.yaml": "resources: [s.yaml]\n"},
            "pytemplar.yaml:5:17: error: [dev/r] resources 'extra' is a folder without a kustomization.yaml\n"
            "  hint: list 'extra' under components\n",
        ),
        (
            "extra",
            {"extra/kustomization.yaml": "resources: [s.yaml, ../extra]\n"},
            "pytemplar.yaml:5:17: error: [dev/r] resources folder 'extra' includes itself (through extra)\n",
        ),
        (
            "https://github.com/acme/manifests//base?ref=v1",
            {},
            "pytemplar.yaml:5:17: error: [dev/r] resources 'https://github.com/acme/manifests//base?ref=v1' is a "
            "remote resource: pytemplar reads files inside the project only\n"
            "  hint: vendor it: copy its manifests into the project and name the files\n",
        ),
    ],
    ids=["no kustomization", "a component folder", "a folder including itself", "a remote resource"],
)
def test_a_resources_folder_that_cannot_be_read_is_refused_at_its_entry(
    tmp_path: Path, entry: str, files: dict[str, str], message: str
) -> None:
    assert refusal(tmp_path, entry, files).endswith(message)
