"""The field table says what the JSON Schema says: a field known to one is known to the other,
with the same kind and whether it is required; the models hold the fields in table order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cpkb.kb.paths import schema_path
from cpkb.model import fields
from cpkb.model.entities import Citation, Claim, Entity

SCHEMA: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
DEFS = SCHEMA["$defs"]
# How the schema writes each kind of field.
KIND_OF_REF = {
    "#/$defs/id": "id",
    "#/$defs/text": "text",
    "#/$defs/isodate": "date",
    "#/$defs/scalar": "scalar",
    "#/$defs/citations": "citations",
}
RECORDS = {
    "top": (SCHEMA, fields.TOP),
    "source": (DEFS["source"], fields.SOURCE),
    "citation": (DEFS["citation"], fields.CITATION),
    "claim": (DEFS["claim"], fields.CLAIM),
    "entity": (DEFS["entity"], fields.ENTITY),
}


def schema_kind(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return KIND_OF_REF[spec["$ref"]]
    if "const" in spec:
        return "version"
    if "enum" in spec:
        return "type"
    if spec.get("type") == ["string", "null"]:
        return "url"
    if spec.get("type") == "object":
        return "qualifiers"
    if spec.get("type") == "array":
        items = spec["items"].get("$ref", "")
        if items == "#/$defs/text":
            return "texts"
        return "claims" if items == "#/$defs/claim" else "records"
    if "pattern" in spec and spec.get("type") == "string":
        return "name"
    return "text"


@pytest.mark.parametrize("record", sorted(RECORDS))
def test_every_field_of_the_schema_is_in_the_table_and_back(record: str) -> None:
    schema, table = RECORDS[record]
    assert [f.name for f in table] == list(schema["properties"])
    for field in table:
        assert schema_kind(schema["properties"][field.name]) == field.kind, field.name
        assert (field.name in schema["required"]) == field.required, field.name


def test_the_models_hold_the_fields_in_table_order() -> None:
    for model, table in (
        (Claim, fields.CLAIM),
        (Entity, fields.ENTITY),
        (Citation, fields.CITATION),
    ):
        assert model._fields == tuple(f.name for f in table)


def test_entity_types_are_the_schemas() -> None:
    assert list(fields.ENTITY_TYPES) == DEFS["entity"]["properties"]["type"]["enum"]
