"""The data model: sources, and entities made of claims that cite them.

Immutable named tuples rather than frozen dataclasses: a 100,000-entity file makes a million of
them, and a frozen dataclass takes three times as long to construct.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

if TYPE_CHECKING:
    from pathlib import Path

Scalar: TypeAlias = "str | int | float | bool"


class Source(NamedTuple):
    """A source document, its fields in the order of the field table (fields.SOURCE)."""

    id: str
    title: str
    publisher: str
    date: str | None
    url: str | None
    reliability: str
    reliability_level: str | None = None
    kind: str | None = None
    lang: str | None = None
    retrieved: str | None = None
    text_file: str | None = None


class Citation(NamedTuple):
    """What a source says: a verbatim quote, our paraphrase of it, or both (fields.CITATION)."""

    source: str
    quote: str | None = None
    paraphrase: str | None = None
    locator: str | None = None
    lang: str | None = None


class Claim(NamedTuple):
    """A claim's fields, in the order of the field table (fields.CLAIM). `id` is None when the
    file stores none (see `claim_id`); a version-1 `start`/`end` is read as `period`."""

    id: str | None = None
    property: str = ""
    value: Scalar | None = None
    target: str | None = None
    unit: str | None = None
    date: str | None = None
    period: str | None = None
    start: str | None = None
    end: str | None = None
    rank: str | None = None
    rank_reason: str | None = None
    stated_by: str | None = None
    supersedes: tuple[str, ...] = ()
    approx: bool | None = None
    baseline: Scalar | None = None
    baseline_date: str | None = None
    note: str | None = None
    qualifiers: tuple[tuple[str, Scalar], ...] = ()
    sources: tuple[Citation, ...] = ()


class Entity(NamedTuple):
    id: str
    type: str
    name: str
    aliases: tuple[str, ...]
    summary: str
    sources: tuple[Citation, ...]
    claims: tuple[Claim, ...]
    former_ids: tuple[str, ...] = ()


class Property(NamedTuple):
    """A property of the vocabulary (fields.PROPERTY)."""

    name: str
    label: str
    inverse: str | None = None
    description: str | None = None
    takes: str = "text"
    types: tuple[str, ...] = ()
    single: bool | None = None
    series: bool | None = None


def cited_texts(entity: Entity) -> dict[tuple[str, str], None]:
    """The distinct quotes and paraphrases an entity and its claims cite, as (kind, text), in
    order."""
    found: dict[tuple[str, str], None] = {}
    for citation in (*entity.sources, *(c for k in entity.claims for c in k.sources)):
        if citation.quote is not None:
            found[("quote", citation.quote)] = None
        if citation.paraphrase is not None:
            found[("paraphrase", citation.paraphrase)] = None
    return found


def claim_id(entity_id: str, position: int, claim: Claim) -> str:
    """The claim's id: the one the file stores, else one made from its place (stable only
    while claims are not added or removed before it: `cpkb migrate` stores them)."""
    return claim.id if claim.id is not None else made_claim_id(entity_id, position)


def made_claim_id(entity_id: str, position: int) -> str:
    """The id of the claim at `position` (from 0) of an entity, when the file stores none."""
    return f"{entity_id}-c{position + 1}"


def period_bounds(period: str | None) -> tuple[str | None, str | None]:
    """A period's start and end ('..' for an open end reads as None)."""
    if period is None:
        return None, None
    start, _, end = period.partition("/")
    return (None if start == ".." else start), (None if end == ".." else end)


class Backlink(NamedTuple):
    """A claim of entity `origin` whose target is another entity."""

    origin: Entity
    claim: Claim


class KnowledgeBase:
    """A data file's sources and entities, by id (a plain class: importing dataclasses costs
    every command ~15 ms of start-up)."""

    def __init__(
        self,
        path: Path | str,
        schema_version: int,
        sources: dict[str, Source],
        entities: dict[str, Entity],
        properties: dict[str, Property] | None = None,
    ) -> None:
        self.path = path
        self.schema_version = schema_version
        self.sources = sources
        self.entities = entities
        self.properties = properties or {}
        self._backlinks: dict[str, list[Backlink]] | None = None

    def __repr__(self) -> str:
        counts = f"{len(self.sources)} sources, {len(self.entities)} entities"
        return f"KnowledgeBase({str(self.path)!r}, {counts})"

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.entities.values())

    def of_type(self, entity_type: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.type == entity_type]

    def backlinks(self, entity_id: str) -> list[Backlink]:
        """Claims of other entities that target `entity_id`, in data-file order."""
        if self._backlinks is None:
            index: dict[str, list[Backlink]] = {}
            for entity in self.entities.values():
                for claim in entity.claims:
                    if claim.target is not None:
                        index.setdefault(claim.target, []).append(Backlink(entity, claim))
            self._backlinks = index
        return self._backlinks.get(entity_id, [])

    def claim_counts(self) -> dict[str, int]:
        """How many claims cite each source (a claim citing a source twice counts once)."""
        counts = dict.fromkeys(self.sources, 0)
        for entity in self.entities.values():
            for claim in entity.claims:
                for source_id in {c.source for c in claim.sources}:
                    counts[source_id] = counts.get(source_id, 0) + 1
        return counts
