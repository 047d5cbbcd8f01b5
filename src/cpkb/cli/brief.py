"""`cpkb brief`: a cited dossier of entities, as Markdown or a standalone HTML page."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cpkb import streams
from cpkb.cli.completion import complete_ref
from cpkb.cli.context import REF_HELP, CpkbCommand, app, settings
from cpkb.cli.options import time_options
from cpkb.cli.targets import output_file
from cpkb.errors import CpkbError, ExitCode
from cpkb.query.current import TimeOptions

if TYPE_CHECKING:
    from cpkb.cli.context import Settings
    from cpkb.model.entities import Entity, KnowledgeBase
    from cpkb.query.catalog import Catalog


class Format(str, Enum):
    markdown = "markdown"
    html = "html"


class Style(str, Enum):
    apa = "apa"
    chicago = "chicago"
    mla = "mla"


class OutputFileError(CpkbError):
    """The file -o names cannot be written."""

    exit_code = ExitCode.OUTPUT


RefsArg = Annotated[
    list[str], typer.Argument(metavar="REF...", help=REF_HELP, autocompletion=complete_ref)
]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="Markdown (GitHub's) or a standalone HTML page.")
]
StyleOpt = Annotated[
    Style,
    typer.Option("--style", "-s", help="The references: APA 7, Chicago 18 author-date, MLA 9."),
]
OutputOpt = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option(
        "--output", "-o", metavar="FILE",
        help="Write FILE (atomically), not standard output ('-' is standard output).",
        show_default=False, dir_okay=False,
    ),
]  # fmt: skip


@app.command("brief", cls=CpkbCommand)
@time_options("as_of", "known_by")
def brief_cmd(
    ctx: typer.Context,
    refs: RefsArg,
    timing: TimeOptions,
    output_format: FormatOpt = Format.markdown,
    style: StyleOpt = Style.apa,
    output: OutputOpt = None,
) -> None:
    """A cited dossier of one or more entities: a paragraph each from what is current, every
    statement footnoted with its source's words or our paraphrase, and the sources cited.

    Example: cpkb brief "Qazaqstan Balalary" erlan-karin --format html -o brief.html
    """
    from cpkb.present.brief import brief

    config = settings(ctx)
    catalog = config.catalog()
    found = brief(holding(config, chosen(catalog, refs)), timing.reading())
    if output_format is Format.html:
        from cpkb.present.brief_html import page

        text = page(found, style.value)
    else:
        from cpkb.present.brief_md import markdown

        text = markdown(found, style.value)
    if output is None or str(output) == "-":
        streams.write_utf8(text)
    else:
        write(output_file(ctx, output, what="the brief"), text)


def chosen(catalog: Catalog, refs: list[str]) -> list[Entity]:
    """The entities the references name, each once, in the order first named."""
    found: dict[str, Entity] = {}
    for ref in refs:
        entity = catalog.resolve(ref)
        found.setdefault(entity.id, entity)
    return list(found.values())


def holding(config: Settings, entities: list[Entity]) -> list[tuple[KnowledgeBase, Entity]]:
    """Each entity with a knowledge base holding what its section needs: its neighbourhood
    (from the index, on a big file: with the vocabulary, and what the entity stated)."""
    catalog = config.catalog()
    return [(catalog.neighbourhood(e.id), e) for e in entities]


def write(target: Path, text: str) -> None:
    """`text` into `target`, atomically (a file it replaces keeps its mode)."""
    from cpkb.kb import atomic

    try:
        atomic.write_bytes(target, text.encode("utf-8"))
    except OSError as exc:
        raise OutputFileError(f"{target}: cannot be written ({exc.strerror or exc})") from None
