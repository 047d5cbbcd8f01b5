"""The canonical layout of a data file: what `cpkb fmt` and every write produce.

Python's `json.dumps(document, indent=2, ensure_ascii=False)` plus a final newline, with each
record's keys in the order of the field table (model.fields; keys the table lacks follow, as
they came), and sources, properties, entities and claims in file order. The bundled file is laid
out so. Because an entity is a run of whole lines at a known indent, a write can find and
replace one entity's bytes without reading the rest (kb.spans).

orjson writes the same bytes some 20 times faster (0.4 s against 9.2 s for a 225 MB file) but
for one difference, mended here: numbers below 1e-4 (`0.00001`, `1e-7` where Python writes
`1e-05`, `1e-07`), which are rewritten as Python writes them. Integers beyond 64 bits, which
orjson cannot write, take Python's path. tests/kb/test_layout.py holds the two to the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import orjson

from cpkb.model import fields

Document = dict[str, Any]
ENTITY_INDENT = b"    "  # an entity is an item of a top-level array: two levels deep
# A number below 1e-4 ending its line (a string cannot: it ends with a quote), as orjson writes it.
_SMALL = re.compile(rb"(?<![^ \n\[])(-?(?:0\.0000[0-9]*|[0-9]+(?:\.[0-9]+)?e-[0-9]+))(?=,?\n|\Z)")


def dumps(value: object) -> bytes:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, as UTF-8 bytes."""
    try:
        written = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except TypeError:  # an integer orjson cannot write (beyond 64 bits)
        return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8", "surrogatepass")
    if b"e-" in written or b"0.0000" in written:
        written = _SMALL.sub(_as_python, written)
    return written


def _as_python(number: re.Match[bytes]) -> bytes:
    return repr(float(number.group(1))).encode()


def _ordered(record: Mapping[str, Any], order: tuple[str, ...]) -> Document:
    """The record with the table's keys first, in its order, then any others as they came."""
    found = {key: record[key] for key in order if key in record}
    if len(found) < len(record):
        found.update((k, v) for k, v in record.items() if k not in found)
    return found


def _names(table: tuple[fields.Field, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in table)


TOP, PROPERTY, SOURCE = _names(fields.TOP), _names(fields.PROPERTY), _names(fields.SOURCE)
ENTITY, CLAIM, CITATION = _names(fields.ENTITY), _names(fields.CLAIM), _names(fields.CITATION)


def _citations(value: object) -> object:
    if not isinstance(value, list):
        return value
    return [_ordered(c, CITATION) if isinstance(c, dict) else c for c in value]


def _cited(record: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    found = _ordered(record, order)
    if "sources" in found:
        found["sources"] = _citations(found["sources"])
    return found


def ordered_claim(claim: object) -> object:
    return _cited(claim, CLAIM) if isinstance(claim, dict) else claim


def ordered_entity(entity: object) -> object:
    """An entity document with every key in canonical order (a shape it does not know, as is)."""
    if not isinstance(entity, dict):
        return entity
    found = _cited(entity, ENTITY)
    if isinstance(found.get("claims"), list):
        found["claims"] = [ordered_claim(c) for c in found["claims"]]
    return found


def _records(value: object, order: tuple[str, ...]) -> object:
    if not isinstance(value, list):
        return value
    return [_ordered(item, order) if isinstance(item, dict) else item for item in value]


def ordered_header(document: Mapping[str, Any]) -> Document:
    """The top level with its keys in order, properties and sources too (entities untouched)."""
    found = _ordered(document, TOP)
    for key, order in (("properties", PROPERTY), ("sources", SOURCE)):
        if key in found:
            found[key] = _records(found[key], order)
    return found


def ordered_document(document: Mapping[str, Any]) -> Document:
    found = ordered_header(document)
    if isinstance(found.get("entities"), list):
        found["entities"] = [ordered_entity(e) for e in found["entities"]]
    return found


def document_bytes(document: Mapping[str, Any]) -> bytes:
    """The whole file, in the canonical layout."""
    return dumps(ordered_document(document)) + b"\n"


def entity_bytes(entity: object) -> bytes:
    """An entity as it stands in a canonical file: its lines, indented, without a separator."""
    laid_out = entity if in_order(entity) else ordered_entity(entity)
    return ENTITY_INDENT + dumps(laid_out).replace(b"\n", b"\n" + ENTITY_INDENT)


_RANKS = {name: {k: n for n, k in enumerate(order)} for name, order in
          (("entity", ENTITY), ("claim", CLAIM), ("citation", CITATION))}  # fmt: skip


def _ranked(record: Mapping[str, Any], ranks: dict[str, int]) -> bool:
    """Whether the record's keys are the table's, in its order (others: unsure, False)."""
    last = -1
    for key in record:
        rank = ranks.get(key, -1)
        if rank <= last:
            return False
        last = rank
    return True


def in_order(entity: object) -> bool:
    """Whether an entity's keys, its claims' and its citations' are in canonical order (a
    quicker test than laying it out again)."""
    if not isinstance(entity, dict) or not _ranked(entity, _RANKS["entity"]):
        return False
    cited, claims = _RANKS["citation"], _RANKS["claim"]
    for claim in entity.get("claims") or ():
        if not isinstance(claim, dict) or not _ranked(claim, claims):
            return False
        if not all(isinstance(c, dict) and _ranked(c, cited) for c in claim.get("sources") or ()):
            return False
    return all(isinstance(c, dict) and _ranked(c, cited) for c in entity.get("sources") or ())


def is_canonical(raw: bytes, document: Mapping[str, Any]) -> bool:
    """Whether `raw`, which reads as `document`, is laid out canonically."""
    return raw == document_bytes(document)
