"""The store: a data file as TinyDB tables. The only module that imports tinydb.

`KBFileStorage` maps the file's JSON object to tables ("meta", "sources", "entities") of plain
dicts; write commands will go through it too.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from cpkb.kb.read import read_document
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
    tables = {
        name: {str(i): row for i, row in enumerate(rows, start=1)}
        for name, rows in zip(TABLES, arrays, strict=True)
    }
    return {"meta": {"1": {"schema_version": version}}, **tables}


class KBFileStorage(Storage):
    """A read-only TinyDB storage over a cpkb data file."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._tables = _tables(path, read_document(path))

    def read(self) -> dict[str, dict[str, Any]] | None:
        return self._tables

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        raise DataError(self.path, "is opened read-only")


@contextmanager
def open_db(path: Path | str) -> Iterator[TinyDB]:
    db = TinyDB(path, storage=KBFileStorage)
    try:
        yield db
    finally:
        db.close()


def read_tables(path: Path | str) -> tuple[Any, list[dict[str, Any]], list[dict[str, Any]]]:
    """The file's schema version, source documents and entity documents, as stored: unchecked
    beyond the top level (the index builder checks them; problems go to `load`)."""
    version, _, sources, entities = read_all(path)
    return version, sources, entities


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
