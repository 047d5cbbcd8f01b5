"""The store: reads a data file through TinyDB. The only module that imports tinydb.

A data file is one JSON object: {"schema_version", "sources": [...], "entities": [...]}.
`KBFileStorage` maps it to TinyDB tables ("sources", "entities", "meta") so the rest of cpkb
queries documents, and so later work (an index, atomic locked writes) plugs in here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from cpkb.errors import DataError
from cpkb.models import Entity, KnowledgeBase, Source
from cpkb.parse import (
    ParseProblem,
    check_references,
    check_schema_version,
    parse_entity,
    parse_source,
)

DATA_ENV = "CPKB_DATA"
_PACKAGE_DATA = Path(__file__).resolve().parent / "data" / "kb.json"
_CHECKOUT_DATA = Path(__file__).resolve().parents[2] / "data" / "kb.json"


def default_data_path() -> Path:
    """The bundled knowledge base (inside the installed package, or the checkout's data/)."""
    return _PACKAGE_DATA if _PACKAGE_DATA.is_file() else _CHECKOUT_DATA


def resolve_data_path(option: str | os.PathLike[str] | None) -> Path:
    """--data wins over CPKB_DATA, which wins over the bundled file."""
    chosen = option if option else os.environ.get(DATA_ENV)
    return Path(chosen).expanduser().absolute() if chosen else default_data_path()


def read_text(path: Path) -> str:
    """The file's text, with every way of failing to read it turned into a DataError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(path, "no such file", hint="check --data or CPKB_DATA") from None
    except IsADirectoryError:
        raise DataError(path, "is a directory, not a data file") from None
    except PermissionError:
        raise DataError(path, "permission denied") from None
    except OSError as exc:
        raise DataError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(path, f"is not UTF-8 (invalid byte at offset {exc.start})") from None


def parse_json(path: Path, text: str) -> Any:
    if not text.strip():
        raise DataError(path, "is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise DataError(path, problem) from None
    except RecursionError:
        raise DataError(path, "JSON nested too deeply to read") from None


def _tables(path: Path, document: Any) -> dict[str, dict[str, dict[str, Any]]]:
    if not isinstance(document, dict):
        raise DataError(path, "top level must be an object with 'sources' and 'entities'")
    tables: dict[str, dict[str, dict[str, Any]]] = {
        "meta": {"1": {"schema_version": document.get("schema_version")}}
    }
    for name in ("sources", "entities"):
        rows = document.get(name)
        if not isinstance(rows, list):
            raise DataError(path, f"'{name}' must be an array")
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise DataError(path, f"$.{name}[{i}] must be an object")
        tables[name] = {str(i): row for i, row in enumerate(rows, start=1)}
    return tables


class KBFileStorage(Storage):
    """A read-only TinyDB storage over a cpkb data file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tables = _tables(path, parse_json(path, read_text(path)))

    def read(self) -> dict[str, dict[str, Any]] | None:
        return self._tables

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        raise DataError(self.path, "is opened read-only")


@contextmanager
def open_db(path: Path) -> Iterator[TinyDB]:
    db = TinyDB(path, storage=KBFileStorage)
    try:
        yield db
    finally:
        db.close()


def _unique(path: Path, items: list[Any], kind: str) -> dict[str, Any]:
    by_id: dict[str, Any] = {}
    for item in items:
        if item.id in by_id:
            raise DataError(path, f"duplicate {kind} id {item.id!r}")
        by_id[item.id] = item
    return by_id


def load(path: Path) -> KnowledgeBase:
    """Load and check a data file; any problem raises DataError naming the file."""
    with open_db(path) as db:
        meta, sources, entities = (db.table(n).all() for n in ("meta", "sources", "entities"))
    try:
        version = check_schema_version(meta[0].get("schema_version"))
        source_list: list[Source] = [
            parse_source(doc, f"$.sources[{i}]") for i, doc in enumerate(sources)
        ]
        entity_list: list[Entity] = [
            parse_entity(doc, f"$.entities[{i}]") for i, doc in enumerate(entities)
        ]
        by_source = _unique(path, source_list, "source")
        by_entity = _unique(path, entity_list, "entity")
        check_references(by_source, by_entity)
    except ParseProblem as exc:
        raise DataError(path, str(exc)) from None
    return KnowledgeBase(path, version, by_source, by_entity)
