"""The JSON contract: plain dicts built from the model, in a stable key order.

Both renderers start from these views, so what a person sees and what a script reads agree.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from cpkb import __version__
from cpkb.model import fields
from cpkb.model.entities import (
    Backlink,
    Citation,
    Claim,
    Entity,
    KnowledgeBase,
    Source,
    period_bounds,
)
from cpkb.model.fields import types_in
from cpkb.query.current import Assessed, Reading, assess, cited

if TYPE_CHECKING:
    from collections.abc import Iterator

    from cpkb.query.graph import Graph, Link
    from cpkb.query.search import SearchHit

View = dict[str, Any]


def ref_view(entity: Entity) -> View:
    return {"id": entity.id, "type": entity.type, "name": entity.name}


def citations_view(citations: tuple[Citation, ...], kb: KnowledgeBase | None = None) -> list[View]:
    """Citations as scripts read them: `source`, then what it says; the source's url too."""
    return [citation_view(c, kb) for c in citations]


def citation_view(citation: Citation, kb: KnowledgeBase | None = None) -> View:
    view: View = {"source": citation.source}
    for key in ("quote", "paraphrase", "locator", "lang"):
        if (text := getattr(citation, key)) is not None:
            view[key] = text
    source = kb.sources.get(citation.source) if kb is not None else None
    if source is not None and source.url is not None and kb is not None and kb.schema_version > 1:
        view["url"] = source.url
    return view


def claim_view(kb: KnowledgeBase, claim: Claim | Assessed) -> View:
    """The documented shape of a claim: its fields in the order of the field table (version
    1's keys keep their order; what version 2 adds falls in between), `current` and `status`
    after `rank`, entities as references, and the citations last."""
    row = claim if isinstance(claim, Assessed) else None
    found = row.claim if row is not None else claim
    assert isinstance(found, Claim)
    view: View = {"id": row.id} if row is not None else {}
    for field in fields.CLAIM[1:]:
        view |= _field(kb, found, field.name)
        if field.name == "rank" and row is not None:
            view |= {"current": row.current, "status": row.status}
    cited = row.citations if row is not None else found.sources
    view["sources"] = citations_view(cited, kb)
    return view


def _field(kb: KnowledgeBase, claim: Claim, name: str) -> View:
    """One field of a claim as the contract shows it (none when absent)."""
    value = getattr(claim, name)
    if name in ("target", "stated_by"):
        return {name: ref_view(kb.entities[value])} if value in kb.entities else {}
    if name == "value":
        return {} if claim.target is not None else {"value": value}
    if name == "rank":
        return {"rank": value or "normal"}
    if name == "period" and kb.schema_version == 1:  # version 1 wrote a figure's period so
        start, end = period_bounds(value)
        return {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    if name in ("qualifiers", "supersedes"):
        return {name: dict(value) if name == "qualifiers" else list(value)} if value else {}
    if name == "sources" or value is None:
        return {}
    return {name: value}


def assessed(kb: KnowledgeBase, entity: Entity, reading: Reading) -> list[Assessed]:
    return assess(entity, sources=kb.sources, properties=kb.properties, reading=reading)


def entity_view(
    kb: KnowledgeBase, entity: Entity, reading: Reading | None = None, *, current: bool = False
) -> View:
    """The documented shape of `cpkb show --json`: every claim a reader could know (with
    `current`, only the current ones), and what points to the entity."""
    reading = reading or Reading.asked()
    every = assessed(kb, entity, reading)
    rows = [r for r in every if r.known and (r.current or not current)]
    view = {
        **ref_view(entity),
        "aliases": list(entity.aliases),
        "summary": entity.summary,
        "sources": citations_view(cited_entity(kb, entity, reading), kb),
        "claims": [claim_view(kb, row) for row in rows],
        "backlinks": backlinks_view(kb, entity, reading, current=current),
    }
    if kb.schema_version > 1:
        view["statements"] = statements_view(kb, entity, reading, current=current)
    if reading.known_by is not None:
        left_out = sum(not r.known for r in every)
        view["known_by"] = {"date": reading.known_by.isoformat(), "claims_left_out": left_out}
        if len(view["sources"]) < len(entity.sources):  # it draws on what was not out yet
            view["summary"] = None
    return view


def cited_entity(kb: KnowledgeBase, entity: Entity, reading: Reading) -> tuple[Citation, ...]:
    """The entity's own citations a reader could know."""
    return cited(Claim(sources=entity.sources), kb.sources, reading)


def statements_view(
    kb: KnowledgeBase, entity: Entity, reading: Reading, *, current: bool = False
) -> list[View]:
    """What others' pages record this entity as saying (claims `stated_by` it), in file order."""
    return [
        {"about": ref_view(said.origin), **claim_view(kb, row)}
        for said, row in _known(kb, kb.statements(entity.id), reading, current)
    ]


def backlinks_view(
    kb: KnowledgeBase, entity: Entity, reading: Reading, *, current: bool = False
) -> list[View]:
    return [
        {
            "property": link.claim.property,
            "from": ref_view(link.origin),
            "claim": row.id,
            "current": row.current,
            "sources": citations_view(row.citations, kb),
        }
        for link, row in _known(kb, kb.backlinks(entity.id), reading, current)
    ]


def _known(
    kb: KnowledgeBase, links: list[Backlink], reading: Reading, current: bool
) -> Iterator[tuple[Backlink, Assessed]]:
    """Others' claims with their assessment: those a reader knew (and current ones, if asked)."""
    for link in links:
        row = next(r for r in assessed(kb, link.origin, reading) if r.claim is link.claim)
        if row.known and (row.current or not current):
            yield link, row


def entities_view(
    kb: KnowledgeBase,
    entities: list[Entity],
    reading: Reading | None = None,
    *,
    current: bool = False,
) -> list[View]:
    reading = reading or Reading.asked()
    return [entity_view(kb, e, reading, current=current) for e in entities]


def source_view(source: Source) -> View:
    """A source: version 1's keys, then those version 2 adds, when it has them."""
    view: View = {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "date": source.date,
        "url": source.url,
        "reliability": source.reliability,
    }
    for key in ("reliability_level", "kind", "lang", "retrieved", "text_file"):
        if (value := getattr(source, key)) is not None:
            view[key] = value
    return view


def sources_view(kb: KnowledgeBase) -> list[View]:
    """`cpkb sources --json`: each source, and how many claims cite it."""
    counts = kb.claim_counts()
    return [source_view(s) | {"claims": counts.get(s.id, 0)} for s in kb.sources.values()]


def info_view(kb: KnowledgeBase) -> View:
    by_type = Counter(e.type for e in kb)
    claims = [c for e in kb for c in e.claims]
    return {
        "data_file": str(kb.path),
        "schema_version": kb.schema_version,
        "cpkb_version": __version__,
        "counts": {
            "entities": len(kb.entities),
            "by_type": {t: by_type.get(t, 0) for t in types_in(kb.schema_version)},
            "claims": len(claims),
            "relations": sum(1 for c in claims if c.target is not None),
            "citations": sum(len(e.sources) + sum(len(c.sources) for c in e.claims) for e in kb),
            "sources": len(kb.sources),
        },
    }


def hit_view(hit: SearchHit) -> View:
    """One `cpkb search --json` hit: highlights are [start, end) offsets into the snippet."""
    return {
        **ref_view(hit.entity),
        "score": hit.score,
        "matched": {
            "field": hit.field,
            "snippet": hit.snippet,
            "highlights": [list(span) for span in hit.highlights],
        },
    }


def link_view(link: Link) -> View:
    return {
        "property": link.property,
        "direction": link.direction,
        "depth": link.depth,
        "entity": ref_view(link.entity),
        "via": ref_view(link.via),
        "sources": citations_view(link.sources),
        "current": link.current,
    }


def xref_view(entity: Entity, links: list[Link]) -> View:
    """The documented shape of `cpkb xref --json`."""
    return {"entity": ref_view(entity), "links": [link_view(link) for link in links]}


def path_view(start: Entity, goal: Entity, steps: list[Link]) -> View:
    """The documented shape of `cpkb path --json`: out = `from` makes the claim about `to`."""
    return {
        "from": ref_view(start),
        "to": ref_view(goal),
        "length": len(steps),
        "steps": [
            {
                "from": ref_view(step.via),
                "property": step.property,
                "direction": step.direction,
                "to": ref_view(step.entity),
                "sources": citations_view(step.sources),
                "current": step.current,
            }
            for step in steps
        ],
    }


def graph_view(graph: Graph) -> View:
    """The shape of `cpkb graph --format json`: node-link, as d3 and networkx read it."""
    return {
        "nodes": [ref_view(node) for node in graph.nodes],
        "links": [
            {
                "source": link.via.id,
                "target": link.entity.id,
                "property": link.property,
                "sources": citations_view(link.sources),
                "current": link.current,
            }
            for link in graph.links
        ],
    }
