"""What commands ask of a knowledge base (`Catalog`), answered here from the whole file in
memory; cpkb.index.catalog answers the same questions from the index, alike."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Protocol

from cpkb.model.entities import Claim, Entity, KnowledgeBase, Source, claim_id

if TYPE_CHECKING:
    from cpkb.query.current import Reading
    from cpkb.query.graph import Link
    from cpkb.query.names import NameIndex
    from cpkb.query.paths import Direction
    from cpkb.query.search import SearchHit


class Catalog(Protocol):
    def resolve(self, ref: str, *, entity_type: str | None = None) -> Entity: ...

    def neighbourhood(self, entity_id: str) -> KnowledgeBase:
        """The entity, the ends of its links and its backlinks: all that its view needs."""
        ...

    def search(
        self, query: str, *, entity_type: str | None = None, limit: int | None = 10
    ) -> list[SearchHit]: ...

    def sources(self) -> dict[str, Source]: ...

    def around(self, entity_id: str, *, depth: int) -> KnowledgeBase: ...

    def relation_properties(self) -> list[str]: ...

    def adjacent(
        self, nodes: list[str], *, current: Reading | None = None, only_current: bool = True
    ) -> Mapping[str, list[tuple[str, Direction]]]:
        """The ids each node links to (through claims current to `current`, if given; or, not
        `only_current`, through every claim known to it)."""
        ...

    def degree(self, nodes: list[str]) -> int:
        """How many links the nodes have, either way, current or not."""
        ...

    def subset(self, ids: Iterable[str]) -> KnowledgeBase: ...

    def labelled(self) -> Iterator[Entity]: ...

    def claim(self, wanted: str) -> tuple[Entity, Claim] | None: ...


def with_events(catalog: Catalog, entity: Entity) -> tuple[KnowledgeBase, list[Entity]]:
    """The entity and the events linked to it (what `timeline REF` and `conflicts REF` look
    at), in a knowledge base that also holds what their claims name."""
    from cpkb.query.graph import links

    near = catalog.around(entity.id, depth=1)
    linked = dict.fromkeys(link.entity.id for link in links(near, entity.id))
    shown = [entity.id, *(i for i in linked if near.entities[i].type == "event")]
    claims = [c for i in shown for c in near.entities[i].claims]
    named = {i for c in claims for i in (c.target, c.stated_by) if i is not None}
    kb = catalog.subset(dict.fromkeys([*shown, *sorted(named)]))
    return kb, [kb.entities[i] for i in shown]


def shortest_chain(
    catalog: Catalog, start: str, goal: str, reading: Reading, *, only_current: bool
) -> list[Link] | None:
    """The fewest claims linking two entities, each with whether it is current to `reading`
    (only current ones followed, if asked); None if none."""
    from cpkb.query.graph import path_links, walk_of
    from cpkb.query.paths import shortest_path_steps

    only = reading if only_current or reading.known_by is not None else None  # what is known
    steps = shortest_path_steps(
        lambda ids: catalog.adjacent(ids, current=only, only_current=only_current),
        start, goal, catalog.degree,
    )  # fmt: skip
    if steps is None:
        return None
    kb = catalog.subset({start} | {reached for _, reached, _ in steps})
    return path_links(kb, steps, walk_of(kb, reading, only_current=only_current))


_MADE_CLAIM_ID = re.compile(r"(.+)-c[1-9][0-9]*")


def stored_claim(entities: Iterable[Entity], wanted: str) -> tuple[Entity, Claim] | None:
    """The first claim that stores `wanted` as its id, with its entity."""
    for entity in entities:
        for claim in entity.claims:
            if claim.id == wanted:
                return entity, claim
    return None


def made_claim_owner(wanted: str) -> str | None:
    """The entity a made claim id (`ENTITY-cN`, see `claim_id`) names, if it has that form."""
    found = _MADE_CLAIM_ID.fullmatch(wanted)
    return None if found is None else found.group(1)


def made_claim(entity: Entity | None, wanted: str) -> tuple[Entity, Claim] | None:
    """The claim of `entity` with no stored id whose made id is `wanted`, with its entity."""
    if entity is None:
        return None
    for position, claim in enumerate(entity.claims):
        if claim.id is None and claim_id(entity.id, position, claim) == wanted:
            return entity, claim
    return None


class MemoryCatalog:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._names: NameIndex | None = None

    @property
    def names(self) -> NameIndex:
        """Folded labels, built on first need (an exact id needs none)."""
        if self._names is None:
            from cpkb.query.names import NameIndex

            self._names = NameIndex.build(self.kb)
        return self._names

    def resolve(self, ref: str, *, entity_type: str | None = None) -> Entity:
        exact = self.kb.entities.get(ref)
        if exact is not None and entity_type in (None, exact.type):
            return exact
        return self.names.resolve(ref, entity_type=entity_type)

    def neighbourhood(self, entity_id: str) -> KnowledgeBase:
        return self.kb

    def search(
        self, query: str, *, entity_type: str | None = None, limit: int | None = 10
    ) -> list[SearchHit]:
        return self.names.search_index.search(query, entity_type=entity_type, limit=limit)

    def sources(self) -> dict[str, Source]:
        return self.kb.sources

    def around(self, entity_id: str, *, depth: int) -> KnowledgeBase:
        return self.kb

    def relation_properties(self) -> list[str]:
        from cpkb.query.graph import relation_properties

        return relation_properties(self.kb)

    def adjacent(
        self, nodes: list[str], *, current: Reading | None = None, only_current: bool = True
    ) -> Mapping[str, list[tuple[str, Direction]]]:
        from cpkb.query.graph import EVERY, Walk, adjacency

        walk = EVERY
        if current is not None:
            from cpkb.query.current import Statuses

            statuses = Statuses(self.kb.sources, self.kb.properties, current)
            walk = Walk(statuses, only_current=only_current)
        return adjacency(self.kb, walk)(nodes)

    def degree(self, nodes: list[str]) -> int:
        kb = self.kb
        out = (c for n in nodes for c in kb.entities[n].claims if c.target in kb.entities)
        return sum(1 for _ in out) + sum(len(kb.backlinks(n)) for n in nodes)

    def subset(self, ids: Iterable[str]) -> KnowledgeBase:
        return self.kb

    def labelled(self) -> Iterator[Entity]:
        return iter(self.kb)

    def claim(self, wanted: str) -> tuple[Entity, Claim] | None:
        """The claim with id `wanted`: a stored id first, then one made from its place."""
        found = stored_claim(self.kb, wanted)
        if found is None and (owner := made_claim_owner(wanted)) is not None:
            found = made_claim(self.kb.entities.get(owner), wanted)
        return found
