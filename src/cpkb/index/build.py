"""Building the index of a data file (cpkb.index reads it): rows from entities, written to a
private SQLite file that then replaces the old index atomically.

On a large file the entities are parsed and turned into rows by worker processes (forked, so
they share the parsed document without copying it), while this process writes the rows. Any
problem in the file sends the build down the careful path: `load()` reads the file the way every
other command does, and raises the error they would.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import multiprocessing
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

from cpkb.index.reader import Progress, expected_meta
from cpkb.kb import atomic, cache, store
from cpkb.kb import workers as forked
from cpkb.kb.document import ParseProblem
from cpkb.kb.parse import by_id, check_schema_version, parse_entity, parse_source
from cpkb.model.entities import Entity, KnowledgeBase, Source, cited_texts
from cpkb.query import text
from cpkb.query.text import WordMemo, fold, skeleton_text

# A private file until renamed into place: no journal, no syncs. Entity rows are ~2 KB: in the
# default 4 KiB pages, half of each page would stay empty.
PRAGMAS = "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE entities(id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL,
                      aliases BLOB NOT NULL, doc BLOB NOT NULL, folds BLOB NOT NULL,
                      digest BLOB NOT NULL, labels TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE labels(key TEXT NOT NULL, id TEXT NOT NULL);
CREATE TABLE links(target TEXT NOT NULL, origin TEXT NOT NULL, property TEXT NOT NULL);
CREATE VIRTUAL TABLE words USING fts5(labels, body, content = '', detail = 'full',
                                      tokenize = 'ascii');
CREATE VIRTUAL TABLE terms USING fts5vocab(words, 'row');
CREATE TABLE vocabulary(terms TEXT NOT NULL);
"""
INDEXES = """
CREATE INDEX labels_by_key ON labels(key);
CREATE INDEX links_by_target ON links(target);
CREATE INDEX links_by_origin ON links(origin);
"""
CHUNK = 2000  # entities per unit of work (and per progress step)

Row = tuple[int | str | bytes, ...]
# Rowid order is file order, however the index was made (see cpkb.refresh): an entity's rowid
# is its place in the file times GAP (room for entities inserted later), and its label and
# link rows are numbered by its rowid and their place in it.
GAP = 1 << 10
PER_ENTITY = 1 << 20
Label = tuple[int, str, str]  # rowid, key, entity id
Link = tuple[int, str, str, str]  # rowid, target, origin, property
Tables = tuple[Any, list[Any], list[Any]]  # as store.read_tables gives them


class Unusual(Exception):
    """The fast path met something it does not handle: build the careful way instead."""


# --- rows ------------------------------------------------------------------------------------


def source_doc(source: Source) -> str:
    """A source's fields after its id, in order (the reader makes a `Source` of them)."""
    return json.dumps(source[1:], ensure_ascii=False)


def _body(entity: Entity) -> str:
    """The text an entity is found by besides its labels: summary, values and quotes."""
    texts = [entity.summary]
    for claim in entity.claims:
        if isinstance(claim.value, (str, int, float)) and not isinstance(claim.value, bool):
            texts.append(str(claim.value))
    texts += (text for _, text in cited_texts(entity))
    return " ".join(texts)


class NotingMemo(WordMemo):
    """A WordMemo that notes the non-ASCII characters of the words it computes (each distinct
    word once), for the index's table of transliterations."""

    def __init__(self, per_word: Callable[[str], str]) -> None:
        super().__init__(per_word)
        self.characters: set[str] = set()

    def __missing__(self, word: str) -> str:
        if not word.isascii():
            self.characters.update(word)
        return super().__missing__(word)

    def noted(self) -> set[str]:
        """The characters noted since the last call."""
        characters, self.characters = self.characters, set()
        return characters


class Rows:
    """The rows of a run of entities: entity rows (document, then full-text columns), label
    rows and link rows; and the sources they cite, the relations they use and the non-ASCII
    characters of their text (see `text.learn_transliterations`)."""

    def __init__(
        self,
        rowids: Sequence[int],
        documents: list[Any],
        entities: list[Entity],
        folds: NotingMemo,
        loose: NotingMemo,
    ) -> None:
        self.ids = [entity.id for entity in entities]
        self.entities: list[Row] = []
        self.labels: list[Label] = []
        self.links: list[Link] = []
        self.cited: set[str] = set()
        self.relations: set[str] = set()
        # Ids are unique: memoising their folds would only fill the memo.
        folded = [[*map(folds, (e.name, *e.aliases)), fold(e.id)] for e in entities]
        keys = [sorted({label.replace(" ", "") for label in f} - {""}) for f in folded]
        # Skeletons of all labels at once: `skeleton_text` never crosses a line break, and one
        # pass over a run's text costs far less than one call per label. The loose words of the
        # labels are those of their folds (tests/test_fast_paths.py checks).
        words = skeleton_text("\n".join(" ".join(filter(None, f)) for f in folded)).split("\n")
        words = words if entities else []
        loose_keys = iter(skeleton_text("\n".join(chain.from_iterable(keys))).split("\n"))
        for rowid, document, entity, labels, label_words, label_keys in zip(
            rowids, documents, entities, folded, words, keys, strict=True
        ):
            blob = stored(document)
            self.entities.append((rowid, entity.id, entity.type, entity.name,
                                  marshal.dumps(entity.aliases), blob, marshal.dumps(labels),
                                  digest(blob), label_words, loose(_body(entity))))  # fmt: skip
            first = rowid * PER_ENTITY
            targets = [claim for claim in entity.claims if claim.target is not None]
            if max(2 * len(label_keys), len(targets)) >= PER_ENTITY:
                raise Unusual  # rows beyond this entity's numbers: no index for such a file
            for n, key in enumerate(label_keys):
                self.labels += ((first + 2 * n, key, entity.id),
                                (first + 2 * n + 1, "~" + next(loose_keys), entity.id))  # fmt: skip
            for n, claim in enumerate(targets):
                self.links.append((first + n, claim.target, entity.id, claim.property))
                self.relations.add(claim.property)
            self.cited.update(c.source for c in entity.sources)
            self.cited.update(c.source for k in entity.claims for c in k.sources)
        self.characters = folds.noted() | loose.noted()

    def insert(self, db: sqlite3.Connection) -> None:
        rows = self.entities
        db.executemany("INSERT INTO entities(rowid, id, type, name, aliases, doc, folds, digest,"
                       " labels, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)  # fmt: skip
        # The full-text table holds no copy of the text ("contentless"): its rows are the
        # entities' rowids, which is all a search needs back. (The entities table keeps the
        # text, which deleting a row from the full-text table takes.)
        db.executemany("INSERT INTO words(rowid, labels, body) VALUES (?, ?, ?)",
                       ((r[0], r[8], r[9]) for r in rows))  # fmt: skip
        db.executemany("INSERT INTO labels(rowid, key, id) VALUES (?, ?, ?)", self.labels)
        db.executemany("INSERT INTO links(rowid, target, origin, property) VALUES (?, ?, ?, ?)",
                       self.links)  # fmt: skip


def stored(document: Any) -> bytes:
    """An entity's document as the index keeps it: as read, in marshal (3x faster than JSON
    both ways; the index is keyed by Python version, as marshal's format may change). Version 2,
    which, unlike later ones, writes equal values as equal bytes whatever else refers to them:
    the bytes tell whether the document changed."""
    return marshal.dumps(document, 2)


def digest(blob: bytes) -> bytes:
    """What a stored document is compared by when the index is refreshed."""
    return hashlib.blake2b(blob, digest_size=16).digest()


# Set in this process before workers fork: they inherit them instead of receiving copies.
_documents: list[Any] = []
_memos: tuple[NotingMemo, NotingMemo] = (NotingMemo(fold), NotingMemo(text.loose))


def _chunk(start: int) -> Rows | None:
    """The rows of entity documents [start, start + CHUNK); None if one is not plainly valid."""
    documents = _documents[start : start + CHUNK]
    try:
        entities = [
            parse_entity(doc, f"$.entities[{i}]") for i, doc in enumerate(documents, start=start)
        ]
        rowids = range((start + 1) * GAP, (start + len(documents) + 1) * GAP, GAP)
        return Rows(rowids, documents, entities, *_memos)
    except (ParseProblem, Unusual):
        return None


def _chunks(documents: list[Any]) -> Iterator[Rows | None]:
    """`_chunk` of every run of documents, in order, computed by worker processes when it pays."""
    global _documents
    _documents = documents
    starts = range(0, len(documents), CHUNK)
    try:
        workers = forked.workers(len(documents))  # from forked.PARALLEL_FROM, on Linux
        if workers == 1:
            yield from map(_chunk, starts)
            return
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_chunk, starts)
    finally:
        _documents = []


# --- building --------------------------------------------------------------------------------


class Filled(NamedTuple):
    schema_version: int
    relations: set[str]  # the properties of relations
    characters: set[str]  # in the entities' text


def sources_of(tables: Tables) -> tuple[int, dict[str, Source]]:
    """The schema version and the sources; Unusual if either has a problem."""
    version, source_docs, _ = tables
    try:
        schema_version = check_schema_version(version)
        parsed = [parse_source(doc, f"$.sources[{i}]") for i, doc in enumerate(source_docs)]
        return schema_version, by_id(parsed, "source")
    except ParseProblem:
        raise Unusual from None


def _fill(db: sqlite3.Connection, tables: Tables, progress: Progress | None) -> Filled:
    """Fill the index from the data file; raise Unusual at the first sign of a problem."""
    schema_version, sources = sources_of(tables)
    entity_docs = tables[2]
    _insert_sources(db, sources)
    relations: set[str] = set()
    characters: set[str] = set()
    ids: set[str] = set()
    targets: set[str] = set()
    cited: set[str] = set()
    done = 0
    for rows in _chunks(entity_docs):
        if rows is None:
            raise Unusual
        rows.insert(db)
        ids.update(rows.ids)
        targets.update(link[1] for link in rows.links)
        cited |= rows.cited
        relations |= rows.relations
        characters |= rows.characters
        done += len(rows.ids)
        if progress:
            progress(done, len(entity_docs))
    if len(ids) != len(entity_docs) or not targets <= ids or not cited <= sources.keys():
        raise Unusual  # a repeated id, a link to nothing, a citation of no source
    return Filled(schema_version, relations, characters)


def finish(db: sqlite3.Connection, meta: dict[str, str], filled: Filled) -> None:
    """Write what is derived from all the entities: the vocabulary and the meta table."""
    db.execute("DELETE FROM vocabulary")
    terms = "\n".join(term for (term,) in db.execute("SELECT term FROM terms WHERE doc > 0"))
    db.execute("INSERT INTO vocabulary VALUES (?)", (terms,))
    meta |= {
        "schema_version": str(filled.schema_version),
        "relations": "\n".join(sorted(filled.relations)),
        "transliterations": json.dumps(text.transliterations(sorted(filled.characters))),
    }
    db.execute("DELETE FROM meta")
    db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())


def _insert_sources(db: sqlite3.Connection, sources: dict[str, Source]) -> None:
    rows = ((s.id, source_doc(s)) for s in sources.values())
    db.executemany("INSERT INTO sources VALUES (?, ?)", rows)


def _write(
    target: Path, data_path: Path, stamp: str, fill: Callable[[sqlite3.Connection], Filled]
) -> None:
    """Create the index at `target` with `fill`, atomically."""
    with atomic.replacing(target, durable=False) as temporary:
        db = sqlite3.connect(temporary)
        try:
            db.executescript(PRAGMAS + SCHEMA)
            filled = fill(db)
            for statement in INDEXES.strip().splitlines():
                db.execute(statement)
            finish(db, expected_meta(data_path, stamp), filled)
            db.commit()
        finally:
            db.close()
    cache.tidy(keep=str(target))


def build(
    data_path: Path,
    target: Path,
    stamp: str,
    *,
    load: Callable[[], KnowledgeBase],
    progress: Progress | None = None,
) -> bool:
    """Index the data file at `data_path` into `target`; False if it was not indexed.

    An index of an earlier version of the file is refreshed when few entities changed
    (cpkb.refresh); otherwise the index is built anew. A file with any problem is read with
    `load()`, which raises the error every command gives (and should it find none, False: the
    caller reads the file). OSError and sqlite3.Error propagate (no space, an unwritable cache).
    """
    tables = store.read_tables(data_path)
    try:
        from cpkb.index.refresh import refresh

        if refresh(target, data_path, stamp, tables):
            return True
        _write(target, data_path, stamp, lambda db: _fill(db, tables, progress))
    except Unusual:
        load()
        return False
    return True
