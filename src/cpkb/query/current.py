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
from cpkb.query.time import as_of, ended, holds_at, known_by, point, span, today


class Reading(NamedTuple):
    """What a reader asks: the day claims are current at, and what could be known by when."""

    day: dt.date
    known_by: dt.date | None = None

    @classmethod
    def asked(cls, *, as_of: dt.date | None = None, known: dt.date | None = None) -> Reading:
        """--as-of and --known-by as given: with --known-by alone, the day is that date."""
        day = as_of if as_of is not None else known if known is not None else today()
        return cls(day, known)


class TimeOptions(NamedTuple):
    """The time options of a reading command, as given: --as-of, --known-by, --all, --current."""

    as_of: str | None = None
    known_by: str | None = None
    every: bool = False
    current: bool = False

    def reading(self) -> Reading:
        """The reading asked for (a date that is not one is a usage error)."""
        return Reading.asked(
            as_of=as_of(self.as_of, "--as-of") if self.as_of is not None else None,
            known=as_of(self.known_by, "--known-by") if self.known_by is not None else None,
        )

    def only_current(self, as_json: bool) -> bool:
        """Whether only current links are followed: in human output unless --all, and in JSON
        with --current."""
        return self.current or not (as_json or self.every)


class Assessed(NamedTuple):
    """A claim as a reader sees it: whether it is known, current (else `status` says why not),
    and the citations that count."""

    id: str
    claim: Claim
    known: bool
    current: bool
    citations: tuple[Citation, ...]
    status: str = "current"


# Why a claim is not current, in the order the rules are applied.
UNKNOWN, NOT_YET, ENDED, DEPRECATED = "unknown", "not_yet", "ended", "deprecated"
SUPERSEDED, EARLIER, OUTRANKED = "superseded", "earlier", "outranked"


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
    """Each claim of `entity`, in order, with whether it is known and current (or why not)."""
    claims = entity.claims
    ids = [claim_id(entity.id, n, c) for n, c in enumerate(claims)]
    citations = [cited(c, sources, reading) for c in claims]
    status = [_alive(c, bool(cit), reading.day) for c, cit in zip(claims, citations, strict=True)]
    replaced = {
        old for c, s in zip(claims, status, strict=True) if s == CURRENT for old in c.supersedes
    }
    status = [
        SUPERSEDED if s == CURRENT and i in replaced else s
        for s, i in zip(status, ids, strict=True)
    ]
    _mark(status, _latest_of_series(claims, status, properties), EARLIER)
    _mark(status, _preferred_first(claims, status), OUTRANKED)
    rows = zip(ids, claims, citations, status, strict=True)
    return [Assessed(i, c, s != UNKNOWN, s == CURRENT, cit, s) for i, c, cit, s in rows]


CURRENT = "current"


def _alive(claim: Claim, known: bool, day: dt.date) -> str:
    """Steps (1)-(3): CURRENT, or why not."""
    if not known:
        return UNKNOWN
    if claim.rank == "deprecated":
        return DEPRECATED
    if not holds_at(claim, day):
        return ENDED if ended(claim, day) else NOT_YET
    return CURRENT


def _mark(status: list[str], hidden: set[int], why: str) -> None:
    for n in hidden:
        status[n] = why


def _latest_of_series(
    claims: tuple[Claim, ...], status: list[str], properties: Mapping[str, Property]
) -> set[int]:
    """(5) The current dated points of a series that a later one makes history."""
    latest: dict[str, dt.date] = {}
    for claim, now in zip(claims, status, strict=True):
        spec = properties.get(claim.property)
        when = point(claim)
        if now == CURRENT and spec is not None and spec.series and when is not None:
            latest[claim.property] = max(latest.get(claim.property, when.last), when.last)
    return {
        n
        for n, claim in enumerate(claims)
        if status[n] == CURRENT
        and claim.property in latest
        and (when := point(claim)) is not None
        and when.last != latest[claim.property]
    }


def _preferred_first(claims: tuple[Claim, ...], status: list[str]) -> set[int]:
    """(6) The current normal claims of a property that a current preferred one hides."""
    preferred = {
        c.property
        for c, s in zip(claims, status, strict=True)
        if s == CURRENT and c.rank == "preferred"
    }
    return {
        n
        for n, claim in enumerate(claims)
        if status[n] == CURRENT and claim.property in preferred and claim.rank != "preferred"
    }


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
        name = row.claim.property
        if row.known and row.claim.rank_reason == "disputed" and name not in found:
            found[name] = _disputed(assessed, name, properties.get(name))
    return found


def _disputed(assessed: list[Assessed], name: str, spec: Property | None) -> list[Assessed]:
    """The disputed claims of a property, beside its current ones when it is single-valued
    (else those say other things, and are not in dispute)."""
    single = spec is not None and bool(spec.single)
    return [
        r
        for r in assessed
        if r.claim.property == name
        and ((single and r.current) or (r.known and r.claim.rank_reason == "disputed"))
    ]


class Statuses:
    """Each claim's status to one reading (CURRENT, or why not), its entity assessed once: what
    a walk over links asks of every claim it meets."""

    def __init__(
        self, sources: Mapping[str, Source], properties: Mapping[str, Property], reading: Reading
    ) -> None:
        self.sources, self.properties, self.reading = sources, properties, reading
        # By the objects themselves (kept, so that their ids stay theirs): an index may read
        # one entity twice, into two objects.
        self._seen: dict[int, tuple[Entity, dict[int, str]]] = {}

    def __call__(self, entity: Entity, claim: Claim) -> str:
        found = self._seen.get(id(entity))
        if found is None:
            rows = assess(entity, sources=self.sources, properties=self.properties,
                          reading=self.reading)  # fmt: skip
            found = self._seen[id(entity)] = (entity, {id(row.claim): row.status for row in rows})
        return found[1].get(id(claim), UNKNOWN)


FIRST_DAY, LAST_DAY = dt.date.min.toordinal(), dt.date.max.toordinal()


def current_spans(
    entity: Entity, properties: Mapping[str, Property]
) -> list[list[tuple[int, int]]]:
    """For each claim of `entity`, the days (as ordinals, first and last of each span) on which
    it is current, read with no known-by date. The rules' answer changes only on a day a claim
    starts or the day after one ends, so one assessment per span between such days tells all."""
    plain = all(
        c.start is None and c.date is None and c.end is None and c.rank in (None, "normal")
        and not c.supersedes
        for c in entity.claims
    )  # fmt: skip
    if plain:  # always valid, none ranked, none replaced: current if cited
        return [[(FIRST_DAY, LAST_DAY)] if c.sources else [] for c in entity.claims]
    firsts = sorted({FIRST_DAY, *(day for c in entity.claims for day in _turns(c))})
    spans: list[list[tuple[int, int]]] = [[] for _ in entity.claims]
    for k, first in enumerate(firsts):
        last = firsts[k + 1] - 1 if k + 1 < len(firsts) else LAST_DAY
        reading = Reading(dt.date.fromordinal(first))
        rows = assess(entity, sources={}, properties=properties, reading=reading)
        for held, row in zip(spans, rows, strict=True):
            if row.current and held and held[-1][1] == first - 1:
                held[-1] = (held[-1][0], last)
            elif row.current:
                held.append((first, last))
    return spans


def _turns(claim: Claim) -> list[int]:
    """The days on which whether `claim` holds may change: its first day, the day after its last."""
    found = []
    begins = claim.start if claim.start is not None else claim.date
    if begins is not None and (first := span(begins)) is not None:
        found.append(first.first.toordinal())
    if claim.end is not None and (last := span(claim.end)) is not None and last.last < dt.date.max:
        found.append(last.last.toordinal() + 1)
    return found
