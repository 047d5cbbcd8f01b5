"""The index's links walked: what lies around an entity, and the neighbours of many at once
(a path's search), through every link or those current to a reading (the edges table)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from cpkb.model.entities import Backlink, Entity, KnowledgeBase

if TYPE_CHECKING:
    from cpkb.query.current import Reading
    from cpkb.query.paths import Direction

Adjacency = dict[str, list[tuple[str, "Direction"]]]


class LinkReads:
    """The link reads of cpkb.index.reader.Index, which gives them its connection and reads."""

    db: sqlite3.Connection
    _links: Adjacency | None

    def entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        raise NotImplementedError

    def stubs(self, ids: Iterable[str]) -> dict[str, Entity]:
        raise NotImplementedError

    def knowledge_base(self, entities: dict[str, Entity]) -> KnowledgeBase:
        raise NotImplementedError

    def around(self, entity_id: str, *, depth: int) -> KnowledgeBase:
        """The entities within `depth` links either way, with the backlinks of those nearer: all
        that a walk of `depth` steps reads. Ends where nothing new is reached, however far."""
        known = self.entities([entity_id])
        backlinks: dict[str, list[Backlink]] = {}
        frontier, steps = [entity_id], 0
        while frontier and steps < depth:
            steps += 1
            incoming = self._incoming(frontier)
            out = [c.target for node in frontier for c in known[node].claims if c.target]
            reached = list(
                dict.fromkeys(out + [o for origins in incoming.values() for o in origins])
            )
            fresh = [i for i in reached if i not in known]
            known |= self.entities(fresh)
            for node in frontier:
                backlinks[node] = [
                    Backlink(known[origin], claim)
                    for origin in incoming.get(node, [])
                    for claim in known[origin].claims
                    if claim.target == node
                ]
            frontier = fresh
        return self.knowledge_base(known).knowing(backlinks)

    def _incoming(self, targets: list[str]) -> dict[str, list[str]]:
        """For each target, the entities with claims about it, once each, in data-file order."""
        found: dict[str, list[str]] = {}
        for start in range(0, len(targets), 500):
            part = targets[start : start + 500]
            marks = ",".join("?" * len(part))
            query = f"SELECT target, origin FROM links WHERE target IN ({marks}) ORDER BY rowid"
            for target, origin in self.db.execute(query, part):
                origins = found.setdefault(target, [])
                if origin not in origins[-1:]:
                    origins.append(origin)
        return found

    def adjacent(
        self, nodes: list[str], *, current: Reading | None = None, only_current: bool = True
    ) -> Adjacency:
        """The ids each node links to, as `graph.links` orders them: the targets of its claims
        in claim order, then the entities with claims about it, in data-file order. With a
        reading, only through claims current to it: the edges table knows on which days each
        link is; what could be known by a date, only the entities' claims tell (and, not
        `only_current`, every link known by it is followed)."""
        if current is not None and current.known_by is not None:
            return self._known_adjacent(nodes, current, only_current)
        if not only_current:
            current = None  # without a known-by date every link is known
        if current is None and (len(nodes) > 2000 or self._links is not None):
            if self._links is None:  # a wide walk: read every link once
                self._links = self._every_link()
            return {node: self._links.get(node, []) for node in nodes}
        table, when, day = "links", "", cast("tuple[int, ...]", ())
        if current is not None:
            table, when, day = (
                "edges",
                " AND since <= ? AND until >= ?",
                (current.day.toordinal(),) * 2,
            )
        found: Adjacency = {node: [] for node in nodes}
        incoming: Adjacency = {}
        for start in range(0, len(nodes), 500):
            part = nodes[start : start + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT {{}} FROM {table} WHERE {{}} IN ({marks}){when} ORDER BY rowid"
            for origin, target in self.db.execute(
                sql.format("origin, target", "origin"), [*part, *day]
            ):
                found[origin].append((target, "out"))
            for target, origin in self.db.execute(
                sql.format("target, origin", "target"), [*part, *day]
            ):
                incoming.setdefault(target, []).append((origin, "in"))
        for node, linked in incoming.items():
            found[node] += linked
        return found

    def degree(self, nodes: list[str]) -> int:
        """How many links the nodes have, either way (counted in the covering indexes)."""
        found = 0
        for start in range(0, len(nodes), 500):
            part = nodes[start : start + 500]
            marks = ",".join("?" * len(part))
            for column in ("origin", "target"):
                sql = f"SELECT count(*) FROM links WHERE {column} IN ({marks})"
                found += self.db.execute(sql, part).fetchone()[0]
        return found

    def _known_adjacent(self, nodes: list[str], reading: Reading, only_current: bool) -> Adjacency:
        """`adjacent` through the claims current to a reading with a known-by date, each
        entity's claims assessed."""
        from cpkb.query.current import Statuses
        from cpkb.query.graph import Walk, links

        incoming = self._incoming(nodes)
        needed = [*nodes, *(o for origins in incoming.values() for o in origins)]
        entities = self.entities(needed)
        kb = self.knowledge_base(entities).knowing(
            {node: naming_claims({o: entities[o] for o in incoming.get(node, [])}, "target", node)
             for node in nodes}
        )  # fmt: skip
        ends = self.stubs(c.target for e in nodes for c in entities[e].claims if c.target)
        kb.entities.update({i: e for i, e in ends.items() if i not in kb.entities})
        walk = Walk(Statuses(kb.sources, kb.properties, reading), only_current=only_current)
        return {node: [(link.entity.id, link.direction) for link in links(kb, node, walk=walk)]
                for node in nodes}  # fmt: skip

    def _every_link(self) -> dict[str, list[tuple[str, Direction]]]:
        found: dict[str, list[tuple[str, Direction]]] = {}
        incoming: dict[str, list[tuple[str, Direction]]] = {}
        for target, origin in self.db.execute("SELECT target, origin FROM links ORDER BY rowid"):
            found.setdefault(origin, []).append((target, "out"))
            incoming.setdefault(target, []).append((origin, "in"))
        for node, linked in incoming.items():
            found[node] = found.get(node, []) + linked
        return found


def naming_claims(entities: dict[str, Entity], field: str, entity_id: str) -> list[Backlink]:
    """The claims of `entities` whose `field` names `entity_id`, in order."""
    return [
        Backlink(origin, claim)
        for origin in entities.values()
        for claim in origin.claims
        if getattr(claim, field) == entity_id
    ]
