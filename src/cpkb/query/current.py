"""Which claims are current at a date, and which a reader could have known by another: the
rules README states, applied in order, with no silent guessing.

(1) With a known-by date, only citations of sources dated by then count, and a claim left with
none is not known at all. (2) A claim is current only if it holds at the date asked, (3) is not
deprecated, and (4) is superseded by no claim that passed (1)-(3). (5) Of a series, only the
latest dated point is current. (6) Of one property, preferred claims hide normal ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import NamedTuple

from cpkb.model.entities import Citation, Claim, Entity, Property, Source, claim_id
from cpkb.query.time import holds_at, known_by, point, today


class Reading(NamedTuple):
    """What a reader asks: the day claims are current at, and what could be known by when."""

    day: dt.date
    known_by: dt.date | None = None

    @classmethod
    def asked(cls, *, as_of: dt.date | None = None, known: dt.date | None = None) -> Reading:
        """--as-of and --known-by as given: with --known-by alone, the day is that date."""
        day = as_of if as_of is not None else known if known is not None else today()
        return cls(day, known)


class Assessed(NamedTuple):
    """A claim as a reader sees it: whether it is known, current, and the citations that count."""

    id: str
    claim: Claim
    known: bool
    current: bool
    citations: tuple[Citation, ...]


def cited(claim: Claim, sources: Mapping[str, Source], reading: Reading) -> tuple[Citation, ...]:
    """The claim's citations a reader could have known (all of them without a known-by date)."""
    if reading.known_by is None:
        return claim.sources
    day = reading.known_by
    return tuple(
        c for c in claim.sources if c.source in sources and known_by(sources[c.source].date, day)
    )


def assess(
    entity: Entity,
    *,
    sources: Mapping[str, Source],
    properties: Mapping[str, Property],
    reading: Reading,
) -> list[Assessed]:
    """Each claim of `entity`, in order, with whether it is known and current."""
    ids = [claim_id(entity.id, n, c) for n, c in enumerate(entity.claims)]
    citations = [cited(c, sources, reading) for c in entity.claims]
    known = [bool(found) for found in citations]
    alive = [
        k and holds_at(c, reading.day) and c.rank != "deprecated"
        for k, c in zip(known, entity.claims, strict=True)
    ]
    superseded = {
        old for c, a in zip(entity.claims, alive, strict=True) if a for old in c.supersedes
    }
    current = [a and i not in superseded for a, i in zip(alive, ids, strict=True)]
    _latest_of_series(entity.claims, current, properties)
    _preferred_first(entity.claims, current)
    return [
        Assessed(*row) for row in zip(ids, entity.claims, known, current, citations, strict=True)
    ]


def _latest_of_series(
    claims: tuple[Claim, ...], current: list[bool], properties: Mapping[str, Property]
) -> None:
    """Of the current dated points of a series, keep only the latest."""
    latest: dict[str, dt.date] = {}
    for claim, now in zip(claims, current, strict=True):
        spec = properties.get(claim.property)
        when = point(claim)
        if now and spec is not None and spec.series and when is not None:
            latest[claim.property] = max(latest.get(claim.property, when.last), when.last)
    for n, claim in enumerate(claims):
        when = point(claim)
        if current[n] and claim.property in latest and when is not None:
            current[n] = when.last == latest[claim.property]


def _preferred_first(claims: tuple[Claim, ...], current: list[bool]) -> None:
    """Of one property, a current preferred claim hides the current normal ones."""
    preferred = {
        c.property for c, now in zip(claims, current, strict=True) if now and c.rank == "preferred"
    }
    for n, claim in enumerate(claims):
        if current[n] and claim.property in preferred and claim.rank != "preferred":
            current[n] = False


def value_key(claim: Claim) -> tuple[str, object]:
    """What two claims of one property are compared by: the target, or the value in its unit."""
    if claim.target is not None:
        return "target", claim.target
    return f"unit:{claim.unit or ''}", claim.value


def conflicting(
    assessed: list[Assessed], properties: Mapping[str, Property]
) -> dict[str, list[Assessed]]:
    """Single-valued properties with current claims of different values in one unit (values in
    different units are never compared), and every claim whose rank_reason is `disputed`."""
    found: dict[str, list[Assessed]] = {}
    by_property: dict[str, list[Assessed]] = {}
    for row in assessed:
        spec = properties.get(row.claim.property)
        if row.current and spec is not None and spec.single:
            by_property.setdefault(row.claim.property, []).append(row)
    for name, rows in by_property.items():
        units: dict[str, set[object]] = {}
        for row in rows:
            kind, value = value_key(row.claim)
            units.setdefault(kind, set()).add(repr(value))
        if any(len(values) > 1 for values in units.values()):
            found[name] = rows
    for row in assessed:
        if row.known and row.claim.rank_reason == "disputed":
            rows = found.setdefault(row.claim.property, [])
            if row not in rows:
                rows.append(row)
    return found
