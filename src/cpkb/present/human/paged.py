"""A long table printed a page of rows at a time, so that its first rows show (and the pager
starts) before the rest is laid out, yet printed exactly as the whole table would be.

Rich sizes a column from the widest reach of its cells: the longest word and the longest line
of each. A table of the few rows that hold those extremes therefore lays out as the whole one
does (fit.py's choice of widths, or stacking, included); the pages are then drawn at those
widths, each without the edges that would fall between pages. The extremes are found from the
cells' plain text, counted in characters where each is known to take one cell, and measured
in cells (as Rich does) only where the count could be off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import TypeVar

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cpkb.present.human.fit import URL, Stacked, fitted, rich_widths, stacked

R = TypeVar("R")
Reach = tuple[int, int, int]

PAGE = 100  # rows


def show_paged(
    rows: Sequence[R],
    cells: Callable[[R], list[str]],
    draw: Callable[[Sequence[R]], Table],
    console: Console,
) -> bool:
    """Print the table `draw` makes of `rows` fitted to the console, a page at a time (`cells`:
    a row's plain text in each column, as drawn); False, printing nothing, when there is not
    more than a page (the caller prints the table)."""
    if len(rows) <= PAGE:
        return False
    laid = fitted(draw([rows[i] for i in extremes([cells(row) for row in rows])]), console)
    pages = [rows[start : start + PAGE] for start in range(0, len(rows), PAGE)]
    widths = [] if isinstance(laid, Stacked) else rich_widths(laid, console)
    for number, page in enumerate(pages):
        grid = draw(page)
        if number:
            grid.title = None
        if isinstance(laid, Stacked):
            shown = stacked(grid, console.width)
            console.print(Stacked(Text(""), *shown.renderables) if number else shown, crop=False)
            continue
        grid.show_header = number == 0
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width
        with console.capture() as captured:
            console.print(grid)
        lines = captured.get().splitlines(keepends=True)
        last = len(lines) - (number < len(pages) - 1)
        console.file.write("".join(lines[(number > 0) : last]))  # no edge between two pages
        console.file.flush()
    return True


def extremes(rows: list[list[str]]) -> list[int]:
    """The rows, in order, that hold some column's longest word or longest line (`reach`)."""
    found: set[int] = set()
    for column in zip(*rows, strict=True):
        guessed = [_guess(text) for text in column]
        for n in range(3):
            floor = max(reach[n] - off for reach, off in guessed)
            near = [row for row, (reach, off) in enumerate(guessed) if reach[n] + off >= floor]
            found.add(max(near, key=lambda row: reach_of(column[row])[n]))
    return sorted(found)


def reach_of(text: str) -> Reach:
    """What Rich measures a cell of `text` by (its longest word, its longest line, in cells),
    and fit's longest word (URLs left out)."""
    most = max(map(cell_len, text.splitlines()), default=0)
    least = max(map(cell_len, text.split()), default=most)
    return least, most, max(map(cell_len, URL.sub("", text).split()), default=0)


def _guess(text: str) -> tuple[Reach, int]:
    """`reach_of` counted in characters, and by how much it may be off: a cell for each
    character not known to take one (it may take none, or two; and a joiner or a variation
    selector may join characters into one of two cells)."""
    if "://" in text:
        return reach_of(text), 0
    joined = "\u200d" in text or "\ufe0f" in text
    off = len(text) if joined else len(text.translate(_one_cell()))
    most = max(map(len, text.splitlines()), default=0)
    word = max(map(len, text.split()), default=-1)
    return (most if word < 0 else word, most, max(word, 0)), off


@cache
def _one_cell() -> dict[int, None]:
    """A table that deletes each character Rich counts as one cell (up to U+2FFF)."""
    return {code: None for code in range(0x20, 0x3000) if cell_len(chr(code)) == 1}
