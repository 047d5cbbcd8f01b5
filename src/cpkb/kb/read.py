"""Parsing a data file's JSON: the careful reader, and orjson when it reads alike."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cpkb.kb.document import brief, json_path, lone_surrogates
from cpkb.kb.files import bad_data, decode, read_bytes

if TYPE_CHECKING:
    from pathlib import Path


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def parse_json(path: Path | str, text: str) -> Any:
    """The parsed document; bad syntax, depth, numbers or repeated keys raise DataError."""
    if not text.strip():
        raise bad_data(path, "is empty")
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        problem = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise bad_data(path, problem) from None
    except RecursionError:
        raise bad_data(path, "JSON nested too deeply to read") from None
    except ValueError:  # Python refuses integers of more than 4300 digits
        raise bad_data(path, "holds a number too long to read") from None
    except _DuplicateKey as exc:
        raise bad_data(path, f"an object has the key {brief(exc.args[0])} twice") from None
    for where in lone_surrogates(text, document):
        problem = "holds half a UTF-16 surrogate pair (a lone \\ud800-\\udfff escape)"
        raise bad_data(path, f"{json_path(where)}: {problem}")
    return document


# Bytes: below, the careful reader is done before orjson is imported (bench/pairs.py: the fast
# reader saves ~20% of a read, which pays for orjson's import from about 10-13 MB).
FAST_FROM = 16 << 20


def read_document(path: Path | str) -> Any:
    """The parsed data file: orjson when it is sure to read it right, else the careful reader."""
    return parse_bytes(path, read_bytes(path))


def parse_bytes(path: Path | str, raw: bytes) -> Any:
    """The parsed bytes of a data file (named `path` in errors), as `read_document` reads it."""
    document = None
    if len(raw) >= FAST_FROM:
        from cpkb.kb import fastjson

        document = fastjson.loads(raw)
    return parse_json(path, decode(path, raw)) if document is None else document
