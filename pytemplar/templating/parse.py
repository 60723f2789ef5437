"""Parsing rendered templates into manifests, each value placed by the parser.

The rendered text holds a token for each slot; libyaml parses it and :class:`SlotPlacer` puts
each value where its token landed. Problems name the template line the user must edit (and the
values path when one value is at fault), never a line of text nobody wrote.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from pytemplar.errors import Location, ManifestError, Problem, PytemplarError, TemplateError, YamlError
from pytemplar.manifests import FieldOrigins, Manifest, list_items
from pytemplar.templating.engine import RenderedFile
from pytemplar.templating.lines import Mark, offset_of_line, template_location, template_location_of_line
from pytemplar.templating.slots import (
    MARKER,
    TOKEN,
    Fragment,
    Slot,
    SlotPlacer,
    SlotRefusal,
    YamlText,
    as_text,
    slot_location,
    slot_where,
    token_spans,
)
from pytemplar.values import ValuePath, format_path
from pytemplar.yamlio import EventCache, ScalarRewriter, YamlDocument, load_documents, python_parser

CONTEXT_LINES = 2
_SHOWN = 60  # characters of a value shown in an excerpt


def parse_slotted(text: str, path: str, slots: Sequence[Slot], *, track: bool = False) -> list[YamlDocument]:
    """The documents of ``text``, each token replaced by its slot's value (see ``slots.py``)."""
    slotted = SlotPlacer(text, list(slots))
    placer = ScalarRewriter(MARKER, slotted.place, slotted.whole)
    try:
        return load_documents(text, path, track=track, resolver="kubernetes", rewriter=placer, events=_EVENTS)
    except YamlError as exc:
        if _FLOW_COLON not in exc.problems[0].message:
            raise
    # libyaml (YAML 1.1) refuses a ':' inside a plain scalar in a flow collection
    # ({image: postgres:15}); YAML 1.2 and Kubernetes' reader take it as text.
    return load_documents(text, path, track=track, resolver="kubernetes", rewriter=placer, parser_class=python_parser)


_FLOW_COLON = "found unexpected ':'"
# A template renders the same text for many releases (the values are in the slots, not the text).
_EVENTS = EventCache()


def readable(text: str, slots: Sequence[Slot]) -> str:
    """Rendered text as a user can read it: each token shown as its value's text, on one line."""

    def shown(found: Any) -> str:
        try:
            value = as_text(slots[int(found.group(1))][0], strict=False)
        except Exception:  # a value that is not data: shown by its slot's position
            return "{{ ... }}"
        value = value.replace("\n", "\\n")
        return value if len(value) <= _SHOWN else value[:_SHOWN] + "..."

    return TOKEN.sub(shown, text)


def _excerpt(text: str, line: int) -> tuple[str, ...]:
    lines = text.split("\n")
    start = max(line - 1 - CONTEXT_LINES, 0)
    end = min(line + CONTEXT_LINES, len(lines))
    return tuple(
        f"{'>' if number == line else ' '} {number:4d} | {lines[number - 1]}" for number in range(start + 1, end + 1)
    )


def _slot_at(rendered: RenderedFile, line: int, column: int) -> Slot | None:
    """The slot whose token starts at a rendered position (where a placed value's events are)."""
    offset = offset_of_line(rendered.text, line) + column - 1
    found = TOKEN.match(rendered.text, offset)
    return rendered.slots[int(found.group(1))] if found else None


ValuesOrigin = Callable[[ValuePath], Location | None]


def _set_at(slot: Slot | None, values_origin: ValuesOrigin | None) -> tuple[str, ...]:
    """The context line naming the values file and line a slot's value came from."""
    if slot is None or slot[3] is None or values_origin is None:
        return ()
    where = values_origin(slot[3])
    return (f"the value is {format_path(slot[3])}, set at {where}",) if where is not None else ()


def _refusal(exc: SlotRefusal, values_origin: ValuesOrigin | None) -> Problem:
    slot = exc.slot
    return Problem(
        f"cannot place the value{slot_where(slot)} here: {exc}",
        location=slot_location(slot),
        hint="change the template where this {{ }} stands, or the value",
        context=_set_at(slot, values_origin),
    )


def _yaml_problem(
    rendered: RenderedFile, problem: Problem, values_origin: ValuesOrigin | None, what: str = "rendered output"
) -> Problem:
    line = problem.location.line if problem.location and problem.location.line else 1
    column = problem.location.column if problem.location and problem.location.column else 1
    where = template_location_of_line(rendered.text, rendered.marks, line, column, rendered.path)
    message = problem.message.removeprefix("invalid YAML: ")
    slot = _slot_at(rendered, line, column)
    hint = problem.hint
    block = None
    if slot is None or isinstance(slot[0], YamlText):
        from pytemplar.hints import misplaced_block

        block = misplaced_block(message, line, rendered.text.split("\n"), rendered.slots)
    if block is not None:  # toyaml text placed where it breaks the YAML around it
        slot = None
        where, message, hint = slot_location(block[0]), block[1], block[2]
    elif slot is not None:
        where = slot_location(slot)
        if isinstance(slot[0], (dict, list, tuple)) and message.startswith("key '"):
            kind = "map" if isinstance(slot[0], dict) else "list"
            message, hint = f"a {kind} cannot be a key", "place it as a value, or write one of its items as the key"
        elif message.endswith(_NO_COLON):
            hint = _KEY_EXPECTED
        message = f"the value{slot_where(slot)} placed here: {message}"
    return Problem(
        f"{what} is not valid YAML at {'rendered' if what == 'rendered output' else 'its'} line {line}: {message}",
        location=where,
        hint=hint or "check the indentation and quoting of the template around this line",
        context=(*_set_at(slot, values_origin), *_excerpt(readable(rendered.text, rendered.slots), line)),
    )


_NO_COLON = "could not find expected ':'"
_KEY_EXPECTED = (
    "a {{ }} places one value, never lines of YAML: write it after its key (`key: {{ ... }}`); the YAML "
    "a macro or call block writes is placed under its key with fromyaml (`key: {{ caller() | fromyaml }}`)"
)


def document_location(rendered: RenderedFile, marks: Sequence[Mark], line: int) -> Location:
    return template_location(rendered.text, marks, offset_of_line(rendered.text, line), rendered.path)


class RenderedOrigins:
    """Where each field of one rendered document was written: the rendered position the parser
    reported for it, mapped to the slot whose token stands there or to the template line."""

    __slots__ = ("locations", "rendered")

    def __init__(self, rendered: RenderedFile, locations: dict[tuple[str | int, ...], Location]) -> None:
        self.rendered = rendered
        self.locations = locations

    def _rendered_at(self, path: tuple[str | int, ...]) -> tuple[Location, int] | None:
        """Where the nearest located node on ``path`` was rendered, and how much of ``path`` it is."""
        for end in range(len(path), -1, -1):
            found = self.locations.get(path[:end])
            if found is not None:
                return found, end
        return None

    def _slot(self, at: Location) -> Slot | None:
        return _slot_at(self.rendered, at.line or 1, at.column or 1)

    def location_of(self, path: tuple[str | int, ...]) -> Location | None:
        found = self._rendered_at(path)
        if found is None:
            return None
        at, end = found
        slot = self._slot(at)
        if slot is not None:
            # A value a helper's YAML made (| fromyaml) knows the template line of each node in it.
            inner = getattr(slot[0], "origins", None)
            inside = inner.location_of(path[end:]) if isinstance(inner, FragmentOrigins) else None
            return inside or slot_location(slot)
        rendered = self.rendered
        return template_location_of_line(rendered.text, rendered.marks, at.line or 1, at.column or 1, rendered.path)

    def values_path_of(self, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
        """The values path of the slot at ``path``. A map or list is located at its key, so its
        first item says whether a slot placed it (every node of a placed value is at its token);
        the caller compares the values, which tells a placed map from one holding a slot."""
        at = self.locations.get(path)
        slot = self._slot(at) if at is not None else None
        if slot is None:
            first = next((where for found, where in self.locations.items() if found[:-1] == path), None)
            slot = self._slot(first) if first is not None else None
        return slot[3] if slot is not None else None


class FieldLocator(Protocol):
    """What renders a release again to say where its fields were written (the run's session)."""

    def field_origins(self, environment: str, release: str) -> Mapping[tuple[str, int], RenderedOrigins]:
        """The origins of each rendered document of the release, by (template, index in its file)."""


_LOCATORS: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
_NEXT_LOCATOR = itertools.count(1)


def register_locator(locator: FieldLocator) -> int:
    """A number naming ``locator`` in this process and in the workers it forks."""
    key = next(_NEXT_LOCATOR)
    _LOCATORS[key] = locator
    return key


class ReleaseOrigins:
    """Where each field of one rendered object was written, worked out when a message first asks.

    Keeping every field's position for every object of a run costs time and memory, and messages
    about rendered objects are rare: the checks that run over all objects (labels, names,
    selectors) find an object's field through this handle, which renders its release again with
    positions kept (the same values, the same templates, so the same text). It is a few names,
    so a worker sends it to the parent with the object, and the parent's session answers."""

    __slots__ = ("document", "environment", "found", "locator", "release", "template")

    def __init__(
        self,
        locator: int,
        environment: str,
        release: str,
        template: str,
        document: int,
        found: RenderedOrigins | None = None,
    ) -> None:
        self.locator = locator
        self.environment = environment
        self.release = release
        self.template = template
        self.document = document
        self.found = found

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReleaseOrigins, (self.locator, self.environment, self.release, self.template, self.document))

    def forgotten(self) -> ReleaseOrigins:
        """The same handle without the positions found so far (to free them)."""
        return ReleaseOrigins(self.locator, self.environment, self.release, self.template, self.document)

    def _origins(self) -> RenderedOrigins | None:
        if self.found is None:
            locator = _LOCATORS.get(self.locator)
            if locator is None:  # the session is gone (objects kept by a library caller)
                return None
            self.found = locator.field_origins(self.environment, self.release).get((self.template, self.document))
        return self.found

    def location_of(self, path: tuple[str | int, ...]) -> Location | None:
        origins = self._origins()
        return origins.location_of(path) if origins is not None else None

    def values_path_of(self, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
        origins = self._origins()
        return origins.values_path_of(path) if origins is not None else None


class FragmentOrigins:
    """Where each node of the YAML a helper wrote was written, worked out when first asked for:
    a message about a manifest is rare, and parsing again with locations costs little then."""

    __slots__ = ("marks", "origins", "path", "slots", "source")

    def __init__(self, fragment: Fragment, path: str) -> None:
        # The fragment's text and the slots it holds, not the fragment: its list of slots is the
        # template's, which will hold the map this describes; the map, these origins and the list
        # would be a reference cycle, and every value of the render freed only by the collector.
        self.source = fragment.source
        self.slots = fragment.slots[: _slots_used(fragment.source)]
        self.marks = fragment.marks
        self.path = path
        self.origins: RenderedOrigins | None = None

    def location_of(self, path: tuple[str | int, ...]) -> Location | None:
        if self.origins is None:
            rendered = RenderedFile("", self.path, self.source, self.slots, self.marks)
            (document,) = parse_slotted(self.source, self.path, self.slots, track=True)
            self.origins = RenderedOrigins(rendered, document.locations)
        return self.origins.location_of(path)


def _slots_used(source: str) -> int:
    """How many of a fragment's slots its text uses: one past the highest token in it."""
    return max((index + 1 for _, _, index in token_spans(source)), default=0)


class YamlMap(dict[str, Any]):
    """A map parsed from a helper's YAML (``| fromyaml``): ``origins`` says which template line
    wrote each node in it, for messages about the manifest it is placed in."""

    __slots__ = ("origins",)
    origins: FragmentOrigins


class YamlList(list[Any]):
    """A list parsed from a helper's YAML; see :class:`YamlMap`."""

    __slots__ = ("origins",)
    origins: FragmentOrigins


def parse_fragment(fragment: Fragment, what: str) -> Any:
    """The one YAML document of a helper's text (``what`` names the filter), each ``{{ }}`` in it
    placed like any other; a problem names the template line that wrote the text at fault."""
    path = f"<{what}>"
    try:
        documents = parse_slotted(fragment.source, path, fragment.slots)
    except SlotRefusal as exc:
        problem = _refusal(exc, None)
        raise TemplateError(problem.message, problems=[problem]) from None
    except PytemplarError as exc:
        rendered = RenderedFile("", path, fragment.source, fragment.slots, fragment.marks)
        problem = _yaml_problem(rendered, exc.problems[0], None, f"the text given to {what}")
        raise TemplateError(problem.message, problems=[problem]) from None
    if len(documents) > 1:
        where = template_location(
            fragment.source, fragment.marks, offset_of_line(fragment.source, documents[1].line), path
        )
        raise TemplateError(f"{what}: the text holds more than one YAML document", location=where)
    if not documents:
        return None
    data = documents[0].data
    if isinstance(data, (dict, list)):
        made: YamlMap | YamlList = YamlMap(data) if isinstance(data, dict) else YamlList(data)
        made.origins = FragmentOrigins(fragment, path)
        return made
    return data


def document_origins(files: Iterable[RenderedFile]) -> dict[tuple[str, int], RenderedOrigins]:
    """Where each field of each object of ``files`` was written, by (template, document index)."""
    found: dict[tuple[str, int], RenderedOrigins] = {}
    for rendered in files:
        try:
            documents = parse_slotted(rendered.text, rendered.path, rendered.slots, track=True)
        except PytemplarError:
            continue  # reported when the release rendered
        for index, document in enumerate(documents):
            if isinstance(document.data, dict):
                found[rendered.template, index] = RenderedOrigins(rendered, document.locations)
    return found


def parse_rendered(
    files: Iterable[RenderedFile],
    release: str,
    environment: str,
    problems_to: list[Problem] | None = None,
    *,
    track: bool = False,
    values_origin: ValuesOrigin | None = None,
    locator: int | None = None,
) -> list[Manifest]:
    """Every non-empty YAML document of every rendered file (the items of a ``List``); all
    problems at once.

    With ``problems_to``, the problems are added to it and the objects of the files that parsed are
    returned, so ``validate`` checks them too; otherwise they are raised together. ``track`` keeps,
    with each manifest, where each of its fields was written (for field-level messages);
    ``values_origin`` says where a values path was set, for messages about one value; with
    ``locator`` (see :func:`register_locator`), an object parsed without them still finds where
    its fields were written when a message asks (:class:`ReleaseOrigins`)."""
    manifests: list[Manifest] = []
    problems: list[Problem] = []
    for rendered in files:
        template = f"templates/{rendered.template}"
        try:
            documents = parse_slotted(rendered.text, rendered.path, rendered.slots, track=track)
        except SlotRefusal as exc:
            problems.append(_refusal(exc, values_origin))
            continue
        except PytemplarError as exc:
            problems.append(_yaml_problem(rendered, exc.problems[0], values_origin))
            continue
        for index, document in enumerate(documents):
            if document.data is None:
                continue
            where = document_location(rendered, rendered.marks, document.line)
            if not isinstance(document.data, dict):
                problems.append(
                    Problem(
                        f"rendered document at rendered line {document.line} is a "
                        f"{type(document.data).__name__}, not a Kubernetes object",
                        location=where,
                        context=_excerpt(readable(rendered.text, rendered.slots), document.line),
                    )
                )
                continue
            objects = list_items(document.data)
            if len(objects) == 1 and objects[0] is document.data:
                found = RenderedOrigins(rendered, document.locations) if track else None
                origins: FieldOrigins | None = found
                if locator is not None:
                    origins = ReleaseOrigins(locator, environment, release, rendered.template, index, found)
                manifests.append(Manifest(document.data, release, environment, template, where, origins=origins))
            else:  # the items of a List: their paths are not the document's
                manifests.extend(Manifest(obj, release, environment, template, where) for obj in objects)
    if problems and problems_to is None:
        raise ManifestError.collect(problems)
    if problems_to is not None:
        problems_to.extend(problems)
    return manifests
