"""The index's SQLite schema: its tables, what its meta table records, and the statements that
write and delete rows. Building, refreshing and reading all go through here."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from cpkb.kb import cache

if TYPE_CHECKING:
    from pathlib import Path

# A private file until renamed into place: no journal, no syncs. Documents run to kilobytes: in
# default 4 KiB pages, half of each page would stay empty.
PRAGMAS = "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
TABLES = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE entities(id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL,
                      aliases BLOB NOT NULL, folds BLOB NOT NULL, digest BLOB NOT NULL);
CREATE TABLE documents(doc BLOB NOT NULL, labels TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE labels(key TEXT NOT NULL, id TEXT NOT NULL);
CREATE TABLE links(target TEXT NOT NULL, origin TEXT NOT NULL, property TEXT NOT NULL);
CREATE TABLE edges(target TEXT NOT NULL, origin TEXT NOT NULL, since INTEGER NOT NULL,
                   until INTEGER NOT NULL);
CREATE TABLE statements(stater TEXT NOT NULL, origin TEXT NOT NULL);
CREATE TABLE properties(name TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE VIRTUAL TABLE words USING fts5(labels, body, content = '', detail = 'full',
                                      tokenize = 'ascii');
CREATE VIRTUAL TABLE terms USING fts5vocab(words, 'row');
CREATE TABLE vocabulary(terms TEXT NOT NULL);
"""
# Covering indexes: a walk reads a hub's thousands of links from the index alone.
INDEXES = """
CREATE INDEX labels_by_key ON labels(key);
CREATE INDEX links_by_target ON links(target, origin);
CREATE INDEX links_by_origin ON links(origin, target);
CREATE INDEX edges_by_target ON edges(target, origin, since, until);
CREATE INDEX edges_by_origin ON edges(origin, target, since, until);
CREATE INDEX statements_by_stater ON statements(stater);
"""

# Listings' views, stored as the bytes a command prints (cpkb.index.views): apart from the tables
# above, made on demand, and each set valid only for the index `stamp` and the days it names.
VIEW_TABLES = """
CREATE TABLE IF NOT EXISTS view_sets(kind TEXT PRIMARY KEY, stamp TEXT NOT NULL,
                                     valid_from TEXT NOT NULL, valid_to TEXT NOT NULL,
                                     count INTEGER NOT NULL, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS view_rows(kind TEXT NOT NULL, entity INTEGER NOT NULL,
                                     bytes BLOB NOT NULL, PRIMARY KEY(kind, entity));
"""

# Rowid order is file order, however the index was made (see refresh): an entity's rowid is its
# place in the file times GAP (room for entities inserted later), and its label and link rows
# are numbered by its rowid and their place in it.
GAP = 1 << 10
PER_ENTITY = 1 << 20

# rowid, id, type, name, aliases, doc, folds, digest, labels, body: of `entities` and `documents`
EntityRow = tuple[int | str | bytes, ...]
LabelRow = tuple[int, str, str]  # rowid, key, entity id
LinkRow = tuple[int, str, str, str]  # rowid, target, origin, property
EdgeRow = tuple[int, str, str, int, int]  # rowid, target, origin, first and last day current
StatementRow = tuple[int, str, str]  # rowid, the entity said to state it, the claim's entity


def location(data_path: Path | str) -> str:
    """Where the index of `data_path` is kept."""
    return cache.entry("index", data_path, "sqlite")


def fingerprint(data_path: Path | str) -> str:
    """Changes whenever the file is replaced or written (ctime moves even if mtime is reset)."""
    st = os.stat(data_path)
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def expected_meta(data_path: Path | str, stamp: str) -> dict[str, str]:
    """What an index of `data_path` as it is now (`stamp`) records, besides what it derives."""
    path = str(data_path)
    shown = path if storable(path) else "bytes:" + os.fsencode(path).hex()
    return {"code": cache.code_key(), "data": shown, "stamp": stamp}


def storable(text: str) -> bool:
    """Whether SQLite can take `text`: not if it holds lone surrogates (undecodable bytes of a
    command line or a file name, as Python decodes them)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_meta(db: sqlite3.Connection) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM meta").fetchall())


def read_only(path: Path | str) -> str:
    """The SQLite URI that opens `path` read-only (% ? and # escaped, as URIs need)."""
    escaped = str(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return f"file:{escaped}?mode=ro"


def create(db: sqlite3.Connection) -> None:
    db.executescript(PRAGMAS + TABLES)


def create_indexes(db: sqlite3.Connection) -> None:
    """The B-tree indexes, made once the rows are in (faster than keeping them up to date)."""
    for statement in INDEXES.strip().splitlines():
        db.execute(statement)


def insert_sources(db: sqlite3.Connection, rows: Iterable[tuple[str, str]]) -> None:
    db.executemany("INSERT INTO sources VALUES (?, ?)", rows)


def insert_properties(db: sqlite3.Connection, rows: Iterable[tuple[str, str]]) -> None:
    db.executemany("INSERT INTO properties VALUES (?, ?)", rows)


def insert_time(
    db: sqlite3.Connection, edges: Sequence[EdgeRow], statements: Sequence[StatementRow]
) -> None:
    """The rows of version 2: links by the days they are current, and who states what."""
    db.executemany("INSERT INTO edges(rowid, target, origin, since, until) VALUES (?, ?, ?, ?, ?)",
                   edges)  # fmt: skip
    db.executemany("INSERT INTO statements(rowid, stater, origin) VALUES (?, ?, ?)", statements)


def insert_entities(
    db: sqlite3.Connection,
    entities: Sequence[EntityRow],
    labels: Sequence[LabelRow],
    links: Sequence[LinkRow],
) -> None:
    # Labels apart from documents: a search reads the labels of thousands of entities.
    db.executemany("INSERT INTO entities(rowid, id, type, name, aliases, folds, digest)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                   ((r[0], r[1], r[2], r[3], r[4], r[6], r[7]) for r in entities))  # fmt: skip
    db.executemany("INSERT INTO documents(rowid, doc, labels, body) VALUES (?, ?, ?, ?)",
                   ((r[0], r[5], r[8], r[9]) for r in entities))  # fmt: skip
    # The full-text table holds no copy of the text ("contentless"): its rows are the entities'
    # rowids, which is all a search needs back. (Deleting one of its rows takes the text, which
    # the documents table keeps.)
    db.executemany("INSERT INTO words(rowid, labels, body) VALUES (?, ?, ?)",
                   ((row[0], row[8], row[9]) for row in entities))  # fmt: skip
    db.executemany("INSERT INTO labels(rowid, key, id) VALUES (?, ?, ?)", labels)
    db.executemany("INSERT INTO links(rowid, target, origin, property) VALUES (?, ?, ?, ?)", links)


def delete_entities(db: sqlite3.Connection, rowids: Sequence[int]) -> None:
    """Remove entities and every row numbered after them (labels, links, full text)."""
    gone = [(rowid,) for rowid in rowids]
    spans = [(rowid * PER_ENTITY, (rowid + 1) * PER_ENTITY) for rowid in rowids]
    db.executemany(
        "INSERT INTO words(words, rowid, labels, body)"
        " SELECT 'delete', rowid, labels, body FROM documents WHERE rowid = ?",
        gone,
    )
    db.executemany("DELETE FROM labels WHERE rowid >= ? AND rowid < ?", spans)
    for table in ("links", "edges", "statements"):
        db.executemany(f"DELETE FROM {table} WHERE rowid >= ? AND rowid < ?", spans)
    db.executemany("DELETE FROM entities WHERE rowid = ?", gone)
    db.executemany("DELETE FROM documents WHERE rowid = ?", gone)


def write_derived(db: sqlite3.Connection, meta: dict[str, str]) -> None:
    """Write what derives from every row: the vocabulary of the full text, and the meta table."""
    db.execute("DELETE FROM vocabulary")
    terms = "\n".join(term for (term,) in db.execute("SELECT term FROM terms WHERE doc > 0"))
    db.execute("INSERT INTO vocabulary VALUES (?)", (terms,))
    db.execute("DELETE FROM meta")
    db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
