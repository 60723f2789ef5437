"""Values that no template reads: the likely typos of overlays.

A key set by a project, environment, release or command-line layer that no template read
while rendering, and that the app's schema does not describe, is almost always a misspelt
key (``replicaCont``) whose intended value silently never arrives. Keys are judged per file
over every release rendered in the run: a key is used when any release that reads its file
uses it.

The check cannot run for an app whose templates read ``values`` as a whole (``toyaml(values)``,
a loop over ``values``) and whose schema does not close its top level: every key then counts
as used. That is said once per app, as a warning, rather than passing silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from pytemplar.errors import Location, Problem, Severity
from pytemplar.records import field, record
from pytemplar.schema import CompiledSchema
from pytemplar.templating.engine import ReadLog
from pytemplar.values import ROLLOUT_KEY, ValuePath, ValuesLayer, format_path, iter_leaves, value_at


@record(frozen=False)
class UnusedValues:
    """Collects, release by release, the keys of values files that nothing used."""

    candidates: dict[tuple[str, ValuePath], Problem] = field(default_factory=dict)
    used: dict[str, set[ValuePath]] = field(default_factory=dict)  # file -> its paths some template used
    # Files every key of which is used: later releases have nothing to add, so they are skipped
    # and their paths forgotten (a run of thousands of releases would otherwise keep them all).
    settled: set[str] = field(default_factory=set)
    blind: dict[str, Problem] = field(default_factory=dict)  # app defaults file -> why the check cannot run

    def record(
        self,
        layers: Sequence[ValuesLayer],
        values: dict[str, Any],
        log: ReadLog,
        schema: CompiledSchema | None,
        *,
        release: str,
        environment: str,
    ) -> None:
        if log.uses(()) and not _rejects_unknown_keys(schema):
            self._note_blind(layers, release, environment)
        for layer in layers:
            if layer.kind == "defaults" or layer.source in self.settled:
                continue
            if self._record_layer(layer, values, log, schema, release, environment):
                self.settled.add(layer.source)
                del self.used[layer.source]

    def _note_blind(self, layers: Sequence[ValuesLayer], release: str, environment: str) -> None:
        defaults = next((layer for layer in layers if layer.kind == "defaults"), None)
        if defaults is None or defaults.source in self.blind:
            return
        self.blind[defaults.source] = Problem(
            "a template reads 'values' as a whole, so a misspelt key in a values file of this app "
            "cannot be told from a used one: that check does not run",
            location=Location(defaults.source),
            hint="read values key by key in the templates, or close the top level of values.schema.json "
            "(list the keys under properties, with additionalProperties: false)",
            severity="warning",
            release=release,
            environment=environment,
        )

    def _record_layer(
        self,
        layer: ValuesLayer,
        values: dict[str, Any],
        log: ReadLog,
        schema: CompiledSchema | None,
        release: str,
        environment: str,
    ) -> bool:
        """Note what this release used of ``layer``; whether every key of it is now known to be used."""
        used = self.used.setdefault(layer.source, set())
        settled = True
        read_keys: dict[ValuePath, list[str]] = {}  # parent path -> its keys a template read
        for path, value in iter_leaves(layer.data):
            if not path or value is None or path[0] == ROLLOUT_KEY or path in used:
                continue  # a deletion; read by the rollout stage, not by templates; or used before
            if not value_at(values, path)[0]:
                settled = False  # replaced by a higher layer here, perhaps not in another release
                continue
            if log.uses(path) or (schema is not None and schema.declares(path)):
                # Whatever holds a used value is not a typo either.
                for end in range(1, len(path) + 1):
                    used.add(path[:end])
                    self.candidates.pop((layer.source, path[:end]), None)
                continue
            settled = False
            # Report the outermost key nothing was read under: the typo is usually there.
            top = next(p for end in range(1, len(path) + 1) if not log.touches(p := path[:end]) or p == path)
            top_key = (layer.source, top)
            if top not in used and top_key not in self.candidates:
                self.candidates[top_key] = Problem(
                    f"'{format_path(top, '')}' is not used by any template",
                    location=layer.key_locations.get(top) or layer.locations.get(top),
                    hint=_suggest(top, values, log, read_keys),
                    release=release,
                    environment=environment,
                )
        return settled

    def merge(self, later: UnusedValues) -> None:
        """Take in what ``later`` recorded, from empty, for the releases after this one's: the
        result is what this collector would hold had it recorded those releases itself."""
        for key, problem in later.candidates.items():
            source, path = key
            if source not in self.settled and path not in self.used.get(source, ()):
                self.candidates.setdefault(key, problem)  # an earlier release's report stays first
        self.settled.update(later.settled)
        for source, problem in later.blind.items():
            self.blind.setdefault(source, problem)
        for source, paths in later.used.items():
            if source not in self.settled:
                self.used.setdefault(source, set()).update(paths)
        for source in self.settled:
            self.used.pop(source, None)
        self.candidates = {
            (source, path): problem
            for (source, path), problem in self.candidates.items()
            if source not in self.settled and path not in self.used.get(source, ())
        }

    def problems(self, severity: Severity) -> list[Problem]:
        return [*self.blind.values()] + [
            Problem(p.message, p.location, p.hint, severity, p.release, p.environment)
            for (source, path), p in self.candidates.items()
            if path not in self.used.get(source, ())
        ]


MAX_SUGGESTIONS = 100  # keys compared with an unused one: bounds the time on huge maps


def _suggest(path: ValuePath, values: dict[str, Any], log: ReadLog, read_keys: dict[ValuePath, list[str]]) -> str:
    """A hint for an unused key: the read key it is close to, if any. ``read_keys`` keeps the read
    keys of each parent map, so that thousands of unused keys in one map cost linear time."""
    name = path[-1]
    parent_path = path[:-1]
    found, parent = value_at(values, parent_path)
    if isinstance(name, str) and found and isinstance(parent, dict):
        read = read_keys.get(parent_path)
        if read is None:
            read = read_keys[parent_path] = [key for key in parent if log.uses((*parent_path, key))]
        if len(read) > MAX_SUGGESTIONS:  # compare with those of the same first letter only
            read = [key for key in read if key[:1] == name[:1]][:MAX_SUGGESTIONS]
        import difflib  # only for a value no template reads

        close = difflib.get_close_matches(name, [key for key in read if key != name], n=1, cutoff=0.6)
        if close:
            return f"did you mean '{close[0]}'?"
    return "remove it, or describe it in the app's values.schema.json if templates read it indirectly"


_NO_SUCH_KEY = "\0no such key"  # a key no schema names: whether the top level is open
_closed: dict[int, tuple[Any, bool]] = {}  # id of a schema document -> (the document, its answer)


def _rejects_unknown_keys(schema: CompiledSchema | None) -> bool:
    """Whether the schema refuses a top-level key it does not name (then the schema finds typos)."""
    if schema is None:
        return False
    document = schema.schema
    cached = _closed.get(id(document))
    if cached is not None and cached[0] is document:
        return cached[1]
    import jsonschema

    from pytemplar.patterns import use_in_jsonschema

    use_in_jsonschema()  # patternProperties are the user's: matched in linear time
    validator = jsonschema.validators.validator_for(document)(document)
    refused = any(
        not error.absolute_path and error.validator in ("additionalProperties", "unevaluatedProperties")
        for error in validator.iter_errors({_NO_SUCH_KEY: None})
    )
    _closed[id(document)] = (document, refused)
    return refused


@cache
def _invisible() -> re.Pattern[str]:
    # compiled on first use (~0.25 ms): only a value that is not ASCII is searched
    return re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def invisible_characters(values: dict[str, Any]) -> list[tuple[ValuePath, str]]:
    """Strings holding zero-width or bidirectional control characters, with a message each."""
    found: list[tuple[ValuePath, str]] = []
    for path, value in iter_leaves(values):
        # Every such character is outside ASCII, and isascii() costs far less than a search.
        match = _invisible().search(value) if isinstance(value, str) and not value.isascii() else None
        if match:
            code = f"U+{ord(match.group()):04X}"
            found.append((path, f"{format_path(path)} holds an invisible or bidirectional character ({code})"))
    return found
