"""Pure walks over the claims that link entities: links, neighbourhoods, shortest paths.

A relation claim (one with a target) is an edge from the entity that makes it to its target.
Walks follow edges both ways; `direction` says which way each was followed. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

from cpkb.model.entities import Citation, Claim, Entity, KnowledgeBase
from cpkb.query.paths import Adjacent, Direction, Step, shortest_path_steps

if TYPE_CHECKING:
    from cpkb.query.current import Reading

Status = Callable[[Entity, Claim], str]  # a claim's status to a reading (query.current)
CURRENT, UNKNOWN = "current", "unknown"


def _always_current(entity: Entity, claim: Claim) -> str:
    return CURRENT


class Walk(NamedTuple):
    """Which links a walk follows: each claim's `status` to a reading (every one current, when
    none is given); unknown ones never, and only current ones when `only_current`."""

    status: Status = _always_current
    only_current: bool = False

    def follows(self, status: str) -> bool:
        return status == CURRENT or (status != UNKNOWN and not self.only_current)


EVERY = Walk()


def walk_of(kb: KnowledgeBase, reading: Reading, *, only_current: bool) -> Walk:
    """A walk of `kb` with each claim assessed to `reading`."""
    from cpkb.query.current import Statuses

    return Walk(Statuses(kb.sources, kb.properties, reading), only_current=only_current)


@dataclass(frozen=True, slots=True)
class Link:
    """A relation claim reached from `via`: out = `via` -property-> `entity`; in = the reverse."""

    property: str
    direction: Direction
    via: Entity
    entity: Entity
    sources: tuple[Citation, ...]
    claim: tuple[str, Claim]  # (the entity making the claim, the claim): identifies the edge
    depth: int = 1
    current: bool = True


@dataclass(frozen=True, slots=True)
class Graph:
    """Entities and the relation claims among them (each link points out from its `via`)."""

    nodes: tuple[Entity, ...]
    links: tuple[Link, ...]


def relation_properties(kb: KnowledgeBase) -> list[str]:
    """Every property used by a relation claim, sorted."""
    return sorted({c.property for e in kb for c in e.claims if c.target is not None})


def out_links(kb: KnowledgeBase, entity_id: str, walk: Walk = EVERY) -> list[Link]:
    """The claims of an entity that point at other entities (those `walk` follows), in
    data-file order."""
    entity = kb.entities[entity_id]
    found = []
    for claim in entity.claims:
        if claim.target is not None and claim.target in kb.entities:
            status = walk.status(entity, claim)
            if walk.follows(status):
                other = kb.entities[claim.target]
                found.append(Link(claim.property, "out", entity, other, claim.sources,
                                  (entity.id, claim), current=status == CURRENT))  # fmt: skip
    return found


def backlinks(kb: KnowledgeBase, entity_id: str, walk: Walk = EVERY) -> list[Link]:
    """The claims of other entities that point at this one (those `walk` follows), in
    data-file order."""
    entity = kb.entities[entity_id]
    found = []
    for b in kb.backlinks(entity_id):
        status = walk.status(b.origin, b.claim)
        if walk.follows(status):
            found.append(Link(b.claim.property, "in", entity, b.origin, b.claim.sources,
                              (b.origin.id, b.claim), current=status == CURRENT))  # fmt: skip
    return found


def links(
    kb: KnowledgeBase, entity_id: str, *, properties: Collection[str] = (), walk: Walk = EVERY
) -> list[Link]:
    """Out-links then backlinks of an entity, keeping only `properties` when given."""
    found = out_links(kb, entity_id, walk) + backlinks(kb, entity_id, walk)
    return [link for link in found if not properties or link.property in properties]


def neighbourhood(
    kb: KnowledgeBase,
    entity_id: str,
    *,
    depth: int = 1,
    properties: Collection[str] = (),
    walk: Walk = EVERY,
) -> list[Link]:
    """Links up to `depth` steps away, breadth first: each entity is expanded once, and each
    claim is reported once (from the side it was first reached). Ends where nothing new is
    reached, however large `depth`."""
    reached, frontier = {entity_id}, [entity_id]
    seen: set[tuple[str, Claim]] = set()
    found: list[Link] = []
    level = 0
    while frontier and level < depth:
        level += 1
        following: list[str] = []
        for node in frontier:
            for link in links(kb, node, properties=properties, walk=walk):
                if link.claim in seen:
                    continue
                seen.add(link.claim)
                found.append(replace(link, depth=level))
                if link.entity.id not in reached:
                    reached.add(link.entity.id)
                    following.append(link.entity.id)
        frontier = following
    return found


def adjacency(kb: KnowledgeBase, walk: Walk = EVERY) -> Adjacent:
    """For a list of entities, the ids each links to, in `links` order, with directions."""

    def adjacent(nodes: list[str]) -> dict[str, list[tuple[str, Direction]]]:
        return {
            node: [(link.entity.id, link.direction) for link in links(kb, node, walk=walk)]
            for node in nodes
        }

    return adjacent


def path_links(kb: KnowledgeBase, steps: list[Step], walk: Walk = EVERY) -> list[Link]:
    """The links of a path of steps; `kb` must hold every entity on it. Each step is the first
    claim that `links` lists for it, as the walk took it."""
    found: list[Link] = []
    for depth, (via, reached, direction) in enumerate(steps, start=1):
        taken = next(
            link
            for link in links(kb, via, walk=walk)
            if link.entity.id == reached and link.direction == direction
        )
        found.append(replace(taken, depth=depth))
    return found


def shortest_path(
    kb: KnowledgeBase, start: str, goal: str, walk: Walk = EVERY
) -> list[Link] | None:
    """The fewest claims leading from `start` to `goal`, each followed either way; None if none."""
    steps = shortest_path_steps(adjacency(kb, walk), start, goal)
    return None if steps is None else path_links(kb, steps, walk)


def subgraph(
    kb: KnowledgeBase, *, focus: str | None = None, depth: int = 1, walk: Walk = EVERY
) -> Graph:
    """The whole graph, or the entities within `depth` steps of `focus` and claims among them."""
    if focus is None:
        nodes = list(kb)
    else:
        near = [link.entity for link in neighbourhood(kb, focus, depth=depth, walk=walk)]
        nodes = list({e.id: e for e in [kb.entities[focus], *near]}.values())
    ids = {e.id for e in nodes}
    edges = [link for e in nodes for link in out_links(kb, e.id, walk) if link.entity.id in ids]
    return Graph(tuple(nodes), tuple(edges))
