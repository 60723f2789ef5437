"""Compiled templates on disk: reused while valid, never trusted from a folder others can write,
written only after a command succeeded."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import jinja2
import pytest
from conftest import MINIMAL_APP
from hypothesis import given
from hypothesis import strategies as st

from pytemplar import templatecache
from pytemplar.project import App, Workspace
from pytemplar.templating.engine import TemplateEngine, template_context
from pytemplar.templating.parse import readable

TEMPLATE = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ values.name }}\n"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PYTEMPLAR_CACHE_DIR", str(folder))
    monkeypatch.delenv("PYTEMPLAR_NO_CACHE", raising=False)
    monkeypatch.setattr(templatecache, "_caches", {})
    yield folder / "templates"


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja2 compiles from source."""
    names: list[str] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *args: object) -> object:
        names.append(name or "")
        return original(self, source, name, *args)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def make_app(make_tree: Callable[..., Path], template: str = TEMPLATE) -> App:
    root = make_tree({"app/app.yaml": "name: demo\nversion: 0.1.0\n", "app/templates/cm.yaml.j2": template})
    return Workspace().app(root / "app")


def render(app: App, name: str = "one") -> str:
    context = template_context(
        {"name": name}, release="r", namespace="ns", environment="dev", app=app, kube_version=None
    )
    (rendered,) = TemplateEngine(app).render(context)
    return readable(rendered.text, rendered.slots)


def fresh_process() -> None:
    """What a new run sees: no cache objects in memory."""
    templatecache._caches.clear()


def test_a_second_run_uses_the_compiled_template(
    make_tree: Callable[..., Path], cache_dir: Path, compiles: list[str]
) -> None:
    app = make_app(make_tree)
    first = render(app)
    assert compiles == ["cm.yaml.j2"]
    assert not cache_dir.exists(), "nothing is written before the command succeeded"
    templatecache.save_compiled()
    assert len(list(cache_dir.iterdir())) == 1
    fresh_process()
    assert render(app, "one") == first
    assert render(app, "two").endswith("name: two\n")
    assert compiles == ["cm.yaml.j2"], "the second run compiled nothing"


def test_the_cache_folder_and_its_files_are_private(make_tree: Callable[..., Path], cache_dir: Path) -> None:
    render(make_app(make_tree))
    templatecache.save_compiled()
    assert cache_dir.stat().st_mode & 0o777 == 0o700
    assert all(entry.stat().st_mode & 0o777 == 0o600 for entry in cache_dir.iterdir())


def test_a_changed_template_is_compiled_again(
    make_tree: Callable[..., Path], cache_dir: Path, compiles: list[str]
) -> None:
    app = make_app(make_tree)
    render(app)
    templatecache.save_compiled()
    fresh_process()
    changed = Workspace().app(Path(app.root.path))
    changed.templates["cm.yaml.j2"] = TEMPLATE.replace("name: {{", "name: x-{{")
    assert render(changed).endswith("name: x-one\n")
    assert compiles == ["cm.yaml.j2", "cm.yaml.j2"]


def test_a_folder_others_can_write_to_is_not_used(
    make_tree: Callable[..., Path], cache_dir: Path, compiles: list[str]
) -> None:
    app = make_app(make_tree)
    render(app)
    templatecache.save_compiled()
    os.chmod(cache_dir, 0o777)
    fresh_process()
    assert templatecache.template_cache("app templates") is None
    render(app)
    assert compiles == ["cm.yaml.j2", "cm.yaml.j2"]


def test_a_linked_cache_folder_is_not_used(tmp_path: Path, cache_dir: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    cache_dir.parent.mkdir()
    cache_dir.symlink_to(elsewhere)
    assert templatecache.template_cache("app templates") is None


def test_damaged_or_linked_cache_files_are_compiled_over(
    make_tree: Callable[..., Path], cache_dir: Path, tmp_path: Path, compiles: list[str]
) -> None:
    app = make_app(make_tree)
    expected = render(app)
    templatecache.save_compiled()
    (entry,) = cache_dir.iterdir()
    entry.write_bytes(b"not a compiled template")
    fresh_process()
    assert render(app) == expected
    planted = tmp_path / "planted"
    planted.write_bytes(b"anything")
    entry.unlink()
    entry.symlink_to(planted)
    fresh_process()
    assert render(app) == expected
    assert compiles == ["cm.yaml.j2"] * 3


def test_a_cut_or_foreign_entry_is_compiled_over(
    make_tree: Callable[..., Path], cache_dir: Path, compiles: list[str]
) -> None:
    app = make_app(make_tree)
    expected = render(app)
    templatecache.save_compiled()
    (entry,) = cache_dir.iterdir()
    whole = entry.read_bytes()
    for damaged in (whole[: len(whole) // 2], whole[:-1], whole.replace(b"template 1\n", b"template 0\n", 1)):
        entry.write_bytes(damaged)
        fresh_process()
        assert render(app) == expected
    assert compiles == ["cm.yaml.j2"] * 4


@given(st.text(max_size=50), st.text(max_size=50), st.integers(0, 10_000))
def test_an_entry_gives_its_code_only_for_its_source(checksum: str, other: str, cut: int) -> None:
    code = compile(f"x = {checksum!r}", "<template>", "exec")
    entry = templatecache._entry(checksum, code)
    assert templatecache._code_in(entry, checksum) == code
    if other != checksum:
        assert templatecache._code_in(entry, other) is None
    if cut < len(entry):
        assert templatecache._code_in(entry[:cut], checksum) is None


def test_pytemplar_no_cache_turns_it_off(
    make_tree: Callable[..., Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEMPLAR_NO_CACHE", "1")
    render(make_app(make_tree))
    templatecache.save_compiled()
    assert not cache_dir.parent.exists()


def test_a_failing_render_writes_no_cache_and_a_passing_one_does(
    make_tree: Callable[..., Path], tmp_path: Path
) -> None:
    # The template compiles, then fails while rendering: the values have no 'missing'.
    failing = "kind: ConfigMap\nmetadata:\n  name: {{ values.missing }}\n"
    root = make_tree({"app/templates/cm.yaml.j2": failing}, base=MINIMAL_APP)
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTEMPLAR_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "pytemplar", "render", str(root / "project"), "-e", "dev"]
    failed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert failed.returncode == 1, failed.stderr
    assert "'values.missing' is undefined" in failed.stderr
    assert not cache.exists()
    (root / "app/templates/cm.yaml.j2").unlink()
    passed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert passed.returncode == 0, passed.stderr
    assert [entry.name for entry in (cache / "templates").iterdir()] != []


def test_the_code_stamp_changes_with_an_edit_and_not_without_one(tmp_path: Path) -> None:
    from pytemplar.cachefolder import code_stamp

    module = tmp_path / "engine.py"
    module.write_text("A = 1\n")
    os.utime(module, ns=(1_000_000_000, 1_000_000_000))
    first = code_stamp([module])
    assert code_stamp([module]) == first
    module.write_text("A = 2\n")  # same size: the time tells the edit
    os.utime(module, ns=(2_000_000_000, 2_000_000_000))
    assert code_stamp([module]) != first
    replaced = tmp_path / "new.py"
    replaced.write_text("A = 1\n")
    os.utime(replaced, ns=(1_000_000_000, 1_000_000_000))
    replaced.replace(module)  # another file put in its place with the old time: the inode tells
    assert code_stamp([module]) != first
    with pytest.raises(OSError):
        code_stamp([tmp_path / "missing.py"])
