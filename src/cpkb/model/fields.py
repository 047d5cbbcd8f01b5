"""The one table of the data format: entity types, and the fields of each kind of record.

Readers, checks and views take field names and kinds from here; the JSON Schema of each version
says the same (tests/model/test_fields.py compares them). Adding a field: the schema, a line
here, and the code that gives it meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

Kind = Literal[
    "id", "ids", "name", "text", "date", "period", "scalar", "flag", "url", "lang", "type",
    "types", "texts", "qualifiers", "citations", "claims", "records", "version", "choice",
]  # fmt: skip
VERSIONS = (1, 2)
LATEST = 2
ALWAYS: tuple[int, ...] = VERSIONS


class Field(NamedTuple):
    name: str
    kind: Kind
    required: tuple[int, ...] = ()  # the schema versions that require it
    since: int = 1  # the first schema version that has it
    nullable: tuple[int, ...] = ()  # the schema versions where it may be null
    choices: tuple[str, ...] = ()  # for kind "choice": the values it takes


class EntityType(NamedTuple):
    name: str
    plural: str
    aliases: tuple[str, ...] = ()  # other spellings, each also a command name
    since: int = 1


TYPES: tuple[EntityType, ...] = (
    EntityType("official", "officials"),
    EntityType("organisation", "organisations", ("organization", "org")),
    EntityType("law", "laws"),
    EntityType("programme", "programmes", ("program",)),
    EntityType("statistic", "statistics", ("stat",)),
    EntityType("place", "places", since=2),
    EntityType("event", "events", since=2),
    EntityType("survey", "surveys", since=2),
    EntityType("document", "documents", ("doc",), since=2),
    EntityType("position", "positions", since=2),
)
RANKS = ("preferred", "normal", "deprecated")
LEVELS = ("high", "medium", "low")
SOURCE_KINDS = ("news", "government", "legislation", "un", "ngo", "academic", "blog", "other")
TAKES = ("entity", "text", "number", "quantity", "date", "boolean")
BOUNDS = ("at_least", "at_most")
# The kinds of field a CSV cell or a command-line option holds as one string.
CELL_KINDS: tuple[Kind, ...] = ("id", "ids", "name", "text", "date", "period", "scalar", "flag",
                                "choice", "lang")  # fmt: skip

TOP: tuple[Field, ...] = (
    Field("$schema", "text"),
    Field("schema_version", "version", ALWAYS),
    Field("properties", "records", since=2),
    Field("sources", "records", ALWAYS),
    Field("entities", "records", ALWAYS),
)
PROPERTY: tuple[Field, ...] = (
    Field("name", "name", ALWAYS, since=2),
    Field("label", "text", ALWAYS, since=2),
    Field("inverse", "text", since=2),
    Field("description", "text", since=2),
    Field("takes", "choice", ALWAYS, since=2, choices=TAKES),
    Field("types", "types", since=2),
    Field("single", "flag", since=2),
    Field("series", "flag", since=2),
)
SOURCE: tuple[Field, ...] = (
    Field("id", "id", ALWAYS),
    Field("title", "text", ALWAYS),
    Field("publisher", "text", ALWAYS),
    Field("date", "date", ALWAYS, nullable=(2,)),
    Field("url", "url", ALWAYS, nullable=ALWAYS),
    Field("reliability", "text", ALWAYS),
    Field("reliability_level", "choice", since=2, choices=LEVELS),
    Field("kind", "choice", since=2, choices=SOURCE_KINDS),
    Field("lang", "lang", since=2),
    Field("retrieved", "date", since=2),
    Field("text_file", "text", since=2),
)
CITATION: tuple[Field, ...] = (
    Field("source", "id", ALWAYS),
    Field("quote", "text", (1,)),
    Field("paraphrase", "text", since=2),
    Field("locator", "text", since=2),
    Field("lang", "lang", since=2),
)
CLAIM: tuple[Field, ...] = (
    Field("id", "id", since=2),
    Field("property", "name", ALWAYS),
    Field("value", "scalar"),
    Field("target", "id"),
    Field("unit", "text"),
    Field("date", "date"),
    Field("period", "period", since=2),
    Field("start", "date"),
    Field("end", "date"),
    Field("rank", "choice", since=2, choices=RANKS),
    Field("rank_reason", "name", since=2),
    Field("stated_by", "id", since=2),
    Field("supersedes", "ids", since=2),
    Field("approx", "flag", since=2),
    Field("baseline", "scalar", since=2),
    Field("baseline_date", "date", since=2),
    Field("note", "text", since=2),
    Field("qualifiers", "qualifiers"),
    Field("sources", "citations", ALWAYS),
)
ENTITY: tuple[Field, ...] = (
    Field("id", "id", ALWAYS),
    Field("type", "type", ALWAYS),
    Field("name", "text", ALWAYS),
    Field("aliases", "texts", ALWAYS),
    Field("summary", "text", ALWAYS),
    Field("sources", "citations", ALWAYS),
    Field("claims", "claims", ALWAYS),
    Field("former_ids", "ids", since=2),
)


def cells(fields: tuple[Field, ...]) -> tuple[str, ...]:
    """The fields a CSV cell can hold, in table order."""
    return of_kind(fields, *CELL_KINDS)


def claim_row() -> tuple[str, ...]:
    """A claim and one citation as one flat row (import's CSV): its entity, then their cells."""
    return ("entity", *cells(CLAIM), *cells(CITATION))


def in_version(fields: tuple[Field, ...], version: int) -> tuple[Field, ...]:
    """The fields a schema version has."""
    return tuple(f for f in fields if f.since <= version)


def names(fields: tuple[Field, ...], version: int = LATEST) -> frozenset[str]:
    return frozenset(f.name for f in in_version(fields, version))


def of_kind(fields: tuple[Field, ...], *kinds: Kind) -> tuple[str, ...]:
    """The names of the fields of these kinds, in table order."""
    return tuple(field.name for field in fields if field.kind in kinds)


def types_in(version: int) -> tuple[str, ...]:
    return tuple(t.name for t in TYPES if t.since <= version)


ENTITY_TYPES: tuple[str, ...] = types_in(LATEST)
PLURALS: Mapping[str, str] = {t.name: t.plural for t in TYPES}
# What --type accepts: each name, plural and alias, and each alias's plural ('orgs').
TYPE_ALIASES: Mapping[str, str] = {
    spelling: t.name
    for t in TYPES
    for spelling in (t.name, t.plural, *t.aliases, *(alias + "s" for alias in t.aliases))
}
CLAIM_DATES = ("date", "start", "end")  # the dates a claim's time is made of
# The optional texts of a claim, in order, as version 1 shows them.
CLAIM_DETAILS = tuple(f.name for f in CLAIM if f.since == 1 and f.kind in ("text", "date"))
