"""Search and reference resolution through the index: SQLite's full-text table preselects
candidates, and the pure code of cpkb.query.search ranks them as it ranks the whole file."""

from __future__ import annotations

import marshal
from typing import TYPE_CHECKING, Any

from cpkb.index.reader import Index, entity_from_doc
from cpkb.query.text import fold, skeleton

if TYPE_CHECKING:
    from cpkb.query.search import SearchHit

CANDIDATES = 100  # entities re-ranked in Python per query; the rest is ranked by SQLite FTS5


def candidates(
    index: Index,
    query: str,
    *,
    entity_type: str | None,
    labels_only: bool,
    enough: int = CANDIDATES,
) -> list[str]:
    """Ids of the entities most likely to match `query`, by FTS5's bm25: those with every word
    first; those with only some words too, when fewer than `enough` have every word (an entity
    with every word always outranks one without). A label must hold every word to resolve a
    reference, so `labels_only` never looks further."""
    words = list(dict.fromkeys(fold(query).split()))
    if not words:
        return []
    groups = [_alternatives(index, word) for word in words]
    column = "labels : " if labels_only else ""
    ids: list[str] = []
    for joiner in (" AND ", " OR "):
        match = joiner.join(f"{column}({' OR '.join(g)})" for g in groups)
        ids += _match(index, match, entity_type, exclude=ids)
        if len(ids) >= enough or len(groups) == 1 or labels_only:
            break
    key = "".join(words)
    exact = index.label_ids(key) + index.label_ids("~" + skeleton(key))
    return list(dict.fromkeys(exact + ids))


def _match(index: Index, match: str, entity_type: str | None, *, exclude: list[str]) -> list[str]:
    sql = "SELECT id FROM words JOIN entities ON entities.rowid = words.rowid"
    sql += " WHERE words MATCH ?"
    args: list[Any] = [match]
    if entity_type is not None:
        sql, args = sql + " AND type = ?", [*args, entity_type]
    sql += " ORDER BY bm25(words, 10.0, 1.0) LIMIT ?"
    rows = index.db.execute(sql, [*args, CANDIDATES + len(exclude)])
    seen = set(exclude)
    return [i for (i,) in rows if i not in seen][: CANDIDATES - len(exclude)]


def _alternatives(index: Index, word: str) -> list[str]:
    """FTS terms for a query word: its loose form, words it begins, and near misspellings."""
    from cpkb.query.search import typo_budget

    key = skeleton(word)
    terms = {f'"{key}"'}
    if len(key) >= 3:
        terms.add(f'"{key}"*')
    budget = typo_budget(key)
    if budget:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        near = process.extract(
            key, index.vocabulary(), scorer=OSA.distance, score_cutoff=budget, limit=None
        )
        terms.update(f'"{term}"' for term, _, _ in near)
    return sorted(terms)


def search(
    index: Index, query: str, *, entity_type: str | None, limit: int | None
) -> list[SearchHit]:
    """The same ranking as `SearchIndex`, applied to the candidates FTS5 preselects."""
    enough = CANDIDATES if limit is None else min(limit, CANDIDATES)
    ids = candidates(index, query, entity_type=entity_type, labels_only=False, enough=enough)
    from cpkb.query.search import SearchIndex

    wanted, rows = index.select("id, doc, folds", ids)
    found = {i: (entity_from_doc(doc), marshal.loads(folds)) for i, doc, folds in rows}
    entities = [found[i][0] for i in wanted if i in found]
    folded = {
        label: fold
        for entity, folds in found.values()
        for label, fold in zip((entity.name, *entity.aliases, entity.id), folds, strict=True)
    }
    return SearchIndex.build(entities, folded=folded).search(
        query, entity_type=entity_type, limit=limit
    )
