"""An entity at length (`show`: panel, claims, backlinks, citations) and entities in a list."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from types import MappingProxyType
from typing import Any, NamedTuple

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from cpkb.model.fields import CLAIM_DATES
from cpkb.present.human.base import Footnotes, entity_ref, scalar_text, t, table
from cpkb.present.views import View
from cpkb.query.text import visible


def ref_inline(ref: View) -> Text:
    """'Name (type: id)' for an entity reference inside a sentence or a cell."""
    text = t(ref["name"], "bold")
    return text.append_text(t(f" ({ref['type']}: {ref['id']})", "dim"))


BOUNDS = {"at_least": "≥ ", "at_most": "≤ "}


def number_text(value: object) -> object:
    """A large number with thousands separators (1,300,000,000,000), anything else as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}"
    return value


def claim_value(claim: View) -> Text:
    if "target" in claim:
        return ref_inline(claim["target"])
    bound = BOUNDS.get(str(claim.get("qualifiers", {}).get("bound")), "")
    text = t(bound + ("≈ " if claim.get("approx") else ""))
    text.append_text(t(number_text(claim["value"]), "bold"))
    if "unit" in claim:
        text.append_text(t(f" {claim['unit']}"))
    return text


def claim_details(claim: View) -> Text:
    """When, according to whom, how it ranks, and its qualifiers, in a line."""
    parts = [f"{key} {claim[key]}" for key in CLAIM_DATES if key in claim]
    if "period" in claim:
        parts.append(f"period {claim['period'].replace('/', '–').replace('..', '…')}")
    if "baseline" in claim:
        since = f" ({claim['baseline_date']})" if "baseline_date" in claim else ""
        parts.append(f"from {scalar_text(claim['baseline'])}{since}")
    if "stated_by" in claim:
        parts.append(f"according to {claim['stated_by']['name']}")
    if claim.get("rank", "normal") != "normal" or "rank_reason" in claim:
        reason = f": {claim['rank_reason']}" if "rank_reason" in claim else ""
        parts.append(f"{claim.get('rank', 'normal')}{reason}")
    parts += [
        f"{k}: {scalar_text(v)}" for k, v in claim.get("qualifiers", {}).items() if k != "bound"
    ]
    if "note" in claim:
        parts.append(f"note: {claim['note']}")
    return t("; ".join(parts), "italic")


def grouped(claims: list[View]) -> list[View]:
    """Values before relations; claims of one property together, in order of first appearance."""
    first: dict[str, int] = {}
    for claim in claims:
        first.setdefault(claim["property"], len(first))
    return sorted(claims, key=lambda c: ("target" in c, first[c["property"]]))


class Shown(NamedTuple):
    """How much of an entity human output shows, and how it names properties."""

    every: bool = False  # every claim (--all), not only the current ones
    labels: Mapping[str, tuple[str, str]] = MappingProxyType({})  # property -> its labels
    when: str = ""  # 'on 2026-12-07', 'on 2025-11-29, as known by then'


def label(name: str, shown: Shown, *, inverse: bool = False) -> str:
    found = shown.labels.get(name)
    return name if found is None else found[1 if inverse else 0]


def visible_rows(rows: list[View], shown: Shown) -> list[View]:
    return rows if shown.every else [r for r in rows if r.get("current", True)]


def claims_table(claims: list[View], notes: Footnotes, shown: Shown) -> Table:
    columns = ["property", "value", "details", "cited", *(["status"] * shown.every)]
    grid = table("Claims", *columns)
    for claim in grouped(visible_rows(claims, shown)):
        row = [t(label(claim["property"], shown)), claim_value(claim), claim_details(claim),
               notes.ref(claim["sources"])]  # fmt: skip
        if shown.every:
            row.append(t(claim.get("status", "current"), "" if claim.get("current") else "dim"))
        grid.add_row(*row)
    return grid


def backlinks_table(links: list[View], notes: Footnotes, shown: Shown) -> Table:
    grid = table("Referenced by", "from", "property", "cited")
    for link in visible_rows(links, shown):
        name = t(label(link["property"], shown, inverse=True))
        grid.add_row(ref_inline(link["from"]), name, notes.ref(link["sources"]))
    return grid


def statements_table(said: list[View], notes: Footnotes, shown: Shown) -> Table:
    """What the entity is recorded as saying, about what."""
    grid = table("Statements attributed", "about", "property", "value", "cited")
    for claim in visible_rows(said, shown):
        grid.add_row(ref_inline(claim["about"]), t(label(claim["property"], shown)),
                     claim_value(claim), notes.ref(claim["sources"]))  # fmt: skip
    return grid


def hidden_note(view: View, shown: Shown) -> Text | None:
    """What the view leaves out, and how to see it."""
    notes = []
    known = view.get("known_by")
    if known and known["claims_left_out"]:
        count = known["claims_left_out"]
        notes.append(f"{count} claim{'s' * (count != 1)} cited only by sources dated after "
                     f"{known['date']} or undated left out")  # fmt: skip
    rows = (*view["claims"], *view["backlinks"], *view.get("statements", ()))
    hidden = sum(not row.get("current", True) for row in rows)
    if hidden and not shown.every:
        notes.append(
            f"{hidden} claim{'s' * (hidden != 1)} not current {shown.when} not shown: --all"
        )
    return Text("\n".join(notes), style="dim") if notes else None


def entity_panel(view: View, sources: dict[str, View], shown: Shown) -> Group:
    """The entity's head in a panel, then its claims, backlinks and numbered citations."""
    from rich.panel import Panel  # only `show` draws one; lists and stats import this module too

    notes = Footnotes(sources)
    head = entity_ref(view)
    if view["aliases"]:
        head.append("\n")
        head.append_text(t("also: " + ", ".join(view["aliases"]), "italic"))
    head.append("\n\n")
    if view["summary"] is None:
        head.append("(summary not shown: it draws on sources dated after "
                    f"{view['known_by']['date']})", style="dim")  # fmt: skip
    else:
        head.append_text(t(view["summary"]))
    head.append(" ")
    head.append_text(notes.ref(view["sources"]))
    parts: list[Any] = [Panel(head, box=box.ROUNDED, expand=False)]
    if visible_rows(view["claims"], shown):
        parts.append(claims_table(view["claims"], notes, shown))
    if visible_rows(view["backlinks"], shown):
        parts.append(backlinks_table(view["backlinks"], notes, shown))
    if visible_rows(view.get("statements", []), shown):
        parts.append(statements_table(view["statements"], notes, shown))
    parts.append(notes.render())
    note = hidden_note(view, shown)
    return Group(*parts, *([note] if note else []))


def list_table(views: list[View], title: str) -> Table:
    return cells_table([list_cells(v) for v in views], title)


Cells = tuple[str, str, str, int, int]
LIST_COLUMNS = ("id", "name", "aliases", "claims", "links in")
LIST_RATIOS = (3, 3, 3, 1, 1)  # of the width, for a list laid out a page at a time
PAGE = 100  # rows: a longer list prints a page at a time, the first before the rest is made


def list_cells(view: View) -> Cells:
    """What a listing's row shows of an entity's view."""
    aliases = ", ".join(view["aliases"])
    return view["id"], view["name"], aliases, len(view["claims"]), len(view["backlinks"])


def cells_table(rows: Iterable[Cells], title: str | None, **options: Any) -> Table:
    grid = table(title, *LIST_COLUMNS, **options)
    for entity_id, name, aliases, claims, links in rows:
        grid.add_row(t(entity_id, "dim"), t(name, "bold"), t(aliases), t(claims), t(links))
    return grid


def list_pages(rows: Iterable[Cells], title: str) -> Iterator[Table]:
    """The list, in one table up to PAGE rows; longer, a page at a time, each as wide as the
    terminal and split in fixed shares, so that the columns of every page line up."""
    found = iter(rows)
    page = list(islice(found, PAGE + 1))
    if len(page) <= PAGE:
        yield cells_table(page, title)
        return
    head = True
    while page:
        grid = cells_table(page, title if head else None, show_header=head, expand=True)
        for column, ratio in zip(grid.columns, LIST_RATIOS, strict=True):
            column.ratio = ratio
        yield grid
        page, head = list(islice(found, PAGE)), False


def list_lines(views: list[View]) -> str:
    """One tab-separated line per entity (id, name, summary), for cut, awk and grep."""
    return "".join(
        "\t".join(visible(v[k]) for k in ("id", "name", "summary")) + "\n" for v in views
    )
