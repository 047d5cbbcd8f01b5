"""Read commands: show, stats, sources, info, and `<type> list|show` for the five types."""

from __future__ import annotations

import typer

from cpkb.cli.context import CpkbCommand, JsonOpt, RefArg, _typer, app, emit, settings, source_views
from cpkb.model.fields import PLURALS, TYPES


def show_ref(ctx: typer.Context, ref: str, as_json: bool, entity_type: str | None = None) -> None:
    from cpkb.present.views import entity_view

    config = settings(ctx)
    catalog = config.catalog()
    entity = catalog.resolve(ref, entity_type=entity_type)
    view = entity_view(catalog.neighbourhood(entity.id), entity)
    if as_json:
        emit(ctx, True, view, "")
    else:
        emit(ctx, False, view, "show_entity", sources=source_views(ctx))


@app.command("show", cls=CpkbCommand)
def show_cmd(ctx: typer.Context, ref: RefArg, as_json: JsonOpt = False) -> None:
    """Show any entity: summary, claims, what points to it, and every citation.

    Example: cpkb show "Adal Azamat"
    """
    show_ref(ctx, ref, as_json)


@app.command("stats", cls=CpkbCommand)
def stats_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The statistics: what is measured, value and unit, change, attribution, source.

    Example: cpkb stats --json | jq '.[] | {name, claims}'
    """
    from cpkb.present.views import entities_view

    kb = settings(ctx).kb()
    views = entities_view(kb, kb.of_type("statistic"))
    if as_json:
        emit(ctx, True, views, "")
    else:
        emit(ctx, False, views, "show_stats", sources=source_views(ctx))


@app.command("sources", cls=CpkbCommand)
def sources_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The source documents, and how many claims each supports.

    Example: cpkb sources
    """
    from cpkb.present.views import sources_view

    emit(ctx, as_json, sources_view(settings(ctx).kb()), "show_sources")


@app.command("info", cls=CpkbCommand)
def info_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The data file in use, its schema version, and counts.

    Example: cpkb --data my.json info
    """
    from cpkb.present.views import info_view

    emit(ctx, as_json, info_view(settings(ctx).kb()), "show_info")


def type_app(entity_type: str) -> typer.Typer:
    """`cpkb <type> list` and `cpkb <type> show REF` for one entity type."""
    sub = _typer(help=f"List and show {PLURALS[entity_type]}.")

    @sub.command(
        "list",
        cls=CpkbCommand,
        help=f"List the {PLURALS[entity_type]}.\n\nExample: cpkb {entity_type} list --json",
    )
    def list_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
        from cpkb.present.views import entities_view

        kb = settings(ctx).kb()
        views = entities_view(kb, kb.of_type(entity_type))
        emit(ctx, as_json, views, "show_list", title=PLURALS[entity_type].capitalize())

    @sub.command(
        "show",
        cls=CpkbCommand,
        help=f"Show one {entity_type} by id, name or alias.\n\nExample: cpkb {entity_type} show ID",
    )
    def show_type_cmd(ctx: typer.Context, ref: RefArg, as_json: JsonOpt = False) -> None:
        show_ref(ctx, ref, as_json, entity_type)

    return sub


for _type in TYPES:
    _sub = type_app(_type.name)
    app.add_typer(_sub, name=_type.name)
    for _alias in _type.aliases:
        app.add_typer(_sub, name=_alias, hidden=True)
