"""Commands over the links between entities: xref, path and graph."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cpkb.cli.completion import complete_property, complete_ref
from cpkb.cli.context import (
    REF_HELP,
    CpkbCommand,
    JsonOpt,
    RefArg,
    RefWordsArg,
    app,
    joined,
    print_json,
    settings,
    source_views,
)
from cpkb.cli.options import time_options
from cpkb.cli.output import Output, listing, output_options
from cpkb.errors import NoResults, UsageProblem
from cpkb.present import human
from cpkb.query.current import TimeOptions
from cpkb.query.text import compact

if TYPE_CHECKING:
    from cpkb.present.views import View

LINKS_PANEL = "Links between entities"
DepthOpt = Annotated[
    int, typer.Option("--depth", "-d", min=1, help="Follow links this many steps out.")
]
PropertyOpt = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--property",
        "-p",
        help="Only follow links with this property (repeatable).",
        autocompletion=complete_property,
        show_default=False,
    ),
]


class GraphFormat(str, Enum):
    dot = "dot"
    mermaid = "mermaid"
    json = "json"


def checked_properties(relations: list[str], names: Sequence[str] | None) -> list[str]:
    """The relation properties asked for, spelt as in the data ('met-with' finds met_with)."""
    known = {compact(p): p for p in relations}
    chosen = []
    for name in names or ():
        if compact(name) not in known:
            hint = f"relation properties: {', '.join(known.values())}"
            raise UsageProblem(f"no link has property {name!r}", hint=hint)
        chosen.append(known[compact(name)])
    return chosen


@app.command("xref", cls=CpkbCommand, rich_help_panel=LINKS_PANEL)
@time_options()
@output_options("xref")
def xref_cmd(
    ctx: typer.Context,
    ref: RefWordsArg,
    out: Output,
    timing: TimeOptions,
    depth: DepthOpt = 1,
    properties: PropertyOpt = None,
) -> None:
    """What an entity points to and what points to it, grouped by property, with sources.

    Example: cpkb xref "Regina De Dominicis" --depth 2
    """
    from cpkb.present.views import xref_view
    from cpkb.query.graph import neighbourhood, walk_of

    catalog = settings(ctx).catalog()
    entity = catalog.resolve(joined(ref))
    wanted = checked_properties(catalog.relation_properties(), properties)
    kb = catalog.around(entity.id, depth=depth)
    only = timing.only_current(not out.shows_current())
    walk = walk_of(kb, timing.reading(), only_current=only)
    found = neighbourhood(kb, entity.id, depth=depth, properties=wanted, walk=walk)
    hidden = 0
    if only:
        every_link = neighbourhood(kb, entity.id, depth=depth, properties=wanted,
                                   walk=walk._replace(only_current=False))  # fmt: skip
        hidden = len({link.claim for link in every_link} - {link.claim for link in found})
    note = human.hidden_links(hidden, timing.reading())
    listing(ctx, out, xref_view(entity, found), human.show_xref, source_views(ctx), note)


@app.command("path", cls=CpkbCommand, rich_help_panel=LINKS_PANEL)
@time_options()
@output_options("path")
def path_cmd(
    ctx: typer.Context, start: RefArg, goal: RefArg, out: Output, timing: TimeOptions
) -> None:
    """The shortest chain of claims linking two entities, each step with its source.

    Links are followed both ways; by default only links current at the date (in JSON, every
    link, each marked `current`).

    Example: cpkb path "Adal Azamat" UNICEF
    """
    from cpkb.present.views import path_view
    from cpkb.query.catalog import shortest_chain

    catalog = settings(ctx).catalog()
    first, last = catalog.resolve(start), catalog.resolve(goal)
    if first.id == last.id:
        raise UsageProblem(
            f"{start!r} and {goal!r} are the same entity, {first.id} ({first.name})",
            hint="a path links two different entities",
        )
    only = timing.only_current(not out.shows_current())
    found = shortest_chain(catalog, first.id, last.id, timing.reading(), only_current=only)
    if found is None:
        hint = "see what each links to with 'cpkb xref'"
        if only:
            hint += f"; only links current {human.when_read(timing.reading())} are followed: --all"
        raise NoResults(
            f"no chain of claims links {first.id} ({first.name}) and {last.id} ({last.name})",
            hint=hint,
        )
    listing(ctx, out, path_view(first, last, found), human.show_path, source_views(ctx))


FocusOpt = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--focus",
        "-f",
        help="Only this entity and its neighbourhood. " + REF_HELP,
        autocompletion=complete_ref,
        show_default=False,
    ),
]
FocusDepthOpt = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--depth", "-d", min=1, help="With --focus: steps out (default 1).", show_default=False
    ),
]
GraphFormatOpt = Annotated[
    GraphFormat, typer.Option("--format", help="Graphviz DOT, Mermaid, or JSON.")
]


@app.command("graph", cls=CpkbCommand, rich_help_panel=LINKS_PANEL)
@time_options()
def graph_cmd(
    ctx: typer.Context,
    timing: TimeOptions,
    focus: FocusOpt = None,
    depth: FocusDepthOpt = None,
    output_format: GraphFormatOpt = GraphFormat.dot,
    as_json: JsonOpt = False,
) -> None:
    """The knowledge graph (or one entity's neighbourhood) for Graphviz or Mermaid.

    Nodes are styled by type and edges labelled by property. By default only links current at
    the date (JSON: every link, each marked `current`).

    Example: cpkb graph --focus "Erlan Karin" | dot -Tsvg > karin.svg
    """
    from cpkb.present.exports import graph_dot, graph_mermaid

    if depth is not None and focus is None:
        raise UsageProblem("--depth needs --focus", hint="the whole graph has no depth")
    as_json = as_json or output_format is GraphFormat.json
    view, hidden = graph_of(ctx, focus, depth or 1, timing, as_json)
    if as_json:
        print_json(view)
        return
    typer.echo(graph_dot(view) if output_format is GraphFormat.dot else graph_mermaid(view))
    note = human.hidden_links(hidden, timing.reading())
    if note:
        typer.echo(note, err=True)


def graph_of(
    ctx: typer.Context, focus: str | None, depth: int, timing: TimeOptions, as_json: bool
) -> tuple[View, int]:
    """The graph's view, and how many links it leaves out as not current."""
    from cpkb.present.views import graph_view
    from cpkb.query.graph import subgraph, walk_of

    config = settings(ctx)
    if focus is None:
        kb, centre = config.kb(), None
    else:  # only the neighbourhood is read (from the index, on a big file)
        catalog = config.catalog()
        centre = catalog.resolve(focus).id
        kb = catalog.around(centre, depth=depth)
    walk = walk_of(kb, timing.reading(), only_current=timing.only_current(as_json))
    shown = subgraph(kb, focus=centre, depth=depth, walk=walk)
    if walk.only_current:
        every = subgraph(kb, focus=centre, depth=depth, walk=walk._replace(only_current=False))
        return graph_view(shown), len(every.links) - len(shown.links)
    return graph_view(shown), 0
