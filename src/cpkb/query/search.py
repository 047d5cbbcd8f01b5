"""Pure search over entities: keys folded once, ranked hits, and reference resolution.

No database handle: `SearchIndex.build(entities)` takes entities; `search()` returns
`SearchHit`s and `label_matches()` serves REF resolution, so a later backend (SQLite FTS)
can stand behind the same calls.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from typing import Literal, NamedTuple, TypeAlias

from cpkb.model.entities import Entity, cited_texts
from cpkb.query.snippets import snippet
from cpkb.query.text import fold, skeleton

Fit = Literal["exact", "whole", "words", ""]
"""How a hit matched a label (id, name or alias): the query *is* the label; it covers every
word of one label; every query word is in one label; or not through a label at all."""

WEIGHTS = {
    "name": 1.0, "alias": 0.95, "id": 0.9, "summary": 0.5, "claim": 0.4, "quote": 0.3,
    "paraphrase": 0.3,
}  # fmt: skip
LABELS = frozenset({"name", "alias", "id"})
# How well an index word matches a query word.
EXACT, TRANSLITERATED, PREFIX, LOOSE_PREFIX = 1.0, 0.92, 0.85, 0.8
TYPOS = {1: 0.75, 2: 0.65}
EXACT_SCORE, SKELETON_SCORE = 100.0, 99.0


def typo_budget(word: str) -> int:
    """Edits allowed between two skeletons: none for short words or numbers, then one, then two."""
    if len(word) < 4 or not word.isalpha():
        return 0
    return 1 if len(word) <= 6 else 2


class SearchHit(NamedTuple):
    """One entity found by a query, with the field that explains why."""

    entity: Entity
    score: float  # higher is better; 100 = the query is an id, name or alias
    field: str  # id, name, alias, summary, claim.<property>, quote
    snippet: str
    highlights: tuple[tuple[int, int], ...]  # [start, end) spans of `snippet` that matched
    fit: Fit = ""


class _Field(NamedTuple):
    entity_id: str
    kind: str
    text: str
    weight: float
    size: int  # distinct words


def _fields(entity: Entity) -> Iterable[tuple[str, str]]:
    yield "name", entity.name
    yield from (("alias", alias) for alias in entity.aliases)
    yield "id", entity.id
    yield "summary", entity.summary
    for claim in entity.claims:
        if isinstance(claim.value, (str, int, float)) and not isinstance(claim.value, bool):
            yield f"claim.{claim.property}", str(claim.value)
    yield from cited_texts(entity)


class _Tally:
    """What one query matched in the fields of one entity."""

    def __init__(self) -> None:
        self.quality: dict[int, dict[int, float]] = {}  # field -> word -> quality
        self.tokens: dict[int, set[str]] = {}  # field -> index words matched

    def add(self, field_index: int, word_index: int, token: str, quality: float) -> None:
        words = self.quality.setdefault(field_index, {})
        words[word_index] = max(quality, words.get(word_index, 0.0))
        self.tokens.setdefault(field_index, set()).add(token)


# (entity id, score, the field that explains it, label fit, what matched where or None)
_Match: TypeAlias = "tuple[str, float, int, Fit, _Tally | None]"


class SearchIndex:
    """Every searchable field of every entity, folded and split into words once, at build time.

    (Plain classes and named tuples here, not dataclasses: importing dataclasses costs every
    search ~15 ms of start-up.)"""

    def __init__(self, entities: dict[str, Entity]) -> None:
        self.entities = entities
        self.fields: list[_Field] = []
        self.postings: dict[str, list[int]] = {}  # word -> field indexes
        self.by_skeleton: dict[str, list[str]] = {}  # skeleton -> words
        self.skeletons: list[str] = []  # sorted keys of by_skeleton
        self.labels: dict[str, list[int]] = {}  # compact label -> fields
        self.loose_labels: dict[str, list[int]] = {}  # its skeleton -> fields

    @classmethod
    def build(
        cls, entities: Iterable[Entity], *, folded: Mapping[str, str] | None = None
    ) -> SearchIndex:
        """The index of `entities`; `folded` may give `fold(text)` of some texts, precomputed
        (the on-disk index keeps its labels' folds, so a search need not transliterate them)."""
        index = cls({e.id: e for e in entities})
        known = folded or {}
        for entity in index.entities.values():
            for kind, text in _fields(entity):
                index._add(entity.id, kind, text, known.get(text))
        index.skeletons = sorted(index.by_skeleton)
        return index

    def _add(self, entity_id: str, kind: str, text: str, folded: str | None = None) -> None:
        words = dict.fromkeys((fold(text) if folded is None else folded).split())
        if not words:
            return
        position = len(self.fields)
        weight = WEIGHTS[kind.partition(".")[0]]
        self.fields.append(_Field(entity_id, kind, text, weight, len(words)))
        for word in words:
            if word not in self.postings:
                self.postings[word] = []
                self.by_skeleton.setdefault(skeleton(word), []).append(word)
            self.postings[word].append(position)
        if kind in LABELS:
            key = "".join(words)
            self.labels.setdefault(key, []).append(position)
            self.loose_labels.setdefault(skeleton(key), []).append(position)

    def search(
        self, query: str, *, entity_type: str | None = None, limit: int | None = 10
    ) -> list[SearchHit]:
        """Entities matching `query`, best first; [] when nothing (or no word) matches."""
        return [self._hit(*match) for match in self._ranked(query, entity_type)[:limit]]

    def label_matches(
        self, query: str, *, entity_type: str | None = None
    ) -> list[tuple[Fit, Entity]]:
        """Entities with a label (id, name, alias) holding every word of `query`, best first."""
        return [(m[3], self.entities[m[0]]) for m in self._ranked(query, entity_type) if m[3]]

    def _ranked(self, query: str, entity_type: str | None) -> list[_Match]:
        words = list(dict.fromkeys(fold(query).split()))
        tally: dict[str, _Tally] = {}
        for word_index, word in enumerate(words):
            for token, quality in self.expand(word).items():
                for position in self.postings[token]:
                    entity_id = self.fields[position].entity_id
                    tally.setdefault(entity_id, _Tally()).add(position, word_index, token, quality)
        best: dict[str, _Match] = {}
        ranked = [self._rank(entity_id, t, len(words)) for entity_id, t in tally.items()]
        for match in ranked + self._exact_labels("".join(words)):
            entity_id, score = match[0], match[1]
            if entity_type in (None, self.entities[entity_id].type) and (
                entity_id not in best or score > best[entity_id][1]
            ):
                best[entity_id] = match
        return sorted(best.values(), key=lambda m: (-m[1], m[0]))

    def expand(self, word: str) -> dict[str, float]:
        """Index words matching a query word, and how well: exact, transliterated, prefix, typos."""
        key = skeleton(word)
        found = {t: EXACT if t == word else TRANSLITERATED for t in self.by_skeleton.get(key, ())}
        if len(key) >= 3:
            start = bisect_left(self.skeletons, key)
            for loose in self.skeletons[start:]:
                if not loose.startswith(key):
                    break
                for token in self.by_skeleton[loose]:
                    found.setdefault(token, PREFIX if token.startswith(word) else LOOSE_PREFIX)
        budget = typo_budget(key)
        if budget:
            from rapidfuzz import process
            from rapidfuzz.distance import OSA

            near = process.extract(
                key, self.skeletons, scorer=OSA.distance, score_cutoff=budget, limit=None
            )
            for loose, distance, _ in near:
                for token in self.by_skeleton[loose]:
                    found[token] = max(found.get(token, 0.0), TYPOS.get(int(distance), 0.0))
        return found

    def _rank(self, entity_id: str, tally: _Tally, n_words: int) -> _Match:
        """Score: all words matched (50) + how well, by field weight (40) + one field has all (5)"""
        best_per_word = [0.0] * n_words
        for position, words in tally.quality.items():
            for word_index, quality in words.items():
                weighted = quality * self.fields[position].weight
                best_per_word[word_index] = max(best_per_word[word_index], weighted)
        position = max(tally.quality, key=lambda p: self._field_strength(p, tally))
        score = 50.0 * all(best_per_word) + 40.0 * sum(best_per_word) / n_words
        if len(tally.quality[position]) == n_words:
            chosen = self.fields[position]
            coverage = len(tally.tokens[position]) / chosen.size
            score += 5.0 * chosen.weight * (0.6 + 0.4 * coverage)
        return entity_id, round(score, 2), position, self._fit(tally, n_words), tally

    def _field_strength(self, position: int, tally: _Tally) -> tuple[int, float, int]:
        words = tally.quality[position]
        weighted = sum(words.values()) * self.fields[position].weight
        return len(words), weighted, -position

    def _fit(self, tally: _Tally, n_words: int) -> Fit:
        fit: Fit = ""
        for position, words in tally.quality.items():
            chosen = self.fields[position]
            if chosen.kind in LABELS and len(words) == n_words:
                if len(tally.tokens[position]) == chosen.size:
                    return "whole"
                fit = "words"
        return fit

    def _exact_labels(self, key: str) -> list[_Match]:
        """Entities with an id, name or alias equal to the whole query (folded, or loosely)."""
        exact = [(p, EXACT_SCORE) for p in self.labels.get(key, ())]
        loose = [(p, SKELETON_SCORE) for p in self.loose_labels.get(skeleton(key), ())]
        return [(self.fields[p].entity_id, score, p, "exact", None) for p, score in exact + loose]

    def _hit(
        self, entity_id: str, score: float, position: int, fit: Fit, tally: _Tally | None
    ) -> SearchHit:
        chosen = self.fields[position]
        # No tally: the query is the whole label, so every word of it is highlighted.
        matched = set(fold(chosen.text).split()) if tally is None else tally.tokens[position]
        text, spans = snippet(chosen.text, matched)
        return SearchHit(self.entities[entity_id], score, chosen.kind, text, spans, fit)
