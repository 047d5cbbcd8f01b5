"""A parsed JSON document: paths into it, walking it, short safe renderings of its values, and
where a path's value starts in the text."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from typing import TypeAlias

Path: TypeAlias = tuple[str | int, ...]


class ParseProblem(Exception):
    """A structural problem at a JSON path, inside the entity or source `owner` if known."""

    def __init__(self, where: str, message: str, *, owner: str | None = None) -> None:
        self.where, self.problem, self.owner = where, message, owner
        super().__init__(self.describe())

    def describe(self) -> str:
        prefix = f"{self.owner}, " if self.owner else ""
        return f"{prefix}{self.where}: {self.problem}"


def brief(value: object, limit: int = 60) -> str:
    """A short, safe rendering of a data value for a message (never the whole of a huge value)."""
    if isinstance(value, str):
        return repr(value[:limit]) + ("…" if len(value) > limit else "")
    if value is None or isinstance(value, (bool, float)):
        return repr(value)
    if isinstance(value, int):
        return str(value) if value.bit_length() < 200 else f"a {len(str(value))}-digit number"
    return f"an {json_type(value)}"


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{0,59}")


def json_path(path: Path) -> str:
    """('entities', 3, 'id') -> '$.entities[3].id'; odd or huge keys go in brackets, shortened."""
    return "$" + "".join(step(p) for p in path)


def step(key: str | int) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    if _NAME.fullmatch(key):
        return f".{key}"
    return f"[{json.dumps(key[:60], ensure_ascii=True)}{'…' if len(key) > 60 else ''}]"


def walk(node: object, path: Path = ()) -> Iterator[tuple[Path, object]]:
    """Every value and key of a parsed document, with its path; iterative, so depth is free."""
    stack: list[tuple[Path, object]] = [(path, node)]
    while stack:
        at, value = stack.pop()
        yield at, value
        if isinstance(value, dict):
            for key in value:
                yield (*at, key), key
            stack.extend(((*at, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*at, i), v) for i, v in reversed(list(enumerate(value))))


Trie: TypeAlias = dict[str | int, "Trie"]
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(parse_int=len)  # skips values: an int's size, never its value


def value_lines(text: str, paths: set[Path]) -> dict[Path, int]:
    """The line where the value at each of `paths`, and at each of their parents, starts in `text`.

    `text` must be valid JSON. Only the containers on the way to `paths` are walked; everything
    else is skipped by the C parser. For a repeated key, the line of its last occurrence.
    """
    trie: Trie = {}
    for path in paths:
        node = trie
        for key in path:
            node = node.setdefault(key, {})
    offsets: dict[Path, int] = {}
    try:
        _visit(text, _skip(text, 0), trie, (), offsets)
    except (RecursionError, ValueError, IndexError):  # not the JSON it was said to be: no lines
        return {}
    newlines = [m.start() for m in re.finditer("\n", text)]
    return {path: bisect.bisect(newlines, offset) + 1 for path, offset in offsets.items()}


def _visit(text: str, start: int, trie: Trie, path: Path, offsets: dict[Path, int]) -> int:
    """Record where the value at `start` begins, visit the wanted children; return its end."""
    offsets[path] = start
    opener = text[start]
    if not trie or opener not in "{[":
        return _DECODER.raw_decode(text, start)[1]
    closer, index, i = "}" if opener == "{" else "]", 0, _skip(text, start + 1)
    while text[i] != closer:
        key: str | int = index
        if opener == "{":
            key, i = _DECODER.raw_decode(text, i)
            i = _skip(text, _skip(text, i) + 1)  # past the colon
        child = trie.get(key)
        if child is None:
            end = _DECODER.raw_decode(text, i)[1]
        else:
            end = _visit(text, i, child, (*path, key), offsets)
        i, index = _skip(text, end), index + 1
        if text[i] == ",":
            i = _skip(text, i + 1)
    return i + 1


def _skip(text: str, i: int) -> int:
    space = _SPACE.match(text, i)
    return space.end() if space else i


# Read left to right as a JSON reader does: an escaped backslash, a surrogate pair, or (group 1)
# a surrogate escape outside a pair. So "\\ud800" holds none: it is a backslash, then "ud800".
_SURROGATE_ESCAPES = re.compile(
    r"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|(\\u[dD][89a-fA-F])"
)


def lone_surrogates(text: str, document: object) -> Iterator[Path]:
    """Paths of strings holding half a UTF-16 surrogate pair: no output can show them."""
    if "\\" not in text or not any(m.lastindex for m in _SURROGATE_ESCAPES.finditer(text)):
        return  # the only way one gets in: a \u escape without its other half
    for at, value in walk(document):
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                yield at
