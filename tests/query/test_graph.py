"""Links between entities: the pure walks, and xref, path and graph on the command line."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner, Result

from cpkb.cli import app
from cpkb.kb import store
from cpkb.model.entities import KnowledgeBase
from cpkb.query.graph import backlinks, neighbourhood, out_links, shortest_path, subgraph
from cpkb.query.text import visible
from tests.conftest import V1_BUNDLED

pytestmark = pytest.mark.v1_bundled


MINI = Path(__file__).resolve().parents[1] / "data" / "mini.json"
DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(DOT is None, reason="Graphviz 'dot' is not installed")

NASTY_NAMES = [
    'He said "hi" \\ back\\',
    "[bold red]Beta[/] Org {x} <y> #1; end",
    "Women’s `code` | pipe & amp",
    "line\nbreak\ttab",
    "end",
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return store.load(V1_BUNDLED)


def cli(*args: str, data: Path | None = None) -> Result:
    prefix = ["--data", str(data)] if data else []
    return CliRunner().invoke(app, [*prefix, *args], env={"COLUMNS": "200"})


def cli_json(*args: str, data: Path | None = None) -> Any:
    result = cli(*args, data=data)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


def entity_doc(entity_id: str, name: str, targets: list[str]) -> dict[str, Any]:
    cite = [{"source": "src-a", "quote": f"{name} is real."}]
    return {
        "id": entity_id,
        "type": "organisation",
        "name": name,
        "aliases": [],
        "summary": "A fixture entity.",
        "sources": cite,
        "claims": [{"property": "links_to", "target": t, "sources": cite} for t in targets],
    }


def write_kb(path: Path, entities: list[dict[str, Any]]) -> Path:
    doc = json.loads(MINI.read_text(encoding="utf-8"))
    doc.pop("$schema")
    doc["entities"] = entities
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def islands(tmp_path: Path) -> Path:
    """Two components: a -> b, and c -> d."""
    return write_kb(
        tmp_path / "islands.json",
        [
            entity_doc("a", "Island A", ["b"]),
            entity_doc("b", "Island B", []),
            entity_doc("c", "Island C", ["d"]),
            entity_doc("d", "Island D", []),
        ],
    )


@pytest.fixture
def nasty(tmp_path: Path) -> Path:
    """Names and a property full of characters DOT and Mermaid treat specially."""
    ids = [f"n{i}" for i in range(len(NASTY_NAMES))]
    docs = [
        entity_doc(i, n, ids[k + 1 : k + 2])
        for k, (i, n) in enumerate(zip(ids, NASTY_NAMES, strict=True))
    ]
    docs[0]["claims"][0]["property"] = 'said "x" -> [y]'
    return write_kb(tmp_path / "nasty.json", docs)


# The pure walks.


def test_out_links_and_backlinks(kb: KnowledgeBase) -> None:
    out = [(link.property, link.entity.id) for link in out_links(kb, "unicef")]
    assert out == [("cooperates_with", "kazakhstan")]
    back = {(link.property, link.entity.id) for link in backlinks(kb, "unicef")}
    assert ("member_of", "regina-de-dominicis") in back
    assert ("implemented_by", "mics-2024") in back
    assert all(
        link.direction == "in" and link.via.id == "unicef" for link in backlinks(kb, "unicef")
    )


def test_neighbourhood_depth_one_both_directions(kb: KnowledgeBase) -> None:
    links = neighbourhood(kb, "regina-de-dominicis", depth=1)
    assert {link.depth for link in links} == {1}
    assert {link.via.id for link in links} == {"regina-de-dominicis"}
    out = {(link.property, link.entity.id) for link in links if link.direction == "out"}
    into = {(link.property, link.entity.id) for link in links if link.direction == "in"}
    assert ("member_of", "unicef") in out and ("highlighted", "mics-2024") in out
    assert ("met_with", "erlan-karin") in into and ("praised_by", "presidents-reforms") in into


def test_neighbourhood_depth_two_expands_each_entity_once(kb: KnowledgeBase) -> None:
    links = neighbourhood(kb, "regina-de-dominicis", depth=2)
    second = [link for link in links if link.depth == 2]
    assert ("unicef", "cooperates_with", "out", "kazakhstan") in {
        (link.via.id, link.property, link.direction, link.entity.id) for link in second
    }
    assert ("erlan-karin", "noted_by", "in") in {
        (link.via.id, link.property, link.direction) for link in second
    }
    claims = [link.claim for link in links]
    assert len(claims) == len(set(claims))  # no claim reported twice
    first_reached = {link.entity.id for link in links if link.depth == 1}
    assert not {link.via.id for link in second} - first_reached
    assert "regina-de-dominicis" not in {link.via.id for link in second}


def test_neighbourhood_follows_only_the_properties_asked_for(kb: KnowledgeBase) -> None:
    links = neighbourhood(kb, "regina-de-dominicis", depth=3, properties={"member_of"})
    assert [(link.via.id, link.entity.id) for link in links] == [("regina-de-dominicis", "unicef")]


def test_neighbourhood_ends_where_nothing_new_is_reached(kb: KnowledgeBase) -> None:
    """A depth far beyond the graph's reach walks only as far as there is to go."""
    everything = neighbourhood(kb, "adal-azamat", depth=len(kb.entities))
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("still walking"))
    signal.alarm(10)
    try:
        assert neighbourhood(kb, "adal-azamat", depth=10**30) == everything
    finally:
        signal.alarm(0)


def test_shortest_path_found(kb: KnowledgeBase) -> None:
    steps = shortest_path(kb, "adal-azamat", "unicef")
    assert steps is not None and len(steps) == 3
    assert steps[0].via.id == "adal-azamat" and steps[-1].entity.id == "unicef"
    assert [s.entity.id for s in steps[:-1]] == [s.via.id for s in steps[1:]]
    assert [s.depth for s in steps] == [1, 2, 3]


def test_shortest_path_uses_edges_backwards(kb: KnowledgeBase) -> None:
    steps = shortest_path(kb, "erlan-karin", "adal-azamat")
    assert steps is not None
    assert [(s.property, s.direction) for s in steps] == [("outlined_by", "in")]


def test_shortest_path_to_itself_and_none(kb: KnowledgeBase, islands: Path) -> None:
    assert shortest_path(kb, "unicef", "unicef") == []
    assert shortest_path(store.load(islands), "a", "d") is None


def test_subgraph_whole_and_focused(kb: KnowledgeBase) -> None:
    whole = subgraph(kb)
    assert len(whole.nodes) == len(kb.entities)
    assert len(whole.links) == sum(1 for e in kb for c in e.claims if c.target)
    near = subgraph(kb, focus="adal-azamat", depth=1)
    assert [n.id for n in near.nodes] == ["adal-azamat", "erlan-karin"]
    assert [(k.via.id, k.property, k.entity.id) for k in near.links] == [
        ("adal-azamat", "outlined_by", "erlan-karin")
    ]


# xref


def test_xref_json_depth_one() -> None:
    view = cli_json("xref", "unicef", "--json")
    assert view["entity"] == {"id": "unicef", "type": "organisation", "name": "UNICEF"}
    link = view["links"][0]
    assert list(link) == ["property", "direction", "depth", "entity", "via", "sources", "current"]
    assert (link["property"], link["direction"], link["entity"]["id"]) == (
        "cooperates_with",
        "out",
        "kazakhstan",
    )
    assert link["via"]["id"] == "unicef" and link["sources"][0]["source"]
    assert {"out", "in"} == {k["direction"] for k in view["links"]}
    assert {k["depth"] for k in view["links"]} == {1}


def test_xref_json_depth_two() -> None:
    view = cli_json("xref", "Adal Azamat", "--depth", "2", "--json")
    by_depth = {d: [k for k in view["links"] if k["depth"] == d] for d in (1, 2)}
    assert [(k["property"], k["direction"]) for k in by_depth[1]] == [("outlined_by", "out")]
    second = {(k["property"], k["direction"], k["entity"]["id"]) for k in by_depth[2]}
    assert ("met_with", "out", "regina-de-dominicis") in second
    assert ("outlined_by", "in", "qazaqstan-balalary") in second
    assert {k["via"]["id"] for k in by_depth[2]} == {"erlan-karin"}
    assert ("outlined_by", "in", "adal-azamat") not in second


def test_xref_property_filter_accepts_loose_spelling() -> None:
    view = cli_json("xref", "erlan-karin", "--property", "Outlined-By", "--json")
    assert {k["entity"]["id"] for k in view["links"]} == {"adal-azamat", "qazaqstan-balalary"}
    bad = cli("xref", "erlan-karin", "--property", "nope")
    assert bad.exit_code == 2 and bad.stdout == ""
    assert "no link has property 'nope'" in bad.stderr and "outlined_by" in bad.stderr


def test_xref_human_tree_with_sources() -> None:
    result = cli("xref", "unicef", "-d", "2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0] == "UNICEF  organisation · unicef"
    assert "→ cooperates_with" in out and "← member_of" in out
    assert re.search(r"Regina De Dominicis  official · regina-de-dominicis \[\d+\]", out)
    assert "Citations" in out and "The Gulf Observer, 2025-11-29" in out
    assert "\x1b" not in out and result.stderr == ""


def test_xref_escapes_markup_in_data() -> None:
    result = cli("xref", "beta-org", data=MINI)
    assert result.exit_code == 0, result.output
    assert "[bold red]Beta[/] Org" in result.stdout
    assert "Alpha Person" in result.stdout and "← member_of" in result.stdout


def test_xref_unknown_ref() -> None:
    result = cli("xref", "frobnicate")
    assert result.exit_code == 1 and result.stdout == ""
    assert "no entity matches 'frobnicate'" in result.stderr


# path


def test_path_json() -> None:
    view = cli_json("path", "Honest Citizen", "UNICEF", "--json")
    assert view["from"]["id"] == "adal-azamat" and view["to"]["id"] == "unicef"
    assert view["length"] == len(view["steps"]) == 3
    step = view["steps"][0]
    assert list(step) == ["from", "property", "direction", "to", "sources", "current"]
    assert (step["from"]["id"], step["property"], step["direction"]) == (
        "adal-azamat",
        "outlined_by",
        "out",
    )
    assert all(s["sources"] for s in view["steps"])


def test_path_human() -> None:
    result = cli("path", "adal-azamat", "unicef")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == ["3 steps", "Adal Azamat  programme · adal-azamat", "  ↓ outlined_by [1]"]
    assert "Citations" in result.stdout


def test_path_escapes_markup_in_data() -> None:
    result = cli("path", "alpha-person", "gamma-stat", data=MINI)
    assert result.exit_code == 0, result.output
    assert "[bold red]Beta[/] Org" in result.stdout and "↑ attributed_to" in result.stdout


def test_path_not_found(islands: Path) -> None:
    result = cli("path", "Island A", "Island D", data=islands)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no chain of claims links a (Island A) and d (Island D)" in result.stderr
    as_json = cli("path", "a", "d", "--json", data=islands)
    assert as_json.exit_code == 1 and as_json.stdout == ""


# graph


def test_graph_json(kb: KnowledgeBase) -> None:
    view = cli_json("graph", "--format", "json")
    assert list(view) == ["nodes", "links"]
    ids = {n["id"] for n in view["nodes"]}
    assert ids == set(kb.entities)
    assert all(k["source"] in ids and k["target"] in ids for k in view["links"])
    assert list(view["links"][0]) == ["source", "target", "property", "sources", "current"]
    assert cli_json("graph", "--json") == view


def test_graph_focus_and_depth() -> None:
    one = cli_json("graph", "--focus", "Adal Azamat", "--format", "json")
    assert [n["id"] for n in one["nodes"]] == ["adal-azamat", "erlan-karin"]
    two = cli_json("graph", "--focus", "Adal Azamat", "--depth", "2", "--format", "json")
    assert len(two["nodes"]) > 2 and "regina-de-dominicis" in {n["id"] for n in two["nodes"]}
    result = cli("graph", "--depth", "2")
    assert result.exit_code == 2 and "--depth needs --focus" in result.stderr


MERMAID_NODE = re.compile(r'^  (n\d+)\["([^"]*)"\]$')
MERMAID_EDGE = re.compile(r'^  (n\d+) -->\|"([^"]*)"\| (n\d+)$')
MERMAID_CLASS = re.compile(r"^  (classDef \w+ fill:#[0-9a-f]{6}|class n\d+(,n\d+)* \w+)$")


def parse_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    for line in lines[1:]:
        if node := MERMAID_NODE.match(line):
            nodes[node[1]] = node[2]
        elif edge := MERMAID_EDGE.match(line):
            edges.append((edge[1], edge[2], edge[3]))
        else:
            assert MERMAID_CLASS.match(line), line
    assert all(a in nodes and b in nodes for a, _, b in edges)
    return nodes, edges


def test_graph_mermaid_structure(kb: KnowledgeBase) -> None:
    result = cli("graph", "--format", "mermaid")
    assert result.exit_code == 0, result.output
    nodes, edges = parse_mermaid(result.stdout)
    assert sorted(nodes.values()) == sorted(e.name for e in kb)
    assert len(edges) == sum(1 for e in kb for c in e.claims if c.target)
    classes = re.findall(r"^  class ([n\d,]+) (\w+)$", result.stdout, re.MULTILINE)
    members = {node: kind for ids, kind in classes for node in ids.split(",")}
    assert set(members) == set(nodes)
    assert set(members.values()) == {e.type for e in kb}


def test_graph_mermaid_escapes_labels(nasty: Path) -> None:
    result = cli("graph", "--format", "mermaid", data=nasty)
    assert result.exit_code == 0, result.output
    nodes, edges = parse_mermaid(result.stdout)
    assert nodes["n0"] == "He said #quot;hi#quot; \\ back\\"
    assert nodes["n1"] == "[bold red]Beta[/] Org {x} #lt;y#gt; #35;1; end"
    assert nodes["n3"] == "line\\x0abreak\\x09tab"
    assert edges[0] == ("n0", "said #quot;x#quot; -#gt; [y]", "n1")


def dot_json(text: str) -> dict[str, Any]:
    assert DOT is not None
    done = subprocess.run([DOT, "-Tjson"], input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "Error" not in done.stderr, done.stderr
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


@needs_dot
def test_graph_dot_is_valid_graphviz(kb: KnowledgeBase) -> None:
    result = cli("graph")
    assert result.exit_code == 0, result.output
    svg = subprocess.run([str(DOT), "-Tsvg"], input=result.stdout, capture_output=True, text=True)
    assert svg.returncode == 0, svg.stderr
    assert "<svg" in svg.stdout
    parsed = dot_json(result.stdout)
    assert {o["name"] for o in parsed["objects"]} == set(kb.entities)
    assert len(parsed["edges"]) == sum(1 for e in kb for c in e.claims if c.target)


def svg_texts(text: str, kind: str) -> dict[str, str]:
    """What Graphviz draws for each node (or edge): its title and the label text shown."""
    done = subprocess.run([str(DOT), "-Tsvg"], input=text, capture_output=True, text=True)
    assert done.returncode == 0 and not done.stderr, done.stderr
    ns = {"svg": "http://www.w3.org/2000/svg"}
    shown = {}
    for group in ElementTree.fromstring(done.stdout).iter(f"{{{ns['svg']}}}g"):
        if group.get("class") == kind:
            title = group.findtext("svg:title", namespaces=ns)
            words = [t.text or "" for t in group.iterfind(".//svg:text", ns)]
            shown[str(title)] = " ".join(words)
    return shown


@needs_dot
def test_graph_dot_labels_survive_escaping(nasty: Path) -> None:
    result = cli("graph", "--format", "dot", data=nasty)
    assert result.exit_code == 0, result.output
    dot_json(result.stdout)
    nodes = svg_texts(result.stdout, "node")
    assert nodes == {f"n{i}": visible(name) for i, name in enumerate(NASTY_NAMES)}
    assert 'said "x" -> [y]' in svg_texts(result.stdout, "edge").values()


@needs_dot
def test_graph_dot_focus_renders(tmp_path: Path) -> None:
    result = cli("graph", "--focus", "beta-org", data=MINI)
    assert result.exit_code == 0, result.output
    labels = {o["label"] for o in dot_json(result.stdout)["objects"]}
    assert labels == {"[bold red]Beta[/] Org", "Alpha Person", "Gamma rate"}


HUGE_DEPTHS = [
    ["xref", "adal-azamat", "--depth", "1000000000", "--json"],
    ["xref", "unicef", "--depth", "99999999999999999999"],
    ["graph", "--focus", "adal-azamat", "--depth", "99999999999999999999", "--format", "json"],
]


@pytest.mark.parametrize("mode", ["always", "never"])
@pytest.mark.parametrize("args", HUGE_DEPTHS, ids=lambda args: " ".join(args[:2]))
def test_a_huge_depth_ends(tmp_path: Path, mode: str, args: list[str]) -> None:
    """Through the index and through the file, a real process answers a huge --depth at once,
    as the depth that reaches every entity does (it used to walk on after nothing was left)."""
    data = tmp_path / "kb.json"
    shutil.copyfile(V1_BUNDLED, data)
    env = {**os.environ, "CPKB_INDEX": mode, "CPKB_CACHE_DIR": str(tmp_path / "cache")}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cpkb", "--data", str(data), *argv]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    huge = run(*args)
    assert huge.returncode == 0, huge.stderr
    depth = args.index("--depth") + 1
    assert huge.stdout == run(*args[:depth], "40", *args[depth + 1 :]).stdout
