"""Hostile data is shown, never obeyed: markup prints literally, control characters print escaped.

Every data string of the hostile file carries an OSC title sequence, a screen clear, colour, BEL,
CR, backspace, a C1 CSI, bidi overrides and Rich markup. Output goes to a pipe (CliRunner) and to a
real pseudo-terminal; JSON output keeps the exact strings.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cpkb.cli import app
from cpkb.present.jsonout import JSON_ESCAPES, dumps
from tests.ptys import run_on_terminal

pty = pytest.importorskip("pty")

SRC = Path(__file__).resolve().parents[2] / "src"
TITLE = "\x1b]0;PWNED\x07"
EVIL = (
    TITLE
    + "\x1b[2J\x1b[31mred\r\x08\x9b31m\u202eevil\u2066[bold red]markup[/][link=https://evil.example]click[/link]"
)
EVIL_ID = "evil-b" + TITLE
# What a terminal must never receive from data: C0 controls but tab and newline (cpkb's own
# separators), DEL, C1 controls, bidi controls.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # Rich's styling
# cpkb's own sequences at a terminal: styling, and a progress bar's cursor hiding and line erasing.
OWN = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\?25[lh]|\x1b\[2K|\x1b\[[0-9]*A|\r")
PAYLOADS = (TITLE, "\x1b]", "\x07", "\x1b[2J", "\x1b[31mred", "\x08", "\x9b", "\u202e", "\u2066")


def strings(node: Any) -> list[str]:
    """Every string (key or value) in a parsed JSON document."""
    if isinstance(node, dict):
        return [*node, *(s for v in node.values() for s in strings(v))]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return [node] if isinstance(node, str) else []


def hostile_kb() -> dict[str, Any]:
    def cite(tag: str) -> list[dict[str, str]]:
        return [{"source": "evil-src", "quote": f"quote {tag} {EVIL}"}]

    return {
        "schema_version": 1,
        "sources": [
            {"id": "evil-src", "title": "T" + EVIL, "publisher": "P" + EVIL, "date": "D" + EVIL,
             "url": "https://x.example/" + EVIL, "reliability": "R" + EVIL},
        ],
        "entities": [
            {"id": "evil-a", "type": "official", "name": "Alpha " + EVIL,
             "aliases": ["Twin", "A" + EVIL], "summary": "S" + EVIL, "sources": cite("a"),
             "claims": [
                 {"property": "title", "value": "V" + EVIL, "date": "2025" + EVIL,
                  "qualifiers": {"k" + EVIL: "q" + EVIL}, "sources": cite("b")},
                 {"property": "p_" + EVIL, "target": EVIL_ID, "start": "s" + EVIL,
                  "end": "e" + EVIL, "sources": cite("c")},
             ]},
            {"id": EVIL_ID, "type": "organisation", "name": "Beta " + EVIL, "aliases": ["Twin"],
             "summary": "S" + EVIL, "sources": cite("d"), "claims": []},
            {"id": "evil-stat", "type": "statistic", "name": "Stat " + EVIL, "aliases": [],
             "summary": "S" + EVIL, "sources": cite("e"),
             "claims": [
                 {"property": "value", "value": 5, "unit": "U" + EVIL, "sources": cite("f")},
                 {"property": "measure", "value": "M" + EVIL, "sources": cite("g")},
                 {"property": "direction", "value": "D" + EVIL, "sources": cite("h")},
                 {"property": "attributed_to", "target": "evil-a", "sources": cite("i")},
             ]},
        ],
    }  # fmt: skip


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    folder = tmp_path / ("dir" + TITLE)  # the file's own name is hostile too
    folder.mkdir()
    path = folder / "kb.json"
    path.write_text(json.dumps(hostile_kb()), encoding="utf-8")
    return path


COMMANDS = [
    ["show", "evil-a"],
    ["show", EVIL_ID],
    ["show", "evil-stat"],
    ["stats"],
    ["sources"],
    ["info"],
    ["official", "list"],
    ["organisation", "list"],
    ["search", "alpha"],
    ["xref", "evil-a"],
    ["path", "evil-a", "evil-stat"],
    ["graph"],
    ["graph", "--format", "mermaid"],
    ["validate"],
    ["show", "Twin"],  # ambiguous: the candidates are data
    ["show", "Alpha Markup Red"],  # not found: the suggestions are data
    ["official", "show", EVIL_ID],  # wrong type: the hint names the entity
]


SHOWN = (
    r"\x1b]0;PWNED\x07\x1b[2J\x1b[31mred\x0d\x08\x9b31m\u202eevil\u2066"  # as visible() shows it
)


def assert_inert(output: str) -> None:
    """No piece of the data's escape sequences, and no control character outside cpkb's own."""
    for payload in PAYLOADS:
        assert payload not in output, repr(payload)
    assert not RAW.search(OWN.sub("", output)), repr(RAW.search(OWN.sub("", output)))


@pytest.mark.parametrize(
    "args", COMMANDS, ids=lambda a: " ".join(a).encode("unicode_escape").decode()
)
def test_piped_output_is_inert(runner: CliRunner, hostile: Path, args: list[str]) -> None:
    wide = {"COLUMNS": "3000"}  # no table cell wraps, so whole strings can be looked for
    result = runner.invoke(app, ["--data", str(hostile), *args], env=wide)
    assert result.exit_code in (0, 1, 3), result.output
    for output in (result.stdout, result.stderr):
        assert "\x1b" not in output and not RAW.search(output)
    shown = (result.stdout + result.stderr).replace("\\\\", "\\")  # DOT doubles backslashes
    assert r"\x1b]0;PWNED\x07" in shown  # visibly escaped, not dropped
    if result.exit_code == 0 and args[0] not in ("info", "validate", "search"):
        assert SHOWN + "[bold red]markup[/][link=https://evil.example]click[/link]" in shown


@pytest.mark.parametrize("args", [["show", "evil-a"], ["stats"], ["sources"], ["graph", "--json"]])
def test_json_output_is_exact(runner: CliRunner, hostile: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["--data", str(hostile), *args, "--json"])
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.stdout)  # escaped as \\uXXXX: the same JSON, inert at a terminal
    assert any(EVIL in s for s in strings(json.loads(result.stdout)))


def test_show_json_round_trips_every_hostile_string(runner: CliRunner, hostile: Path) -> None:
    result = runner.invoke(app, ["--data", str(hostile), "show", "evil-a", "--json"])
    view = json.loads(result.stdout)
    assert view["name"] == "Alpha " + EVIL and view["summary"] == "S" + EVIL
    assert view["claims"][0]["qualifiers"] == {"k" + EVIL: "q" + EVIL}
    assert view["claims"][1]["target"]["id"] == EVIL_ID


def at_terminal(*args: str) -> tuple[int, bytes]:
    """Run `python -m cpkb` with stdout and stderr on a pseudo-terminal; what the terminal got."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPKB_", "NO_COLOR", "FORCE"))}
    env.update({"PYTHONPATH": str(SRC), "COLUMNS": "160", "LINES": "50", "TERM": "xterm-256color"})
    status, screen, _ = run_on_terminal(list(args), env=env)
    return status, screen


@pytest.mark.parametrize(
    "args",
    [c for c in COMMANDS if c[0] != "graph"],
    ids=lambda a: " ".join(a).encode("unicode_escape").decode(),
)
def test_terminal_output_is_inert(hostile: Path, args: list[str]) -> None:
    code, screen = at_terminal("--data", str(hostile), *args)
    assert code in (0, 1, 3), screen
    assert TITLE.encode() not in screen and b"\x07" not in screen and b"\x1b]" not in screen
    text = screen.decode("utf-8")
    assert_inert(text)
    assert r"\x1b]0;PWNED\x07" in text


def test_a_terminal_gets_colour_but_no_data_escapes(hostile: Path) -> None:
    code, screen = at_terminal("--data", str(hostile), "show", "evil-a")
    assert code == 0
    text = screen.decode("utf-8")
    assert SGR.search(text)  # Rich styled it: this really was a terminal
    assert SHOWN + "[bold red]markup[/]" in SGR.sub("", text)


@given(st.recursive(st.text() | st.integers() | st.floats(allow_nan=False) | st.none(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))  # fmt: skip
def test_json_escapes_exactly_the_characters_a_terminal_acts_on(data: object) -> None:
    text = dumps(data)
    assert json.loads(text) == data
    assert text == json.dumps(data, ensure_ascii=False, indent=2).translate(JSON_ESCAPES)


@pytest.mark.parametrize("code", sorted(JSON_ESCAPES))
def test_each_terminal_character_is_escaped(code: int) -> None:
    assert dumps(["a" + chr(code) + "b"]) == f'[\n  "a\\u{code:04x}b"\n]'
