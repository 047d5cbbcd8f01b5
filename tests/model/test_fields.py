"""The field table says what the JSON Schema says: a field known to one is known to the other,
with the same kind and whether it is required; the models hold the fields in table order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cpkb.kb.paths import schema_path
from cpkb.kb.quick import FLOAT_MAX
from cpkb.model import fields
from cpkb.model.entities import Citation, Claim, Entity

SCHEMAS: dict[int, dict[str, Any]] = {
    version: json.loads(schema_path(version).read_text(encoding="utf-8"))
    for version in fields.VERSIONS
}
# How the schemas write each kind of field.
KIND_OF_REF = {
    "#/$defs/id": "id",
    "#/$defs/text": "text",
    "#/$defs/isodate": "date",
    "#/$defs/scalar": "scalar",
    "#/$defs/citations": "citations",
    "#/$defs/period": "period",
    "#/$defs/lang": "lang",
    "#/$defs/name": "name",
    "#/$defs/entity_type": "type",
}
TABLES = {
    "top": fields.TOP,
    "property": fields.PROPERTY,
    "source": fields.SOURCE,
    "citation": fields.CITATION,
    "claim": fields.CLAIM,
    "entity": fields.ENTITY,
}


def record(version: int, name: str) -> dict[str, Any] | None:
    schema = SCHEMAS[version]
    return schema if name == "top" else schema["$defs"].get(name)


def schema_kind(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return KIND_OF_REF[spec["$ref"]]
    if "anyOf" in spec:  # a nullable field: the kind of its non-null form
        return schema_kind(next(s for s in spec["anyOf"] if s != {"type": "null"}))
    if "const" in spec:
        return "version"
    if "enum" in spec:
        return "choice"
    if spec.get("type") == "boolean":
        return "flag"
    if spec.get("type") == ["string", "null"]:
        return "url"
    if spec.get("type") == "object":
        return "qualifiers"
    if spec.get("type") == "array":
        items = spec["items"].get("$ref", "")
        return {"#/$defs/text": "texts", "#/$defs/claim": "claims", "#/$defs/id": "ids",
                "#/$defs/entity_type": "types"}.get(items, "records")  # fmt: skip
    if "pattern" in spec and spec.get("type") == "string":
        return "name"
    return "text"


CASES = [(v, name) for v in fields.VERSIONS for name in TABLES if record(v, name) is not None]


@pytest.mark.parametrize(("version", "name"), CASES)
def test_every_field_of_the_schema_is_in_the_table_and_back(version: int, name: str) -> None:
    schema = record(version, name)
    assert schema is not None
    table = fields.in_version(TABLES[name], version)
    assert [f.name for f in table] == list(schema["properties"])
    required = schema.get("required", [])
    for field in table:
        spec = schema["properties"][field.name]
        kind = "type" if field.kind == "type" else schema_kind(spec)
        if field.kind == "type" and version == 1:
            assert "enum" in spec
        else:
            assert kind == field.kind, (field.name, kind)
        assert (field.name in required) == (version in field.required), field.name
        if field.kind == "choice":
            assert tuple(spec["enum"]) == field.choices
        nullable = "anyOf" in spec or spec.get("type") == ["string", "null"]
        assert nullable == (version in field.nullable), field.name


def test_the_models_hold_the_fields_in_table_order() -> None:
    for model, table in (
        (Claim, fields.CLAIM),
        (Entity, fields.ENTITY),
        (Citation, fields.CITATION),
    ):
        assert model._fields == tuple(f.name for f in table)


@pytest.mark.parametrize("version", fields.VERSIONS)
def test_entity_types_are_the_schemas(version: int) -> None:
    spec = SCHEMAS[version]["$defs"]
    types = (
        spec["entity_type"]["enum"]
        if "entity_type" in spec
        else spec["entity"]["properties"]["type"]["enum"]
    )
    assert list(fields.types_in(version)) == types


@pytest.mark.parametrize("version", fields.VERSIONS)
def test_numbers_end_where_the_readers_do(version: int) -> None:
    scalar = SCHEMAS[version]["$defs"]["scalar"]
    assert scalar["maximum"] == FLOAT_MAX == -scalar["minimum"]
    assert SCHEMAS[version]["properties"]["schema_version"]["const"] == version
