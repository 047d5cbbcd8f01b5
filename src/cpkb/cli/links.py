"""Commands over the links between entities: xref, path and graph."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Annotated, Optional

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
from cpkb.cli.output import FieldsOpt, FormatOpt, listing, output_of
from cpkb.errors import NoResults, UsageProblem
from cpkb.present import human
from cpkb.query.text import compact

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
def xref_cmd(
    ctx: typer.Context,
    ref: RefWordsArg,
    depth: DepthOpt = 1,
    properties: PropertyOpt = None,
    as_json: JsonOpt = False,
    output_format: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """What an entity points to and what points to it, grouped by property, with sources.

    Example: cpkb xref "Regina De Dominicis" --depth 2
    """
    from cpkb.present.views import xref_view
    from cpkb.query.graph import neighbourhood

    out = output_of("xref", as_json, output_format, fields)
    catalog = settings(ctx).catalog()
    entity = catalog.resolve(joined(ref))
    wanted = checked_properties(catalog.relation_properties(), properties)
    kb = catalog.around(entity.id, depth=depth)
    view = xref_view(entity, neighbourhood(kb, entity.id, depth=depth, properties=wanted))
    listing(ctx, out, view, human.show_xref, source_views(ctx))


@app.command("path", cls=CpkbCommand, rich_help_panel=LINKS_PANEL)
def path_cmd(
    ctx: typer.Context,
    start: RefArg,
    goal: RefArg,
    as_json: JsonOpt = False,
    output_format: FormatOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """The shortest chain of claims linking two entities, each step with its source.

    Links are followed both ways.

    Example: cpkb path "Adal Azamat" UNICEF
    """
    from cpkb.present.views import path_view
    from cpkb.query.graph import path_links, shortest_path_steps

    out = output_of("path", as_json, output_format, fields)
    catalog = settings(ctx).catalog()
    first, last = catalog.resolve(start), catalog.resolve(goal)
    if first.id == last.id:
        raise UsageProblem(
            f"{start!r} and {goal!r} are the same entity, {first.id} ({first.name})",
            hint="a path links two different entities",
        )
    found = shortest_path_steps(catalog.adjacent, first.id, last.id)
    on_path = {first.id} | {reached for _, reached, _ in found or ()}
    steps = None if found is None else path_links(catalog.subset(on_path), found)
    if steps is None:
        raise NoResults(
            f"no chain of claims links {first.id} ({first.name}) and {last.id} ({last.name})",
            hint="see what each links to with 'cpkb xref'",
        )
    view = path_view(first, last, steps)
    listing(ctx, out, view, human.show_path, source_views(ctx))


@app.command("graph", cls=CpkbCommand, rich_help_panel=LINKS_PANEL)
def graph_cmd(
    ctx: typer.Context,
    focus: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option(
            "--focus",
            "-f",
            help="Only this entity and its neighbourhood. " + REF_HELP,
            autocompletion=complete_ref,
            show_default=False,
        ),
    ] = None,
    depth: Annotated[
        Optional[int],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option(
            "--depth", "-d", min=1, help="With --focus: steps out (default 1).", show_default=False
        ),
    ] = None,
    output_format: Annotated[
        GraphFormat, typer.Option("--format", help="Graphviz DOT, Mermaid, or JSON.")
    ] = GraphFormat.dot,
    as_json: JsonOpt = False,
) -> None:
    """The knowledge graph (or one entity's neighbourhood) for Graphviz or Mermaid.

    Nodes are styled by type and edges labelled by property.

    Example: cpkb graph --focus "Erlan Karin" | dot -Tsvg > karin.svg
    """
    from cpkb.present.exports import graph_dot, graph_mermaid
    from cpkb.present.views import graph_view
    from cpkb.query.graph import subgraph

    if depth is not None and focus is None:
        raise UsageProblem("--depth needs --focus", hint="the whole graph has no depth")
    config = settings(ctx)
    if focus is None:
        view = graph_view(subgraph(config.kb()))
    else:  # only the neighbourhood is read (from the index, on a big file)
        catalog = config.catalog()
        centre = catalog.resolve(focus).id
        near = catalog.around(centre, depth=depth or 1)
        view = graph_view(subgraph(near, focus=centre, depth=depth or 1))
    if as_json or output_format is GraphFormat.json:
        print_json(view)
        return
    text = graph_dot(view) if output_format is GraphFormat.dot else graph_mermaid(view)
    typer.echo(text)
