"""Read commands: show, stats, sources, info, and `<type> list|show` for the five types."""

from __future__ import annotations

from typing import NamedTuple

import typer

from cpkb.cli.context import (
    AllOpt,
    AsOfOpt,
    CpkbCommand,
    CurrentOpt,
    JsonOpt,
    KnownByOpt,
    RefArg,
    _typer,
    app,
    emit,
    print_json,
    reading,
    settings,
    source_views,
)
from cpkb.model.fields import PLURALS, TYPES
from cpkb.present import human
from cpkb.present.views import entity_view


class Asked(NamedTuple):
    """The options every reading command takes."""

    as_json: bool = False
    as_of: str | None = None
    known_by: str | None = None
    every: bool = False
    current: bool = False


def show_ref(ctx: typer.Context, ref: str, asked: Asked, entity_type: str | None = None) -> None:
    catalog = settings(ctx).catalog()
    entity = catalog.resolve(ref, entity_type=entity_type)
    kb = catalog.neighbourhood(entity.id)
    read = reading(asked.as_of, asked.known_by)
    view = entity_view(kb, entity, read, current=asked.current)
    if asked.as_json:
        print_json(view)
    else:
        human.show_entity(view, source_views(ctx), human.shown_for(kb, read, every=asked.every))


@app.command("show", cls=CpkbCommand)
def show_cmd(
    ctx: typer.Context,
    ref: RefArg,
    as_json: JsonOpt = False,
    as_of: AsOfOpt = None,
    known_by: KnownByOpt = None,
    every: AllOpt = False,
    current: CurrentOpt = False,
) -> None:
    """Show any entity: summary, current claims, what points to it, and every citation.

    Example: cpkb show "Qazaqstan Balalary" --as-of 2025-12
    """
    show_ref(ctx, ref, Asked(as_json, as_of, known_by, every, current))


@app.command("stats", cls=CpkbCommand)
def stats_cmd(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    as_of: AsOfOpt = None,
    known_by: KnownByOpt = None,
    current: CurrentOpt = False,
) -> None:
    """The statistics: what is measured, the current value and unit, change, who attributes it
    to what, and the source.

    Example: cpkb stats --json | jq '.[] | {name, claims}'
    """
    from cpkb.present.views import entities_view

    if as_json and not (as_of or known_by or current):
        print_listing(ctx, "statistic")
        return
    if not as_json and not (as_of or known_by):
        print_stats(ctx)
        return
    kb = settings(ctx).kb()
    read = reading(as_of, known_by)
    views = entities_view(kb, kb.of_type("statistic"), read, current=current or not as_json)
    if as_json:
        print_json(views)
    else:
        human.show_stats(views, source_views(ctx))


def print_listing(ctx: typer.Context, entity_type: str) -> None:
    """`--json` of a listing on today's reading: from the views the index keeps, when it can."""
    from cpkb import streams
    from cpkb.present.listing import listing

    config = settings(ctx)
    streams.write_chunks(listing(config.data_path(), entity_type, load=config.kb))


def print_stats(ctx: typer.Context) -> None:
    """The `stats` table on today's reading: from what the index keeps, when it can."""
    from cpkb.present.listing import stats_table
    from cpkb.present.views import source_view

    config = settings(ctx)
    laid = stats_table(config.data_path(), load=config.kb)
    sources = {i: source_view(s) for i, s in laid.sources.items()}
    human.show_stats(laid.views, sources, laid.scales)


def print_list(ctx: typer.Context, entity_type: str, *, today: bool) -> bool:
    """`TYPE list` from what the index keeps: a table of rows at a terminal (read `today`),
    piped lines (any day: they do not change); False if it cannot (the caller makes views)."""
    from cpkb.present.human.base import console
    from cpkb.present.listing import list_cells, summary_lines

    out, config = console(), settings(ctx)
    if out.is_terminal:
        if not today:
            return False
        cells = list_cells(config.data_path(), entity_type, load=config.kb)
        human.show_list_pages(cells, PLURALS[entity_type].capitalize())
        return True
    lines = summary_lines(config.data_path(), entity_type, load=config.kb)
    if lines is None:
        return False
    for line in lines:
        out.file.write(line)
    return True


@app.command("sources", cls=CpkbCommand)
def sources_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The source documents, and how many claims each supports.

    Example: cpkb sources
    """
    from cpkb.present.views import sources_view

    emit(as_json, sources_view(settings(ctx).kb()), human.show_sources)


@app.command("info", cls=CpkbCommand)
def info_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The data file in use, its schema version, and counts.

    Example: cpkb --data my.json info
    """
    from cpkb.present.views import info_view

    emit(as_json, info_view(settings(ctx).kb()), human.show_info)


def type_app(entity_type: str) -> typer.Typer:
    """`cpkb <type> list` and `cpkb <type> show REF` for one entity type."""
    sub = _typer(help=f"List and show {PLURALS[entity_type]}.")

    @sub.command(
        "list",
        cls=CpkbCommand,
        help=f"List the {PLURALS[entity_type]}.\n\nExample: cpkb {entity_type} list --json",
    )
    def list_cmd(
        ctx: typer.Context,
        as_json: JsonOpt = False,
        as_of: AsOfOpt = None,
        known_by: KnownByOpt = None,
        current: CurrentOpt = False,
    ) -> None:
        from cpkb.present.views import entities_view

        if as_json and not (as_of or known_by or current):
            print_listing(ctx, entity_type)
            return
        if not as_json and not known_by and print_list(ctx, entity_type, today=not as_of):
            return
        kb = settings(ctx).kb()
        read = reading(as_of, known_by)
        views = entities_view(kb, kb.of_type(entity_type), read, current=current or not as_json)
        emit(as_json, views, human.show_list, title=PLURALS[entity_type].capitalize())

    @sub.command(
        "show",
        cls=CpkbCommand,
        help=f"Show one {entity_type} by id, name or alias.\n\nExample: cpkb {entity_type} show ID",
    )
    def show_type_cmd(
        ctx: typer.Context,
        ref: RefArg,
        as_json: JsonOpt = False,
        as_of: AsOfOpt = None,
        known_by: KnownByOpt = None,
        every: AllOpt = False,
        current: CurrentOpt = False,
    ) -> None:
        show_ref(ctx, ref, Asked(as_json, as_of, known_by, every, current), entity_type)

    return sub


for _type in TYPES:
    _sub = type_app(_type.name)
    app.add_typer(_sub, name=_type.name)
    for _alias in _type.aliases:
        app.add_typer(_sub, name=_alias, hidden=True)
