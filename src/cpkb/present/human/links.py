"""Links between entities: `xref` as a tree, `path` as a chain, each link with its citations."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from rich.tree import Tree

from cpkb.present.human.base import Footnotes, entity_ref, t
from cpkb.present.views import View


def link_group(link: View) -> Text:
    arrow = "→" if link["direction"] == "out" else "←"
    return t(f"{arrow} {link['property']}", "italic")


def xref_tree(view: View, sources: dict[str, View], note: str | None = None) -> Group:
    """Links as a tree: each entity, then its links grouped by direction and property (those
    not current marked so); `note` says what it leaves out."""
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
        if not link.get("current", True):
            label.append(" (not current)", style="dim")
        nodes.setdefault(link["entity"]["id"], groups[key].add(label))
    shown = notes.render() if view["links"] else Text("no links", style="dim")
    return Group(root, shown, *([Text(note, style="dim")] if note else []))


def path_chain(view: View, sources: dict[str, View]) -> Group:
    """The chain top to bottom: ↓ the entity above makes the claim, ↑ the one below does."""
    notes = Footnotes(sources)
    steps = view["steps"]
    lines = [Text(f"{len(steps)} step{'s' * (len(steps) != 1)}", style="italic")]
    lines.append(entity_ref(view["from"]))
    for step in steps:
        arrow = Text("  ↓ " if step["direction"] == "out" else "  ↑ ", style="cyan")
        arrow.append_text(t(step["property"], "italic")).append(" ")
        arrow.append_text(notes.ref(step["sources"]))
        if not step.get("current", True):
            arrow.append(" (not current)", style="dim")
        lines += [arrow, entity_ref(step["to"])]
    legend = "↓: the entity above makes the claim; ↑: the entity below does"
    if steps:
        lines.append(notes.render())
        lines.append(Text(legend, style="dim"))
    return Group(*lines)
