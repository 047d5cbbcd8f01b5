"""Flat records for `--format csv|tsv|markdown|jsonl` and `--fields`: one home for what a
record of each listing is, drawn from the same views as the JSON contract.

A listing's `Kind` names its columns (the default ones first) and turns its view into the
JSON records (`items`: what `--format jsonl` writes, a line each) and into flat rows. A record
that carries citations gets source columns (`source`, `cited`, `url`): with several citations
each column lists them in the same order, joined by ` | `, so a spreadsheet keeps provenance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cpkb.present.views import View

Row = dict[str, Any]
SOURCE_COLUMNS = ("source", "cited", "url")
JOIN = " | "


@dataclass(frozen=True)
class Kind:
    """What one listing's records are: its columns, its JSON records, its flat rows."""

    fields: tuple[str, ...]
    defaults: tuple[str, ...]
    items: Callable[[Any], list[View]]
    row: Callable[[View, dict[str, View]], Row]

    def rows(self, view: Any, sources: dict[str, View]) -> Iterator[Row]:
        """A flat row per record; rows of records a conflict groups are one per claim."""
        for item in self.items(view):
            yield from _spread(self.row(item, sources))


def _spread(row: Row) -> Iterator[Row]:
    """A row, or the rows a grouping record holds under `_rows`."""
    yield from row.get("_rows", [row])


def cited_columns(citations: list[View], sources: dict[str, View]) -> Row:
    """The source columns of a cited record: ids, what each says (a quote as it stands, a
    paraphrase marked as ours), and each source's URL."""
    said = [
        c["quote"] if "quote" in c else f"[paraphrase] {c.get('paraphrase', '')}" for c in citations
    ]
    urls = [c.get("url") or (sources.get(c["source"]) or {}).get("url") or "" for c in citations]
    return {
        "source": JOIN.join(c["source"] for c in citations),
        "cited": JOIN.join(said),
        "url": JOIN.join(urls),
    }


def claim_value(claim: View) -> str:
    """What a claim states, as one cell: a target's id, or the value with its unit."""
    if "target" in claim:
        return str(claim["target"]["id"])
    unit = f" {claim['unit']}" if "unit" in claim else ""
    return f"{scalar(claim.get('value'))}{unit}"


def scalar(value: object) -> object:
    """A JSON value as a cell: lists joined, objects as key=value pairs, null as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(scalar(v)) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={scalar(v)}" for k, v in value.items())
    return value


def _ref(prefix: str, ref: View | None) -> Row:
    ref = ref or {}
    return {f"{prefix}_{k}": ref.get(k, "") for k in ("id", "type", "name")}


def _first(claims: list[View], prop: str) -> View:
    return next((c for c in claims if c["property"] == prop), {})


def entity_row(view: View, sources: dict[str, View]) -> Row:
    return {
        "id": view["id"],
        "type": view["type"],
        "name": view["name"],
        "aliases": scalar(view["aliases"]),
        "summary": view["summary"],
        "claims": len(view["claims"]),
        "links_in": len(view.get("backlinks", [])),
        **cited_columns(view["sources"], sources),
    }


def period(claim: View) -> str:
    if "date" in claim:
        return str(claim["date"])
    if "period" in claim:
        return str(claim["period"])
    if "start" in claim or "end" in claim:
        return f"{claim.get('start', '..')}/{claim.get('end', '..')}"
    return ""


def statistic_row(view: View, sources: dict[str, View]) -> Row:
    claims = view["claims"]
    value, measure = _first(claims, "value"), _first(claims, "measure")
    attributed = [c for c in claims if c["property"] == "attributed_to"]
    return {
        "id": view["id"],
        "name": view["name"],
        "measure": scalar(measure.get("value")),
        "value": scalar(value.get("value")),
        "unit": value.get("unit", ""),
        "period": period(value),
        "change": scalar(_first(claims, "direction").get("value") or value.get("baseline")),
        "attributed_to": ", ".join(c["target"]["id"] for c in attributed),
        "stated_by": (value.get("stated_by") or {}).get("id", ""),
        **cited_columns(value["sources"] if value else view["sources"], sources),
    }


def hit_row(hit: View, sources: dict[str, View]) -> Row:
    return {
        "id": hit["id"],
        "type": hit["type"],
        "name": hit["name"],
        "score": hit["score"],
        "field": hit["matched"]["field"],
        "snippet": hit["matched"]["snippet"],
    }


def source_row(source: View, sources: dict[str, View]) -> Row:
    return {key: scalar(source.get(key)) for key in SOURCE_FIELDS}


SOURCE_FIELDS = (
    "id",
    "title",
    "publisher",
    "date",
    "url",
    "kind",
    "lang",
    "reliability_level",
    "reliability",
    "claims",
)


def link_row(link: View, sources: dict[str, View]) -> Row:
    return {
        "property": link["property"],
        "direction": link["direction"],
        "depth": link["depth"],
        **_ref("entity", link["entity"]),
        "via_id": link["via"]["id"],
        **cited_columns(link["sources"], sources),
    }


def step_row(step: View, sources: dict[str, View]) -> Row:
    return {
        "from_id": step["from"]["id"],
        "property": step["property"],
        "direction": step["direction"],
        "to_id": step["to"]["id"],
        "from_name": step["from"]["name"],
        "to_name": step["to"]["name"],
        **cited_columns(step["sources"], sources),
    }


def event_row(event: View, sources: dict[str, View]) -> Row:
    claim = event["claim"]
    return {
        "date": event["date"],
        "end": scalar(event.get("end")),
        **_ref("entity", event["entity"]),
        "claim_id": claim["id"],
        "property": claim["property"],
        "value": claim_value(claim),
        "status": claim.get("status", ""),
        **cited_columns(claim["sources"], sources),
    }


def conflict_row(conflict: View, sources: dict[str, View]) -> Row:
    """A conflict groups claims: a row per claim, each naming the entity and property."""
    return {"_rows": [_conflict_claim(conflict, c, sources) for c in conflict["claims"]]}


def _conflict_claim(conflict: View, claim: View, sources: dict[str, View]) -> Row:
    return {
        **_ref("entity", conflict["entity"]),
        "property": conflict["property"],
        "claim_id": claim["id"],
        "value": claim_value(claim),
        "date": period(claim),
        "rank": claim.get("rank", ""),
        "rank_reason": claim.get("rank_reason", ""),
        "status": claim.get("status", ""),
        **cited_columns(claim["sources"], sources),
    }


def problem_row(problem: View, sources: dict[str, View]) -> Row:
    return {key: scalar(problem.get(key)) for key in PROBLEM_FIELDS}


PROBLEM_FIELDS = ("line", "severity", "code", "entity", "path", "message")


def _kind(
    row: Callable[[View, dict[str, View]], Row],
    sample: View,
    defaults: tuple[str, ...] = (),
    items: Callable[[Any], list[View]] = list,
) -> Kind:
    """A kind whose columns are those `row` gives `sample` (all of them unless `defaults`)."""
    fields = tuple(_columns(row, sample))
    return Kind(fields, defaults or fields, items, row)


def _columns(row: Callable[[View, dict[str, View]], Row], sample: View) -> list[str]:
    first = next(_spread(row(sample, {})))
    return list(first)


_REF = {"id": "", "type": "", "name": ""}
_CLAIM = {"id": "", "property": "", "sources": []}
_ENTITY = {**_REF, "summary": "", "aliases": [], "claims": [], "sources": []}
_LINK = {"property": "", "direction": "", "depth": 0, "entity": _REF, "via": _REF, "sources": []}

KINDS: dict[str, Kind] = {
    "list": _kind(entity_row, _ENTITY, defaults=("id", "name", "summary")),
    "stats": _kind(statistic_row, _ENTITY),
    "search": _kind(hit_row, {**_REF, "score": 0, "matched": {"field": "", "snippet": ""}}),
    "sources": _kind(source_row, {}),
    "xref": _kind(link_row, _LINK, items=lambda view: view["links"]),
    "path": _kind(step_row, {**_LINK, "from": _REF, "to": _REF}, items=lambda view: view["steps"]),
    "timeline": _kind(event_row, {"date": "", "entity": _REF, "claim": _CLAIM}),
    "conflicts": _kind(conflict_row, {"entity": _REF, "property": "", "claims": [_CLAIM]}),
    "validate": _kind(problem_row, {}, items=lambda view: view["problems"]),
}
