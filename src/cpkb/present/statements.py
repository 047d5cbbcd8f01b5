"""The flat statement table: one row per claim and citation, the shape spreadsheets and pandas
want; and the plain records beside it (entities, sources, the property vocabulary).

Every column comes from the field table (cpkb.model.fields), so a field added there reaches
every export. A statement row holds, in order: `claim_id`; the claim's entity as the JSON
contract refers to one (`entity_id`, `entity_type`, `entity_name`); the claim's other fields
under their own names, with `current` and `status` after `rank` (as `show --json` has them) and
the name of each entity a field refers to beside it (`target_name`); then the citation's fields
(`source_id`, `citation_quote`, ...) and the cited source's (`source_title`, ...).

Values are as JSON holds them (lists, objects, null); `csv_cell` writes one as a CSV cell. A
version-1 file's `start`/`end` (a figure's period) is its `period` here, as `cpkb migrate`
writes it, so the two versions of one file give one table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from cpkb.model import fields
from cpkb.model.entities import Entity, KnowledgeBase, Source
from cpkb.present.views import citation_view, ref_view
from cpkb.query.current import Assessed, Reading, assess

Row = dict[str, Any]
Table = tuple[fields.Field, ...]

ASSESSMENT = ("current", "status")  # what a claim's row adds after its rank
REFERENCE_KEYS = tuple(ref_view(Entity("", "", "", (), "", (), ())))  # id, type, name
# The claim fields that name an entity (target, stated_by): each gets a `_name` column too.
REFERENCES = tuple(f.name for f in fields.CLAIM if f.kind == "id" and f.name != "id")


# How a field of each kind is held as JSON holds it (the model's tuples): else as it is.
CONVERTERS = {"ids": list, "texts": list, "types": list, "qualifiers": dict}


def native(value: Any, kind: fields.Kind) -> Any:
    """A field's value as JSON holds it: a list for a tuple, an object for qualifiers."""
    if kind == "citations":
        return [citation_view(c) for c in value]
    convert = CONVERTERS.get(kind)
    return convert(value) if convert is not None else value


def record_fields(table: Table) -> Table:
    """A plain record's columns: its fields, less the claims an entity holds (a table apart)."""
    return tuple(f for f in table if f.kind != "claims")


def columns_of(table: Table) -> tuple[str, ...]:
    return tuple(f.name for f in record_fields(table))


def record_row(record: Any, table: Table) -> Row:
    """A source, property or entity as a row of its table (every field, null when absent)."""
    return {f.name: native(getattr(record, f.name), f.kind) for f in record_fields(table)}


CLAIM_FIELDS = tuple(f for f in fields.CLAIM if f.kind != "citations" and f.name != "id")
_pick = itemgetter(*(fields.CLAIM.index(f) for f in CLAIM_FIELDS))  # from a Claim, in order
_CONVERTED = tuple(
    (n, CONVERTERS[f.kind]) for n, f in enumerate(CLAIM_FIELDS) if f.kind in CONVERTERS
)
# What follows a field in a claim's row, from the last (so that positions hold as it is added).
_ADDED = tuple(
    (n, "rank" if f.name == "rank" else "name")
    for n, f in reversed(list(enumerate(CLAIM_FIELDS)))
    if f.name == "rank" or f.name in REFERENCES
)


def _claim_columns() -> tuple[str, ...]:
    names = [f.name for f in CLAIM_FIELDS]
    for n, added in _ADDED:
        names[n + 1 : n + 1] = ASSESSMENT if added == "rank" else (f"{names[n]}_name",)
    return tuple(names)


def _citation_column(field: fields.Field) -> str:
    """A citation's source is the source's id; its other fields are the citation's own."""
    return "source_id" if field.kind == "id" else f"citation_{field.name}"


HEAD_COLUMNS = ("claim_id", *(f"entity_{key}" for key in REFERENCE_KEYS))
CLAIM_COLUMNS = _claim_columns()
CITATION_COLUMNS = tuple(_citation_column(f) for f in fields.CITATION)
SOURCE_COLUMNS = tuple(f"source_{f.name}" for f in fields.SOURCE if f.kind != "id")
COLUMNS = (*HEAD_COLUMNS, *CLAIM_COLUMNS, *CITATION_COLUMNS, *SOURCE_COLUMNS)
# The columns a CSV cell is made of (a list, an object, true or false), the rest as they are.
_KINDS: dict[str, str] = {f.name: str(f.kind) for f in CLAIM_FIELDS} | {ASSESSMENT[0]: "flag"}
CSV_CONVERTED = tuple(
    n for n, column in enumerate(COLUMNS) if _KINDS.get(column) in ("flag", "scalar", *CONVERTERS)
)


class Statements:
    """The statement table of a knowledge base, entity by entity: each row a list of values in
    the order of COLUMNS. `kb` gives the sources, the vocabulary and the names of the entities
    claims refer to; the entities may come apart (a batch at a time from the index)."""

    columns = COLUMNS

    def __init__(self, kb: KnowledgeBase, reading: Reading | None = None) -> None:
        self.kb = kb
        self.reading = reading or Reading.asked()
        self._sources = {i: _source_values(s) for i, s in kb.sources.items()}
        self._no_source = [None] * len(SOURCE_COLUMNS)
        self._uncited = [None] * (len(CITATION_COLUMNS) + len(SOURCE_COLUMNS))

    def assessed(self, entity: Entity) -> list[Assessed]:
        kb = self.kb
        return assess(entity, sources=kb.sources, properties=kb.properties, reading=self.reading)

    def rows(self, entity: Entity) -> Iterator[list[Any]]:
        """The entity's rows: one per claim and citation (one for a claim citing nothing)."""
        head = list(ref_view(entity).values())
        for row in self.assessed(entity):
            claim = [row.id, *head, *self.claim_values(row)]
            if not row.citations:
                yield claim + self._uncited
            for citation in row.citations:
                source = self._sources.get(citation.source, self._no_source)
                yield [*claim, *citation, *source]

    def dicts(self, entity: Entity) -> Iterator[Row]:
        """The entity's rows as objects, keyed by column."""
        for values in self.rows(entity):
            yield dict(zip(COLUMNS, values))  # noqa: B905 - rows are made to measure

    def claim_values(self, row: Assessed) -> list[Any]:
        """A claim's fields but its id and citations, in the order of CLAIM_COLUMNS: the rank
        (normal when the file says none) followed by the assessment, and each entity a field
        refers to followed by its name."""
        values = list(_pick(row.claim))
        for n, convert in _CONVERTED:
            values[n] = convert(values[n])
        for n, added in _ADDED:
            if added == "rank":
                values[n : n + 1] = (values[n] or "normal", row.current, row.status)
            else:
                values.insert(n + 1, self.name_of(values[n]))
        return values

    def name_of(self, entity_id: str | None) -> str | None:
        found = self.kb.entities.get(entity_id) if entity_id is not None else None
        return found.name if found is not None else None


def _source_values(source: Source) -> list[Any]:
    return [getattr(source, f.name) for f in fields.SOURCE if f.kind != "id"]


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: empty for null and for an empty list, true/false as JSON writes
    them, a list or an object as JSON text; numbers and text as they are."""
    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def csv_row(row: Row, columns: tuple[str, ...]) -> list[Any]:
    return [csv_cell(row[column]) for column in columns]


def csv_statement(values: list[Any]) -> list[Any]:
    """A statement row as CSV cells: only the columns that can hold more than text or a number
    are looked at (the csv module writes null as an empty cell itself)."""
    for n in CSV_CONVERTED:
        if values[n] is not None:
            values[n] = csv_cell(values[n])
    return values
