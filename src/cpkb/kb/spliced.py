"""A draft (kb.draft) over a canonically laid out file: it reads only the entities it is asked
for and renders the file with only their bytes replaced (kb.spans). Past a few lookups (an
import), it finds every entity and id in one pass instead."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from cpkb.kb import layout, spans
from cpkb.kb.draft import _MADE, Doc, Draft, copied, made_owner


class SplicedDraft(Draft):
    """A draft over a canonical file that reads only what it is asked for."""

    def __init__(self, raw: bytes) -> None:
        self.parts = spans.Parts(raw)
        super().__init__(self.parts.header)
        self._spans: dict[str, spans.Span | None] = {}
        self._every: dict[str, spans.Span] | None = None  # every entity's span, once needed
        self._ids: set[bytes] | None = None  # every `"id": ...` value (quoted), once needed
        self._parsed: dict[spans.Span, Doc] = {}
        self._asked = 0

    def _span(self, entity_id: str) -> spans.Span | None:
        if self._every is not None:
            return self._every.get(entity_id)
        if entity_id not in self._spans:
            self._asked += 1
            if self._asked > LOOKUPS:
                return self._all().get(entity_id)
            self._spans[entity_id] = self.parts.find(entity_id)
        return self._spans[entity_id]

    def _all(self) -> dict[str, spans.Span]:
        if self._every is None:
            self._every = self.parts.spans()
        return self._every

    def _stored(self, entity_id: str, *, shared: bool = False) -> Doc | None:
        span = self._span(entity_id)
        if span is None:
            return None
        if span not in self._parsed:
            self._parsed[span] = self.parts.entity(span)
        return self._parsed[span] if shared else copied(self._parsed[span])

    def _owners(self, needle: bytes) -> Iterator[str]:
        for at in self.parts.occurrences(needle):
            span = self.parts.around(at)
            if span is not None:
                yield str(self.parts.entity(span)["id"])

    def _stored_referrers(self, entity_id: str) -> Iterator[str]:
        quoted = spans.quoted(entity_id)
        for key in (b'"target": ', b'"stated_by": '):
            yield from self._owners(key + quoted)

    def _stored_claim_owner(self, claim_id: str) -> str | None:
        for owner in self._owners(spans.CLAIM_ID + spans.quoted(claim_id) + b",\n"):
            return owner
        made = _MADE.fullmatch(claim_id)
        entity = self._stored(made.group(1)) if made else None
        return made_owner(entity, claim_id)

    def _stored_mentions(self, text: str) -> bool:
        quoted = spans.quoted(text)
        if self._ids is None:
            self._asked += 1
            if self._asked <= LOOKUPS:
                return self.parts.raw.find(b'"id": ' + quoted) >= 0
            self._ids = set(_ID_VALUE.findall(self.parts.raw))
        return quoted in self._ids

    def index(self, entity_id: str) -> int:
        every = self._all()
        starts = [span.start for span in every.values()]  # in file order
        gone = sorted(s.start for k, c in self._changed.items()
                      if c.before and c.after is None and (s := every.get(k)))  # fmt: skip
        key = self._current.get(entity_id, entity_id)
        change = self._changed.get(key)
        span = every.get(key) if change is None or change.before is not None else None
        if span is not None:
            return bisect.bisect_left(starts, span.start) - bisect.bisect_left(gone, span.start)
        added = [k for k, c in self._changed.items() if c.before is None and c.after is not None]
        return len(starts) - len(gone) + added.index(key)

    def render(self) -> bytes:
        replaced: dict[spans.Span, bytes | None] = {}
        added: list[bytes] = []
        for key, change in self._changed.items():
            after = None if change.after is None else layout.entity_bytes(change.after)
            span = self._span(key) if change.before is not None else None
            if span is not None:
                replaced[span] = after
            elif after is not None:
                added.append(after)
        return spans.render(self.parts, self.header, replaced, added)


LOOKUPS = 16  # entities or ids looked for one by one; past this, all are found in one pass
_ID_VALUE = re.compile(rb'"id": ("(?:[^"\\]|\\.)*")')
