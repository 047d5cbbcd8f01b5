"""`stats`: a row per statistic, its value drawn as a bar so that magnitudes compare at a glance."""

from __future__ import annotations

from typing import TypeGuard

from rich.table import Table
from rich.text import Text

from cpkb.present.human.base import scalar_text, source_line, t, table
from cpkb.present.human.entity import claim_value
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
        return Text("█" * width, style="red" if number < 0 else "green")
    return Text("")


def change_and_period(direction: View | None, value: View | None) -> Text:
    text = t(direction["value"] if direction else "—")
    text.append("\n")
    if value and "date" in value:
        text.append_text(t(value["date"]))
    elif value and ("start" in value or "end" in value):
        text.append_text(t(f"{value.get('start', '…')}–{value.get('end', '…')}"))
    else:
        text.append("period not stated", "dim")
    return text


def stat_name(view: View, measure: View | None) -> Text:
    """The statistic's name, and what it measures when the name does not say."""
    name = t(view["name"], "bold")
    if measure and fold(scalar_text(measure["value"])) not in fold(view["name"]):
        name.append("\n")
        name.append_text(t(measure["value"], "dim"))
    return name


def stat_value(value: View | None, scale: float) -> Text:
    """The value with its unit and qualifiers, over a bar scaled to the largest value shown."""
    shown = claim_value(value) if value else t("—")
    if value and value.get("qualifiers"):
        shown.append("\n")
        shown.append_text(
            t(", ".join(scalar_text(q) for q in value["qualifiers"].values()), "italic")
        )
    bar = magnitude(value["value"] if value else None, scale)
    if bar:
        shown.append("\n")
        shown.append_text(bar)
    return shown


def stat_row(view: View, sources: dict[str, View], scale: float) -> list[Text]:
    claims = view["claims"]
    value, measure, direction = (_first(claims, p) for p in ("value", "measure", "direction"))
    attributed = [c["target"]["name"] for c in claims if c["property"] == "attributed_to"]
    return [
        stat_name(view, measure),
        stat_value(value, scale),
        change_and_period(direction, value),
        t(", ".join(attributed) or "—"),
        source_line(value["sources"] if value else view["sources"], sources),
    ]


def stats_table(views: list[View], sources: dict[str, View]) -> Table:
    numbers = [
        abs(c["value"])
        for v in views
        for c in v["claims"]
        if c["property"] == "value" and _number(c["value"])
    ]
    grid = table("Statistics", show_lines=True)
    for column in ("statistic", "value", "change, period", "attributed to", "source"):
        width = BAR_WIDTH if column == "value" else None
        grid.add_column(column, overflow="fold", min_width=width)
    for view in views:
        grid.add_row(*stat_row(view, sources, max(numbers, default=0)))
    return grid
