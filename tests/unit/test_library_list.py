"""The library's names come from one list; the imports type checkers read must agree with it."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import derived
import pytest

import pytemplar
import pytemplar.api
from pytemplar.api import FUNCTIONS, MORE


def typing_block(module: object) -> tuple[Path, int, int]:
    """The file of ``module`` and the lines (0-based, end excluded) of its ``if TYPE_CHECKING:`` block."""
    path = Path(str(getattr(module, "__file__", "")))
    [block] = [
        node
        for node in ast.parse(path.read_text("utf-8")).body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    assert block.end_lineno is not None
    return path, block.lineno - 1, block.end_lineno


def imports_of(names: dict[str, str]) -> str:
    """The ``if TYPE_CHECKING:`` block re-exporting each name from its module, in ruff's order."""

    def order(item: tuple[str, str]) -> tuple[str, int, str]:
        name, module = item
        return module, 0 if name.isupper() else 1 if name[0].isupper() else 2, name

    lines = [f"    from {module} import {name} as {name}\n" for name, module in sorted(names.items(), key=order)]
    return "if TYPE_CHECKING:\n" + "".join(lines)


def test_the_api_exports_its_list_and_type_checkers_see_the_same(request: pytest.FixtureRequest) -> None:
    assert not set(FUNCTIONS) & set(MORE)
    everything = {**FUNCTIONS, **MORE}
    assert sorted(pytemplar.api.__all__) == sorted(everything)
    derived.keep(
        request,
        *typing_block(pytemplar.api),
        imports_of({name: f"pytemplar.api.{home}" for name, home in everything.items()}),
    )
    for name, home in everything.items():
        assert getattr(pytemplar.api, name) is getattr(importlib.import_module(f"pytemplar.api.{home}"), name)


def test_the_package_exports_the_library_functions(request: pytest.FixtureRequest) -> None:
    derived.keep(request, *typing_block(pytemplar), imports_of(dict.fromkeys(FUNCTIONS, "pytemplar.api")))
    assert set(FUNCTIONS) <= set(pytemplar.__all__)
    for name in FUNCTIONS:
        assert pytemplar.__getattr__(name) is getattr(pytemplar.api, name)
        assert callable(pytemplar.__getattr__(name))
    for name in pytemplar.__all__:
        assert hasattr(pytemplar, name), name


def test_a_name_missing_from_the_imports_is_found() -> None:
    # The block the test derives differs from the file as soon as a row is added to the table.
    path, start, end = typing_block(pytemplar)
    current = "".join(path.read_text("utf-8").splitlines(keepends=True)[start:end])
    assert imports_of({**dict.fromkeys(FUNCTIONS, "pytemplar.api"), "plan": "pytemplar.api"}) != current
    assert imports_of(dict.fromkeys(FUNCTIONS, "pytemplar.api")) == current


def test_no_module_of_the_package_hides_a_library_function() -> None:
    # Importing a submodule binds its name on the package: a module named like a function would
    # replace ``pytemplar.<function>`` for every caller once anything imported it.
    modules = {path.stem for path in Path(pytemplar.__file__).parent.iterdir() if path.suffix == ".py" or path.is_dir()}
    assert not modules & set(FUNCTIONS)
    for module in ("strategy", "rolloutplan", "templating"):
        importlib.import_module(f"pytemplar.{module}")
    assert all(callable(getattr(pytemplar, name)) for name in FUNCTIONS)


def test_what_the_commands_call_is_in_the_library_list() -> None:
    # A command that imports its function from an api module directly would let the list miss it.
    source = Path(pytemplar.__file__).parent / "cli"
    for path in source.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pytemplar.api."):
                for alias in node.names:
                    assert alias.name.isupper() or alias.name in {**FUNCTIONS, **MORE}, (path.name, alias.name)


def test_each_library_function_says_which_command_calls_it() -> None:
    source = (Path(pytemplar.api.__file__)).read_text("utf-8")
    table = source.split("FUNCTIONS: dict[str, str] = {", 1)[1].split("}", 1)[0]
    rows = re.findall(r'^    "(\w+)": "\w+",  # (pytemplar \w.*)$', table, re.MULTILINE)
    assert [name for name, _ in rows] == list(FUNCTIONS)
