"""Integrity rules and warnings over a parsed data file, however broken: pure, no I/O.

Each check looks only at the parts of the document that have the expected shape; the schema layer
reports the rest.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Generator, Iterator
from typing import Any

from cpkb.parse import Path, brief, json_path, walk
from cpkb.rules import Finding
from cpkb.text import compact, visible

Item = tuple[Path, dict[str, Any]]


def _items(node: object, key: str, base: Path = ()) -> list[Item]:
    """The objects of the array `node[key]`, with their paths."""
    items = node.get(key) if isinstance(node, dict) else None
    if not isinstance(items, list):
        return []
    return [((*base, key, i), item) for i, item in enumerate(items) if isinstance(item, dict)]


def _str(node: dict[str, Any], key: str) -> str | None:
    value = node.get(key)
    return value if isinstance(value, str) else None


def integrity_findings(document: object) -> Iterator[Finding]:
    """Duplicates, references, citations, statistics, dates, and the warnings."""
    sources, entities = _items(document, "sources"), _items(document, "entities")
    source_ids = yield from _ids(sources, "source")
    entity_ids = yield from _ids(entities, "entity")
    for at, entity in entities:
        yield from _references(at, entity, source_ids, entity_ids)
        yield from _statistic(at, entity)
    yield from _uncited(sources, entities)
    yield from _labels(entities)
    yield from _dates(document)
    yield from _control_characters(document)


def _ids(items: list[Item], kind: str) -> Generator[Finding, None, set[str]]:
    """Findings for repeated ids; returns the set of ids."""
    first: dict[str, Path] = {}
    for at, item in items:
        item_id = _str(item, "id")
        if item_id is not None and item_id in first:
            message = f"duplicate {kind} id {brief(item_id)} (first at {json_path(first[item_id])})"
            yield Finding("E201", (*at, "id"), message)
        elif item_id is not None:
            first[item_id] = at
    return set(first)


def citations(at: Path, entity: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every citation of an entity and of its claims, with its path."""
    yield from _items(entity, "sources", at)
    for claim_at, claim in _items(entity, "claims", at):
        yield from _items(claim, "sources", claim_at)


def _references(
    at: Path, entity: dict[str, Any], source_ids: set[str], entity_ids: set[str]
) -> Iterator[Finding]:
    for cite_at, citation in citations(at, entity):
        source = _str(citation, "source")
        if source is not None and source not in source_ids:
            yield Finding("E202", (*cite_at, "source"), f"cites unknown source {brief(source)}")
    for claim_at, claim in _items(entity, "claims", at):
        target = _str(claim, "target")
        if target is not None and target not in entity_ids:
            yield Finding("E203", (*claim_at, "target"), f"targets unknown entity {brief(target)}")
        elif target is not None and target == entity.get("id"):
            yield Finding("E204", (*claim_at, "target"), "the claim targets its own entity")
        yield from _repeated_citations(claim_at, claim)


def _repeated_citations(at: Path, claim: dict[str, Any]) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for cite_at, citation in _items(claim, "sources", at):
        key = (_str(citation, "source") or "", _str(citation, "quote") or "")
        if key in seen and all(key):
            yield Finding("W407", cite_at, f"cites {brief(key[0])} with the same quote twice")
        seen.add(key)


def _statistic(at: Path, entity: dict[str, Any]) -> Iterator[Finding]:
    if entity.get("type") != "statistic":
        return
    values = [(p, c) for p, c in _items(entity, "claims", at) if c.get("property") == "value"]
    if not values:
        yield Finding("E205", (*at, "claims"), "the statistic has no 'value' claim")
    for claim_at, claim in values:
        if "unit" not in claim and "target" not in claim:
            yield Finding("E206", claim_at, "the statistic's value has no 'unit'")
        number = claim.get("value")
        if isinstance(number, (str, bool)):  # other non-numbers are the schema's to report
            yield Finding("W405", (*claim_at, "value"), f"{brief(number)} is not a number")


def _uncited(sources: list[Item], entities: list[Item]) -> Iterator[Finding]:
    cited = {
        _str(citation, "source") for at, entity in entities for _, citation in citations(at, entity)
    }
    for at, source in sources:
        source_id = _str(source, "id")
        if source_id is not None and source_id not in cited:
            yield Finding("W401", at, f"source {brief(source_id)} is never cited")


def _labels(entities: list[Item]) -> Iterator[Finding]:
    owners: dict[str, str] = {}  # compact label -> id of the first entity it names
    for at, entity in entities:
        entity_id, name = _str(entity, "id"), _str(entity, "name")
        aliases = entity.get("aliases")
        aliases = aliases if isinstance(aliases, list) else []
        labels = [((*at, "name"), name)] + [((*at, "aliases", i), a) for i, a in enumerate(aliases)]
        for label_at, label in labels:
            if not isinstance(label, str) or not (key := compact(label)):
                continue
            if label_at[-2] == "aliases" and name is not None and key == compact(name):
                yield Finding("W402", label_at, f"the alias {brief(label)} is the name again")
                continue
            owner = owners.setdefault(key, entity_id or "")
            if owner != (entity_id or ""):
                message = (
                    f"{brief(label)} also names entity {brief(owner)}: references are ambiguous"
                )
                yield Finding("W403", label_at, message)


_LEAP_DAY = re.compile(r"(\d{4})-02-29")


def _dates(document: object) -> Iterator[Finding]:
    """29 February of a common year (the schema's pattern cannot tell), and reversed periods."""
    dated = _items(document, "sources")
    for at, entity in _items(document, "entities"):
        dated += _items(entity, "claims", at)
    for at, node in dated:
        for key in ("date", "start", "end"):
            leap_day = _LEAP_DAY.fullmatch(_str(node, key) or "")
            if leap_day and not calendar.isleap(int(leap_day.group(1))):
                message = f"{leap_day.group(1)} is not a leap year: it has no 29 February"
                yield Finding("E207", (*at, key), message)
        start, end = _str(node, "start") or "", _str(node, "end") or ""
        n = min(len(start), len(end))
        if n and _DATE.fullmatch(start) and _DATE.fullmatch(end) and start[:n] > end[:n]:
            yield Finding("W406", (*at, "start"), f"starts ({start}) after it ends ({end})")


_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _control_characters(document: object) -> Iterator[Finding]:
    reported: set[Path] = set()
    for at, value in walk(document):
        if isinstance(value, str) and at not in reported and visible(value) != value:
            shown = sorted({visible(c) for c in value if visible(c) != c})
            message = f"holds control characters ({', '.join(shown[:5])}), shown escaped"
            reported.add(at)
            yield Finding("W404", at, message)


FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\u00a0": " ", "\u202f": " ",
    }
)  # fmt: skip


def normalise(text: str) -> str:
    """Text as quotes are compared: typographic quotes, dashes and white space folded, no case."""
    return re.sub(r"\s+", " ", text.translate(FOLD)).strip().casefold()


def quote_findings(
    document: object, *, source_id: str, text: str, label: str
) -> tuple[int, list[Finding]]:
    """How many quotes cite `source_id`, and a finding for each one not found in `text`."""
    haystack, count, findings = normalise(text), 0, []
    for at, entity in _items(document, "entities"):
        for cite_at, citation in citations(at, entity):
            quote = _str(citation, "quote")
            if _str(citation, "source") != source_id or quote is None:
                continue
            count += 1
            if normalise(quote) not in haystack:
                message = f"quote not found in {label}: {brief(quote, 80)}"
                findings.append(Finding("E301", (*cite_at, "quote"), message))
    return count, findings
