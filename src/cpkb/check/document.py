"""A data file read whole, the careful way, noting where its top-level values and items lie.

Knowing where each source and entity lies, a problem is located by reading only its item. What
keeps the file from being read at all raises Stop, with the problem to report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cpkb.check.nodes import SPLIT
from cpkb.check.problems import Problem, Read, Span, Spans
from cpkb.check.rules import RULES
from cpkb.kb.document import json_type
from cpkb.kb.jsonread import Hooks, Notes

DEEP = "nested too deeply to read (thousands of levels of arrays or objects)"
_SPACE = re.compile(r"[ \t\n\r]*")


class Stop(Exception):
    """The file cannot be read: `problem` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class Parsed(Notes):
    document: Any = None
    spans: Spans | None = None


def reread(raw: bytes) -> Read:
    """The document of `raw`, its text and spans; nothing if it cannot be read."""
    try:
        text = decode(raw)
        parsed = parse(text)
    except Stop:
        return None, "", None
    return parsed.document, text, parsed.spans


def decode(raw: bytes) -> str:
    """The text of `raw`; raises Stop if it is not UTF-8 or holds only white space."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        message = f"not UTF-8: byte 0x{raw[exc.start]:02x} at line {line}, column {column}"
        raise Stop(Problem(RULES["E002"], message, line=line)) from None
    if not text.strip():
        raise Stop(Problem(RULES["E003"], "the file is empty" + " (only white space)" * bool(text)))
    return text


def parse(text: str) -> Parsed:
    """The document, what the reader noted, and its spans; raises Stop unless it is an object."""
    parsed = Parsed()
    hooks = Hooks(parsed)
    try:
        parsed.document, parsed.spans = _read(text, hooks)
    except Exception:  # anything _read does not expect: json.loads decides, with its messages
        parsed.clear()
        parsed.document = _loads(text, hooks)
    if not isinstance(parsed.document, dict):
        message = f"the top level must be an object, not {json_type(parsed.document)}"
        raise Stop(Problem(RULES["E004"], message, path="$", line=1))
    return parsed


def _loads(text: str, hooks: Hooks) -> Any:
    try:
        return hooks.loads(text)
    except json.JSONDecodeError as exc:
        message = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise Stop(Problem(RULES["E001"], message, line=exc.lineno)) from None
    except RecursionError:
        raise Stop(Problem(RULES["E005"], DEEP)) from None


def _read(text: str, hooks: Hooks) -> tuple[dict[str, Any], Spans | None]:
    """The top-level object, read as json.loads reads it, and where its parts lie in `text`.

    Raises on anything but a well-formed object, for json.loads to report.
    """
    decode = hooks.decoder().raw_decode
    start = i = _skip(text, 0)
    if text[i] != "{":
        raise ValueError("not an object")
    pairs: list[tuple[str, Any]] = []
    values: dict[str, Span] = {}
    items: dict[str, list[Span]] = {}
    i = _skip(text, i + 1)
    while text[i] != "}" or pairs:
        if text[i] != '"':
            raise ValueError("not a key")
        key, i = decode(text, i)
        i = _skip(text, i)
        if text[i] != ":":
            raise ValueError("no colon")
        begin = i = _skip(text, i + 1)
        if key in SPLIT and text[i] == "[":
            value, i, items[key] = _read_array(text, i, decode)
        else:
            value, i = decode(text, i)
            items.pop(key, None)
        values[key] = (begin, i)
        pairs.append((key, value))
        i = _skip(text, i)
        if text[i] == "}":
            break
        if text[i] != ",":
            raise ValueError("no comma")
        i = _skip(text, i + 1)
    if _skip(text, i + 1) != len(text):
        raise ValueError("extra data")
    document = hooks.pairs(pairs)
    # A repeated top-level key: value_lines, over the whole text, locates its parts.
    return document, Spans(start, values, items) if len(document) == len(pairs) else None


def _skip(text: str, i: int) -> int:
    """The index of the first character from `i` on that is not JSON white space."""
    space = _SPACE.match(text, i)
    return space.end() if space else i


def _read_array(
    text: str, i: int, decode: Callable[[str, int], tuple[Any, int]]
) -> tuple[list[Any], int, list[Span]]:
    """The array at text[i], each item read on its own; (items, end, item spans)."""
    values: list[Any] = []
    spans: list[Span] = []
    i = _skip(text, i + 1)
    if text[i] == "]":
        return values, i + 1, spans
    while True:
        value, end = decode(text, i)
        values.append(value)
        spans.append((i, end))
        i = _skip(text, end)
        if text[i] == "]":
            return values, i + 1, spans
        if text[i] != ",":
            raise ValueError("no comma")
        i = _skip(text, i + 1)
