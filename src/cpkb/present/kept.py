"""Exports kept in the index as they are made (cpkb.index.views), entity by entity, so that on a
warm index `export jsonl`, `export jsonld` and `export csv` are the kept bytes written back: the
same bytes, since each export is its entities' parts joined, and what comes before them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import marshal
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, NamedTuple

from cpkb.errors import ToolError
from cpkb.index import views
from cpkb.index.catalog import open_existing
from cpkb.index.reader import UNREADABLE, Index
from cpkb.present.listing import current_stamp
from cpkb.query.current import Reading
from cpkb.query.time import Span, steady, today

if TYPE_CHECKING:
    from pathlib import Path

    from cpkb.model.entities import Entity, KnowledgeBase
    from cpkb.present.statements import Statements


def stored_export(data_path: Path, kind: str) -> Iterator[bytes] | None:
    """Export `kind` as the current index keeps it for today; None if it does not."""
    index = open_existing(data_path)
    found = views.stored(index, f"export:{kind}", today()) if index is not None else None
    return streamed(found.rows, index) if found is not None and index is not None else None


def streamed(rows: Iterator[bytes], index: Index) -> Iterator[bytes]:
    """`rows`; should the index fail midway (its file damaged), one error (the index goes, so
    that the next run makes the export anew)."""
    try:
        yield from rows
    except UNREADABLE:
        index.discard()
        raise ToolError("the index broke while the export was read from it; run it again") from None


def jsonl_export(data_path: Path, kb: KnowledgeBase, entities: Iterable[Entity]) -> Iterator[bytes]:
    """`export jsonl`'s lines on today's reading, entity by entity as they are made (as
    `flatfiles.jsonl_lines` makes them), kept in the current index on the way."""
    from cpkb.present.flatfiles import json_line
    from cpkb.present.statements import Statements

    day = today()
    table = Statements(kb, Reading(day))
    rows, days = _entity_rows(entities, day, lambda e: "".join(map(json_line, table.dicts(e))))
    return _kept(data_path, "export:jsonl", rows, days=days)


def _kept(
    data_path: Path,
    kind: str,
    rows: Iterator[tuple[str, bytes]],
    *,
    days: Callable[[], Span],
    note: str = "",
) -> Iterator[bytes]:
    """The bytes of `rows`, kept in the current index on the way when there is one."""
    index = open_existing(data_path)
    stamp = current_stamp(index, data_path) if index is not None else ""
    if index is None or not stamp:
        return (blob for _, blob in rows)
    return views.kept(index, kind, stamp=stamp, rows=rows, days=days, note=note)


def _entity_rows(
    entities: Iterable[Entity],
    day: dt.date,
    text: Callable[[Entity], str],
    *,
    made: Callable[[Entity], bytes] | None = None,
) -> tuple[Iterator[tuple[str, bytes]], Callable[[], Span]]:
    """Each entity's id and its part (`made`, else `text` in UTF-8), and the days over which
    what is current stays as on `day` for the entities passed so far."""
    watched, days = steady_days(entities, day)
    return ((e.id, made(e) if made else text(e).encode("utf-8")) for e in watched), days


def steady_days(
    entities: Iterable[Entity], day: dt.date
) -> tuple[Iterator[Entity], Callable[[], Span]]:
    """`entities` as they come, and the days over which what is current stays as on `day`
    for the entities passed so far."""
    days = [Span(dt.date.min, dt.date.max)]

    def watched() -> Iterator[Entity]:
        for entity in entities:
            found = steady(entity.claims, day)
            days[0] = Span(max(days[0].first, found.first), min(days[0].last, found.last))
            yield entity

    return watched(), lambda: days[0]


def jsonld_kind(base: str) -> str:
    return f"export:jsonld {base}"


def as_of_mark(day: dt.date) -> str:
    """How the JSON-LD export's own node gives the day it was read at: the only place the
    day shows before the entities' nodes (no JSON string holds a bare quote)."""
    return f'"@value":"{day.isoformat()}"'


def stored_jsonld(data_path: Path, base: str) -> Iterator[bytes] | None:
    """`export jsonld --base BASE` as the current index keeps it for today; None if it does not."""
    from cpkb.present.jsonld import TAIL

    day = today()
    index = open_existing(data_path)
    found = views.stored(index, jsonld_kind(base), day) if index is not None else None
    if found is None:
        return None
    try:
        before, after = json.loads(found.note)
    except (ValueError, TypeError):  # not the two parts `jsonld_export` keeps: make it again
        return None
    head = str(before) + as_of_mark(day) + str(after)
    assert index is not None
    return chain([head.encode("utf-8")], streamed(found.rows, index), [TAIL.encode("utf-8")])


def jsonld_export(
    data_path: Path, kb: KnowledgeBase, entities: Iterable[Entity], *, base: str
) -> Iterator[bytes]:
    """`export jsonld` on today's reading, as `jsonld.jsonld_chunks` makes it, each entity's
    nodes kept in the current index on the way (and the nodes before, the day left out)."""
    from cpkb.present.jsonld import TAIL, entity_text, head_text

    day = today()
    reading = Reading(day)
    head = head_text(kb, base=base, reading=reading)
    yield head.encode("utf-8")
    rows, days = _entity_rows(entities, day, lambda entity: entity_text(kb, entity, reading))
    parts = head.split(as_of_mark(day), 1)
    if len(parts) == 2:
        yield from _kept(data_path, jsonld_kind(base), rows, days=days, note=json.dumps(parts))
    else:
        yield from (blob for _, blob in rows)
    yield TAIL.encode("utf-8")


CSV_KIND = "export:csv"


class CsvParts(NamedTuple):
    """`export csv`'s files in parts: sources.csv and properties.csv whole (headed), then for
    each entity its rows of claims.csv, its row of entities.csv and its number of claims (in
    marshal), as `csv_parts` makes them."""

    records: list[str]
    entities: Iterable[bytes]


def stored_csv(data_path: Path) -> CsvParts | None:
    """`export csv` as the current index keeps it for today; None if it does not."""
    index = open_existing(data_path)
    found = views.stored(index, CSV_KIND, today()) if index is not None else None
    if found is None:
        return None
    try:
        records = [str(text) for text in json.loads(found.note)]
    except (ValueError, TypeError):
        return None
    assert index is not None
    return CsvParts(records, streamed(found.rows, index)) if len(records) == 2 else None


def csv_export(data_path: Path, kb: KnowledgeBase, entities: Iterable[Entity]) -> CsvParts:
    """`export csv` on today's reading in parts, each entity's kept in the index on the way."""
    from cpkb.model import fields
    from cpkb.present.flatfiles import records_text
    from cpkb.present.statements import Statements

    day = today()
    table = Statements(kb, Reading(day))
    records = [
        records_text(fields.SOURCE, kb.sources.values()),
        records_text(fields.PROPERTY, kb.properties.values()),
    ]
    rows, days = _entity_rows(entities, day, lambda e: "", made=lambda e: entity_csv(table, e))
    return CsvParts(records, _kept(data_path, CSV_KIND, rows, days=days, note=json.dumps(records)))


def entity_csv(table: Statements, entity: Entity) -> bytes:
    """An entity's rows of claims.csv and its row of entities.csv, as `flatfiles.write_csv`
    writes them, and its number of claims."""
    from cpkb.model import fields
    from cpkb.present.statements import columns_of, csv_row, csv_statement, record_row

    claims, record = io.StringIO(newline=""), io.StringIO(newline="")
    csv.writer(claims).writerows(csv_statement(values) for values in table.rows(entity))
    columns = columns_of(fields.ENTITY)
    csv.writer(record).writerow(csv_row(record_row(entity, fields.ENTITY), columns))
    return marshal.dumps((claims.getvalue(), record.getvalue(), len(entity.claims)))
