"""Key-value and result tables: `sources`, `info` and `search` hits."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from cpkb.present.human.base import ref_name, t, table
from cpkb.present.views import View


def _pairs(**options: Any) -> Table:
    """A headless table of labels and values."""
    return Table(box=box.SIMPLE, show_header=False, **options)


def source_table(row: View) -> Table:
    grid = _pairs(title_justify="left", title_style="bold")
    grid.title = t(row["title"], "bold")
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, key in (("id", "id"), ("publisher", "publisher")):
        grid.add_row(label, t(row[key]))
    grid.add_row("date", t(row["date"] or "undated"))
    for label, key in (("kind", "kind"), ("language", "lang")):
        if key in row:
            grid.add_row(label, t(row[key]))
    grid.add_row("url", t(row["url"] or "— (not recorded)"))
    level = f"{row['reliability_level']}: " if "reliability_level" in row else ""
    grid.add_row("reliability", t(level + row["reliability"]))
    grid.add_row("claims", t(row["claims"]))
    return grid


def info_table(info: View) -> Table:
    counts = info["counts"]
    grid = _pairs()
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    grid.add_row("data file", t(info["data_file"]))
    grid.add_row("schema version", t(info["schema_version"]))
    grid.add_row("cpkb version", t(info["cpkb_version"]))
    grid.add_row("entities", t(counts["entities"]))
    for entity_type, n in counts["by_type"].items():
        grid.add_row(f"  {entity_type}", t(n))
    for key in ("claims", "relations", "citations", "sources"):
        grid.add_row(key, t(counts[key]))
    return grid


def highlighted(snippet: str, spans: list[list[int]]) -> Text:
    """A snippet with its matching spans emphasised (each piece escaped on its own)."""
    text, done = Text(), 0
    for start, end in spans:
        text.append_text(t(snippet[done:start]))
        text.append_text(t(snippet[start:end], "bold reverse"))
        done = end
    text.append_text(t(snippet[done:]))
    return text


def hits_table(hits: list[View]) -> Table:
    grid = table(None, "score", "entity", "matched")
    for hit in hits:
        matched = t(hit["matched"]["field"] + ": ", "dim")
        matched.append_text(highlighted(hit["matched"]["snippet"], hit["matched"]["highlights"]))
        entity = ref_name(hit).append("\n").append_text(t(f"{hit['type']} · {hit['id']}", "dim"))
        grid.add_row(t(f"{hit['score']:.1f}"), entity, matched)
    return grid
