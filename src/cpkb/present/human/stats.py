"""`stats`: a row per statistic, its value drawn as a bar so that magnitudes in one unit compare
at a glance. A change is shown with its sign (a fall is negative), once, and its bar in one
neutral colour: whether a fall is good news depends on what is measured."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeGuard

from rich.table import Table
from rich.text import Text

from cpkb.present.human.base import scalar_text, source_line, t, table
from cpkb.present.human.entity import claim_value
from cpkb.present.human.paged import PAGE  # a longer table prints a page at a time
from cpkb.present.views import View
from cpkb.query.text import fold

BAR_WIDTH = 12


def _first(claims: list[View], prop: str) -> View | None:
    return next((c for c in claims if c["property"] == prop), None)


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def magnitude(number: object, scale: float) -> Text:
    if _number(number) and scale:
        width = max(1, round(abs(number) / scale * BAR_WIDTH))
        return Text("█" * width, style="blue")
    return Text("")


def change_and_period(direction: View | None, value: View | None) -> Text:
    """What the value changed from (a direction a version-1 file states, or the baseline a
    version-2 one gives), then the date or period it refers to."""
    if direction:
        text = t(direction["value"])
    elif value and "baseline" in value:
        since = f" ({value['baseline_date']})" if "baseline_date" in value else ""
        text = t(f"from {scalar_text(value['baseline'])}{since}")
    else:
        text = t("—")
    text.append("\n")
    if value and "date" in value:
        text.append_text(t(value["date"]))
    elif value and "period" in value:
        text.append_text(t(value["period"].replace("/", "–").replace("..", "…")))
    elif value and ("start" in value or "end" in value):
        text.append_text(t(f"{value.get('start', '…')}–{value.get('end', '…')}"))
    else:
        text.append("period not stated", "dim")
    return text


def attribution(claims: list[View]) -> Text:
    """What the figure is attributed to, and by whom: the attribution is theirs, not ours."""
    found = [c for c in claims if c["property"] == "attributed_to"]
    if not found:
        return t("—")
    parts = []
    for claim in found:
        by = f" (according to {claim['stated_by']['name']})" if "stated_by" in claim else ""
        parts.append(f"{claim['target']['name']}{by}")
    return t("; ".join(parts))


def stat_name(view: View, measure: View | None) -> Text:
    """The statistic's name, and what it measures when the name does not say."""
    name = t(view["name"], "bold")
    if measure and fold(scalar_text(measure["value"])) not in fold(view["name"]):
        name.append("\n")
        name.append_text(t(measure["value"], "dim"))
    return name


def stat_value(value: View | None, scale: float) -> Text:
    """The value with its unit and qualifiers, over a bar scaled to the largest value shown in
    that unit."""
    shown = claim_value(value) if value else t("—")
    shown_qualifiers = {
        k: v for k, v in (value or {}).get("qualifiers", {}).items() if k != "bound"
    }
    if shown_qualifiers:
        shown.append("\n")
        shown.append_text(t(", ".join(scalar_text(q) for q in shown_qualifiers.values()), "italic"))
    bar = magnitude(value["value"] if value else None, scale)
    if bar:
        shown.append("\n")
        shown.append_text(bar)
    return shown


def stat_row(view: View, sources: dict[str, View], scales: dict[str, float]) -> list[Text]:
    claims = view["claims"]
    value, measure, direction = (_first(claims, p) for p in ("value", "measure", "direction"))
    scale = scales.get(value.get("unit", "") if value else "", 0.0)
    return [
        stat_name(view, measure),
        stat_value(value, scale),
        change_and_period(direction, value),
        attribution(claims),
        source_line(value["sources"] if value else view["sources"], sources),
    ]


def scales(views: list[View]) -> dict[str, float]:
    """The largest value shown in each unit: bars compare magnitudes within a unit only."""
    largest: dict[str, float] = {}
    for view in views:
        for claim in view["claims"]:
            if claim["property"] == "value" and _number(claim["value"]):
                unit = claim.get("unit", "")
                largest[unit] = max(largest.get(unit, 0.0), abs(claim["value"]))
    return largest


COLUMNS = ("statistic", "value", "change, period", "attributed to", "source")
RATIOS = (3, 2, 2, 2, 3)  # of the width, for a table laid out a page at a time
PAGE_WIDTH = 320  # the widest a page gets: it fills the terminal, and beyond this only pads


def stats_table(
    views: list[View], sources: dict[str, View], by_unit: dict[str, float] | None = None
) -> Table:
    grid = table("Statistics", show_lines=True)
    for column in COLUMNS:
        width = BAR_WIDTH if column == "value" else None
        grid.add_column(column, overflow="fold", min_width=width)
    by_unit = scales(views) if by_unit is None else by_unit
    for view in views:
        grid.add_row(*stat_row(view, sources, by_unit))
    return grid


def stats_pages(
    views: Iterable[View], sources: dict[str, View], by_unit: dict[str, float]
) -> Iterator[Table]:
    """The table, in one piece up to PAGE rows; longer, a page at a time, each as wide as the
    terminal and split in fixed shares, so that the columns of every page line up."""
    rows = iter(views)
    first = list(islice(rows, PAGE + 1))
    if len(first) <= PAGE:
        yield stats_table(first, sources, by_unit)
        return
    page, head = first, True
    while page:
        yield _page(page, sources, by_unit, head=head)
        page, head = list(islice(rows, PAGE)), False


def _page(
    views: list[View], sources: dict[str, View], by_unit: dict[str, float], *, head: bool
) -> Table:
    grid = table("Statistics" if head else None, show_lines=True, show_header=head, expand=True)
    for column, ratio in zip(COLUMNS, RATIOS, strict=True):
        width = BAR_WIDTH if column == "value" else None
        grid.add_column(column, overflow="fold", min_width=width, ratio=ratio)
    for view in views:
        grid.add_row(*stat_row(view, sources, by_unit))
    return grid
