"""Human output with Rich: the only module that imports rich.

Every string from the data reaches Rich as a `Text` after `visible()`, never as markup, so
`[bold]x[/]` prints literally and control characters print as escapes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, TextIO

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from cpkb.model.fields import CLAIM_DATES
from cpkb.present.views import View
from cpkb.query.text import fold, visible

BAR_WIDTH = 12
TYPE_STYLE = {
    "official": "cyan",
    "organisation": "magenta",
    "law": "yellow",
    "programme": "green",
    "statistic": "blue",
}


def console(file: TextIO | None = None) -> Console:
    return Console(file=file or sys.stdout, highlight=False, emoji=False, markup=False)


def t(value: object, style: str = "") -> Text:
    """Data as inert text."""
    return Text(visible(scalar_text(value)), style=style)


def scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def claim_value(claim: View) -> Text:
    if "target" in claim:
        target = claim["target"]
        text = t(target["name"], "bold")
        text.append_text(t(f" ({target['type']}: {target['id']})", "dim"))
    else:
        text = t(claim["value"], "bold")
        if "unit" in claim:
            text.append_text(t(f" {claim['unit']}"))
    return text


def claim_details(claim: View) -> Text:
    parts = [f"{key} {claim[key]}" for key in CLAIM_DATES if key in claim]
    parts += [f"{k}: {scalar_text(v)}" for k, v in claim.get("qualifiers", {}).items()]
    return t("; ".join(parts), "italic")


class Footnotes:
    """Numbers each distinct citation once, so a quote shared by many claims prints once."""

    def __init__(self, sources: dict[str, View]) -> None:
        self.sources = sources
        self.numbers: dict[tuple[str, str], int] = {}

    def ref(self, citations: Iterable[View]) -> Text:
        marks = []
        for c in citations:
            key = (c["source"], c["quote"])
            number = self.numbers.setdefault(key, len(self.numbers) + 1)
            marks.append(f"[{number}]")
        return Text("".join(marks), style="cyan")

    def render(self) -> Text:
        text = Text()
        for (source, quote), number in self.numbers.items():
            text.append(f"\n[{number}] ", style="cyan")
            text.append_text(t(f"“{quote}”"))
            text.append(" — ", style="dim")
            text.append_text(source_line([{"source": source}], self.sources))
        return text


def entity_panel(view: View, sources: dict[str, View]) -> Group:
    notes = Footnotes(sources)
    head = t(view["name"], "bold " + TYPE_STYLE.get(view["type"], ""))
    head.append_text(t(f"  {view['type']} · {view['id']}", "dim"))
    if view["aliases"]:
        head.append("\n")
        head.append_text(t("also: " + ", ".join(view["aliases"]), "italic"))
    head.append("\n\n")
    head.append_text(t(view["summary"]))
    head.append(" ")
    head.append_text(notes.ref(view["sources"]))
    from rich.panel import Panel  # only `show` draws one

    parts: list[Any] = [Panel(head, box=box.ROUNDED, expand=False)]
    if view["claims"]:
        parts.append(claims_table(view["claims"], notes))
    if view["backlinks"]:
        parts.append(backlinks_table(view["backlinks"], notes))
    parts.append(Text("Citations", style="italic").append_text(notes.render()))
    return Group(*parts)


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def grouped(claims: list[View]) -> list[View]:
    """Values before relations; claims of one property together, in order of first appearance."""
    first: dict[str, int] = {}
    for claim in claims:
        first.setdefault(claim["property"], len(first))
    return sorted(claims, key=lambda c: ("target" in c, first[c["property"]]))


def claims_table(claims: list[View], notes: Footnotes) -> Table:
    table = _table("Claims", "property", "value", "details", "cited")
    for claim in grouped(claims):
        table.add_row(
            t(claim["property"]),
            claim_value(claim),
            claim_details(claim),
            notes.ref(claim["sources"]),
        )
    return table


def backlinks_table(links: list[View], notes: Footnotes) -> Table:
    table = _table("Referenced by", "from", "property", "cited")
    for link in links:
        origin = t(link["from"]["name"], "bold")
        origin.append_text(t(f" ({link['from']['type']}: {link['from']['id']})", "dim"))
        table.add_row(origin, t(link["property"]), notes.ref(link["sources"]))
    return table


def show_entity(view: View, sources: dict[str, View], out: Console | None = None) -> None:
    (out or console()).print(entity_panel(view, sources))


def show_list(views: list[View], title: str, out: Console | None = None) -> None:
    out = out or console()
    if not out.is_terminal:
        for v in views:  # piped: one tab-separated line per entity, for cut/awk/grep
            out.file.write("\t".join(visible(v[k]) for k in ("id", "name", "summary")) + "\n")
        return
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("id", "name", "aliases", "claims", "links in"):
        table.add_column(column, overflow="fold")
    for v in views:
        table.add_row(
            t(v["id"], "dim"),
            t(v["name"], "bold"),
            t(", ".join(v["aliases"])),
            t(len(v["claims"])),
            t(len(v["backlinks"])),
        )
    out.print(table)


def _first(claims: list[View], prop: str) -> View | None:
    return next((c for c in claims if c["property"] == prop), None)


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


def source_line(citations: list[View], sources: dict[str, View]) -> Text:
    """' — Publisher, date' for each distinct source cited."""
    ids = dict.fromkeys(c["source"] for c in citations)
    return t(
        "; ".join(
            f"{sources[i]['publisher']}, {sources[i]['date']}" if i in sources else i for i in ids
        )
    )


def magnitude(number: object, scale: float) -> Text:
    if not isinstance(number, (int, float)) or isinstance(number, bool) or not scale:
        return Text("")
    width = max(1, round(abs(number) / scale * BAR_WIDTH))
    return Text("█" * width, style="red" if number < 0 else "green")


def stat_row(view: View, sources: dict[str, View], scale: float) -> list[Text]:
    claims = view["claims"]
    value, measure, direction = (_first(claims, p) for p in ("value", "measure", "direction"))
    name = t(view["name"], "bold")
    if measure and fold(scalar_text(measure["value"])) not in fold(view["name"]):
        name.append("\n")
        name.append_text(t(measure["value"], "dim"))
    shown = claim_value(value) if value else t("—")
    if value and value.get("qualifiers"):
        shown.append("\n")
        shown.append_text(
            t(", ".join(scalar_text(q) for q in value["qualifiers"].values()), "italic")
        )
    attributed = [c["target"]["name"] for c in claims if c["property"] == "attributed_to"]
    bar = magnitude(value["value"] if value else None, scale)
    if bar:
        shown.append("\n")
        shown.append_text(bar)
    return [
        name,
        shown,
        change_and_period(direction, value),
        t(", ".join(attributed) or "—"),
        source_line(value["sources"] if value else view["sources"], sources),
    ]


def show_stats(views: list[View], sources: dict[str, View], out: Console | None = None) -> None:
    numbers = [
        abs(c["value"])
        for v in views
        for c in v["claims"]
        if c["property"] == "value"
        and isinstance(c["value"], (int, float))
        and not isinstance(c["value"], bool)
    ]
    table = Table(title="Statistics", title_justify="left", box=box.SIMPLE_HEAD, show_lines=True)
    for column in ("statistic", "value", "change, period", "attributed to", "source"):
        width = BAR_WIDTH if column == "value" else None
        table.add_column(column, overflow="fold", min_width=width)
    for view in views:
        table.add_row(*stat_row(view, sources, max(numbers, default=0)))
    (out or console()).print(table)


def show_sources(rows: list[View], out: Console | None = None) -> None:
    out = out or console()
    for r in rows:
        table = Table(box=box.SIMPLE, show_header=False, title_justify="left", title_style="bold")
        table.title = t(r["title"], "bold")
        table.add_column(style="dim", no_wrap=True)
        table.add_column(overflow="fold")
        for label, key in (("id", "id"), ("publisher", "publisher"), ("date", "date")):
            table.add_row(label, t(r[key]))
        table.add_row("url", t(r["url"] or "— (not recorded)"))
        table.add_row("reliability", t(r["reliability"]))
        table.add_row("claims", t(r["claims"]))
        out.print(table)


def show_info(info: View, out: Console | None = None) -> None:
    counts = info["counts"]
    table = Table(box=box.SIMPLE, show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    table.add_row("data file", t(info["data_file"]))
    table.add_row("schema version", t(info["schema_version"]))
    table.add_row("cpkb version", t(info["cpkb_version"]))
    table.add_row("entities", t(counts["entities"]))
    for entity_type, n in counts["by_type"].items():
        table.add_row(f"  {entity_type}", t(n))
    for key in ("claims", "relations", "citations", "sources"):
        table.add_row(key, t(counts[key]))
    (out or console()).print(table)


def entity_ref(ref: View) -> Text:
    """'Name  type · id' for an entity reference view."""
    text = t(ref["name"], "bold " + TYPE_STYLE.get(ref["type"], ""))
    text.append_text(t(f"  {ref['type']} · {ref['id']}", "dim"))
    return text


def highlighted(snippet: str, spans: list[list[int]]) -> Text:
    """A snippet with its matching spans emphasised (each piece escaped on its own)."""
    text, done = Text(), 0
    for start, end in spans:
        text.append_text(t(snippet[done:start]))
        text.append_text(t(snippet[start:end], "bold reverse"))
        done = end
    text.append_text(t(snippet[done:]))
    return text


def show_hits(hits: list[View], out: Console | None = None) -> None:
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("score", "entity", "matched"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        matched = t(hit["matched"]["field"] + ": ", "dim")
        matched.append_text(highlighted(hit["matched"]["snippet"], hit["matched"]["highlights"]))
        entity = t(hit["name"], "bold " + TYPE_STYLE.get(hit["type"], ""))
        entity.append("\n").append_text(t(f"{hit['type']} · {hit['id']}", "dim"))
        table.add_row(t(f"{hit['score']:.1f}"), entity, matched)
    (out or console()).print(table)


def link_group(link: View) -> Text:
    arrow = "→" if link["direction"] == "out" else "←"
    return t(f"{arrow} {link['property']}", "italic")


def show_xref(view: View, sources: dict[str, View], out: Console | None = None) -> None:
    """Links as a tree: each entity, then its links grouped by direction and property."""
    from rich.tree import Tree

    notes = Footnotes(sources)
    root = Tree(entity_ref(view["entity"]))
    nodes = {view["entity"]["id"]: root}
    groups: dict[tuple[str, str, str], Tree] = {}
    for link in view["links"]:
        via = link["via"]["id"]
        key = (via, link["direction"], link["property"])
        if key not in groups:
            groups[key] = nodes[via].add(link_group(link))
        label = entity_ref(link["entity"]).append(" ").append_text(notes.ref(link["sources"]))
        nodes.setdefault(link["entity"]["id"], groups[key].add(label))
    parts: list[Any] = [root]
    if view["links"]:
        parts.append(Text("Citations", style="italic").append_text(notes.render()))
    else:
        parts.append(Text("no links", style="dim"))
    (out or console()).print(Group(*parts))


def show_path(view: View, sources: dict[str, View], out: Console | None = None) -> None:
    """The chain top to bottom: ↓ the entity above makes the claim, ↑ the one below does."""
    notes = Footnotes(sources)
    steps = view["steps"]
    lines = [Text(f"{len(steps)} step{'s' * (len(steps) != 1)}", style="italic")]
    lines.append(entity_ref(view["from"]))
    for step in steps:
        arrow = Text("  ↓ " if step["direction"] == "out" else "  ↑ ", style="cyan")
        arrow.append_text(t(step["property"], "italic")).append(" ")
        lines += [arrow.append_text(notes.ref(step["sources"])), entity_ref(step["to"])]
    legend = "↓: the entity above makes the claim; ↑: the entity below does"
    if steps:
        lines.append(Text("Citations", style="italic").append_text(notes.render()))
        lines.append(Text(legend, style="dim"))
    (out or console()).print(Group(*lines))


def show_problems(
    report: View, *, file: str, summary: list[str], out: Console | None = None
) -> None:
    """`cpkb validate`: `FILE:LINE: severity CODE name: PATH (entity ID): message`, one a line."""
    from cpkb.check.rules import RULES
    from cpkb.kb.parse import brief

    lines: list[Text] = []
    for p in report["problems"]:
        style = "bold red" if p["severity"] == "error" else "yellow"
        line = t(f"{file}:{p['line']}:" if p["line"] else f"{file}:")
        line.append(f" {p['severity']} {p['code']} {RULES[p['code']].name}:", style=style)
        kind = "source" if (p["path"] or "").startswith("$.sources") else "entity"
        owner = f"({kind} {brief(p['entity'])})" if p["entity"] else None
        where = " ".join(w for w in (p["path"], owner) if w)
        if where:
            line.append_text(t(f" {where}:", "dim"))
        line.append_text(t(f" {p['message']}"))
        lines.append(line)
    lines += [t(note) for note in summary[:-1]]
    verdict = t(f"{file}: ")
    verdict.append(
        "valid" if report["valid"] else "invalid", "bold green" if report["valid"] else "bold red"
    )
    lines.append(verdict.append_text(t(f" ({summary[-1]})")))
    print_lines(lines, out or console())


def print_lines(lines: list[Text], out: Console) -> None:
    """Each text on a line of its own, unwrapped. Without colour and not at a terminal, Rich
    would write each one's plain text: that is written at once (printing a large file's
    thousands of warnings one by one through Rich takes a second; tests compare the two)."""
    if out.color_system is None and not out.is_terminal and not out.record:
        out.file.write("".join(f"{line.plain}\n" for line in lines))
        return
    for line in lines:
        out.print(line, soft_wrap=True)


class ProgressBar:
    """A Rich progress bar on stderr, shown from creation until `stop()`, fed `bar(done, total)`."""

    def __init__(self, description: str) -> None:
        from rich.progress import Progress

        # No refresh thread (it redraws on each update): the index builder forks workers, and
        # forking a process that runs threads is unsafe.
        self.progress = Progress(console=Console(stderr=True), transient=True, auto_refresh=False)
        self.task = self.progress.add_task(description, total=None)
        self.progress.start()

    def stop(self) -> None:
        self.progress.stop()

    def __call__(self, done: int, total: int) -> None:
        self.progress.update(self.task, completed=done, total=total or None, refresh=True)
