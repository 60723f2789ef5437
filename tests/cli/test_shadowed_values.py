"""A value an `images:` override makes meaningless: `validate`, `set` and `rollout start` warn."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, run_pytemplar


def shop_with_override(tmp_path: Path, override: str) -> Path:
    """The shop, with an `images:` entry for the orders image in staging."""
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    project = tmp_path / "shop" / "pytemplar.yaml"
    text = project.read_text(encoding="utf-8")
    anchor = "    configMapGenerator:\n"
    assert text.count(anchor) == 1
    project.write_text(text.replace(anchor, f"    images:\n      - {override}\n{anchor}"), encoding="utf-8")
    (tmp_path / "shop/envs/staging/service-c.yaml").unlink()  # image.tag comes from releases/service-c.yaml
    return tmp_path / "shop"


def warning(shop: Path, file: str, position: str, tag: str, runs: str) -> str:
    return (
        f"{shop}/{file}:{position}: warning: [staging/service-c] image.tag is {tag}, but the images: override of"
        f" ghcr.io/acme-shop/orders ({shop}/pytemplar.yaml:35:9) replaces it: the pods run {runs},"
        " while labels and rollouts follow image.tag\n"
        f"  hint: remove newTag/digest from the override to run {tag}, or set image.tag to the version you mean\n"
    )


def test_validate_warns_when_an_override_replaces_the_tag_value(tmp_path: Path) -> None:
    shop = shop_with_override(tmp_path, "{name: ghcr.io/acme-shop/orders, newTag: 3.1.0-rc.1}")
    result = run_pytemplar("validate", shop, "-e", "staging")
    assert (result.code, result.stdout) == (0, "")
    assert result.stderr == (
        warning(shop, "releases/service-c.yaml", "4:8", "3.0.2", "ghcr.io/acme-shop/orders:3.1.0-rc.1")
        + "ok: 4 releases in 1 environment; 0 errors, 1 warning\n"
    )
    in_parallel = run_pytemplar("validate", shop, "-e", "staging", "--jobs", "2")
    assert (in_parallel.code, in_parallel.stderr) == (0, result.stderr)
    # render is not the place for it: its stderr stays for render problems
    assert run_pytemplar("render", shop, "-e", "staging", "-r", "service-c").stderr == ""


def test_a_digest_override_shadows_the_tag_too(tmp_path: Path) -> None:
    digest = "sha256:" + "a" * 64
    shop = shop_with_override(tmp_path, f"{{name: ghcr.io/acme-shop/orders, digest: '{digest}'}}")
    result = run_pytemplar("validate", shop, "-e", "staging")
    assert result.code == 0
    assert warning(shop, "releases/service-c.yaml", "4:8", "3.0.2", f"ghcr.io/acme-shop/orders@{digest}") in (
        result.stderr
    )


def test_set_and_rollout_start_warn_about_the_value_they_write(tmp_path: Path) -> None:
    shop = shop_with_override(tmp_path, "{name: ghcr.io/acme-shop/orders, newTag: 3.1.0-rc.1}")
    result = run_pytemplar("set", shop, "-e", "staging", "-r", "service-c", "image.tag=3.1.0")
    assert result.code == 0, result.stderr
    overlay = "envs/staging/service-c.yaml"
    assert result.stderr.startswith(warning(shop, overlay, "3:8", "3.1.0", "ghcr.io/acme-shop/orders:3.1.0-rc.1"))
    result = run_pytemplar("rollout", "start", shop, "-e", "staging", "-r", "service-c", "--tag", "3.1.1")
    assert result.code == 0, result.stderr
    assert warning(shop, overlay, "3:8", "3.1.1", "ghcr.io/acme-shop/orders:3.1.0-rc.1") in result.stderr


@pytest.mark.parametrize(
    "override",
    [
        "{name: ghcr.io/acme-shop/orders, newName: mirror.example/orders}",  # the tag still comes from image.tag
        "{name: ghcr.io/acme-shop/orders, newTag: 3.0.2}",  # the same version: nothing contradicts
        "{name: docker.io/library/busybox, newTag: '1.36'}",  # an image no release runs
    ],
)
def test_no_warning_when_the_override_keeps_the_tag(tmp_path: Path, override: str) -> None:
    shop = shop_with_override(tmp_path, override)
    result = run_pytemplar("validate", shop, "-e", "staging")
    assert result.code == 0
    assert "warning" not in result.stderr.replace("0 errors", "")
