"""The flat formats of a listing's records: CSV (RFC 4180, by the csv module), TSV, a GitHub
Markdown pipe table, and JSON Lines. Each writes to a text stream; none imports Rich.

Every text cell is shown with `visible()` (control characters, tabs and newlines as escapes),
so a cell stays on its line and cannot drive a terminal.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Protocol

from cpkb.present.jsonout import escaped
from cpkb.present.rows import Row
from cpkb.present.views import View
from cpkb.query.text import visible

FLAT_FORMATS = ("csv", "tsv", "markdown")


class TextOut(Protocol):
    """Where a format writes: a text stream, or standard output as UTF-8."""

    def write(self, text: str, /) -> int: ...


def cell(value: object) -> str:
    """A value as the text of one cell (yes/no for booleans, whole floats without '.0')."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return visible("" if value is None else str(value))


def cells(rows: Iterable[Row], fields: tuple[str, ...]) -> Iterable[list[str]]:
    for row in rows:
        yield [cell(row.get(field)) for field in fields]


def write_csv(out: TextOut, rows: Iterable[Row], fields: tuple[str, ...]) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    writer.writerows(cells(rows, fields))


def write_tsv(
    out: TextOut, rows: Iterable[Row], fields: tuple[str, ...], *, header: bool = True
) -> None:
    """Tab-separated lines (cells never hold a tab or a newline: they are escaped)."""
    if header:
        out.write("\t".join(fields) + "\n")
    for line in cells(rows, fields):
        out.write("\t".join(line) + "\n")


def markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def write_markdown(out: TextOut, rows: Iterable[Row], fields: tuple[str, ...]) -> None:
    """A GitHub pipe table: a header, its separator, a line per row."""
    out.write("| " + " | ".join(markdown_cell(f) for f in fields) + " |\n")
    out.write("|" + "|".join(" --- " for _ in fields) + "|\n")
    for line in cells(rows, fields):
        out.write("| " + " | ".join(markdown_cell(c) for c in line) + " |\n")


def write_jsonl(out: TextOut, items: Iterable[View]) -> None:
    """A JSON record per line (`jsonl_line`)."""
    for item in items:
        out.write(jsonl_line(item))


def jsonl_line(item: View) -> str:
    """A record as `--format jsonl` writes it: on one line, key order kept, and a newline."""
    return escaped(json.dumps(item, ensure_ascii=False)) + "\n"


def write_flat(out: TextOut, name: str, rows: Iterable[Row], fields: tuple[str, ...]) -> None:
    """Write `rows` in the flat format `name` (csv, tsv or markdown)."""
    writers = {"csv": write_csv, "tsv": write_tsv, "markdown": write_markdown}
    writers[name](out, rows, fields)
