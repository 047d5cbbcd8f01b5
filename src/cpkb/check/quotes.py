"""Quotes against the texts they cite (E301): a source's held text (`text_file`, read by the
caller) and the texts given with `cpkb validate --source-text`. Pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cpkb.check.nodes import items_of, string_of
from cpkb.check.rules import Finding
from cpkb.kb.document import Path, brief


def citations(at: Path, entity: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every citation of an entity and of its claims, with its path."""
    yield from items_of(entity, "sources", at)
    for claim_at, claim in items_of(entity, "claims", at):
        yield from items_of(claim, "sources", claim_at)


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
    for at, entity in items_of(document, "entities"):
        for cite_at, citation in citations(at, entity):
            quote = string_of(citation, "quote")
            if string_of(citation, "source") != source_id or quote is None:
                continue
            count += 1
            if normalise(quote) not in haystack:
                message = f"quote not found in {label}: {brief(quote, 80)}"
                findings.append(Finding("E301", (*cite_at, "quote"), message))
    return count, findings


def held_findings(
    at: Path, entity: dict[str, Any], texts: Mapping[str, tuple[str, str]]
) -> Iterator[Finding]:
    """E301 for each quote of the entity at `at` that is not in its source's held text
    (`texts`: source id -> the text's file, and the text normalised)."""
    for cite_at, citation in citations(at, entity):
        source, quote = string_of(citation, "source"), string_of(citation, "quote")
        held = texts.get(source) if source is not None and quote is not None else None
        if held is not None and quote is not None and normalise(quote) not in held[1]:
            message = f"quote not found in {held[0]}: {brief(quote, 80)}"
            yield Finding("E301", (*cite_at, "quote"), message)


def unread_findings(
    source: dict[str, Any], unread: Mapping[str, tuple[str, str | None, str | None]]
) -> Iterator[Finding]:
    """E302 if the source's held text could not be read (`unread`: source id -> the file, no
    text, and why), its path relative to the source."""
    source_id, file = string_of(source, "id"), string_of(source, "text_file")
    held = unread.get(source_id) if source_id is not None else None
    if held is not None and file == held[0]:
        message = f"cannot read the held text {brief(file, 80)}: {held[2] or 'unreadable'}"
        yield Finding("E302", ("text_file",), message)
