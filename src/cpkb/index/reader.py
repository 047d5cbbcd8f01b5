"""A derived SQLite index of a data file, kept in the user cache directory. Never the truth.

The index holds each entity's document, its folded labels, its incoming links and a full-text
table of transliteration-folded words, so that `show` and `search` on a 100,000-entity file answer
without reading the file. It is keyed by the data file's path and identity (device, inode, size,
mtime and ctime, which every write changes even when size and mtime are kept), by the versions of
cpkb, Python and anyascii (whose answers it keeps), and by the index format: any change, and it is
rebuilt. Built into a private temporary file and moved into place atomically, so concurrent
builders cannot corrupt it; when it is missing, corrupt or unwritable, callers fall back to
reading the data file.
"""

from __future__ import annotations

import json
import marshal
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from cpkb.kb import cache, collector, quick
from cpkb.model.entities import Backlink, Entity, KnowledgeBase, Source
from cpkb.query.text import fold, learn_transliterations, skeleton

if TYPE_CHECKING:
    from pathlib import Path

    from cpkb.query.graph import Direction
    from cpkb.query.search import SearchHit

CANDIDATES = 100  # entities re-ranked in Python per query; the rest is ranked by SQLite FTS5

Progress = Callable[[int, int], None]


def index_location(data_path: Path | str) -> str:
    """Where the index of `data_path` is kept."""
    return cache.entry("index", data_path, "sqlite")


def fingerprint(data_path: Path | str) -> str:
    """Changes whenever the file is replaced or written (ctime moves even if mtime is reset)."""
    st = os.stat(data_path)
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def expected_meta(data_path: Path | str, stamp: str) -> dict[str, str]:
    return {"code": cache.code_key(), "data": str(data_path), "stamp": stamp}


# --- stored documents -> models (cpkb.indexer writes them) -----------------------------------


def entity_from_doc(entity_id: str, blob: bytes) -> Entity:
    """The entity from its stored document (as read from the data file, in marshal)."""
    document = marshal.loads(blob)
    entity = quick.entity(document)
    if entity is None:  # valid (it was indexed), but in a shape the fast path leaves alone
        from cpkb.kb.parse import parse_entity

        entity = parse_entity(document, "$")
    return entity


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

    @classmethod
    def open(cls, path: Path | str, data_path: Path | str, stamp: str) -> Index | None:
        """The index at `path` if it exists, is readable and matches the data file; else None."""
        try:
            db = sqlite3.connect(read_only(path), uri=True, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if any(meta.get(k) != v for k, v in expected_meta(data_path, stamp).items()):
                db.close()
                return None
            index = cls(db, str(path), data_path, int(meta["schema_version"]))
            cache.touch(str(path))
            table = json.loads(meta["transliterations"])
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise ValueError("not a table of transliterations")
            learn_transliterations(table)
            return index
        except (sqlite3.Error, KeyError, ValueError):
            db.close()
            return None

    def sources(self) -> dict[str, Source]:
        rows = self.db.execute("SELECT id, doc FROM sources").fetchall()
        return {i: Source(i, *json.loads(doc)) for i, doc in rows}

    def holding_id(self, value: str) -> list[Entity]:
        """The entities whose stored document holds an object whose `id` is `value` (the entity
        itself, or one of its claims), in data-file order. Marshal (version 2) writes a key and
        its value one after the other, so SQLite finds those bytes without decoding documents;
        the caller checks where they were found."""
        pattern = marshal.dumps("id", 2) + marshal.dumps(value, 2)
        query = "SELECT id, doc FROM entities WHERE instr(doc, ?) > 0 ORDER BY rowid"
        rows = self.db.execute(query, (pattern,)).fetchall()
        return [entity_from_doc(i, doc) for i, doc in rows]

    def _select(self, columns: str, ids: Iterable[str]) -> tuple[list[str], list[tuple[Any, ...]]]:
        """(the distinct ids asked, in order; rows `columns` of those that exist), 500 a query."""
        wanted = list(dict.fromkeys(ids))
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            query = f"SELECT {columns} FROM entities WHERE id IN ({','.join('?' * len(part))})"
            rows += self.db.execute(query, part).fetchall()
        return wanted, rows

    def entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        """Full entities for `ids` (unknown ids are left out), in the order asked."""
        wanted, rows = self._select("id, doc", ids)
        found = {i: entity_from_doc(i, doc) for i, doc in rows}
        return {i: found[i] for i in wanted if i in found}

    def stubs(self, ids: Iterable[str]) -> dict[str, Entity]:
        """Entities with only id, type and name: enough to name a link's other end."""
        _, rows = self._select("id, type, name", ids)
        return {i: Entity(i, kind, name, (), "", (), ()) for i, kind, name in rows}

    def labelled(self) -> Iterator[Entity]:
        """Every entity with only its id, type, name and aliases, in data-file order, read as
        iterated (completion stops at the first hundred matches)."""
        rows = self.db.execute("SELECT id, type, name, aliases FROM entities ORDER BY rowid")
        for entity_id, kind, name, aliases in rows:
            yield Entity(entity_id, kind, name, marshal.loads(aliases), "", (), ())

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
        kb._backlinks = {entity_id: links}
        return kb

    def around(self, entity_id: str, *, depth: int) -> KnowledgeBase:
        """The entities within `depth` links of `entity_id`, either way, with every backlink of
        those nearer than `depth`: all that a walk of `depth` steps from it reads."""
        known = self.entities([entity_id])
        backlinks: dict[str, list[Backlink]] = {}
        frontier = [entity_id]
        for _ in range(depth):
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
        kb._backlinks = backlinks
        return kb

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

    def candidates(
        self, query: str, *, entity_type: str | None, labels_only: bool, enough: int = CANDIDATES
    ) -> list[str]:
        """Ids of the entities most likely to match `query`, by FTS5's bm25: those with every word
        first; those with only some words too, when fewer than `enough` have every word (an entity
        with every word always outranks one without). A label must hold every word to resolve a
        reference, so `labels_only` never looks further."""
        words = list(dict.fromkeys(fold(query).split()))
        if not words:
            return []
        groups = [self._alternatives(word) for word in words]
        column = "labels : " if labels_only else ""
        ids: list[str] = []
        for joiner in (" AND ", " OR "):
            match = joiner.join(f"{column}({' OR '.join(g)})" for g in groups)
            ids += self._match(match, entity_type, exclude=ids)
            if len(ids) >= enough or len(groups) == 1 or labels_only:
                break
        key = "".join(words)
        exact = self.label_ids(key) + self.label_ids("~" + skeleton(key))
        return list(dict.fromkeys(exact + ids))

    def _match(self, match: str, entity_type: str | None, *, exclude: list[str]) -> list[str]:
        sql = "SELECT id FROM words JOIN entities ON entities.rowid = words.rowid"
        sql += " WHERE words MATCH ?"
        args: list[Any] = [match]
        if entity_type is not None:
            sql, args = sql + " AND type = ?", [*args, entity_type]
        sql += " ORDER BY bm25(words, 10.0, 1.0) LIMIT ?"
        rows = self.db.execute(sql, [*args, CANDIDATES + len(exclude)])
        seen = set(exclude)
        return [i for (i,) in rows if i not in seen][: CANDIDATES - len(exclude)]

    def _alternatives(self, word: str) -> list[str]:
        """FTS terms for a query word: its loose form, words it begins, and near misspellings."""
        from cpkb.query.search import typo_budget

        key = skeleton(word)
        terms = {f'"{key}"'}
        if len(key) >= 3:
            terms.add(f'"{key}"*')
        budget = typo_budget(key)
        if budget:
            from rapidfuzz import process
            from rapidfuzz.distance import OSA

            near = process.extract(
                key, self.vocabulary(), scorer=OSA.distance, score_cutoff=budget, limit=None
            )
            terms.update(f'"{term}"' for term, _, _ in near)
        return sorted(terms)

    def vocabulary(self) -> list[str]:
        """Every distinct indexed word (loose form), read once per process."""
        if self._vocabulary is None:
            (terms,) = self.db.execute("SELECT terms FROM vocabulary").fetchone()
            self._vocabulary = terms.split("\n")
        return self._vocabulary

    def search(self, query: str, *, entity_type: str | None, limit: int | None) -> list[SearchHit]:
        """The same ranking as `SearchIndex`, applied to the candidates FTS5 preselects."""
        enough = CANDIDATES if limit is None else min(limit, CANDIDATES)
        ids = self.candidates(query, entity_type=entity_type, labels_only=False, enough=enough)
        from cpkb.query.search import SearchIndex

        wanted, rows = self._select("id, doc, folds", ids)
        found = {i: (entity_from_doc(i, doc), marshal.loads(folds)) for i, doc, folds in rows}
        entities = [found[i][0] for i in wanted if i in found]
        folded = {
            label: fold
            for entity, folds in found.values()
            for label, fold in zip((entity.name, *entity.aliases, entity.id), folds, strict=True)
        }
        return SearchIndex.build(entities, folded=folded).search(
            query, entity_type=entity_type, limit=limit
        )

    def close(self) -> None:
        self.db.close()


def open_current(
    data_path: Path | str, *, load: Callable[[], KnowledgeBase], progress: Progress | None = None
) -> Index | None:
    """The current index of `data_path`, rebuilt if stale; None if it cannot be had (read-only
    cache, no space): the caller then reads the file itself. Data errors propagate from `load`."""
    try:
        stamp = fingerprint(data_path)
        target = index_location(data_path)
    except (OSError, RuntimeError, ValueError):
        return None
    found = Index.open(target, data_path, stamp)
    if found is not None:
        return found
    from pathlib import Path

    from cpkb.index.build import build

    if progress:
        progress(0, 0)  # reading the file comes first, and takes a while on big files
    with collector.paused():
        try:
            if not build(Path(data_path), Path(target), stamp, load=load, progress=progress):
                return None
        except (OSError, sqlite3.Error):
            return None
    return Index.open(target, data_path, stamp)


def read_only(path: Path | str) -> str:
    """The SQLite URI that opens `path` read-only (% ? and # escaped, as URIs need)."""
    escaped = str(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return f"file:{escaped}?mode=ro"
