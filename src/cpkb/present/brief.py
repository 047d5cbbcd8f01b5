"""`cpkb brief`: a cited dossier of entities, as sentences that cpkb.present.brief_md and
cpkb.present.brief_html write.

Each entity gets a paragraph from what is current at the date asked: its summary, then a
sentence per property ("Status: approved (from 27 January 2026)"), labelled from the
vocabulary; then what other entities' claims say of it, and what it is recorded as saying.
Every value carries footnote marks for the citations that support it. Who said it is said; a
conflict is shown as a conflict; nothing is said that the claim does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from cpkb import __version__
from cpkb.model.entities import Entity, KnowledgeBase, Property, Source
from cpkb.present.views import View, assessed, claim_view, entity_view
from cpkb.present.wording import (
    Marks,
    Named,
    Phrase,
    claim_phrase,
    listed,
    named,
    spoken_date,
    value_phrase,
)
from cpkb.query.current import Reading, conflicting

LANGUAGES = {"ru": "Russian", "kk": "Kazakh", "ky": "Kyrgyz", "uz": "Uzbek", "tg": "Tajik",
             "fr": "French", "de": "German", "es": "Spanish", "zh": "Chinese"}  # fmt: skip


class Footnote(NamedTuple):
    """A citation, numbered: what a source says (`citation` as the JSON contract has it)."""

    number: int
    citation: View
    language: str | None  # the source's language, when it is not English


class Section(NamedTuple):
    entity: Named
    aliases: tuple[str, ...]
    paragraph: list[Phrase]  # the summary, then a sentence per property
    referenced: list[Phrase]  # what others' claims say of it, a sentence per property
    statements: list[Phrase]  # what it is recorded as saying, about what
    left_out: list[str]  # what the brief does not say, and why


class Brief(NamedTuple):
    title: str
    when: str  # 'Current on 7 December 2026', and what could be known by when
    sections: list[Section]
    footnotes: list[Footnote]
    sources: list[Source]  # every source a footnote cites, in order of first citation
    made: str  # the program and the data file


class Notes:
    """Numbers each distinct citation once, in the order the brief first cites it."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[object, ...], int] = {}
        self.cited: list[View] = []

    def marks(self, citations: Iterable[View]) -> Marks:
        numbers = []
        for citation in citations:
            key = tuple(citation.get(k) for k in ("source", "quote", "paraphrase", "locator"))
            if key not in self.numbers:
                self.numbers[key] = len(self.numbers) + 1
                self.cited.append(citation)
            numbers.append(self.numbers[key])
        return Marks(tuple(dict.fromkeys(numbers)))


class Labels:
    """Property names as the vocabulary says them; names as words when it is silent."""

    def __init__(self, properties: Mapping[str, Property]) -> None:
        self.properties = properties

    def __call__(self, name: str, *, inverse: bool = False) -> str:
        found = self.properties.get(name)
        label = found.label if found is not None else name.replace("_", " ")
        if inverse:
            return found.inverse if found is not None and found.inverse else f"{label} (from)"
        return label


def brief(found: list[tuple[KnowledgeBase, Entity]], reading: Reading) -> Brief:
    """The brief of each entity, with the knowledge base that holds what its section needs."""
    notes = Notes()
    sections = [section(kb, entity, reading, notes) for kb, entity in found]
    sources: dict[str, Source] = {}
    for kb, _ in found:
        sources |= kb.sources
    cited = dict.fromkeys(c["source"] for c in notes.cited)
    footnotes = [Footnote(n, c, language(c, sources)) for n, c in enumerate(notes.cited, 1)]
    made = f"cpkb {__version__}, {Path(found[0][0].path).name}" if found else ""
    return Brief(title([s.entity.name for s in sections]), when(reading), sections, footnotes,
                 [sources[i] for i in cited if i in sources], made)  # fmt: skip


def title(names: list[str]) -> str:
    """'Brief: A', 'Brief: A and B', 'Brief: A, B and C', 'Brief: A, B, C and 2 more'."""
    shown = names if len(names) <= 4 else [*names[:3], f"{len(names) - 3} more"]
    if len(shown) <= 1:
        return "Brief: " + "".join(shown)
    return "Brief: " + ", ".join(shown[:-1]) + " and " + shown[-1]


def when(reading: Reading) -> str:
    said = f"Current on {spoken_date(reading.day.isoformat())}"
    if reading.known_by is not None:
        said += f", as known from sources dated by {spoken_date(reading.known_by.isoformat())}"
    return said


def language(citation: View, sources: Mapping[str, Source]) -> str | None:
    """The language of what a citation cites (its own `lang`, else its source's), by name,
    when it is known and not English."""
    source = sources.get(citation["source"])
    code = citation.get("lang") or (source.lang if source is not None else None)
    if code is None or code.lower() == "en" or code.lower().startswith("en-"):
        return None
    return LANGUAGES.get(code.split("-")[0].lower(), code)


def said(footnote: Footnote) -> str:
    """What a footnote cites: the quote in quotation marks, or our paraphrase, said to be one;
    and the language of the source when it is not English."""
    citation, language = footnote.citation, footnote.language
    parts = []
    if "quote" in citation:
        parts.append(f"“{citation['quote']}”" + (f" (in {language})" if language else ""))
    if "paraphrase" in citation:
        opening = "paraphrase" if parts else "Paraphrase"
        of = f" of a source in {language}" if language and not parts else ""
        parts.append(f"{opening}{of}: {citation['paraphrase']}")
    return " — ".join(parts)


def kind_line(section: Section) -> str:
    """'Programme; also known as Children of Kazakhstan.'"""
    line = section.entity.type.capitalize()
    if section.aliases:
        line += "; also known as " + ", ".join(section.aliases)
    return line + "."


def section(kb: KnowledgeBase, entity: Entity, reading: Reading, notes: Notes) -> Section:
    view = entity_view(kb, entity, reading)
    labels = Labels(kb.properties)
    disputed = {
        name: [row.id for row in rows]
        for name, rows in conflicting(assessed(kb, entity, reading), kb.properties).items()
    }
    paragraph = [[view["summary"], notes.marks(view["sources"])]] if view["summary"] else []
    paragraph += claim_sentences(view["claims"], disputed, labels, notes)
    referenced = backlink_sentences(kb, entity, reading, labels, notes)
    statements = statement_items(kb, entity, reading, labels, notes)
    shown = {i for ids in disputed.values() for i in ids}
    return Section(named(view), entity.aliases, paragraph, referenced, statements,
                   left_out(view, shown, reading))  # fmt: skip


def grouped(claims: list[View]) -> dict[str, list[View]]:
    """Claims by property: values before relations, properties in order of first appearance."""
    ordered = sorted(claims, key=lambda c: "target" in c)
    found: dict[str, list[View]] = {}
    for claim in ordered:
        found.setdefault(claim["property"], []).append(claim)
    return found


def claim_sentences(
    claims: list[View], disputed: dict[str, list[str]], labels: Labels, notes: Notes
) -> list[Phrase]:
    """A sentence per property of the current claims; another for a conflict, which shows
    every claim in it (those not current too, saying why)."""
    sentences: list[Phrase] = []
    for name, rows in grouped(claims).items():
        conflict = disputed.get(name, [])
        agreed = [c for c in rows if c["current"] and c["id"] not in conflict]
        label = labels(name)
        if agreed:
            sentences.append(sentence(f"{label}: ", agreed, notes))
        if conflict:
            shown = [c for c in rows if c["id"] in conflict]
            sentences.append(sentence(f"Sources disagree on {label}: ", shown, notes))
    return sentences


def sentence(opening: str, claims: list[View], notes: Notes) -> Phrase:
    phrases = [claim_phrase(value_phrase(c), c, notes.marks(c["sources"])) for c in claims]
    return [opening[0].upper() + opening[1:], *listed(phrases), "."]


def backlink_sentences(
    kb: KnowledgeBase, entity: Entity, reading: Reading, labels: Labels, notes: Notes
) -> list[Phrase]:
    """What other entities' current claims say of this one, read backwards ('Has part: …'),
    a sentence per property, each claim with who says so and when."""
    by_property: dict[str, list[Phrase]] = {}
    for link in kb.backlinks(entity.id):
        row = next(r for r in assessed(kb, link.origin, reading) if r.claim is link.claim)
        if row.current:
            claim = claim_view(kb, row)
            phrase = claim_phrase([Named(link.origin.id, link.origin.type, link.origin.name)],
                                  claim, notes.marks(claim["sources"]))  # fmt: skip
            by_property.setdefault(link.claim.property, []).append(phrase)
    return [
        [labels(name, inverse=True).capitalize() + ": ", *listed(phrases), "."]
        for name, phrases in by_property.items()
    ]


def statement_items(
    kb: KnowledgeBase, entity: Entity, reading: Reading, labels: Labels, notes: Notes
) -> list[Phrase]:
    """What the entity is recorded as saying (current claims `stated_by` it), in file order:
    'Adal Azamat — scope: nationwide'."""
    items: list[Phrase] = []
    for said in kb.statements(entity.id):
        row = next(r for r in assessed(kb, said.origin, reading) if r.claim is said.claim)
        if row.current:
            claim = claim_view(kb, row)
            about: Phrase = [Named(said.origin.id, said.origin.type, said.origin.name)]
            marks = notes.marks(claim["sources"])
            value = claim_phrase(value_phrase(claim), claim, marks, attributed=False)
            items.append([*about, f" — {labels(said.claim.property)}: ", *value])
    return items


def left_out(view: View, shown: set[str], reading: Reading) -> list[str]:
    """What the brief does not say of the entity, and how to see it."""
    notes = []
    if view["summary"] is None and "known_by" in view:
        notes.append("Its summary is left out: it draws on sources dated after "
                     f"{spoken_date(view['known_by']['date'])}.")  # fmt: skip
    known = view.get("known_by", {}).get("claims_left_out", 0)
    if known:
        notes.append(f"{known} claim{'s' * (known != 1)} cited only by sources dated after "
                     f"{spoken_date(view['known_by']['date'])}, or undated, "
                     f"{'are' if known != 1 else 'is'} left out.")  # fmt: skip
    rows = [*view["claims"], *view["backlinks"], *view.get("statements", ())]
    hidden = sum(not r["current"] and r.get("id", r.get("claim")) not in shown for r in rows)
    if hidden:
        on = spoken_date(reading.day.isoformat())
        notes.append(f"{hidden} claim{'s' * (hidden != 1)} not current on {on} "
                     f"{'are' if hidden != 1 else 'is'} left out "
                     f"({show_all(view['id'], reading)} lists every claim).")  # fmt: skip
    return notes


def show_all(entity_id: str, reading: Reading) -> str:
    """The command that lists every claim of the entity, read as the brief reads it."""
    command = f"cpkb show {entity_id} --all --as-of {reading.day.isoformat()}"
    if reading.known_by is not None:
        command += f" --known-by {reading.known_by.isoformat()}"
    return command
