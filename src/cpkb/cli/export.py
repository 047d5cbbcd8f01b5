"""`cpkb export sqlite|jsonld|csv|jsonl`: the whole knowledge base for other tools.

An export makes millions of short-lived objects and no cycles, so the cyclic garbage collector
is paused while it runs: it would walk them, and every entity name held, again and again (a
third of `export jsonl`'s time at 100,000 entities).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cpkb import streams
from cpkb.cli.context import CpkbCommand, _typer, settings
from cpkb.cli.targets import output_file, output_folder
from cpkb.errors import UsageProblem
from cpkb.kb import collector

if TYPE_CHECKING:
    from cpkb.model.entities import Entity, KnowledgeBase
    from cpkb.present.flatfiles import Written
    from cpkb.query.catalog import Catalog

app = _typer(
    help="The whole knowledge base for other tools: a SQLite database (Datasette), JSON-LD "
    "(schema.org), CSV files or JSON Lines of the statement table."
)
BATCH = 1000  # entities read from the index at a time

ForceOpt = Annotated[bool, typer.Option("--force", "-f", help="Replace what is there.")]


def corpus(ctx: typer.Context) -> tuple[KnowledgeBase, Iterable[Entity]]:
    """What to export: the knowledge base (sources, vocabulary, every entity's name) and its
    entities in file order. From a current index they are read a batch at a time, so a large
    file is never held whole."""
    from cpkb.model.entities import KnowledgeBase
    from cpkb.query.catalog import MemoryCatalog

    config = settings(ctx)
    catalog = config.catalog()
    if isinstance(catalog, MemoryCatalog):
        return catalog.kb, catalog.kb
    head = catalog.subset(())
    names = {stub.id: stub for stub in catalog.labelled()}
    kb = KnowledgeBase(head.path, head.schema_version, head.sources, names, head.properties)
    return kb, _batches(catalog, list(names), head.schema_version)


def _batches(catalog: Catalog, ids: list[str], version: int) -> Iterator[Entity]:
    for start in range(0, len(ids), BATCH):
        batch = catalog.subset(ids[start : start + BATCH]).entities.values()
        yield from (map(_version_1, batch) if version == 1 else batch)


def _version_1(entity: Entity) -> Entity:
    """The entity as the file's reader gives it: cpkb.index reads a version-1 file's claims
    without the version, so a figure's `start`/`end` come back as when a claim holds; they are
    read here as the `period` they are (as kb.quick does). Nothing to do once the index
    passes the version on."""
    if not any(c.start or c.end for c in entity.claims):
        return entity
    claims = tuple(
        c._replace(period=f"{c.start or '..'}/{c.end or '..'}", start=None, end=None)
        if c.start or c.end
        else c
        for c in entity.claims
    )
    return entity._replace(claims=claims)


def _wrote(written: Written, target: Path) -> None:
    counts = f"{written.entities} entities and {written.claims} claims"
    typer.echo(f"wrote {counts} to {target}", err=True)


@app.command("sqlite", cls=CpkbCommand)
def sqlite_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The database file to write.")],
    force: ForceOpt = False,
) -> None:
    """A SQLite database for Datasette: every record, foreign keys, full-text search.

    FILE is written whole or not at all; one already there is replaced only with --force.

    Example: cpkb export sqlite kb.db && datasette kb.db
    """
    from cpkb.present.flatfiles import refuse_overwrite, writing
    from cpkb.present.kept_sql import copy_kept, sqlite_export, stored_sqlite

    target = output_file(ctx, file, what="the database")
    refuse_overwrite([target], force=force)
    data_path = settings(ctx).data_path()
    kept = stored_sqlite(data_path)  # on a warm index: the database made last time
    with collector.paused():
        with writing(file):
            written = copy_kept(target, kept) if kept is not None else None
        if written is None:
            kb, entities = corpus(ctx)
            with writing(file):
                written = sqlite_export(data_path, target, kb, entities)  # and kept
    _wrote(written, file)


@app.command("csv", cls=CpkbCommand)
def csv_cmd(
    ctx: typer.Context,
    dir: Annotated[
        Path, typer.Argument(help="The folder to write into (made if need be, in one that is).")
    ],
    force: ForceOpt = False,
) -> None:
    """CSV files in DIR: claims.csv (a row per claim and citation), entities, sources, properties.

    UTF-8, a header row, RFC 4180 quoting; files already there are replaced only with --force.

    Example: cpkb export csv out/ && head -3 out/claims.csv
    """
    from cpkb.present.flatfiles import CSV_FILES, refuse_overwrite, write_csv_parts, writing
    from cpkb.present.kept import csv_export, stored_csv

    folder = output_folder(ctx, dir, CSV_FILES)
    refuse_overwrite([folder / name for name in CSV_FILES], force=force)
    data_path = settings(ctx).data_path()
    parts = stored_csv(data_path)  # on a warm index: the parts it keeps
    with collector.paused():
        if parts is None:
            kb, entities = corpus(ctx)
            parts = csv_export(data_path, kb, entities)  # made, and kept on the way
        with writing(dir):
            folder.mkdir(exist_ok=True)
            written = write_csv_parts(folder, parts.records, parts.entities)
    _wrote(written, dir)


@app.command("jsonl", cls=CpkbCommand)
def jsonl_cmd(ctx: typer.Context) -> None:
    """The statement table as JSON Lines on stdout: an object per claim and citation.

    Its keys are the columns of claims.csv (export csv); rows are written as they are made.

    Example: cpkb export jsonl | jq -r 'select(.current) | [.entity_name, .property] | @tsv'
    """
    from cpkb.present.kept import jsonl_export, stored_export

    data_path = settings(ctx).data_path()
    kept: Iterable[bytes] | None = stored_export(data_path, "jsonl")  # on a warm index
    with collector.paused():
        if kept is None:
            kb, entities = corpus(ctx)
            kept = jsonl_export(data_path, kb, entities)  # made, and kept on the way
        for lines in kept:
            streams.write_chunks([lines])


@app.command("jsonld", cls=CpkbCommand)
def jsonld_cmd(
    ctx: typer.Context,
    base: Annotated[
        str,
        typer.Option("--base", metavar="IRI", help="What every id's IRI begins with."),
    ] = "urn:cpkb:",
) -> None:
    """JSON-LD on stdout: entities as schema.org types, claims as Claims with their citations.

    A Person, Organization, Legislation, ... per entity; a quote is a Quotation, a paraphrase a
    CreativeWork, each based on its source; the property vocabulary as rdf:Property.

    Example: cpkb export jsonld --base https://kb.example.org/ > kb.jsonld
    """
    from cpkb.present.kept import jsonld_export, stored_jsonld

    checked_base(base)
    data_path = settings(ctx).data_path()
    kept: Iterable[bytes] | None = stored_jsonld(data_path, base)  # on a warm index
    with collector.paused():
        if kept is None:
            kb, entities = corpus(ctx)
            kept = jsonld_export(data_path, kb, entities, base=base)  # made, and kept
        for chunk in kept:
            streams.write_chunks([chunk])


def checked_base(base: str) -> None:
    """Refuse a --base that is not an absolute IRI ending where an id can follow (`/`, `#`,
    `:`), or that holds what no IRI may (a control or invisible character, a broken `%`
    escape): every IRI of the export would be broken."""
    import re

    unsafe = any(c.isspace() or c in '<>"{}|\\^`' or not c.isprintable() for c in base)
    unsafe = unsafe or re.search("%(?![0-9A-Fa-f]{2})", base) is not None  # a broken escape
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", base) or unsafe or base[-1] not in "/#:":
        raise UsageProblem(
            f"--base {base!r} is not an absolute IRI ending in '/', '#' or ':'",
            hint="e.g. https://kb.example.org/ or urn:cpkb:",
        )
