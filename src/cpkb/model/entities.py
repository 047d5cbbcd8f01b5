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
    id: str
    title: str
    publisher: str
    date: str
    url: str | None
    reliability: str


class Citation(NamedTuple):
    source: str
    quote: str


class Claim(NamedTuple):
    """A claim's fields, in the order of the field table (cpkb.model.fields.CLAIM)."""

    property: str
    value: Scalar | None = None
    target: str | None = None
    unit: str | None = None
    date: str | None = None
    start: str | None = None
    end: str | None = None
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
    ) -> None:
        self.path = path
        self.schema_version = schema_version
        self.sources = sources
        self.entities = entities
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
