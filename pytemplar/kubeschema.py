"""Validation of rendered objects against the Kubernetes API schemas, offline (rule ``kube-schema``).

The schemas are bundled in a compact form (``schemas/kubernetes/*.json.gz``, built by
``scripts/build_kube_schemas.py``): one file per Kubernetes minor version (1.25 to 1.37), made
from the official OpenAPI documents plus the enums of the API's ``+enum`` Go types (the
checked-in documents leave them out; a live API server publishes them), and the CRDs of Gateway API, the Prometheus
operator, Argo Rollouts, Argo CD and cert-manager.
Each is read only when validation runs, once per process.

A purpose-built walker checks an object against its kind's schema the way the API server with
strict field validation does: unknown fields are errors (with a "did you mean"), types are exact
(``replicas: "3"`` is text, not an integer; labels and annotations are text), int-or-string fields
take both, quantities take ``500m`` or a number, ``format: int32`` is range-checked, and ``null``
means "not set". It is about ten times faster than jsonschema on the same schemas (bench/validation.py).

Node keywords (a subset of JSON Schema / OpenAPI v3, see ``pytemplar.crds.KEPT_KEYWORDS``):
``$ref`` (a definition name), ``type``, ``properties``, ``required``, ``additionalProperties``,
``items``, ``enum``, ``format`` (int32, int64, byte, quantity), ``x-kubernetes-int-or-string``,
``x-kubernetes-preserve-unknown-fields``, ``x-kubernetes-embedded-resource``,
``x-kubernetes-list-type`` with ``x-kubernetes-list-map-keys`` (entries unique by their keys: an
error where the API server refuses duplicates, a warning where it keeps the last), the length, size
and range limits, ``pattern`` and ``anyOf``/``oneOf``/``allOf``. An object node (``type: object``)
without ``additionalProperties`` or ``x-kubernetes-preserve-unknown-fields`` takes only its properties.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import gzip
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pytemplar.crds import CompactSchemas
from pytemplar.deprecations import removed_in
from pytemplar.errors import Location, Problem, Severity, UsageError
from pytemplar.manifests import Manifest
from pytemplar.patterns import PatternError
from pytemplar.patterns import compiled as compiled_pattern
from pytemplar.policies import has_template_labels, is_builtin
from pytemplar.values import format_path, value_at

RULE = "kube-schema"
KUBERNETES_PREFIX = "kubernetes-"
BUNDLED_CRDS = ("gateway-api", "prometheus-operator", "argo-rollouts", "argocd", "cert-manager")
_SUFFIX = ".json.gz"
_VERSION = re.compile(r"1\.(\d{1,2})\Z")
# A resource.Quantity: sign, number, then an exponent or one SI / binary suffix.
_QUANTITY = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?\Z")
_INT32 = (-(2**31), 2**31 - 1)
# The patterns scripts/build_kube_schemas.py adds for what the API server's validation code
# requires of the text form of int-or-string fields, said in words.
_PATTERN_MEANINGS = {
    r"^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$": (
        "is neither a port number nor a port name (a name has at most 15 lower-case letters, digits and '-', "
        "with a letter; write a number unquoted)"
    ),
    r"^[0-9]+%$": "is neither an integer nor a percentage like 25% (write a number unquoted)",
}

# (path of a violation so far, as a linked list) -> built only when something is reported.
PathLink = tuple[Any, str | int] | None


@dataclass(frozen=True)
class Violation:
    """One way an object differs from its schema."""

    path: tuple[str | int, ...]
    message: str  # without the path
    kind: str  # unknown, type, required, value, duplicate
    suggestion: str | None = None  # for an unknown field: the declared field it most resembles

    def where(self) -> str:
        return format_path(self.path, "")


# ---------------------------------------------------------------- loading


def _schema_folder() -> Any:
    packaged = resources.files("pytemplar").joinpath("_schemas", "kubernetes")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "schemas" / "kubernetes"


@cache
def bundled_versions() -> tuple[str, ...]:
    """The Kubernetes minor versions with a bundled schema, oldest first."""
    names = [entry.name for entry in _schema_folder().iterdir()]
    versions = [n[len(KUBERNETES_PREFIX) : -len(_SUFFIX)] for n in names if n.startswith(KUBERNETES_PREFIX)]
    return tuple(sorted(versions, key=_minor))


def _minor(version: str) -> int:
    return int(version.split(".")[1])


@cache
def _bundled(name: str) -> dict[str, Any]:
    data = _schema_folder().joinpath(name + _SUFFIX).read_bytes()
    loaded: dict[str, Any] = json.loads(gzip.decompress(data))
    return loaded


def check_version_text(version: str, what: str) -> str:
    """``version`` when it is a minor version like 1.35; a usage error naming ``what`` otherwise."""
    if not _VERSION.match(version):
        raise UsageError(f"{what} '{version}' is not a Kubernetes minor version", hint="write it like 1.35")
    return version


def nearest_bundled(version: str) -> str:
    """The bundled version to validate ``version`` against: itself, or the closest one."""
    versions = bundled_versions()
    if version in versions:
        return version
    return min(versions, key=lambda v: (abs(_minor(v) - _minor(version)), -_minor(v)))


def version_note(version: str, bundled: str, location: Location) -> Problem:
    """The warning that a target version without a bundled schema is validated against another."""
    versions = bundled_versions()
    return Problem(
        f"no bundled Kubernetes schema for {version}: objects are validated against {bundled}",
        location=location,
        rule=RULE,
        hint=f"bundled versions: {versions[0]} to {versions[-1]}; kubeVersion or --kube-version chooses one",
        severity="warning",
    )


def require_bundled(version: str) -> str:
    """For ``--kube-version``: the version itself, which must be bundled."""
    check_version_text(version, "--kube-version")
    versions = bundled_versions()
    if version not in versions:
        raise UsageError(
            f"no bundled Kubernetes schema for {version}",
            hint=f"bundled versions: {', '.join(versions)}",
        )
    return version


# ---------------------------------------------------------------- schema sets


@dataclass
class SchemaSet:
    """The kinds one target version knows: the built-in API, the bundled CRDs, the user's CRDs."""

    version: str
    kinds: dict[str, str]
    defs: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)  # kind -> user CRD file

    def root(self, api_version: str, kind: str) -> Any:
        name = self.kinds.get(f"{api_version}/{kind}")
        return None if name is None else self.defs[name]


def schema_set(version: str, crds: CompactSchemas | None = None) -> SchemaSet:
    """The schemas of Kubernetes ``version`` (bundled), the bundled CRDs and ``crds`` on top."""
    builtin = _bundled(KUBERNETES_PREFIX + version)
    kinds = dict(builtin["kinds"])
    defs = dict(builtin["$defs"])
    for name in BUNDLED_CRDS:
        extra = _bundled(name)
        kinds.update(extra["kinds"])
        defs.update(extra["$defs"])
    sources: dict[str, str] = {}
    if crds is not None:
        kinds.update(crds.kinds)
        defs.update(crds.defs)
        sources.update(crds.origin)
    return SchemaSet(version, kinds, defs, sources)


# ---------------------------------------------------------------- the walker


class _Walker:
    """Checks values against compact nodes; collects violations with their paths."""

    def __init__(self, defs: Mapping[str, Any]) -> None:
        self.defs = defs
        self.found: list[tuple[PathLink, str, str, str | None]] = []

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self.defs[node["$ref"]]
        return node

    def report(self, path: PathLink, message: str, kind: str, suggestion: str | None = None) -> None:
        self.found.append((path, message, kind, suggestion))

    def check(self, value: Any, node: Any, path: PathLink) -> None:
        node = self.resolve(node)
        if value is None or not isinstance(node, dict) or not node:
            return  # null means "not set"; an empty node takes anything
        if not self._check_type(value, node, path):
            return
        if "enum" in node and value not in node["enum"]:
            # An enum of a built-in type keeps "" allowed (the API server defaults it): not worth listing.
            allowed = ", ".join(str(v) for v in node["enum"] if v != "")
            close = _suggest(str(value), {str(v): None for v in node["enum"] if v != ""})
            hint = f" (did you mean '{close}'?)" if close is not None and isinstance(value, str) else ""
            self.report(path, f"{_show(value)} is not one of: {allowed}{hint}", "value")
        if isinstance(value, str):
            self._check_string(value, node, path)
        elif isinstance(value, dict):
            self._check_object(value, node, path)
        elif isinstance(value, list):
            self._check_array(value, node, path)
        elif not isinstance(value, bool):
            self._check_number(value, node, path)
        for keyword in ("allOf", "anyOf", "oneOf"):
            if keyword in node:
                self._check_combined(value, node[keyword], keyword == "allOf", path)

    def _check_type(self, value: Any, node: dict[str, Any], path: PathLink) -> bool:
        if node.get("x-kubernetes-int-or-string"):
            if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
                return True
            self.report(path, f"expected an integer or text, got {_show_type(value)}", "type")
            return False
        form = node.get("format")
        if form == "quantity":
            return self._check_quantity(value, path)
        wanted = node.get("type")
        if wanted is None or _TYPE_TESTS[wanted](value):
            if form in _FORMAT_TESTS:
                problem = _FORMAT_TESTS[form](value)
                if problem:
                    self.report(path, problem, "value")
                    return False
            return True
        self.report(path, f"expected {_TYPE_NAMES[wanted]}, got {_show_type(value)}", "type")
        return False

    def _check_quantity(self, value: Any, path: PathLink) -> bool:
        if isinstance(value, str):
            if _QUANTITY.match(value):
                return True
            self.report(path, f"{_show(value)} is not a quantity (like 500m, 0.5, 2, 128Mi or 1G)", "value")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        else:
            self.report(path, f"expected a quantity (text or number), got {_show_type(value)}", "type")
        return False

    def _check_string(self, value: str, node: dict[str, Any], path: PathLink) -> None:
        if "maxLength" in node and len(value) > node["maxLength"]:
            self.report(path, f"{_show(value)} is longer than {node['maxLength']} characters", "value")
        if "minLength" in node and len(value) < node["minLength"]:
            self.report(path, f"{_show(value)} is shorter than {node['minLength']} characters", "value")
        if "pattern" in node and not _pattern_matches(node["pattern"], value):
            meaning = _PATTERN_MEANINGS.get(node["pattern"], f"does not match the pattern {node['pattern']}")
            self.report(path, f"{_show(value)} {meaning}", "value")

    def _check_number(self, value: float, node: dict[str, Any], path: PathLink) -> None:
        low, high = node.get("minimum"), node.get("maximum")
        if low is not None and (value <= low if node.get("exclusiveMinimum") else value < low):
            self.report(path, f"{value} is below the minimum {low}", "value")
        if high is not None and (value >= high if node.get("exclusiveMaximum") else value > high):
            self.report(path, f"{value} is above the maximum {high}", "value")

    def _check_array(self, value: list[Any], node: dict[str, Any], path: PathLink) -> None:
        if "maxItems" in node and len(value) > node["maxItems"]:
            self.report(path, f"has {len(value)} items, at most {node['maxItems']} are allowed", "value")
        if "minItems" in node and len(value) < node["minItems"]:
            self.report(path, f"has {len(value)} items, at least {node['minItems']} are needed", "value")
        items = node.get("items")
        if items is not None:
            for index, item in enumerate(value):
                self.check(item, items, (path, index))
        list_type = node.get("x-kubernetes-list-type")
        if list_type in ("map", "set"):
            self._check_unique(value, list_type, node.get("x-kubernetes-list-map-keys") or [], path)

    def _check_unique(self, value: list[Any], list_type: str, keys: list[str], path: PathLink) -> None:
        """The items of a list map are unique by their keys, those of a set by their value."""
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            if list_type == "map":
                if not isinstance(item, dict):
                    continue
                # protocol is the one map key with a default every Kubernetes list map shares.
                identity = {key: item.get(key, "TCP" if key == "protocol" else None) for key in keys}
                shown = ", ".join(f"{key}={_show(found)}" for key, found in identity.items())
            else:
                identity, shown = item, _show(item)
            text = json.dumps(identity, sort_keys=True, default=str)
            if text in seen:
                self.report((path, index), f"duplicate entry ({shown}): the same as item [{seen[text]}]", "duplicate")
            else:
                seen[text] = index

    def _check_object(self, value: dict[str, Any], node: dict[str, Any], path: PathLink) -> None:
        properties: dict[str, Any] = node.get("properties") or {}
        extra = node.get("additionalProperties")
        closed = node.get("type") == "object" and extra is None and not node.get("x-kubernetes-preserve-unknown-fields")
        embedded = node.get("x-kubernetes-embedded-resource")
        explained: set[str] = set()
        for key, item in value.items():
            if key in properties:
                self.check(item, properties[key], (path, key))
            elif isinstance(extra, dict):
                self.check(item, extra, (path, key))
            elif extra is False or (closed and not (embedded and key in ("apiVersion", "kind", "metadata"))):
                suggestion = _suggest(str(key), properties)
                if suggestion is not None:
                    explained.add(suggestion)
                self.report((path, key), "unknown field", "unknown", suggestion)
        for name in node.get("required", ()):
            # A misspelt key already says what is missing: "spec.selectr (did you mean 'selector'?)".
            if value.get(name) is None and name not in explained:
                self.report((path, name), "required field is missing", "required")
        if "maxProperties" in node and len(value) > node["maxProperties"]:
            self.report(path, f"has {len(value)} entries, at most {node['maxProperties']} are allowed", "value")

    def _check_combined(self, value: Any, nodes: list[Any], every: bool, path: PathLink) -> None:
        if every:
            for sub in nodes:
                self.check(value, sub, path)
            return
        best: list[tuple[PathLink, str, str, str | None]] | None = None
        for sub in nodes:
            trial = _Walker(self.defs)
            trial.check(value, sub, path)
            if not trial.found:
                return
            if best is None or len(trial.found) < len(best):
                best = trial.found
        self.found.extend(best or [])


def _suggest(key: str, properties: Mapping[str, Any]) -> str | None:
    close = difflib.get_close_matches(key, list(properties), n=1, cutoff=0.75)
    if close:
        return close[0]
    lowered = {name.lower(): name for name in properties}
    return lowered.get(key.lower())


def _pattern_matches(pattern: str, value: str) -> bool:
    # The API server matches patterns with RE2 (Go's regexp); so does pytemplar, in linear time.
    # Schemas whose patterns RE2 cannot read are refused when they are loaded (crds.py).
    try:
        return compiled_pattern(pattern)(value)
    except PatternError:
        return True  # not reached for a loaded schema; never matched with a backtracking engine


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": _is_int,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}
_TYPE_NAMES = {
    "object": "a map",
    "array": "a list",
    "string": "text",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


def _int32(value: Any) -> str | None:
    if _is_int(value) and not _INT32[0] <= value <= _INT32[1]:
        return f"{value} is out of range for a 32-bit integer"
    return None


def _base64(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return "is not base64-encoded data"
    return None


_FORMAT_TESTS: dict[str, Callable[[Any], str | None]] = {"int32": _int32, "byte": _base64}


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return repr(text[:60] + ("..." if len(text) > 60 else "")) if isinstance(value, str) else text[:60]


def _show_type(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"text {_show(value)}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    return "a map" if isinstance(value, dict) else "a list"


def _unlink(path: PathLink) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    while path is not None:
        path, part = path
        parts.append(part)
    return tuple(reversed(parts))


def validate_object(obj: Mapping[str, Any], schemas: SchemaSet) -> list[Violation] | None:
    """Every way ``obj`` differs from the schema of its kind; ``None`` when its kind has no schema."""
    root = schemas.root(str(obj.get("apiVersion")), str(obj.get("kind")))
    if root is None:
        return None
    walker = _Walker(schemas.defs)
    walker.check(obj, root, None)
    found = [Violation(_unlink(path), message, kind, suggestion) for path, message, kind, suggestion in walker.found]
    return found + _beyond_schema(obj)


def _beyond_schema(obj: Mapping[str, Any]) -> list[Violation]:
    """What the API server's validation code refuses and no schema states: a PersistentVolume's
    capacity names `storage` and nothing else (its schema allows any resource name)."""
    if obj.get("apiVersion") != "v1" or obj.get("kind") != "PersistentVolume":
        return []
    spec = obj.get("spec")
    capacity = spec.get("capacity") if isinstance(spec, dict) else None
    if not isinstance(capacity, dict):
        return []  # missing or of the wrong type: the schema walk reports it
    found = []
    for key in capacity:
        if key != "storage":
            suggestion = _suggest(str(key), {"storage": {}})
            message = "unknown field: a PersistentVolume's capacity holds storage only"
            found.append(Violation(("spec", "capacity", key), message, "unknown", suggestion))
    # A misspelt key already says what is missing (as in the schema walk).
    if "storage" not in capacity and not any(v.suggestion == "storage" for v in found):
        found.append(Violation(("spec", "capacity", "storage"), "required field is missing", "required"))
    return found


# ---------------------------------------------------------------- manifests to problems


def _reported_by_policies(manifest: Manifest, violation: Violation) -> bool:
    """Label and annotation values that are not text are reported by label-syntax/annotation-type."""
    if violation.kind != "type":
        return False
    path = violation.path
    if path[:2] in (("metadata", "labels"), ("metadata", "annotations")):
        return True
    if is_builtin(manifest) and manifest.kind != "CustomResourceDefinition":
        in_labels = (len(path) > 3 and path[-3:-1] == ("metadata", "labels")) or path[-2:-1] == ("matchLabels",)
        found, value = value_at(manifest.obj, path)
        return in_labels and found and not isinstance(value, (dict, list))  # label-syntax says "quote it"
    return has_template_labels(manifest.obj) and (
        path[:4] == ("spec", "template", "metadata", "labels") or path[:3] == ("spec", "selector", "matchLabels")
    )


# Lists of the built-in API whose duplicate entries the API server refuses; in the others (env,
# imagePullSecrets...) it keeps them, and the last one wins: a warning.
_UNIQUE_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers", "volumes", "volumeMounts"})


def _severity(manifest: Manifest, violation: Violation) -> Severity:
    if violation.kind != "duplicate" or not is_builtin(manifest):
        return "error"
    field = next((part for part in reversed(violation.path) if isinstance(part, str)), "")
    refused = field in _UNIQUE_LISTS or (manifest.kind == "Service" and violation.path[:2] == ("spec", "ports"))
    return "error" if refused else "warning"


def _is_removed_api(manifest: Manifest, version: str) -> bool:
    return removed_in(str(manifest.obj.get("apiVersion")), manifest.kind, _minor(version)) is not None


def _message(manifest: Manifest, violation: Violation) -> str:
    text = f"{manifest.describe()}: {violation.where()}: {violation.message}"
    if violation.suggestion is not None:
        text += f" (did you mean '{violation.suggestion}'?)"
    return text


def _hint(manifest: Manifest, violation: Violation, version: str) -> str:
    api = f"{manifest.obj.get('apiVersion')} {manifest.kind}"
    if violation.kind == "unknown":
        return f"{api} has no such field in Kubernetes {version}: correct its name or remove it"
    if violation.kind == "type":
        return f"write the type the {api} API of Kubernetes {version} expects (quote text, unquote numbers)"
    if violation.kind == "required":
        return f"{api} needs this field in Kubernetes {version}"
    if violation.kind == "duplicate":
        return "remove one of the two, or give them different keys"
    return f"the {api} API of Kubernetes {version} refuses this value"


# Where a rendered field's value was set, when that can be known: (manifest, field path, value) -> text.
Origin = Callable[[Manifest, tuple[str | int, ...], Any], str | None]


def check_manifest_schemas(
    manifests: Iterable[Manifest], schemas: SchemaSet, origin: Origin | None = None
) -> list[Problem]:
    """Problems of every manifest against the schemas of its target version (rule ``kube-schema``).

    ``origin`` says where a wrongly typed or refused value came from; it becomes a context line.
    """
    problems: list[Problem] = []
    for manifest in manifests:
        if not isinstance(manifest.obj.get("apiVersion"), str) or not manifest.kind:
            continue  # check_required_fields reports it
        violations = validate_object(manifest.obj, schemas)
        if violations is None:
            if not _is_removed_api(manifest, schemas.version):  # removed-api says what to use instead
                problems.append(_unvalidated(manifest, schemas.version))
            continue
        for violation in violations:
            if _reported_by_policies(manifest, violation):
                continue
            problems.append(
                Problem(
                    _message(manifest, violation),
                    location=manifest.location_of(violation.path),
                    hint=_hint(manifest, violation, schemas.version),
                    severity=_severity(manifest, violation),
                    release=manifest.release or None,
                    environment=manifest.environment,
                    context=_origin_context(manifest, violation, origin),
                    rule=RULE,
                    subject=manifest.describe(),
                )
            )
    return problems


def _origin_context(manifest: Manifest, violation: Violation, origin: Origin | None) -> tuple[str, ...]:
    if origin is None or violation.kind not in ("type", "value"):
        return ()
    found, value = value_at(manifest.obj, violation.path)
    said = origin(manifest, violation.path, value) if found else None
    return (said,) if said else ()


def _unvalidated(manifest: Manifest, version: str) -> Problem:
    api_version = str(manifest.obj.get("apiVersion"))
    return Problem(
        f"{manifest.describe()}: not validated: no schema for kind {manifest.kind} ({api_version}) "
        f"in Kubernetes {version} or the CRDs given",
        location=manifest.source,
        rule=RULE,
        subject=manifest.describe(),
        hint="give its CustomResourceDefinition with --crds DIR (or crds: in pytemplar.yaml), "
        "or correct apiVersion/kind if they are misspelt",
        severity="warning",
        release=manifest.release or None,
        environment=manifest.environment,
    )
