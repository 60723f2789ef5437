"""Values layering: the home of deepmerge.

Layers are merged lowest first. Maps merge key by key, lists and scalars are replaced as a
whole, and an explicit ``null`` above the template defaults removes the key. Merging never
mutates a layer: layers are parsed once per run and shared by every release.

Origins are not merged eagerly. A leaf of the merged values was set by the highest layer
that mentions its path (a higher layer that replaced or removed an ancestor would have
removed the leaf too), so :func:`origin_of` answers by looking the path up in the layers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deepmerge import Merger

from pytemplar.errors import Location, Problem
from pytemplar.yamlout import scalar_text

ValuePath = tuple[str | int, ...]


@dataclass(frozen=True)
class ValuesLayer:
    """One source of values: a file, an inline block, or command-line arguments."""

    kind: str  # e.g. "defaults", "project", "environment", "release", "release-environment"
    source: str  # file name or argument, as shown to users
    data: Mapping[str, Any]
    locations: Mapping[ValuePath, Location] = field(default_factory=dict)
    key_locations: Mapping[ValuePath, Location] = field(default_factory=dict)
    raw_texts: Mapping[ValuePath, str] = field(default_factory=dict)  # how unquoted numbers were written


def _copy_tree(value: Any, *, drop_nulls: bool) -> Any:
    if isinstance(value, dict):
        return {k: _copy_tree(v, drop_nulls=drop_nulls) for k, v in value.items() if not (drop_nulls and v is None)}
    if isinstance(value, list):
        return [_copy_tree(v, drop_nulls=False) for v in value]
    return value


def _merge_maps(merger: Merger, path: list[Any], base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    for key, value in overlay.items():
        if value is None:
            base.pop(key, None)
        elif key in base:
            base[key] = merger.value_strategy([*path, key], base[key], value)
        else:
            base[key] = _copy_tree(value, drop_nulls=True)
    return base


def _replace(_merger: Merger, _path: list[Any], _base: Any, overlay: Any) -> Any:
    return _copy_tree(overlay, drop_nulls=True)


_MERGER = Merger([(dict, [_merge_maps]), (list, [_replace])], [_replace], [_replace])


def merge_layers(layers: Sequence[ValuesLayer]) -> dict[str, Any]:
    """The merged values of ``layers`` (lowest first), as a fresh tree."""
    if not layers:
        return {}
    result: dict[str, Any] = _copy_tree(dict(layers[0].data), drop_nulls=False)
    for layer in layers[1:]:
        _MERGER.merge(result, dict(layer.data))
    return result


@dataclass(frozen=True)
class Origin:
    layer: ValuesLayer
    location: Location


def origins_of(layers: Sequence[ValuesLayer], path: ValuePath) -> list[Origin]:
    """Every layer that sets ``path``, highest (the one that won) first."""
    return [Origin(layer, layer.locations[path]) for layer in reversed(layers) if path in layer.locations]


def key_origin_of(layers: Sequence[ValuesLayer], path: ValuePath) -> Location | None:
    """Where the key at the end of ``path`` was written by the layer that set it."""
    for layer in reversed(layers):
        if path in layer.locations:
            return layer.key_locations.get(path, layer.locations[path])
    return origin_of(layers, path)


def origin_of(layers: Sequence[ValuesLayer], path: ValuePath) -> Location | None:
    """Where the value at ``path`` came from, or the nearest ancestor that has an origin."""
    for end in range(len(path), -1, -1):
        found = origins_of(layers, path[:end])
        if found:
            return found[0].location
    return None


@dataclass(frozen=True)
class KeptText:
    """A number or boolean replaced by the text it was written as, because the schema wants text."""

    path: ValuePath
    origin: Origin
    text: str
    read_as: Any

    def warning(self, *, release: str, environment: str) -> Problem:
        kind = "boolean" if isinstance(self.read_as, bool) else "number"
        return Problem(
            f"{format_path(self.path)}: {self.text} is read by YAML as the {kind} {scalar_text(self.read_as)}; "
            f"using the text '{self.text}' because the schema expects a string",
            location=self.origin.location,
            hint=f'quote it to say so: "{self.text}"',
            severity="warning",
            release=release,
            environment=environment,
        )


def keep_source_text(
    values: dict[str, Any], layers: Sequence[ValuesLayer], expected_types: Callable[[ValuePath], set[str]]
) -> list[KeptText]:
    """Where the schema expects a string and a layer wrote an unquoted ``1.20``, ``1e3`` or
    ``true``, use the text as written (``"1.20"``), not what YAML made of it (``1.2``).

    Changes ``values`` (a fresh merged tree) in place and returns what it changed.
    """
    kept: list[KeptText] = []
    for path, value in list(iter_leaves(values)):
        if value is None or isinstance(value, (str, dict, list)):
            continue
        types = expected_types(path)
        if "string" not in types or _type_allowed(value, types):
            continue
        found = origins_of(layers, path)
        text = found[0].layer.raw_texts.get(path) if found else None
        if text is None:
            continue
        parent: Any = values
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = text
        kept.append(KeptText(path, found[0], text, value))
    return kept


def _type_allowed(value: Any, types: set[str]) -> bool:
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return "integer" in types or "number" in types
    return "number" in types


def iter_leaves(value: Any, prefix: ValuePath = ()) -> Iterator[tuple[ValuePath, Any]]:
    """Each leaf path and value; an empty map or list counts as a leaf."""
    if isinstance(value, dict) and value:
        for key, child in value.items():
            yield from iter_leaves(child, (*prefix, key))
    elif isinstance(value, list) and value:
        for index, child in enumerate(value):
            yield from iter_leaves(child, (*prefix, index))
    else:
        yield prefix, value


def format_path(path: ValuePath, root: str = "values") -> str:
    text = root
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}"
        else:
            text += f"[{part!r}]"
    return text
