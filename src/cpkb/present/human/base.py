"""What every human output shares: the console, data as inert text, type colours, footnotes.

Every string from the data reaches Rich as a `Text` after `visible()`, never as markup, so
`[bold]x[/]` prints literally and control characters print as escapes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cpkb.present import colour
from cpkb.present.views import View
from cpkb.query.text import visible

TYPE_STYLE = {
    "official": "cyan",
    "organisation": "magenta",
    "law": "yellow",
    "programme": "green",
    "statistic": "blue",
}


def type_style(entity_type: str) -> str:
    """The colour of an entity type's names; a type not listed keeps the terminal's colour."""
    return TYPE_STYLE.get(entity_type, "")


MIN_WIDTH = 40  # narrower, tables have no room for a word a column: they overflow instead


def console(file: TextIO | None = None) -> Console:
    out = Console(
        file=file or sys.stdout,
        highlight=False,
        emoji=False,
        markup=False,
        **colour.console_options(),
    )
    out.width = max(out.width, MIN_WIDTH)  # fixed: a terminal resized mid-table changes it not
    return out


def t(value: object, style: str = "") -> Text:
    """Data as inert text."""
    return Text(shown(value), style=style)


def shown(value: object) -> str:
    """The plain text `t` makes of a value: control characters (line breaks too) escaped."""
    return visible(scalar_text(value))


def scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def ref_name(ref: View) -> Text:
    """An entity's name in bold, in its type's colour."""
    return t(ref["name"], "bold " + type_style(ref["type"]))


def entity_ref(ref: View) -> Text:
    """'Name  type · id' for an entity reference view."""
    return ref_name(ref).append_text(t(f"  {ref['type']} · {ref['id']}", "dim"))


def table(title: str | None, *columns: str, **options: Any) -> Table:
    """A table under a plain heading rule, its cells folding long text rather than cutting it."""
    grid = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, **options)
    for column in columns:
        grid.add_column(column, overflow="fold")
    return grid


def records_table(
    rows: Iterable[Mapping[str, object]], fields: tuple[str, ...], title: str | None = None
) -> Table:
    """Flat records as a table, a column per field, the ids dim."""
    grid = table(title, *fields)
    for row in rows:
        grid.add_row(*(t(row.get(f), "dim" if f == "id" else "") for f in fields))
    return grid


def source_label(source_id: str, sources: dict[str, View]) -> str:
    """'Publisher, date' ('undated' when the date is not known), or the id of an unknown one."""
    source = sources.get(source_id)
    if source is None:
        return source_id
    return f"{source['publisher']}, {source['date'] or 'undated'}"


def source_line(citations: list[View], sources: dict[str, View]) -> Text:
    """' — Publisher, date' for each distinct source cited."""
    ids = dict.fromkeys(c["source"] for c in citations)
    return t("; ".join(source_label(i, sources) for i in ids))


def cited_text(citation: View) -> str:
    """What a citation says: the quote in quotation marks, our paraphrase in brackets, or both."""
    parts = []
    if "quote" in citation:
        parts.append(f"“{citation['quote']}”")
    if "paraphrase" in citation:
        parts.append(f"[paraphrase] {citation['paraphrase']}")
    return " ".join(parts)


Key = tuple[str, str, str]  # source, what it says, where in it


class Footnotes:
    """Numbers each distinct citation once, so a quote shared by many claims prints once."""

    def __init__(self, sources: dict[str, View]) -> None:
        self.sources = sources
        self.numbers: dict[Key, int] = {}

    def ref(self, citations: Iterable[View]) -> Text:
        marks = []
        for c in citations:
            key = (c["source"], cited_text(c), c.get("locator", ""))
            number = self.numbers.setdefault(key, len(self.numbers) + 1)
            marks.append(f"[{number}]")
        return Text("".join(marks), style="cyan")

    def render(self) -> Text:
        """'Citations', then each numbered quote or paraphrase with its source."""
        text = Text("Citations", style="italic")
        for (source, said, locator), number in self.numbers.items():
            text.append(f"\n[{number}] ", style="cyan")
            text.append_text(t(said))
            text.append(" — ", style="dim")
            text.append_text(source_line([{"source": source}], self.sources))
            if locator:
                text.append_text(t(f", {locator}"))
            url = self.sources.get(source, {}).get("url")
            if url and "[paraphrase]" in said:
                text.append_text(t(f" <{url}>", "dim"))
        return text


def print_lines(lines: list[Text], out: Console) -> None:
    """Each text on a line of its own, unwrapped. Without colour and not at a terminal, Rich
    would write each one's plain text: that is written at once, which is much faster for the
    thousands of lines of a large report (tests compare the two)."""
    if out.color_system is None and not out.is_terminal and not out.record:
        out.file.write("".join(f"{line.plain}\n" for line in lines))
        return
    for line in lines:
        out.print(line, soft_wrap=True)
