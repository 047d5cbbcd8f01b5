"""The careful reading of one record (a source, citation, claim, entity or property) by the
field table: each field read by its kind, the first problem raised with its JSON path."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from cpkb.kb.document import ParseProblem, brief, json_type, step
from cpkb.kb.quick import FLOAT_MAX
from cpkb.model import fields
from cpkb.model.entities import Scalar

Values = dict[str, Any]


def object_of(node: object, where: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    """`node` as an object holding no field but `allowed`."""
    if not isinstance(node, dict):
        raise ParseProblem(where, f"must be an object, not {json_type(node)}")
    if not node.keys() <= allowed:
        raise ParseProblem(where + step(min(node.keys() - allowed)), "unknown field")
    return node


def read(node: object, where: str, table: tuple[fields.Field, ...], version: int) -> Values:
    """The record's fields, read by kind in table order (absent optional fields left out)."""
    doc = object_of(node, where, fields.names(table, version))
    values: Values = {}
    for field in fields.in_version(table, version):
        at = f"{where}.{field.name}"
        if field.name not in doc:
            if version in field.required:
                raise ParseProblem(at, _missing(field))
            continue
        value = doc[field.name]
        if value is None and version in field.nullable:
            values[field.name] = None
            continue
        values[field.name] = READERS[field.kind](value, at, field, version)
    return values


def _missing(field: fields.Field) -> str:
    return "missing (use null when there is none)" if field.nullable else "missing"


def text(value: object, where: str, *_: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParseProblem(where, f"must be a non-empty string, not {brief(value)}")
    return value


def scalar(value: object, where: str, *_: object) -> Scalar:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):  # bool included
        if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > FLOAT_MAX:
            raise ParseProblem(where, f"number out of range ({brief(value)})")
        return value
    raise ParseProblem(where, f"must be a string, number or boolean, not {json_type(value)}")


def _flag(value: object, where: str, *_: object) -> bool:
    if not isinstance(value, bool):
        raise ParseProblem(where, f"must be true or false, not {brief(value)}")
    return value


def _url(value: object, where: str, *_: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParseProblem(where, f"must be a non-empty string or null, not {brief(value)}")
    return value


def _choice(value: object, where: str, field: fields.Field, _: int) -> str:
    if value not in field.choices:
        raise ParseProblem(where, f"must be one of {', '.join(field.choices)}, not {brief(value)}")
    return str(value)


def _type(value: object, where: str, field: fields.Field, version: int) -> str:
    chosen = text(value, where)
    if chosen not in fields.types_in(version):
        raise ParseProblem(where, f"unknown entity type {brief(chosen)}")
    return chosen


def array(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ParseProblem(where, f"must be an array, not {json_type(value)}")
    return value


def _texts(value: object, where: str, *_: object) -> tuple[str, ...]:
    items = array(value, where)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise ParseProblem(f"{where}[{i}]", "must be a non-empty string")
    return tuple(items)


def _types(value: object, where: str, field: fields.Field, version: int) -> tuple[str, ...]:
    return tuple(_type(item, f"{where}[{i}]", field, version)
                 for i, item in enumerate(array(value, where)))  # fmt: skip


def _qualifiers(value: object, where: str, *_: object) -> tuple[tuple[str, Scalar], ...]:
    if not isinstance(value, dict):
        raise ParseProblem(where, f"must be an object, not {json_type(value)}")
    return tuple((k, scalar(v, f"{where}.{k}")) for k, v in value.items())


Reader = Callable[[Any, str, fields.Field, int], Any]
READERS: dict[fields.Kind, Reader] = {
    "id": text, "name": text, "text": text, "date": text, "period": text, "lang": text,
    "scalar": scalar, "flag": _flag, "url": _url, "choice": _choice, "type": _type,
    "texts": _texts, "ids": _texts, "types": _types, "qualifiers": _qualifiers,
}  # fmt: skip


def register(kind: fields.Kind, reader: Reader) -> None:
    """Readers of records that hold records (citations, claims), defined with them."""
    READERS[kind] = reader
