"""Reading the index: entities, sources, links and the vocabulary, as the catalog asks. An index
is opened only if it was made of the data file as it is now, by this cpkb."""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from cpkb.index import schema
from cpkb.index.links import Adjacency, LinkReads, naming_claims
from cpkb.kb import cache, quick
from cpkb.kb.document import ParseProblem
from cpkb.model.entities import Entity, KnowledgeBase, Property, Source
from cpkb.query.text import learn_transliterations

if TYPE_CHECKING:
    from pathlib import Path


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


class Index(LinkReads):
    """An open, current index of one data file."""

    def __init__(
        self, db: sqlite3.Connection, path: str, data_path: Path | str, schema_version: int
    ) -> None:
        self.db, self.path, self.data_path = db, path, data_path
        self.schema_version = schema_version
        self._vocabulary: list[str] | None = None
        self._properties: dict[str, Property] | None = None
        self._links: Adjacency | None = None
        self._inode = _inode(path)

    @classmethod
    def open(cls, path: Path | str, data_path: Path | str, stamp: str) -> Index | None:
        """The index at `path` if it exists, is readable and matches the data file; else None."""
        if not _regular(path):
            return None  # a FIFO there would hold SQLite's open for ever
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

    def properties(self) -> dict[str, Property]:
        """The vocabulary, read once per process."""
        if self._properties is None:
            rows = self.db.execute("SELECT name, doc FROM properties ORDER BY rowid").fetchall()
            self._properties = {name: _property(name, json.loads(doc)) for name, doc in rows}
        return self._properties

    def knowledge_base(self, entities: dict[str, Entity]) -> KnowledgeBase:
        """A knowledge base of these entities, with every source and the vocabulary."""
        return KnowledgeBase(
            self.data_path, self.schema_version, self.sources(), entities, self.properties()
        )

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

    def summaries(self, entity_type: str) -> Iterator[tuple[str, str, str]]:
        """Each entity of `entity_type`'s id, name and summary (a field every entity has), in
        data-file order, read as iterated: what `of_type`'s entities hold of them, the rest of
        each left unmade."""
        query = (
            f"SELECT entities.id, entities.name, doc FROM {WITH_DOCUMENTS} WHERE type = ? "
            "ORDER BY entities.rowid"
        )
        for entity_id, name, doc in self.db.execute(query, (entity_type,)):
            yield entity_id, name, marshal.loads(doc)["summary"]

    def label_ids(self, key: str, *, former: str | None = None) -> list[str]:
        """The entities with a label of this key (or a former id of key `former`), in file
        order."""
        rows = self.db.execute(
            "SELECT id FROM labels WHERE key IN (?, ?) GROUP BY id ORDER BY min(rowid)",
            (key, key if former is None else former),
        )
        return [i for (i,) in rows]

    def neighbourhood(self, entity_id: str) -> KnowledgeBase:
        """A knowledge base holding the entity, the ends of its links, its backlinks and the
        claims said to be its statements (and what those name): all that its JSON view needs."""
        entity = self.entities([entity_id])[entity_id]
        backlinking = self._naming("links", "target", entity_id)
        stating = self._naming("statements", "stater", entity_id)
        full = backlinking | stating | {entity_id: entity}
        named = {
            i
            for e in (entity, *stating.values())
            for c in e.claims
            for i in (c.target, c.stated_by)
            if i is not None
        }
        kb = self.knowledge_base(self.stubs(named - full.keys()) | full)
        return kb.knowing(
            {entity_id: naming_claims(backlinking, "target", entity_id)},
            {entity_id: naming_claims(stating, "stated_by", entity_id)},
        )

    def _naming(self, table: str, column: str, entity_id: str) -> dict[str, Entity]:
        """The entities with claims that name `entity_id` in `column`, in file order."""
        query = f"SELECT origin FROM {table} WHERE {column} = ? ORDER BY rowid"
        return self.entities(o for (o,) in self.db.execute(query, (entity_id,)))

    def subset(self, ids: Iterable[str]) -> KnowledgeBase:
        """A knowledge base of just these entities (and every source, and the vocabulary)."""
        return self.knowledge_base(self.entities(ids))

    def relation_properties(self) -> list[str]:
        (names,) = self.db.execute("SELECT value FROM meta WHERE key = 'relations'").fetchone()
        return [name for name in names.split("\n") if name]

    def vocabulary(self) -> list[str]:
        """Every distinct indexed word (loose form), read once per process."""
        if self._vocabulary is None:
            (terms,) = self.db.execute("SELECT terms FROM vocabulary").fetchone()
            self._vocabulary = terms.split("\n")
        return self._vocabulary


def _property(name: str, fields: list[Any]) -> Property:
    """A property of the vocabulary from the fields after its name (as `rows` writes them)."""
    found = Property(name, *fields)
    if not isinstance(found.types, list):
        raise ValueError("not the fields of a property")
    return found._replace(types=tuple(found.types))


def _inode(path: Path | str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _regular(path: Path | str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
