"""What a plain render loads: start-up time is mostly imports, so the render path is kept lean.

Each module below costs milliseconds to import and is needed only to explain a problem or by
another command; a change that pulls one back into every render fails here, without timing.
Each process names on stderr every module it looks for (render workers too, which inherit the
finder that does it): ``-X importtime`` would miss the modules loaded by
``importlib.import_module``, as checks and transforms are, and a render ends with ``os._exit``,
so ``sys.modules`` cannot be read when it ends. A module looked for and not found counts too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, TEMPLATE_CACHE

# Not imported by a render whose values are valid: name -> why it is left out.
LEFT_OUT = {
    "typer": "a plain command line is read without it (pytemplar.cli._quick)",
    "jsonschema": "the fast schema test answers valid values; jsonschema only explains failures",
    "referencing": "comes with jsonschema",
    "difflib": "suggests names for a problem's hint",
    "traceback": "locates a failing template's line, or prints --debug's traceback",
    "importlib.resources": "reads Kubernetes' merge keys, which only patches need",
    "secrets": "names a temporary file (os.urandom does), and would load hmac",
    "hmac": "comes with secrets",
    "unicodedata": "normalizes template names that are not ASCII",
    "pytemplar.archive": "reads packaged apps; a render of folders only asks whether a path names one",
    "pytemplar.atomicfile": "writes output folders and cache entries, not a render to stdout from a warm cache",
    "pytemplar.parallel": "forks render workers, for a run of at least 16 releases",
    "mmap": "the page render workers note their activity on, made when the first is forked",
    "signal": "its enums: the time limit's timer needs only the C module _signal",
    "pytemplar.progress": "shows a progress line on a terminal; a render into a pipe or a log has none",
    "pytemplar.dependencies": "resolves the dependencies an app.yaml declares; the example apps declare none",
    "pytemplar.helm.standalone": "renders an app alone (render APP), not a project",
    "pytemplar.hints": "explains problems; the command line's Helm habits are in pytemplar.cli._habits",
    "pytemplar.patterns": "matches schema patterns (RE2); a render whose values are remembered valid matches none",
    "pytemplar.templating.codegen": "compiles templates; a render whose templates are all in the cache compiles none",
    "pytemplar.schemacompile": "compiles a schema not met before; a render's schemas are remembered from the last run",
    "pytemplar.schemaerrors": "says what is wrong with values that fail their schema",
    "pytemplar.helm.hooks": "checks Helm hook annotations; checks.has_helm_hook finds no object that has one",
    "pytemplar.outputdir": "writes --output-dir; a render to stdout needs only the streams of pytemplar.output",
    "dataclasses": "records collect their fields themselves (pytemplar.records); dataclasses' functions load it",
}


# Runs `python -m pytemplar ARGS` with a finder, first on sys.meta_path, that names each module
# it is asked for (a module is looked for once, when first imported) and lets the others find it.
NAMING_IMPORTS = """
import os, runpy, sys

class NamingFinder:
    def find_spec(self, name, path=None, target=None):
        os.write(2, ("imported: " + name + "\\n").encode())
        return None

sys.meta_path.insert(0, NamingFinder())
runpy.run_module("pytemplar", run_name="__main__", alter_sys=True)
"""


def imported_modules(*args: str, cache: Path = TEMPLATE_CACHE) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEMPLAR")}
    env["PYTEMPLAR_CACHE_DIR"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-c", NAMING_IMPORTS, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(re.findall(r"^imported: (\S+)$", done.stderr, re.MULTILINE))


@pytest.mark.parametrize(
    "args",
    [
        ("render", str(EXAMPLES / "shop"), "-e", "prod"),
        ("render", str(EXAMPLES / "shop"), "--all-envs", "-j", "1"),
    ],
)
def test_a_plain_render_leaves_out_what_it_does_not_use(args: tuple[str, ...]) -> None:
    imported_modules(*args)  # a first run may fill the caches; the second is the one ArgoCD repeats
    modules = imported_modules(*args)
    assert {"jinja2", "pytemplar.templating.engine"} <= modules  # the list is read right
    loaded = {name for name in LEFT_OUT if name in modules or any(m.startswith(name + ".") for m in modules)}
    assert loaded == set(), {name: LEFT_OUT[name] for name in loaded}


def test_a_release_without_transforms_or_bindings_leaves_out_the_transforms() -> None:
    # references.py follows renames and completes RoleBinding subjects; an app rendered alone has
    # no transforms, and the microservice template makes no binding: neither the transforms table
    # nor any module of pytemplar.transforms is needed, nor the warnings about values an `images:`
    # override replaces (pytemplar.shadowing).
    args = ("render", str(EXAMPLES / "microservice"))
    imported_modules(*args)
    modules = imported_modules(*args)
    assert {m for m in modules if m == "pytemplar.transforms" or m.startswith("pytemplar.transforms.")} == set()
    assert "pytemplar.shadowing" not in modules


def test_help_still_comes_from_typer() -> None:
    assert "typer" in imported_modules("render", "--help")


def test_checks_remembered_from_an_earlier_run_need_no_schema_compiler(tmp_path: Path) -> None:
    # The fast schema test (schemacheck) is compiled only for an input whose answer is not
    # remembered in the validity cache: the second run of the same render needs neither it nor
    # jsonschema.
    args = ("render", str(EXAMPLES / "shop"), "-e", "prod")
    assert "pytemplar.schemacheck" in imported_modules(*args, cache=tmp_path)  # the first run compiles
    again = imported_modules(*args, cache=tmp_path)
    assert {"pytemplar.schemacheck", "jsonschema"}.isdisjoint(again)
