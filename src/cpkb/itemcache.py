"""What `cpkb validate` remembers between runs: the sources and entities that passed.

An item (one source or entity) that passed every check of its own (careful reading, the schema
gate) is remembered by a hash of its exact bytes, with its integrity summary, so that on the next
run of a file that changed a little only the items that changed are read and checked again. The
memo of a data file lives in the user cache directory (like its index, see cpkb.paths.cache_dir,
$CPKB_CACHE_DIR), is replaced atomically, and is ignored when missing, corrupt, unwritable, or
written by other code (another cpkb, schema, Python, fastjsonschema or anyascii). It is written
only when a run learned enough to be worth it (see ItemMemo.worth_saving).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import marshal
import os
import sys
import tempfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "cpkb-validate-memo 1"
SAVE_FROM = 100  # items a memo does not know: from this many (or 5% of the file), it is saved
# The modules whose code decides what an item's summary and verdict are: a change to any of them
# (in a checkout, the version does not change) makes every memo stale.
_CODE = (
    "fastjson", "integrity", "itemcache", "itemcheck", "itemscan", "jsonread", "parse", "rules",
    "schema", "text", "validate",
)  # fmt: skip


@dataclass
class ItemMemo:
    """Summaries of items that passed, by `item_key`; each array's item lengths in the file."""

    entries: dict[bytes, tuple[Any, ...] | None] = field(default_factory=dict)
    lengths: dict[str, list[int]] = field(default_factory=dict)
    learned: int = 0  # of the entries, how many the run that made this memo had to check

    def worth_saving(self) -> bool:
        """Whether this memo, made by a run, is worth writing: that run learned many items (an
        item the memo does not know costs a check, so a few edits a run are not worth rewriting
        a large memo each time: they are saved with later ones)."""
        return self.learned >= min(SAVE_FROM, max(1, len(self.entries) // 20))


def item_key(name: str, data: bytes) -> bytes:
    """The key of an item of the array `name` (sources, entities) whose bytes are `data`.
    (cpkb.itemscan's `hits` computes it too, written out.)"""
    return hashlib.blake2b(data, digest_size=16, person=name.encode()).digest()


def stamp(schema: Mapping[str, Any]) -> str:
    """What a memo must have been written under to be used: the schema, the code, the versions."""
    import anyascii
    import fastjsonschema

    from cpkb import __version__

    digest = hashlib.blake2b(digest_size=16)
    versions = [FORMAT, __version__, sys.version, fastjsonschema.VERSION]
    versions.append(str(getattr(anyascii, "__version__", "")))
    digest.update(json.dumps([versions, schema], sort_keys=True).encode())
    for name in _CODE:
        source = getattr(importlib.import_module(f"cpkb.{name}"), "__file__", None)
        with contextlib.suppress(OSError, TypeError):  # no source: the version must do
            digest.update(Path(str(source)).read_bytes())
    return digest.hexdigest()


def memo_file(data_path: Path) -> Path:
    from cpkb.paths import cache_dir

    name = hashlib.sha256(str(data_path).encode("utf-8", "surrogatepass")).hexdigest()
    return cache_dir() / "validate" / f"{name[:24]}.memo"


def load(data_path: Path, expected: str) -> ItemMemo:
    """The memo of `data_path` written under the stamp `expected`; an empty one if there is none."""
    try:
        blob = memo_file(data_path).read_bytes()
        header, checksum, payload = marshal.loads(blob)
        if header != expected or checksum != zlib.crc32(payload):  # written by other code, or torn
            return ItemMemo()
        entries, lengths = marshal.loads(payload)
    except (OSError, ValueError, EOFError, TypeError):  # missing, unreadable or corrupt
        return ItemMemo()
    if not isinstance(entries, dict) or not isinstance(lengths, dict):
        return ItemMemo()
    return ItemMemo(entries, lengths)


def save(data_path: Path, memo: ItemMemo, expected: str) -> None:
    """Write the memo of `data_path` atomically; say nothing if it cannot be written."""
    target = memo_file(data_path)
    payload = marshal.dumps((memo.entries, memo.lengths))
    blob = marshal.dumps((expected, zlib.crc32(payload), payload))
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".memo-")
        with os.fdopen(handle, "wb") as out:
            out.write(blob)
        os.replace(temporary, target)
    except OSError:  # a read-only or full cache: the next run checks every item again
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
