"""The JSON contract: plain dicts built from the model, in a stable key order.

Both renderers start from these views, so what a person sees and what a script reads agree.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from cpkb import __version__
from cpkb.models import ENTITY_TYPES, Citation, Claim, Entity, KnowledgeBase

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
    for key in ("unit", "date", "start", "end"):
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


def sources_view(kb: KnowledgeBase) -> list[View]:
    counts = kb.claim_counts()
    return [
        {
            "id": s.id,
            "title": s.title,
            "publisher": s.publisher,
            "date": s.date,
            "url": s.url,
            "reliability": s.reliability,
            "claims": counts.get(s.id, 0),
        }
        for s in kb.sources.values()
    ]


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


def dumps(data: object) -> str:
    """UTF-8 JSON as scripts get it: 2-space indent, no \\u escapes for letters, key order kept."""
    return json.dumps(data, ensure_ascii=False, indent=2)
