"""The rules an entity meets on its own: references, citations, statistics, dates."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from typing import Any

from cpkb.check.nodes import Item, string_of
from cpkb.check.rules import Finding
from cpkb.kb.document import Path, brief
from cpkb.model.fields import CLAIM_DATES


class EntityChecks:
    """References, repeated citations and statistics of entities, in the order reported.

    On the way it keeps what they cite and target (each once, in order) and their claims' date
    findings. Ids None: every reference is taken to resolve, as when summarising an item alone.
    """

    def __init__(self, source_ids: set[str] | None, entity_ids: set[str] | None) -> None:
        self.source_ids, self.entity_ids = source_ids, entity_ids
        self.cited: dict[str, None] = {}
        self.targets: dict[str, None] = {}
        self.dates: list[Finding] = []

    def check(self, at: Path, entity: dict[str, Any]) -> list[Finding]:
        cites: list[Finding] = []  # every unknown source comes first, then claim by claim
        later: list[Finding] = []
        self._cited(at, entity.get("sources"), cites)
        own_id, entity_ids, dates_found = entity.get("id"), self.entity_ids, self.dates
        values: list[Item] | None = [] if entity.get("type") == "statistic" else None
        claims = entity.get("claims")
        for j, claim in enumerate(claims if isinstance(claims, list) else ()):
            if not isinstance(claim, dict):
                continue
            claim_at = (*at, "claims", j)
            cited = claim.get("sources")
            self._cited(claim_at, cited, cites)
            target = claim.get("target")
            if isinstance(target, str):
                self.targets[target] = None
            if isinstance(target, str) and entity_ids is not None and target not in entity_ids:
                message = f"targets unknown entity {brief(target)}"
                later.append(Finding("E203", (*claim_at, "target"), message))
            elif isinstance(target, str) and target == own_id:
                message = "the claim targets its own entity"
                later.append(Finding("E204", (*claim_at, "target"), message))
            if isinstance(cited, list) and len(cited) > 1:
                later += repeated_citations(claim_at, cited)
            if values is not None and claim.get("property") == "value":
                values.append((claim_at, claim))
            if "date" in claim or "start" in claim or "end" in claim:
                dates_found += dates(claim_at, claim)
        if values is not None:
            later += statistic(at, values)
        return cites + later

    def _cited(self, at: Path, cited: object, findings: list[Finding]) -> None:
        if not isinstance(cited, list):
            return
        known, seen = self.source_ids, self.cited
        for k, citation in enumerate(cited):
            source = citation.get("source") if isinstance(citation, dict) else None
            if isinstance(source, str):
                seen[source] = None
                if known is not None and source not in known:
                    message = f"cites unknown source {brief(source)}"
                    findings.append(Finding("E202", (*at, "sources", k, "source"), message))


def repeated_citations(at: Path, cited: list[Any]) -> Iterator[Finding]:
    """W407: the same source and quote cited twice by one claim."""
    seen: set[tuple[str, str]] = set()
    for k, citation in enumerate(cited):
        if not isinstance(citation, dict):
            continue
        key = (string_of(citation, "source") or "", string_of(citation, "quote") or "")
        if key in seen and all(key):
            message = f"cites {brief(key[0])} with the same quote twice"
            yield Finding("W407", (*at, "sources", k), message)
        seen.add(key)


def statistic(at: Path, values: list[Item]) -> Iterator[Finding]:
    """The rules of a statistic, given its claims of property 'value'."""
    if not values:
        yield Finding("E205", (*at, "claims"), "the statistic has no 'value' claim")
    for claim_at, claim in values:
        if "unit" not in claim and "target" not in claim:
            yield Finding("E206", claim_at, "the statistic's value has no 'unit'")
        number = claim.get("value")
        if isinstance(number, (str, bool)):  # other non-numbers are the schema's to report
            yield Finding("W405", (*claim_at, "value"), f"{brief(number)} is not a number")


_LEAP_DAY = re.compile(r"(\d{4})-02-29")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def dates(at: Path, node: dict[str, Any]) -> Iterator[Finding]:
    """29 February of a common year (the schema's pattern cannot tell), and reversed periods."""
    for key in CLAIM_DATES:
        leap_day = _LEAP_DAY.fullmatch(string_of(node, key) or "")
        if leap_day and not calendar.isleap(int(leap_day.group(1))):
            message = f"{leap_day.group(1)} is not a leap year: it has no 29 February"
            yield Finding("E207", (*at, key), message)
    start, end = string_of(node, "start") or "", string_of(node, "end") or ""
    n = min(len(start), len(end))
    if n and _DATE.fullmatch(start) and _DATE.fullmatch(end) and start[:n] > end[:n]:
        yield Finding("W406", (*at, "start"), f"starts ({start}) after it ends ({end})")
