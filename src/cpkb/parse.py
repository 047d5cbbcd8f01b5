"""Turn the parsed JSON of a data file into model objects, failing on the first problem.

`cpkb validate` reports every problem; this is the fast path every other command takes, and it
refuses anything it could misread, so that no command answers from a file it misunderstood.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cpkb.models import ENTITY_TYPES, Citation, Claim, Entity, Scalar, Source

SUPPORTED_SCHEMA = 1
SOURCE_KEYS = ("id", "title", "publisher", "date", "url", "reliability")
CLAIM_OPTIONAL = ("unit", "date", "start", "end")


class ParseProblem(Exception):
    """A structural problem at a JSON path."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")


def _text(node: Mapping[str, Any], key: str, where: str) -> str:
    value = node.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ParseProblem(f"{where}.{key}", "must be a non-empty string")
    return value


def _object(node: object, where: str) -> Mapping[str, Any]:
    if not isinstance(node, dict):
        raise ParseProblem(where, f"must be an object, not {type(node).__name__}")
    return node


def _list(node: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = node.get(key)
    if not isinstance(value, list):
        raise ParseProblem(f"{where}.{key}", "must be an array")
    return value


def parse_source(node: object, where: str) -> Source:
    doc = _object(node, where)
    url = doc.get("url")
    if url is not None and not isinstance(url, str):
        raise ParseProblem(f"{where}.url", "must be a string or null")
    title, publisher, date, reliability = (
        _text(doc, key, where) for key in ("title", "publisher", "date", "reliability")
    )
    return Source(_text(doc, "id", where), title, publisher, date, url, reliability)


def parse_citations(node: Mapping[str, Any], where: str) -> tuple[Citation, ...]:
    items = _list(node, "sources", where)
    if not items:
        raise ParseProblem(f"{where}.sources", "must cite at least one source")
    citations = []
    for i, item in enumerate(items):
        doc = _object(item, f"{where}.sources[{i}]")
        at = f"{where}.sources[{i}]"
        citations.append(Citation(_text(doc, "source", at), _text(doc, "quote", at)))
    return tuple(citations)


def _scalar(value: object, where: str) -> Scalar:
    if isinstance(value, (str, int, float, bool)):
        return value
    raise ParseProblem(where, "must be a string, number or boolean")


def parse_claim(node: object, where: str) -> Claim:
    doc = _object(node, where)
    has_value, has_target = "value" in doc, "target" in doc
    if has_value == has_target:
        raise ParseProblem(where, "a claim needs exactly one of 'value' and 'target'")
    optional: dict[str, str | None] = {}
    for key in CLAIM_OPTIONAL:
        optional[key] = _text(doc, key, where) if key in doc else None
    qualifiers = _object(doc.get("qualifiers", {}), f"{where}.qualifiers")
    return Claim(
        property=_text(doc, "property", where),
        sources=parse_citations(doc, where),
        value=_scalar(doc["value"], f"{where}.value") if has_value else None,
        target=_text(doc, "target", where) if has_target else None,
        qualifiers=tuple(
            (str(k), _scalar(v, f"{where}.qualifiers.{k}")) for k, v in qualifiers.items()
        ),
        **optional,
    )


def parse_entity(node: object, where: str) -> Entity:
    doc = _object(node, where)
    entity_id = _text(doc, "id", where)
    where = f"entity {entity_id!r}"
    entity_type = _text(doc, "type", where)
    if entity_type not in ENTITY_TYPES:
        raise ParseProblem(f"{where}.type", f"unknown type {entity_type!r}")
    aliases = _list(doc, "aliases", where)
    for i, alias in enumerate(aliases):
        if not isinstance(alias, str):
            raise ParseProblem(f"{where}.aliases[{i}]", "must be a string")
    claims = _list(doc, "claims", where)
    return Entity(
        id=entity_id,
        type=entity_type,
        name=_text(doc, "name", where),
        aliases=tuple(aliases),
        summary=_text(doc, "summary", where),
        sources=parse_citations(doc, where),
        claims=tuple(parse_claim(c, f"{where}.claims[{i}]") for i, c in enumerate(claims)),
    )


def check_schema_version(version: object) -> int:
    if version != SUPPORTED_SCHEMA or isinstance(version, bool):
        raise ParseProblem("$.schema_version", f"unsupported schema version {version!r}")
    return SUPPORTED_SCHEMA


def check_references(sources: Mapping[str, Source], entities: Mapping[str, Entity]) -> None:
    """Every claim target and every cited source must exist."""
    for entity in entities.values():
        cited = [*entity.sources, *(c for claim in entity.claims for c in claim.sources)]
        for citation in cited:
            if citation.source not in sources:
                raise ParseProblem(
                    f"entity {entity.id!r}", f"cites unknown source {citation.source!r}"
                )
        for claim in entity.claims:
            if claim.target is not None and claim.target not in entities:
                raise ParseProblem(
                    f"entity {entity.id!r}",
                    f"claim {claim.property!r} targets unknown entity {claim.target!r}",
                )
