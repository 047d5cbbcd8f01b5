"""What `show` and `search` ask of a knowledge base, answered from memory or from the index.

`MemoryCatalog` reads the whole data file; `IndexCatalog` answers from the SQLite index in the
user cache (cpkb.index) without reading it. Both give the same answers: the index preselects
candidates, and the same pure code (cpkb.search, cpkb.views) resolves, ranks and renders them.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from cpkb.errors import NotFound
from cpkb.model.entities import Claim, Entity, KnowledgeBase, Source, claim_id

if TYPE_CHECKING:
    from pathlib import Path

    from cpkb.index.reader import Index, Progress  # sqlite3 is imported only when an index is used
    from cpkb.present.human.progress import ProgressBar
    from cpkb.query.graph import Direction
    from cpkb.query.search import NameIndex, SearchHit

INDEX_ENV = "CPKB_INDEX"  # auto (default), always, never
AUTO_INDEX_BYTES = 256 * 1024  # below this, reading the file is about as fast as the index


class Catalog(Protocol):
    def resolve(self, ref: str, *, entity_type: str | None = None) -> Entity: ...

    def neighbourhood(self, entity_id: str) -> KnowledgeBase:
        """The entity, the ends of its links and its backlinks: all its view needs."""
        ...

    def search(
        self, query: str, *, entity_type: str | None = None, limit: int | None = 10
    ) -> list[SearchHit]: ...

    def sources(self) -> dict[str, Source]: ...

    def around(self, entity_id: str, *, depth: int) -> KnowledgeBase: ...

    def relation_properties(self) -> list[str]: ...

    def adjacent(self, nodes: list[str]) -> Mapping[str, list[tuple[str, Direction]]]: ...

    def subset(self, ids: Iterable[str]) -> KnowledgeBase: ...

    def labelled(self) -> Iterator[Entity]: ...

    def claim(self, wanted: str) -> tuple[Entity, Claim] | None: ...


_MADE_CLAIM_ID = re.compile(r"(.+)-c[1-9][0-9]*")


def stored_claim(entities: Iterable[Entity], wanted: str) -> tuple[Entity, Claim] | None:
    """The first claim that stores `wanted` as its id, with its entity."""
    for entity in entities:
        for claim in entity.claims:
            if claim.id == wanted:
                return entity, claim
    return None


def made_claim_owner(wanted: str) -> str | None:
    """The entity a made claim id (`ENTITY-cN`, see `claim_id`) names, if it has that form."""
    found = _MADE_CLAIM_ID.fullmatch(wanted)
    return None if found is None else found.group(1)


def made_claim(entity: Entity | None, wanted: str) -> tuple[Entity, Claim] | None:
    """The claim of `entity` with no stored id whose made id is `wanted`, with its entity."""
    if entity is None:
        return None
    for position, claim in enumerate(entity.claims):
        if claim.id is None and claim_id(entity.id, position, claim) == wanted:
            return entity, claim
    return None


class MemoryCatalog:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._names: NameIndex | None = None

    @property
    def names(self) -> NameIndex:
        """Folded labels, built on first need (an exact id needs none)."""
        if self._names is None:
            from cpkb.query.search import NameIndex

            self._names = NameIndex.build(self.kb)
        return self._names

    def resolve(self, ref: str, *, entity_type: str | None = None) -> Entity:
        exact = self.kb.entities.get(ref)
        if exact is not None and entity_type in (None, exact.type):
            return exact
        return self.names.resolve(ref, entity_type=entity_type)

    def neighbourhood(self, entity_id: str) -> KnowledgeBase:
        return self.kb

    def search(
        self, query: str, *, entity_type: str | None = None, limit: int | None = 10
    ) -> list[SearchHit]:
        return self.names.search_index.search(query, entity_type=entity_type, limit=limit)

    def sources(self) -> dict[str, Source]:
        return self.kb.sources

    def around(self, entity_id: str, *, depth: int) -> KnowledgeBase:
        return self.kb

    def relation_properties(self) -> list[str]:
        from cpkb.query.graph import relation_properties

        return relation_properties(self.kb)

    def adjacent(self, nodes: list[str]) -> Mapping[str, list[tuple[str, Direction]]]:
        from cpkb.query.graph import adjacency

        return adjacency(self.kb)(nodes)

    def subset(self, ids: Iterable[str]) -> KnowledgeBase:
        return self.kb

    def labelled(self) -> Iterator[Entity]:
        return iter(self.kb)

    def claim(self, wanted: str) -> tuple[Entity, Claim] | None:
        """The claim with id `wanted`: a stored id first, then one made from its place."""
        found = stored_claim(self.kb, wanted)
        if found is None and (owner := made_claim_owner(wanted)) is not None:
            found = made_claim(self.kb.entities.get(owner), wanted)
        return found


class IndexCatalog:
    def __init__(self, index: Index) -> None:
        self.index = index

    def resolve(self, ref: str, *, entity_type: str | None = None) -> Entity:
        """As `NameIndex.resolve`, over the entities the index finds for `ref`."""
        index = self.index
        by_id = index.entities([ref])
        if ref in by_id and entity_type in (None, by_id[ref].type):
            return by_id[ref]
        from cpkb.query.search import NameIndex, suggested_names
        from cpkb.query.text import compact

        exact = by_id or index.entities(index.label_ids(compact(ref)))
        if exact:
            return NameIndex.build(exact.values()).resolve(ref, entity_type=entity_type)
        candidates = index.candidates(ref, entity_type=None, labels_only=True)
        try:
            names = NameIndex.build(index.entities(candidates).values())
            return names.resolve(ref, entity_type=entity_type)
        except NotFound as exc:
            if exc.hint and not exc.suggestions:  # it names an entity of another type
                raise
            hits = self.search(ref, entity_type=entity_type, limit=3)
            raise NotFound(ref, suggestions=suggested_names(hits)) from None

    def neighbourhood(self, entity_id: str) -> KnowledgeBase:
        return self.index.neighbourhood(entity_id)

    def search(
        self, query: str, *, entity_type: str | None = None, limit: int | None = 10
    ) -> list[SearchHit]:
        return self.index.search(query, entity_type=entity_type, limit=limit)

    def sources(self) -> dict[str, Source]:
        return self.index.sources()

    def around(self, entity_id: str, *, depth: int) -> KnowledgeBase:
        return self.index.around(entity_id, depth=depth)

    def relation_properties(self) -> list[str]:
        return self.index.relation_properties()

    def adjacent(self, nodes: list[str]) -> Mapping[str, list[tuple[str, Direction]]]:
        return self.index.adjacent(nodes)

    def subset(self, ids: Iterable[str]) -> KnowledgeBase:
        return self.index.subset(ids)

    def labelled(self) -> Iterator[Entity]:
        return self.index.labelled()

    def claim(self, wanted: str) -> tuple[Entity, Claim] | None:
        """As `MemoryCatalog.claim`, reading only the entities that hold the id."""
        found = stored_claim(self.index.holding_id(wanted), wanted)
        if found is None and (owner := made_claim_owner(wanted)) is not None:
            found = made_claim(self.index.entities([owner]).get(owner), wanted)
        return found


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
    data_path: Path | str, *, load: Callable[[], KnowledgeBase], progress_bar: bool = True
) -> Catalog:
    """The index of `data_path` when one is wanted and can be had, else the file in memory.
    A progress bar shows while the index is built, at a terminal, unless not `progress_bar`."""
    if wants_index(data_path):
        from cpkb.index.reader import open_current

        with indexing_progress(shown=progress_bar) as progress:
            found = open_current(data_path, load=load, progress=progress)
        if found is not None:
            return IndexCatalog(found)
    kb = load()
    return MemoryCatalog(kb)


@contextmanager
def indexing_progress(*, shown: bool = True) -> Iterator[Progress | None]:
    """A progress bar on stderr while an index is built (only then, only at a terminal)."""
    if not shown or not sys.stderr.isatty():
        yield None
        return
    bars: list[ProgressBar] = []

    def progress(done: int, total: int) -> None:
        if not bars:
            from cpkb.present.human.progress import ProgressBar

            bars.append(ProgressBar("indexing the data file (once after each change)"))
        bars[0](done, total)

    try:
        yield progress
    finally:
        for bar in bars:
            bar.stop()
