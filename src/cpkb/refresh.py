"""Refreshing the index of an earlier version of a data file, when few of its entities changed.

Editing one entity of a 100,000-entity file should not cost a full build. The index keeps a
digest of each entity's document; the entities whose digest changed get their rows again, as a
full build makes them (the same rowids, so rowid order stays file order), and everything
derived from all the entities (vocabulary, relations, meta) is written again. The result is the
index a full build would make: tests/test_index.py compares the two.

Anything else — another count of entities, changed sources or schema version, an index from
another cpkb, a problem in the file — declines, and the caller builds the index anew. Like a
build, the refresh works on a private copy that then replaces the index atomically.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

from cpkb.index import expected_meta
from cpkb.indexer import (
    PER_ENTITY,
    Filled,
    NotingMemo,
    Rows,
    Tables,
    Unusual,
    digest,
    finish,
    source_doc,
    sources_of,
)
from cpkb.parse import ParseProblem, parse_entity
from cpkb.text import fold, loose

MOST_CHANGED = 0.05  # a larger share of changed entities is built anew (it is as fast)


def refresh(target: Path, data_path: Path, stamp: str, tables: Tables) -> bool:
    """Bring the index at `target` up to date with the data file read as `tables`, in place
    of a full build; False if it cannot be (the caller then builds it)."""
    try:
        with closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as db:
            changed = _changed(db, data_path, tables)
    except (sqlite3.Error, OSError, Unusual, KeyError, ValueError, TypeError):
        return False
    if changed is None:
        return False
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(target, temporary)
        with closing(sqlite3.connect(temporary)) as db:
            db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
            characters = _apply(db, changed, tables)
            finish(db, expected_meta(data_path, stamp), _filled(db, tables, characters))
            db.commit()
        os.replace(temporary, target)
    except (sqlite3.Error, OSError, Unusual, ParseProblem, LookupError, TypeError, ValueError):
        return False  # the caller builds the index anew, and reports any problem of the file
    finally:
        with suppress(OSError):
            temporary.unlink()
    return True


def _changed(db: sqlite3.Connection, data_path: Path, tables: Tables) -> list[int] | None:
    """The positions of the entities that changed since the index was made; None if the index
    is not one a refresh can bring up to date."""
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    expected = expected_meta(data_path, "")
    if any(meta.get(key) != value for key, value in expected.items() if key != "stamp"):
        return None
    schema_version, sources = sources_of(tables)
    if str(schema_version) != meta["schema_version"]:
        return None
    stored = dict(db.execute("SELECT id, doc FROM sources").fetchall())
    if stored != {s.id: source_doc(s) for s in sources.values()}:
        return None
    documents = tables[2]
    digests = [row for (row,) in db.execute("SELECT digest FROM entities ORDER BY rowid")]
    if len(digests) != len(documents):
        return None
    changed = [
        n for n, (doc, old) in enumerate(zip(documents, digests, strict=True))
        if digest(doc) != old
    ]  # fmt: skip
    return changed if len(changed) <= MOST_CHANGED * len(documents) else None


def _apply(db: sqlite3.Connection, changed: list[int], tables: Tables) -> set[str]:
    """Replace the rows of the entities at `changed` positions by those of their new documents;
    the non-ASCII characters of their text."""
    documents: list[Any] = tables[2]
    ids = [doc.get("id") if isinstance(doc, dict) else None for doc in documents]
    if len(set(ids)) != len(ids):
        raise Unusual  # a repeated id (or a document with none): the full build reports it
    new = [documents[n] for n in changed]
    entities = [parse_entity(doc, f"$.entities[{n}]") for doc, n in zip(new, changed, strict=True)]
    rows = Rows(changed, new, entities, NotingMemo(fold), NotingMemo(loose))
    rowids = [(n + 1,) for n in changed]
    spans = [(rowid * PER_ENTITY, (rowid + 1) * PER_ENTITY) for (rowid,) in rowids]
    select = "SELECT id FROM entities WHERE rowid = ?"
    old_ids = [db.execute(select, rowid).fetchone()[0] for rowid in rowids]
    db.executemany(
        "INSERT INTO words(words, rowid, labels, body)"
        " SELECT 'delete', rowid, labels, body FROM entities WHERE rowid = ?",
        rowids,
    )
    db.executemany("DELETE FROM labels WHERE rowid >= ? AND rowid < ?", spans)
    db.executemany("DELETE FROM links WHERE rowid >= ? AND rowid < ?", spans)
    db.executemany("DELETE FROM entities WHERE rowid = ?", rowids)
    rows.insert(db)
    present = set(ids)
    if not {link[1] for link in rows.links} <= present:
        raise Unusual  # a link to nothing
    for old in set(old_ids) - present:
        if db.execute("SELECT 1 FROM links WHERE target = ? LIMIT 1", (old,)).fetchone():
            raise Unusual  # a link to an entity no longer there
    if not rows.cited <= {i for (i,) in db.execute("SELECT id FROM sources")}:
        raise Unusual  # a citation of no source
    return rows.characters


def _filled(db: sqlite3.Connection, tables: Tables, characters: set[str]) -> Filled:
    """What `finish` needs, from the refreshed tables. The characters of the transliterations
    are those known before and those of the new rows (one no longer in the file stays: harmless,
    its transliteration being anyascii's)."""
    schema_version, _ = sources_of(tables)
    relations = {p for (p,) in db.execute("SELECT DISTINCT property FROM links")}
    (known,) = db.execute("SELECT value FROM meta WHERE key = 'transliterations'").fetchone()
    return Filled(schema_version, relations, set(json.loads(known)) | characters)
