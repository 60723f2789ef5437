"""Template names that would break the app on another system are refused, with the file to rename."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import EXAMPLES, run_pytemplar


def test_names_that_clash_by_case_or_are_reserved_on_windows_are_refused(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "microservice", tmp_path / "microservice")
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    templates = tmp_path / "microservice" / "templates"
    shutil.copy(templates / "service.yaml.j2", templates / "Service.yaml.j2")
    (templates / "aux.yaml.j2").write_text("\n", encoding="utf-8")

    result = run_pytemplar("render", tmp_path / "shop", "-e", "prod", "-r", "service-a")

    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == (
        f"{templates / 'aux.yaml.j2'}: error: [prod/service-a] template name 'aux.yaml.j2' is reserved on Windows\n"
        "  hint: rename it (con, prn, aux, nul, com1-9 and lpt1-9 cannot be file names there)\n"
        f"{templates / 'service.yaml.j2'}: error: [prod/service-a] template 'service.yaml.j2' and 'Service.yaml.j2'"
        " differ only in case or Unicode form\n"
        "  hint: they collide on case-insensitive file systems; rename one\n"
    )
