"""present/: a new entity type needs no change there, and naming a renderer does not load Rich."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from cpkb.present import exports, human
from cpkb.present.human import base
from cpkb.present.views import View

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
