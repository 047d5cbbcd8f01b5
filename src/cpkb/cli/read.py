"""Read commands: show, stats, sources, info, and `<type> list|show` for the five types."""

from __future__ import annotations

import sys
from itertools import chain

import typer

from cpkb.cli.context import (
    CpkbCommand,
    JsonOpt,
    RefWordsArg,
    _typer,
    app,
    joined,
    print_json,
    said_empty,
    settings,
    source_views,
)
from cpkb.cli.options import time_options
from cpkb.cli.output import Format, Output, listing, output_options, shown
from cpkb.model.fields import PLURALS, TYPES
from cpkb.present import human
from cpkb.present.views import entity_view
from cpkb.query.current import TimeOptions


def show_ref(
    ctx: typer.Context, ref: str, as_json: bool, timing: TimeOptions, entity_type: str | None = None
) -> None:
    catalog = settings(ctx).catalog()
    entity = catalog.resolve(ref, entity_type=entity_type)
    kb = catalog.neighbourhood(entity.id)
    read = timing.reading()
    view = entity_view(kb, entity, read, current=timing.current)
    if as_json:
        print_json(view)
        return
    sources, shown_as = source_views(ctx), human.shown_for(kb, read, every=timing.every)
    with shown(ctx):
        human.show_entity(view, sources, shown_as)


@app.command("show", cls=CpkbCommand)
@time_options()
def show_cmd(
    ctx: typer.Context, ref: RefWordsArg, timing: TimeOptions, as_json: JsonOpt = False
) -> None:
    """Show any entity: summary, current claims, what points to it, and every citation.

    Example: cpkb show "Qazaqstan Balalary" --as-of 2025-12
    """
    show_ref(ctx, joined(ref), as_json, timing)


@app.command("stats", cls=CpkbCommand)
@output_options("stats")
@time_options("as_of", "known_by", "current")
def stats_cmd(ctx: typer.Context, out: Output, timing: TimeOptions) -> None:
    """The statistics: what is measured, the current value and unit, change, who attributes it
    to what, and the source.

    Example: cpkb stats --json | jq '.[] | {name, claims}'
    """
    from cpkb.present.views import entities_view

    if out.format in KEPT_FORMS and timing == TimeOptions():
        print_listing(ctx, "statistic", str(out.format))
        return
    if out.is_human() and not (timing.as_of or timing.known_by) and print_stats(ctx):
        return
    kb = settings(ctx).kb()
    current = timing.current or out.shows_current()
    views = entities_view(kb, kb.of_type("statistic"), timing.reading(), current=current)
    if not said_empty(out.machine(), views, "statistics"):
        listing(ctx, out, views, human.show_stats, source_views(ctx))


KEPT_FORMS = (Format.json, Format.jsonl)  # what present.listing keeps of a listing


def print_listing(ctx: typer.Context, entity_type: str, form: str = "json") -> None:
    """`--json` (or `--format jsonl`) of a listing on today's reading: from the views the index
    keeps, when it can."""
    from cpkb import streams
    from cpkb.present.listing import listing

    config = settings(ctx)
    streams.write_chunks(listing(config.data_path(), entity_type, load=config.kb, form=form))


def print_stats(ctx: typer.Context) -> bool:
    """The `stats` table on today's reading, from what the index keeps when it can; False if
    there are no statistics (the caller tells it)."""
    from cpkb.present.listing import stats_table
    from cpkb.present.views import source_view

    config = settings(ctx)
    laid = stats_table(config.data_path(), load=config.kb)
    rows = iter(laid.views)
    first = next(rows, None)
    if first is None:
        return False
    sources = {i: source_view(s) for i, s in laid.sources.items()}
    with shown(ctx):
        human.show_stats(chain([first], rows), sources, laid.scales)
    return True


def print_lines(ctx: typer.Context, entity_type: str) -> bool:
    """`TYPE list` into a pipe, streamed from what the index keeps (the lines do not change
    with the day); False if it cannot, or there is nothing to list (the caller does it)."""
    from cpkb.present.listing import summary_lines

    config = settings(ctx)
    lines = summary_lines(config.data_path(), entity_type, load=config.kb)
    first = next(lines, None) if lines is not None else None
    if lines is None or first is None:
        return False
    sys.stdout.writelines(chain([first], lines))
    return True


def print_table(ctx: typer.Context, entity_type: str) -> bool:
    """`TYPE list`'s table (id, name, summary) from what the index keeps, which does not change
    with the day: its first page shows before the rest is drawn. False as `print_lines`."""
    from cpkb.present.listing import summaries
    from cpkb.present.rows import KINDS

    config = settings(ctx)
    rows = summaries(config.data_path(), entity_type, load=config.kb)
    first = next(rows, None) if rows is not None else None
    if rows is None or first is None:
        return False
    title = PLURALS[entity_type].capitalize()
    with shown(ctx):
        human.show_records(chain([first], rows), KINDS["list"].defaults, title)
    return True


@app.command("sources", cls=CpkbCommand)
@output_options("sources")
def sources_cmd(ctx: typer.Context, out: Output) -> None:
    """The source documents, and how many claims each supports.

    Example: cpkb sources
    """
    from cpkb.present.views import sources_view

    views = sources_view(settings(ctx).kb())
    if not said_empty(out.machine(), views, "sources"):
        listing(ctx, out, views, human.show_sources)


@app.command("info", cls=CpkbCommand)
def info_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The data file in use, its schema version, and counts.

    Example: cpkb --data my.json info
    """
    from cpkb.present.views import info_view

    view = info_view(settings(ctx).kb())
    if as_json:
        print_json(view)
        return
    with shown(ctx):
        human.show_info(view)


def type_app(entity_type: str) -> typer.Typer:
    """`cpkb <type> list` and `cpkb <type> show REF` for one entity type."""
    sub = _typer(help=f"List and show {PLURALS[entity_type]}.")

    @sub.command(
        "list",
        cls=CpkbCommand,
        help=f"List the {PLURALS[entity_type]}.\n\nExample: cpkb {entity_type} list --json",
    )
    @output_options("list")
    @time_options("as_of", "known_by", "current")
    def list_cmd(ctx: typer.Context, out: Output, timing: TimeOptions) -> None:
        list_type(ctx, entity_type, out, timing)

    @sub.command(
        "show",
        cls=CpkbCommand,
        help=f"Show one {entity_type} by id, name or alias.\n\nExample: cpkb {entity_type} show ID",
    )
    @time_options()
    def show_type_cmd(
        ctx: typer.Context, ref: RefWordsArg, timing: TimeOptions, as_json: JsonOpt = False
    ) -> None:
        show_ref(ctx, joined(ref), as_json, timing, entity_type)

    return sub


def list_type(ctx: typer.Context, entity_type: str, out: Output, timing: TimeOptions) -> None:
    """`cpkb <type> list`: from what the index keeps when it can."""
    from cpkb.present.views import entities_view

    if out.format in KEPT_FORMS and timing == TimeOptions():
        print_listing(ctx, entity_type, str(out.format))
        return
    piped = out.format is None and not out.chosen and not sys.stdout.isatty()
    if piped and not timing.known_by and print_lines(ctx, entity_type):
        return
    if out.is_human() and not piped and not timing.known_by and print_table(ctx, entity_type):
        return
    kb = settings(ctx).kb()
    current = timing.current or out.shows_current()
    views = entities_view(kb, kb.of_type(entity_type), timing.reading(), current=current)
    if not said_empty(out.machine(), views, PLURALS[entity_type]):
        listing(ctx, out, views, None, title=PLURALS[entity_type].capitalize())


for _type in TYPES:
    _sub = type_app(_type.name)
    app.add_typer(_sub, name=_type.name)
    for _alias in _type.aliases:
        app.add_typer(_sub, name=_alias, hidden=True)
