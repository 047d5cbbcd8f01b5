"""`cpkb cite`: the references behind a claim, a source or an entity, in a citation style."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from cpkb import streams
from cpkb.cli.completion import complete_ref
from cpkb.cli.context import CpkbCommand, JsonOpt, app, print_json, settings
from cpkb.model.entities import cited_sources, entity_citations

if TYPE_CHECKING:
    from cpkb.model.entities import Source
    from cpkb.query.catalog import Catalog


class Style(str, Enum):
    apa = "apa"
    chicago = "chicago"
    mla = "mla"
    bibtex = "bibtex"
    csl_json = "csl-json"


CiteArg = Annotated[
    str,
    typer.Argument(
        metavar="REF|SOURCE_ID|CLAIM_ID",
        help="A claim id, a source id, or an entity's id, name or alias.",
        autocompletion=complete_ref,
    ),
]
StyleOpt = Annotated[
    Style,
    typer.Option(
        "--style",
        "-s",
        help="APA 7, Chicago 18 author-date, MLA 9; BibTeX or CSL-JSON for reference managers.",
    ),
]


def cited(catalog: Catalog, ref: str) -> list[Source]:
    """The sources behind `ref`, read as a claim id, else a source id, else an entity (its own
    citations and its claims'), in the order they are first cited. Never none: the file is
    read only if every entity and claim cites a source."""
    sources = catalog.sources()
    claim = catalog.claim(ref)
    if claim is not None:
        ids = cited_sources(claim[1].sources)
    elif ref in sources:
        ids = [ref]
    else:
        ids = cited_sources(entity_citations(catalog.resolve(ref)))
    return [sources[source_id] for source_id in ids]


@app.command("cite", cls=CpkbCommand)
def cite_cmd(
    ctx: typer.Context, ref: CiteArg, style: StyleOpt = Style.apa, as_json: JsonOpt = False
) -> None:
    """The references an entity, a claim or a source cites, formatted for a bibliography.

    APA, Chicago (author-date) and MLA are rendered from the official CSL styles by pandoc.

    Example: cpkb cite "Adal Azamat" --style bibtex > adal-azamat.bib
    """
    from cpkb.present import cite, human

    sources = cited(settings(ctx).catalog(), ref)
    if style is Style.csl_json:
        print_json(cite.csl_json(sources))
        return
    if style is Style.bibtex:
        rendered = cite.bibtex_entries(sources)
    else:
        from cpkb.present.csl import render

        rendered = render(cite.csl_json(sources), style.value)
    view = cite.references_view(style.value, rendered)
    if as_json:
        print_json(view)
    elif style is Style.bibtex:
        streams.write_utf8("".join(f"{r['text']}\n\n" for r in view["references"]).rstrip() + "\n")
    else:
        human.show_references(view)
