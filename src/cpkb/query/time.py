"""Dates at their precision (a year, a month or a day) and when a claim holds.

A date of year or month precision covers a span of days: `2026` is 1 January to 31 December
2026. A statement holds from the first day of its `start` to the last day of its `end`; a claim
with only a `date` holds from that date on; a `period` (a span a figure covers) never limits
when a claim holds. "As of" a date of lower precision means as of its last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from collections.abc import Iterable
from typing import NamedTuple

from cpkb.errors import UsageProblem
from cpkb.model.entities import Claim

TODAY_ENV = "CPKB_TODAY"
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)


class Span(NamedTuple):
    """The first and last day a date at its precision covers."""

    first: dt.date
    last: dt.date


def span(text: str) -> Span | None:
    """The days `text` (YYYY, YYYY-MM or YYYY-MM-DD) covers; None if it is not such a date."""
    found = _DATE.fullmatch(text)
    if found is None:
        return None
    parts = [int(part) for part in found.groups() if part is not None]  # "00" is no month
    try:
        first = dt.date(*parts, *[1] * (3 - len(parts)))
        if len(parts) == 3:
            return Span(first, first)
        if len(parts) == 2:
            return Span(first, first.replace(day=calendar.monthrange(*parts)[1]))
        return Span(first, first.replace(month=12, day=31))
    except ValueError:
        return None


def asked(text: str, option: str) -> Span:
    """The days a command-line date covers; a usage error if it is not a date."""
    found = span(text)
    if found is None:
        hint = "a date is YYYY, YYYY-MM or YYYY-MM-DD"
        raise UsageProblem(f"{option} {text!r} is not a date", hint=hint)
    return found


def as_of(text: str, option: str) -> dt.date:
    """The day a command-line date means when asking what held: its last day."""
    return asked(text, option).last


def today() -> dt.date:
    """Today, or the day $CPKB_TODAY pins (so that tests and examples do not follow the clock)."""
    pinned = os.environ.get(TODAY_ENV)
    if pinned:
        return as_of(pinned, TODAY_ENV)
    return dt.date.today()


def holds_at(claim: Claim, day: dt.date) -> bool:
    """Whether the claim holds on `day`: started (or dated) by then, and not ended before it."""
    begins = claim.start if claim.start is not None else claim.date
    if begins is not None:
        first = span(begins)
        if first is not None and first.first > day:
            return False
    return not ended(claim, day)


def ended(claim: Claim, day: dt.date) -> bool:
    """Whether the claim's `end` is before `day`."""
    last = span(claim.end) if claim.end is not None else None
    return last is not None and last.last < day


def known_by(source_date: str | None, day: dt.date) -> bool:
    """Whether a source of this date was out by `day` (an undated source counts as unknown; one
    dated at a lower precision, by the last day of its span)."""
    if source_date is None:
        return False
    found = span(source_date)
    return found is not None and found.last <= day


def point(claim: Claim) -> Span | None:
    """The claim's point in time, which orders a series and a timeline."""
    when = claim.date if claim.date is not None else claim.start
    return None if when is None else span(when)


def steady(claims: Iterable[Claim], day: dt.date) -> Span:
    """The days around `day` on which each of `claims` holds or not as on `day` (both ends
    included): what is current, read at any of them, is what it is at `day`."""
    first, last = dt.date.min, dt.date.max
    for claim in claims:
        begins = claim.start if claim.start is not None else claim.date
        starts = span(begins) if begins is not None else None
        changes = [starts.first] if starts is not None else []
        ends = span(claim.end) if claim.end is not None else None
        if ends is not None and ends.last < dt.date.max:
            changes.append(ends.last + dt.timedelta(days=1))
        for change in changes:  # the first day on which the claim holds, or no longer does
            if change <= day:
                first = max(first, change)
            else:
                last = min(last, change - dt.timedelta(days=1))
    return Span(first, last)
