"""What the integrity rules keep of each source and entity, and those summaries field by field.

Summaries hold plain strings, numbers and paths relative to their item, so that the memo can keep
them between runs and worker processes can send them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import Any, NamedTuple

from cpkb.check.rules import Finding
from cpkb.kb.document import Path

Local = tuple[str, Path, str]  # a finding (code, path, message), its path relative to its item


class Summary(NamedTuple):
    """What the integrity rules need of one source or entity, read from it alone."""

    id: str | None
    cites: tuple[str, ...]  # every source it cites, once each
    targets: tuple[str, ...]  # every entity its claims name (targets, stated_by), once each
    checks: tuple[Local, ...]  # what EntityChecks (for a source: E302) reports when every
    # reference resolves
    dates: tuple[Local, ...]
    keys: str  # the compact keys of the labels that may name another entity, space-separated
    places: tuple[int, ...]  # where each of those labels is: -1 the name, else an alias index
    again: tuple[Local, ...]  # W402: the aliases that are the name again
    # Of a version-2 entity, what the rules that compare entities need (else None): its claims'
    # ids, the properties they use, its former ids, its type, its claims' targets whose types
    # the property restricts (claim, target, property), and the ids its claims supersede that
    # none of its claims has (claim, place, id). Plain tuples, as the memo keeps them.
    extra: tuple[Any, ...] | None = None


Row = tuple[Any, ...]  # a Summary, or a plain tuple laid out as one (as the memo keeps them)
FIELDS = len(Summary._fields)
ID, CITES, TARGETS, CHECKS, DATES, KEYS, PLACES, AGAIN, EXTRA = range(FIELDS)
_NO_ROW: Row = (None,) * FIELDS


@dataclass
class Columns:
    """The summaries of an array's items, a list per field; `absent`: the items not objects.

    `repeated`, if known, holds at least the label keys in more than one label (from a memo, say);
    `assemble` narrows it to exactly those.
    """

    fields: list[list[Any]]
    absent: set[int] = field(default_factory=set)
    repeated: set[str] | None = None

    @classmethod
    def of(cls, summaries: Sequence[Row | None]) -> Columns:
        absent = {i for i, row in enumerate(summaries) if row is None}
        rows = [_NO_ROW if row is None else row for row in summaries]
        fields = [list(column) for column in zip(*rows, strict=True)] if rows else empty_fields()
        return cls(fields, absent)


def empty_fields() -> list[list[Any]]:
    return [[] for _ in range(FIELDS)]


class Rows:
    """The summaries of the objects of an array, field by field, and each one's index in it."""

    def __init__(self, name: str, columns: Columns) -> None:
        self.name = name
        self.fields = columns.fields
        self.index: Sequence[int] = range(len(self.fields[ID]))
        if columns.absent:  # not objects: the rules skip them
            self.index = [i for i in self.index if i not in columns.absent]
            self.fields = [list(map(values.__getitem__, self.index)) for values in self.fields]

    def __len__(self) -> int:
        return len(self.index)

    def at(self, k: int) -> Path:
        return self.name, self.index[k]

    def row(self, k: int) -> Row:
        return tuple(values[k] for values in self.fields)

    def column(self, field: int) -> Iterator[Any]:
        return iter(self.fields[field])

    def having(self, field: int) -> Iterator[int]:
        """The rows whose `field` is not empty."""
        return compress(range(len(self.index)), self.fields[field])


def local(findings: Iterable[Finding]) -> tuple[Local, ...]:
    """Findings as a summary keeps them."""
    return tuple((f.code, f.path, f.message) for f in findings)


def rebase(at: Path, found: Iterable[Local]) -> list[Finding]:
    """A summary's findings, placed at the item `at`."""
    return [Finding(code, (*at, *path), message) for code, path, message in found]
