"""An entity at length (`show`: panel, claims, backlinks, citations) and entities in a list."""

from __future__ import annotations

from typing import Any

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


def claim_value(claim: View) -> Text:
    if "target" in claim:
        return ref_inline(claim["target"])
    text = t(claim["value"], "bold")
    if "unit" in claim:
        text.append_text(t(f" {claim['unit']}"))
    return text


def claim_details(claim: View) -> Text:
    parts = [f"{key} {claim[key]}" for key in CLAIM_DATES if key in claim]
    parts += [f"{k}: {scalar_text(v)}" for k, v in claim.get("qualifiers", {}).items()]
    return t("; ".join(parts), "italic")


def grouped(claims: list[View]) -> list[View]:
    """Values before relations; claims of one property together, in order of first appearance."""
    first: dict[str, int] = {}
    for claim in claims:
        first.setdefault(claim["property"], len(first))
    return sorted(claims, key=lambda c: ("target" in c, first[c["property"]]))


def claims_table(claims: list[View], notes: Footnotes) -> Table:
    grid = table("Claims", "property", "value", "details", "cited")
    for claim in grouped(claims):
        grid.add_row(
            t(claim["property"]),
            claim_value(claim),
            claim_details(claim),
            notes.ref(claim["sources"]),
        )
    return grid


def backlinks_table(links: list[View], notes: Footnotes) -> Table:
    grid = table("Referenced by", "from", "property", "cited")
    for link in links:
        grid.add_row(ref_inline(link["from"]), t(link["property"]), notes.ref(link["sources"]))
    return grid


def entity_panel(view: View, sources: dict[str, View]) -> Group:
    """The entity's head in a panel, then its claims, backlinks and numbered citations."""
    from rich.panel import Panel  # only `show` draws one; lists and stats import this module too

    notes = Footnotes(sources)
    head = entity_ref(view)
    if view["aliases"]:
        head.append("\n")
        head.append_text(t("also: " + ", ".join(view["aliases"]), "italic"))
    head.append("\n\n")
    head.append_text(t(view["summary"]))
    head.append(" ")
    head.append_text(notes.ref(view["sources"]))
    parts: list[Any] = [Panel(head, box=box.ROUNDED, expand=False)]
    if view["claims"]:
        parts.append(claims_table(view["claims"], notes))
    if view["backlinks"]:
        parts.append(backlinks_table(view["backlinks"], notes))
    parts.append(notes.render())
    return Group(*parts)


def list_table(views: list[View], title: str) -> Table:
    grid = table(title, "id", "name", "aliases", "claims", "links in")
    for v in views:
        grid.add_row(
            t(v["id"], "dim"),
            t(v["name"], "bold"),
            t(", ".join(v["aliases"])),
            t(len(v["claims"])),
            t(len(v["backlinks"])),
        )
    return grid


def list_lines(views: list[View]) -> str:
    """One tab-separated line per entity (id, name, summary), for cut, awk and grep."""
    return "".join(
        "\t".join(visible(v[k]) for k in ("id", "name", "summary")) + "\n" for v in views
    )
