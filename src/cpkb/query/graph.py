"""Pure walks over the claims that link entities: links, neighbourhoods, shortest paths.

A relation claim (one with a target) is an edge from the entity that makes it to its target.
Walks follow edges both ways; `direction` says which way each was followed. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from cpkb.model.entities import Citation, Claim, Entity, KnowledgeBase

Direction = Literal["out", "in"]


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


@dataclass(frozen=True, slots=True)
class Graph:
    """Entities and the relation claims among them (each link points out from its `via`)."""

    nodes: tuple[Entity, ...]
    links: tuple[Link, ...]


def relation_properties(kb: KnowledgeBase) -> list[str]:
    """Every property used by a relation claim, sorted."""
    return sorted({c.property for e in kb for c in e.claims if c.target is not None})


def out_links(kb: KnowledgeBase, entity_id: str) -> list[Link]:
    """The claims of an entity that point at other entities, in data-file order."""
    entity = kb.entities[entity_id]
    return [
        Link(c.property, "out", entity, kb.entities[c.target], c.sources, (entity.id, c))
        for c in entity.claims
        if c.target is not None and c.target in kb.entities
    ]


def backlinks(kb: KnowledgeBase, entity_id: str) -> list[Link]:
    """The claims of other entities that point at this one, in data-file order."""
    entity = kb.entities[entity_id]
    return [
        Link(b.claim.property, "in", entity, b.origin, b.claim.sources, (b.origin.id, b.claim))
        for b in kb.backlinks(entity_id)
    ]


def links(kb: KnowledgeBase, entity_id: str, *, properties: Collection[str] = ()) -> list[Link]:
    """Out-links then backlinks of an entity, keeping only `properties` when given."""
    found = out_links(kb, entity_id) + backlinks(kb, entity_id)
    return [link for link in found if not properties or link.property in properties]


def neighbourhood(
    kb: KnowledgeBase, entity_id: str, *, depth: int = 1, properties: Collection[str] = ()
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
            for link in links(kb, node, properties=properties):
                if link.claim in seen:
                    continue
                seen.add(link.claim)
                found.append(replace(link, depth=level))
                if link.entity.id not in reached:
                    reached.add(link.entity.id)
                    following.append(link.entity.id)
        frontier = following
    return found


Adjacent = Callable[[list[str]], Mapping[str, list[tuple[str, Direction]]]]
Step = tuple[str, str, Direction]  # (the entity walked from, the entity reached, direction)


def adjacency(kb: KnowledgeBase) -> Adjacent:
    """For a list of entities, the ids each links to, in `links` order, with directions."""

    def adjacent(nodes: list[str]) -> dict[str, list[tuple[str, Direction]]]:
        return {
            node: [(link.entity.id, link.direction) for link in links(kb, node)] for node in nodes
        }

    return adjacent


def shortest_path_steps(adjacent: Adjacent, start: str, goal: str) -> list[Step] | None:
    """The fewest claims leading from `start` to `goal`, each followed either way, as steps of
    ids; None if none. Breadth first, one level at a time, each node's links in `links` order:
    so it needs only ids (the index answers `adjacent` from its links table), and the path is
    the first one found, whichever catalog answers."""
    came_from: dict[str, tuple[str, Direction]] = {}
    reached, level = {start}, [start]
    while level and goal not in reached:
        following: list[str] = []
        linked = adjacent(level)
        for node in level:
            for other, direction in linked.get(node, ()):
                if other not in reached:
                    reached.add(other)
                    came_from[other] = (node, direction)
                    following.append(other)
        level = following
    if goal not in reached:
        return None
    steps: list[Step] = []
    while goal != start:
        via, direction = came_from[goal]
        steps.append((via, goal, direction))
        goal = via
    return steps[::-1]


def path_links(kb: KnowledgeBase, steps: list[Step]) -> list[Link]:
    """The links of a path of steps; `kb` must hold every entity on it. Each step is the first
    claim that `links` lists for it, as the walk took it."""
    found: list[Link] = []
    for depth, (via, reached, direction) in enumerate(steps, start=1):
        taken = next(
            link
            for link in links(kb, via)
            if link.entity.id == reached and link.direction == direction
        )
        found.append(replace(taken, depth=depth))
    return found


def shortest_path(kb: KnowledgeBase, start: str, goal: str) -> list[Link] | None:
    """The fewest claims leading from `start` to `goal`, each followed either way; None if none."""
    steps = shortest_path_steps(adjacency(kb), start, goal)
    return None if steps is None else path_links(kb, steps)


def subgraph(kb: KnowledgeBase, *, focus: str | None = None, depth: int = 1) -> Graph:
    """The whole graph, or the entities within `depth` steps of `focus` and claims among them."""
    if focus is None:
        nodes = list(kb)
    else:
        near = [link.entity for link in neighbourhood(kb, focus, depth=depth)]
        nodes = list({e.id: e for e in [kb.entities[focus], *near]}.values())
    ids = {e.id for e in nodes}
    edges = [link for e in nodes for link in out_links(kb, e.id) if link.entity.id in ids]
    return Graph(tuple(nodes), tuple(edges))
