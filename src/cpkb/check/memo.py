"""What `cpkb validate` remembers between runs: the sources and entities that passed.

Each is known by a hash of its exact bytes and kept with its integrity summary, so that after a
small edit only the items that changed are checked again; a run of RUN unchanged items is known
by one hash. The memo lives in the user cache, and is ignored when missing, corrupt, or written
under another cache key.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import zlib
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any

from cpkb.check.summary import FIELDS
from cpkb.kb import atomic, cache
from cpkb.kb.cache import code_key

SAVE_FROM = 100  # items a memo does not know: from this many (or 5% of the file), it is saved
RUN = 1024  # items a run key covers: a run of items unchanged is recognised by one hash


@dataclass
class Layout:
    """The items of one array (sources, entities) of the file a memo was made from, in order:
    key (b"" for one that failed: never served), start, length, summary field by field (quicker
    to read back than 100,000 records); the key of each run of RUN items (None if one failed)."""

    keys: list[bytes] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    columns: list[list[Any]] = field(default_factory=lambda: [[] for _ in range(FIELDS)])
    runs: list[bytes | None] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the line breaks before each item
    repeated: set[str] | None = None  # the label keys in more than one label (entities)

    @functools.cached_property
    def positions(self) -> dict[bytes, int]:
        """The position of each item that passed, by its key."""
        found = dict(zip(self.keys, range(len(self.keys)), strict=True))
        found.pop(b"", None)
        return found

    @functools.cached_property
    def sizes(self) -> set[int]:
        return set(self.lengths)

    def run(self, k: int) -> tuple[int, int] | None:
        """The items [k, end) of the run that starts at item `k`, if it has a key."""
        if k < 0 or k % RUN or k // RUN >= len(self.runs) or self.runs[k // RUN] is None:
            return None
        return k, min(k + RUN, len(self.keys))

    def seal(self, name: str, raw: bytes) -> None:
        """The key of each run and the line breaks before each item, from the file `raw` the
        layout was read from: what a saved memo holds too."""
        previous = [0, *self.starts[:-1]]
        self.lines = list(accumulate(map(raw.count, repeat(b"\n"), previous, self.starts)))
        view, passed = memoryview(raw), [bool(key) for key in self.keys]
        self.runs = []
        for k in range(0, len(self.keys), RUN):
            end = min(k + RUN, len(self.keys)) - 1
            whole = all(passed[k : end + 1])
            data = view[self.starts[k] : self.starts[end] + self.lengths[end]]
            self.runs.append(run_key(name, data) if whole else None)

    def whole(self) -> bool:
        """Whether its parts agree (each item in every list; a run key for each RUN items)."""
        n, parts = len(self.keys), [self.starts, self.lengths, self.lines, *self.columns]
        runs = (n + RUN - 1) // RUN
        return (
            len(self.columns) == FIELDS
            and all(len(part) == n for part in parts)
            and (len(self.runs) == runs)
        )

    def plain(self) -> tuple[Any, ...]:
        return (
            self.keys,
            self.starts,
            self.lengths,
            self.columns,
            self.runs,
            self.lines,
            (self.repeated),
        )


@dataclass
class ItemMemo:
    """What a run learned of the items of a file, array by array (see Layout), and the rules
    it checked them against (cpkb.check.context's key): under other rules, it is of no use."""

    layouts: dict[str, Layout] = field(default_factory=dict)
    context: bytes = b""
    learned: int = 0  # of the items, how many the run that made this memo had to check
    raw: bytes = b""  # the file it was made from, for the run keys, when they are wanted

    def __len__(self) -> int:
        return sum(len(layout.keys) for layout in self.layouts.values())

    def worth_saving(self) -> bool:
        """Whether the run that made this memo learned enough items to be worth writing it: a
        few edits cost a few checks, less than rewriting a large memo each time."""
        return self.learned >= min(SAVE_FROM, max(1, len(self) // 20))


def item_key(name: str, data: bytes | memoryview) -> bytes:
    """The key of an item of the array `name` whose bytes are `data` (scan's `hits` computes it
    too, written out for speed)."""
    digest = item_hash(name)
    digest.update(data)
    return digest.digest()[:16]


def item_hash(name: str) -> hashlib._Hash:
    """The hash to feed an item of the array `name`: the first 16 bytes of its digest are the
    item's key."""
    return _BASES[name].copy() if name in _BASES else hashlib.sha256(_base(name))


def run_key(name: str, data: bytes | memoryview) -> bytes:
    """The key of a run of items of the array `name` whose bytes (separators too) are `data`."""
    digest = hashlib.sha256(b"run " + _base(name))
    digest.update(data)
    return digest.digest()[:16]


def _base(name: str) -> bytes:
    return name.encode("utf-8", "surrogatepass") + b"\0"


_BASES = {name: hashlib.sha256(_base(name)) for name in ("sources", "entities")}


def stamp() -> str:
    """What a memo must have been written under to be used (see cpkb.kb.cache.code_key)."""
    return code_key()


def memo_file(data_path: Path) -> Path:
    return Path(cache.entry("validate", data_path, "memo"))


def load(data_path: Path, expected: str) -> ItemMemo:
    """The memo of `data_path` written under the stamp `expected`; an empty one if there is none."""
    try:
        blob = memo_file(data_path).read_bytes()
        size = int.from_bytes(blob[:4], "big")
        header, checksum, context = marshal.loads(blob[4 : 4 + size])
        payload = memoryview(blob)[4 + size :]  # not copied: a large file's is tens of MB
        if header != expected or checksum != zlib.crc32(payload):  # written by other code, or torn
            return ItemMemo()
        layouts = {name: Layout(*plain) for name, plain in marshal.loads(payload).items()}
        if not all(layout.whole() for layout in layouts.values()):
            return ItemMemo()
    except (OSError, ValueError, EOFError, TypeError, AttributeError):  # missing or corrupt
        return ItemMemo()
    return ItemMemo(layouts, context=context)


def save(data_path: Path, memo: ItemMemo, expected: str) -> None:
    """Write the memo of `data_path` atomically; say nothing if it cannot be written."""
    target = memo_file(data_path)
    for name, layout in memo.layouts.items():
        if len(layout.lines) != len(layout.keys):
            layout.seal(name, memo.raw)
    payload = marshal.dumps({name: layout.plain() for name, layout in memo.layouts.items()})
    header = marshal.dumps((expected, zlib.crc32(payload), memo.context))
    blob = len(header).to_bytes(4, "big") + header + payload
    with contextlib.suppress(OSError):  # a read-only or full cache: the next run checks all
        atomic.write_bytes(target, blob, durable=False, make_folder=True)
        cache.tidy(keep=str(target))
