"""The fast path of parse: models from the common, valid shapes of entity documents, at a
fraction of the careful checks' cost (100,000 entities are read on every index build).

Each function returns None as soon as anything is unusual; the caller then runs the careful
parser, which finds and words the problem. So these must accept only what the careful parser
accepts, and build the same models from it: tests/test_fast_paths.py checks both on mutated files.
"""

from __future__ import annotations

from typing import Any

from cpkb.model.entities import ENTITY_TYPES, Citation, Claim, Entity, Scalar

FLOAT_MAX = 1.7976931348623157e308  # the largest number JSON readers agree on (an IEEE double)
_CLAIM_KEYS = frozenset(
    {"property", "sources", "value", "target", "unit", "date", "start", "end", "qualifiers"}
)
_OPTIONAL = ("unit", "date", "start", "end")
_TYPES = frozenset(ENTITY_TYPES)
# A named tuple's own constructor is a Python function; tuple.__new__ builds the same object in C.
_new: Any = tuple.__new__


def _is_text(value: object) -> bool:
    """A non-empty string that is not only white space (what the careful `_text` accepts)."""
    return type(value) is str and value != "" and not value.isspace()


def _is_scalar(value: object) -> bool:
    kind = type(value)
    if kind is str or kind is bool:
        return True
    return (kind is int or kind is float) and abs(value) <= FLOAT_MAX  # type: ignore[arg-type]


def citations(items: object) -> tuple[Citation, ...] | None:
    if type(items) is not list or not items:
        return None
    found = []
    for item in items:
        if type(item) is not dict or len(item) != 2:
            return None
        source, quote = item.get("source"), item.get("quote")
        if not (_is_text(source) and _is_text(quote)):
            return None
        found.append(_new(Citation, (source, quote)))
    return tuple(found)


def claim(node: object) -> Claim | None:
    if type(node) is not dict or not node.keys() <= _CLAIM_KEYS:
        return None
    doc: dict[str, Any] = node
    prop = doc.get("property")
    if not _is_text(prop):
        return None
    if "value" in doc:
        value, target = doc["value"], None
        if "target" in doc or not _is_scalar(value):
            return None
    else:
        value, target = None, doc.get("target")
        if not _is_text(target):
            return None
    optional: list[str | None] = []
    for key in _OPTIONAL:
        field = doc.get(key)
        if key in doc and not _is_text(field):
            return None
        optional.append(field)
    qualifiers: tuple[tuple[str, Scalar], ...] = ()
    if "qualifiers" in doc:
        given = doc["qualifiers"]
        if type(given) is not dict or not all(_is_scalar(v) for v in given.values()):
            return None
        qualifiers = tuple(given.items())
    cited = citations(doc.get("sources"))
    if cited is None:
        return None
    unit, date, start, end = optional
    fields = (prop, cited, value, target, unit, date, start, end, qualifiers)
    return _new(Claim, fields)  # type: ignore[no-any-return]


def entity(node: object) -> Entity | None:
    if type(node) is not dict or len(node) != 7:
        return None
    doc: dict[str, Any] = node
    entity_id, kind, name = doc.get("id"), doc.get("type"), doc.get("name")
    summary = doc.get("summary")
    if not (_is_text(entity_id) and _is_text(name) and _is_text(summary)):
        return None
    if type(kind) is not str or kind not in _TYPES:
        return None
    aliases, claims = doc.get("aliases"), doc.get("claims")
    if type(aliases) is not list or not all(_is_text(a) for a in aliases):
        return None
    if type(claims) is not list:
        return None
    parsed = []
    for node_claim in claims:
        found = claim(node_claim)
        if found is None:
            return None
        parsed.append(found)
    cited = citations(doc.get("sources"))
    if cited is None:
        return None
    fields = (entity_id, kind, name, tuple(aliases), summary, cited, tuple(parsed))
    return _new(Entity, fields)  # type: ignore[no-any-return]
