"""Reading a data file straight from its bytes, item by item, for `cpkb validate`'s fast path.

The top level is read token by token and each source and entity on its own, so that an item the
memo (cpkb.itemcache) knows is recognised by a hash of its bytes without being parsed or decoded:
where an item ends is guessed (at the end of its line, or at its length last time) and the guess
is taken only when the bytes up to it are a remembered item, whose end is then certain, a JSON
value being self-delimiting. Faster still, a run of items the memo knows, unchanged with the
separators between them, is recognised by one hash of its bytes (see cpkb.itemcache.Layout).
Other items are read by the careful reader (cpkb.jsonread).

Anything out of the ordinary raises Unusual, and the file is read the careful way (cpkb.validate):
not UTF-8, not JSON, a repeated key, an odd number, a lone surrogate, a control character, a top
level holding more than strings, numbers, literals and the arrays read item by item.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import repeat
from operator import add
from typing import Any

import orjson

from cpkb.check.controls import may_hold_control_characters
from cpkb.check.memo import RUN, ItemMemo, Layout, item_hash, item_key, run_key
from cpkb.kb import fastjson
from cpkb.kb.jsonread import Hooks, Notes
from cpkb.kb.parse import lone_surrogates

SPLIT = ("sources", "entities")  # the top-level arrays read item by item
BOM = b"\xef\xbb\xbf"
_SPACE = re.compile(rb"[ \t\n\r]*")
_STRING = rb'"(?:[^"\\]|\\.)*"'
_KEY = re.compile(_STRING, re.DOTALL)
_SCALAR = re.compile(
    _STRING + rb"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null", re.DOTALL
)
_LINE_END = b" \t\r"
_LINE_END_OR_COMMA = b" \t\r,"
_WHITE = (b" ", b"\t", b"\n", b"\r")
_CLOSERS = {b"{": b"}", b"[": b"]", b'"': b'"'}  # the last byte of an item, by its first
_WINDOW = 1024  # bytes decoded at least to read an item the memo does not know


def _after_space(raw: bytes, i: int) -> int:
    """The index of the first byte from `i` on that is not JSON white space."""
    space = _SPACE.match(raw, i)
    return space.end() if space else i


class Unusual(Exception):
    """Something the fast path leaves to the careful one."""


@dataclass
class Items:
    """The items of one array, column by column (a large file has a hundred thousand): where
    each one's bytes lie, their key, and the position of the same item in the memo's layout
    (-1 if it has none); the items the memo did not know, read, by index."""

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
        """Item `k`, its strings as the careful reader reads them (not always its numbers: orjson
        reads an integer beyond 64 bits as a float). An item not kept here was read carefully
        before (last time, or by a worker process): UTF-8 JSON with no repeated key and no lone
        surrogate, whose strings orjson reads alike.
        """
        if k in self.read:
            return self.read[k]
        try:
            return orjson.loads(raw[self.starts[k] : self.ends[k]])
        except orjson.JSONDecodeError:
            return self.value(raw, k)


@dataclass
class Scan:
    """The top level, with each array read item by item as a list of Nones; the items."""

    top: dict[str, Any]
    arrays: dict[str, Items]


def scan(raw: bytes, memo: ItemMemo, *, guess: bool) -> Scan:
    """The file's top level and items; raises Unusual for the careful path to read it instead.

    With `guess`, an item the memo does not know and that seems to end its line is not read:
    its end is guessed, and it is to be read with `read_guessed` (by worker processes).
    """
    return _Reader(raw, memo, guess=guess).top()


class Misread(Exception):
    """A guess was wrong: the bytes of a line are not exactly one item."""


def read_guessed(raw: bytes, start: int, end: int) -> Any:
    """The item guessed to lie in bytes [start, end), read carefully; raises Misread if they
    are not exactly one JSON value, Unusual if it holds what only the careful path reports."""
    notes = Notes()
    data = raw[start:end]
    value = fastjson.loads(data)  # when it answers, it reads as the careful reader does
    if value is not None:
        _notice(notes, "", value, data)
        return value
    try:
        text = data.decode("utf-8")
        value, length = Hooks(notes).decoder().raw_decode(text)
    except RecursionError:
        raise Unusual("nested too deeply") from None
    except ValueError:  # not UTF-8 or not JSON: not one item, or a broken one (read again)
        raise Misread from None
    if length != len(text):
        raise Misread
    _notice(notes, text, value, data)
    return value


def _notice(notes: Notes, text: str, value: Any, data: bytes) -> None:
    """Raise Unusual if what was just read holds what only the careful path reports."""
    if notes.duplicates or notes.odd_numbers:
        raise Unusual("a repeated key or an odd number")
    if "\\" in text and next(lone_surrogates(text, value), None) is not None:
        raise Unusual("a lone surrogate")
    if may_hold_control_characters(data):
        raise Unusual("control characters")


class _Reader:
    def __init__(self, raw: bytes, memo: ItemMemo, *, guess: bool) -> None:
        self.raw, self.memo, self.guess = raw, memo, guess
        self.notes = Notes()
        self.decode = Hooks(self.notes).decoder().raw_decode
        self.layout = Layout()  # of the array being read, in the memo
        self.last_size = 0  # of the last item read: the next is likely of about the same size
        self.shift = 0  # the index of the item at the same place last time, less its index now
        self.end = 0  # of the last token read

    def top(self) -> Scan:
        raw = self.raw
        i = self.skip(len(BOM) if raw.startswith(BOM) else 0)
        self.expect(i, b"{")
        top: dict[str, Any] = {}
        arrays: dict[str, Items] = {}
        i = self.skip(i + 1)
        while True:
            key = self.token(_KEY.match(raw, i))
            if not isinstance(key, str) or key in top:
                raise Unusual("a repeated top-level key")
            i = self.skip(self.expect(self.skip(self.end), b":") + 1)
            if key in SPLIT and raw[i : i + 1] == b"[":
                arrays[key], i = self.array(key, i)
                top[key] = [None] * len(arrays[key])
            else:
                top[key] = self.token(_SCALAR.match(raw, i))
                i = self.end
            i = self.skip(i)
            if raw[i : i + 1] == b"}":
                break
            i = self.skip(self.expect(i, b",") + 1)
        if self.skip(i + 1) != len(raw):
            raise Unusual("not only white space after the top level")
        return Scan(top, arrays)

    def skip(self, i: int) -> int:
        """The index of the first byte from `i` on that is not JSON white space."""
        if self.raw[i : i + 1] not in _WHITE:
            return i
        space = _SPACE.match(self.raw, i)
        return space.end() if space else i

    def expect(self, i: int, byte: bytes) -> int:
        if self.raw[i : i + 1] != byte:
            raise Unusual(f"no {byte!r}")
        return i

    def token(self, match: re.Match[bytes] | None) -> Any:
        """The value of a top-level key or scalar; its end in self.end."""
        if match is None:
            raise Unusual("not a key or scalar")
        value, end = self.read(match.start(), match.end())
        if end != match.end():
            raise Unusual("not a key or scalar")
        self.end = end
        return value

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
        """Runs of items the memo knows, as they were, from `i` on (one hash for each run);
        then as `separator`."""
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
        """Items the memo knows, that end their lines, from `i` on, up to where a run of them
        may start: the common case after an edit, made fast (`line_end`, `separator`, `skip`
        and `item_key` written out, the bytes hashed in place). Then as `separator`: past the
        end of the array, or at the start of an item."""
        raw, positions, sizes = self.raw, self.layout.positions, self.layout.sizes
        find, view, base, size = raw.find, memoryview(raw), item_hash(name), len(raw)
        starts, ends, keys, known = items.starts, items.ends, items.keys, items.known
        first = len(keys)
        while len(keys) == first or (len(keys) + self.shift) % RUN:  # a run may start there
            end = find(b"\n", i)
            end = size if end < 0 else end
            while end > i and raw[end - 1] in _LINE_END_OR_COMMA:
                end -= 1
            if end - i not in sizes:  # no item of that size: spare the hash
                return i, False
            digest = base.copy()
            digest.update(view[i:end])
            key = digest.digest()[:16]
            after = _after_space(raw, end) if raw[end : end + 1] in _WHITE else end
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
            if raw[i : i + 1] in _WHITE:
                i = _after_space(raw, i)
        return i, False

    def known(self, name: str, start: int, k: int) -> int | None:
        """Where item `k`, at `start`, ends if the memo knows it: after as many bytes as the
        item at its place last time, or just before or after it, if items were added or removed
        (self.shift follows them). `hits` tried the end of its line."""
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

    def line_end(self, start: int) -> int:
        """Where the line from `start` ends, before any comma and white space."""
        raw = self.raw
        line = raw.find(b"\n", start)
        end = len(raw) if line < 0 else line
        while end > start and raw[end - 1] in _LINE_END:
            end -= 1
        if raw[end - 1 : end] == b",":
            end -= 1
            while end > start and raw[end - 1] in _LINE_END:
                end -= 1
        return end

    def remembered(self, name: str, start: int, end: int) -> bool:
        """Whether the memo knows the bytes [start, end) as an item, and an item may end there."""
        if end - start not in self.layout.sizes:  # no item of that size: spare the hash
            return False
        after = self.skip(end)
        if self.raw[after : after + 1] not in (b",", b"]"):
            return False
        return item_key(name, self.raw[start:end]) in self.layout.positions

    def guessed(self, start: int, items: Items) -> int | None:
        """Where the item at `start` ends if it seems to be alone on its line (see `scan`): at
        the last byte on the line that can end it (`}` for an object), if a separator follows."""
        raw, closer = self.raw, _CLOSERS.get(self.raw[start : start + 1])
        line = raw.rfind(b"\n", 0, start) + 1
        if not self.guess or closer is None or raw[line:start].strip(_LINE_END_OR_COMMA):
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

    def read(self, start: int, end: int | None) -> tuple[Any, int]:
        """The value at `start` read carefully (up to `end` if known), and where it ends."""
        text, value, length = self.parse(start, end)
        stop = start + (length if text.isascii() else len(text[:length].encode()))
        _notice(self.notes, text[:length], value, self.raw[start:stop])
        return value, stop

    def parse(self, start: int, end: int | None) -> tuple[str, Any, int]:
        """Decode and read bytes from `start` (to `end`, or in growing windows until a value is
        read that ends before the window does); the text, the value and its length in it."""
        raw, size = self.raw, max(_WINDOW, 2 * self.last_size)
        while True:
            stop = end if end is not None else min(len(raw), start + size)
            while stop < len(raw) and 0x80 <= raw[stop] < 0xC0:  # not inside a character
                stop += 1
            try:
                text = raw[start:stop].decode("utf-8")
                value, length = self.decode(text)
            except RecursionError:
                raise Unusual("nested too deeply") from None
            except ValueError:  # not UTF-8 or not JSON, or not all of the value yet
                if end is not None or stop == len(raw):
                    raise Unusual("not UTF-8 or not JSON") from None
            else:
                if end is not None or length < len(text) or stop == len(raw):
                    return text, value, length
            size *= 4
