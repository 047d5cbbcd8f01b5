"""`cpkb export csv` and `cpkb export jsonl`: the statement table (present.statements) as CSV
files and as JSON Lines, written entity by entity, so that no more than one entity's rows are
held at a time.
"""

from __future__ import annotations

import csv
import io
import json
import marshal
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

import orjson

from cpkb.errors import CpkbError, ExitCode, UsageProblem
from cpkb.kb import atomic
from cpkb.model import fields
from cpkb.present.jsonout import escaped
from cpkb.present.statements import (
    Row,
    Statements,
    Table,
    columns_of,
    csv_row,
    csv_statement,
    record_row,
)

if TYPE_CHECKING:
    from pathlib import Path

    from cpkb.model.entities import Entity, KnowledgeBase
    from cpkb.query.current import Reading

# The files of `export csv`, each a table of its own: the statements, then the plain records.
CSV_FILES = CLAIMS, ENTITIES, SOURCES, PROPERTIES = (
    "claims.csv",
    "entities.csv",
    "sources.csv",
    "properties.csv",
)
BATCH = 500  # entities whose lines are written at once


class Written(NamedTuple):
    """What an export wrote: how many entities and claims."""

    entities: int = 0
    claims: int = 0

    def add(self, claims: int) -> Written:
        return Written(self.entities + 1, self.claims + claims)


class CannotWrite(CpkbError):
    """A file of an export cannot be written (the message says which, and why)."""

    exit_code = ExitCode.OUTPUT


def refuse_overwrite(targets: Iterable[Path], *, force: bool) -> None:
    """Without --force, an export never replaces a file that is already there."""
    found = [str(t) for t in targets if t.exists()]
    if found and not force:
        raise UsageProblem(f"{found[0]} already exists", hint="use --force to replace it")


@contextmanager
def writing(target: Path) -> Iterator[None]:
    """Whatever stops a file being written is one CannotWrite naming it."""
    try:
        yield
    except OSError as exc:
        raise CannotWrite(f"cannot write {target}: {exc.strerror or exc}") from None


def write_csv(
    folder: Path, kb: KnowledgeBase, entities: Iterable[Entity], reading: Reading | None = None
) -> Written:
    """The statement table as `folder`/claims.csv, with entities.csv, sources.csv and
    properties.csv beside it: UTF-8, a header row, RFC 4180 quoting. Each file replaces its old
    self atomically, and only once all are written."""
    with ExitStack() as stack:
        writers = {name: stack.enter_context(_csv_file(folder / name)) for name in CSV_FILES}
        _records(writers[SOURCES], fields.SOURCE, kb.sources.values())
        _records(writers[PROPERTIES], fields.PROPERTY, kb.properties.values())
        return _statements_csv(writers, kb, entities, reading)


def _statements_csv(
    writers: dict[str, Any], kb: KnowledgeBase, entities: Iterable[Entity], reading: Reading | None
) -> Written:
    claims, records = writers[CLAIMS], writers[ENTITIES]
    table = Statements(kb, reading)
    entity_columns = columns_of(fields.ENTITY)
    claims.writerow(table.columns)
    records.writerow(entity_columns)
    written = Written()
    for entity in entities:
        claims.writerows(csv_statement(values) for values in table.rows(entity))
        records.writerow(csv_row(record_row(entity, fields.ENTITY), entity_columns))
        written = written.add(len(entity.claims))
    return written


def _records(writer: Any, table: Table, records: Iterable[Any]) -> None:
    columns = columns_of(table)
    writer.writerow(columns)
    writer.writerows(csv_row(record_row(r, table), columns) for r in records)


@contextmanager
def _csv_file(target: Path) -> Iterator[Any]:
    """A CSV writer over a temporary file that replaces `target` if the block ends well."""
    with _text_file(target) as stream:
        yield csv.writer(stream)


@contextmanager
def _text_file(target: Path) -> Iterator[TextIO]:
    """A temporary text file (UTF-8, line ends as written) that replaces `target` if the block
    ends well."""
    with (
        atomic.replacing(target) as temporary,
        open(temporary, "w", encoding="utf-8", newline="") as stream,
    ):
        yield stream


def records_text(table: Table, records: Iterable[Any]) -> str:
    """A file of plain records (sources.csv, properties.csv) as `write_csv` writes it."""
    out = io.StringIO(newline="")
    _records(csv.writer(out), table, records)
    return out.getvalue()


def write_csv_parts(folder: Path, records: list[str], parts: Iterable[bytes]) -> Written:
    """The files `write_csv` writes, from their parts (cpkb.present.kept.CsvParts): sources.csv
    and properties.csv whole, then each entity's lines of claims.csv and entities.csv."""
    with ExitStack() as stack:
        files = {name: stack.enter_context(_text_file(folder / name)) for name in CSV_FILES}
        files[SOURCES].write(records[0])
        files[PROPERTIES].write(records[1])
        claims, entities = files[CLAIMS], files[ENTITIES]
        csv.writer(claims).writerow(Statements.columns)
        csv.writer(entities).writerow(columns_of(fields.ENTITY))
        written = Written()
        for part in parts:
            rows, record, count = marshal.loads(part)
            claims.write(rows)
            entities.write(record)
            written = Written(written.entities + 1, written.claims + count)
        return written


def jsonl_lines(
    kb: KnowledgeBase, entities: Iterable[Entity], reading: Reading | None = None
) -> Iterator[str]:
    """The statement table as JSON Lines, one object a row, a batch of entities at a time."""
    table = Statements(kb, reading)
    batch: list[str] = []
    for n, entity in enumerate(entities, start=1):
        batch += (json_line(row) for row in table.dicts(entity))
        if n % BATCH == 0 and batch:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def json_line(data: Row) -> str:
    """One compact JSON object and a newline, characters a terminal could act on escaped as
    cpkb's JSON has them (jsonout); orjson writes it when it can write the values."""
    try:
        text = orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE).decode()
    except TypeError:  # an integer beyond 64 bits
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    if text.isascii() and "\x7f" not in text:  # both instant: no search needed
        return text
    return escaped(text)  # DEL is ASCII, and escaped too


def write_jsonl(
    write: Callable[[str], None],
    kb: KnowledgeBase,
    entities: Iterable[Entity],
    reading: Reading | None = None,
) -> None:
    for chunk in jsonl_lines(kb, entities, reading):
        write(chunk)
