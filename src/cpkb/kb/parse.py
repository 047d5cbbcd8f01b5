"""Turn the parsed JSON of a data file into model objects, failing on the first problem.

`cpkb validate` reports every problem; this is the path every other command takes. It refuses
anything it could misread (wrong shapes and types, unknown fields, duplicate ids, references to
nothing, uncited facts, numbers or strings no output can carry), so that no command answers from a
file it misunderstood. Format rules that do not change what a command prints (id and date formats,
self-references, statistics without a unit) are left to `cpkb validate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cpkb.kb import quick, records
from cpkb.kb.document import ParseProblem, brief, json_type
from cpkb.model import fields
from cpkb.model.entities import Citation, Claim, Entity, Property, Source


def check_top(document: object) -> tuple[int, list[Any], list[Any], list[Any]]:
    """The top level: an object with arrays of objects, nothing else; its schema version, and
    its property, source and entity records."""
    if not isinstance(document, dict):
        raise ParseProblem("$", f"top level must be an object, not {json_type(document)}")
    version = check_schema_version(document.get("schema_version"))
    doc = records.object_of(document, "$", fields.names(fields.TOP, version))
    if not isinstance(doc.get("$schema", ""), str):
        raise ParseProblem("$.$schema", f"must be a string, not {json_type(doc['$schema'])}")
    arrays = [_array(doc, name, version) for name in ("properties", "sources", "entities")]
    return version, arrays[0], arrays[1], arrays[2]


def _array(doc: Mapping[str, Any], name: str, version: int) -> list[Any]:
    if name not in doc:
        if name == "properties":
            return []
        raise ParseProblem(f"$.{name}", "missing")
    return records.array(doc[name], f"$.{name}")


def parse_source(node: object, where: str, version: int = fields.LATEST) -> Source:
    doc = records.object_of(node, where, fields.names(fields.SOURCE, version))
    owner = _owner(doc, where)
    with owner:
        return Source(**records.read(doc, where, fields.SOURCE, version))


def parse_property(node: object, where: str) -> Property:
    values = records.read(node, where, fields.PROPERTY, fields.LATEST)
    return Property(**values)


class _Owned:
    """Names the source or entity a problem lies in (`with _owner(doc, where): ...`)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, ParseProblem) and exc.owner is None:
            raise ParseProblem(exc.where, exc.problem, owner=self.label) from None


def _owner(doc: Mapping[str, Any], where: str, kind: str = "source") -> _Owned:
    owner_id = records.text(doc.get("id"), f"{where}.id") if "id" in doc else None
    if owner_id is None:
        raise ParseProblem(f"{where}.id", "missing")
    return _Owned(f"{kind} {brief(owner_id)}")


def _citations(value: object, where: str, _: fields.Field, version: int) -> tuple[Citation, ...]:
    items = records.array(value, where)
    if not items:
        raise ParseProblem(where, "must cite at least one source")
    found = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        cited = records.read(item, at, fields.CITATION, version)
        if "quote" not in cited and "paraphrase" not in cited:
            raise ParseProblem(at, "a citation needs a 'quote' or a 'paraphrase'")
        found.append(Citation(**cited))
    return tuple(found)


def parse_claim(node: object, where: str, version: int = fields.LATEST) -> Claim:
    values = records.read(node, where, fields.CLAIM, version)
    if ("value" in values) == ("target" in values):
        raise ParseProblem(where, "a claim needs exactly one of 'value' and 'target'")
    if version == 1 and ("start" in values or "end" in values):  # version 1's figure period
        start, end = values.pop("start", None) or "..", values.pop("end", None) or ".."
        values["period"] = f"{start}/{end}"
    return Claim(**values)


def _claims(value: object, where: str, _: fields.Field, version: int) -> tuple[Claim, ...]:
    items = records.array(value, where)
    return tuple(parse_claim(item, f"{where}[{i}]", version) for i, item in enumerate(items))


records.register("citations", _citations)
records.register("claims", _claims)


def parse_entity(node: object, where: str, version: int = fields.LATEST) -> Entity:
    """The entity: the fast parse when it can, else the careful one, which words problems."""
    fast = quick.entity(node, version)
    return fast if fast is not None else careful_entity(node, where, version)


def careful_entity(node: object, where: str, version: int = fields.LATEST) -> Entity:
    doc = records.object_of(node, where, fields.names(fields.ENTITY, version))
    with _owner(doc, where, "entity"):
        return Entity(**records.read(doc, where, fields.ENTITY, version))


def check_schema_version(version: object) -> int:
    if version not in fields.VERSIONS or isinstance(version, bool):
        raise ParseProblem("$.schema_version", f"unsupported schema version {brief(version)}")
    return fields.VERSIONS[fields.VERSIONS.index(version)]  # 1.0 is 1, as the schemas say


def by_id(items: list[Any], kind: str) -> dict[str, Any]:
    """Items keyed by id; a repeated id is an error, since a reference to it would be ambiguous."""
    found: dict[str, int] = {}
    where = {"entity": "$.entities", "source": "$.sources", "property": "$.properties"}[kind]
    key = "name" if kind == "property" else "id"
    for i, item in enumerate(items):
        item_id = getattr(item, key)
        if item_id in found:
            first = f"first at {where}[{found[item_id]}]"
            raise ParseProblem(
                f"{where}[{i}].{key}", f"duplicate {kind} {key} {brief(item_id)} ({first})"
            )
        found[item_id] = i
    return {getattr(item, key): item for item in items}


def check_references(sources: Mapping[str, Source], entities: Mapping[str, Entity]) -> None:
    """Every claim target and every cited source must exist."""
    for n, entity in enumerate(entities.values()):
        _check_cited(sources, entity, entity.sources, f"$.entities[{n}]")
        for i, claim in enumerate(entity.claims):
            where = f"$.entities[{n}].claims[{i}]"
            if claim.target is not None and claim.target not in entities:
                problem = f"targets unknown entity {brief(claim.target)}"
                raise ParseProblem(f"{where}.target", problem, owner=f"entity {brief(entity.id)}")
            if claim.stated_by is not None and claim.stated_by not in entities:
                problem = f"is stated by unknown entity {brief(claim.stated_by)}"
                owner = f"entity {brief(entity.id)}"
                raise ParseProblem(f"{where}.stated_by", problem, owner=owner)
            _check_cited(sources, entity, claim.sources, where)


def _check_cited(
    sources: Mapping[str, Source], entity: Entity, citations: tuple[Citation, ...], where: str
) -> None:
    for k, citation in enumerate(citations):
        if citation.source not in sources:
            raise ParseProblem(
                f"{where}.sources[{k}].source",
                f"cites unknown source {brief(citation.source)}",
                owner=f"entity {brief(entity.id)}",
            )
