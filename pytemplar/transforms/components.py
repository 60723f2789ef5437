"""Components: reusable, optional groups of transforms and resources, switched on by name.

A component is a folder holding ``component.yaml``, whose keys are the transform keys of
``pytemplar.yaml`` (``resources``, patches, generators, labels...) plus ``components`` for the
components it builds on, as Kustomize's ``kind: Component`` kustomizations. Any level of
``pytemplar.yaml`` (project, environment, release, release in one environment) switches
components on with ``components: [folder, ...]``; files a component names are relative to its
own folder. ``config.release_transforms`` reads a component's declarations where its level
switches it on (``table.Transform.before_components`` says which of the level's own come first).
"""

from __future__ import annotations

import json
import posixpath
from functools import cache
from typing import Any

from pytemplar.errors import ConfigError, FileAccessError, Location
from pytemplar.fsroot import Root
from pytemplar.records import record
from pytemplar.schema import CompiledSchema, compile_schema
from pytemplar.yamlio import YamlDocument, load_mapping

COMPONENT_FILE = "component.yaml"
_HINT = f"a component is a folder (relative to the file that names it) holding {COMPONENT_FILE}"


@record
class Component:
    folder: str  # relative to the project folder
    document: YamlDocument


def component_folder(base: str, written: str) -> str:
    """The folder a ``components`` entry names, relative to the project: entries are relative to
    the folder of the file that lists them (the project, or the component that builds on it)."""
    return posixpath.normpath(posixpath.join(base, written)) if base else posixpath.normpath(written)


def load_component(root: Root, folder: str, listed_at: Location) -> Component:
    """The component in ``folder`` (relative to the project), checked against its schema."""
    if not root.present(folder):
        raise ConfigError(f"component folder '{folder}' does not exist", location=listed_at, hint=_HINT)
    relative = posixpath.join(folder, COMPONENT_FILE)
    if not root.present(relative):
        if root.present(posixpath.join(folder, "kustomization.yaml")):
            hint = (
                f"a Kustomize component? rename its kustomization.yaml to {COMPONENT_FILE}; "
                "its keys are those of pytemplar.yaml's levels (docs/transforms.md)"
            )
        elif not (root.path / folder).is_dir():
            hint = f"'{folder}' is a file; {_HINT}"
        else:
            hint = _HINT
        raise ConfigError(f"no {COMPONENT_FILE} in component folder '{folder}'", location=listed_at, hint=hint)
    try:
        text = root.read_text(relative)
    except FileAccessError as exc:
        problem = exc.problems[0]
        raise ConfigError(f"component {problem.message}", location=listed_at, hint=problem.hint) from exc
    document = load_mapping(text, str(root.path / relative), what=COMPONENT_FILE)
    problems = definition_schema("component").validate(
        document.data, document.location_of, "component", locate_key=document.key_location_of
    )
    if problems:
        raise ConfigError.collect(problems)
    return Component(folder, document)


@cache
def definition_schema(name: str) -> CompiledSchema:
    """``$defs/<name>`` of pytemplar's project schema (a component file, a replacement), as a
    schema of its own."""
    from pytemplar.project import builtin_schema

    project: dict[str, Any] = json.loads(json.dumps(builtin_schema("pytemplar.schema.json").schema))
    schema = {"$schema": project.get("$schema"), "$ref": f"#/$defs/{name}", "$defs": project["$defs"]}
    compiled = compile_schema(schema, f"pytemplar.schema.json#/$defs/{name}", check=False)
    compiled.checked = True
    return compiled
