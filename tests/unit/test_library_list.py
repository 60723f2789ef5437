"""The library's names come from one list; the imports type checkers read must agree with it."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytemplar
import pytemplar.api
from pytemplar.api import FUNCTIONS, MORE


def typing_imports(module: object) -> dict[str, str]:
    """name -> module of the ``if TYPE_CHECKING:`` imports of ``module``'s source."""
    tree = ast.parse(Path(str(getattr(module, "__file__", ""))).read_text("utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                for alias in statement.names:
                    assert alias.asname == alias.name, f"{alias.name} must be re-exported as itself"
                    found[alias.name] = statement.module
    return found


def test_the_api_exports_its_list_and_type_checkers_see_the_same() -> None:
    assert not set(FUNCTIONS) & set(MORE)
    everything = {**FUNCTIONS, **MORE}
    assert sorted(pytemplar.api.__all__) == sorted(everything)
    assert typing_imports(pytemplar.api) == {name: f"pytemplar.api.{home}" for name, home in everything.items()}
    for name, home in everything.items():
        assert getattr(pytemplar.api, name) is getattr(importlib.import_module(f"pytemplar.api.{home}"), name)


def test_the_package_exports_the_library_functions() -> None:
    assert typing_imports(pytemplar) == dict.fromkeys(FUNCTIONS, "pytemplar.api")
    assert set(FUNCTIONS) <= set(pytemplar.__all__)
    for name in FUNCTIONS:
        assert pytemplar.__getattr__(name) is getattr(pytemplar.api, name)
        assert callable(pytemplar.__getattr__(name))
    for name in pytemplar.__all__:
        assert hasattr(pytemplar, name), name


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


def test_the_api_docstring_names_every_library_function() -> None:
    named = set(re.findall(r":func:`(\w+)`", pytemplar.api.__doc__ or ""))
    assert named == set(FUNCTIONS)
