"""Careful reading of single JSON values straight from a data file's bytes, for the fast path.

A value is read by the careful reader (cpkb.kb.jsonread); anything only the careful, whole-document
path reports (a repeated key, an odd number, a lone surrogate, a control character, bytes that
are not UTF-8 or not JSON) raises Unusual, and that path reads the file instead.
"""

from __future__ import annotations

import re
from typing import Any

from cpkb.check.controls import may_hold_control_characters
from cpkb.kb import fastjson
from cpkb.kb.document import lone_surrogates
from cpkb.kb.jsonread import Hooks, Notes

BOM = b"\xef\xbb\xbf"
WHITE = (b" ", b"\t", b"\n", b"\r")
LINE_END = b" \t\r"
LINE_END_OR_COMMA = b" \t\r,"
_SPACE = re.compile(rb"[ \t\n\r]*")
_STRING = rb'"(?:[^"\\]|\\.)*"'
KEY = re.compile(_STRING, re.DOTALL)
SCALAR = re.compile(
    _STRING + rb"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null", re.DOTALL
)
_WINDOW = 1024  # bytes decoded at least to read an item the memo does not know


class Unusual(Exception):
    """Something the fast path leaves to the careful one."""


class Misread(Exception):
    """A guess was wrong: the bytes of a line are not exactly one item."""


def after_space(raw: bytes, i: int) -> int:
    """The index of the first byte from `i` on that is not JSON white space."""
    space = _SPACE.match(raw, i)
    return space.end() if space else i


def read_guessed(raw: bytes, start: int, end: int) -> Any:
    """The item guessed to lie in bytes [start, end), read carefully; raises Misread if they
    are not exactly one JSON value, Unusual if it holds what only the careful path reports."""
    notes = Notes()
    data = raw[start:end]
    value = fastjson.loads(data)  # when it answers, it reads as the careful reader does
    if value is not None:
        notice(notes, "", value, data)
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
    notice(notes, text, value, data)
    return value


def notice(notes: Notes, text: str, value: Any, data: bytes) -> None:
    """Raise Unusual if what was just read holds what only the careful path reports."""
    if notes.duplicates or notes.odd_numbers:
        raise Unusual("a repeated key or an odd number")
    if "\\" in text and next(lone_surrogates(text, value), None) is not None:
        raise Unusual("a lone surrogate")
    if may_hold_control_characters(data):
        raise Unusual("control characters")


class ByteReader:
    """Tokens and values read from bytes, the end of the last in `end`; raises Unusual."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.notes = Notes()
        self.decode = Hooks(self.notes).decoder().raw_decode
        self.last_size = 0  # of the last item read: the next is likely of about the same size
        self.end = 0  # of the last token read

    def skip(self, i: int) -> int:
        """The index of the first byte from `i` on that is not JSON white space."""
        if self.raw[i : i + 1] not in WHITE:
            return i
        space = _SPACE.match(self.raw, i)
        return space.end() if space else i

    def expect(self, i: int, byte: bytes) -> int:
        if self.raw[i : i + 1] != byte:
            raise Unusual(f"no {byte!r}")
        return i

    def token(self, match: re.Match[bytes] | None) -> Any:
        """The value of a key or scalar matched by KEY or SCALAR; its end in self.end."""
        if match is None:
            raise Unusual("not a key or scalar")
        value, end = self.read(match.start(), match.end())
        if end != match.end():
            raise Unusual("not a key or scalar")
        self.end = end
        return value

    def line_end(self, start: int) -> int:
        """Where the line from `start` ends, before any comma and white space."""
        raw = self.raw
        line = raw.find(b"\n", start)
        end = len(raw) if line < 0 else line
        while end > start and raw[end - 1] in LINE_END:
            end -= 1
        if raw[end - 1 : end] == b",":
            end -= 1
            while end > start and raw[end - 1] in LINE_END:
                end -= 1
        return end

    def read(self, start: int, end: int | None) -> tuple[Any, int]:
        """The value at `start` read carefully (up to `end` if known), and where it ends."""
        text, value, length = self.parse(start, end)
        stop = start + (length if text.isascii() else len(text[:length].encode()))
        notice(self.notes, text[:length], value, self.raw[start:stop])
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
