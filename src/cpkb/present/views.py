"""The JSON contract: plain dicts built from the model, in a stable key order.

Both renderers start from these views, so what a person sees and what a script reads agree.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from cpkb import __version__
from cpkb.model.entities import Citation, Claim, Entity, KnowledgeBase, Source
from cpkb.model.fields import CLAIM_DETAILS, ENTITY_TYPES

if TYPE_CHECKING:
    from cpkb.query.graph import Graph, Link
    from cpkb.query.search import SearchHit

View = dict[str, Any]


def ref_view(entity: Entity) -> View:
    return {"id": entity.id, "type": entity.type, "name": entity.name}


def citations_view(citations: tuple[Citation, ...]) -> list[View]:
    return [{"source": c.source, "quote": c.quote} for c in citations]


def claim_view(kb: KnowledgeBase, claim: Claim) -> View:
    view: View = {"property": claim.property}
    if claim.target is not None:
        view["target"] = ref_view(kb.entities[claim.target])
    else:
        view["value"] = claim.value
    for key in CLAIM_DETAILS:
        if (value := getattr(claim, key)) is not None:
            view[key] = value
    if claim.qualifiers:
        view["qualifiers"] = dict(claim.qualifiers)
    view["sources"] = citations_view(claim.sources)
    return view


def entity_view(kb: KnowledgeBase, entity: Entity) -> View:
    """The documented shape of `cpkb show --json`."""
    return {
        **ref_view(entity),
        "aliases": list(entity.aliases),
        "summary": entity.summary,
        "sources": citations_view(entity.sources),
        "claims": [claim_view(kb, c) for c in entity.claims],
        "backlinks": [
            {
                "property": link.claim.property,
                "from": ref_view(link.origin),
                "sources": citations_view(link.claim.sources),
            }
            for link in kb.backlinks(entity.id)
        ],
    }


def entities_view(kb: KnowledgeBase, entities: list[Entity]) -> list[View]:
    return [entity_view(kb, e) for e in entities]


def source_view(source: Source) -> View:
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "date": source.date,
        "url": source.url,
        "reliability": source.reliability,
    }


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
            "by_type": {t: by_type.get(t, 0) for t in ENTITY_TYPES},
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
            }
            for link in graph.links
        ],
    }
