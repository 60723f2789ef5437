"""Fuzzing the other loaders of hostile text: project and app files, archives, ``.pytemplarignore``
and the overlay editor. Any input gives a result or a :class:`PytemplarError`, never a crash."""

from __future__ import annotations

import contextlib
import io
import tarfile
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pytemplar.archive import read_archive_bytes
from pytemplar.errors import PytemplarError
from pytemplar.ignore import IgnoreRules
from pytemplar.overlay import set_value
from pytemplar.project import _check_against
from pytemplar.yamlio import load_mapping

from .test_fuzz import YAML_LISTS, YAML_TEXT

FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

_PROJECT_WORDS = st.sampled_from(
    ["environments:\n", "  dev: {}\n", "  prod:\n    namespace: x\n", "releases:\n", "  one:\n    app: ../app\n",
     "    environments: [dev]\n", "values:\n  a: 1\n", "valuesFiles: [a.yaml]\n", "name: demo\n", "version: 1.0.0\n",
     "dependencies:\n  - name: lib\n    app: ../lib\n    version: ^1.0.0\n", "kubeVersion: '1.35'\n", "- ", "~\n",
     "  ", "\n", "&a ", "*a", "<<: "]
)  # fmt: skip
DOCUMENTS = st.one_of(YAML_TEXT, YAML_LISTS, st.lists(_PROJECT_WORDS, max_size=12).map("".join))


@FUZZ
@given(text=DOCUMENTS, kind=st.sampled_from([("pytemplar.schema.json", "project"), ("app.schema.json", "app")]))
@example(text="environments: {dev: {}}\nreleases: {one: {app: ../app}}\n", kind=("pytemplar.schema.json", "project"))
@example(
    text="name: x\nversion: 1.0.0\ndependencies: [{name: a, app: /, version: '*'}]\n", kind=("app.schema.json", "app")
)
def test_project_and_app_files_give_a_document_or_a_pytemplar_error(text: str, kind: tuple[str, str]) -> None:
    with contextlib.suppress(PytemplarError):
        _check_against(load_mapping(text, "f.yaml", what=kind[1]), *kind)


def _tar(members: list[tuple[str, bytes, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, content, kind in members:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname, info.size = "../x", 0
            archive.addfile(info, io.BytesIO(content) if info.size else None)
    return buffer.getvalue()


_NAMES = st.sampled_from(
    ["demo/app.yaml", "demo/values.yaml", "demo/templates/t.yaml.j2", "demo/../x", "/abs", "demo/c:/x", "demo\\x",
     "demo/./a", "other/app.yaml", "demo//a", "demo", "", "demo/dependencies/lib/app.yaml"]
) | st.text(max_size=12)  # fmt: skip
_MEMBERS = st.lists(
    st.tuples(
        _NAMES,
        st.sampled_from([b"name: demo\nversion: 1.0.0\n", b"a: 1\n", b"", b"\xff\xfe", b"x: [" * 50]),
        st.sampled_from([tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.FIFOTYPE]),
    ),
    max_size=6,
)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), _MEMBERS.map(_tar)), cut=st.integers(min_value=0, max_value=400))
def test_archives_give_files_or_a_pytemplar_error(data: bytes, cut: int) -> None:
    for candidate in (data, data[: len(data) - cut] if cut < len(data) else data):
        with contextlib.suppress(PytemplarError):
            read_archive_bytes(candidate, "fuzz.tgz")


_IGNORE = st.sampled_from([*"*?/!#\\[] ab.", "**", "**/", "\n", "\t", "é", "\x00"])


@FUZZ
@given(
    text=st.one_of(st.text(max_size=80), st.lists(_IGNORE, max_size=40).map("".join)),
    path=st.one_of(
        st.text(max_size=40), st.lists(st.sampled_from(["a", "b", "/", ".", "é", "x" * 30]), max_size=12).map("".join)
    ),
)
@example(text="*a" * 23 + "*b", path="a" * 30)
def test_ignore_rules_give_a_verdict_or_a_pytemplar_error(text: str, path: str) -> None:
    with contextlib.suppress(PytemplarError):
        rules = IgnoreRules.parse(text)
        rules.ignored(path)
        rules.kept([path, f"{path}/x"])


_PATHS = st.lists(
    st.one_of(st.sampled_from(["image", "tag", "a", "b", "<<"]), st.integers(0, 3)), min_size=1, max_size=4
)
_VALUES: Any = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=10), st.lists(st.integers(), max_size=3)
)


@FUZZ
@given(
    text=st.one_of(YAML_TEXT, YAML_LISTS, st.lists(_PROJECT_WORDS, max_size=8).map("".join)), path=_PATHS, value=_VALUES
)
@example(text="--- null\n", path=["image", "tag"], value="1.0")
@example(text="? |", path=["image"], value=None)  # explicit keys: refused, not written wrong
@example(text="a: &x {b: 1}\nc: *x\n", path=["a", "b"], value=2)
def test_overlay_editor_gives_an_edit_or_a_pytemplar_error(text: str, path: list[str | int], value: Any) -> None:
    if not isinstance(path[0], str):
        path = ["a", *path]
    with contextlib.suppress(PytemplarError):
        set_value(text, tuple(path), value, "overlay.yaml")
