"""Reference resolution: the one entity a REF names (an id, a label, or failing those the only
entity a label of which holds every word), and the names a "did you mean" offers."""

from __future__ import annotations

from collections.abc import Iterable

from cpkb.errors import Ambiguous, NotFound
from cpkb.model.entities import Entity
from cpkb.query.search import LABELS, SearchHit, SearchIndex
from cpkb.query.text import compact


def suggested_names(hits: list[SearchHit]) -> list[str]:
    """Names worth a 'did you mean': the best hits, those scoring at least half as well, and
    those found by a name, an alias or an id, which come first (a reference is a name)."""
    kept = [h for h in hits if h.field in LABELS or h.score >= hits[0].score / 2]
    return [h.entity.name for h in sorted(kept, key=lambda h: h.field not in LABELS)]


class NameIndex:
    """Reference resolution: exact id or folded label first (cheap), then the search index."""

    def __init__(self, entities: dict[str, Entity]) -> None:
        self.entities = entities
        self.by_key: dict[str, list[str]] = {}
        self._search: SearchIndex | None = None

    @classmethod
    def build(cls, entities: Iterable[Entity]) -> NameIndex:
        index = cls({e.id: e for e in entities})
        for entity in index.entities.values():
            for label in (entity.id, entity.name, *entity.aliases, *entity.former_ids):
                key = compact(label)
                ids = index.by_key.setdefault(key, []) if key else []
                if key and entity.id not in ids:
                    ids.append(entity.id)
        return index

    @property
    def search_index(self) -> SearchIndex:
        """The full search index, built on first use (resolving an id never needs it)."""
        if self._search is None:
            self._search = SearchIndex.build(self.entities.values())
        return self._search

    def resolve(self, ref: str, *, entity_type: str | None = None) -> Entity:
        """The one entity `ref` names: an id, a label (ignoring case, accents, punctuation, script),
        or, failing those, the only entity one of whose labels holds every word of `ref`.

        With `entity_type`, only entities of that type count.
        """
        found = [ref] if ref in self.entities else self.by_key.get(compact(ref), [])
        ids = [i for i in found if entity_type in (None, self.entities[i].type)]
        if len(ids) == 1:
            return self.entities[ids[0]]
        if ids:
            raise Ambiguous(ref, candidates=[self._label(i) for i in ids])
        if found:
            raise self._other_type(ref, found, entity_type)
        return self._resolve_loosely(ref, entity_type)

    def _resolve_loosely(self, ref: str, entity_type: str | None) -> Entity:
        matches = self.search_index.label_matches(ref, entity_type=entity_type)
        for fit in ("exact", "whole", "words"):
            tier = [entity.id for found, entity in matches if found == fit]
            if len(tier) == 1:
                return self.entities[tier[0]]
            if tier:
                raise Ambiguous(ref, candidates=[self._label(i) for i in tier])
        if entity_type is not None:
            elsewhere = [entity.id for _, entity in self.search_index.label_matches(ref)]
            if elsewhere:
                raise self._other_type(ref, elsewhere, entity_type)
        raise NotFound(ref, suggestions=self.suggest(ref, entity_type=entity_type))

    def suggest(self, ref: str, *, entity_type: str | None = None, limit: int = 3) -> list[str]:
        """Names of the entities that best match `ref`, if any come close to the best."""
        return suggested_names(self.search_index.search(ref, entity_type=entity_type, limit=limit))

    def _other_type(self, ref: str, ids: list[str], entity_type: str | None) -> NotFound:
        others = ", ".join(self._label(i) for i in ids)
        return NotFound(ref, hint=f"not a {entity_type}; see {others} with 'cpkb show'")

    def _label(self, entity_id: str) -> str:
        entity = self.entities[entity_id]
        return f"{entity.id} ({entity.type}: {entity.name})"
