"""`cpkb export sqlite`: the knowledge base as a SQLite database that Datasette opens as it is.

A table per kind of record, its columns from the field table (cpkb.model.fields): `properties`
(the vocabulary), `sources`, `entities`, `claims` (each with its `entity_id`, and `current` and
`status` after `rank`) and `citations` (of a claim, or, with no `claim_id`, of the entity's
summary). Foreign keys join them; lists and objects are JSON text. Two FTS5 tables, set up as
Datasette looks for them, search entities (name, aliases, summary) and citations (quote,
paraphrase, locator). `about` says what was exported, and the day `current` refers to.

A database written on a warm index is kept, and copied by the next export (present.kept_sql).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from cpkb import __version__
from cpkb.errors import DataError
from cpkb.kb import atomic
from cpkb.model import fields
from cpkb.present.flatfiles import CannotWrite, Written, writing
from cpkb.present.statements import (
    ASSESSMENT,
    CLAIM_COLUMNS,
    CLAIM_FIELDS,
    CONVERTERS,
    REFERENCES,
    Statements,
    Table,
    record_fields,
    record_row,
)

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from cpkb.model.entities import Entity, KnowledgeBase
    from cpkb.query.current import Reading

SQL_TYPES = {"flag": "INTEGER", "version": "INTEGER", "scalar": ""}  # other kinds are TEXT
SEARCHED = ("text", "texts")  # the kinds of field full-text search covers
TOKENIZER = "unicode61 remove_diacritics 2"
BATCH = 1000  # entities inserted at once
COPY_CHUNK = 1 << 20  # bytes of a kept database copied at once
AS_OF = "current_as_of"  # the key of `about` that names the day `current` refers to


class Column(NamedTuple):
    name: str
    type: str = "TEXT"
    constraint: str = ""

    def sql(self) -> str:
        return " ".join(part for part in (f'"{self.name}"', self.type, self.constraint) if part)


def _column(field: fields.Field, constraint: str = "") -> Column:
    return Column(field.name, SQL_TYPES.get(field.kind, "TEXT"), constraint)


def _records(table: Table, key: str) -> list[Column]:
    """A plain record's table (the citations an entity holds go to `citations`)."""
    return [
        _column(f, "PRIMARY KEY" if f.name == key else "")
        for f in record_fields(table)
        if f.kind != "citations"
    ]


def _claims(vocabulary: bool) -> list[Column]:
    """Claims: the field table's, with the entity each belongs to and its assessment; a
    claim's property refers to the vocabulary when the file declares one."""
    columns = [Column("id", "TEXT", "PRIMARY KEY"), Column("entity_id", "TEXT", _to("entities"))]
    for field in CLAIM_FIELDS:
        if field.name in REFERENCES:
            columns.append(_column(field, _to("entities")))
        elif field.name == "property" and vocabulary:
            columns.append(_column(field, _to("properties", "name")))
        else:
            columns.append(_column(field))
        if field.name == "rank":
            columns += [Column(ASSESSMENT[0], "INTEGER"), Column(ASSESSMENT[1])]
    return columns


def _citations() -> list[Column]:
    head = [
        Column("id", "INTEGER", "PRIMARY KEY"),
        Column("entity_id", "TEXT", _to("entities")),
        Column("claim_id", "TEXT", _to("claims")),
    ]
    return head + [_column(f, _to("sources") if f.kind == "id" else "") for f in fields.CITATION]


def _to(table: str, key: str = "id") -> str:
    return f'REFERENCES "{table}"("{key}")'


def tables(kb: KnowledgeBase) -> dict[str, list[Column]]:
    """Each table's columns, in the order they are made and filled."""
    return {
        "about": [Column("key", "TEXT", "PRIMARY KEY"), Column("value")],
        "properties": _records(fields.PROPERTY, "name"),
        "sources": _records(fields.SOURCE, "id"),
        "entities": _records(fields.ENTITY, "id"),
        "claims": _claims(bool(kb.properties)),
        "citations": _citations(),
    }


def sql_value(value: Any) -> Any:
    """A value as SQLite stores it: null for nothing, JSON text for a list or an object."""
    if value is None or value == [] or value == {}:
        return None
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_sqlite(
    target: Path, kb: KnowledgeBase, entities: Iterable[Entity], reading: Reading | None = None
) -> Written:
    """Write the database to `target`, replacing it atomically once it is complete."""
    with database(target, kb.path) as db:
        return _fill(db, kb, entities, Statements(kb, reading))


def copy_sqlite(target: Path, made: BinaryIO, day: dt.date) -> None:
    """Write to `target` a copy of `made`, a database `write_sqlite` wrote on a day on which
    every claim is current or not as on `day`, which `about` then names."""
    with database(target, made.name, copy_of=made) as db:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("UPDATE about SET value = ? WHERE key = ?", (day.isoformat(), AS_OF))


@contextmanager
def database(
    target: Path, rows_from: object, *, copy_of: BinaryIO | None = None
) -> Iterator[sqlite3.Connection]:
    """A connection to a new database (a copy of `copy_of`, if given) that replaces `target`
    atomically once the block ends; what SQLite cannot do is one error: the data's (a key
    twice in `rows_from`) or the file's (a full disk)."""
    with writing(target), atomic.replacing(target) as temporary:
        if copy_of is not None:
            with open(temporary, "wb") as copy:
                shutil.copyfileobj(copy_of, copy, COPY_CHUNK)
        db = sqlite3.connect(temporary, isolation_level=None)
        try:
            yield db
        except sqlite3.IntegrityError as exc:
            raise DataError(rows_from, f"cannot be exported to SQLite: {exc}") from None
        except sqlite3.OperationalError as exc:
            if not storage_failed(exc):
                raise
            raise CannotWrite(f"cannot write {target}: {exc}") from None
        finally:
            db.close()


_STORAGE = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM")
_STORAGE_SAID = ("disk is full", "disk I/O error", "unable to open", "readonly", "permission")


def storage_failed(exc: sqlite3.OperationalError) -> bool:
    """Whether SQLite could not write its file (a full disk, a file size limit, a read-only
    folder), as opposed to a statement cpkb got wrong. Python 3.10 gives no error name."""
    name = getattr(exc, "sqlite_errorname", None)
    if isinstance(name, str):
        return name.startswith(_STORAGE)
    return any(said in str(exc) for said in _STORAGE_SAID)


def _fill(
    db: sqlite3.Connection, kb: KnowledgeBase, entities: Iterable[Entity], table: Statements
) -> Written:
    db.execute("PRAGMA journal_mode = OFF")  # the file is new, and moved into place when whole
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    layout = tables(kb)
    for name, columns in layout.items():
        db.execute(f'CREATE TABLE "{name}" ({", ".join(c.sql() for c in columns)})')
    _insert(db, "about", _about(kb, table))
    _insert(db, "properties", _plain(kb.properties.values(), fields.PROPERTY, layout["properties"]))
    _insert(db, "sources", _plain(kb.sources.values(), fields.SOURCE, layout["sources"]))
    written = _fill_entities(db, layout, entities, table)
    _index(db, layout)
    _search(db)
    db.execute("COMMIT")
    return written


def _about(kb: KnowledgeBase, table: Statements) -> list[tuple[Any, ...]]:
    return [
        ("cpkb_version", __version__),
        ("schema_version", kb.schema_version),
        ("data_file", os.path.basename(str(kb.path))),
        (AS_OF, table.reading.day.isoformat()),
    ]


def _plain(records: Iterable[Any], table: Table, columns: list[Column]) -> list[tuple[Any, ...]]:
    rows = (record_row(r, table) for r in records)
    return [tuple(sql_value(row[c.name]) for c in columns) for row in rows]


def _insert(db: sqlite3.Connection, name: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        db.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)


def _fill_entities(
    db: sqlite3.Connection,
    layout: dict[str, list[Column]],
    entities: Iterable[Entity],
    table: Statements,
) -> Written:
    batch: dict[str, list[tuple[Any, ...]]] = {"entities": [], "claims": [], "citations": []}
    written = Written()
    for entity in entities:
        rows = _entity_rows(entity, table, layout)
        for name, found in rows.items():
            batch[name] += found
        written = written.add(len(rows["claims"]))
        if written.entities % BATCH == 0:
            _flush(db, batch)
    _flush(db, batch)
    return written


def _entity_rows(
    entity: Entity, table: Statements, layout: dict[str, list[Column]]
) -> dict[str, list[tuple[Any, ...]]]:
    """An entity's row, its claims' rows and the rows of every citation it holds."""
    pick, as_json = _claim_picker(tuple(c.name for c in layout["claims"][2:]))
    citations: list[tuple[Any, ...]] = [(None, entity.id, None, *c) for c in entity.sources]
    claims: list[tuple[Any, ...]] = []
    for row in table.assessed(entity):
        values = list(pick(table.claim_values(row)))
        for n in as_json:
            values[n] = sql_value(values[n])
        claims.append((row.id, entity.id, *values))
        citations += [(None, entity.id, row.id, *c) for c in row.citations]
    record = _plain([entity], fields.ENTITY, layout["entities"])
    return {"entities": record, "claims": claims, "citations": citations}


@cache
def _claim_picker(columns: tuple[str, ...]) -> tuple[itemgetter[Any], tuple[int, ...]]:
    """What picks the claims table's columns from a claim's values (CLAIM_COLUMNS), and which
    of them hold lists or objects (JSON text here); the rest SQLite stores as they are."""
    lists = {f.name for f in CLAIM_FIELDS if f.kind in CONVERTERS}
    as_json = tuple(n for n, name in enumerate(columns) if name in lists)
    return itemgetter(*(CLAIM_COLUMNS.index(name) for name in columns)), as_json


def _flush(db: sqlite3.Connection, batch: dict[str, list[tuple[Any, ...]]]) -> None:
    for name, rows in batch.items():
        _insert(db, name, rows)
        rows.clear()


def _index(db: sqlite3.Connection, layout: dict[str, list[Column]]) -> None:
    """An index on every foreign key (Datasette counts the rows that refer to a row by it)."""
    for name, columns in layout.items():
        for column in columns:
            if column.constraint.startswith("REFERENCES"):
                index = f"{name}_by_{column.name}"
                db.execute(f'CREATE INDEX "{index}" ON "{name}"("{column.name}")')


def _search(db: sqlite3.Connection) -> None:
    """FTS5 over the text of entities and citations, as external-content tables named as
    Datasette (and sqlite-utils) expect: `<table>_fts`, `content="<table>"`."""
    for name, table in (("entities", fields.ENTITY), ("citations", fields.CITATION)):
        columns = ", ".join(f'"{f.name}"' for f in table if f.kind in SEARCHED)
        db.execute(
            f'CREATE VIRTUAL TABLE "{name}_fts" USING fts5({columns}, content="{name}", '
            f"tokenize='{TOKENIZER}')"
        )
        db.execute(f'INSERT INTO "{name}_fts"("{name}_fts") VALUES (\'rebuild\')')
