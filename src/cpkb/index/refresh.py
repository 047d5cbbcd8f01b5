"""Refreshing the index after few entities of its file changed: rows of entities gone or changed
are replaced, new ones numbered between their neighbours; anything else declines (build anew)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple

from cpkb.index import schema
from cpkb.index.rows import (
    Filled,
    Rows,
    Tables,
    Unusual,
    digest,
    finish,
    header_of,
    memos,
    property_rows,
    source_rows,
    stored,
)
from cpkb.index.schema import GAP
from cpkb.kb import atomic
from cpkb.kb.document import ParseProblem
from cpkb.kb.parse import parse_entity

MOST_CHANGED = 0.05  # a larger share of entities changed is built anew (it is about as fast)


class Plan(NamedTuple):
    """How to bring an index up to date: rows to remove, and entities to write (by position in
    the file) under which rowids."""

    removed: list[tuple[int, str]]  # (rowid, id) of rows gone or replaced
    written: list[tuple[int, int]]  # (position, rowid)
    ids: set[str]  # of every entity in the file


def refresh(target: Path, data_path: Path, stamp: str, tables: Tables) -> bool:
    """Bring the index at `target` up to date with `tables`, on a private copy planned from the copy
    itself; False if a refresh cannot (the caller builds anew)."""
    if not target.is_file():
        return False
    try:
        with atomic.replacing(target, durable=False, make_folder=True) as temporary:
            shutil.copyfile(target, temporary)
            with closing(sqlite3.connect(temporary)) as db:
                db.executescript(schema.PRAGMAS)
                plan = _plan(db, data_path, tables)
                if plan is None:
                    raise Unusual("not a change a refresh can make")
                characters = _apply(db, plan, tables)
                meta = schema.expected_meta(data_path, stamp)
                finish(db, meta, _filled(db, tables, characters))
                db.commit()
    except (sqlite3.Error, OSError, Unusual, ParseProblem, LookupError, TypeError, ValueError):
        return False  # the caller builds the index anew, and reports any problem of the file
    return True


def _plan(db: sqlite3.Connection, data_path: Path, tables: Tables) -> Plan | None:
    """What changed since the index was made; None if a refresh cannot bring it up to date."""
    meta = schema.read_meta(db)
    expected = schema.expected_meta(data_path, "")
    if any(meta.get(key) != value for key, value in expected.items() if key != "stamp"):
        return None
    schema_version, sources, properties = header_of(tables)
    if str(schema_version) != meta["schema_version"]:
        return None
    if dict(db.execute("SELECT id, doc FROM sources").fetchall()) != dict(source_rows(sources)):
        return None
    # The vocabulary decides which links are current when: a change to it changes every edge.
    if db.execute("SELECT name, doc FROM properties").fetchall() != property_rows(properties):
        return None
    documents: list[Any] = tables[3]
    ids = [doc.get("id") if isinstance(doc, dict) else None for doc in documents]
    if len(set(ids)) != len(ids) or not all(isinstance(i, str) for i in ids):
        raise Unusual  # a repeated id, or one not a string: the full build reports it
    old = db.execute("SELECT rowid, id, digest FROM entities ORDER BY rowid").fetchall()
    rowid_of = {entity_id: (rowid, old_digest) for rowid, entity_id, old_digest in old}
    present = {i for i in ids if isinstance(i, str)}
    removed = [(rowid, entity_id) for rowid, entity_id, _ in old if entity_id not in present]
    written: list[tuple[int, int]] = []
    kept: list[int] = []  # rowids of the entities still there, in file order
    for position, (entity_id, doc) in enumerate(zip(ids, documents, strict=True)):
        if entity_id in rowid_of:
            rowid, old_digest = rowid_of[entity_id]
            kept.append(rowid)
            if digest(stored(doc)) != old_digest:
                removed.append((rowid, entity_id))
                written.append((position, rowid))
        else:
            written.append((position, -len(kept)))  # placed after the kept entity before it
    if any(a >= b for a, b in pairwise(kept)):
        return None  # entities changed order
    if len(removed) + len(written) > MOST_CHANGED * max(len(documents), len(old)):
        return None
    return Plan(removed, _placed(written, kept), present)


def _placed(written: list[tuple[int, int]], kept: list[int]) -> list[tuple[int, int]]:
    """Rowids for new entities (marked -k: after the k-th kept one): spread evenly between the
    rowids of the kept entities around them; Unusual if there is no room left."""
    runs: dict[int, list[int]] = {}
    for position, rowid in written:
        if rowid <= 0:
            runs.setdefault(-rowid, []).append(position)
    placed = [(position, rowid) for position, rowid in written if rowid > 0]
    for after, positions in runs.items():
        low = kept[after - 1] if after else 0
        if after < len(kept):
            high = kept[after]
            if high - low <= len(positions):
                raise Unusual  # no room: build anew
            step = (high - low) / (len(positions) + 1)
            rowids = [low + int(step * (k + 1)) for k in range(len(positions))]
        else:  # at the end, spaced as a full build spaces them
            rowids = [low + GAP * (k + 1) for k in range(len(positions))]
        placed += zip(positions, rowids, strict=True)
    return sorted(placed)


def _apply(db: sqlite3.Connection, plan: Plan, tables: Tables) -> set[str]:
    """Carry out `plan`; the non-ASCII characters of the new rows' text."""
    documents: list[Any] = tables[3]
    new = [documents[position] for position, _ in plan.written]
    version, _, properties = header_of(tables)
    entities = [
        parse_entity(doc, f"$.entities[{position}]", version)
        for doc, (position, _) in zip(new, plan.written, strict=True)
    ]
    rowids = [rowid for _, rowid in plan.written]
    rows = Rows(rowids, new, entities, memos(), properties)
    schema.delete_entities(db, [rowid for rowid, _ in plan.removed])
    rows.insert(db)
    named = [link[1] for link in rows.links] + [said[1] for said in rows.statements]
    if not set(named) <= plan.ids:
        raise Unusual  # a link to nothing, or a claim stated by no one there
    for entity_id in {entity_id for _, entity_id in plan.removed} - plan.ids:
        for table, column in (("links", "target"), ("statements", "stater")):
            found = f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1"
            if db.execute(found, (entity_id,)).fetchone():
                raise Unusual  # a link to an entity no longer there, or a claim stated by one
    if not rows.cited <= {i for (i,) in db.execute("SELECT id FROM sources")}:
        raise Unusual  # a citation of no source
    return rows.characters


def _filled(db: sqlite3.Connection, tables: Tables, characters: set[str]) -> Filled:
    """What `finish` needs, from the refreshed tables; the characters of rows gone stay (harmless:
    their transliterations are anyascii's)."""
    schema_version = header_of(tables).version
    relations = {p for (p,) in db.execute("SELECT DISTINCT property FROM links")}
    (known,) = db.execute("SELECT value FROM meta WHERE key = 'transliterations'").fetchone()
    return Filled(schema_version, relations, set(json.loads(known)) | characters)
