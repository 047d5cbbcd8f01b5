"""The semantic difference between two versions of a data file: pure, over parsed documents.

Records are matched by what identifies them, not by where they are: properties by name,
sources and entities by id, claims by id (stored, or made from their place: kb.draft). Moving
a record changes nothing. The result is the JSON that `cpkb diff --json` prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cpkb.kb.draft import Draft, claim_ids
from cpkb.kb.spans import Parts

Doc = dict[str, Any]
TOP = ("$schema", "schema_version")
RANK_DEFAULT = "normal"


def keyed(items: object, key: Callable[[Doc], object]) -> dict[Any, Doc]:
    """The objects of a list by their key (the first of a repeated key)."""
    found: dict[Any, Doc] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            found.setdefault(key(item), item)
    return found


def by_field(name: str) -> Callable[[Doc], object]:
    return lambda item: item.get(name)


def claims_by_id(entity: Doc) -> dict[str, Doc]:
    claims = entity.get("claims")
    if not isinstance(claims, list) or not isinstance(entity.get("id"), str):
        return {}
    pairs = zip(claim_ids(entity), claims, strict=True)
    return {i: c for i, c in pairs if isinstance(c, dict)}


def field_changes(old: Doc, new: Doc, skip: Iterable[str] = ()) -> dict[str, Doc]:
    """Each field whose value differs: {"old", "new"} (None where absent)."""
    names = [*old, *(k for k in new if k not in old)]
    return {
        k: {"old": old.get(k), "new": new.get(k)}
        for k in names
        if k not in skip and old.get(k) != new.get(k)
    }


def records(old: dict[Any, Doc], new: dict[Any, Doc]) -> Doc:
    """Records added, removed and changed (with their field changes), in the new order."""
    changed = [
        {"key": k, "fields": field_changes(old[k], item)}
        for k, item in new.items()
        if k in old and old[k] != item
    ]
    return {
        "added": [item for k, item in new.items() if k not in old],
        "removed": [item for k, item in old.items() if k not in new],
        "changed": changed,
    }


def ref(entity: Doc) -> Doc:
    return {"id": entity.get("id"), "type": entity.get("type"), "name": entity.get("name")}


def claim_changes(old: Doc, new: Doc) -> Doc:
    found = records(claims_by_id(old), claims_by_id(new))
    found["changed"] = [{"id": c.pop("key"), **c} for c in found["changed"]]
    found["ranked"] = [
        {
            "id": c["id"],
            "old": c["fields"]["rank"]["old"] or RANK_DEFAULT,
            "new": c["fields"]["rank"]["new"] or RANK_DEFAULT,
            "reason": claims_by_id(new)[c["id"]].get("rank_reason"),
        }
        for c in found["changed"]
        if "rank" in c["fields"]
    ]
    return found


def entity_change(old: Doc, new: Doc) -> Doc:
    return {
        **ref(new),
        "fields": field_changes(old, new, skip=("claims",)),
        "claims": claim_changes(old, new),
    }


def diff(old: Doc, new: Doc) -> Doc:
    """What changed from `old` to `new`."""
    olds, news = (keyed(doc.get("entities"), by_field("id")) for doc in (old, new))
    entities = records(olds, news)
    return {
        "top": field_changes({k: old.get(k) for k in TOP}, {k: new.get(k) for k in TOP}),
        "properties": _named(_records_of(old, new, "properties", "name"), "name"),
        "sources": _named(_records_of(old, new, "sources", "id"), "id"),
        "entities": {
            "added": entities["added"],
            "removed": entities["removed"],
            "changed": [entity_change(olds[c["key"]], news[c["key"]]) for c in entities["changed"]],
        },
    }


def _records_of(old: Doc, new: Doc, array: str, name: str) -> Doc:
    return records(keyed(old.get(array), by_field(name)), keyed(new.get(array), by_field(name)))


def _named(found: Doc, name: str) -> Doc:
    found["changed"] = [{name: c.pop("key"), **c} for c in found["changed"]]
    return found


def counts(changes: Doc) -> Doc:
    """How many records of each kind were added, removed and changed; claims across entities."""
    tally = {
        kind: {k: len(changes[kind][k]) for k in ("added", "removed", "changed")}
        for kind in ("properties", "sources", "entities")
    }
    claims = {"added": 0, "removed": 0, "changed": 0, "ranked": 0}
    for entity in changes["entities"]["changed"]:
        for k in claims:
            claims[k] += len(entity["claims"][k])
    for k, side in (("added", "added"), ("removed", "removed")):
        for entity in changes["entities"][side]:
            claims[k] += len(entity.get("claims") or []) if isinstance(entity, dict) else 0
    return {**tally, "claims": claims}


def empty(changes: Doc) -> bool:
    """Whether nothing changed."""
    return not changes["top"] and not any(
        changes[kind][k]
        for kind in ("properties", "sources", "entities")
        for k in ("added", "removed", "changed")
    )


def of_draft(draft: Draft) -> Doc:
    """What a write's draft changes, as `diff` tells it."""
    changes = draft.changes().values()
    old = {**draft.header_before, "entities": [c.before for c in changes if c.before is not None]}
    new = {**draft.header, "entities": [c.after for c in changes if c.after is not None]}
    return diff(old, new)


def diff_bytes(old: bytes, new: bytes, *, parse: Callable[[bytes], Doc]) -> Doc:
    """`diff` of two data files' bytes. Canonically laid out files are compared entity by
    entity as bytes, and only entities whose bytes differ are parsed; others are `parse`d."""
    from cpkb.kb.spans import NotCanonical, Parts

    try:
        return diff(*_differing(Parts(old), Parts(new)))
    except NotCanonical:
        return diff(parse(old), parse(new))


def _differing(old: Parts, new: Parts) -> tuple[Doc, Doc]:
    """The two files' headers, each with the entities whose bytes differ in the other."""
    from cpkb.kb.spans import ENTITY_START, NotCanonical

    olds, news = old.spans(), new.spans()
    for parts, found in ((old, olds), (new, news)):
        if parts.first >= 0 and len(found) != parts.raw.count(ENTITY_START, parts.cut):
            raise NotCanonical("an entity id is repeated")
    a, b = memoryview(old.raw), memoryview(new.raw)
    differ = [k for k, s in olds.items()
              if k not in news or a[s.start : s.end] != b[news[k].start : news[k].end]]  # fmt: skip
    changed = set(differ)
    differ_new = [k for k in news if k not in olds or k in changed]
    return (
        {**old.header, "entities": [old.entity(olds[k]) for k in differ]},
        {**new.header, "entities": [new.entity(news[k]) for k in differ_new]},
    )
