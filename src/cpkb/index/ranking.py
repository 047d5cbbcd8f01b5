"""Search and resolution through the index, with the file's answers: entities are rescored in the
order their labels bound their scores, until none left can rank (past a budget, see README)."""

from __future__ import annotations

import heapq
import marshal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cpkb.index import bounds, candidates
from cpkb.index.bounds import Bounds
from cpkb.index.candidates import Query, Row
from cpkb.index.reader import Index, entity_from_doc, labels_only
from cpkb.model.entities import Entity

if TYPE_CHECKING:
    from cpkb.query.search import SearchHit

RESCORED = 100  # entities rescored beyond the hits asked for, before lower places are trusted
FIRST_BATCH, LAST_BATCH = 16, 256  # entities rescored at a time, doubling

Entry = tuple[float, str, int]  # (minus the bound, id, rowid); a class to expand: ("", -k)


def search(
    index: Index, text: str, *, entity_type: str | None, limit: int | None
) -> list[SearchHit]:
    """The hits `SearchIndex.search` gives on the whole file, best first (past the budget,
    the lower places taken on trust)."""
    query = Query(index, text)
    if not query.words:
        return []
    return Ranking(index, query, entity_type).hits(limit)


def resolve_loosely(index: Index, ref: str, *, entity_type: str | None) -> Entity:
    """`NameIndex.resolve` once neither an id nor a whole label is `ref`: over the entities a
    label of which may hold every word of `ref` (the only ones it can name)."""
    from cpkb.query.names import NameIndex

    query = Query(index, ref)
    columns = "entities.id, entities.type, entities.name, entities.aliases"
    rows: list[Row] = []
    if query.words:
        rows = candidates.whole(index, query, columns=columns)
        rows += candidates.matching(index, query.in_labels(" AND "), columns=columns)
    labels = {row[0]: labels_only(*row[:3], aliases=marshal.loads(row[3])) for row in rows}
    found = NameIndex.build(labels.values()).resolve(ref, entity_type=entity_type)
    return index.entities([found.id])[found.id]


class Ranking:
    """Entities queued by how high they can score, rescored best first."""

    def __init__(self, index: Index, query: Query, entity_type: str | None) -> None:
        self.index, self.query, self.type = index, query, entity_type
        self.queue: list[Entry] = []
        self.seen: set[int] = set()
        self.found: list[SearchHit] = []  # rescored, best first
        self.rescored = 0
        self.budget: int | None = None  # entities to rescore before trusting bm25; None: all
        whole = candidates.whole(index, query)
        self.whole = {row[0] for row in whole}
        self._queue_labels(whole, lambda rowid: None)
        every = candidates.matching(index, query.in_labels(" AND "), entity_type=entity_type)
        self._queue_labels(every, lambda rowid: True)
        n = len(query.words)
        self.classes: list[tuple[float, Callable[[], None]]] = [
            (bounds.labels_short(n), self._expand_labels_short),
            (bounds.unlabelled(n, every_word=True), lambda: self._expand_unlabelled(True)),
            (bounds.unlabelled(n, every_word=False), lambda: self._expand_unlabelled(False)),
        ]
        for k, (bound, _) in enumerate(self.classes):
            heapq.heappush(self.queue, (-bound, "", -k - 1))

    def hits(self, limit: int | None) -> list[SearchHit]:
        self.budget = None if limit is None else RESCORED + limit
        batch = FIRST_BATCH
        while self.queue and not self._settled(limit):
            self._rescore(self._next(batch))
            batch = min(2 * batch, LAST_BATCH)
        return self.found[:limit]

    def _settled(self, limit: int | None) -> bool:
        """Whether no entity left can enter the first `limit` hits; or, past the budget, can
        tie the first hit."""
        bound, entity_id, _ = self.queue[0]
        if limit is not None and len(self.found) >= limit:
            last = self.found[limit - 1]
            if (-last.score, last.entity.id) < (bound, entity_id):
                return True
        first_kept = bool(self.found) and -self.found[0].score < bound
        return self.budget is not None and self.rescored >= self.budget and first_kept

    def _next(self, size: int) -> list[int]:
        """Up to `size` rowids, best bound first (classes of entities are expanded as met)."""
        taken: list[int] = []
        while self.queue and len(taken) < size:
            _, _, rowid = heapq.heappop(self.queue)
            if rowid < 0:
                self.classes[-rowid - 1][1]()
            else:
                taken.append(rowid)
        return taken

    def _rescore(self, rowids: list[int]) -> None:
        from cpkb.query.search import SearchIndex

        rows = self.index.select("id, doc, folds", rowids, by="rowid")
        entities = [entity_from_doc(doc, self.index.schema_version) for _, doc, _ in rows]
        folded = {
            label: fold
            for entity, (_, _, folds) in zip(entities, rows, strict=True)
            for label, fold in zip(_labels(entity), _folds(folds), strict=True)
        }
        ranked = SearchIndex.build(entities, folded=folded).search(self.query.text, limit=None)
        self.found = sorted([*self.found, *ranked], key=lambda h: (-h.score, h.entity.id))
        self.rescored += len(rowids)

    def _queue_labels(self, rows: list[Row], every_word: Callable[[int], bool | None]) -> None:
        """Queue entities (rows of candidates.LABELS) by the bounds of their labels."""
        rows = [row for row in rows if row[0] not in self.seen and self.type in (None, row[2])]
        folds = [_folds(row[3]) for row in rows]
        judge = Bounds(self.query.words, folds, self.query.may_match)
        for (rowid, entity_id, _, _), labels in zip(rows, folds, strict=True):
            may_be_whole = rowid in self.whole
            bound = judge.upper(labels, every_word=every_word(rowid), may_be_whole=may_be_whole)
            self._push(bound, entity_id, rowid)

    def _push(self, bound: float, entity_id: str, rowid: int) -> None:
        if rowid not in self.seen:
            self.seen.add(rowid)
            heapq.heappush(self.queue, (-bound, entity_id, rowid))

    def _expand_labels_short(self) -> None:
        """Entities whose labels hold some query words but not every one."""
        query = self.query
        if len(query.words) < 2:
            return
        labelled = query.in_labels(" OR ")
        some = candidates.matching(self.index, labelled, entity_type=self.type)
        every = f"({query.every()}) AND ({labelled})"
        holding = {row[0] for row in candidates.matching(self.index, every, columns="words.rowid")}
        self._queue_labels(some, lambda rowid: rowid in holding)

    def _expand_unlabelled(self, every_word: bool) -> None:
        """Entities none of whose labels holds a query word, holding every word or not."""
        query = self.query
        if not every_word and len(query.words) < 2:
            return
        anywhere = query.every() if every_word else f"({query.some()}) NOT ({query.every()})"
        match = f"({anywhere}) NOT ({query.in_labels(' OR ')})"
        bound = bounds.unlabelled(len(query.words), every_word=every_word)
        best = None
        if self.budget is not None and self.found and self.found[0].score > bound:
            best = max(self.budget - self.rescored, 0)  # only lower places: within the budget
            if candidates.count(self.index, match, entity_type=self.type) <= best:
                best = None
        columns = "entities.rowid, entities.id"
        found = candidates.matching(
            self.index, match, entity_type=self.type, best=best, columns=columns
        )
        for rowid, entity_id in found:
            self._push(bound, entity_id, rowid)


def _labels(entity: Entity) -> tuple[str, ...]:
    return (entity.name, *entity.aliases, entity.id)


def _folds(blob: Any) -> list[str]:
    """An entity's stored label folds; ValueError if they are not (a damaged index)."""
    folds = marshal.loads(blob)
    if not isinstance(folds, list) or not all(isinstance(f, str) for f in folds):
        raise ValueError("not the folds of an entity's labels")
    return folds
