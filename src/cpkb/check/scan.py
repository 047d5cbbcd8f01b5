"""A data file read straight from its bytes, item by item, for `cpkb validate`'s fast path.

An item the memo knows is recognised by a hash of its bytes, unparsed (a run of RUN of them by
one hash): where it ends is guessed, and the guess taken only if the bytes up to there are a
remembered item. Other items are read carefully (cpkb.check.reader).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import repeat
from operator import add
from typing import Any

import orjson

from cpkb.check.memo import RUN, ItemMemo, Layout, item_hash, item_key, run_key
from cpkb.check.nodes import SPLIT
from cpkb.check.reader import (
    BOM,
    KEY,
    LINE_END_OR_COMMA,
    SCALAR,
    WHITE,
    ByteReader,
    Unusual,
    after_space,
)
from cpkb.kb import fastjson

_CLOSERS = {b"{": b"}", b"[": b"]", b'"': b'"'}  # the last byte of an item, by its first


@dataclass
class Items:
    """The items of one array, a list per field (a large file has 100,000): where each one's
    bytes lie, its key, its position in the memo's layout (-1 if none); the items read, by index."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    keys: list[bytes] = field(default_factory=list)
    known: list[int] = field(default_factory=list)
    read: dict[int, Any] = field(default_factory=dict)
    guessed: list[int] = field(default_factory=list)  # items whose end is guessed: read later
    layout: Layout = field(default_factory=Layout)  # the memo's, of this array
    placed: list[tuple[int, int, int]] = field(default_factory=list)  # runs: k, first, count

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, start: int, end: int, key: bytes, known: int = -1) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.keys.append(key)
        self.known.append(known)

    def add_run(self, layout: Layout, first: int, end: int, start: int) -> None:
        """Items [first, end) of `layout`, unchanged, the first of them now at `start`."""
        self.placed.append((len(self.keys), first, end - first))
        starts = list(map(add, layout.starts[first:end], repeat(start - layout.starts[first])))
        self.ends += map(add, starts, layout.lengths[first:end])
        self.starts += starts
        self.keys += layout.keys[first:end]
        self.known += range(first, end)

    def value(self, raw: bytes, k: int) -> Any:
        """Item `k` as the careful reader reads it (a remembered item is read again)."""
        if k in self.read:
            return self.read[k]
        data = raw[self.starts[k] : self.ends[k]]
        value = fastjson.loads(data)  # when it answers, it reads as the careful reader does
        return value if value is not None else json.loads(data.decode("utf-8"))

    def labels(self, raw: bytes, k: int) -> Any:
        """Item `k` with its strings, not always its numbers, as the careful reader reads them:
        an item not kept here passed that reader before, so orjson reads its strings alike."""
        if k in self.read:
            return self.read[k]
        try:
            return orjson.loads(raw[self.starts[k] : self.ends[k]])
        except orjson.JSONDecodeError:
            return self.value(raw, k)


@dataclass
class Scan:
    """The top level, with each array read item by item as a list of Nones; the items; where
    each top-level value lies."""

    top: dict[str, Any]
    arrays: dict[str, Items]
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


def scan(raw: bytes, memo: ItemMemo, *, guess: bool) -> Scan:
    """The file's top level and items; raises Unusual (say, a repeated top-level key, or a value
    that holds what only the careful path reports) for the careful path to read the file instead.

    With `guess`, an unknown item that seems to end its line is left to `read_guessed`, which
    worker processes run.
    """
    return _Reader(raw, memo, guess=guess).top()


class _Reader(ByteReader):
    def __init__(self, raw: bytes, memo: ItemMemo, *, guess: bool) -> None:
        super().__init__(raw)
        self.memo, self.guess = memo, guess
        self.layout = Layout()  # of the array being read, in the memo
        self.shift = 0  # the index of the item at the same place last time, less its index now

    def top(self) -> Scan:
        raw = self.raw
        i = self.skip(len(BOM) if raw.startswith(BOM) else 0)
        self.expect(i, b"{")
        top: dict[str, Any] = {}
        arrays: dict[str, Items] = {}
        spans: dict[str, tuple[int, int]] = {}
        i = self.skip(i + 1)
        while True:
            key = self.token(KEY.match(raw, i))
            if not isinstance(key, str) or key in top:
                raise Unusual("a repeated top-level key")
            begin = i = self.skip(self.expect(self.skip(self.end), b":") + 1)
            if key in SPLIT and raw[i : i + 1] == b"[":
                arrays[key], i = self.array(key, i)
                top[key] = [None] * len(arrays[key])
            elif raw[i : i + 1] in (b"[", b"{"):  # a version-2 `properties`, say: read whole
                top[key], i = self.read(i, None)
            else:
                top[key] = self.token(SCALAR.match(raw, i))
                i = self.end
            spans[key] = (begin, i)
            i = self.skip(i)
            if raw[i : i + 1] == b"}":
                break
            i = self.skip(self.expect(i, b",") + 1)
        if self.skip(i + 1) != len(raw):
            raise Unusual("not only white space after the top level")
        return Scan(top, arrays, spans)

    def array(self, name: str, i: int) -> tuple[Items, int]:
        """The items of the array at `i`, and where it ends."""
        items = Items()
        self.shift = 0
        self.layout = items.layout = self.memo.layouts.get(name) or Layout()
        i = self.skip(i + 1)
        if self.raw[i : i + 1] == b"]":
            return items, i + 1
        while True:  # at the start of an item
            if self.layout.keys:  # the memo knows items of this array
                i, closed = self.runs(name, i, items)
                if closed:
                    return items, i
                count = len(items)
                i, closed = self.hits(name, i, items)
                if closed:
                    return items, i
                if len(items) > count and self.layout.run(len(items) + self.shift):
                    continue  # a run may start here
            i, closed = self.other(name, i, items)
            if closed:
                return items, i

    def other(self, name: str, i: int, items: Items) -> tuple[int, bool]:
        """The item at `i`, known to the memo by its place, or guessed, or read; then as
        `separator`."""
        known = self.known(name, i, len(items))
        end = known or self.guessed(i, items) or self.unknown(i, items)
        key = item_key(name, self.raw[i:end])
        items.add(i, end, key, self.layout.positions[key] if known else -1)
        return self.separator(end)

    def runs(self, name: str, i: int, items: Items) -> tuple[int, bool]:
        """Runs of items the memo knows, unchanged, from `i` on (one hash a run); then as
        `separator`."""
        while (run := self.layout.run(len(items) + self.shift)) is not None:
            first, end = run
            starts, lengths = self.layout.starts, self.layout.lengths
            size = starts[end - 1] + lengths[end - 1] - starts[first]
            data = memoryview(self.raw)[i : i + size]
            if run_key(name, data) != self.layout.runs[first // RUN]:
                break
            items.add_run(self.layout, first, end, i)
            self.last_size = lengths[end - 1]
            i, closed = self.separator(i + size)
            if closed:
                return i, True
        return i, False

    def separator(self, i: int) -> tuple[int, bool]:
        """After an item: past the closing bracket (True), or at the next item (False)."""
        i = self.skip(i)
        if self.raw[i : i + 1] == b"]":
            return i + 1, True
        return self.skip(self.expect(i, b",") + 1), False

    def hits(self, name: str, i: int, items: Items) -> tuple[int, bool]:
        """Items the memo knows that end their lines, from `i` on up to where a run may start;
        then as `separator`. The common case after an edit: `line_end`, `separator`, `skip` and
        `item_key` are written out here, for speed."""
        raw, positions, sizes = self.raw, self.layout.positions, self.layout.sizes
        find, view, base, size = raw.find, memoryview(raw), item_hash(name), len(raw)
        starts, ends, keys, known = items.starts, items.ends, items.keys, items.known
        first = len(keys)
        while len(keys) == first or (len(keys) + self.shift) % RUN:  # a run may start there
            end = find(b"\n", i)
            end = size if end < 0 else end
            while end > i and raw[end - 1] in LINE_END_OR_COMMA:
                end -= 1
            if end - i not in sizes:  # no item of that size: spare the hash
                return i, False
            digest = base.copy()
            digest.update(view[i:end])
            key = digest.digest()[:16]
            after = after_space(raw, end) if raw[end : end + 1] in WHITE else end
            separator = raw[after : after + 1]
            if key not in positions or separator not in (b",", b"]"):
                return i, False
            self.shift = positions[key] - len(keys)  # items were added or removed before
            starts.append(i)
            ends.append(end)
            keys.append(key)
            known.append(positions[key])
            self.last_size = end - i
            if separator == b"]":
                return after + 1, True
            i = after + 1
            if raw[i : i + 1] in WHITE:
                i = after_space(raw, i)
        return i, False

    def known(self, name: str, start: int, k: int) -> int | None:
        """Where item `k`, at `start`, ends if the memo knows it: with the length of the item at
        its place last time or next to it (self.shift follows insertions and removals)."""
        lengths = self.layout.lengths
        place, tried = k + self.shift, {self.line_end(start)}
        for index in (place, place + 1, place - 1):
            if not 0 <= index < len(lengths) or start + lengths[index] in tried:
                continue
            end = start + lengths[index]
            tried.add(end)
            if self.remembered(name, start, end):
                self.shift, self.last_size = index - k, end - start
                return end
        return None

    def remembered(self, name: str, start: int, end: int) -> bool:
        """Whether the memo knows the bytes [start, end) as an item, and an item may end there."""
        if end - start not in self.layout.sizes:  # no item of that size: spare the hash
            return False
        after = self.skip(end)
        if self.raw[after : after + 1] not in (b",", b"]"):
            return False
        return item_key(name, self.raw[start:end]) in self.layout.positions

    def guessed(self, start: int, items: Items) -> int | None:
        """Where the item at `start` ends if it seems alone on its line (see `scan`): at the
        line's last byte that can end it (`}` for an object), if a separator follows."""
        raw, closer = self.raw, _CLOSERS.get(self.raw[start : start + 1])
        line = raw.rfind(b"\n", 0, start) + 1
        if not self.guess or closer is None or raw[line:start].strip(LINE_END_OR_COMMA):
            return None
        end = raw.rfind(closer, start + 1, self.line_end(start)) + 1
        after = self.skip(end)
        if end <= start or raw[after : after + 1] not in (b",", b"]"):
            return None
        items.guessed.append(len(items))
        return end

    def unknown(self, start: int, items: Items) -> int:
        """Read the item at `start`; where it ends."""
        items.read[len(items)], end = self.read(start, None)
        self.last_size = end - start
        return end
