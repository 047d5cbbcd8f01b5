"""The changes write commands make to a draft (kb.draft): entities, claims, sources and
properties added, corrected and removed. Whether the result is valid is the write's to check;
these refuse only what they cannot do (a missing record, an id already taken).

Claim ids: a new claim gets `<entity id>-c<n>`, the next number its entity has not used, unless
anything in the file already has that id; and a write that changes an entity first stores the
ids its claims were read with, so that removing one does not renumber the others.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from typing import Any

from cpkb.errors import NoResults, Refused, UsageProblem
from cpkb.kb.draft import Doc, Draft, claim_ids

ID_LIMIT = 200
_NUMBERED = re.compile(r"-c([0-9]+)$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def refused(problem: str, hint: str | None = None) -> Refused:
    """A change that cannot be made as asked (exit 3, nothing written)."""
    return Refused(problem, hint=hint)


def entity_of(draft: Draft, entity_id: str) -> Doc:
    found = draft.entity(entity_id)
    if found is None:
        raise NoResults(f"no entity {entity_id!r} in the data file")
    return found


def store_claim_ids(entity: Doc) -> None:
    """Give each claim of the entity the id it was read with, if it stores none."""
    for claim, claim_id in zip(entity.get("claims") or [], claim_ids(entity), strict=True):
        if isinstance(claim, dict) and "id" not in claim:
            claim["id"] = claim_id
            claim_id_first(claim)


def claim_id_first(claim: Doc) -> None:
    """Put a claim's `id` first, where the field table has it (moved, not copied)."""
    rest = {k: v for k, v in claim.items() if k != "id"}
    claim_id = claim["id"]
    claim.clear()
    claim.update({"id": claim_id, **rest})


def next_claim_number(ids: Collection[str]) -> int:
    """The first claim number past both the count of `ids` and every number they end with."""
    numbers = [int(m.group(1)) for i in ids if (m := _NUMBERED.search(i))]
    return max([len(ids), *numbers]) + 1


def new_claim_id(draft: Draft, entity: Doc) -> str:
    """An id no claim of the entity, nor anything else in the file, has."""
    taken = set(claim_ids(entity))
    n = next_claim_number(taken)
    while f"{entity['id']}-c{n}" in taken or draft.mentions(f"{entity['id']}-c{n}"):
        n += 1
    return f"{entity['id']}-c{n}"


def add_claim(draft: Draft, entity_id: str, claim: Doc) -> str:
    """Add the claim to the entity, with a new id unless it has one; its id."""
    check_when(claim)
    entity = entity_of(draft, entity_id)
    store_claim_ids(entity)
    if "id" not in claim:
        claim["id"] = new_claim_id(draft, entity)
    elif claim["id"] in claim_ids(entity) or draft.mentions(claim["id"]):
        raise refused(f"the claim id {claim['id']!r} is taken")
    claim_id_first(claim)
    entity.setdefault("claims", []).append(claim)
    draft.put(entity)
    return str(claim["id"])


class ClaimBatch:
    """Claims added one after another, as `add_claim` adds them, each entity read (and its ids
    counted) once rather than once a claim: an import's claims on one entity stay linear. Its
    entities are the draft's own (put once), changed in place; `forget` before other changes."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self._held: dict[str, tuple[Doc, set[str], list[int]]] = {}

    def add(self, entity_id: str, claim: Doc) -> str:
        """Add the claim to the entity, with a new id unless it has one; its id."""
        check_when(claim)
        entity, ids, after = self._hold(entity_id)
        if "id" not in claim:
            n = after[0]
            while f"{entity['id']}-c{n}" in ids or self.draft.mentions(f"{entity['id']}-c{n}"):
                n += 1
            claim["id"] = f"{entity['id']}-c{n}"
        elif claim["id"] in ids or self.draft.mentions(claim["id"]):
            raise refused(f"the claim id {claim['id']!r} is taken")
        claim_id_first(claim)
        entity.setdefault("claims", []).append(claim)
        ids.add(claim["id"])
        after[0] = max(after[0], next_claim_number([claim["id"]]), len(ids) + 1)
        self.draft.claim_added(entity["id"], claim["id"])
        return str(claim["id"])

    def _hold(self, entity_id: str) -> tuple[Doc, set[str], list[int]]:
        if entity_id not in self._held:
            entity = entity_of(self.draft, entity_id)
            store_claim_ids(entity)
            self.draft.put(entity)
            ids = set(claim_ids(entity))
            self._held[entity_id] = (entity, ids, [next_claim_number(ids)])
        return self._held[entity_id]

    def forget(self) -> None:
        """Read each entity afresh from now on (another change may have replaced it)."""
        self._held.clear()


WHEN = "give --date (a point in time) or --start/--end (how long it holds)"


def check_when(claim: Doc, *, hint: str | None = None) -> None:
    """A claim holds at a point in time (`date`) or over a time (`start`, `end`), not both:
    the one rule of every write that makes or changes a claim."""
    if claim.get("date") is not None and any(claim.get(k) is not None for k in ("start", "end")):
        raise UsageProblem(WHEN, hint=hint)


def find_claim(draft: Draft, claim_id: str) -> tuple[Doc, int]:
    """The entity that has the claim, and the claim's place in it."""
    owner = draft.claim_owner(claim_id)
    entity = draft.entity(owner) if owner is not None else None
    if entity is None:
        raise NoResults(f"no claim {claim_id!r} in the data file", hint="see 'cpkb show REF --all'")
    return entity, claim_ids(entity).index(claim_id)


def set_claim(draft: Draft, claim_id: str, fields: dict[str, Any]) -> str:
    """Set (or, given None, remove) fields of the claim; the id of its entity."""
    entity, k = find_claim(draft, claim_id)
    store_claim_ids(entity)
    claim = entity["claims"][k]
    for name, value in fields.items():
        if value is None:
            claim.pop(name, None)
        else:
            claim[name] = value
    check_when(claim, hint=f"{claim_id} holds the other: remove it with --unset")
    draft.put(entity)
    return str(entity["id"])


def remove_claim(draft: Draft, claim_id: str) -> str:
    """Remove the claim, unless another claim supersedes it; the id of its entity."""
    entity, k = find_claim(draft, claim_id)
    store_claim_ids(entity)
    superseding = [c["id"] for c in entity["claims"] if claim_id in (c.get("supersedes") or [])]
    if superseding:
        names = ", ".join(superseding)
        raise refused(
            f"claim {claim_id!r} is superseded by {names}", "remove or change those first"
        )
    del entity["claims"][k]
    draft.put(entity)
    return str(entity["id"])


def slug(name: str) -> str:
    """An id made from a name: lowercase ASCII words joined by hyphens (any script)."""
    from anyascii import anyascii

    words = _NOT_SLUG.sub("-", anyascii(name).lower())[:ID_LIMIT].strip("-")
    return re.sub("-+", "-", words) or "entity"


def new_entity_id(draft: Draft, name: str) -> str:
    """An id from the name that nothing in the file has (`-2`, `-3`... if need be)."""
    base, n = slug(name), 1
    found = base
    while draft.entity(found) is not None or draft.mentions(found):
        n += 1
        found = f"{base[: ID_LIMIT - len(str(n)) - 1]}-{n}"
    return found


def add_entity(draft: Draft, entity: Doc) -> str:
    if draft.entity(entity["id"]) is not None:
        raise refused(f"an entity with the id {entity['id']!r} exists", "choose another --id")
    draft.put(entity)
    return str(entity["id"])


def remove_entity(draft: Draft, entity_id: str, *, cascade: bool) -> list[str]:
    """Remove the entity; with `cascade`, the claims of others that point to it too (their
    ids); without, refuse while any do."""
    entity_of(draft, entity_id)
    pointing = draft.referrers(entity_id)
    if pointing and not cascade:
        raise refused(
            f"entity {entity_id!r} is pointed to by {', '.join(pointing)}",
            "remove those claims first, or use --cascade to remove them with it",
        )
    removed = []
    for other_id in pointing:
        other = entity_of(draft, other_id)
        store_claim_ids(other)
        kept = [
            c for c in other["claims"] if entity_id not in (c.get("target"), c.get("stated_by"))
        ]
        removed += [c["id"] for c in other["claims"] if c not in kept]
        other["claims"] = kept
        draft.put(other)
    draft.remove(entity_id)
    return removed


ARRAYS = {"source": ("sources", "id"), "property": ("properties", "name")}


def add_record(draft: Draft, kind: str, record: Doc) -> None:
    """Add a source or property, unless one has its id (or name)."""
    array, key = ARRAYS[kind]
    records = draft.records(array)
    if any(isinstance(r, dict) and r.get(key) == record[key] for r in records):
        raise refused(f"a {kind} {record[key]!r} exists")
    records.append(record)


def typed_value(text: str, takes: str | None) -> Any:
    """A claim value from the command line, by what its property takes: a number for numbers
    and quantities, true/false for booleans, else text (for an undeclared property, a number
    if it reads as one)."""
    if takes in ("text", "date", "entity"):
        return text
    if takes == "boolean" and text in ("true", "false"):
        return text == "true"
    try:
        number = json.loads(text)
    except ValueError:
        return text
    is_number = isinstance(number, (int, float)) and not isinstance(number, bool)
    if is_number and takes != "boolean":
        _representable(text, number)
        return number
    return text


def _representable(text: str, number: float) -> None:
    """Refuse a number a data file cannot hold as written: one past a double's range (it would
    be infinite, which JSON cannot write) or so small it would read as 0."""
    if isinstance(number, float) and not math.isfinite(number):
        raise UsageProblem(f"the number {text} is out of range (at most about 1.8e308)")
    if number == 0 and re.search(r"[1-9]", re.split(r"[eE]", text)[0]):
        raise UsageProblem(f"the number {text} is too small to store: it would read as 0")
