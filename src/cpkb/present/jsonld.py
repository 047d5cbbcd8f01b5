"""`cpkb export jsonld`: the knowledge base as JSON-LD, in schema.org's words where it has them.

Statements are reified as schema.org `Claim` nodes, which is Wikidata's model (a statement with
its qualifiers and references) told in schema.org: a Claim is `about` its entity, its `author`
is who states it (`stated_by`), and each `citation` is a `Quotation` whose `text` is the verbatim
quote, or a `CreativeWork` whose `abstract` is our paraphrase, either `isBasedOn` the source.
ClaimReview is not used: it rates a claim's truth, which cpkb never does. What schema.org has no
word for is in cpkb's namespace under the field's own name (`cpkb:rank`, `cpkb:current`, ...),
so a field added to the field table reaches this export too. Each current claim also links its
entity straight to its target or value (`prop:<property>`), as Wikidata's "truthy" triples do.

The context is inline (no network is needed to read it); ids are IRIs under `base`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from cpkb.model import fields
from cpkb.model.entities import Citation, Claim, Entity, KnowledgeBase
from cpkb.present.statements import Table
from cpkb.query.current import Assessed, Reading, assess

if TYPE_CHECKING:
    from cpkb.model.entities import Property, Source

Node = dict[str, Any]

BASE = "urn:cpkb:"
ENTITY_TYPES = {
    "official": "Person",
    "organisation": "Organization",
    "law": "Legislation",
    "programme": "Project",
    "statistic": "StatisticalVariable",
    "place": "Place",
    "event": "Event",
    "survey": "ResearchProject",
    "document": "CreativeWork",
    "position": "Role",  # an office apart from its holder: schema.org's nearest word
}
SOURCE_TYPES = {
    "news": "NewsArticle",
    "government": "CreativeWork",
    "legislation": "Legislation",
    "un": "Report",
    "ngo": "Report",
    "academic": "ScholarlyArticle",
    "blog": "BlogPosting",
    "other": "CreativeWork",
}
DEFAULT_ENTITY_TYPE, DEFAULT_SOURCE_TYPE = "Thing", "CreativeWork"
# schema.org's words for fields of the field table; any other field is cpkb:<its name>.
ENTITY_TERMS = {"id": "identifier", "aliases": "alternateName", "summary": "description"}
SOURCE_TERMS = {"title": "name", "date": "datePublished", "url": "url", "lang": "inLanguage"}
SOURCE_TERMS |= {"publisher": "publisher"}  # an Organization node: see source_node
CITATION_TERMS = {"source": "isBasedOn", "quote": "text", "paraphrase": "abstract"}
CITATION_TERMS |= {"lang": "inLanguage"}
CLAIM_TERMS = {"stated_by": "author", "sources": "citation"}
PROPERTY_TERMS = {"label": "rdfs:label", "description": "rdfs:comment"}
TERMS = {"name": "name", "sources": "citation"}  # alike in every record
# The fields whose values are ids of other nodes, and the prefix of those nodes' IRIs.
LINKS = {"target": "entity", "stated_by": "entity", "supersedes": "claim", "property": "prop"}
LINKS |= {"source": "source"}
DATE_TYPES = {4: "xsd:gYear", 7: "xsd:gYearMonth", 10: "xsd:date"}
# Each kind of record: its field table, its terms, and the field its node's @id is made of.
RECORDS: dict[str, tuple[Table, Mapping[str, str], str]] = {
    "property": (fields.PROPERTY, PROPERTY_TERMS, "name"),
    "source": (fields.SOURCE, SOURCE_TERMS, "id"),
    "citation": (fields.CITATION, CITATION_TERMS, ""),
    "claim": (fields.CLAIM, CLAIM_TERMS, "id"),
    "entity": (fields.ENTITY, ENTITY_TERMS, "claims"),  # its id is `identifier` too
}


def context(base: str = BASE) -> Node:
    return {
        "@vocab": "https://schema.org/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "cpkb": f"{base}vocab#",
        "prop": f"{base}property/",
        "entity": f"{base}entity/",
        "claim": f"{base}claim/",
        "source": f"{base}source/",
    }


def record(value: Any, kind: str) -> Node:
    """A record's fields as node properties, null and empty ones left out."""
    node: Node = {}
    for n, key, convert in _plan(kind):
        found = value[n]
        if found is not None and found != ():
            node[key] = convert(found) if convert is not None else found
    return node


Step = tuple[int, str, "Callable[[Any], Any] | None"]


@cache
def _plan(kind: str) -> tuple[Step, ...]:
    """For each field a record of this kind has (in table order, as the model holds them): its
    place, its key in the node, and what makes its value a JSON-LD value."""
    table, terms, skip = RECORDS[kind]
    return tuple(
        (n, terms.get(f.name) or TERMS.get(f.name) or f"cpkb:{f.name}", _converter(f))
        for n, f in enumerate(table)
        if f.name != skip
    )


def _converter(field: fields.Field) -> Callable[[Any], Any] | None:
    """A link, a date typed by its precision, JSON, citations, a list; else as it is."""
    if field.name in LINKS:
        prefix = LINKS[field.name]
        if field.kind == "ids":
            return lambda ids: [{"@id": f"{prefix}:{i}"} for i in ids]
        return lambda i: {"@id": f"{prefix}:{i}"}
    if field.kind == "date":
        return lambda day: {"@value": day, "@type": DATE_TYPES.get(len(day), "xsd:string")}
    if field.kind == "qualifiers":
        return lambda pairs: {"@value": dict(pairs), "@type": "@json"}
    if field.kind == "citations":
        return lambda cited: [citation_node(c) for c in cited]
    return list if field.kind in ("ids", "texts", "types") else None


def citation_node(citation: Citation) -> Node:
    kind = "Quotation" if citation.quote is not None else "CreativeWork"
    return {"@type": kind, **record(citation, "citation")}


def property_node(spec: Property) -> Node:
    node: Node = {"@id": f"prop:{spec.name}", "@type": "rdf:Property"}
    return node | record(spec, "property")


def source_node(source: Source) -> Node:
    kind = SOURCE_TYPES.get(source.kind or "", DEFAULT_SOURCE_TYPE)
    node: Node = {"@id": f"source:{source.id}", "@type": kind}
    node |= record(source, "source")
    node["publisher"] = {"@type": "Organization", "name": source.publisher}
    return node


def entity_node(entity: Entity, rows: list[Assessed]) -> Node:
    """An entity, with its current claims as direct links to their targets or values."""
    kind = ENTITY_TYPES.get(entity.type, DEFAULT_ENTITY_TYPE)
    node: Node = {"@id": f"entity:{entity.id}", "@type": kind}
    node |= record(entity, "entity")
    for row in rows:
        if row.current:
            node.setdefault(f"prop:{row.claim.property}", []).append(truthy(row.claim))
    return node


def truthy(claim: Claim) -> Any:
    """What a current claim links its entity to: the target, the value, or the value in its
    unit."""
    if claim.target is not None:
        return {"@id": f"entity:{claim.target}"}
    if claim.unit is not None:
        return {"@type": "QuantitativeValue", "value": claim.value, "unitText": claim.unit}
    return claim.value


def claim_node(entity: Entity, row: Assessed) -> Node:
    """A claim, its rank always said (normal when the file says none), whether it is current."""
    about = {"@id": f"entity:{entity.id}"}
    node: Node = {"@id": f"claim:{row.id}", "@type": "Claim", "about": about}
    node |= record(row.claim, "claim") | {"cpkb:rank": row.claim.rank or "normal"}
    return node | {"cpkb:current": row.current, "cpkb:status": row.status}


def nodes(kb: KnowledgeBase, entities: Iterable[Entity], reading: Reading) -> Iterator[Node]:
    """The graph's nodes: the export, the vocabulary, the sources, then each entity followed
    by its claims."""
    yield from head_nodes(kb, reading)
    for entity in entities:
        yield from entity_nodes(kb, entity, reading)


def head_nodes(kb: KnowledgeBase, reading: Reading) -> Iterator[Node]:
    """The nodes before the entities': the export, the vocabulary, the sources."""
    yield {
        "@type": "Dataset",
        "name": os.path.basename(str(kb.path)),
        "cpkb:schema_version": kb.schema_version,
        "cpkb:current_as_of": {"@value": reading.day.isoformat(), "@type": "xsd:date"},
    }
    yield from (property_node(p) for p in kb.properties.values())
    yield from (source_node(s) for s in kb.sources.values())


def entity_nodes(kb: KnowledgeBase, entity: Entity, reading: Reading) -> Iterator[Node]:
    """An entity's node, then its claims'."""
    rows = assess(entity, sources=kb.sources, properties=kb.properties, reading=reading)
    yield entity_node(entity, rows)
    yield from (claim_node(entity, row) for row in rows)


TAIL = "\n]}\n"


def jsonld_chunks(
    kb: KnowledgeBase,
    entities: Iterable[Entity],
    *,
    base: str = BASE,
    reading: Reading | None = None,
) -> Iterator[str]:
    """The document as text, a node a line, as the nodes are made."""
    reading = reading or Reading.asked()
    yield head_text(kb, base=base, reading=reading)
    for entity in entities:
        yield entity_text(kb, entity, reading)
    yield TAIL


def head_text(kb: KnowledgeBase, *, base: str, reading: Reading) -> str:
    """The document up to the entities' nodes (the export's own node comes first)."""
    from cpkb.present.flatfiles import json_line

    lines = [json_line(node).rstrip("\n") for node in head_nodes(kb, reading)]
    context_line = json_line(context(base)).rstrip("\n")
    return '{"@context": ' + context_line + ',\n"@graph": [\n' + ",\n".join(lines)


def entity_text(kb: KnowledgeBase, entity: Entity, reading: Reading) -> str:
    """An entity's nodes and its claims', each after the separator from the node before."""
    from cpkb.present.flatfiles import json_line

    return "".join(",\n" + json_line(n).rstrip("\n") for n in entity_nodes(kb, entity, reading))
