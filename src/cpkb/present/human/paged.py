"""A long table printed a page of rows at a time, so that its first rows show (and the pager
starts) before the rest is laid out, yet printed exactly as the whole table would be.

Rich sizes a column from the widest reach of its cells: the longest word and the longest line
of each. A table of the few rows that hold those extremes therefore lays out as the whole one
does (fit.py's choice of widths, or stacking, included); the pages are then drawn at those
widths, each without the edges that would fall between pages.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import replace

from rich.console import Console, ConsoleOptions
from rich.table import Table
from rich.text import Text

from cpkb.present.human.fit import WIDE, Stacked, fitted, longest_word, rich_widths, stacked

PAGE = 100  # rows


def show_paged(grid: Table, console: Console) -> bool:
    """Print `grid` (each cell a Text) fitted to the console a page at a time; False, printing
    nothing, when it is not longer than a page or not made of Texts (the caller prints it)."""
    texts = all(isinstance(cell, Text) for column in grid.columns for cell in column.cells)
    if grid.row_count <= PAGE or not texts:
        return False
    laid = fitted(part(grid, extremes(grid, console)), console)
    if isinstance(laid, Stacked):
        for number, page in enumerate(pages(grid)):
            shown = stacked(page, console.width)
            console.print(Stacked(Text(""), *shown.renderables) if number else shown, crop=False)
        return True
    widths = rich_widths(laid, console)
    count = -(-grid.row_count // PAGE)
    for number, page in enumerate(pages(grid)):
        for column, width in zip(page.columns, widths, strict=True):
            column.width = width
        page.show_header = number == 0
        with console.capture() as captured:
            console.print(page)
        lines = captured.get().splitlines(keepends=True)
        first, last = (0 if number == 0 else 1), (len(lines) - (number < count - 1))
        console.file.write("".join(lines[first:last]))  # no edge between two pages
        console.file.flush()
    return True


def extremes(grid: Table, console: Console) -> list[int]:
    """The rows, in order, that hold some column's longest word or longest line."""
    wide = console.options.update_width(WIDE)
    found: set[int] = set()
    for column in grid.columns:
        reach = [_reach(console, wide, cell) for cell in column.cells]
        for key in range(3):
            found.add(max(range(len(reach)), key=lambda row: reach[row][key]))
    return sorted(found)


def _reach(console: Console, options: ConsoleOptions, cell: object) -> tuple[int, int, int]:
    """What Rich measures a cell by (its longest word and line), and fit's longest word."""
    assert isinstance(cell, Text)
    least, most = cell.__rich_measure__(console, options)
    return least, most, longest_word(console, options, cell)


def part(grid: Table, rows: Sequence[int]) -> Table:
    """A copy of `grid` with only these rows."""
    shown = copy.copy(grid)
    shown.columns = [replace(c, _cells=[c._cells[i] for i in rows]) for c in grid.columns]
    shown.rows = [grid.rows[i] for i in rows]
    return shown


def pages(grid: Table) -> Iterator[Table]:
    """`grid` a page of rows at a time, its title on the first only."""
    for start in range(0, grid.row_count, PAGE):
        page = part(grid, range(start, min(start + PAGE, grid.row_count)))
        if start:
            page.title = None
        yield page
