"""A write's working copy of a data file: the header (properties, sources, the top level) and
the entities it reads, changes, adds and removes. Commands change a draft; the store renders it.

Two kinds: a `SplicedDraft` (kb.spliced) over a canonically laid out file reads only the
entities it is asked for and renders the file with only their bytes replaced; a `WholeDraft`
holds every entity, read from TinyDB's tables, and renders the whole document. Both answer
alike (tests/kb/test_layout.py).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

import orjson

from cpkb.kb import layout
from cpkb.model.entities import made_claim_id

Doc = dict[str, Any]
_MADE = re.compile(r"(.+)-c([1-9][0-9]*)")  # an id made from a claim's place (model.entities)


def copied(document: Doc | None) -> Doc | None:
    """A deep copy of a parsed document (orjson's round trip: quicker than copy.deepcopy)."""
    if document is None:
        return None
    try:
        found: Doc = orjson.loads(orjson.dumps(document))
    except TypeError:  # an integer beyond 64 bits
        return copy.deepcopy(document)
    return found


def claim_ids(entity: Doc) -> list[str]:
    """Each claim's id as readers give it: the one stored, else the one made from its place."""
    found = []
    for n, claim in enumerate(entity.get("claims") or []):
        stored = claim.get("id") if isinstance(claim, dict) else None
        found.append(stored if isinstance(stored, str) else made_claim_id(entity["id"], n))
    return found


def refers_to(entity: Doc, entity_id: str) -> bool:
    """Whether one of the entity's claims targets `entity_id` or is stated by it."""
    claims = [c for c in entity.get("claims") or [] if isinstance(c, dict)]
    return any(entity_id in (c.get("target"), c.get("stated_by")) for c in claims)


class Change(NamedTuple):
    before: Doc | None  # None: added
    after: Doc | None  # None: removed


class Draft:
    """What every draft shares: the header, and the entities changed so far, by original id."""

    def __init__(self, header: Doc) -> None:
        self.header = header
        self.header_before = copy.deepcopy(header)
        self._changed: dict[str, Change] = {}  # by the id the entity had (or has, if added)
        self._current: dict[str, str] = {}  # an entity's id now -> its key in _changed
        self._now: dict[str, str] = {}  # a key in _changed -> the entity's id now
        self._claims: dict[str, str] = {}  # a claim id of a changed entity -> its key

    # What each kind reads from the file as it was (`_stored`: a copy unless `shared`).
    def _stored(self, entity_id: str, *, shared: bool = False) -> Doc | None:
        raise NotImplementedError

    def _stored_referrers(self, entity_id: str) -> Iterator[str]:
        raise NotImplementedError

    def _stored_claim_owner(self, claim_id: str) -> str | None:
        raise NotImplementedError

    def _stored_mentions(self, text: str) -> bool:
        raise NotImplementedError

    def render(self) -> bytes:
        raise NotImplementedError

    def index(self, entity_id: str) -> int:
        """Where the entity `entity_id` is in the rendered file's entities array."""
        raise NotImplementedError

    def entity(self, entity_id: str) -> Doc | None:
        """The entity with this id now (a copy to change and `put` back), or None."""
        key = self._current.get(entity_id)
        if key is not None:
            return copied(self._changed[key].after)
        if entity_id in self._changed:  # removed, or renamed away
            return None
        return self._stored(entity_id)

    def put(self, entity: Doc, *, replacing: str | None = None) -> None:
        """Store `entity` in place of the entity `replacing` (default: its own id), or last."""
        old = replacing or entity["id"]
        key = self._current.get(old, old)
        before = (
            self._changed[key].before if key in self._changed else self._stored(old, shared=True)
        )
        self._changed[key] = Change(before, entity)
        self._current.pop(self._now.get(key, ""), None)
        self._current[entity["id"]], self._now[key] = key, entity["id"]
        self._claims.update(dict.fromkeys(claim_ids(entity), key))

    def claim_added(self, entity_id: str, claim_id: str) -> None:
        """Note a claim added in place to the entity `entity_id` as last `put`."""
        self._claims[claim_id] = self._current[entity_id]

    def remove(self, entity_id: str) -> None:
        key = self._current.pop(entity_id, entity_id)
        self._now.pop(key, None)
        if key in self._changed:
            before = self._changed[key].before
        else:
            before = self._stored(entity_id, shared=True)
        self._changed[key] = Change(before, None)

    def referrers(self, entity_id: str) -> list[str]:
        """The ids of the entities with a claim that targets `entity_id` or is stated by it."""
        stored = self._stored_referrers(entity_id)
        found = dict.fromkeys(i for i in stored if i not in self._changed)
        for change in self._changed.values():
            if change.after is not None and refers_to(change.after, entity_id):
                found[change.after["id"]] = None
        return list(found)

    def claim_owner(self, claim_id: str) -> str | None:
        """The id of the entity that has the claim `claim_id` (stored or made from its place)."""
        key = self._claims.get(claim_id)
        after = self._changed[key].after if key is not None else None
        if after is not None and claim_id in claim_ids(after):
            return str(after["id"])
        owner = self._stored_claim_owner(claim_id)
        return None if owner in self._changed else owner

    def mentions(self, text: str) -> bool:
        """Whether anything in the file has the id `text` (an entity, source or claim); may say
        so of an id it had earlier in this write."""
        if text in self._current or text in self._claims:
            return True
        return self._stored_mentions(text) or any(s.get("id") == text for s in self.sources)

    @property
    def sources(self) -> list[Doc]:
        """The sources (to read: `records` adds to them)."""
        return self._list("sources")

    @property
    def properties(self) -> list[Doc]:
        """The property vocabulary (to read: `records` adds to it)."""
        return self._list("properties")

    def _list(self, name: str) -> list[Doc]:
        found = self.header.get(name)
        return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []

    def records(self, name: str) -> list[Any]:
        """The top-level array `name` (sources, properties) to add to (made if absent)."""
        found: list[Any] = self.header.setdefault(name, [])
        return found

    def changes(self) -> dict[str, Change]:
        """The entities changed, added or removed, by the id they had (or have, if added)."""
        return {k: c for k, c in self._changed.items() if c.before != c.after}


def made_owner(entity: Doc | None, claim_id: str) -> str | None:
    """The entity's id if `claim_id` is the id made for one of its claims that stores none."""
    if entity is None:
        return None
    for claim, found in zip(entity.get("claims") or [], claim_ids(entity), strict=True):
        if found == claim_id and isinstance(claim, dict) and "id" not in claim:
            return str(entity["id"])
    return None


class WholeDraft(Draft):
    """A draft over every entity of the file, read whole (from TinyDB's tables: `storage`)."""

    def __init__(self, header: Doc, entities: list[Doc], storage: Any = None) -> None:
        super().__init__(header)
        self.storage = storage
        self.originals = entities
        self._by_id: dict[str, Doc] = {}
        for entity in entities:
            if isinstance(entity, dict) and isinstance(entity.get("id"), str):
                self._by_id.setdefault(entity["id"], entity)
        self._owners: dict[str, str] | None = None

    def _stored(self, entity_id: str, *, shared: bool = False) -> Doc | None:
        found = self._by_id.get(entity_id)
        return found if shared else copied(found)

    def _stored_referrers(self, entity_id: str) -> Iterator[str]:
        return (e["id"] for e in self._by_id.values() if refers_to(e, entity_id))

    def _stored_claim_owner(self, claim_id: str) -> str | None:
        if self._owners is None:  # read once: the stored entities do not change
            self._owners = {}
            for entity in self._by_id.values():
                for found in claim_ids(entity):
                    self._owners.setdefault(found, str(entity["id"]))
        return self._owners.get(claim_id)

    def _stored_mentions(self, text: str) -> bool:
        return text in self._by_id or self._stored_claim_owner(text) is not None

    def entities(self) -> list[Doc]:
        """The entities as they now are, in file order, the added ones last."""
        found = []
        for entity in self.originals:
            key = entity.get("id") if isinstance(entity, dict) else None
            if not isinstance(key, str):
                found.append(entity)
                continue
            change = self._changed.get(key)
            if change is None or change.before is None or self._by_id.get(key) is not entity:
                found.append(entity)  # unchanged (or a later entity with a repeated id)
            elif change.after is not None:
                found.append(change.after)
        added = [c.after for c in self._changed.values() if c.before is None and c.after]
        return found + added

    def index(self, entity_id: str) -> int:
        ids = [e.get("id") if isinstance(e, dict) else None for e in self.entities()]
        return ids.index(entity_id)

    def document(self) -> Doc:
        return {**self.header, "entities": self.entities()}

    def render(self) -> bytes:
        return layout.document_bytes(self.document())
