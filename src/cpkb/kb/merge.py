"""A three-way merge of two versions of a data file that share a base: pure, over documents.

Records are matched as `cpkb diff` matches them (properties by name, sources and entities by
id, claims by id). What one side changed and the other did not is taken; what both changed
alike is taken once. An entity both sides changed is merged field by field and claim by claim;
a claim both sides changed differently, or anything one side changed and the other removed, is
a conflict: the merge keeps our version of it and lists both. Whether the result is valid (a
side removed an entity the other now points to) is for the caller to check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from cpkb.kb.diff import by_field, claims_by_id, keyed

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
) -> list[Doc]:
    """Records merged key by key, in our order, theirs' additions after their predecessor."""
    base, ours, theirs = sides
    chosen = {
        key: three_way(what(key), base.get(key), ours.get(key), theirs.get(key), conflicts, inner)
        for key in {**ours, **theirs, **base}
    }
    following: dict[Any, list[Any]] = {}
    previous: Any = _START
    for key in theirs:  # theirs' additions, each after the last of ours that precedes it
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


def merge_entity(what: str, base: Doc, ours: Doc, theirs: Doc, conflicts: list[Conflict]) -> Doc:
    """An entity both sides changed: field by field, its claims claim by claim."""
    merged: Doc = {}
    for name in [*ours, *(k for k in theirs if k not in ours)]:
        if name == "claims":
            sides = (claims_by_id(base), claims_by_id(ours), claims_by_id(theirs))
            merged[name] = merge_keyed(_labels("claim", f" of {what}"), sides, conflicts)
            continue
        value = three_way(
            f"{what}: field {name!r}", base.get(name), ours.get(name), theirs.get(name), conflicts
        )
        if value is not _ABSENT:
            merged[name] = value
    return merged


def merge(base: Doc, ours: Doc, theirs: Doc) -> tuple[Doc, list[Conflict]]:
    """The merged document (ours where they conflict) and the conflicts."""
    conflicts: list[Conflict] = []
    merged: Doc = {}
    for name in [*ours, *(k for k in theirs if k not in ours)]:
        if name in ARRAYS:
            key, label = ARRAYS[name]
            b, o, t = (keyed(doc.get(name), by_field(key)) for doc in (base, ours, theirs))
            inner = merge_entity if name == "entities" else None
            merged[name] = merge_keyed(_labels(label), (b, o, t), conflicts, inner)
            continue
        value = three_way(f"{name!r}", base.get(name), ours.get(name), theirs.get(name), conflicts)
        if value is not _ABSENT:
            merged[name] = value
    return merged, conflicts
