"""A long records table printed a page at a time (present/human/paged) is the very text of the
whole table printed at once, as fit.py lays it out: at any width (Rich's layout kept, widths
chosen to split no word, or records stacked), with or without colour, whichever row holds a
column's longest word or line, in characters that take one cell, two or none."""

from __future__ import annotations

import fcntl
import os
import random
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.table import Table

from cpkb.kb import store
from cpkb.present import human
from cpkb.present.human import base, fit, paged
from cpkb.present.rows import KINDS, Row
from cpkb.present.views import entities_view
from cpkb.query.current import Reading
from tests.ptys import read_to_end
from tests.synthetic import generator

ODD = [
    "漢字の名前 とても長い",  # two cells a character
    "👩\u200d👩\u200d👧 family",  # joined into one emoji
    "❤\ufe0f heart",  # a variation selector
    "e\u0301te\u0301 combining",  # marks of no width
    "\x1b[2J\u202e\tcontrols\nescaped",  # shown as escapes, on one line
    "see https://example.invalid/a/very/long/path/that/may/fold/anywhere/at/all",
    "Жұмабаева Динара Айдосқызы",  # Kazakh letters past Rich's one-cell ranges
    "",
]


def rows_of(count: int, seed: int) -> list[Row]:
    """Records whose extremes fall on rows chosen at random, beyond the first page."""
    pick = random.Random(seed)
    words = ["programme", "for", "children", "Qazaqstan", "Balalary", "2024–2026", "a"]
    rows: list[Row] = []
    for n in range(count):
        summary = " ".join(pick.choice(words) for _ in range(pick.randint(0, 14)))
        rows.append({"id": f"entity-{n}", "name": pick.choice(ODD[:-1]), "summary": summary})
    for text in ODD:
        rows[pick.randrange(paged.PAGE, count)]["summary"] = text
    rows[pick.randrange(count)]["name"] = "Averyveryverylongwordthatnocolumnwouldwanttosplit"
    rows[pick.randrange(count)]["name"] = " ".join(["many short words"] * 6)
    rows[pick.randrange(count)]["summary"] = "Qazaqstanbalalaryprogrammeforthechildren of"
    rows[pick.randrange(count)]["summary"] = None  # a missing value
    return rows


def generated_rows(tmp_path: Path) -> list[Row]:
    path = tmp_path / "kb.json"
    with path.open("w", encoding="utf-8") as out:
        generator().generate(1500, 3, out)
    kb = store.load(path)
    return list(KINDS["list"].rows(entities_view(kb, kb.of_type("official"), Reading.asked()), {}))


def printed(
    show: str, rows: list[Row], fields: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> str:
    """What `show_records` prints ("paged"), or the whole table fitted at once ("whole")."""
    capsys.readouterr()
    if show == "paged":
        human.show_records(iter(rows), fields, "Officials")
    else:
        fit.show_table(base.records_table(rows, fields, "Officials"), base.console())
    return capsys.readouterr().out


@pytest.mark.parametrize("colour", ["1", ""], ids=["colour", "plain"])
@pytest.mark.parametrize("count", [paged.PAGE + 1, 250, 300])
def test_a_table_printed_in_pages_is_the_whole_table(
    count: int, colour: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if colour:
        monkeypatch.setenv("FORCE_COLOR", colour)
    layouts = set()
    for width in (200, 120, 110, 105, 90, 70, 48, 40):
        monkeypatch.setenv("COLUMNS", str(width))
        for fields in (("id", "name", "summary"), ("summary", "id")):
            rows = rows_of(count, seed=width * count)
            whole = printed("whole", rows, fields, capsys)
            assert printed("paged", rows, fields, capsys) == whole, (width, fields)
            layouts.add(layout(base.records_table(rows, fields), width))
    assert layouts == {"Rich's", "chosen", "stacked"}  # each way a table is laid out


def test_a_generated_list_printed_in_pages_is_the_whole_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = generated_rows(tmp_path)
    assert len(rows) > 2 * paged.PAGE
    monkeypatch.setenv("FORCE_COLOR", "1")
    for width in (160, 90, 50):
        monkeypatch.setenv("COLUMNS", str(width))
        fields = KINDS["list"].defaults
        assert printed("paged", rows, fields, capsys) == printed("whole", rows, fields, capsys)


def layout(grid: Table, width: int) -> str:
    """How fit.py lays `grid` out at this width."""
    console = base.console()
    console.width = width
    riches = fit.rich_widths(grid, console)
    laid = fit.fitted(grid, console)
    if isinstance(laid, fit.Stacked):
        return "stacked"
    return "Rich's" if [c.width for c in grid.columns] == [None] * len(riches) else "chosen"


def test_a_short_table_is_left_to_its_caller() -> None:
    rows = rows_of(paged.PAGE + 1, seed=1)[: paged.PAGE]
    console = base.console()
    assert not paged.show_paged(rows, lambda row: [], lambda part: Table(), console)


@pytest.mark.parametrize("text", [*ODD, "plain words only", "  spaced   out  "])
def test_a_guess_is_within_its_bound_of_the_reach(text: str) -> None:
    shown = base.shown(text)
    (least, most, fits), off = paged._guess(shown)
    exact = paged.reach_of(shown)
    assert all(abs(g - e) <= off for g, e in zip((least, most, fits), exact, strict=True))


@pytest.mark.parametrize("wide", ["漢字漢字漢字漢字", "ｗｉｄｅ ｆｕｌｌ ｗｉｄｔｈ"])
def test_a_column_is_as_wide_as_its_widest_cells_not_its_most_characters(
    wide: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """More characters in an earlier row, more cells in a later one: the later sizes it."""
    monkeypatch.setenv("COLUMNS", "120")
    rows: list[Row] = [{"id": f"e-{n}", "name": "x"} for n in range(2 * paged.PAGE)]
    rows[5]["name"] = "a" * (len(wide) + 3)
    rows[150]["name"] = wide
    fields = ("id", "name")
    assert printed("paged", rows, fields, capsys) == printed("whole", rows, fields, capsys)


def resized_on_terminal(args: list[str], data: Path) -> list[str]:
    """The lines cpkb ARGS prints at a 200-column terminal narrowed to 60 columns once its first
    lines have come (Rich asks the terminal's width each time it is used)."""
    primary, secondary = os.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    command = [sys.executable, "-m", "cpkb", "--data", str(data), *args]
    process = subprocess.Popen(
        command, env={**env, "CPKB_PAGER": "cat"}, stdin=subprocess.DEVNULL, stdout=secondary
    )
    os.close(secondary)
    first = os.read(primary, 4096)
    fcntl.ioctl(primary, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 60, 0, 0))
    shown = first + read_to_end(primary)
    assert process.wait(timeout=60) == 0
    os.close(primary)
    text = re.sub(r"\x1b\[[0-9;]*m", "", shown.decode("utf-8"))
    return [line for line in text.split("\r\n") if line]


@pytest.mark.parametrize("args", [["official", "list"], ["stats"]])
def test_a_table_keeps_its_width_when_the_terminal_is_resized(
    tmp_path: Path, args: list[str]
) -> None:
    """One table, one layout: its later pages were laid out at the new width, out of line with
    its header."""
    data = tmp_path / "kb.json"
    with data.open("w", encoding="utf-8") as out:
        generator().generate(2000, 3, out)
    lines = resized_on_terminal(args, data)
    assert len(lines) > 4 * paged.PAGE
    assert {cell_len(line) for line in lines} == {200}
