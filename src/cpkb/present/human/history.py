"""`timeline` and `conflicts` as tables."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from cpkb.present.human.base import Footnotes, entity_ref, source_line, t, table
from cpkb.present.human.entity import claim_details, claim_value
from cpkb.present.views import View


def when(event: View) -> Text:
    shown = event["date"] + (f" – {event['end']}" if event.get("end") else "")
    return t(shown)


def timeline_table(events: list[View], sources: dict[str, View]) -> Table:
    """A row per dated claim: when, whose, what, and from which source (the caller tells an
    empty timeline)."""
    grid = table("Timeline", "date", "entity", "claim", "source")
    for event in events:
        claim = event["claim"]
        what = t(f"{claim['property']}: ", "italic").append_text(claim_value(claim))
        if not claim.get("current", True):
            what.append_text(t(f" ({claim.get('status', 'not current')})", "dim"))
        grid.add_row(when(event), entity_ref(event["entity"]), what,
                     source_line(claim["sources"], sources))  # fmt: skip
    return grid


def conflict_table(conflict: View, sources: dict[str, View]) -> Table:
    """One disagreement: the claims side by side, each with its rank, status and sources."""
    notes = Footnotes(sources)
    title = entity_ref(conflict["entity"]).append_text(t(f"  {conflict['property']}", "italic"))
    grid = table(None, "value", "details", "status", "cited")
    grid.title = title
    for claim in conflict["claims"]:
        grid.add_row(claim_value(claim), claim_details(claim),
                     t(claim.get("status", "")), notes.ref(claim["sources"]))  # fmt: skip
    grid.caption = notes.render()
    grid.caption_justify = "left"
    return grid
