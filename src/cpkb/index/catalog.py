"""The catalog answered from the index (cpkb.query.catalog's protocol), and the choice between
it and reading the whole file."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import islice
from typing import TYPE_CHECKING, Protocol, TypeVar

from cpkb.errors import NotFound
from cpkb.index import ranking, schema
from cpkb.index.reader import UNREADABLE, Index
from cpkb.kb import collector
from cpkb.model.entities import Claim, Entity, KnowledgeBase, Source
from cpkb.query.catalog import Catalog, MemoryCatalog, made_claim, made_claim_owner, stored_claim

if TYPE_CHECKING:
    from pathlib import Path

    from cpkb.index.build import Progress
    from cpkb.query.current import Reading
    from cpkb.query.paths import Direction
    from cpkb.query.search import SearchHit

INDEX_ENV = "CPKB_INDEX"  # auto (default), always, never
AUTO_INDEX_BYTES = 256 * 1024  # below this, reading the file is about as fast as the index
BUILDING = "indexing the data file (once after each change)"
T = TypeVar("T")


class Bar(Protocol):
    """A progress bar: fed (done, total), then stopped."""

    def __call__(self, done: int, total: int) -> None: ...

    def stop(self) -> None: ...


BarFactory = Callable[[str], Bar]  # a bar with this description, shown from creation


class FromIndex:
    """The catalog's answers read from an open index (IndexCatalog guards them)."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def resolve(self, ref: str, *, entity_type: str | None = None) -> Entity:
        """As `NameIndex.resolve`, over the entities the index finds for `ref`."""
        index = self.index
        by_id = index.entities([ref])
        if ref in by_id and entity_type in (None, by_id[ref].type):
            return by_id[ref]
        from cpkb.index.rows import FORMER
        from cpkb.query.names import NameIndex, suggested_names
        from cpkb.query.text import compact

        key = compact(ref)
        exact = by_id or index.entities(index.label_ids(key, former=FORMER + key))
        if exact:
            return NameIndex.build(exact.values()).resolve(ref, entity_type=entity_type)
        try:
            return ranking.resolve_loosely(index, ref, entity_type=entity_type)
        except NotFound as exc:
            if exc.hint and not exc.suggestions:  # it names an entity of another type
                raise
            hits = ranking.search(index, ref, entity_type=entity_type, limit=3)
            raise NotFound(ref, suggestions=suggested_names(hits)) from None

    def neighbourhood(self, entity_id: str) -> KnowledgeBase:
        return self.index.neighbourhood(entity_id)

    def claim(self, wanted: str) -> tuple[Entity, Claim] | None:
        """As `MemoryCatalog.claim`, reading only the entities that hold the id."""
        found = stored_claim(self.index.holding_id(wanted), wanted)
        if found is None and (owner := made_claim_owner(wanted)) is not None:
            found = made_claim(self.index.entities([owner]).get(owner), wanted)
        return found

    def search(
        self, query: str, *, entity_type: str | None = None, limit: int | None = 10
    ) -> list[SearchHit]:
        return ranking.search(self.index, query, entity_type=entity_type, limit=limit)

    def sources(self) -> dict[str, Source]:
        return self.index.sources()

    def around(self, entity_id: str, *, depth: int) -> KnowledgeBase:
        return self.index.around(entity_id, depth=depth)

    def relation_properties(self) -> list[str]:
        return self.index.relation_properties()

    def adjacent(
        self, nodes: list[str], *, current: Reading | None = None, only_current: bool = True
    ) -> Mapping[str, list[tuple[str, Direction]]]:
        return self.index.adjacent(nodes, current=current, only_current=only_current)

    def degree(self, nodes: list[str]) -> int:
        return self.index.degree(nodes)

    def subset(self, ids: Iterable[str]) -> KnowledgeBase:
        return self.index.subset(ids)

    def labelled(self) -> Iterator[Entity]:
        return self.index.labelled()


class IndexCatalog:
    """The catalog answered from the index. One found unreadable midway is removed (the next run
    builds it anew), and this run answers from the file: a damaged cache is never an error."""

    def __init__(self, index: Index, *, load: Callable[[], KnowledgeBase]) -> None:
        self.index = index
        self._answers: Catalog = FromIndex(index)
        self._load = load
        self._file: Catalog | None = None

    def _ask(self, question: Callable[[Catalog], T]) -> T:
        if self._file is None:
            try:
                return question(self._answers)
            except UNREADABLE:
                self._read_the_file()
        assert self._file is not None
        return question(self._file)

    def _read_the_file(self) -> None:
        self.index.discard()
        self._file = MemoryCatalog(self._load())

    def resolve(self, ref: str, *, entity_type: str | None = None) -> Entity:
        return self._ask(lambda c: c.resolve(ref, entity_type=entity_type))

    def claim(self, wanted: str) -> tuple[Entity, Claim] | None:
        return self._ask(lambda c: c.claim(wanted))

    def neighbourhood(self, entity_id: str) -> KnowledgeBase:
        return self._ask(lambda c: c.neighbourhood(entity_id))

    def search(
        self, query: str, *, entity_type: str | None = None, limit: int | None = 10
    ) -> list[SearchHit]:
        return self._ask(lambda c: c.search(query, entity_type=entity_type, limit=limit))

    def sources(self) -> dict[str, Source]:
        return self._ask(lambda c: c.sources())

    def around(self, entity_id: str, *, depth: int) -> KnowledgeBase:
        return self._ask(lambda c: c.around(entity_id, depth=depth))

    def relation_properties(self) -> list[str]:
        return self._ask(lambda c: c.relation_properties())

    def adjacent(
        self, nodes: list[str], *, current: Reading | None = None, only_current: bool = True
    ) -> Mapping[str, list[tuple[str, Direction]]]:
        return self._ask(lambda c: c.adjacent(nodes, current=current, only_current=only_current))

    def degree(self, nodes: list[str]) -> int:
        return self._ask(lambda c: c.degree(nodes))

    def subset(self, ids: Iterable[str]) -> KnowledgeBase:
        return self._ask(lambda c: c.subset(ids))

    def labelled(self) -> Iterator[Entity]:
        """Labels in data-file order, read as iterated; from the file onwards, should the index
        fail midway."""
        done = 0
        if self._file is None:
            try:
                for entity in self._answers.labelled():
                    yield entity
                    done += 1
                return
            except UNREADABLE:
                self._read_the_file()
        assert self._file is not None
        yield from islice(self._file.labelled(), done, None)


def index_mode() -> str:
    mode = os.environ.get(INDEX_ENV, "auto").strip().lower()
    return mode if mode in ("auto", "always", "never") else "auto"


def wants_index(data_path: Path | str) -> bool:
    mode = index_mode()
    if mode != "auto":
        return mode == "always"
    try:
        return os.stat(data_path).st_size >= AUTO_INDEX_BYTES
    except OSError:
        return False  # reading the file will report the problem


def open_catalog(
    data_path: Path | str, *, load: Callable[[], KnowledgeBase], progress: BarFactory | None = None
) -> Catalog:
    """The index of `data_path` when one is wanted and can be had, else the file in memory.
    While the index is built, a bar made by `progress` shows how far it got."""
    if wants_index(data_path):
        with _reporting(progress) as report:
            found = open_current(data_path, load=load, progress=report)
        if found is not None:
            return IndexCatalog(found, load=load)
    return MemoryCatalog(load())


def open_existing(data_path: Path | str) -> Index | None:
    """The index of `data_path` if one is wanted and is current; None otherwise (never built)."""
    if not wants_index(data_path):
        return None
    try:
        return Index.open(schema.location(data_path), data_path, schema.fingerprint(data_path))
    except (OSError, RuntimeError, ValueError):
        return None


def open_current(
    data_path: Path | str, *, load: Callable[[], KnowledgeBase], progress: Progress | None = None
) -> Index | None:
    """The current index of `data_path`, rebuilt if stale; None if it cannot be had (read-only
    cache, no space): the caller then reads the file itself. Data errors propagate from `load`."""
    try:
        stamp = schema.fingerprint(data_path)
        target = schema.location(data_path)
    except (OSError, RuntimeError, ValueError):
        return None
    found = Index.open(target, data_path, stamp)
    if found is not None:
        return found
    from pathlib import Path  # only to build: the fast lane spares its import

    from cpkb.index.build import build

    if progress:
        progress(0, 0)  # reading the file comes first, and takes a while on big files
    with collector.paused():
        try:
            if not build(Path(data_path), Path(target), stamp, load=load, progress=progress):
                return None
        except (OSError, sqlite3.Error):
            return None
    return Index.open(target, data_path, stamp)


@contextmanager
def _reporting(factory: BarFactory | None) -> Iterator[Progress | None]:
    """Progress reports that show on a bar made on the first report (if ever), stopped after."""
    if factory is None:
        yield None
        return
    bars: list[Bar] = []

    def report(done: int, total: int) -> None:
        if not bars:
            bars.append(factory(BUILDING))
        bars[0](done, total)

    try:
        yield report
    finally:
        for bar in bars:
            bar.stop()


def index_state(data_path: Path | str) -> dict[str, object]:
    """The index of `data_path` as a run would find it: where it is kept, whether it exists,
    whether it matches the file as it is now, and whether a run would use it (CPKB_INDEX)."""
    path = schema.location(data_path)
    current = False
    with contextlib.suppress(OSError, RuntimeError, ValueError):
        found = Index.open(path, data_path, schema.fingerprint(data_path))
        if found is not None:
            found.db.close()
            current = True
    used = wants_index(data_path)
    return {
        "path": path,
        "exists": os.path.exists(path),
        "current": current,
        "used": used,
        "mode": index_mode(),
    }
