"""The rules an entity meets on its own: references, citations, statistics, dates; and, in a
version-2 file, its claims' vocabulary, `supersedes` and quotes against held texts."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from typing import Any

from cpkb.check.context import Context
from cpkb.check.nodes import Item, string_of
from cpkb.check.quotes import held_findings
from cpkb.check.rules import Finding
from cpkb.check.supersedes import claim_ids, supersedes_findings
from cpkb.check.vocabulary import claim_findings
from cpkb.kb.document import Path, brief
from cpkb.model import fields
from cpkb.model.fields import CLAIM_DATES

V2_DATES = fields.of_kind(fields.CLAIM, "date", "period")  # the dates of a version-2 claim


class EntityChecks:
    """References, repeated citations and statistics of entities (and in a version-2 file, the
    rules of `vocabulary`, `supersedes` and held texts), in the order reported.

    On the way it keeps what they cite and name (targets, stated_by: each once, in order), their
    claims' date findings, and what the rules that compare entities need of a version-2 one
    (`extra`). Ids None: every reference is taken to resolve, as when summarising an item alone.
    """

    def __init__(
        self, source_ids: set[str] | None, entity_ids: set[str] | None, context: Context
    ) -> None:
        self.source_ids, self.entity_ids, self.context = source_ids, entity_ids, context
        self.cited: dict[str, None] = {}
        self.targets: dict[str, None] = {}
        self.dates: list[Finding] = []
        self.extra: tuple[Any, ...] | None = None

    def check(self, at: Path, entity: dict[str, Any]) -> list[Finding]:
        cites: list[Finding] = []  # every unknown source comes first, then claim by claim
        later: list[Finding] = []
        self._cited(at, entity.get("sources"), cites)
        values: list[Item] | None = [] if entity.get("type") == "statistic" else None
        claims = entity.get("claims")
        claims = claims if isinstance(claims, list) else []
        for j, claim in enumerate(claims):
            if not isinstance(claim, dict):
                continue
            claim_at = (*at, "claims", j)
            self._cited(claim_at, claim.get("sources"), cites)
            later += self._claim(claim_at, claim, entity.get("id"))
            if values is not None and claim.get("property") == "value":
                values.append((claim_at, claim))
        if values is not None:
            later += statistic(at, values)
        if self.context.version == 2:
            later += self._version_2(at, entity, claims)
        return cites + later

    def _claim(self, at: Path, claim: dict[str, Any], own_id: object) -> list[Finding]:
        found: list[Finding] = []
        target = claim.get("target")
        if isinstance(target, str):
            self.targets[target] = None
        if (
            isinstance(target, str)
            and self.entity_ids is not None
            and target not in self.entity_ids
        ):
            found.append(
                Finding("E203", (*at, "target"), f"targets unknown entity {brief(target)}")
            )
        elif isinstance(target, str) and target == own_id:
            found.append(Finding("E204", (*at, "target"), "the claim targets its own entity"))
        if self.context.version == 2:
            found += self._stated_by(at, claim)
            found += claim_findings(at, claim, self.context)
        cited = claim.get("sources")
        if isinstance(cited, list) and len(cited) > 1:
            found += repeated_citations(at, cited)
        keys = V2_DATES if self.context.version == 2 else CLAIM_DATES
        if not claim.keys().isdisjoint(keys):
            self.dates += dates(at, claim, keys)
        return found

    def _stated_by(self, at: Path, claim: dict[str, Any]) -> Iterator[Finding]:
        stater = claim.get("stated_by")
        if isinstance(stater, str):
            self.targets[stater] = None
            if self.entity_ids is not None and stater not in self.entity_ids:
                message = f"is stated by unknown entity {brief(stater)}"
                yield Finding("E214", (*at, "stated_by"), message)

    def _version_2(self, at: Path, entity: dict[str, Any], claims: list[Any]) -> list[Finding]:
        """The rules within a version-2 entity that need all its claims; what the rules that
        compare entities need of it, in `extra`."""
        ids = claim_ids(entity.get("id"), claims)
        found, foreign = supersedes_findings(at, claims, ids)
        if self.context.texts:
            found += held_findings(at, entity, self.context.texts)
        vocabulary = self.context.vocabulary
        typed: list[tuple[int, str, str]] = []
        uses: dict[str, None] = {}
        for j, claim in enumerate(claims):
            name = string_of(claim, "property") if isinstance(claim, dict) else None
            target = claim.get("target") if isinstance(claim, dict) else None
            if name is not None:
                uses[name] = None
            spec = vocabulary.get(name) if name is not None else None
            if isinstance(target, str) and name and spec is not None and spec.types is not None:
                typed.append((j, target, name))
        former = entity.get("former_ids")
        former = tuple(dict.fromkeys(f for f in former if isinstance(f, str))) if isinstance(
            former, list) else ()  # fmt: skip
        kind = string_of(entity, "type") or ""
        self.extra = (tuple(ids), tuple(uses), former, kind, tuple(typed), tuple(foreign))
        return found

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


def dates(at: Path, node: dict[str, Any], keys: tuple[str, ...] = CLAIM_DATES) -> Iterator[Finding]:
    """29 February of a common year (the schema's pattern cannot tell), and reversed periods:
    `start` after `end`, or a `period` (in `keys`) that starts after it ends."""
    for key in keys:
        for part in (string_of(node, key) or "").split("/") if key == "period" else [
                string_of(node, key) or ""]:  # fmt: skip
            leap_day = _LEAP_DAY.fullmatch(part)
            if leap_day and not calendar.isleap(int(leap_day.group(1))):
                message = f"{leap_day.group(1)} is not a leap year: it has no 29 February"
                yield Finding("E207", (*at, key), message)
    start, end = string_of(node, "start") or "", string_of(node, "end") or ""
    if _reversed(start, end):
        yield Finding("W406", (*at, "start"), f"starts ({start}) after it ends ({end})")
    if "period" in keys:
        start, _, end = (string_of(node, "period") or "").partition("/")
        if _reversed(start, end):
            message = f"the period starts ({start}) after it ends ({end})"
            yield Finding("W406", (*at, "period"), message)


def _reversed(start: str, end: str) -> bool:
    n = min(len(start), len(end))
    return bool(n) and bool(_DATE.fullmatch(start) and _DATE.fullmatch(end)) and start[:n] > end[:n]
