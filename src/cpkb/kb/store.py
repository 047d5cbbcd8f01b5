"""The store: reads a data file through TinyDB. The only module that imports tinydb.

A data file is one JSON object: {"schema_version", "sources": [...], "entities": [...]}.
`KBFileStorage` maps it to TinyDB tables ("sources", "entities", "meta") so the rest of cpkb
queries documents, and so later work (an index, atomic locked writes) plugs in here.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB
from tinydb.storages import Storage

from cpkb.errors import DataError
from cpkb.kb import collector
from cpkb.kb.parse import (
    ParseProblem,
    brief,
    by_id,
    check_references,
    check_schema_version,
    check_top,
    json_path,
    json_type,
    lone_surrogates,
    parse_entity,
    parse_source,
)
from cpkb.kb.paths import DATA_ENV as DATA_ENV  # re-exported: the store is where callers look
from cpkb.kb.paths import default_data_path
from cpkb.kb.paths import resolve_data_path as resolve_data_path
from cpkb.kb.paths import schema_path as schema_path
from cpkb.model.entities import Entity, KnowledgeBase, Source

if TYPE_CHECKING:
    from pathlib import Path


def validate_hint(path: Path | str) -> str:
    """How to see every problem of this file."""
    named = "" if str(path) == str(default_data_path()) else f" {shlex.quote(str(path))}"
    return f"run 'cpkb validate{named}' to see every problem in the file"


def bad_data(path: Path | str, problem: str) -> DataError:
    """The error for a data file that was read but cannot be used."""
    return DataError(path, problem, hint=validate_hint(path))


def read_bytes(path: Path | str) -> bytes:
    """The file's bytes, with every way of failing to read it turned into a DataError."""
    try:
        if stat.S_ISCHR(mode := os.stat(path).st_mode) or stat.S_ISBLK(mode):
            raise DataError(path, "is a device, not a data file")
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise DataError(path, "no such file", hint="check --data or CPKB_DATA") from None
    except IsADirectoryError:
        raise DataError(path, "is a directory, not a data file") from None
    except PermissionError:
        raise DataError(path, "permission denied") from None
    except OSError as exc:
        raise DataError(path, f"cannot be read ({exc.strerror or exc})") from None
    except MemoryError:
        raise DataError(path, "is too large to read") from None


def decode(path: Path | str, raw: bytes) -> str:
    """UTF-8 text (a leading byte-order mark is allowed)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        problem = f"is not UTF-8 (byte 0x{raw[exc.start]:02x} at line {line}, column {column})"
        raise bad_data(path, problem) from None


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def parse_json(path: Path | str, text: str) -> Any:
    """The parsed document; bad syntax, depth, numbers or repeated keys raise DataError."""
    if not text.strip():
        raise bad_data(path, "is empty")
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        problem = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise bad_data(path, problem) from None
    except RecursionError:
        raise bad_data(path, "JSON nested too deeply to read") from None
    except ValueError:  # Python refuses integers of more than 4300 digits
        raise bad_data(path, "holds a number too long to read") from None
    except _DuplicateKey as exc:
        raise bad_data(path, f"an object has the key {brief(exc.args[0])} twice") from None
    for where in lone_surrogates(text, document):
        problem = "holds half a UTF-16 surrogate pair (a lone \\ud800-\\udfff escape)"
        raise bad_data(path, f"{json_path(where)}: {problem}")
    return document


FAST_FROM = 1 << 20  # bytes: below, the careful reader is done before orjson is imported (~30 ms)


def read_document(path: Path | str) -> Any:
    """The parsed data file: orjson when it is sure to read it right, else the careful reader."""
    raw = read_bytes(path)
    document = None
    if len(raw) >= FAST_FROM:
        from cpkb.kb import fastjson

        document = fastjson.loads(raw)
    return parse_json(path, decode(path, raw)) if document is None else document


def _tables(path: Path | str, document: Any) -> dict[str, dict[str, dict[str, Any]]]:
    try:
        sources, entities = check_top(document)
        for name, rows in (("sources", sources), ("entities", entities)):
            for i, row in enumerate(rows):
                if not isinstance(row, dict):
                    raise ParseProblem(f"$.{name}[{i}]", f"must be an object, not {json_type(row)}")
    except ParseProblem as exc:
        raise bad_data(path, str(exc)) from None
    return {
        "meta": {"1": {"schema_version": document["schema_version"]}},
        "sources": {str(i): row for i, row in enumerate(sources, start=1)},
        "entities": {str(i): row for i, row in enumerate(entities, start=1)},
    }


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
    with open_db(path) as db:
        tables = db.storage.read() or {}
    meta, sources, entities = (list(tables[n].values()) for n in ("meta", "sources", "entities"))
    return meta[0].get("schema_version"), sources, entities


def load(path: Path | str) -> KnowledgeBase:
    """Load and check a data file; any problem raises DataError naming the file."""
    with collector.paused():
        return _load(path)


def _load(path: Path | str) -> KnowledgeBase:
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
        by_source, by_entity = by_id(source_list, "source"), by_id(entity_list, "entity")
        check_references(by_source, by_entity)
    except ParseProblem as exc:
        raise bad_data(path, str(exc)) from None
    return KnowledgeBase(path, version, by_source, by_entity)
