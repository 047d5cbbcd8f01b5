"""The lines of the problems the fast path finds, counted only as far as the items they lie in."""

from __future__ import annotations

import bisect
import operator

from cpkb.check.scan import Scan
from cpkb.kb.document import Path, value_lines

Place = tuple[str, int]  # an item: its array and its index


def item_lines(raw: bytes, read: Scan, inside: dict[Place, set[Path]]) -> dict[Path, int]:
    """The line of each item (index -1: of a top-level value), and of the paths within it
    (relative to it), reading only those."""
    spans = {at: _span(read, *at) for at in inside}
    lines: dict[Path, int] = {}
    count = LineCount(raw, read)
    for at, _ in sorted(spans.items(), key=lambda pair: pair[1]):
        lines[_path(at)] = count.line(*at)
    for at, (start, end) in spans.items():
        within, base = inside[at] - {()}, _path(at)
        # An item on one line: every path in it is on that line (found in it or not).
        if within and raw.find(b"\n", start, end) >= 0:
            text = raw[start:end].decode("utf-8")
            for path, n in value_lines(text, within).items():
                lines[base + path] = lines[base] + n - 1
    return lines


def _path(at: Place) -> Path:
    return at[:1] if at[1] < 0 else at


def _span(read: Scan, name: str, index: int) -> tuple[int, int]:
    if index < 0:
        return read.spans[name]
    items = read.arrays[name]
    return items.starts[index], items.ends[index]


class LineCount:
    """The line of each item asked for, in the order of the file: line breaks are counted from
    one to the next, but not in the runs of items the memo knew, which hold as many as they did
    (see Layout.lines)."""

    def __init__(self, raw: bytes, read: Scan) -> None:
        self.raw, self.read = raw, read
        self.current, self.offset = 1, 0  # the line of the last byte asked for
        runs = []  # (start, end, line breaks) of each run of items placed
        for items in read.arrays.values():
            lines = items.layout.lines
            for k, first, count in items.placed:
                last = k + count - 1
                inner = self.raw.count(b"\n", items.starts[last], items.ends[last])
                breaks = lines[first + count - 1] - lines[first] + inner
                runs.append((items.starts[k], items.ends[last], breaks))
        self.runs = sorted(runs)
        self.run_starts = [run[0] for run in self.runs]

    def line(self, name: str, k: int) -> int:
        """The line item `k` of the array `name` (-1: the top-level value `name`) starts on
        (asked for in the file's order)."""
        if k < 0:
            return self.at(self.read.spans[name][0])
        items = self.read.arrays[name]
        j = bisect.bisect_right(items.placed, k, key=operator.itemgetter(0)) - 1
        if j >= 0 and k < items.placed[j][0] + items.placed[j][2]:
            first_k, first, _ = items.placed[j]
            lines = items.layout.lines
            return self.at(items.starts[first_k]) + lines[first + k - first_k] - lines[first]
        return self.at(items.starts[k])

    def at(self, start: int) -> int:
        """The line of byte `start`, not before the last asked for."""
        raw, breaks, offset = self.raw, 0, self.offset
        j = bisect.bisect_left(self.run_starts, offset)
        while j < len(self.runs) and self.runs[j][1] <= start:
            run_start, run_end, inside = self.runs[j]
            breaks += raw.count(b"\n", offset, run_start) + inside
            offset, j = run_end, j + 1
        self.current += breaks + raw.count(b"\n", offset, start)
        self.offset = start
        return self.current
