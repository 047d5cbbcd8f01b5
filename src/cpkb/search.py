"""Pure lookup over entities: the folded-key index and reference resolution. No database handle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cpkb.errors import Ambiguous, NotFound
from cpkb.models import Entity
from cpkb.text import compact


@dataclass
class NameIndex:
    """Each entity's id, name and aliases, folded once, for resolving references."""

    entities: dict[str, Entity]
    by_key: dict[str, list[str]] = field(default_factory=dict)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (compact key, entity id)

    @classmethod
    def build(cls, entities: Iterable[Entity]) -> NameIndex:
        index = cls({e.id: e for e in entities})
        for entity in index.entities.values():
            for label in (entity.id, entity.name, *entity.aliases):
                key = compact(label)
                if not key:
                    continue
                ids = index.by_key.setdefault(key, [])
                if entity.id not in ids:
                    ids.append(entity.id)
                index.labels.append((key, entity.id))
        return index

    def resolve(self, ref: str, *, entity_type: str | None = None) -> Entity:
        """The one entity whose id, name or alias is `ref` (ignoring case, accents, punctuation).

        With `entity_type`, only entities of that type count.
        """
        found = [ref] if ref in self.entities else self.by_key.get(compact(ref), [])
        ids = [i for i in found if entity_type in (None, self.entities[i].type)]
        if len(ids) == 1:
            return self.entities[ids[0]]
        if ids:
            raise Ambiguous(ref, candidates=[self._label(i) for i in ids])
        if found:
            others = ", ".join(self._label(i) for i in found)
            raise NotFound(ref, hint=f"not a {entity_type}; see {others} with 'cpkb show'")
        raise NotFound(ref, suggestions=self.suggest(ref, entity_type=entity_type))

    def suggest(
        self, ref: str, *, entity_type: str | None = None, limit: int = 3, cutoff: float = 60.0
    ) -> list[str]:
        """Names of the entities whose labels look most like `ref`."""
        from rapidfuzz import fuzz, process

        key = compact(ref)
        labels = [(k, i) for k, i in self.labels if entity_type in (None, self.entities[i].type)]
        if not key or not labels:
            return []
        matches = process.extract(
            key, [k for k, _ in labels], scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=cutoff
        )
        names: list[str] = []
        for _, _, position in matches:
            name = self.entities[labels[position][1]].name
            if name not in names:
                names.append(name)
        return names[:limit]

    def _label(self, entity_id: str) -> str:
        entity = self.entities[entity_id]
        return f"{entity.id} ({entity.type}: {entity.name})"
