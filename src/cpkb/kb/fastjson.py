"""A fast JSON reader that answers only when it reads a file exactly as the careful one would.

orjson parses a large data file several times faster than the standard library, but it keeps
the last of repeated keys, where cpkb must refuse them, and reads integers beyond 64 bits as
floats. `loads` returns None whenever either may have happened, or orjson refuses the bytes
(bad syntax, a byte-order mark, NaN, lone surrogates, deep nesting): the caller then reads the
file with the careful reader, which also words the error.
"""

from __future__ import annotations

from typing import Any

import orjson


def loads(raw: bytes) -> Any | None:
    """The parsed document, or None when only the careful reader can tell what it holds.

    Repeated keys are ruled out by counting quote bytes. In the file there are two per string
    (keys and string values) plus one per quote character inside a string, provided none is
    written as \\u0022; orjson writes the parsed document the same way. Dropping a repeated key
    drops at least that key's string, so equal counts mean nothing was dropped.
    """
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if b"\\u0022" in raw:
        return None
    try:
        written = orjson.dumps(document)
    except orjson.JSONEncodeError:  # nested deeper than orjson writes (but not reads)
        return None
    if b"e+" in written:  # an integer beyond 64 bits became a float (or a huge float: unsure)
        return None
    if raw.count(b'"') != written.count(b'"'):
        return None
    return document
