"""Listings' views kept in the index as the bytes a command prints, so that a listing on a warm
index is those bytes read back in file order. A set is stored by the command that made it the
slow way, and is used only with the index it was made for (the data file unchanged) and on the
days over which no claim starts or ends (what is current, and so the views, stay the same)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from typing import TYPE_CHECKING, NamedTuple

from cpkb.index import schema
from cpkb.index.reader import UNREADABLE, Index

if TYPE_CHECKING:
    import datetime as dt

    from cpkb.query.time import Span


class Stored(NamedTuple):
    """A set's bytes in file order, and what it notes of them all (an aggregate)."""

    rows: list[bytes]
    note: str


def stored(index: Index, kind: str, day: dt.date) -> Stored | None:
    """The bytes of set `kind` if they were stored for this index and `day`; None if not (never
    stored, stale, or an index this cannot read)."""
    db = index.db
    try:
        db.execute("BEGIN")  # one snapshot: a set stored meanwhile is seen whole or not at all
        try:
            return _read(db, kind, day)
        finally:
            db.execute("COMMIT")
    except UNREADABLE:  # no such table yet, among others: the caller makes the views
        return None


def _read(db: sqlite3.Connection, kind: str, day: dt.date) -> Stored | None:
    query = "SELECT stamp, valid_from, valid_to, count, note FROM view_sets WHERE kind = ?"
    found = db.execute(query, (kind,)).fetchone()
    if found is None or found[0] != schema.read_meta(db).get("stamp"):
        return None
    if not found[1] <= day.isoformat() <= found[2]:
        return None
    query = "SELECT bytes FROM view_rows WHERE kind = ? ORDER BY entity"
    rows = [bytes(blob) for (blob,) in db.execute(query, (kind,))]
    return Stored(rows, str(found[4])) if len(rows) == found[3] else None


def store(
    index: Index,
    kind: str,
    *,
    stamp: str,
    days: Span,
    rows: Sequence[tuple[str, bytes]],
    note: str = "",
) -> bool:
    """Keep `rows` (entity id, bytes) as set `kind`, valid for the index of data file state
    `stamp` from `days.first` to `days.last` (both included), with `note`; False if it could
    not be."""
    try:
        with closing(sqlite3.connect(index.path, timeout=1, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            if schema.read_meta(db).get("stamp") != stamp or not _write(db, kind, rows):
                db.execute("ROLLBACK")
                return False
            valid = (days.first.isoformat(), days.last.isoformat())
            db.execute("INSERT OR REPLACE INTO view_sets VALUES (?, ?, ?, ?, ?, ?)",
                       (kind, stamp, *valid, len(rows), note))  # fmt: skip
            db.execute("COMMIT")
    except (sqlite3.Error, OSError):
        return False
    return True


def _write(db: sqlite3.Connection, kind: str, rows: Sequence[tuple[str, bytes]]) -> bool:
    """Replace the rows of set `kind`, numbered as their entities are; False if one is unknown."""
    for statement in schema.VIEW_TABLES.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("DELETE FROM view_rows WHERE kind = ?", (kind,))
    db.executemany(
        "INSERT INTO view_rows(kind, entity, bytes) SELECT ?, rowid, ? FROM entities WHERE id = ?",
        ((kind, blob, entity_id) for entity_id, blob in rows),
    )
    query = "SELECT count(*) FROM view_rows WHERE kind = ?"
    return bool(db.execute(query, (kind,)).fetchone()[0] == len(rows))
