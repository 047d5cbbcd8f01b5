"""Commands over time and disagreement: `timeline` and `conflicts`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cpkb.cli.completion import complete_ref
from cpkb.cli.context import (
    REF_HELP,
    CpkbCommand,
    _typer,
    said_empty,
    settings,
    source_views,
)
from cpkb.cli.options import time_options
from cpkb.cli.output import Output, listing, output_options
from cpkb.cli.search import TypeOpt, entity_type_option
from cpkb.present import human
from cpkb.query.current import TimeOptions

if TYPE_CHECKING:
    from cpkb.model.entities import Entity, KnowledgeBase

app = _typer()
OptionalRef = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Argument(
        help="Only this entity (and the events it takes part in). " + REF_HELP,
        autocompletion=complete_ref,
    ),
]


def chosen(ctx: typer.Context, ref: str | None) -> tuple[KnowledgeBase, list[Entity]]:
    """The entities a command looks at: one and the events linked to it, or all of them; in a
    knowledge base that holds them and what their claims name (read from the index, on a big
    file)."""
    config = settings(ctx)
    if ref is None:
        kb = config.kb()
        return kb, list(kb)
    from cpkb.query.catalog import with_events

    catalog = config.catalog()
    return with_events(catalog, catalog.resolve(ref))


@app.command("timeline", cls=CpkbCommand)
@output_options("timeline")
@time_options("known_by")
def timeline_cmd(
    ctx: typer.Context,
    out: Output,
    timing: TimeOptions,
    ref: OptionalRef = None,
    since: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--since", metavar="DATE", help="From this date on.", show_default=False),
    ] = None,
    until: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--until", metavar="DATE", help="Up to this date.", show_default=False),
    ] = None,
    entity_type: TypeOpt = None,
) -> None:
    """Dated claims and events in order, each with its source.

    Example: cpkb timeline "Qazaqstan Balalary" --since 2025
    """
    from cpkb.present.history import Window, timeline_view
    from cpkb.query.time import asked

    wanted = entity_type_option(entity_type)
    window = Window(
        asked(since, "--since").first if since else None,
        asked(until, "--until").last if until else None,
    )
    kb, entities = chosen(ctx, ref)
    kept = [e for e in entities if wanted in (None, e.type)]
    view = timeline_view(kb, kept, timing.reading(), window)
    if not said_empty(out.machine(), view, "dated claims"):
        listing(ctx, out, view, human.show_timeline, source_views(ctx))


@app.command("conflicts", cls=CpkbCommand)
@output_options("conflicts")
@time_options("as_of", "known_by")
def conflicts_cmd(
    ctx: typer.Context, out: Output, timing: TimeOptions, ref: OptionalRef = None
) -> None:
    """Where sources disagree: one single-valued property with different current values, and
    every claim ranked as disputed; each with its sources. cpkb never picks a winner.

    Example: cpkb conflicts --json | jq -r '.[].property'
    """
    from cpkb.present.history import conflicts_view

    kb, entities = chosen(ctx, ref)
    view = conflicts_view(kb, entities, timing.reading())
    if not said_empty(out.machine(), view, "conflicts"):
        listing(ctx, out, view, human.show_conflicts, source_views(ctx))
