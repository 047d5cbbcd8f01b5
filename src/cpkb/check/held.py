"""Which held texts a data file names, for the caller to read and pass back (cpkb.check.context's
`Held`): check/ itself reads no file but the one it is given, as bytes.

Only the top level is read, as far as `schema_version` and `sources`: in a large file, the
entities that usually follow are never parsed.
"""

from __future__ import annotations

import json
from typing import Any

from cpkb.check.context import version_of
from cpkb.check.nodes import items_of, string_of
from cpkb.check.reader import BOM, KEY, ByteReader, Unusual

_WANTED = ("schema_version", "sources")


def held_files(raw: bytes) -> dict[str, str]:
    """The held text each source of a version-2 file names (`text_file`), by source id (the
    first source of an id), as written: relative to the data file's folder."""
    if b'"text_file"' not in raw:
        return {}
    try:
        top = _top_level(raw)
    except (Unusual, ValueError, RecursionError, IndexError):  # read it all, the careful way
        try:
            top = json.loads(raw.decode("utf-8-sig"))
        except (ValueError, RecursionError):  # validate reports why
            return {}
    if version_of(top) != 2:
        return {}
    found: dict[str, str] = {}
    for _, source in items_of(top, "sources"):
        source_id, file = string_of(source, "id"), string_of(source, "text_file")
        if source_id is not None and file is not None and file.strip():
            found.setdefault(source_id, file)
    return found


def _top_level(raw: bytes) -> dict[str, Any]:
    """The top-level values, read up to the last of `schema_version` and `sources` (raises
    Unusual, or ValueError, for anything out of the ordinary)."""
    reader = ByteReader(raw)
    i = reader.skip(len(BOM) if raw.startswith(BOM) else 0)
    reader.expect(i, b"{")
    top: dict[str, Any] = {}
    i = reader.skip(i + 1)
    while not all(key in top for key in _WANTED):
        key = reader.token(KEY.match(raw, i))
        i = reader.skip(reader.expect(reader.skip(reader.end), b":") + 1)
        if not isinstance(key, str) or key in top:
            raise Unusual("a repeated top-level key")
        top[key], i = reader.read(i, None)
        i = reader.skip(i)
        if raw[i : i + 1] == b"}":
            break
        i = reader.skip(reader.expect(i, b",") + 1)
    return top
