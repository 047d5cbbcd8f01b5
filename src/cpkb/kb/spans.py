"""Where the parts of a canonically laid out data file lie, found without parsing it.

In the canonical layout (kb.layout) an entity is the lines from `    {` to `    }`, its first
key its id; a claim's id is a line at ten spaces. A string cannot hold a raw line break, so
these lines are structure wherever they appear. A file that is not laid out so (or whose
header or entity differs from its canonical form) raises NotCanonical, and the write reads
the whole file instead.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from cpkb.kb import layout

ENTITIES = b'\n  "entities": ['
OPEN = ENTITIES + b"\n"
CLOSE = b"\n  ]\n}\n"
EMPTY = b'\n  "entities": []\n}\n'
ENTITY_START = b'\n    {\n      "id": '
ENTITY_END = b"\n    }"
CLAIM_ID = b'\n          "id": '
SEPARATOR = b",\n"


class NotCanonical(Exception):
    """The file is not in the canonical layout: read it whole."""


def quoted(text: str) -> bytes:
    """A string as JSON writes it."""
    return orjson.dumps(text)


class Span(NamedTuple):
    start: int  # of `    {`
    end: int  # just past `    }`


class Parts:
    """A canonical file's header (parsed: everything but the entities) and where its entities
    lie; each entity is parsed only when asked for."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.cut = raw.find(ENTITIES)
        if self.cut < 0:
            raise NotCanonical("no entities array at the canonical indent")
        if raw.endswith(EMPTY) and self.cut == len(raw) - len(EMPTY):
            self.first, self.last = -1, -1  # no entity
        elif raw.startswith(OPEN, self.cut) and raw.endswith(CLOSE):
            self.first, self.last = self.cut + len(OPEN), len(raw) - len(CLOSE)
        else:
            raise NotCanonical("the entities array does not end the file as laid out")
        self.header = self._header()

    def _header(self) -> dict[str, Any]:
        prefix = self.raw[: self.cut]
        try:
            header = orjson.loads(prefix + EMPTY)
        except orjson.JSONDecodeError:
            raise NotCanonical("the header does not read alone") from None
        if not isinstance(header, dict) or header_bytes(header) != prefix:
            raise NotCanonical("the header is not laid out canonically")
        del header["entities"]
        return header

    def find(self, entity_id: str) -> Span | None:
        """Where the entity with this id lies."""
        if self.first < 0:
            return None
        at = self.raw.find(ENTITY_START + quoted(entity_id) + b",\n", self.cut)
        return None if at < 0 else self.span_at(at + 1)

    def span_at(self, start: int) -> Span:
        """The span of the entity starting at `start` (at its `    {`)."""
        end = self.raw.find(ENTITY_END, start) + len(ENTITY_END)
        following = self.raw[end : end + 2]
        if end < len(ENTITY_END) or (following != SEPARATOR and end != self.last):
            raise NotCanonical("an entity does not end as laid out")
        return Span(start, end)

    def around(self, offset: int) -> Span | None:
        """The span of the entity that holds the byte at `offset`."""
        if self.first < 0 or not self.first <= offset < self.last:
            return None
        start = self.raw.rfind(ENTITY_START, self.cut, offset + 1)
        return None if start < 0 else self.span_at(start + 1)

    def entity(self, span: Span) -> dict[str, Any]:
        """The entity at `span`, parsed; NotCanonical if its bytes are not its canonical form."""
        data = self.raw[span.start : span.end]
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError:
            raise NotCanonical("an entity does not read alone") from None
        if (
            not isinstance(doc, dict)
            or not layout.in_order(doc)
            or layout.entity_bytes(doc) != data
        ):
            raise NotCanonical("an entity is not laid out canonically")
        return doc

    def occurrences(self, needle: bytes) -> list[int]:
        """Where `needle` occurs among the entities."""
        if self.first < 0:
            return []
        found, at = [], self.raw.find(needle, self.cut)
        while 0 <= at < self.last:
            found.append(at)
            at = self.raw.find(needle, at + 1)
        return found

    def index(self, span: Span) -> int:
        """The position of the entity at `span` in the entities array."""
        return self.raw.count(ENTITY_START, self.cut, span.start)

    def spans(self) -> dict[str, Span]:
        """Every entity's span, by id (read from its first line)."""
        found: dict[str, Span] = {}
        for at in self.occurrences(ENTITY_START):
            line_end = self.raw.find(b"\n", at + len(ENTITY_START))
            entity_id = orjson.loads(self.raw[at + len(ENTITY_START) : line_end - 1])
            found[entity_id] = self.span_at(at + 1)
        return found


_EMPTY_TAIL = EMPTY[:-1]  # an empty entities array closing the file, without its last newline


def header_bytes(header: dict[str, Any]) -> bytes:
    """The bytes of a canonical file before its entities (`...,` up to the entities line)."""
    whole = layout.dumps(layout.ordered_header({**header, "entities": []}))
    cut = whole.rfind(_EMPTY_TAIL)
    if cut < 0 or cut + len(_EMPTY_TAIL) != len(whole):
        raise NotCanonical("entities is not the last key")
    return whole[:cut]


def render(
    parts: Parts, header: dict[str, Any], replaced: dict[Span, bytes | None], added: list[bytes]
) -> bytes:
    """The file with a new header, the entities at `replaced` spans replaced (None: removed),
    and `added` entities appended: every other byte as it was."""
    chunks: list[bytes | memoryview] = []
    view, at = memoryview(parts.raw), parts.first
    for span in sorted(replaced):
        if span.start > at:
            chunks.append(view[at : span.start - len(SEPARATOR)])
        new = replaced[span]
        if new is not None:
            chunks.append(new)
        at = span.end + len(SEPARATOR)
    if parts.first >= 0 and at < parts.last:
        chunks.append(view[at : parts.last])
    chunks += added
    head = header_bytes(header)
    if not chunks:
        return head + EMPTY
    return b"".join([head, OPEN, SEPARATOR.join(chunks), CLOSE])
