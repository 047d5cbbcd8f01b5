"""The one table of the data format: entity types, and the fields of each kind of record.

Readers, checks and views take field names and kinds from here; the JSON Schema says the same
(tests/model/test_fields.py compares them). Adding a field: the schema, a line here, and the
code that gives it meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

Kind = Literal[
    "id", "ids", "name", "text", "date", "scalar", "url", "type", "texts", "qualifiers",
    "citations", "claims", "records", "version",
]  # fmt: skip


class Field(NamedTuple):
    name: str
    kind: Kind
    required: bool = False


class EntityType(NamedTuple):
    name: str
    plural: str
    aliases: tuple[str, ...] = ()  # other spellings, each also a command name


TYPES: tuple[EntityType, ...] = (
    EntityType("official", "officials"),
    EntityType("organisation", "organisations", ("organization", "org")),
    EntityType("law", "laws"),
    EntityType("programme", "programmes", ("program",)),
    EntityType("statistic", "statistics", ("stat",)),
)

TOP: tuple[Field, ...] = (
    Field("$schema", "text"),
    Field("schema_version", "version", True),
    Field("sources", "records", True),
    Field("entities", "records", True),
)
SOURCE: tuple[Field, ...] = (
    Field("id", "id", True),
    Field("title", "text", True),
    Field("publisher", "text", True),
    Field("date", "date", True),
    Field("url", "url", True),
    Field("reliability", "text", True),
)
CITATION: tuple[Field, ...] = (
    Field("source", "id", True),
    Field("quote", "text", True),
)
CLAIM: tuple[Field, ...] = (
    Field("property", "name", True),
    Field("value", "scalar"),
    Field("target", "id"),
    Field("unit", "text"),
    Field("date", "date"),
    Field("start", "date"),
    Field("end", "date"),
    Field("qualifiers", "qualifiers"),
    Field("sources", "citations", True),
)
ENTITY: tuple[Field, ...] = (
    Field("id", "id", True),
    Field("type", "type", True),
    Field("name", "text", True),
    Field("aliases", "texts", True),
    Field("summary", "text", True),
    Field("sources", "citations", True),
    Field("claims", "claims", True),
)


def names(fields: tuple[Field, ...]) -> frozenset[str]:
    return frozenset(field.name for field in fields)


def of_kind(fields: tuple[Field, ...], *kinds: Kind) -> tuple[str, ...]:
    """The names of the fields of these kinds, in table order."""
    return tuple(field.name for field in fields if field.kind in kinds)


ENTITY_TYPES: tuple[str, ...] = tuple(t.name for t in TYPES)
PLURALS: Mapping[str, str] = {t.name: t.plural for t in TYPES}
# What --type accepts: each name, plural and alias, and each alias's plural ('orgs').
TYPE_ALIASES: Mapping[str, str] = {
    spelling: t.name
    for t in TYPES
    for spelling in (t.name, t.plural, *t.aliases, *(alias + "s" for alias in t.aliases))
}
CLAIM_DETAILS = of_kind(CLAIM, "text", "date")  # the optional texts of a claim, in order
CLAIM_DATES = of_kind(CLAIM, "date")
