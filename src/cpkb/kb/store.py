"""The store: a data file as TinyDB tables. The only module that imports tinydb.

`KBFileStorage` maps the file's JSON object to tables ("meta", "properties", "sources",
"entities") of plain dicts. Opened by a write (kb.write), its `write` lays the tables out
canonically and hands the bytes to the write's `commit`, which validates them and replaces the
file atomically under the write's lock; opened otherwise, it is read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB
from tinydb.storages import Storage

from cpkb.errors import DataError
from cpkb.kb import collector
from cpkb.kb.document import ParseProblem, json_type
from cpkb.kb.files import bad_data
from cpkb.kb.parse import (
    by_id,
    check_references,
    check_top,
    parse_entity,
    parse_property,
    parse_source,
)
from cpkb.kb.read import parse_bytes, read_document
from cpkb.model.entities import Entity, KnowledgeBase, Source

if TYPE_CHECKING:
    from pathlib import Path


TABLES = ("properties", "sources", "entities")


def _tables(path: Path | str, document: Any) -> dict[str, dict[str, dict[str, Any]]]:
    try:
        version, *arrays = check_top(document)
        for name, rows in zip(TABLES, arrays, strict=True):
            for i, row in enumerate(rows):
                if not isinstance(row, dict):
                    raise ParseProblem(f"$.{name}[{i}]", f"must be an object, not {json_type(row)}")
    except ParseProblem as exc:
        raise bad_data(path, str(exc)) from None
    tables = tables_of(document)
    tables["meta"]["1"]["schema_version"] = version
    return tables


def tables_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The tables of a data file's JSON object: "meta" (its top level: $schema, schema_version,
    which arrays it has), and a table of numbered rows per array."""
    tables = {
        name: {str(i): row for i, row in enumerate(document.get(name) or [], start=1)}
        for name in TABLES
    }
    top = {k: v for k, v in document.items() if k not in TABLES}
    meta = {**top, "arrays": [k for k in TABLES if k in document]}
    return {"meta": {"1": meta}, **tables}


def document_of(tables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The data file's JSON object that `tables` hold (as `_tables` made them)."""
    meta = dict(tables["meta"]["1"])
    arrays = meta.pop("arrays", TABLES)
    rows = {name: list(tables.get(name, {}).values()) for name in TABLES}
    return {**meta, **{name: rows[name] for name in TABLES if name in arrays or rows[name]}}


class KBFileStorage(Storage):
    """A TinyDB storage over a cpkb data file: read-only, unless given the `commit` of a write."""

    def __init__(
        self, path: Path | str, commit: Callable[[bytes], None] | None = None,
        raw: bytes | None = None,
    ) -> None:  # fmt: skip
        """`raw`: the file's bytes, if they were read already (under a write's lock)."""
        self.path, self.commit = path, commit
        document = read_document(path) if raw is None else parse_bytes(path, raw)
        self._tables = _tables(path, document)

    def read(self) -> dict[str, dict[str, Any]] | None:
        return self._tables

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Lay the tables out canonically and commit them (validated, atomically replaced)."""
        if self.commit is None:
            raise DataError(self.path, "is opened read-only")
        from cpkb.kb.layout import document_bytes

        self._tables = data
        self.commit(document_bytes(document_of(data)))


@contextmanager
def open_db(path: Path | str) -> Iterator[TinyDB]:
    db = TinyDB(path, storage=KBFileStorage)
    try:
        yield db
    finally:
        db.close()


Documents = list[dict[str, Any]]


def read_all(path: Path | str) -> tuple[int, Documents, Documents, Documents]:
    """The schema version and the property, source and entity documents, as stored."""
    with open_db(path) as db:
        tables = db.storage.read() or {}
    version = tables["meta"]["1"]["schema_version"]
    properties, sources, entities = (list(tables[name].values()) for name in TABLES)
    return version, properties, sources, entities


def load(path: Path | str) -> KnowledgeBase:
    """Load and check a data file; any problem raises DataError naming the file."""
    with collector.paused():
        return _load(path)


def _load(path: Path | str) -> KnowledgeBase:
    # The tables' plain dicts, not TinyDB's Documents, which the fast parse would not take.
    version, properties, sources, entities = read_all(path)
    try:
        vocabulary = by_id(
            [parse_property(doc, f"$.properties[{i}]") for i, doc in enumerate(properties)],
            "property",
        )
        source_list: list[Source] = [
            parse_source(doc, f"$.sources[{i}]", version) for i, doc in enumerate(sources)
        ]
        entity_list: list[Entity] = [
            parse_entity(doc, f"$.entities[{i}]", version) for i, doc in enumerate(entities)
        ]
        by_source, by_entity = by_id(source_list, "source"), by_id(entity_list, "entity")
        check_references(by_source, by_entity)
    except ParseProblem as exc:
        raise bad_data(path, str(exc)) from None
    return KnowledgeBase(path, version, by_source, by_entity, vocabulary)
