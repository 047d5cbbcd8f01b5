"""Building the index: rows from the data file's entities (made by worker processes on a big
file) written to a private file that then replaces the index; any problem, and `load()` says it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from cpkb.index import refresh, schema
from cpkb.index.rows import (
    Filled,
    NotingMemo,
    Rows,
    Tables,
    Unusual,
    finish,
    header_of,
    memos,
    property_rows,
    source_rows,
)
from cpkb.index.schema import GAP
from cpkb.kb import atomic, cache, store, workers
from cpkb.kb.document import ParseProblem
from cpkb.kb.parse import parse_entity
from cpkb.model.entities import KnowledgeBase, Property

Progress = Callable[[int, int], None]  # (entities done, of how many); (0, 0): reading the file


def _rows(
    memo: tuple[NotingMemo, NotingMemo],
    vocabulary: tuple[int, dict[str, Property]],
    start: int,
    documents: Sequence[Any],
) -> Rows | None:
    """The rows of the entity documents from place `start`; None if one is not plainly valid."""
    version, properties = vocabulary
    try:
        entities = [
            parse_entity(doc, f"$.entities[{i}]", version)
            for i, doc in enumerate(documents, start=start)
        ]
        rowids = range((start + 1) * GAP, (start + len(documents) + 1) * GAP, GAP)
        return Rows(rowids, documents, entities, memo, properties)
    except (ParseProblem, Unusual):
        return None


def _fill(db: sqlite3.Connection, tables: Tables, progress: Progress | None) -> Filled:
    """Fill the index from the data file; raise Unusual at the first sign of a problem."""
    schema_version, sources, properties = header_of(tables)
    entity_docs = tables[3]
    schema.insert_sources(db, source_rows(sources))
    schema.insert_properties(db, property_rows(properties))
    relations: set[str] = set()
    characters: set[str] = set()
    ids: set[str] = set()
    targets: set[str] = set()
    cited: set[str] = set()
    vocabulary = (schema_version, properties)
    for rows in workers.runs(partial(_rows, memos(), vocabulary), entity_docs):
        if rows is None:
            raise Unusual
        rows.insert(db)
        ids.update(rows.ids)
        targets.update(link[1] for link in rows.links)
        targets.update(said[1] for said in rows.statements)
        cited |= rows.cited
        relations |= rows.relations
        characters |= rows.characters
        if progress:
            progress(len(ids), len(entity_docs))
    if len(ids) != len(entity_docs) or not targets <= ids or not cited <= sources.keys():
        raise Unusual  # a repeated id, a link to nothing, a citation of no source
    return Filled(schema_version, relations, characters)


def _write(
    target: Path, data_path: Path, stamp: str, fill: Callable[[sqlite3.Connection], Filled]
) -> None:
    """Create the index at `target` with `fill`, atomically."""
    with atomic.replacing(target, durable=False, make_folder=True) as temporary:
        db = sqlite3.connect(temporary)
        try:
            schema.create(db)
            filled = fill(db)
            schema.create_indexes(db)
            finish(db, schema.expected_meta(data_path, stamp), filled)
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
    """Index the data file into `target` (refreshed if few entities changed); False if it was not.
    A file with a problem is read with `load()`, which raises the error every command gives."""
    tables = store.read_all(data_path)
    try:
        if refresh.refresh(target, data_path, stamp, tables):
            return True
        _write(target, data_path, stamp, lambda db: _fill(db, tables, progress))
    except Unusual:
        load()
        return False
    return True
