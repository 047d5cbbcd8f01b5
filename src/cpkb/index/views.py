"""Listings' views kept in the index as the bytes a command prints, so that a listing on a warm
index is those bytes read back in file order. A set is stored by the command that made it the
slow way, and is used only with the index it was made for (the data file unchanged) and on the
days over which no claim starts or ends (what is current, and so the views, stay the same)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from typing import TYPE_CHECKING, NamedTuple

from cpkb.index import schema
from cpkb.index.reader import UNREADABLE, Index

if TYPE_CHECKING:
    import datetime as dt

    from cpkb.query.time import Span


class Stored(NamedTuple):
    """A set's bytes in file order, read as iterated (from one snapshot of the index), and
    what it notes of them all (an aggregate)."""

    rows: Iterator[bytes]
    note: str


def stored(index: Index, kind: str, day: dt.date) -> Stored | None:
    """The bytes of set `kind` if they were stored whole for this index and `day`; None if not
    (never stored, stale, or an index this cannot read). Reading the rows may still raise
    one of UNREADABLE, should the index be damaged."""
    db = index.db
    try:
        db.execute("BEGIN")  # one snapshot: a set stored meanwhile is seen whole or not at all
        note = _valid(db, kind, day)
        if note is not None:
            return Stored(_rows(db, kind), note)
        db.execute("COMMIT")
    except UNREADABLE:  # no such table yet, among others: the caller makes the views
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
    return None


def _valid(db: sqlite3.Connection, kind: str, day: dt.date) -> str | None:
    """The note of set `kind` if it is whole and valid for this index and `day`."""
    query = "SELECT stamp, valid_from, valid_to, count, note FROM view_sets WHERE kind = ?"
    found = db.execute(query, (kind,)).fetchone()
    if found is None or found[0] != schema.read_meta(db).get("stamp"):
        return None
    if not found[1] <= day.isoformat() <= found[2]:
        return None
    (count,) = db.execute("SELECT count(*) FROM view_rows WHERE kind = ?", (kind,)).fetchone()
    return str(found[4]) if count == found[3] else None


def _rows(db: sqlite3.Connection, kind: str) -> Iterator[bytes]:
    try:
        query = "SELECT bytes FROM view_rows WHERE kind = ? ORDER BY entity"
        for (blob,) in db.execute(query, (kind,)):
            if not isinstance(blob, bytes):
                raise TypeError("not the bytes of a view")
            yield blob
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.execute("COMMIT")


def store(
    index: Index,
    kind: str,
    *,
    stamp: str,
    days: Span,
    rows: Iterable[tuple[str, bytes]],
    note: str = "",
) -> None:
    """Keep `rows` (entity id, bytes) as set `kind`: see `kept`."""
    for _ in kept(index, kind, stamp=stamp, rows=rows, days=lambda: days, note=note):
        pass


def kept(
    index: Index,
    kind: str,
    *,
    stamp: str,
    rows: Iterable[tuple[str, bytes]],
    days: Callable[[], Span],
    note: str = "",
) -> Iterator[bytes]:
    """The bytes of `rows` (entity id, bytes) as they come, stored as set `kind` on the way, a
    batch a write (readers of the index are never held up for long). Once all are in, the set
    is valid for the index of data file state `stamp`, on the days `days()` then gives (both
    ends included), with `note`. It is only a cache: what cannot be stored is not."""
    db = _emptied(index, kind, stamp)
    count, batch = 0, []
    for entity_id, blob in rows:
        yield blob
        batch.append((kind, blob, entity_id))
        count += 1
        if len(batch) >= BATCH:
            db = _append(db, batch)
            batch = []
    db = _append(db, batch)
    if db is not None:
        with closing(db), contextlib.suppress(sqlite3.Error):
            _finish(db, kind, (stamp, days(), count, note))


BATCH = 1000  # rows a write


def _emptied(index: Index, kind: str, stamp: str) -> sqlite3.Connection | None:
    """A connection that writes the index, set `kind` removed; None if it cannot be had."""
    try:
        db = sqlite3.connect(index.path, timeout=1, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        db.execute("PRAGMA synchronous = OFF")  # a cache: a crash loses nothing of value
        db.execute("BEGIN IMMEDIATE")
        for statement in schema.VIEW_TABLES.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("DELETE FROM view_sets WHERE kind = ?", (kind,))
        db.execute("DELETE FROM view_rows WHERE kind = ?", (kind,))
        if schema.read_meta(db).get("stamp") == stamp:
            db.execute("COMMIT")
            return db
        db.execute("ROLLBACK")
    except (sqlite3.Error, OSError):
        pass
    db.close()
    return None


def _append(
    db: sqlite3.Connection | None, batch: list[tuple[str, bytes, str]]
) -> sqlite3.Connection | None:
    """Add rows (kind, bytes, entity id), numbered as their entities; None once it fails."""
    if db is None:
        return None
    try:
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO view_rows(kind, entity, bytes) SELECT ?, rowid, ? FROM entities"
            " WHERE id = ?",
            batch,
        )
        db.execute("COMMIT")
    except sqlite3.Error:
        db.close()
        return None
    return db


def _finish(db: sqlite3.Connection, kind: str, made: tuple[str, Span, int, str]) -> None:
    """Make the set valid, if every row is in and the index is still the one it was made for."""
    stamp, days, count, note = made
    db.execute("BEGIN IMMEDIATE")
    query = "SELECT count(*) FROM view_rows WHERE kind = ?"
    whole = db.execute(query, (kind,)).fetchone()[0] == count
    if not whole or schema.read_meta(db).get("stamp") != stamp:
        db.execute("ROLLBACK")
        return
    valid = (days.first.isoformat(), days.last.isoformat())
    db.execute("INSERT OR REPLACE INTO view_sets VALUES (?, ?, ?, ?, ?, ?)",
               (kind, stamp, *valid, count, note))  # fmt: skip
    db.execute("COMMIT")
