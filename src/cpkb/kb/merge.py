"""A three-way merge of two versions of a data file that share a base: pure, over documents.

Records are matched as `cpkb diff` matches them (properties by name, sources and entities by
id, claims by id). What one side changed and the other did not is taken; what both changed
alike is taken once. An entity both sides changed is merged field by field and claim by claim;
a claim both sides changed differently, or anything one side changed and the other removed, is
a conflict: the merge keeps our version of it and lists both. Whether the result is valid (a
side removed an entity the other now points to) is for the caller to check.

A claim id that is not in the base but that both sides added, with different claims, names two
claims, not one changed twice (two people each added a claim to one entity, and each write gave
the next number): ours keeps the id; theirs gets the next id free in the entity and the file
(and their claims' `supersedes` that named it follow), and comes after ours.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from cpkb.kb.diff import by_field, claims_by_id, keyed
from cpkb.kb.edit import claim_id_first, next_claim_number

Doc = dict[str, Any]
_ABSENT: Any = None


class Conflict(NamedTuple):
    """A record or field both sides changed differently: its three versions (None: absent)."""

    what: str  # e.g. "claim 'x-c2' of entity 'x'", "entity 'x': field 'name'"
    base: Any
    ours: Any
    theirs: Any


ItemMerge = Callable[[str, Doc, Doc, Doc, list[Conflict]], Doc]
Sides = tuple[dict[Any, Doc], dict[Any, Doc], dict[Any, Doc]]


def three_way(
    what: str, base: Any, ours: Any, theirs: Any, conflicts: list[Conflict], inner: Any = None
) -> Any:
    """The merged value: a side's change, or `inner`'s merge of both, or ours and a conflict."""
    if ours == theirs:
        return ours
    if ours == base:
        return theirs
    if theirs == base:
        return ours
    if inner is not None and all(isinstance(v, dict) for v in (base, ours, theirs)):
        merged: Doc = inner(what, base, ours, theirs, conflicts)
        return merged
    conflicts.append(Conflict(what, base, ours, theirs))
    return ours


def merge_keyed(
    what: Callable[[Any], str],
    sides: Sides,
    conflicts: list[Conflict],
    inner: ItemMerge | None = None,
    after: dict[Any, Any] | None = None,
) -> list[Doc]:
    """Records merged key by key, in our order, theirs' additions after their predecessor
    (or after the record of ours that `after` names for them)."""
    base, ours, theirs = sides
    chosen = {
        key: three_way(what(key), base.get(key), ours.get(key), theirs.get(key), conflicts, inner)
        for key in {**ours, **theirs, **base}
    }
    following: dict[Any, list[Any]] = {}
    previous: Any = _START
    for key in theirs:  # theirs' additions, each after the last of ours that precedes it
        previous = (after or {}).get(key, previous)
        if key not in ours and key not in base:
            following.setdefault(previous, []).append(key)
        elif key in ours:
            previous = key
    order = [*following.get(_START, [])]
    for key in ours:
        order.append(key)
        order += following.get(key, [])
    order += [k for k in base if k not in ours and k not in theirs]  # both removed: dropped
    return [chosen[key] for key in order if chosen.get(key) is not None]


_START = object()
ARRAYS = {
    "properties": ("name", "property"),
    "sources": ("id", "source"),
    "entities": ("id", "entity"),
}


def _labels(kind: str, suffix: str = "") -> Callable[[Any], str]:
    return lambda key: f"{kind} {key!r}{suffix}"


def merge_entity(
    what: str, base: Doc, ours: Doc, theirs: Doc, conflicts: list[Conflict], taken: set[str]
) -> Doc:
    """An entity both sides changed: field by field, its claims claim by claim (`taken`: the
    ids in either version of the file, for a claim of theirs that needs a new one)."""
    merged: Doc = {}
    for name in [*ours, *(k for k in theirs if k not in ours)]:
        if name == "claims":
            sides = (claims_by_id(base), claims_by_id(ours), claims_by_id(theirs))
            after = renumber_clashes(str(ours.get("id")), sides, taken)
            merged[name] = merge_keyed(_labels("claim", f" of {what}"), sides, conflicts,
                                       after=after)  # fmt: skip
            continue
        value = three_way(
            f"{what}: field {name!r}", base.get(name), ours.get(name), theirs.get(name), conflicts
        )
        if value is not _ABSENT:
            merged[name] = value
    return merged


def renumber_clashes(entity_id: str, sides: Sides, taken: set[str]) -> dict[str, str]:
    """Give each claim both sides added under one id, differently, a new id on theirs' side
    (in `sides`, in place); each new id -> the old one, which theirs' claim is to follow."""
    base, ours, theirs = sides
    clashes = [k for k in theirs if k not in base and k in ours and ours[k] != theirs[k]]
    if not clashes:
        return {}
    n = next_claim_number({*base, *ours, *theirs}) - 1
    renamed: dict[str, str] = {}
    for old in clashes:
        n += 1
        while f"{entity_id}-c{n}" in taken:
            n += 1
        renamed[f"{entity_id}-c{n}"] = old
        taken.add(f"{entity_id}-c{n}")
    new_of = {old: new for new, old in renamed.items()}
    rebuilt: dict[Any, Doc] = {}
    for key, claim in theirs.items():
        rebuilt[new_of.get(key, key)] = _renamed(claim, new_of.get(key), new_of)
    theirs.clear()
    theirs.update(rebuilt)
    return renamed


def _renamed(claim: Doc, new_id: str | None, new_of: dict[str, str]) -> Doc:
    """The claim with the id `new_id` (if any) and its `supersedes` following the new ids."""
    names = claim.get("supersedes")
    follows = isinstance(names, list) and any(n in new_of for n in names if isinstance(n, str))
    if new_id is None and not follows:
        return claim
    found = dict(claim)
    if new_id is not None:
        found["id"] = new_id
        claim_id_first(found)
    if follows and isinstance(names, list):
        found["supersedes"] = [new_of.get(n, n) if isinstance(n, str) else n for n in names]
    return found


def all_ids(*docs: Doc) -> set[str]:
    """Every entity, source and claim id in the documents."""
    found: set[str] = set()
    for doc in docs:
        for array in ("sources", "entities"):
            items = doc.get(array)
            found.update(i["id"] for i in items or [] if isinstance(i, dict)
                         and isinstance(i.get("id"), str))  # fmt: skip
        for entity in doc.get("entities") or []:
            if isinstance(entity, dict):
                found.update(claims_by_id(entity))
    return found


def merge(base: Doc, ours: Doc, theirs: Doc) -> tuple[Doc, list[Conflict]]:
    """The merged document (ours where they conflict) and the conflicts."""
    conflicts: list[Conflict] = []
    taken = all_ids(ours, theirs)
    merged: Doc = {}
    for name in [*ours, *(k for k in theirs if k not in ours)]:
        if name in ARRAYS:
            key, label = ARRAYS[name]
            b, o, t = (keyed(doc.get(name), by_field(key)) for doc in (base, ours, theirs))
            inner = partial(merge_entity, taken=taken) if name == "entities" else None
            merged[name] = merge_keyed(_labels(label), (b, o, t), conflicts, inner)
            continue
        value = three_way(f"{name!r}", base.get(name), ours.get(name), theirs.get(name), conflicts)
        if value is not _ABSENT:
            merged[name] = value
    return merged, conflicts
