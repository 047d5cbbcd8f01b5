"""The JSON contract of `timeline` (dated claims in order) and `conflicts` (where sources
disagree)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from cpkb.model.entities import Entity, KnowledgeBase
from cpkb.present.views import View, assessed, claim_view, ref_view
from cpkb.query.current import Assessed, Reading, conflicting
from cpkb.query.time import Span, point, span


class Window(NamedTuple):
    """The span of dates a timeline covers (either end open)."""

    since: dt.date | None = None
    until: dt.date | None = None

    def holds(self, when: Span, end: Span | None) -> bool:
        """Whether a point (or a span from it to `end`) meets the window."""
        last = end.last if end is not None else when.last
        if self.since is not None and last < self.since:
            return False
        return self.until is None or when.first <= self.until


ALWAYS = Window()


def timeline_view(
    kb: KnowledgeBase, entities: Iterable[Entity], reading: Reading, window: Window = ALWAYS
) -> list[View]:
    """`cpkb timeline --json`: the dated claims a reader could know, earliest first."""
    found: list[tuple[tuple[dt.date, dt.date, int], View]] = []
    for entity in entities:
        for row in assessed(kb, entity, reading):
            when = point(row.claim)
            end = span(row.claim.end) if row.claim.end is not None else None
            if row.known and when is not None and window.holds(when, end):
                found.append(((when.first, when.last, len(found)), _event(kb, entity, row)))
    return [view for _, view in sorted(found, key=lambda pair: pair[0])]


def _event(kb: KnowledgeBase, entity: Entity, row: Assessed) -> View:
    claim = row.claim
    return {
        "date": claim.date if claim.date is not None else claim.start,
        "end": claim.end,
        "entity": ref_view(entity),
        "claim": claim_view(kb, row),
    }


def conflicts_view(kb: KnowledgeBase, entities: Iterable[Entity], reading: Reading) -> list[View]:
    """`cpkb conflicts --json`: for each entity and single-valued property, the current claims
    that disagree, and every disputed claim; each claim with its sources."""
    found: list[View] = []
    for entity in entities:
        rows = assessed(kb, entity, reading)
        for name, claims in conflicting(rows, kb.properties).items():
            found.append({
                "entity": ref_view(entity),
                "property": name,
                "claims": [claim_view(kb, row) for row in claims],
            })  # fmt: skip
    return found
