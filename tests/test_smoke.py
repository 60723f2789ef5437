from pathlib import Path

from conftest import EXAMPLES, MINIMAL_APP, run_pytemplar

import pytemplar


def test_library_renders_the_shop() -> None:
    result = pytemplar.render(EXAMPLES / "shop", environments=["prod"])
    kinds = {(m.release, m.kind) for m in result.manifests}
    for release in ("service-a", "service-b", "service-c", "service-d"):
        assert (release, "Deployment") in kinds
        assert (release, "Service") in kinds


def test_cli_renders_a_minimal_project(make_tree) -> None:  # type: ignore[no-untyped-def]
    root: Path = make_tree(base=MINIMAL_APP)
    result = run_pytemplar("render", root / "project", "-e", "prod")
    assert result.code == 0, result.stderr
    assert "namespace: production" in result.stdout
    assert 'image: example/demo:"1.0"' not in result.stdout
    assert "image: example/demo:1.0" in result.stdout


def test_library_functions_stay_callable_after_every_module_is_imported() -> None:
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(pytemplar.__path__):
        if not module.name.startswith("_"):  # __main__ would run the CLI
            importlib.import_module(f"pytemplar.{module.name}")
    for name in ("render", "validate", "release_values"):
        assert callable(getattr(pytemplar, name)), name
