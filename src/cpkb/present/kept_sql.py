"""`export sqlite` kept: the database it writes on a warm index is copied into the cache, and
the index records what it is valid for (cpkb.index.views: the state of the data file and the
days over which no claim starts or ends), so that the next export of the same file is that
database copied, `about` naming the day it is read at. The copy is checked to be the file the
index names (inode, size, time), so that one changed since is made again."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from cpkb.index import views
from cpkb.index.catalog import open_existing
from cpkb.index.reader import UNREADABLE, Index
from cpkb.kb import atomic, cache
from cpkb.present.exports_sql import copy_sqlite, write_sqlite
from cpkb.present.flatfiles import Written
from cpkb.present.kept import steady_days
from cpkb.present.listing import current_stamp
from cpkb.query.current import Reading
from cpkb.query.time import today

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from cpkb.model.entities import Entity, KnowledgeBase
    from cpkb.query.time import Span

KIND = "export:sqlite"


class Kept(NamedTuple):
    """The kept database, open, what it holds, and the day it is valid for (today)."""

    file: BinaryIO
    written: Written
    day: dt.date


def kept_location(data_path: Path) -> Path:
    """Where the database of `data_path` is kept."""
    return Path(cache.entry("export", data_path, "sqlite"))


def stored_sqlite(data_path: Path) -> Kept | None:
    """The database `export sqlite` wrote last for this file, if the current index says it
    holds today's reading; None if not. The caller closes its file."""
    day = today()
    index = open_existing(data_path)
    found = views.stored(index, KIND, day) if index is not None else None
    if found is None:
        return None
    with contextlib.suppress(*UNREADABLE):
        list(found.rows)  # none: this ends the read
    try:
        identity, entities, claims = json.loads(found.note)
        file = open(kept_location(data_path), "rb", opener=_at_once)  # noqa: SIM115 - caller closes
    except (ValueError, TypeError, OSError):
        return None
    if _identity(os.fstat(file.fileno())) != identity:
        file.close()
        return None
    return Kept(file, Written(int(entities), int(claims)), day)


def copy_kept(target: Path, kept: Kept) -> Written | None:
    """Write the kept database to `target`, `about` naming its day; None if it turns out to be
    damaged (it goes: the caller makes the database, and it is kept anew)."""
    with kept.file:
        try:
            copy_sqlite(target, kept.file, kept.day)
        except sqlite3.DatabaseError:
            with contextlib.suppress(OSError):
                os.unlink(kept.file.name)
            return None
    return kept.written


def _at_once(path: str, flags: int) -> int:
    """Open without waiting: a FIFO put where the file is kept has no writer to wait for (it is
    then not the file kept, and is made again)."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _identity(st: os.stat_result) -> str:
    """What tells the kept file from another, or from itself changed (its name moves it not)."""
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def sqlite_export(
    data_path: Path, target: Path, kb: KnowledgeBase, entities: Iterable[Entity]
) -> Written:
    """`export sqlite` to `target` on today's reading (`write_sqlite`), the database kept in
    the cache for the next time when the index is current."""
    day = today()
    index = open_existing(data_path)
    stamp = current_stamp(index, data_path) if index is not None else ""
    watched, days = steady_days(entities, day)
    written = write_sqlite(target, kb, watched, Reading(day))
    if index is not None and stamp:
        _keep(index, kept_location(data_path), target, (stamp, days(), written))
    return written


def _keep(index: Index, kept: Path, made: Path, valid: tuple[str, Span, Written]) -> None:
    """Keep a copy of database `made` at `kept`, and in the index what it is valid for. It is
    only a cache: what cannot be kept is not."""
    stamp, days, written = valid
    try:
        with atomic.replacing(kept, durable=False, make_folder=True) as temporary:
            shutil.copyfile(made, temporary)
            identity = _identity(os.stat(temporary))
    except OSError:
        return
    note = json.dumps([identity, *written])
    views.store(index, KIND, stamp=stamp, days=days, rows=(), note=note)
    cache.tidy(keep=str(kept))
