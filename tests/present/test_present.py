"""present/: a new entity type needs no change there, and naming a renderer does not load Rich."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpkb.cli import app
from cpkb.present import exports, human
from cpkb.present.human import base
from cpkb.present.views import View

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.json"

PLACE: View = {"id": "almaty", "type": "place", "name": "Almaty"}


def test_a_type_without_a_style_gets_the_defaults() -> None:
    assert "place" not in base.TYPE_STYLE and "place" not in exports.NODE_STYLE
    assert base.type_style("place") == ""
    assert exports.node_style("place") == exports.DEFAULT_NODE_STYLE
    assert exports.node_style("law") == exports.NODE_STYLE["law"]


def test_graph_exports_draw_a_new_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "ENTITY_TYPES", (*exports.ENTITY_TYPES, "place"))
    view = {"nodes": [PLACE], "links": []}
    assert 'shape=box, fillcolor="#eeeeee"' in exports.graph_dot(view)
    assert "classDef place fill:#eeeeee" in exports.graph_mermaid(view)


def test_human_output_shows_a_new_type(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buffer)
    hit = {
        **PLACE,
        "score": 9.5,
        "matched": {"field": "name", "snippet": "Almaty", "highlights": []},
    }
    human.show_hits([hit])
    assert "Almaty" in buffer.getvalue() and "place · almaty" in buffer.getvalue()


def test_the_renderers_load_rich_only_when_they_run() -> None:
    code = (
        "import sys\nfrom cpkb.present import human\n"
        "print('rich' in sys.modules, callable(human.show_info))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_two_ids_that_show_alike_are_two_graphviz_nodes(tmp_path: Path) -> None:
    """A newline and the four characters backslash, x, 0, a are two nodes (red-team F18)."""
    document = json.loads(MINI.read_text(encoding="utf-8"))
    first, second = document["entities"][:2]
    first["id"], second["id"] = "twin\nid", "twin\\x0aid"
    for entity in document["entities"]:
        for claim in entity["claims"]:
            if claim.pop("target", None) is not None:
                claim["value"] = "no link"
    data = tmp_path / "kb.json"
    data.write_text(json.dumps(document), encoding="utf-8")
    result = CliRunner().invoke(app, ["--data", str(data), "graph", "--format", "dot"])
    assert result.exit_code == 0, result.stderr
    nodes = [
        line.split(" [")[0].strip() for line in result.stdout.splitlines() if "[label=" in line
    ]
    assert len(nodes) == len(set(nodes)) == len(document["entities"])


def test_a_very_narrow_terminal_still_shows_the_hits(monkeypatch: pytest.MonkeyPatch) -> None:
    """At COLUMNS=10, tables are laid out at 40 columns, not as blank lines (red-team F15)."""
    monkeypatch.setenv("COLUMNS", "10")
    result = CliRunner().invoke(app, ["search", "bullying"])
    assert result.exit_code == 0
    assert "Law on" in result.stdout
