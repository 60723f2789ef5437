"""`pytemplar package` and rendering from archives, as a user runs them."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, MINIMAL_APP, run_pytemplar, write_tree

ARCHIVE = "microservice-1.0.0.tgz"


@pytest.fixture(autouse=True)
def _no_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def microservice(tmp_path: Path) -> Path:
    """A copy of the example app, so its files' times can be changed freely."""
    return Path(shutil.copytree(EXAMPLES / "microservice", tmp_path / "src" / "microservice"))


def _package(app: Path, destination: Path) -> tuple[bytes, str]:
    result = run_pytemplar("package", app, "-d", destination)
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    data = (destination / ARCHIVE).read_bytes()
    return data, (destination / f"{ARCHIVE}.sha256").read_text()


def test_packaging_twice_at_two_times_gives_identical_bytes(microservice: Path, tmp_path: Path) -> None:
    first, checksum = _package(microservice, tmp_path / "one")
    time.sleep(1.1)
    for path in microservice.rglob("*"):
        path.touch()
    second, _ = _package(microservice, tmp_path / "two")
    assert first == second
    assert checksum == f"{hashlib.sha256(first).hexdigest()}  {ARCHIVE}\n"
    assert sorted(os.listdir(tmp_path / "one")) == [ARCHIVE, f"{ARCHIVE}.sha256"], "no temporary file is left"


def test_package_says_what_it_wrote(microservice: Path, tmp_path: Path) -> None:
    result = run_pytemplar("package", microservice, "-d", "dist", cwd=tmp_path)
    digest = hashlib.sha256((tmp_path / "dist" / ARCHIVE).read_bytes()).hexdigest()
    assert result.stderr == f"wrote dist/{ARCHIVE} and dist/{ARCHIVE}.sha256\n  sha256 {digest}\n"


def _shop_on_archive(tmp_path: Path, reference: str) -> Path:
    """A copy of the shop whose releases name the packaged template with ``reference``."""
    shop = Path(shutil.copytree(EXAMPLES / "shop", tmp_path / "shop"))
    config = shop / "pytemplar.yaml"
    text = config.read_text()
    assert text.count("app: ../microservice\n") == 4
    config.write_text(text.replace("app: ../microservice\n", f"app: {reference}\n"))
    return shop


def _first_line_with(shop: Path, text: str) -> int:
    lines = (shop / "pytemplar.yaml").read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_the_shop_renders_the_same_from_the_pinned_archive(tmp_path: Path, environment: str) -> None:
    _, checksum = _package(EXAMPLES / "microservice", tmp_path / "dist")
    digest = checksum.split()[0]
    shop = _shop_on_archive(tmp_path, f"{{archive: ../dist/{ARCHIVE}, sha256: {digest}}}")
    from_archive = run_pytemplar("render", shop, "-e", environment)
    from_folder = run_pytemplar("render", EXAMPLES / "shop", "-e", environment)
    assert from_archive.code == 0, from_archive.stderr
    assert from_folder.code == 0, from_folder.stderr
    assert from_archive.stdout == from_folder.stdout


def test_an_archive_path_without_a_digest_is_accepted(tmp_path: Path) -> None:
    _package(EXAMPLES / "microservice", tmp_path / "dist")
    shop = _shop_on_archive(tmp_path, f"../dist/{ARCHIVE}")
    result = run_pytemplar("validate", shop, "-e", "dev")
    assert result.code == 0, result.stderr


def test_an_archive_with_another_digest_is_refused(tmp_path: Path) -> None:
    data, _ = _package(EXAMPLES / "microservice", tmp_path / "dist")
    actual = hashlib.sha256(data).hexdigest()
    expected = "ab" * 32
    shop = _shop_on_archive(tmp_path, f"{{archive: ../dist/{ARCHIVE}, sha256: {expected}}}")
    line = _first_line_with(shop, expected)
    result = run_pytemplar("render", "shop", "-e", "dev", cwd=tmp_path)
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"shop/pytemplar.yaml:{line}:{len(f'    app: {{archive: ../dist/{ARCHIVE}, sha256: ') + 1}: error: "
        f"[dev/service-a] app archive 'dist/{ARCHIVE}' has sha256 {actual}, but {expected} is expected"
    )


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (f"{{archive: ../dist/{ARCHIVE}}}", "5: error: project.releases['service-a'].app: 'sha256' is required"),
        (
            f"{{archive: ../dist/{ARCHIVE}, sha256: 0}}",
            "60: error: project.releases['service-a'].app.sha256: 0 is not of type string",
        ),
        (
            f"{{archive: ../dist/{ARCHIVE}, sha256: ABC}}",
            "60: error: project.releases['service-a'].app.sha256: \"ABC\" does not match the pattern ^[0-9a-f]{64}$",
        ),
        (
            f"{{archive: ../microservice, sha256: {'ab' * 32}}}",
            "20: error: project.releases['service-a'].app.archive: \"../microservice\" does not match the pattern",
        ),
    ],
)
def test_a_malformed_pin_is_refused_by_the_schema(tmp_path: Path, reference: str, message: str) -> None:
    shop = _shop_on_archive(tmp_path, reference)
    result = run_pytemplar("validate", "shop", cwd=tmp_path)
    assert result.code == 1
    assert result.stderr.startswith(f"shop/pytemplar.yaml:{_first_line_with(shop, reference)}:{message}")


def test_a_missing_archive_is_named(tmp_path: Path) -> None:
    _shop_on_archive(tmp_path, f"../dist/{ARCHIVE}")
    result = run_pytemplar("render", "shop", "-e", "dev", cwd=tmp_path)
    assert result.code == 1
    assert f"error: [dev/service-a] app archive '../dist/{ARCHIVE}' does not exist" in result.stderr.splitlines()[0]


def test_a_failing_package_writes_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, {**MINIMAL_APP, "app/templates/bad.yaml.j2": "kind: {{ values.missing }}\n"})
    result = run_pytemplar("package", "app", "-d", "dist", cwd=tmp_path)
    assert result.code == 1
    assert result.stderr.startswith("app/templates/bad.yaml.j2:1: error: 'values.missing' is undefined")
    assert not (tmp_path / "dist").exists()


def test_leaving_out_a_file_a_template_reads_is_caught_before_writing(microservice: Path, tmp_path: Path) -> None:
    (microservice / ".pytemplarignore").write_text("*.conf\n")
    result = run_pytemplar("package", microservice, "-d", tmp_path / "dist")
    assert result.code == 1
    assert "files.get('files/logging.conf')" in result.stderr
    assert "not found" in result.stderr
    assert not (tmp_path / "dist").exists()


def test_an_app_name_that_is_a_path_is_refused(tmp_path: Path) -> None:
    """H10: the name becomes a file name, so it must be one safe path component."""
    write_tree(tmp_path, {**MINIMAL_APP, "app/app.yaml": "name: ../../escape\nversion: 0.1.0\n"})
    result = run_pytemplar("package", "app", "-d", "dist", cwd=tmp_path)
    assert result.code == 1
    assert result.stderr.startswith("app/app.yaml:1:7: error:")
    assert sorted(os.listdir(tmp_path)) == ["app", "project"]


def test_a_destination_inside_the_app_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, MINIMAL_APP)
    result = run_pytemplar("package", "app", "-d", "app/dist", cwd=tmp_path)
    assert result.code == 2
    assert "error: the package folder 'app/dist' is inside the app template" in result.stderr
    assert not (tmp_path / "app" / "dist").exists()


def test_docs_read_an_archive(tmp_path: Path) -> None:
    _package(EXAMPLES / "microservice", tmp_path / "dist")
    from_archive = run_pytemplar("docs", tmp_path / "dist" / ARCHIVE)
    assert from_archive.code == 0, from_archive.stderr
    assert from_archive.stdout == run_pytemplar("docs", EXAMPLES / "microservice").stdout
