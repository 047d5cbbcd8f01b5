"""What `cpkb import` reads: records from a JSON Lines or CSV file, each with its line, and
how they change a draft. All or nothing: every problem is collected, with its line, and any
problem means nothing is written.

JSON Lines: an object a line, its `kind` one of source, property, entity, claim, its other
fields those of that record in the data file; a claim names its entity by id in `entity`.
CSV: a claim a row, under a header of the columns in COLUMNS (`entity`, `property` and
`source` required; `value` typed by what the property takes; `supersedes` space-separated).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any, NamedTuple

from cpkb.errors import CpkbError
from cpkb.kb.draft import Doc, Draft
from cpkb.kb.edit import ClaimBatch, add_entity, add_record, store_claim_ids, typed_value
from cpkb.model import fields

KINDS = ("source", "property", "entity", "claim")
COLUMNS = fields.claim_row()
CITATION_COLUMNS = fields.cells(fields.CITATION)
CLAIM_COLUMNS = tuple(c for c in COLUMNS if c not in CITATION_COLUMNS)
TYPED_BY_PROPERTY = fields.of_kind(fields.CLAIM, "scalar")  # value, baseline


class Row(NamedTuple):
    line: int
    kind: str
    record: Doc
    typed: bool = True  # False: a CSV row, whose value is typed by its property


class Problem(NamedTuple):
    line: int
    message: str


def read_rows(name: str, data: bytes) -> tuple[list[Row], list[Problem]]:
    """The records of an import file (.csv, else JSON Lines), and the problems reading it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Problem(data.count(b"\n", 0, exc.start) + 1, "is not UTF-8")]
    return _csv_rows(text) if name.lower().endswith(".csv") else _jsonl_rows(text)


def _jsonl_rows(text: str) -> tuple[list[Row], list[Problem]]:
    rows, problems = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, object_pairs_hook=_unrepeated)
        except _Repeated as exc:
            problems.append(Problem(n, str(exc)))
            continue
        except ValueError as exc:
            problems.append(Problem(n, f"not JSON: {exc}"))
            continue
        except RecursionError:
            problems.append(Problem(n, "not JSON that can be read: nested too deeply"))
            continue
        kind = record.pop("kind", None) if isinstance(record, dict) else None
        if kind not in KINDS:
            problems.append(Problem(n, f"an object whose 'kind' is one of {', '.join(KINDS)}"))
            continue
        rows.append(Row(n, kind, record))
    return rows, problems


class _Repeated(ValueError):
    """A key given twice in one object: which value was meant is not known (E007)."""


def _unrepeated(pairs: list[tuple[str, Any]]) -> Doc:
    found = dict(pairs)
    if len(found) != len(pairs):
        repeated = next(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        raise _Repeated(f"the key {repeated!r} is given twice in one object")
    return found


FIELD_LIMIT = 2**31 - 1  # csv's own limit is 131,072 characters; a C long holds this anywhere


def _csv_rows(text: str) -> tuple[list[Row], list[Problem]]:
    csv.field_size_limit(FIELD_LIMIT)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
    if unknown or not reader.fieldnames:
        known = ", ".join(COLUMNS)
        return [], [Problem(1, f"unknown columns {', '.join(unknown)} (known: {known})")]
    repeated = [c for c, n in Counter(reader.fieldnames).items() if n > 1]
    if repeated:
        return [], [Problem(1, f"the column {repeated[0]!r} is named twice")]
    rows, problems, start = [], [], 2
    for cells in reader:
        try:
            rows.append(Row(start, "claim", _claim_cells(cells), typed=False))
        except ValueError as exc:
            problems.append(Problem(start, str(exc)))
        start = reader.line_num + 1
    return rows, problems


def _claim_cells(cells: dict[str, Any]) -> Doc:
    """A claim row's record: empty cells left out, its citation under `sources`."""
    given = {k: v for k, v in cells.items() if k in COLUMNS and v not in (None, "")}
    if None in cells:
        raise ValueError("more cells than columns")
    record: Doc = {k: given[k] for k in CLAIM_COLUMNS if k in given}
    for name in fields.of_kind(fields.CLAIM, "ids"):
        if name in record:
            record[name] = record[name].split()
    for name in fields.of_kind(fields.CLAIM, "flag"):
        if name in record:
            if record[name] not in ("true", "false"):
                raise ValueError(f"{name} is true or false")
            record[name] = record[name] == "true"
    record["sources"] = [{k: given[k] for k in CITATION_COLUMNS if k in given}]
    return record


class Imported(NamedTuple):
    counts: dict[str, int]
    origins: dict[str, int]  # "entity <id>", "claim <id>", "source <id>" -> the line that added it


def apply_rows(draft: Draft, rows: list[Row]) -> tuple[Imported, list[Problem]]:
    """Add every record to the draft; what was added, and the problems, each with its line."""
    counts = dict.fromkeys(KINDS, 0)
    origins: dict[str, int] = {}
    problems: list[Problem] = []
    takes = {p.get("name"): p.get("takes") for p in draft.properties}
    batch = ClaimBatch(draft)
    for row in rows:
        if row.kind != "claim":
            batch.forget()
        try:
            origins[_add(batch, row, takes)] = row.line
            counts[row.kind] += 1
        except CpkbError as exc:
            problems.append(Problem(row.line, exc.message + (f" ({exc.hint})" if exc.hint else "")))
        except (KeyError, TypeError, AttributeError):
            problems.append(Problem(row.line, f"not a {row.kind} record as the data file has it"))
        if row.kind == "property":
            takes = {p.get("name"): p.get("takes") for p in draft.properties}
    return Imported(counts, origins), problems


def _add(batch: ClaimBatch, row: Row, takes: dict[Any, Any]) -> str:
    """Add the row's record; a key naming it (for the origins)."""
    record, draft = dict(row.record), batch.draft
    if row.kind in ("source", "property"):
        add_record(draft, row.kind, record)
        return f"{row.kind} {record['id' if row.kind == 'source' else 'name']}"
    if row.kind == "entity":
        store_claim_ids(record)
        return f"entity {add_entity(draft, record)}"
    entity_id = record.pop("entity", None)
    if not isinstance(entity_id, str):
        raise _NoEntity("a claim names its entity's id in 'entity'")
    for name in () if row.typed else TYPED_BY_PROPERTY:
        if name in record:
            record[name] = typed_value(record[name], takes.get(record.get("property")))
    return f"claim {batch.add(entity_id, record)}"


class _NoEntity(CpkbError):
    pass
