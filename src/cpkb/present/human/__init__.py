"""Human output: the renderers commands hand their views to, one per kind of result.

This module imports no Rich: each renderer imports the module that draws its result when it
runs, so that commands can name a renderer and still start without Rich when asked for JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from rich.table import Table

    from cpkb.model.entities import KnowledgeBase
    from cpkb.present.human.entity import Shown
    from cpkb.present.rows import Row
    from cpkb.present.views import View
    from cpkb.query.current import Reading


def shown_for(kb: KnowledgeBase, reading: Reading, *, every: bool = False) -> Shown:
    """How `show` presents an entity of `kb` to this reading: property labels from the
    vocabulary, and the date it is read at."""
    from cpkb.present.human.entity import Shown

    labels = {p.name: (p.label, p.inverse or f"{p.label} (from)") for p in kb.properties.values()}
    return Shown(every=every, labels=labels, when=when_read(reading))


def when_read(reading: Reading) -> str:
    """The date a reading is at, as notes say it: 'on 2026-12-07, as known by 2025-11-29'."""
    when = f"on {reading.day.isoformat()}"
    if reading.known_by is not None:
        when += f", as known by {reading.known_by.isoformat()}"
    return when


def hidden_links(count: int, reading: Reading) -> str | None:
    """What a walk over current links left out, and how to see it (None if nothing)."""
    if not count:
        return None
    return f"{count} link{'s' * (count != 1)} not current {when_read(reading)} not shown: --all"


def show_entity(view: View, sources: dict[str, View], shown: Shown | None = None) -> None:
    """`show`: one entity in full, its citations numbered."""
    from cpkb.present.human import base, entity

    base.console().print(entity.entity_panel(view, sources, shown or entity.Shown()))


def show_records(rows: Iterable[Row], fields: tuple[str, ...], title: str | None = None) -> None:
    """A listing's flat records (`--fields`, `TYPE list`) as a table, a column per field; a
    long one a page at a time, laid out as the whole."""
    from cpkb.present.human import base, fit, paged

    out, records = base.console(), list(rows)

    def draw(part: Sequence[Row]) -> Table:
        return base.records_table(part, fields, title)

    def cells(row: Row) -> list[str]:
        return [base.shown(row.get(field)) for field in fields]

    if not paged.show_paged(records, cells, draw, out):
        fit.show_table(draw(records), out)


def show_stats(
    views: Iterable[View], sources: dict[str, View], scales: dict[str, float] | None = None
) -> None:
    """`stats`: a row per statistic, fitted to the terminal; a long table a page at a time
    (bars scaled to `scales`, the largest value in each unit, else to those of `views`)."""
    from itertools import chain

    from cpkb.present.human import base, fit, stats

    if scales is None:
        views = list(views)
        scales = stats.scales(views)
    out = base.console()
    pages = stats.stats_pages(views, sources, scales)
    first, second = next(pages), next(pages, None)
    if second is None:
        fit.show_table(first, out)
        return
    width = min(out.width, stats.PAGE_WIDTH)
    for page in chain([first, second], pages):
        out.print(page, width=width)
        out.file.flush()


def show_sources(rows: list[View]) -> None:
    """`sources`: a small table per source."""
    from cpkb.present.human import base, fit, tables

    fit.show_tables([tables.source_table(row) for row in rows], base.console())


def show_info(info: View) -> None:
    """`info`: the data file, versions and counts."""
    from cpkb.present.human import base, fit, tables

    fit.show_table(tables.info_table(info), base.console())


def show_hits(hits: list[View]) -> None:
    """`search`: the hits, best first, matching words highlighted."""
    from cpkb.present.human import base, fit, tables

    fit.show_table(tables.hits_table(hits), base.console())


def show_xref(view: View, sources: dict[str, View], note: str | None = None) -> None:
    """`xref`: an entity's links as a tree (and what it leaves out)."""
    from cpkb.present.human import base, links

    base.console().print(links.xref_tree(view, sources, note))


def show_path(view: View, sources: dict[str, View]) -> None:
    """`path`: the chain of claims from one entity to another."""
    from cpkb.present.human import base, links

    base.console().print(links.path_chain(view, sources))


def show_timeline(events: list[View], sources: dict[str, View]) -> None:
    """`timeline`: a row per dated claim, earliest first."""
    from cpkb.present.human import base, fit, history

    fit.show_table(history.timeline_table(events, sources), base.console())


def show_conflicts(conflicts: list[View], sources: dict[str, View]) -> None:
    """`conflicts`: each disagreement, its claims side by side with their sources."""
    from cpkb.present.human import base, fit, history

    tables = [history.conflict_table(c, sources) for c in conflicts]
    fit.show_tables(tables, base.console())


def show_references(view: View) -> None:
    """`cite`: each reference a paragraph, wrapped at a terminal, on one line when piped."""
    from cpkb.present.human import base

    out = base.console()
    for number, reference in enumerate(view["references"]):
        if number:
            out.print()
        out.print(base.t(reference["text"]), soft_wrap=not out.is_terminal)


def show_problems(
    report: View, *, file: str, summary: list[str], owners: Mapping[str, str]
) -> None:
    """`validate`: a line per problem, then the verdict; `owners` labels the ids problems name."""
    from cpkb.present.human import base, problems

    lines = problems.report_lines(report, file=file, summary=summary, owners=owners)
    base.print_lines(lines, base.console())


def show_changes(changes: View, counts: View) -> None:
    """`diff`, `--dry-run`: each record added, removed or changed, a count first."""
    from cpkb.present.human import base
    from cpkb.present.human import changes as drawn

    base.print_lines(drawn.change_lines(changes, counts), base.console())


def show_refused(problems: list[View], *, file: str) -> None:
    """A refused write: each problem of the result it would have left, on stderr."""
    import sys

    from cpkb.present.human import base
    from cpkb.present.human import changes as drawn

    lines = [drawn.problem_text(p, file) for p in problems]
    base.print_lines(lines, base.console(sys.stderr))


def show_conflicts_of_merge(conflicts: list[View]) -> None:
    """`merge-driver`: each conflict with its three versions, on stderr."""
    import sys

    from cpkb.present.human import base
    from cpkb.present.human import changes as drawn

    base.print_lines(drawn.conflict_lines(conflicts), base.console(sys.stderr))
