"""The graph for other tools: a graph view as Graphviz DOT or as a Mermaid flowchart."""

from __future__ import annotations

from cpkb.model.fields import ENTITY_TYPES
from cpkb.present.views import View
from cpkb.query.text import visible

NODE_STYLE = {  # (Graphviz shape, fill colour) by entity type
    "official": ("ellipse", "#cfe2ff"),
    "organisation": ("box", "#f3d9fa"),
    "law": ("note", "#fff3bf"),
    "programme": ("hexagon", "#d3f9d8"),
    "statistic": ("parallelogram", "#d0ebff"),
}
DEFAULT_NODE_STYLE = ("box", "#eeeeee")


def node_style(entity_type: str) -> tuple[str, str]:
    """(Graphviz shape, fill colour) of a type; a type not listed is drawn as a grey box."""
    return NODE_STYLE.get(entity_type, DEFAULT_NODE_STYLE)


def dot_string(text: str) -> str:
    """A DOT quoted string: control characters shown as escapes, backslash and quote escaped."""
    return '"' + visible(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_id(text: str) -> str:
    """A node's DOT name: as `dot_string`, but with the text's own backslashes doubled first, so
    that two ids never name one node (a newline, and the four characters `\\x0a`)."""
    return dot_string(text.replace("\\", "\\\\"))


def graph_dot(view: View) -> str:
    """A graph view as a Graphviz digraph: nodes shaped and filled by type, edges by property."""
    lines = [
        "digraph cpkb {",
        '  graph [rankdir=LR, fontname="Helvetica"];',
        '  node [style="filled,rounded", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for node in view["nodes"]:
        shape, fill = node_style(node["type"])
        lines.append(
            f"  {dot_id(node['id'])} [label={dot_string(node['name'])}, shape={shape}, "
            f'fillcolor="{fill}", tooltip={dot_string(node["type"])}];'
        )
    for link in view["links"]:
        dashed = "" if link.get("current", True) else ", style=dashed"  # not current (--all)
        lines.append(
            f"  {dot_id(link['source'])} -> {dot_id(link['target'])} "
            f"[label={dot_string(link['property'])}{dashed}];"
        )
    return "\n".join([*lines, "}"])


MERMAID_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "`": "#96;"}


def mermaid_string(text: str) -> str:
    """A Mermaid quoted label: characters Mermaid would parse written as entity codes."""
    return '"' + "".join(MERMAID_ESCAPES.get(ch, ch) for ch in visible(text)) + '"'


def graph_mermaid(view: View) -> str:
    """A graph view as a Mermaid flowchart: one class per entity type, edges by property."""
    ids = {node["id"]: f"n{i}" for i, node in enumerate(view["nodes"])}
    lines = ["flowchart LR"]
    lines += [f"  {ids[n['id']]}[{mermaid_string(n['name'])}]" for n in view["nodes"]]
    lines += [  # a link not current (shown with --all) dotted
        f"  {ids[k['source']]} {'-->' if k.get('current', True) else '-.->'}"
        f"|{mermaid_string(k['property'])}| {ids[k['target']]}"
        for k in view["links"]
    ]
    for entity_type in ENTITY_TYPES:
        members = [ids[n["id"]] for n in view["nodes"] if n["type"] == entity_type]
        if members:
            lines.append(f"  classDef {entity_type} fill:{node_style(entity_type)[1]}")
            lines.append(f"  class {','.join(members)} {entity_type}")
    return "\n".join(lines)
