"""The fast path of parse: models from the common, valid shapes of entity documents, at a
fraction of the careful checks' cost (every entity is read on an index build).

Each function returns None as soon as anything is unusual; the caller then runs the careful
parser, which finds and words the problem. So these accept only what the careful parser
accepts, and build the same models: tests/kb/test_fast_paths.py checks both on mutated files.
Fields are read by kind, in the order of the field table, as the models hold them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cpkb.model import fields
from cpkb.model.entities import Citation, Claim, Entity

FLOAT_MAX = 1.7976931348623157e308  # the largest number JSON readers agree on (an IEEE double)
_TYPES = {v: frozenset(fields.types_in(v)) for v in fields.VERSIONS}
# A named tuple's own constructor is a Python function; tuple.__new__ builds the same object in C.
_new: Any = tuple.__new__
_BAD = object()  # what a reader returns for a value only the careful parser can judge


def _text(value: object) -> object:
    """A non-empty string that is not only white space (what the careful `_text` accepts)."""
    return value if type(value) is str and value != "" and not value.isspace() else _BAD


def _scalar(value: object) -> object:
    kind = type(value)
    if kind is str or kind is bool:
        return value
    if (kind is int or kind is float) and abs(value) <= FLOAT_MAX:  # type: ignore[arg-type]
        return value
    return _BAD


def _texts(value: object) -> object:
    if type(value) is not list or not all(_text(v) is v for v in value):
        return _BAD
    return tuple(value)


def _qualifiers(value: object) -> object:
    if type(value) is not dict or not all(_scalar(v) is v for v in value.values()):
        return _BAD
    return tuple(value.items())


def _type(value: object) -> object:
    return value if type(value) is str and value in _TYPES[_version] else _BAD


def citations(items: object) -> object:
    if type(items) is not list or not items:
        return _BAD
    found = []
    plan = _PLANS["citation", _version]
    for item in items:
        cited = _record(item, plan, Citation)
        if cited is None or (cited.quote is None and cited.paraphrase is None):
            return _BAD
        found.append(cited)
    return tuple(found)


def _claims(items: object) -> object:
    if type(items) is not list:
        return _BAD
    found = []
    for item in items:
        made = claim(item)
        if made is None:
            return _BAD
        found.append(made)
    return tuple(found)


def _flag(value: object) -> object:
    return value if type(value) is bool else _BAD


def _choice_of(choices: tuple[str, ...]) -> Callable[[object], object]:
    return lambda value: value if value in choices else _BAD


Reader = Callable[[object], object]
_READERS: dict[fields.Kind, Reader] = {
    "id": _text, "name": _text, "text": _text, "date": _text, "period": _text, "lang": _text,
    "scalar": _scalar, "flag": _flag, "type": _type, "texts": _texts, "ids": _texts,
    "qualifiers": _qualifiers, "citations": citations, "claims": _claims,
}  # fmt: skip
_ABSENT: dict[fields.Kind, object] = {"qualifiers": (), "citations": (), "ids": ()}
Step = tuple[str, bool, Reader, bool, object]
Plan = tuple[frozenset[str], tuple[Step, ...]]


def _plan(table: tuple[fields.Field, ...], version: int) -> Plan:
    """How to read a record of `table` in this version: a step per field the model holds, in
    table order (a field the version lacks is simply absent)."""
    steps = []
    for f in table:
        read = _choice_of(f.choices) if f.kind == "choice" else _READERS[f.kind]
        required = version in f.required and f.since <= version
        steps.append((f.name, read is _text, read, required, _ABSENT.get(f.kind)))
    return fields.names(table, version), tuple(steps)


_PLANS = {
    (name, version): _plan(table, version)
    for name, table in (("citation", fields.CITATION), ("claim", fields.CLAIM),
                        ("entity", fields.ENTITY))
    for version in fields.VERSIONS
}  # fmt: skip
_version = fields.LATEST  # of the file being read (set by `entity`)


def _record(node: object, plan: Plan, model: type) -> Any:
    """`model` from a record's fields, read in table order; None if anything is unusual."""
    keys, steps = plan
    if type(node) is not dict or not node.keys() <= keys:
        return None
    row = []
    get = node.get
    for name, is_text, read, required, absent in steps:
        value = get(name, _BAD)
        if value is _BAD:
            if required:
                return None
            row.append(absent)
        elif is_text:  # most fields: `_text` written out, a call per field being most of the cost
            if type(value) is not str or value == "" or value.isspace():
                return None
            row.append(value)
        elif (value := read(value)) is _BAD:
            return None
        else:
            row.append(value)
    return _new(model, row)


def claim(node: object) -> Claim | None:
    if type(node) is dict and ("value" in node) == ("target" in node):
        return None
    found: Claim | None = _record(node, _PLANS["claim", _version], Claim)
    if found is not None and _version == 1 and (found.start or found.end):
        found = found._replace(period=f"{found.start or '..'}/{found.end or '..'}",
                               start=None, end=None)  # fmt: skip
    return found


def entity(node: object, version: int = fields.LATEST) -> Entity | None:
    """The entity `node` holds in a file of this schema version; None if unusual."""
    global _version
    _version = version
    found: Entity | None = _record(node, _PLANS["entity", version], Entity)
    return found
