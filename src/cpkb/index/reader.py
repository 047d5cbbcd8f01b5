"""Reading the index: entities, sources, links and the vocabulary, as the catalog asks. An index
is opened only if it was made of the data file as it is now, by this cpkb."""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import sqlite3
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from cpkb.index import schema
from cpkb.kb import cache, quick
from cpkb.kb.document import ParseProblem
from cpkb.model.entities import Backlink, Entity, KnowledgeBase, Source
from cpkb.query.text import learn_transliterations

if TYPE_CHECKING:
    from pathlib import Path

    from cpkb.query.graph import Direction

# What reading a damaged index raises (a corrupt file, rows of the wrong type or shape).
UNREADABLE = (
    sqlite3.Error, ValueError, TypeError, LookupError, EOFError, AttributeError,
    ArithmeticError, RecursionError, ParseProblem,
)  # fmt: skip

WITH_DOCUMENTS = "entities JOIN documents ON documents.rowid = entities.rowid"

# --- stored documents -> models (cpkb.index.rows writes them) -------------------------------


def entity_from_doc(blob: bytes, version: int) -> Entity:
    """The entity from its stored document (as read from a data file of this schema version,
    in marshal)."""
    document = marshal.loads(blob)
    entity = quick.entity(document, version)
    if entity is None:  # valid (it was indexed), but in a shape the fast path leaves alone
        from cpkb.kb.parse import parse_entity

        entity = parse_entity(document, "$", version)
    return entity


def labels_only(entity_id: object, kind: object, name: object, *, aliases: object) -> Entity:
    """An entity with only its id, type, name and aliases, as the index's columns hold them;
    ValueError if one is not of its type (a damaged index)."""
    if not isinstance(aliases, tuple) or not all(
        isinstance(text, str) for text in (entity_id, kind, name, *aliases)
    ):
        raise ValueError("not the labels of an entity")
    return Entity(str(entity_id), str(kind), str(name), aliases, "", (), ())


# --- reading ---------------------------------------------------------------------------------


class Index:
    """An open, current index of one data file."""

    def __init__(
        self, db: sqlite3.Connection, path: str, data_path: Path | str, schema_version: int
    ) -> None:
        self.db, self.path, self.data_path = db, path, data_path
        self.schema_version = schema_version
        self._vocabulary: list[str] | None = None
        self._links: dict[str, list[tuple[str, Direction]]] | None = None
        self._inode = _inode(path)

    @classmethod
    def open(cls, path: Path | str, data_path: Path | str, stamp: str) -> Index | None:
        """The index at `path` if it exists, is readable and matches the data file; else None."""
        try:
            db = sqlite3.connect(schema.read_only(path), uri=True, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            meta = schema.read_meta(db)
            if any(meta.get(k) != v for k, v in schema.expected_meta(data_path, stamp).items()):
                db.close()
                return None
            index = cls(db, str(path), data_path, int(meta["schema_version"]))
            cache.touch(str(path))
            table = json.loads(meta["transliterations"])
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise ValueError("not a table of transliterations")
            learn_transliterations(table)
            return index
        except UNREADABLE:
            db.close()
            return None

    def discard(self) -> None:
        """Close this index and remove it (unless another process has replaced it since), so
        that the next run builds it anew."""
        self.db.close()
        if self._inode is not None and _inode(self.path) == self._inode:
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    def sources(self) -> dict[str, Source]:
        rows = self.db.execute("SELECT id, doc FROM sources").fetchall()
        return {i: Source(i, *json.loads(doc)) for i, doc in rows}

    def holding_id(self, value: str) -> list[Entity]:
        """The entities whose stored document holds an object whose `id` is `value` (the entity
        itself, or one of its claims), in data-file order: marshal (version 2) writes a key and
        its value one after the other, so SQLite finds those bytes without decoding documents."""
        pattern = marshal.dumps("id", 2) + marshal.dumps(value, 2)
        query = f"SELECT doc FROM {WITH_DOCUMENTS} WHERE instr(doc, ?) > 0 ORDER BY entities.rowid"
        rows = self.db.execute(query, (pattern,)).fetchall()
        return [entity_from_doc(doc, self.schema_version) for (doc,) in rows]

    def select(self, columns: str, keys: Iterable[Any], *, by: str = "id") -> list[tuple[Any, ...]]:
        """Rows `columns` of the entities (with their documents) whose `by` is one of `keys`. An id
        that is not valid Unicode (undecodable bytes of a command line) is in no index."""
        wanted = [key for key in keys if not isinstance(key, str) or schema.storable(key)]
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            query = f"SELECT {columns} FROM {WITH_DOCUMENTS} WHERE entities.{by} IN"
            rows += self.db.execute(f"{query} ({','.join('?' * len(part))})", part).fetchall()
        return rows

    def entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        """Full entities for `ids` (unknown ids are left out), in the order asked."""
        wanted = list(dict.fromkeys(ids))
        rows = self.select("id, doc", wanted)
        found = {i: entity_from_doc(doc, self.schema_version) for i, doc in rows}
        return {i: found[i] for i in wanted if i in found}

    def stubs(self, ids: Iterable[str]) -> dict[str, Entity]:
        """Entities with only id, type and name: enough to name a link's other end."""
        rows = self.select("id, type, name", dict.fromkeys(ids))
        return {i: labels_only(i, kind, name, aliases=()) for i, kind, name in rows}

    def labelled(self) -> Iterator[Entity]:
        """Every entity with only its id, type, name and aliases, in data-file order, read as
        iterated (completion stops at the first hundred matches)."""
        rows = self.db.execute("SELECT id, type, name, aliases FROM entities ORDER BY rowid")
        for entity_id, kind, name, aliases in rows:
            yield labels_only(entity_id, kind, name, aliases=marshal.loads(aliases))

    def of_type(self, entity_type: str) -> Iterator[Entity]:
        """The entities of `entity_type`, in data-file order, read as iterated."""
        query = f"SELECT doc FROM {WITH_DOCUMENTS} WHERE type = ? ORDER BY entities.rowid"
        for (doc,) in self.db.execute(query, (entity_type,)):
            yield entity_from_doc(doc, self.schema_version)

    def label_ids(self, key: str) -> list[str]:
        rows = self.db.execute("SELECT DISTINCT id FROM labels WHERE key = ?", (key,))
        return [i for (i,) in rows]

    def neighbourhood(self, entity_id: str) -> KnowledgeBase:
        """A knowledge base holding the entity, the ends of its links and its backlinks: all that
        its JSON view needs."""
        entity = self.entities([entity_id])[entity_id]
        origins = self.db.execute(
            "SELECT origin FROM links WHERE target = ? ORDER BY rowid", (entity_id,)
        )
        backlinking = self.entities(o for (o,) in origins)
        targets = {c.target for c in entity.claims if c.target is not None}
        known = self.stubs(targets - backlinking.keys()) | backlinking | {entity_id: entity}
        links = [
            Backlink(origin, claim)
            for origin in backlinking.values()
            for claim in origin.claims
            if claim.target == entity_id
        ]
        kb = KnowledgeBase(self.data_path, self.schema_version, self.sources(), known)
        return kb.knowing({entity_id: links})

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
        kb = KnowledgeBase(self.data_path, self.schema_version, self.sources(), known)
        return kb.knowing(backlinks)

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

    def adjacent(self, nodes: list[str]) -> dict[str, list[tuple[str, Direction]]]:
        """The ids each node links to, as `graph.links` orders them: the targets of its claims
        in claim order, then the entities with claims about it, in data-file order."""
        if len(nodes) > 2000 or self._links is not None:  # a wide walk: read every link once
            if self._links is None:
                self._links = self._every_link()
            return {node: self._links.get(node, []) for node in nodes}
        found: dict[str, list[tuple[str, Direction]]] = {node: [] for node in nodes}
        incoming: dict[str, list[tuple[str, Direction]]] = {}
        for start in range(0, len(nodes), 500):
            part = nodes[start : start + 500]
            marks = ",".join("?" * len(part))
            out = f"SELECT origin, target FROM links WHERE origin IN ({marks}) ORDER BY rowid"
            for origin, target in self.db.execute(out, part):
                found[origin].append((target, "out"))
            back = f"SELECT target, origin FROM links WHERE target IN ({marks}) ORDER BY rowid"
            for target, origin in self.db.execute(back, part):
                incoming.setdefault(target, []).append((origin, "in"))
        for node, linked in incoming.items():
            found[node] += linked
        return found

    def _every_link(self) -> dict[str, list[tuple[str, Direction]]]:
        found: dict[str, list[tuple[str, Direction]]] = {}
        incoming: dict[str, list[tuple[str, Direction]]] = {}
        for target, origin in self.db.execute("SELECT target, origin FROM links ORDER BY rowid"):
            found.setdefault(origin, []).append((target, "out"))
            incoming.setdefault(target, []).append((origin, "in"))
        for node, linked in incoming.items():
            found[node] = found.get(node, []) + linked
        return found

    def subset(self, ids: Iterable[str]) -> KnowledgeBase:
        """A knowledge base of just these entities (and every source)."""
        entities = self.entities(ids)
        return KnowledgeBase(self.data_path, self.schema_version, self.sources(), entities)

    def relation_properties(self) -> list[str]:
        (names,) = self.db.execute("SELECT value FROM meta WHERE key = 'relations'").fetchone()
        return [name for name in names.split("\n") if name]

    def vocabulary(self) -> list[str]:
        """Every distinct indexed word (loose form), read once per process."""
        if self._vocabulary is None:
            (terms,) = self.db.execute("SELECT terms FROM vocabulary").fetchone()
            self._vocabulary = terms.split("\n")
        return self._vocabulary


def _inode(path: Path | str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None
