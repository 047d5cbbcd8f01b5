"""The output options every listing takes, in one place (as sqlite-utils' `@output_options`):
`--format table|json|jsonl|csv|tsv|markdown`, `--json` (short for `--format json`) and
`--fields`, and `listing()`, which prints a listing's view in the format asked for.

Without --format the format follows standard output: a table at a terminal; piped, the plain
lines cpkb has always printed (tab-separated lines for `TYPE list` and for `--fields`, the
`FILE:LINE:` lines of `validate`, else the table without colour or trailing spaces).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Annotated, Any, Optional

import typer

from cpkb import streams
from cpkb.cli.context import JsonOpt, print_json, settings, source_views
from cpkb.cli.options import Command, option, packing
from cpkb.errors import UsageProblem
from cpkb.present import formats
from cpkb.present import human as drawn
from cpkb.present.rows import KINDS, Kind


class Format(str, Enum):
    def __str__(self) -> str:
        return self.value

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
    markdown = "markdown"


FLAT = (Format.csv, Format.tsv, Format.markdown)
OUTPUT_PANEL = "Output"
FormatOpt = Annotated[
    Optional[Format],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--format",
        help="table (at a terminal), json, jsonl (a record a line), csv, tsv or markdown "
        "(a header row, a row a record). Default: a table at a terminal, plain lines piped.",
        case_sensitive=False,
        show_default=False,
        rich_help_panel=OUTPUT_PANEL,
    ),
]
FieldsOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--fields",
        metavar="A,B,C",
        help="Only these columns, in this order (table, csv, tsv, markdown); a wrong name lists "
        "the fields.",
        show_default=False,
        rich_help_panel=OUTPUT_PANEL,
    ),
]


@dataclass(frozen=True)
class Output:
    """What a listing was asked to print: its records (`kind`), the format (None follows
    standard output) and the columns."""

    kind: Kind
    format: Format | None
    fields: tuple[str, ...]
    chosen: bool  # whether --fields chose the columns

    def is_human(self) -> bool:
        """Whether what `human` draws is printed (no format asked for, or table; no --fields)."""
        return self.format in (None, Format.table) and not self.chosen

    def machine(self) -> bool:
        """Whether a format for programs was asked for (an empty result prints its empty form:
        `[]`, a header), not one for people (an empty result is told on stderr)."""
        return self.format not in (None, Format.table)

    def shows_current(self) -> bool:
        """Whether the output shows what a person reads (current claims), not the JSON's."""
        return self.format not in (Format.json, Format.jsonl)


def output_options(name: str) -> Callable[[Command], Command]:
    """--json, --format and --fields of the listing `name`, handed to the command as
    `out: Output` (see `output_of`)."""
    added = [option("as_json", JsonOpt), option("output_format", FormatOpt)]
    return packing("out", [*added, option("fields", FieldsOpt)], partial(output_of, name))


def output_of(name: str, as_json: bool, output_format: Format | None, fields: str | None) -> Output:
    """What the listing `name` is asked to print. Checked before any work: `--json` with another
    --format, an unknown field, or --fields with JSON, is a usage error (exit 2)."""
    if as_json and output_format not in (None, Format.json):
        raise UsageProblem(f"--json and --format {output_format.value} disagree: give one")
    shape = Format.json if as_json else output_format
    kind = KINDS[name]
    return Output(kind, shape, columns(kind, fields, shape), fields is not None)


def columns(kind: Kind, fields: str | None, shape: Format | None) -> tuple[str, ...]:
    """The columns asked for (the kind's defaults if none)."""
    if fields is None:
        return kind.defaults
    asked = tuple(f.strip() for f in fields.split(",") if f.strip())
    unknown = [f for f in asked if f not in kind.fields]
    if unknown or not asked:
        named = f"unknown field {unknown[0]!r}" if unknown else "--fields names no field"
        raise UsageProblem(named, hint=f"fields: {','.join(kind.fields)}")
    twice = [f for i, f in enumerate(asked) if f in asked[:i]]
    if twice:
        raise UsageProblem(f"--fields names {twice[0]!r} twice")
    if shape in (Format.json, Format.jsonl):
        raise UsageProblem("--fields is for table, csv, tsv and markdown, not JSON")
    return asked


def listing(
    ctx: typer.Context,
    out: Output,
    view: Any,
    human: Callable[..., None] | None,
    *args: Any,
    title: str | None = None,
) -> None:
    """Print `view`, a listing's result, as `out` asks; `human` draws it as a person reads it
    (None: a table of its records, under `title`)."""
    kind, fields = out.kind, out.fields
    if out.format is Format.json:
        print_json(view)
    elif out.format is Format.jsonl:
        formats.write_jsonl(streams.utf8_output(), kind.items(view))
    elif out.format in FLAT:
        rows = kind.rows(view, _sources(ctx, fields))
        formats.write_flat(streams.utf8_output(), str(out.format), rows, fields)
    elif out.format is None and not sys.stdout.isatty() and (human is None or out.chosen):
        rows = kind.rows(view, _sources(ctx, fields))
        formats.write_tsv(streams.utf8_output(), rows, fields, header=False)
    else:
        with shown(ctx):
            if human is not None and not out.chosen:
                human(view, *args)
            else:
                drawn.show_records(kind.rows(view, _sources(ctx, fields)), fields, title)


def shown(ctx: typer.Context) -> AbstractContextManager[None]:
    """Human output: through the pager at a terminal, without trailing spaces when piped."""
    from cpkb.present.pager import screen

    return screen(no_pager=settings(ctx).no_pager)


def _sources(ctx: typer.Context, fields: tuple[str, ...]) -> dict[str, Any]:
    """The sources by id, when a URL column needs them (a citation may not carry its URL)."""
    return source_views(ctx) if "url" in fields else {}
