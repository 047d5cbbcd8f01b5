"""Listings as JSON (`TYPE list --json`, `stats --json`, their `--format jsonl`) on today's
reading: each entity's view as the bytes the command prints, kept in the index (cpkb.index.views)
so that on a warm index a listing is those bytes read back, not the whole file read and every
view made again. Either way the bytes are the same: `dumps` of a list is each item's `dumps`
indented one level, joined; JSON Lines are each item's line, joined."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import marshal
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple

from cpkb.index import views
from cpkb.index.catalog import open_existing
from cpkb.index.reader import UNREADABLE, Index
from cpkb.index.schema import fingerprint, read_meta
from cpkb.model.entities import Source
from cpkb.present.jsonout import dumps
from cpkb.present.views import View, entities_view
from cpkb.query.current import Reading
from cpkb.query.time import steady, today

if TYPE_CHECKING:
    from pathlib import Path

    from cpkb.model.entities import Entity, KnowledgeBase


def item_json(view: View) -> bytes:
    """A view as `dumps` writes it inside a list: indented one level deeper (a JSON string holds
    no raw line break, so every line break is one of the layout's)."""
    return dumps(view).replace("\n", "\n  ").encode("utf-8")


def framed_json(items: Sequence[bytes]) -> list[bytes]:
    """The chunks of `dumps` of the list of `items` (made by `item_json`), and a line break."""
    if not items:
        return [b"[]\n"]
    chunks = [b"[\n  "]
    for n, item in enumerate(items):
        chunks += [b",\n  ", item] if n else [item]
    return [*chunks, b"\n]\n"]


def item_line(view: View) -> bytes:
    """A view as `--format jsonl` writes it (a line)."""
    from cpkb.present.formats import jsonl_line

    return jsonl_line(view).encode("utf-8")


def joined(items: Sequence[bytes]) -> list[bytes]:
    return list(items)


class Form(NamedTuple):
    """How a listing is printed: each view's bytes, and the whole made of them."""

    item: Callable[[View], bytes]
    whole: Callable[[Sequence[bytes]], list[bytes]]


# `--json`, and `--format jsonl` (a listing's kept set is per form).
FORMS = {"json": Form(item_json, framed_json), "jsonl": Form(item_line, joined)}


def made(
    kb: KnowledgeBase, entity_type: str, day: dt.date, item: Callable[[View], bytes] = item_json
) -> list[tuple[str, bytes]]:
    """Each entity of `entity_type`, in file order: its id, and its view (every claim a reader
    knows on `day`) as `item` writes it."""
    entities = kb.of_type(entity_type)
    shown = entities_view(kb, entities, Reading(day))
    return [(e.id, item(view)) for e, view in zip(entities, shown, strict=True)]


def listing(
    data_path: Path, entity_type: str, *, load: Callable[[], KnowledgeBase], form: str = "json"
) -> list[bytes]:
    """What `cpkb ENTITY_TYPE list --json` prints (`form` "json"; "jsonl": a line a view): read
    back from the index when it holds the views of today, else made from the whole file
    (`load()`) and kept there for the next time."""
    kind, day, (item, whole) = f"{form}:{entity_type}", today(), FORMS[form]
    index = open_existing(data_path)
    found = views.stored(index, kind, day) if index is not None else None
    if found is not None:
        with contextlib.suppress(*UNREADABLE):
            return whole(list(found.rows))
    kb = load()
    items = made(kb, entity_type, day, item)
    if index is not None:
        _keep(index, kind, kb, items, data_path=data_path, day=day)
    return whole([blob for _, blob in items])


def _keep(
    index: Index,
    kind: str,
    kb: KnowledgeBase,
    items: list[tuple[str, bytes]],
    *,
    data_path: Path,
    day: dt.date,
    note: str = "",
) -> None:
    """Store `items` in the index if `kb` was read from the file the index was made of."""
    stamp = current_stamp(index, data_path)
    if stamp:
        days = steady((claim for entity in kb for claim in entity.claims), day)
        views.store(index, kind, stamp=stamp, days=days, rows=items, note=note)


class Laid(NamedTuple):
    """What the `stats` table lays out: the current views of the statistics, in file order, the
    largest value in each unit (bars are scaled to it), and the sources."""

    views: Iterable[View]
    scales: dict[str, float]
    sources: dict[str, Source]


def stats_table(data_path: Path, *, load: Callable[[], KnowledgeBase]) -> Laid:
    """What `cpkb stats` lays out on today's reading: from the index when it holds it (views
    decoded as they are laid out), else made from the whole file and kept there."""
    from cpkb.present.human.stats import scales

    kind, day = "table:statistic", today()
    index = open_existing(data_path)
    found = views.stored(index, kind, day) if index is not None else None
    if index is not None and found is not None:
        with contextlib.suppress(*UNREADABLE):
            kept, by_unit = list(found.rows), json.loads(found.note)
            return Laid((marshal.loads(row) for row in kept), by_unit, index.sources())
    kb = load()
    shown = entities_view(kb, kb.of_type("statistic"), Reading(day), current=True)
    by_unit = scales(shown)
    if index is not None:
        rows = [(view["id"], marshal.dumps(view)) for view in shown]
        _keep(index, kind, kb, rows, data_path=data_path, day=day, note=json.dumps(by_unit))
    return Laid(shown, by_unit, kb.sources)


def summary_lines(
    data_path: Path, entity_type: str, *, load: Callable[[], KnowledgeBase]
) -> Iterator[str] | None:
    """`TYPE list`'s lines for a pipe (id, name, summary, as `--format tsv` writes them without
    a header), streamed from a current index as it is read; None without one."""
    from cpkb.present.formats import cell

    read = summaries(data_path, entity_type, load=load)
    if read is None:
        return None
    return ("\t".join(cell(v[k]) for k in ("id", "name", "summary")) + "\n" for v in read)


def summaries(
    data_path: Path, entity_type: str, *, load: Callable[[], KnowledgeBase]
) -> Iterator[View] | None:
    """Each entity of `entity_type`'s id, name and summary (which do not change with the day),
    in file order, from a current index as it is read; None without one."""
    index = open_existing(data_path)
    if index is None:
        return None
    kept = index.summaries(entity_type)
    views = ({"id": i, "name": name, "summary": summary} for i, name, summary in kept)
    return _read_on(views, index, entity_type, load)


def _read_on(
    views: Iterator[View], index: Index, entity_type: str, load: Callable[[], KnowledgeBase]
) -> Iterator[View]:
    """`views`; should the index fail midway, the rest from the file (and the index goes)."""
    done = 0
    try:
        for view in views:
            yield view
            done += 1
        return
    except UNREADABLE:
        index.discard()
    rest: Iterator[Entity] = islice(load().of_type(entity_type), done, None)
    yield from ({"id": e.id, "name": e.name, "summary": e.summary} for e in rest)


def current_stamp(index: Index, data_path: Path) -> str:
    """The index's stamp if it is the data file's as it is now; else ""."""
    try:
        stamp = read_meta(index.db).get("stamp", "")
        return stamp if stamp == fingerprint(data_path) else ""
    except (*UNREADABLE, OSError):
        return ""
