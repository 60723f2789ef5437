"""Strategic merge patches, with Kubernetes' own merge keys.

A strategic merge patch is a merge patch (maps merge, ``null`` removes a key) that also knows
how each list of a Kubernetes kind is merged. That knowledge is Kubernetes' OpenAPI:
``x-kubernetes-patch-strategy: merge`` with the keys of ``x-kubernetes-list-map-keys`` (or
``x-kubernetes-patch-merge-key``), bundled in ``data/kube-merge-keys.json`` by
``scripts/build_merge_keys.py``. Container and Service ports merge on the port *and* the
protocol, so patching the TCP side of DNS on port 53 keeps the UDP side. Lists without a
strategy, and every list of a custom resource, are replaced whole.

Directives, as Kustomize reads them: ``$patch: delete`` removes a list item, a map, or (at the
top) the whole object; ``$patch: replace`` on a map replaces it, and a list item
``{$patch: replace}`` makes the patch's list replace the object's; ``$patch: merge`` is the
default. Merged lists are ordered as Kustomize orders them: with one key, the patch's items
first, then the object's others; with several keys, new items first, then the object's items in
their order, merged in place.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pytemplar.errors import ConfigError, Location
from pytemplar.records import field, record
from pytemplar.transforms.kubeapi import MergeKeys, kube_merge_keys

DIRECTIVE = "$patch"
_DIRECTIVES = ("delete", "replace", "merge")
# Kubernetes defaults these keys when they are left out (a port's protocol is TCP).
_KEY_DEFAULTS = {"protocol": "TCP"}


@record(frozen=False)
class MergeNotes:
    """What a merge did that another tool would do differently, for warnings."""

    notes: list[str] = field(default_factory=list)


class _Deleted:
    """The result of ``$patch: delete`` on the whole object."""


DELETED = _Deleted()


def strategic_merge_object(
    obj: dict[str, Any],
    patch: Mapping[str, Any],
    location: Location,
    notes: MergeNotes,
    merge_keys: MergeKeys | None = None,
) -> dict[str, Any] | _Deleted:
    """``obj`` with ``patch`` merged in; ``DELETED`` when the patch deletes the whole object.
    ``merge_keys``: Kubernetes' list merge keys (the default), or those with custom resources'."""
    keys = merge_keys or kube_merge_keys()
    merger = _Merger(keys, location, notes)
    if _directive(patch, location) == "delete":
        return DELETED
    result: dict[str, Any] = merger.merge_map(obj, patch, keys.schema_of(obj), ())
    return result


def _directive(patch: Mapping[str, Any], location: Location) -> str | None:
    value = patch.get(DIRECTIVE)
    if value is None:
        return None
    if value not in _DIRECTIVES:
        raise ConfigError(
            f"unknown strategic merge directive '$patch: {value}'",
            location=location,
            hint="'$patch' is one of delete, replace, merge",
        )
    return str(value)


@record
class _Merger:
    keys: MergeKeys
    location: Location
    notes: MergeNotes

    def merge_map(self, target: Any, patch: Mapping[str, Any], schema: str | None, path: tuple[str, ...]) -> Any:
        directive = _directive(patch, self.location)
        if directive == "replace":
            return self._strip({k: v for k, v in patch.items() if k != DIRECTIVE})
        result = dict(target) if isinstance(target, dict) else {}
        for key, value in patch.items():
            if key == DIRECTIVE:
                continue
            if key.startswith("$"):
                raise ConfigError(
                    f"strategic merge directive '{key}' at {'.'.join(path) or 'the top'} is not supported",
                    location=self.location,
                    hint="kubectl kustomize copies it into the object, which the API server rejects; "
                    "write the list in the order you want, or use a JSON patch",
                )
            result_value = self.merge_value(result.get(key), value, schema, key, (*path, key))
            if result_value is _REMOVE:
                result.pop(key, None)
            else:
                result[key] = result_value
        return result

    def merge_value(self, target: Any, value: Any, schema: str | None, key: str, path: tuple[str, ...]) -> Any:
        if value is None:
            return _REMOVE
        if isinstance(value, dict):
            if _directive(value, self.location) == "delete":
                return _REMOVE
            return self.merge_map(target, value, self.keys.child(schema, key), path)
        if isinstance(value, list):
            strategy = self.keys.list_strategy(schema, key)
            replaced = self._list_directive(value, path)
            if replaced == "delete":
                return _REMOVE
            if replaced == "replace":
                return self._strip([item for item in value if not _is_directive_item(item)])
            if strategy is None or not isinstance(target, list):
                return self._strip(value)
            if not strategy.keys:
                return _merge_set(target, value)
            return self._merge_keyed(target, value, strategy.keys, self.keys.child(schema, key), path)
        return value

    def _list_directive(self, items: list[Any], path: tuple[str, ...]) -> str | None:
        found = [item for item in items if _is_directive_item(item)]
        if not found:
            return None
        return _directive(found[0], self.location) or "merge"

    def _merge_keyed(
        self, target: list[Any], patch: list[Any], keys: tuple[str, ...], schema: str | None, path: tuple[str, ...]
    ) -> list[Any]:
        original = list(target)
        merged_at: dict[int, Any] = {}  # index in the object's list -> merged item (or _REMOVE)
        order: list[Any] = []  # patch order: new items, and the index of each object item it names
        for item in patch:
            if _is_directive_item(item):
                continue
            if not isinstance(item, dict) or keys[0] not in item:
                order.append(_New(self._strip(item)))
                continue
            deleting = item.get(DIRECTIVE) == "delete"
            index = self._find(original, item, keys, path)
            if index is None:
                if not deleting:
                    order.append(_New(self.merge_map({}, item, schema, path)))
                continue
            if index not in merged_at:
                order.append(index)
            if item.get(DIRECTIVE) == "replace":
                self.notes.notes.append(
                    f"{'.'.join(path)} item {keys[0]} {item[keys[0]]}: '$patch: replace' replaces the item, as "
                    "Kubernetes does, where kubectl kustomize would ignore the patch's item"
                )
            base = merged_at.get(index, original[index])
            merged_at[index] = _REMOVE if deleting or base is _REMOVE else self.merge_map(base, item, schema, path)
        fresh = [entry.item for entry in order if isinstance(entry, _New)]
        if len(keys) == 1:
            # Kustomize: the patch's items in its order, then the object's items it does not name.
            named = [entry.item if isinstance(entry, _New) else merged_at[entry] for entry in order]
            rest = [item for index, item in enumerate(original) if index not in merged_at]
            return [item for item in [*named, *rest] if item is not _REMOVE]
        # Several keys: new items first, then the object's items in their own order, merged in place.
        kept = [merged_at.get(index, item) for index, item in enumerate(original)]
        return [item for item in [*fresh, *kept] if item is not _REMOVE]

    def _find(
        self, items: list[Any], wanted: Mapping[str, Any], keys: tuple[str, ...], path: tuple[str, ...]
    ) -> int | None:
        matches = [
            index for index, item in enumerate(items) if isinstance(item, dict) and _same_keys(item, wanted, keys)
        ]
        if not matches:
            return None
        first = items[matches[0]]
        implicit = [key for key in keys[1:] if (key in first) != (key in wanted)]
        if implicit:
            shown = ", ".join(f"{key} {wanted.get(key, first.get(key))}" for key in implicit)
            self.notes.notes.append(
                f"{'.'.join(path)} item {keys[0]} {wanted[keys[0]]}: the patch and the object differ in "
                f"whether they write {', '.join(implicit)}; merged as Kubernetes does ({shown} is the "
                f"default), where kubectl kustomize would ignore the patch's item"
            )
        return matches[0]

    def _strip(self, value: Any) -> Any:
        """A copy of patch content with its directives checked and removed."""
        if isinstance(value, dict):
            if _directive(value, self.location) == "delete":
                return _REMOVE
            return {k: self._strip(v) for k, v in value.items() if k != DIRECTIVE}
        if isinstance(value, list):
            return [self._strip(item) for item in value if not _is_directive_item(item)]
        return copy.deepcopy(value)


class _Remove:
    pass


@record
class _New:
    item: Any


_REMOVE: Any = _Remove()


def _is_directive_item(item: Any) -> bool:
    return isinstance(item, dict) and len(item) == 1 and DIRECTIVE in item


def _same_keys(item: Mapping[str, Any], wanted: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    for key in keys:
        default = _KEY_DEFAULTS.get(key)
        if item.get(key, default) != wanted.get(key, default):
            return False
    return True


def _merge_set(target: list[Any], patch: list[Any]) -> list[Any]:
    """A list of scalars with a merge strategy (``finalizers``): the patch's values, then the others."""
    result = [copy.deepcopy(value) for value in patch]
    result.extend(value for value in target if value not in result)
    return result
