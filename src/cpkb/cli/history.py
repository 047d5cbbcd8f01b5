"""Commands over time and disagreement: `timeline` and `conflicts`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cpkb.cli.context import (
    REF_HELP,
    AsOfOpt,
    CpkbCommand,
    JsonOpt,
    KnownByOpt,
    _typer,
    reading,
    said_empty,
    settings,
    source_views,
)
from cpkb.cli.output import FieldsOpt, FormatOpt, listing, output_of
from cpkb.cli.search import TypeOpt, entity_type_option
from cpkb.present import human

if TYPE_CHECKING:
    from cpkb.model.entities import Entity, KnowledgeBase

app = _typer()
OptionalRef = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Argument(help="Only this entity (and the events it takes part in). " + REF_HELP),
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
def timeline_cmd(
    ctx: typer.Context,
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
    known_by: KnownByOpt = None,
    as_json: JsonOpt = False,
    output_format: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Dated claims and events in order, each with its source.

    Example: cpkb timeline "Qazaqstan Balalary" --since 2025
    """
    from cpkb.present.history import Window, timeline_view
    from cpkb.query.time import asked

    out = output_of("timeline", as_json, output_format, fields)
    wanted = entity_type_option(entity_type)
    window = Window(
        asked(since, "--since").first if since else None,
        asked(until, "--until").last if until else None,
    )
    kb, entities = chosen(ctx, ref)
    kept = [e for e in entities if wanted in (None, e.type)]
    view = timeline_view(kb, kept, reading(None, known_by), window)
    if not said_empty(out.machine(), view, "dated claims"):
        listing(ctx, out, view, human.show_timeline, source_views(ctx))


@app.command("conflicts", cls=CpkbCommand)
def conflicts_cmd(
    ctx: typer.Context,
    ref: OptionalRef = None,
    as_of: AsOfOpt = None,
    known_by: KnownByOpt = None,
    as_json: JsonOpt = False,
    output_format: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """Where sources disagree: one single-valued property with different current values, and
    every claim ranked as disputed; each with its sources. cpkb never picks a winner.

    Example: cpkb conflicts --json | jq -r '.[].property'
    """
    from cpkb.present.history import conflicts_view

    out = output_of("conflicts", as_json, output_format, fields)
    kb, entities = chosen(ctx, ref)
    view = conflicts_view(kb, entities, reading(as_of, known_by))
    if not said_empty(out.machine(), view, "conflicts"):
        listing(ctx, out, view, human.show_conflicts, source_views(ctx))
