"""What the index finds for a query: entities by how its words match them (in their labels, in
the rest of their text, every word or some), as cpkb.index.ranking rescores them."""

from __future__ import annotations

from typing import Any

from cpkb.index.reader import Index
from cpkb.query.text import fold, skeleton

BM25 = "bm25(words, 10.0, 1.0)"  # labels weigh ten times the rest


Row = tuple[Any, ...]
LABELS = "entities.rowid, entities.id, entities.type, entities.folds"  # what bounds are made of


class Query:
    """A query's words, each with the full-text terms that match it as `SearchIndex.expand`
    matches words: its loose form, the words it begins, and near misspellings."""

    def __init__(self, index: Index, text: str) -> None:
        self.text = text
        self.words = list(dict.fromkeys(fold(text).split()))
        self.key = "".join(self.words)
        self.terms = [_terms(index, word) for word in self.words]
        self.groups = [f"({' OR '.join(_alternatives(*terms))})" for terms in self.terms]

    def every(self) -> str:
        return " AND ".join(self.groups)

    def some(self) -> str:
        return " OR ".join(self.groups)

    def in_labels(self, joiner: str) -> str:
        return joiner.join(f"labels : {group}" for group in self.groups)

    def may_match(self, token: str) -> bool:
        """Whether a word of a text can match a query word (if not, it surely does not)."""
        loose = skeleton(token)
        return any(
            loose == key or (prefix and loose.startswith(key)) or loose in near
            for key, prefix, near in self.terms
        )


Terms = tuple[str, bool, frozenset[str]]  # a word's loose form, whether words it begins match, near


def _terms(index: Index, word: str) -> Terms:
    from cpkb.query.search import typo_budget

    key = skeleton(word)
    budget = typo_budget(key)
    if not budget:
        return key, len(key) >= 3, frozenset()
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extract(
        key, index.vocabulary(), scorer=OSA.distance, score_cutoff=budget, limit=None
    )
    return key, len(key) >= 3, frozenset(term for term, _, _ in found)


def _alternatives(key: str, prefix: bool, near: frozenset[str]) -> list[str]:
    terms = {f'"{key}"', *(f'"{term}"' for term in near)}
    if prefix:
        terms.add(f'"{key}"*')
    return sorted(terms)


def whole(index: Index, query: Query, *, columns: str = LABELS) -> list[Row]:
    """Entities a label of which may be the whole query (by its words, or loosely): every one
    `SearchIndex` scores as an exact label, and maybe more."""
    keys = [query.key, "=" + query.key, "~" + skeleton(query.key)]
    sql = f"SELECT DISTINCT {columns} FROM labels JOIN entities USING (id)"
    return index.db.execute(f"{sql} WHERE key IN (?, ?, ?)", keys).fetchall()


def matching(
    index: Index,
    match: str,
    *,
    entity_type: str | None = None,
    best: int | None = None,
    columns: str = LABELS,
) -> list[Row]:
    """`columns` of the entities the full-text expression `match` finds (of `entity_type`), by
    rowid; or of the `best` of them by bm25."""
    sql, args = _where(match, entity_type)
    if best is not None:
        sql, args = f"{sql} ORDER BY {BM25} LIMIT ?", [*args, best]
    return index.db.execute(f"SELECT {columns} {sql}", args).fetchall()


def count(index: Index, match: str, *, entity_type: str | None = None) -> int:
    sql, args = _where(match, entity_type)
    (found,) = index.db.execute(f"SELECT count(*) {sql}", args).fetchone()
    return int(found)


def _where(match: str, entity_type: str | None) -> tuple[str, list[Any]]:
    sql = "FROM words JOIN entities ON entities.rowid = words.rowid WHERE words MATCH ?"
    if entity_type is None:
        return sql, [match]
    return sql + " AND entities.type = ?", [match, entity_type]
