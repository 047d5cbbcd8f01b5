"""Tables that never split a word: each column is at least as wide as its longest word (an id,
a date, a number, a header; a URL may fold), or, when the terminal is too narrow for that, the
records are stacked as `field: value` lines, a blank line between records, as `gh` does.

Rich, left to itself, narrows the widest columns first and folds words that no longer fit
(`202 / 1-2` for a date, `statist / ic` for a header): its layout is kept when it splits no
word, else the widths are chosen here.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

WIDE = 1_000_000  # measuring at this width finds a cell's longest word and longest line


class Stacked(Group):
    """A table's records as `field: value` lines: printed uncropped, so that a word longer
    than the terminal runs on (the terminal wraps it) rather than being cut."""


def fitted(grid: Table, console: Console) -> Table | Stacked:
    """`grid` as Rich lays it out if that splits no word; else with column widths that split
    none; else, when even each column's longest word does not fit, its records stacked."""
    wide = console.options.update_width(WIDE)
    lows = [_column_range(console, wide, column) for column in grid.columns]
    riches = rich_widths(grid, console)
    if all(width >= low.minimum for width, low in zip(riches, lows, strict=True)):
        return grid
    room = sum(riches)
    if sum(low.minimum for low in lows) > room:
        return stacked(grid, console.width)
    highs = [low.maximum for low in lows]
    widths = shares([low.minimum for low in lows], highs, room)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    return grid


def rich_widths(grid: Table, console: Console) -> list[int]:
    """The width Rich gives each column's content at this console's width. Rich has no public
    call for it: these private ones have kept their meaning since Rich 10."""
    options = console.options.update_width(console.width - grid._extra_width)
    widths = grid._calculate_column_widths(console, options)
    return [w - grid._get_padding_width(i) for i, w in enumerate(widths)]


def _column_range(console: Console, options: ConsoleOptions, column: Column) -> Measurement:
    """A column's least width (its longest word, or `min_width`) and its widest line."""
    cells = (column.header, *column.cells)
    low = max((longest_word(console, options, cell) for cell in cells), default=1)
    high = max((Measurement.get(console, options, cell).maximum for cell in cells), default=1)
    low = max(low, column.min_width or 0)
    return Measurement(low, max(low, high))


URL = re.compile(r"\S*://\S*")  # a URL may fold: it is long, and nothing reads it by eye


def longest_word(console: Console, options: ConsoleOptions, cell: RenderableType) -> int:
    if isinstance(cell, str | Text):
        plain = URL.sub("", cell if isinstance(cell, str) else cell.plain)
        return max((cell_len(word) for word in plain.split()), default=0)
    return Measurement.get(console, options, cell).minimum


def shares(lows: list[int], highs: list[int], room: int) -> list[int]:
    """Widths from each column's least, the spare room shared in proportion to what each
    column could still use."""
    spare, wants = room - sum(lows), [h - lo for lo, h in zip(lows, highs, strict=True)]
    total = sum(wants) or 1
    widths = [lo + spare * want // total for lo, want in zip(lows, wants, strict=True)]
    left = room - sum(widths)
    for index in sorted(range(len(widths)), key=lambda i: -wants[i]):
        if left <= 0:
            break
        if widths[index] < highs[index]:
            widths[index] += 1
            left -= 1
    return widths


def stacked(grid: Table, width: int) -> Stacked:
    """Each record as `field: value` lines, a blank line between records."""
    lines: list[RenderableType] = []
    if grid.title:
        lines.append(_whole(grid.title, width, style="bold"))
    columns = [(str(c.header), list(c.cells)) for c in grid.columns]
    if not grid.show_header and len(columns) == 2:  # label and value: one record
        labels, values = columns[0][1], columns[1][1]
        lines += [
            _field(_plain(label), value, width) for label, value in zip(labels, values, strict=True)
        ]
        return Stacked(*lines)
    for row in range(grid.row_count):
        if lines:
            lines.append(Text(""))
        lines += [_field(header, cells[row], width) for header, cells in columns]
    if grid.caption:
        lines += [Text(""), _whole(grid.caption, width)]
    return Stacked(*lines)


def _whole(text: RenderableType, width: int, style: str = "") -> RenderableType:
    """A title or caption, wrapped at spaces only."""
    if isinstance(text, str):
        text = Text(text, style=style)
    return wrapped(text, width) if isinstance(text, Text) else text


def _plain(label: RenderableType) -> str:
    return label.plain if isinstance(label, Text) else str(label)


def _field(header: str, value: RenderableType, width: int) -> RenderableType:
    label = Text()
    label.append(f"{header}: ", style="bold")
    if not isinstance(value, Text):
        return Group(label, value)
    label.append_text(value)
    return wrapped(label, width)


def wrapped(text: Text, width: int) -> Text:
    """`text` broken into lines at spaces only: a word longer than the line is left whole
    (Rich would fold it), and Rich is told not to wrap it again."""
    lines: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        lines += line.divide(_breaks(line.plain, width))
    for line in lines:
        line.rstrip()  # the space a line was broken at
    shown = Text("\n").join(lines)
    shown.overflow = "ignore"
    return shown


def _breaks(plain: str, width: int) -> list[int]:
    """Where to break a line of `plain` so that each piece fits `width`, at spaces only."""
    breaks, start = [], 0
    for word in re.finditer(r"\S+\s*", plain):
        end = word.start() + len(word.group().rstrip())
        if word.start() > start and cell_len(plain[start:end]) > width:
            breaks.append(word.start())
            start = word.start()
    return breaks


def show_table(grid: Table, console: Console) -> None:
    """Print `grid` fitted to the console."""
    show_tables([grid], console)


def show_tables(grids: list[Table], console: Console) -> None:
    """Print tables fitted to the console, all stacked if any must be (they read as one)."""
    shown = [fitted(grid, console) for grid in grids]
    if not any(isinstance(s, Stacked) for s in shown):
        for grid in shown:
            console.print(grid)
        return
    for number, grid in enumerate(grids):
        if number:
            console.print()
        console.print(stacked(grid, console.width), crop=False)
