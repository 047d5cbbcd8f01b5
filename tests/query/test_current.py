"""What is current at a date and known by another: the six rules, at the edges of dates of
each precision, on a version-2 fixture (tests/data/good/v2-time.json)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cpkb.kb.store import load
from cpkb.model.entities import KnowledgeBase
from cpkb.query.current import Reading, assess, conflicting
from cpkb.query.time import as_of, span

DATA = Path(__file__).resolve().parents[1] / "data" / "good" / "v2-time.json"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load(DATA)


def states(kb: KnowledgeBase, entity: str, *, day: str, known: str | None = None) -> dict[str, str]:
    reading = Reading.asked(
        as_of=as_of(day, "--as-of"), known=as_of(known, "--known-by") if known else None
    )
    found = assess(
        kb.entities[entity], sources=kb.sources, properties=kb.properties, reading=reading
    )
    return {row.id: row.status for row in found}


def test_dates_cover_their_precision() -> None:
    assert span("2026") == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert span("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert span("2025-02-29") is None and span("26") is None


@pytest.mark.parametrize(
    ("day", "coordinated", "approved"),
    [
        ("2026-01-26", "current", "not_yet"),  # the day before it starts
        ("2026-01-27", "superseded", "current"),  # it starts on the day asked
        ("2026-01", "superseded", "current"),  # a month: as of its last day
        ("2025", "current", "not_yet"),
    ],
)
def test_a_status_superseded_from_the_day_its_successor_holds(
    kb: KnowledgeBase, day: str, coordinated: str, approved: str
) -> None:
    found = states(kb, "children-programme", day=day)
    assert (found["cp-coordinated"], found["cp-approved"]) == (coordinated, approved)


def test_a_superseded_claim_comes_back_when_its_successor_is_not_yet_known(
    kb: KnowledgeBase,
) -> None:
    found = states(kb, "children-programme", day="2026-12-01", known="2025-12-31")
    assert found["cp-coordinated"] == "current"
    assert found["cp-approved"] == "unknown"  # its only source is dated 2026-01-27
    assert found["cp-budget-usd"] == "unknown"  # undated sources count as unknown


@pytest.mark.parametrize(
    ("day", "old", "new"),
    [
        ("2024-12-31", "current", "not_yet"),  # `end: 2024` lasts to the end of 2024
        ("2025-01-01", "ended", "not_yet"),
        ("2025-02-28", "ended", "not_yet"),  # the day before it starts
        ("2025-03-01", "ended", "current"),
    ],
)
def test_tenures_at_the_edges(kb: KnowledgeBase, day: str, old: str, new: str) -> None:
    found = states(kb, "a-person", day=day)
    assert (found["ap-old-post"], found["ap-new-post"]) == (old, new)


def test_a_series_keeps_its_latest_point(kb: KnowledgeBase) -> None:
    assert states(kb, "the-rate", day="2026") == {
        "rate-2019": "earlier", "rate-2024": "current", "rate-undated": "current",
    }  # fmt: skip
    assert states(kb, "the-rate", day="2023")["rate-2019"] == "current"
    assert states(kb, "the-rate", day="2023")["rate-2024"] == "not_yet"


def test_preferred_hides_normal_and_deprecated_is_never_current(kb: KnowledgeBase) -> None:
    assert states(kb, "law-x", day="2026") == {
        "lx-administrative": "current", "lx-criminal": "outranked", "lx-civil": "deprecated",
    }  # fmt: skip


def conflicts_of(kb: KnowledgeBase, entity: str) -> dict[str, list[str]]:
    rows = assess(kb.entities[entity], sources=kb.sources, properties=kb.properties,
                  reading=Reading(dt.date(2026, 12, 7)))  # fmt: skip
    return {p: [r.id for r in found] for p, found in conflicting(rows, kb.properties).items()}


def test_conflicts_are_shown_never_resolved(kb: KnowledgeBase) -> None:
    # An undated value beside a dated one: two current values of a single-valued property.
    assert conflicts_of(kb, "the-rate") == {"value": ["rate-2024", "rate-undated"]}
    # Values in different units are not compared.
    assert conflicts_of(kb, "children-programme") == {}
    # A disputed claim is listed, beside what is current, even when a preferred one hides it.
    assert conflicts_of(kb, "law-x") == {"liability_kind": ["lx-administrative", "lx-criminal"]}
