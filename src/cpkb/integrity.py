"""Integrity rules and warnings over a parsed data file, however broken: pure, no I/O.

Each check looks only at the parts of the document that have the expected shape; the schema layer
reports the rest. One pass over the entities and their claims gathers what every rule needs.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterator
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


def integrity_findings(document: object, *, strings: bool = True) -> list[Finding]:
    """Duplicates, references, citations, statistics, dates, and the warnings.

    With `strings=False`, strings are not searched for control characters: for a caller that
    knows there are none (see `may_hold_control_characters`).
    """
    sources, entities = _items(document, "sources"), _items(document, "entities")
    findings: list[Finding] = []
    source_ids = _ids(sources, "source", findings)
    entity_ids = _ids(entities, "entity", findings)
    checks = _EntityChecks(source_ids, entity_ids)
    for at, source in sources:
        checks.dates.extend(_dates(at, source))
    for at, entity in entities:
        checks.check(at, entity)
    findings += checks.findings
    findings += _uncited(sources, checks.cited)
    findings += _labels(entities)
    findings += checks.dates
    if strings:
        findings += _control_characters(document)
    return findings


def _ids(items: list[Item], kind: str, findings: list[Finding]) -> set[str]:
    """The set of ids; a finding for each repeated one."""
    first: dict[str, Path] = {}
    for at, item in items:
        item_id = _str(item, "id")
        if item_id is not None and item_id in first:
            message = f"duplicate {kind} id {brief(item_id)} (first at {json_path(first[item_id])})"
            findings.append(Finding("E201", (*at, "id"), message))
        elif item_id is not None:
            first[item_id] = at
    return set(first)


def citations(at: Path, entity: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every citation of an entity and of its claims, with its path."""
    yield from _items(entity, "sources", at)
    for claim_at, claim in _items(entity, "claims", at):
        yield from _items(claim, "sources", claim_at)


class _EntityChecks:
    """References, repeated citations and statistics of each entity, in the order reported.

    On the way, the ids of the sources cited and the date findings of the claims.
    """

    def __init__(self, source_ids: set[str], entity_ids: set[str]) -> None:
        self.source_ids, self.entity_ids = source_ids, entity_ids
        self.cited: set[str] = set()
        self.findings: list[Finding] = []
        self.dates: list[Finding] = []

    def check(self, at: Path, entity: dict[str, Any]) -> None:
        cites: list[Finding] = []  # every unknown source comes first, then claim by claim
        later: list[Finding] = []
        self._cited(at, entity.get("sources"), cites)
        own_id, entity_ids, dates = entity.get("id"), self.entity_ids, self.dates
        values: list[Item] | None = [] if entity.get("type") == "statistic" else None
        claims = entity.get("claims")
        for j, claim in enumerate(claims if isinstance(claims, list) else ()):
            if not isinstance(claim, dict):
                continue
            claim_at = (*at, "claims", j)
            cited = claim.get("sources")
            self._cited(claim_at, cited, cites)
            target = claim.get("target")
            if isinstance(target, str) and target not in entity_ids:
                message = f"targets unknown entity {brief(target)}"
                later.append(Finding("E203", (*claim_at, "target"), message))
            elif isinstance(target, str) and target == own_id:
                message = "the claim targets its own entity"
                later.append(Finding("E204", (*claim_at, "target"), message))
            if isinstance(cited, list) and len(cited) > 1:
                later += _repeated_citations(claim_at, cited)
            if values is not None and claim.get("property") == "value":
                values.append((claim_at, claim))
            if "date" in claim or "start" in claim or "end" in claim:
                dates += _dates(claim_at, claim)
        self.findings += cites
        self.findings += later
        if values is not None:
            self.findings += _statistic(at, values)

    def _cited(self, at: Path, cited: object, findings: list[Finding]) -> None:
        if not isinstance(cited, list):
            return
        known, add = self.source_ids, self.cited.add
        for k, citation in enumerate(cited):
            source = citation.get("source") if isinstance(citation, dict) else None
            if isinstance(source, str):
                add(source)
                if source not in known:
                    message = f"cites unknown source {brief(source)}"
                    findings.append(Finding("E202", (*at, "sources", k, "source"), message))


def _repeated_citations(at: Path, cited: list[Any]) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for k, citation in enumerate(cited):
        if not isinstance(citation, dict):
            continue
        key = (_str(citation, "source") or "", _str(citation, "quote") or "")
        if key in seen and all(key):
            message = f"cites {brief(key[0])} with the same quote twice"
            yield Finding("W407", (*at, "sources", k), message)
        seen.add(key)


def _statistic(at: Path, values: list[Item]) -> Iterator[Finding]:
    """The rules of a statistic, given its claims of property 'value'."""
    if not values:
        yield Finding("E205", (*at, "claims"), "the statistic has no 'value' claim")
    for claim_at, claim in values:
        if "unit" not in claim and "target" not in claim:
            yield Finding("E206", claim_at, "the statistic's value has no 'unit'")
        number = claim.get("value")
        if isinstance(number, (str, bool)):  # other non-numbers are the schema's to report
            yield Finding("W405", (*claim_at, "value"), f"{brief(number)} is not a number")


def _uncited(sources: list[Item], cited: set[str]) -> Iterator[Finding]:
    for at, source in sources:
        source_id = _str(source, "id")
        if source_id is not None and source_id not in cited:
            yield Finding("W401", at, f"source {brief(source_id)} is never cited")


def _labels(entities: list[Item]) -> Iterator[Finding]:
    owners: dict[str, str] = {}  # compact label -> id of the first entity it names
    for at, entity in entities:
        entity_id, name = _str(entity, "id") or "", _str(entity, "name")
        name_key = compact(name) if name is not None else None
        aliases = entity.get("aliases")
        labels = [((*at, "name"), name, name_key)]
        labels += [
            ((*at, "aliases", i), a, compact(a) if isinstance(a, str) else None)
            for i, a in enumerate(aliases if isinstance(aliases, list) else ())
        ]
        for label_at, label, key in labels:
            if not key:
                continue
            if label_at[-2] == "aliases" and key == name_key:
                yield Finding("W402", label_at, f"the alias {brief(label)} is the name again")
                continue
            owner = owners.setdefault(key, entity_id)
            if owner != entity_id:
                message = (
                    f"{brief(label)} also names entity {brief(owner)}: references are ambiguous"
                )
                yield Finding("W403", label_at, message)


_LEAP_DAY = re.compile(r"(\d{4})-02-29")


def _dates(at: Path, node: dict[str, Any]) -> Iterator[Finding]:
    """29 February of a common year (the schema's pattern cannot tell), and reversed periods."""
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


CONTROL_BELOW = 0x2070  # `visible` escapes no character from here on (a test checks it)
_SHORT_ESCAPES = {"b": 0x08, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09}


def may_hold_control_characters(raw: bytes) -> bool:
    """False if no string of this UTF-8 JSON text can hold a character that `visible` escapes.

    Such a character is either written as itself (never C0: JSON forbids it in strings) or as an
    escape. Only searches of single bytes run over the whole text, and a pattern where one is
    found, so that W404's walk over every string of a large file runs only when it can find some.
    """
    escapes, by_lead_byte = _control_patterns()
    if b"\\" in raw and escapes.search(raw):
        return True
    return any(lead in raw and pattern.search(raw) for lead, pattern in by_lead_byte)


@functools.lru_cache(maxsize=1)
def _control_patterns() -> tuple[re.Pattern[bytes], list[tuple[bytes, re.Pattern[bytes]]]]:
    codes = [c for c in range(CONTROL_BELOW) if visible(chr(c)) != chr(c)]
    groups: dict[int, list[str]] = {}  # escapes \uXXXX by their first three hex digits
    for c in codes:
        groups.setdefault(c >> 4, []).append(f"{c & 15:x}")
    hexes = "|".join(f"{g:03x}[{''.join(last)}]" for g, last in groups.items())
    short = "".join(k for k, c in _SHORT_ESCAPES.items() if c in codes)
    escapes = re.compile(rf"\\(?:[{short}]|u(?i:{hexes}))".encode())
    tails: dict[bytes, list[bytes]] = {}  # the UTF-8 of each character, by its first byte
    for c in codes:
        encoded = chr(c).encode()
        if c >= 0x20:
            tails.setdefault(encoded[:1], []).append(encoded[1:])
    by_lead_byte = [
        (lead, re.compile(re.escape(lead) + b"(?:" + b"|".join(map(re.escape, ends)) + b")"))
        for lead, ends in tails.items()
    ]
    return escapes, by_lead_byte


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
