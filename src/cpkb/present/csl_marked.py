"""In-text citations and a bibliography in a CSL style, written as Markdown or HTML.

One pandoc run (cpkb.present.csl) cites every source once, each in a paragraph of its own, so
citeproc renders each citation as the style has it, disambiguated against the others (`2026a`,
`n.d.-b`) exactly as the bibliography it renders beside them; both come back as pandoc inlines
and are written here with their italics and links, data escaped.
"""

from __future__ import annotations

from typing import NamedTuple

from cpkb.model.entities import Source
from cpkb.present import csl
from cpkb.present.cite import csl_json
from cpkb.present.markup import Markup
from cpkb.present.views import View


class Cited(NamedTuple):
    """What a brief prints of its sources, written in one format."""

    citations: dict[str, str]  # source id -> its in-text citation, `(The Gulf Observer 2025)`
    references: list[tuple[str, str]]  # (source id, its reference), in the style's order


def cited(sources: list[Source], style: str, markup: Markup) -> Cited:
    """Each source's in-text citation and reference in `style`, written with `markup`."""
    if not sources:
        return Cited({}, [])
    rendered = csl.run(citing(csl_json(sources)), style)["blocks"]
    citations = {}
    for block in rendered:
        found = cite_in(block)
        if found is not None:
            citations[found[0]] = markup.inlines(found[1]).strip()
    return Cited(citations, csl.entries(rendered, markup.inlines))


def citing(items: list[View]) -> View:
    """A pandoc document with a paragraph citing each item: citeproc fills in each citation
    and adds the bibliography."""
    blocks = [{"t": "Para", "c": [{"t": "Cite", "c": [[citation(i["id"])], []]}]} for i in items]
    meta = {"references": csl.metadata(items)}
    return {"pandoc-api-version": csl.PANDOC_API, "meta": meta, "blocks": blocks}


def citation(item_id: str) -> View:
    return {
        "citationId": item_id,
        "citationPrefix": [],
        "citationSuffix": [],
        "citationMode": {"t": "NormalCitation"},
        "citationNoteNum": 0,
        "citationHash": 0,
    }


def cite_in(block: View) -> tuple[str, list[View]] | None:
    """(item id, the citation as rendered) of a paragraph that holds one citation."""
    if block["t"] != "Para" or len(block["c"]) != 1 or block["c"][0]["t"] != "Cite":
        return None
    citations, inlines = block["c"][0]["c"]
    return str(citations[0]["citationId"]), inlines
