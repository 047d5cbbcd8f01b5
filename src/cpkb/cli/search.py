"""The search command: ranked, forgiving search over names, aliases, summaries, values, quotes."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from cpkb.cli.completion import complete_type
from cpkb.cli.context import CpkbCommand, app, settings
from cpkb.cli.output import Output, listing, output_options
from cpkb.errors import NoResults, UsageProblem
from cpkb.model.fields import ENTITY_TYPES, TYPE_ALIASES
from cpkb.present import human
from cpkb.query.text import fold

QueryArg = Annotated[
    list[str],
    typer.Argument(
        metavar="QUERY",
        help="Words to look for, in any case, script or transliteration (quotes optional).",
        show_default=False,
    ),
]
TypeOpt = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--type",
        "-t",
        help=f"Only entities of this type ({', '.join(ENTITY_TYPES)}).",
        autocompletion=complete_type,
        show_default=False,
    ),
]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most N hits.")]


def entity_type_option(value: str | None) -> str | None:
    """The canonical type for a --type value (plurals and US spellings accepted)."""
    if value is None:
        return None
    canonical = TYPE_ALIASES.get(value.casefold())
    if canonical is None:
        raise UsageProblem(f"unknown type {value!r}", hint=f"use one of {', '.join(ENTITY_TYPES)}")
    return canonical


@app.command("search", cls=CpkbCommand)
@output_options("search")
def search_cmd(
    ctx: typer.Context,
    words: QueryArg,
    out: Output,
    entity_type: TypeOpt = None,
    limit: LimitOpt = 10,
) -> None:
    """Find entities by name, alias, summary, claim value or quote, best first.

    Case, accents, punctuation and script (Cyrillic or Latin) do not matter; typos are forgiven.

    Each hit shows the field that matched, with the matching words highlighted.

    Example: cpkb search "Қазақстан балалары" --json | jq -r '.[0].id'
    """
    from cpkb.present.views import hit_view

    query = " ".join(words)
    wanted = entity_type_option(entity_type)
    hits = settings(ctx).catalog().search(query, entity_type=wanted, limit=limit)
    views = [hit_view(hit) for hit in hits]
    if views or out.machine():
        listing(ctx, out, views, human.show_hits)
    if not views:
        kind = f" {wanted}" if wanted else ""
        wordless = not fold(query)
        hint = "the query has no letters or digits" if wordless else "try fewer or shorter words"
        raise NoResults(f"no{kind} entity matches {query!r}", hint=hint)
