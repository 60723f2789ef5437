"""``configMapGenerator`` and ``secretGenerator``: ConfigMaps and Secrets made from literals and files.

A generated object's name ends in a hash of its content, computed exactly as Kustomize does
(so ``kubectl kustomize`` and pytemplar name the same content the same way): when the content
changes, the name changes, every reference follows, and the pods that use it roll.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pytemplar.errors import ConfigError, FileAccessError, Location
from pytemplar.fsroot import Root
from pytemplar.records import field, record
from pytemplar.transforms.references import ObjectKey, namespace_of
from pytemplar.transforms.table import Objects, TransformContext

GeneratedKind = Literal["ConfigMap", "Secret"]
Behavior = Literal["create", "merge", "replace"]
SourceKind = Literal["literal", "file", "env"]

_DATA_KEY = re.compile(r"[-._a-zA-Z0-9]+\Z")
# Kustomize's hash alphabet: hex without the characters that could spell words.
_HASH_LETTERS = str.maketrans("013ae", "ghkmt")


@record
class Source:
    """One entry of ``literals``, ``files`` or ``envs``, and where it is written."""

    kind: SourceKind
    text: str
    location: Location


@record
class Generator:
    kind: GeneratedKind
    name: str
    location: Location
    sources: tuple[Source, ...] = ()
    behavior: Behavior = "create"
    namespace: str | None = None
    secret_type: str = "Opaque"
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    hash_suffix: bool = True
    immutable: bool = False
    added: int = 0  # its place among the objects resources and generators add (Kustomize's order)

    @property
    def declared_as(self) -> str:
        return f"{'configMapGenerator' if self.kind == 'ConfigMap' else 'secretGenerator'} '{self.name}'"


# -- content ----------------------------------------------------------------------------------


def read_entries(generator: Generator, root: Root) -> dict[str, bytes]:
    """Key -> content of every source, in order; a key given twice is an error."""
    entries: dict[str, bytes] = {}
    for source in generator.sources:
        for key, value, where in _source_entries(source, root):
            if not _DATA_KEY.match(key):
                raise ConfigError(
                    f"{generator.declared_as}: '{key}' is not a valid data key",
                    location=where,
                    hint="keys may hold letters, digits, '-', '_' and '.'",
                )
            if key in entries:
                raise ConfigError(
                    f"{generator.declared_as}: key '{key}' is given twice",
                    location=where,
                    hint="each key of a ConfigMap or Secret must come from one source",
                )
            entries[key] = value
    return entries


def _source_entries(source: Source, root: Root) -> list[tuple[str, bytes, Location]]:
    if source.kind == "literal":
        key, found, value = source.text.partition("=")
        if not found or not key:
            raise ConfigError(
                f"literal '{source.text}' is not KEY=VALUE", location=source.location, hint="write it as KEY=VALUE"
            )
        return [(key, _unquote(value).encode("utf-8"), source.location)]
    if source.kind == "file":
        key, found, path = source.text.partition("=")
        if not found:
            key, path = os.path.basename(source.text), source.text
        return [(key, _read(root, path, source.location), source.location)]
    return _env_entries(source, root)


def _unquote(value: str) -> str:
    # Kustomize drops one pair of matching quotes around a literal's value.
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _read(root: Root, path: str, listed_at: Location) -> bytes:
    try:
        return root.read_bytes(path)
    except FileAccessError as exc:
        problem = exc.problems[0]
        raise ConfigError(
            f"generator file {problem.message.removeprefix('file ')}",
            location=listed_at,
            hint=problem.hint or "files are named relative to the project folder",
        ) from exc


def _env_entries(source: Source, root: Root) -> list[tuple[str, bytes, Location]]:
    """``KEY=VALUE`` lines; blank lines and ``#`` comments are skipped."""
    data = _read(root, source.text, source.location)
    shown = str(root.path / source.text)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise ConfigError("env file is not valid UTF-8", location=Location(shown), hint="save it as UTF-8") from None
    entries: list[tuple[str, bytes, Location]] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        key, found, value = stripped.partition("=")
        if not found:
            raise ConfigError(
                f"line '{stripped}' is not KEY=VALUE",
                location=Location(shown, number),
                hint="env files hold KEY=VALUE lines, blank lines and # comments",
            )
        entries.append((key, value.encode("utf-8"), Location(shown, number)))
    return entries


def _as_data(generator: Generator, entries: Mapping[str, bytes]) -> dict[str, Any]:
    if generator.kind == "Secret":
        encoded = {key: base64.b64encode(value).decode("ascii") for key, value in entries.items()}
        return {"data": encoded} if encoded else {}
    text: dict[str, str] = {}
    binary: dict[str, str] = {}
    for key, value in entries.items():
        try:
            text[key] = value.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = base64.b64encode(value).decode("ascii")
    # As Kustomize writes them: no empty 'data' (which the content hash would count) when the
    # ConfigMap is made only of binary files, or of nothing.
    return {**({"data": text} if text else {}), **({"binaryData": binary} if binary else {})}


def build_object(generator: Generator, entries: Mapping[str, bytes], namespace: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": generator.name, "namespace": generator.namespace or namespace}
    if generator.labels:
        metadata["labels"] = dict(generator.labels)
    if generator.annotations:
        metadata["annotations"] = dict(generator.annotations)
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": generator.kind, "metadata": metadata}
    if generator.kind == "Secret":
        obj["type"] = generator.secret_type
    obj.update(_as_data(generator, entries))
    if generator.immutable:
        obj["immutable"] = True
    return obj


# -- the hash ---------------------------------------------------------------------------------


def _go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it: sorted keys, no spaces, HTML characters escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def content_hash(obj: Mapping[str, Any]) -> str:
    """Kustomize's name suffix for a ConfigMap or Secret.

    Kustomize hashes kind, data (and binaryData, or a Secret's type and stringData) and a name
    that its lookup never finds, so the name is always empty: only the content counts.
    """
    encoded: dict[str, Any] = {"kind": obj["kind"], "name": "", "data": obj.get("data", "")}
    optional = "binaryData" if obj["kind"] == "ConfigMap" else "stringData"
    if isinstance(obj.get(optional), dict):
        encoded[optional] = obj[optional]
    if obj["kind"] == "Secret":
        encoded["type"] = obj.get("type", "")
    digest = hashlib.sha256(_go_json(encoded).encode("utf-8")).hexdigest()
    return digest[:10].translate(_HASH_LETTERS)


# -- running ----------------------------------------------------------------------------------


@record(frozen=False)
class Generated:
    """What the generators did: new objects (with their generator), and which objects to hash.

    Objects are named by their position in the list, which later stages keep, since a patch
    replaces an object by a patched copy.
    """

    created: dict[int, Generator] = field(default_factory=dict)
    to_hash: list[int] = field(default_factory=list)


def run_generators(
    objects: list[dict[str, Any]], generators: Sequence[Generator], root: Root, namespace: str
) -> Generated:
    """Create, merge into or replace ConfigMaps and Secrets; ``objects`` is extended in place."""
    generated = Generated()
    for generator in generators:
        entries = read_entries(generator, root)
        existing = _find(objects, generator.kind, generator.name, generator.namespace or namespace, namespace)
        if generator.behavior == "create":
            if existing is not None:
                raise ConfigError(
                    f"{generator.declared_as} creates {generator.kind} {generator.name}, which the release already has",
                    location=generator.location,
                    hint="use 'behavior: merge' or 'behavior: replace' to change it, or choose another name",
                )
            objects.append(build_object(generator, entries, namespace))
            index = len(objects) - 1
            generated.created[index] = generator
        else:
            if existing is None:
                raise ConfigError(
                    f"{generator.declared_as} has 'behavior: {generator.behavior}' but the release has no "
                    f"{generator.kind} {generator.name}",
                    location=generator.location,
                    hint="'merge' and 'replace' change an object the templates or a lower layer make; "
                    "use 'behavior: create' for a new one",
                )
            index = existing
            _update(objects[index], generator, entries)
        # As in Kustomize: a new object is hashed unless its generator says not to; merging into
        # or replacing an object keeps whether it is hashed (a rendered one is not), and a
        # generator that disables the hash has the last word.
        if generator.behavior == "create" and generator.hash_suffix:
            generated.to_hash.append(index)
        elif not generator.hash_suffix and index in generated.to_hash:
            generated.to_hash.remove(index)
    return generated


def _find(
    objects: Sequence[dict[str, Any]], kind: str, name: str, namespace: str, default_namespace: str
) -> int | None:
    """The object of that kind, name and namespace (one of each name may live in each namespace)."""
    for index, obj in enumerate(objects):
        metadata = obj.get("metadata")
        if (
            obj.get("kind") == kind
            and isinstance(metadata, dict)
            and metadata.get("name") == name
            and namespace_of(obj, default_namespace) == namespace
        ):
            return index
    return None


def _update(obj: dict[str, Any], generator: Generator, entries: Mapping[str, bytes]) -> None:
    fresh = _as_data(generator, entries)
    for key in ("data", "binaryData"):
        if generator.behavior == "replace":
            obj.pop(key, None)
        if key in fresh:
            current = obj.get(key)
            obj[key] = {**(current if isinstance(current, dict) else {}), **fresh[key]}
    metadata = obj.setdefault("metadata", {})
    for key, pairs in (("labels", generator.labels), ("annotations", generator.annotations)):
        if pairs:
            metadata[key] = {**(metadata.get(key) or {}), **pairs}
    if generator.immutable:
        obj["immutable"] = True


def add_hash_suffixes(objects: Sequence[dict[str, Any]], default_namespace: str = "") -> dict[ObjectKey, str]:
    """Append the content hash to each object's name, in place; returns the renames."""
    renames: dict[ObjectKey, str] = {}
    for obj in objects:
        metadata = obj["metadata"]
        new_name = f"{metadata['name']}-{content_hash(obj)}"
        renames[(obj["kind"], namespace_of(obj, default_namespace), metadata["name"])] = new_name
        metadata["name"] = new_name
    return renames


def generate(objects: Objects, generators: Sequence[Generator], context: TransformContext) -> Objects:
    """The generators' row of the transforms table: ``objects`` extended by what they made."""
    if generators and context.root is not None:
        before = len(objects)
        context.generated = run_generators(objects, generators, context.root, context.namespace)
        # The generators run first: an object's position is still its index, as Generated keeps it.
        context.origins.extend(range(before, len(objects)))
    return objects
