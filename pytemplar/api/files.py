"""Validating plain Kubernetes manifests (``pytemplar validate -f``): files, folders or standard input.

The input is any YAML or JSON stream of Kubernetes objects, such as the output of ``helm template``
or ``kustomize build``. It is read as kubectl reads it and goes through the same checks as a
rendered project: the check table, the Kubernetes schemas of the target version, the CRDs of
``--crds`` folders and the CustomResourceDefinitions found in the input itself.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pytemplar.checks import CHECK_IDS, Selection, check_manifests, parse_ids, without_skipped
from pytemplar.errors import Location, Problem, PytemplarError, UsageError, display_path
from pytemplar.manifests import Manifest, list_items
from pytemplar.policies import DEFAULT_KUBE_VERSION

STDIN = "-"
STDIN_NAME = "<stdin>"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
MAX_INPUT_BYTES = 64 * 1024 * 1024  # the output of a big chart or overlay, not a values file


@dataclass
class FileValidation:
    """The problems of plain manifests, and what was read."""

    problems: list[Problem]
    files: list[str] = field(default_factory=list)
    objects: list[tuple[str, str]] = field(default_factory=list)  # (file, "Kind ns/name")
    checks: list[str] = field(default_factory=list)  # the ids of the checks run

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def summary_of(self, problems: Sequence[Problem]) -> str:
        """The closing line for people, over ``problems`` (the result's, or those made strict)."""
        errors = sum(1 for p in problems if p.severity == "error")
        warnings = len(problems) - errors
        counts = _count(errors, "error") + (f", {_count(warnings, 'warning')}" if warnings else "")
        checked = f"{_count(len(self.objects), 'object')} in {_count(len(self.files), 'file')}"
        return f"{'ok' if not errors else 'failed'}: {checked}; {counts}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def manifest_files(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """The files to read: each file named, and every *.yaml, *.yml and *.json below each folder
    (sorted, hidden entries left out); ``-`` is standard input, once."""
    return [name for name, _ in _inputs(paths)]


def _inputs(paths: Sequence[str | os.PathLike[str]]) -> list[tuple[str, bool]]:
    """Each file to read, and whether it was found in a folder rather than named."""
    found: list[tuple[str, bool]] = []
    for given in paths:
        text = os.fspath(given)
        if text == STDIN:
            found.append((STDIN, False))
            continue
        path = Path(text)
        if path.is_dir():
            below = [
                str(Path(folder) / name)
                for folder, folders, names in os.walk(path)
                for name in names
                if name.endswith(MANIFEST_SUFFIXES) and not name.startswith(".")
                if not any(part.startswith(".") for part in Path(folder).relative_to(path).parts)
            ]
            found.extend((name, True) for name in sorted(below))
        elif path.exists():
            found.append((text, False))
        else:
            raise UsageError(f"-f: no file or folder '{text}'")
    return list(dict(found).items())


def is_config_file(data: dict[str, Any]) -> bool:
    """Whether a document found in a folder is a tool's configuration beside the manifests, not a
    Kubernetes object: no apiVersion and no kind (values.yaml, Chart.yaml), or a Kustomization."""
    api_version = data.get("apiVersion")
    if "kind" not in data and ("apiVersion" not in data or "metadata" not in data):
        return True
    return isinstance(api_version, str) and api_version.startswith("kustomize.config.k8s.io/")


def read_manifests(name: str, text: str, in_folder: bool = False) -> tuple[list[Manifest], list[Problem]]:
    """The objects of one file (the items of lists as objects of their own) and its YAML problems;
    in a file found in a folder, tools' configuration files are left out (``is_config_file``)."""
    from pytemplar.yamlio import load_documents

    try:
        documents = load_documents(text, name, track=True, resolver="kubernetes")
    except PytemplarError as exc:
        if "{{" not in text:
            return [], exc.problems
        # A chart's template, not a manifest: say so rather than only what YAML makes of the braces.
        hint = "this looks like a template: validate what it renders to (helm template, pytemplar render)"
        return [], [replace(problem, hint=problem.hint or hint) for problem in exc.problems]
    manifests: list[Manifest] = []
    problems: list[Problem] = []
    for document in documents:
        if document.data is None:
            continue
        location = Location(name, document.line)
        if in_folder and isinstance(document.data, dict) and is_config_file(document.data):
            continue
        if not isinstance(document.data, dict):
            problems.append(
                Problem(
                    f"the document at line {document.line} is a {type(document.data).__name__}, "
                    "not a Kubernetes object",
                    location=location,
                )
            )
            continue
        objects = list_items(document.data)
        if len(objects) == 1 and objects[0] is document.data:
            manifests.append(Manifest(document.data, "", "", name, location, document.locations))
            continue
        flat = len(objects) == len(document.data["items"])  # a list of lists: items are not located
        for index, obj in enumerate(objects):  # the items of a list: their fields are under items[index]
            prefix = ("items", index)
            fields = {path[2:]: at for path, at in document.locations.items() if flat and path[:2] == prefix}
            manifests.append(Manifest(obj, "", "", name, fields.get((), location), fields or None))
    return manifests, problems


def _read(name: str, stdin: str | None) -> str:
    from pytemplar.fsroot import Root

    if name == STDIN:
        return stdin or ""
    path = Path(name)
    return Root.at(path.parent if str(path.parent) else Path(".")).read_text(path.name, limit=MAX_INPUT_BYTES)


def validate_files(
    paths: Sequence[str | os.PathLike[str]],
    *,
    stdin: str | None = None,
    kube_version: str | None = None,
    kube_schema: bool = True,
    crds: Sequence[str | os.PathLike[str]] = (),
    checks: Sequence[str] = (),
    skip_checks: Sequence[str] = (),
) -> FileValidation:
    """Every problem of the manifests in ``paths`` (files, folders, ``-`` for ``stdin``'s text).

    ``kube_version`` is the target Kubernetes version (default 1.35); ``crds`` are folders of CRDs
    or JSON Schemas, besides the CustomResourceDefinitions in the input; ``checks`` and
    ``skip_checks`` name checks to run or not (ids of ``pytemplar.checks.CHECKS``).
    """
    from pytemplar import kubeschema

    version = kubeschema.check_version_text(kube_version, "--kube-version") if kube_version else DEFAULT_KUBE_VERSION
    enable, disable = parse_ids(checks, "--check"), parse_ids(skip_checks, "--skip-check")
    selection = Selection.of(enable, disable)
    if not kube_schema:
        selection = Selection(selection.enabled - {"kube-schema"})
    inputs = _inputs(paths)
    names = [name for name, _ in inputs]
    if not names:
        raise UsageError("-f: no manifests found", hint="name files, folders of *.yaml files, or - for stdin")
    problems: list[Problem] = []
    manifests: list[Manifest] = []
    for name, in_folder in inputs:
        shown = STDIN_NAME if name == STDIN else name
        try:
            text = _read(name, stdin)
        except PytemplarError as exc:
            problems.extend(exc.problems)
            continue
        found, failed = read_manifests(shown, text, in_folder)
        manifests.extend(found)
        problems.extend(failed)
    problems.extend(check_manifests(manifests, selection, lambda _manifest: version))
    if "kube-schema" in selection:
        problems.extend(without_skipped(_schema_problems(manifests, version, crds), manifests))
    shown_names = [STDIN_NAME if name == STDIN else name for name in names]
    objects = [(display_path(m.source.path), m.describe()) for m in manifests]
    checks = [check for check in CHECK_IDS if check in selection]
    return FileValidation(sorted(problems, key=Problem.sort_key), shown_names, objects, checks)


def _schema_problems(
    manifests: Sequence[Manifest], version: str, folders: Sequence[str | os.PathLike[str]]
) -> list[Problem]:
    from pytemplar import kubeschema
    from pytemplar.crds import add_crd, load_crd_folders

    problems: list[Problem] = []
    custom = load_crd_folders([os.fspath(folder) for folder in folders], problems)
    for manifest in manifests:  # CRDs in the input describe the custom resources beside them
        if manifest.kind == "CustomResourceDefinition" and manifest.group == "apiextensions.k8s.io":
            add_crd(custom, manifest.obj, manifest.source.path)
    bundled = kubeschema.nearest_bundled(version)
    if bundled != version:
        problems.append(kubeschema.version_note(version, bundled, Location("--kube-version")))
    schemas = kubeschema.schema_set(bundled, custom)
    problems.extend(kubeschema.check_manifest_schemas(manifests, schemas))
    return problems
