"""Dependencies between app templates: version constraints, resolution, cycles and conflicts.

An app lists other app templates in ``app.yaml``::

    dependencies:
      - name: common             # the dependency's own name (its app.yaml)
        app: ../common           # a folder or a .tgz, relative to this app's folder
        version: ">=1.0.0 <2.0.0"

Its templates then import the dependency's helpers (``templates/_*.j2``) as
``{% import "@common/_labels.j2" as common with context %}``. Every app also sees its own
helpers under ``@NAME/``, so a library's helpers import each other the same way wherever they
are used. Dependencies of dependencies are visible too, in one namespace per render: each name
must resolve to one template, or the two declarations that disagree are reported together.

A dependency must lie inside the folder that holds the app of the release (its sibling apps and
their subfolders) or inside the project folder, symlinks resolved: an app taken from elsewhere
cannot make pytemplar read app-shaped folders anywhere on the machine (``../../../home/x``).

In a packaged app (``pytemplar package``) every dependency is vendored, flat, under
``dependencies/NAME/`` in the archive, and read from there: the ``app:`` paths, which were
relative to the source folder, are not used.

Version constraints: comparators separated by spaces or commas, all of which must hold:
``=``/``==``, ``!=``, ``>``, ``>=``, ``<``, ``<=`` and a version (``1.2.3``, or ``1.2`` for
``1.2.0``), ``^1.2.3`` (the same major version, or the same minor one below 1.0.0),
``~1.2.3`` (the same minor version), or ``*`` for any version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytemplar.errors import ConfigError, Location, display_path
from pytemplar.project import HELPER_PREFIX as PREFIX
from pytemplar.records import record

if TYPE_CHECKING:
    from pytemplar.project import App
    from pytemplar.yamlio import YamlDocument

VENDORED = "dependencies"  # the folder of an archive that holds its dependencies

# Compiled on first use (re's cache): only a project that declares dependencies reads versions.
_VERSION = (
    r"(?P<major>0|[1-9][0-9]*)(?:\.(?P<minor>0|[1-9][0-9]*)(?:\.(?P<patch>0|[1-9][0-9]*))?)?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?\Z"
)
_COMPARATOR = r"(?P<op>>=|<=|==|!=|[<>=^~])?\s*(?P<version>\S+)\Z"

VersionKey = tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]


@record
class Dependency:
    """A dependency as one app declares it, resolved to its app."""

    app: App
    declared_at: Location  # the `name:` of the declaration in the dependent's app.yaml
    declared_by: str  # the dependent app's name


def version_key(text: str) -> VersionKey | None:
    """A sort key of a semantic version (pre-releases before their release), or None."""
    found = re.match(_VERSION, text)
    if found is None:
        return None
    pre = found["pre"]
    identifiers = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")) if pre else ()
    numbers = [int(found[part] or 0) for part in ("major", "minor", "patch")]
    return (numbers[0], numbers[1], numbers[2], 0 if pre else 1, identifiers)


def _bounds(op: str, key: VersionKey) -> list[Callable[[VersionKey], bool]]:
    major, minor = key[0], key[1]
    if op == "^":
        upper = (major + 1, 0, 0) if major else (0, minor + 1, 0)
        return [lambda v: v >= key, lambda v: v[:3] < upper]
    if op == "~":
        return [lambda v: v >= key, lambda v: v[:3] < (major, minor + 1, 0)]
    tests: dict[str, Callable[[VersionKey], bool]] = {
        "": lambda v: v == key,
        "=": lambda v: v == key,
        "==": lambda v: v == key,
        "!=": lambda v: v != key,
        ">": lambda v: v > key,
        ">=": lambda v: v >= key,
        "<": lambda v: v < key,
        "<=": lambda v: v <= key,
    }
    return [tests[op]]


def parse_constraint(text: str) -> list[Callable[[VersionKey], bool]] | None:
    """The tests of a version constraint (all must hold), or None when it is not one."""
    tests: list[Callable[[VersionKey], bool]] = []
    for part in re.split(r"[\s,]+", text.strip()):
        if part == "*":
            continue
        found = re.match(_COMPARATOR, part)
        key = version_key(found["version"]) if found else None
        if found is None or key is None:
            return None
        tests.extend(_bounds(found["op"] or "", key))
    return tests if text.strip() else None


def satisfies(version: str, constraint: str) -> bool:
    tests = parse_constraint(constraint)
    key = version_key(version)
    return tests is not None and key is not None and all(test(key) for test in tests)


def declared_dependencies(meta: YamlDocument) -> list[tuple[int, dict[str, Any]]]:
    return list(enumerate(meta.data.get("dependencies") or []))


def check_dependency(meta: YamlDocument, index: int, entry: Mapping[str, Any], dependency: App) -> None:
    """The dependency is the app the declaration names, in a version it accepts."""
    at = ("dependencies", index)
    if dependency.name != entry["name"]:
        raise ConfigError(
            f"dependency '{entry['name']}' is the app '{dependency.name}' ({display_path(dependency.root.path)})",
            location=meta.location_of((*at, "name")),
            hint="the name must be the dependency's own name, from its app.yaml",
        )
    if parse_constraint(entry["version"]) is None:
        raise ConfigError(
            f"'{entry['version']}' is not a version constraint",
            location=meta.location_of((*at, "version")),
            hint="write comparators such as '>=1.2.0 <2.0.0', '^1.2.0', '~1.2.0' or '1.2.3'",
        )
    if not satisfies(dependency.version, entry["version"]):
        raise ConfigError(
            f"dependency '{dependency.name}' is version {dependency.version} "
            f"({_version_location(dependency)}), which does not satisfy '{entry['version']}'",
            location=meta.location_of((*at, "version")),
            hint="change the constraint, or point `app:` at a version that satisfies it",
        )


def allowed_roots(app_folder: Path, project_folder: Path | None) -> tuple[Path, ...]:
    """Where the dependencies of the app in ``app_folder`` (and theirs) may lie."""
    roots = [app_folder.resolve().parent]
    if project_folder is not None:
        roots.append(project_folder.resolve())
    return tuple(roots)


def check_confined(path: Path, written: str, roots: tuple[Path, ...], at: Location) -> None:
    """Refuse a dependency ``path`` (as ``written`` in app.yaml) that resolves outside ``roots``."""
    if not roots:
        return
    real = path.resolve()
    if any(real == root or real.is_relative_to(root) for root in roots):
        return
    shown = " or ".join(f"'{display_path(root)}'" for root in roots)
    raise ConfigError(
        f"dependency '{written}' resolves to '{display_path(real)}', outside {shown}",
        location=at,
        hint="a dependency must be a sibling of the app (e.g. ../common) or inside the project folder",
    )


def _version_location(app: App) -> str:
    return str(Location(str(app.root.path / "app.yaml")))


def merge_dependency(into: dict[str, Dependency], name: str, dependency: Dependency) -> None:
    """Add ``dependency`` to the names an app resolves; the same name twice must be the same app."""
    known = into.get(name)
    if known is None:
        into[name] = dependency
        return
    if known.app.root.path != dependency.app.root.path or known.app.version != dependency.app.version:
        raise ConfigError(
            f"dependency '{name}' is {dependency.app.version} ({display_path(dependency.app.root.path)}) for "
            f"'{dependency.declared_by}' but {known.app.version} ({display_path(known.app.root.path)}) for "
            f"'{known.declared_by}' ({known.declared_at})",
            location=dependency.declared_at,
            hint="one render uses one version of each dependency; make both point at the same one",
        )


def importable_helpers(templates: dict[str, str], paths: dict[str, str], resolved: Mapping[str, Dependency]) -> None:
    """Add the names templates import the helpers of every dependency by (each dependency carries
    its own under its name already: see project.own_helpers_importable)."""
    for dependency_name, dependency in resolved.items():
        prefix = f"{PREFIX}{dependency_name}/"
        for name, text in dependency.app.templates.items():
            if name.startswith(prefix):
                templates[name] = text
                paths[name] = dependency.app.template_paths[name]


def dependency_cycle(chain: list[tuple[str, Location | None]], name: str, at: Location) -> ConfigError:
    """A cycle of dependencies, naming each declaration on it."""
    start = next(index for index, (known, _) in enumerate(chain) if known == name)
    steps = [*chain[start:], (name, at)]
    shown = " -> ".join(known for known, _ in steps)
    where = "; ".join(f"{known} at {location}" for known, location in steps[1:] if location is not None)
    return ConfigError(
        f"dependency cycle: {shown}",
        location=at,
        hint=f"declared: {where}; remove one of these dependencies",
    )
