"""Values layering: the home of deepmerge.

Layers are merged lowest first. Maps merge key by key, lists and scalars are replaced as a
whole, and an explicit ``null`` above the template defaults removes the key. A list whose
schema says ``x-kubernetes-list-type: map`` (with ``x-kubernetes-list-map-keys``, as in
Kubernetes' own schemas) merges item by item instead: items with the same keys merge like
maps, new items are appended. Merging never mutates a layer: layers are parsed once per run
and shared by every release.

Origins are not merged eagerly. A leaf of the merged values was set by the highest layer
that mentions its path (a higher layer that replaced or removed an ancestor would have
removed the leaf too), so :func:`origin_of` answers by looking the path up in the layers;
inside lists merged by key, an item is found in each layer by its keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from deepmerge import Merger

from pytemplar.errors import Location, Problem
from pytemplar.records import field, record
from pytemplar.yamlout import scalar_text

ValuePath = tuple[str | int, ...]


@record
class ValuesLayer:
    """One source of values: a file, an inline block, or command-line arguments."""

    kind: str  # e.g. "defaults", "project", "environment", "release", "release-environment"
    source: str  # file name or argument, as shown to users
    data: Mapping[str, Any]
    locations: Mapping[ValuePath, Location] = field(default_factory=dict)
    key_locations: Mapping[ValuePath, Location] = field(default_factory=dict)
    raw_texts: Mapping[ValuePath, str] = field(default_factory=dict)  # how unquoted numbers were written
    raw_keys: Mapping[ValuePath, str] = field(default_factory=dict)  # unquoted keys YAML 1.1 may read otherwise


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


ListKeys = Callable[[ValuePath], "tuple[str, ...] | None"]


def identity(item: Any, keys: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The merge identity of a list item: its values for ``keys``, when it has them all."""
    if not isinstance(item, dict) or any(key not in item or item[key] is None for key in keys):
        return None
    return tuple(item[key] for key in keys)


def _merge_lists_by_key(list_keys: ListKeys) -> Callable[[Merger, list[Any], list[Any], list[Any]], list[Any]]:
    def merge(merger: Merger, path: list[Any], base: list[Any], overlay: list[Any]) -> list[Any]:
        keys = list_keys(tuple(path))
        if not keys:
            return _copy_tree(overlay, drop_nulls=True)  # type: ignore[no-any-return]
        positions = {identity(item, keys): index for index, item in enumerate(base)}
        for item in overlay:
            found = positions.get(identity(item, keys))
            if item is None:
                continue
            if found is None or identity(item, keys) is None:
                positions[identity(item, keys)] = len(base)
                base.append(_copy_tree(item, drop_nulls=True))
            else:
                base[found] = merger.value_strategy([*path, found], base[found], item)
        return base

    return merge


# The one top-level key of the values that belongs to pytemplar, not to the app: the release's
# rollout strategy (read by pytemplar.strategy, checked against schemas/rollout.schema.json).
ROLLOUT_KEY = "rollout"

_MERGER = Merger([(dict, [_merge_maps]), (list, [_replace])], [_replace], [_replace])


def merge_layers(layers: Sequence[ValuesLayer], list_keys: ListKeys | None = None) -> dict[str, Any]:
    """The merged values of ``layers`` (lowest first), as a fresh tree.

    ``list_keys(path)`` names the item keys of lists that merge by key (None: replace).
    """
    if not layers:
        return {}
    merger = _MERGER
    if list_keys is not None:
        merger = Merger([(dict, [_merge_maps]), (list, [_merge_lists_by_key(list_keys)])], [_replace], [_replace])
    result: dict[str, Any] = _copy_tree(dict(layers[0].data), drop_nulls=False)
    for layer in layers[1:]:
        merger.merge(result, dict(layer.data))
    return result


@record
class AbsentKeys:
    """Keys a template may test for although the merged values lack them, as Helm allows.

    ``removed``: keys an overlay deleted with ``null`` (where that null is written);
    ``declared``: whether the schema names a key (an optional value left unset).
    Reading either gives an undefined that is false in ``if`` and takes ``default``; printing
    it, or reading into it, is still an error, which cites the null that removed it.
    """

    removed: Mapping[ValuePath, Location]
    declared: Callable[[ValuePath], bool] | None = None

    def why_absent(self, path: ValuePath) -> str | None:
        """Why ``path`` may be missing: "removed by FILE:LINE", "optional", or None (a typo)."""
        where = self.removed.get(path)
        if where is not None:
            return f"removed by the null at {where}"
        if self.declared is not None and self.declared(path):
            return "optional (the schema names it) and not set"
        return None


def removed_keys(layers: Sequence[ValuesLayer], merged: Mapping[str, Any]) -> dict[ValuePath, Location]:
    """Keys of maps that an overlay's ``null`` deleted, each with the null that did it (the
    highest one). Nulls inside lists and nulls below a removed key are not counted."""
    removed: dict[ValuePath, Location] = {}
    for layer in reversed(layers[1:]):
        for path, value in _map_leaves(layer.data):
            if value is not None or path in removed:
                continue
            present, parent = value_at(merged, path[:-1])
            if present and isinstance(parent, dict) and path[-1] not in parent:
                removed[path] = layer.locations.get(path) or Location(layer.source)
    return removed


def _map_leaves(value: Any, prefix: ValuePath = ()) -> list[tuple[ValuePath, Any]]:
    """The leaves of nested maps, not descending into lists (collected as iter_leaves does)."""
    found: list[tuple[ValuePath, Any]] = []
    _add_map_leaves(value, prefix, found)
    return found


def _add_map_leaves(value: Any, prefix: ValuePath, found: list[tuple[ValuePath, Any]]) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            if isinstance(child, Mapping) and child:
                _add_map_leaves(child, (*prefix, key), found)
            else:
                found.append(((*prefix, key), child))


def layer_path(data: Any, merged: Any, path: ValuePath, list_keys: ListKeys | None) -> ValuePath | None:
    """Where a layer holds the merged value at ``path``: the same path, except that items of
    lists merged by key are found by their keys. None when the layer has no such item."""
    if list_keys is None:
        return path
    local: list[str | int] = []
    in_layer, in_merged = data, merged
    for depth, part in enumerate(path):
        keys = list_keys(path[:depth]) if isinstance(part, int) else None
        if (
            keys
            and isinstance(part, int)
            and isinstance(in_layer, list)
            and isinstance(in_merged, list)
            and part < len(in_merged)
        ):
            wanted = identity(in_merged[part], keys)
            index = next((i for i, item in enumerate(in_layer) if wanted and identity(item, keys) == wanted), None)
            if index is None:
                return None
            local.append(index)
            in_layer, in_merged = in_layer[index], in_merged[part]
            continue
        local.append(part)
        in_layer = _child(in_layer, part)
        in_merged = _child(in_merged, part)
    return tuple(local)


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


@record
class Origin:
    layer: ValuesLayer
    location: Location


def _located(
    layers: Sequence[ValuesLayer], path: ValuePath, merged: Any, list_keys: ListKeys | None
) -> Iterator[tuple[ValuesLayer, ValuePath]]:
    """Each layer that mentions the merged ``path`` (highest first), with its own path to it."""
    for layer in reversed(layers):
        local = layer_path(layer.data, merged, path, list_keys)
        if local is not None and local in layer.locations:
            yield layer, local


def origins_of(
    layers: Sequence[ValuesLayer], path: ValuePath, merged: Any = None, list_keys: ListKeys | None = None
) -> list[Origin]:
    """Every layer that sets ``path``, highest (the one that won) first.

    ``merged`` and ``list_keys`` are needed only when lists merge by key.
    """
    return [Origin(layer, layer.locations[local]) for layer, local in _located(layers, path, merged, list_keys)]


def key_origin_of(
    layers: Sequence[ValuesLayer], path: ValuePath, merged: Any = None, list_keys: ListKeys | None = None
) -> Location | None:
    """Where the key at the end of ``path`` was written by the layer that set it."""
    for layer, local in _located(layers, path, merged, list_keys):
        return layer.key_locations.get(local, layer.locations[local])
    return origin_of(layers, path, merged, list_keys)


def origin_of(
    layers: Sequence[ValuesLayer], path: ValuePath, merged: Any = None, list_keys: ListKeys | None = None
) -> Location | None:
    """Where the value at ``path`` came from, or the nearest ancestor that has an origin."""
    for end in range(len(path), -1, -1):
        found = origins_of(layers, path[:end], merged, list_keys)
        if found:
            return found[0].location
    return None


@record
class KeptText:
    """A number or boolean replaced by the text it was written as, because the schema wants text."""

    path: ValuePath
    origin: Origin
    text: str
    read_as: Any
    # Why: the schema wants a string, or (for --set, where no schema types the value) reading
    # the text as a number would change it: 012 is 12, 1.10 is 1.1.
    untyped: bool = False

    def warning(self, *, release: str, environment: str, secret: bool = False) -> Problem:
        """The warning saying the text was kept; for a ``secret`` value, without the value."""
        kind = "boolean" if isinstance(self.read_as, bool) else "number"
        if secret:
            return Problem(
                f"{format_path(self.path)}: the secret value is read by YAML as a {kind}; "
                "using its text as written because the schema expects a string",
                location=self.origin.location,
                hint="use --set-string to pass text" if self.origin.layer.kind == "set" else "quote it to say so",
                severity="warning",
                release=release,
                environment=environment,
            )
        if self.untyped:
            return Problem(
                f"{format_path(self.path)}: {self.text} would be read as the number {scalar_text(self.read_as)}, "
                f"which changes its text; using the text '{self.text}'",
                location=self.origin.location,
                hint=f"use --set-string {_set_syntax(self.path)}={self.text} to say it is text, or "
                f"--set-json {_set_syntax(self.path)}={scalar_text(self.read_as)} for the number",
                severity="warning",
                release=release,
                environment=environment,
            )
        return Problem(
            f"{format_path(self.path)}: {self.text} is read by YAML as the {kind} {scalar_text(self.read_as)}; "
            f"using the text '{self.text}' because the schema expects a string",
            location=self.origin.location,
            hint=(
                f"use --set-string to pass text: --set-string {_set_syntax(self.path)}={self.text}"
                if self.origin.layer.kind == "set"
                else f'quote it to say so: "{self.text}"'
            ),
            severity="warning",
            release=release,
            environment=environment,
        )


def keep_source_text(
    values: dict[str, Any],
    layers: Sequence[ValuesLayer],
    expected_types: Callable[[ValuePath], set[str]],
    list_keys: ListKeys | None = None,
) -> list[KeptText]:
    """Where the schema expects a string and a layer wrote an unquoted ``1.20``, ``1e3`` or
    ``true``, use the text as written (``"1.20"``), not what YAML made of it (``1.2``). The
    same for a number given with ``--set`` where no schema types the value, when reading it
    as a number changes its text (``012``, ``1.10``, ``1e3``), as Helm users expect of tags.

    Changes ``values`` (a fresh merged tree) in place and returns what it changed.
    """
    kept: list[KeptText] = []
    # The texts --set wrote: the only layer whose untyped numbers keep their text (checked first,
    # as a values file can hold 100,000 numbers no schema types).
    set_texts = {path: text for layer in layers if layer.kind == "set" for path, text in layer.raw_texts.items()}
    for path, value in list(iter_leaves(values)):
        if value is None or isinstance(value, (str, dict, list)):
            continue
        types = expected_types(path)
        untyped = not types and not isinstance(value, bool)  # the schema (if any) says nothing here
        if untyped and (path not in set_texts or scalar_text(value) == set_texts[path]):
            continue
        if not untyped and ("string" not in types or _type_allowed(value, types)):
            continue
        found = origins_of(layers, path, values, list_keys)
        local = layer_path(found[0].layer.data, values, path, list_keys) if found else None
        text = found[0].layer.raw_texts.get(local) if found and local is not None else None
        if text is None or (untyped and (found[0].layer.kind != "set" or scalar_text(value) == text)):
            continue
        parent: Any = values
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = text
        kept.append(KeptText(path, found[0], text, value, untyped))
    return kept


def _type_allowed(value: Any, types: set[str]) -> bool:
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return "integer" in types or "number" in types
    return "number" in types


SECRET_MASK = "<secret>"


def mask_secrets(value: Any, is_secret: Callable[[ValuePath], bool], at: ValuePath = ()) -> Any:
    """A copy of ``value`` with every value at a secret path replaced by ``SECRET_MASK``."""
    if at and is_secret(at):
        return SECRET_MASK
    if isinstance(value, dict):
        return {key: mask_secrets(child, is_secret, (*at, key)) for key, child in value.items()}
    if isinstance(value, list):
        return [mask_secrets(child, is_secret, (*at, index)) for index, child in enumerate(value)]
    return value


def iter_leaves(value: Any, prefix: ValuePath = ()) -> Iterator[tuple[ValuePath, Any]]:
    """Each leaf path and value, depth first in order; an empty map or list counts as a leaf."""
    found: list[tuple[ValuePath, Any]] = []
    _add_leaves(value, prefix, found)
    # Collected by plain calls, not nested generators: each leaf would pass through one
    # generator per level above it (values are walked several times per release).
    return iter(found)


def _add_leaves(value: Any, prefix: ValuePath, found: list[tuple[ValuePath, Any]]) -> None:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            _add_leaves(child, (*prefix, key), found)
    elif isinstance(value, list) and value:
        for index, child in enumerate(value):
            _add_leaves(child, (*prefix, index), found)
    else:
        found.append((prefix, value))


def value_at(data: Any, path: Sequence[str | int]) -> tuple[bool, Any]:
    """``(True, value)`` at ``path`` in nested maps and lists, or ``(False, None)`` when it is not there."""
    node = data
    for part in path:
        if isinstance(node, dict):
            if part not in node:
                return False, None
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False, None
    return True, node


def _set_syntax(path: ValuePath) -> str:
    from pytemplar.setargs import format_path_argument

    return format_path_argument(path)


def format_path(path: Sequence[str | int], root: str = "values") -> str:
    """The one way paths into values, schemas and objects are shown: as a template reads them,
    ``values.image.tag``, ``values.env[0].name``, ``values['app.kubernetes.io/name']``; with
    ``root=""``, ``image.tag``. ``setargs.format_path_argument`` writes them in --set syntax."""
    text = root
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text
