"""Integrity rules and warnings over a parsed data file, however broken: pure, no I/O.

Two steps, so that the first can be remembered between runs and done by worker processes:
`summarise` reads one source or entity alone; `assemble` applies the rules that compare items
(duplicates, references, shared labels; in a version-2 file, claim ids, supersedes, target
types, former ids and the vocabulary) to the summaries. The schema layer reports wrong shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any, cast

from cpkb.check.claims import EntityChecks, dates
from cpkb.check.context import Context
from cpkb.check.controls import control_findings
from cpkb.check.crossref import crossref_findings
from cpkb.check.labels import label_findings, label_keys
from cpkb.check.nodes import string_of
from cpkb.check.quotes import unread_findings
from cpkb.check.rules import Finding
from cpkb.check.summary import (
    CHECKS,
    CITES,
    DATES,
    ID,
    TARGETS,
    Columns,
    Rows,
    Summary,
    local,
    rebase,
)
from cpkb.kb.document import Path, brief, json_path
from cpkb.model import fields
from cpkb.model.fields import CLAIM_DATES


def integrity_findings(
    document: object, context: Context, *, strings: bool = True
) -> list[Finding]:
    """Duplicates, references, citations, statistics, dates, the rules of `context`'s version,
    and the warnings.

    `strings=False` skips W404's search of every string, for a caller that knows there is
    nothing to find (see `may_hold_control_characters`).
    """
    sources, entities = _array(document, "sources"), _array(document, "entities")
    findings = assemble(
        Columns.of([summarise(source, context, entity=False) for source in sources]),
        Columns.of([summarise(entity, context, entity=True) for entity in entities]),
        context=context,
        entity=entities.__getitem__,
    )
    if strings:
        findings += control_findings(document)
    return findings


def _array(document: object, key: str) -> list[Any]:
    items = document.get(key) if isinstance(document, dict) else None
    return items if isinstance(items, list) else []


def summarise(item: object, context: Context, *, entity: bool) -> Summary | None:
    """What the rules need of one source (`entity=False`) or entity; None if not an object."""
    if not isinstance(item, dict):
        return None
    return _entity_summary(item, context) if entity else _source_summary(item, context)


def _source_summary(source: dict[str, Any], context: Context) -> Summary:
    keys = fields.of_kind(fields.SOURCE, "date") if context.version == 2 else CLAIM_DATES
    found = local(dates((), source, keys))
    unread = local(unread_findings(source, context.unread))
    return Summary(string_of(source, "id"), (), (), unread, found, "", (), ())


def _entity_summary(entity: dict[str, Any], context: Context) -> Summary:
    checks = EntityChecks(None, None, context)
    found = checks.check((), entity)
    keys, places, again = label_keys(entity)
    return Summary(
        string_of(entity, "id"),
        tuple(checks.cited),
        tuple(checks.targets),
        local(found),
        local(checks.dates),
        keys,
        places,
        again,
        checks.extra,
    )


def assemble(
    sources: Columns,
    entities: Columns,
    *,
    context: Context,
    entity: Callable[[int], dict[str, Any]],
    labels: Callable[[int], dict[str, Any]] | None = None,
) -> list[Finding]:
    """The findings of the sources and entities, from their summaries, in the order reported.

    `entity(i)` reads entity `i` again, only when it has an unknown reference (its findings are
    then worked out in full) or a problem only other entities show; `labels(i)` (by default
    `entity`) reads only its name and aliases, to quote a shared label. The loops over every
    item run in C: a large file has 100,000.
    """
    source_rows, entity_rows = Rows("sources", sources), Rows("entities", entities)
    findings: list[Finding] = []
    source_ids = _ids(source_rows, "source", findings)
    entity_ids = _ids(entity_rows, "entity", findings)
    cited: set[str] = set().union(*entity_rows.column(CITES))
    targets = chain.from_iterable(entity_rows.column(TARGETS))
    unknown = not source_ids.issuperset(cited) or not entity_ids.issuperset(targets)
    checks = EntityChecks(source_ids, entity_ids, context)
    for k in range(len(entity_rows)) if unknown else entity_rows.having(CHECKS):
        row, at = entity_rows.row(k), entity_rows.at(k)
        if source_ids.issuperset(row[CITES]) and entity_ids.issuperset(row[TARGETS]):
            findings += rebase(at, row[CHECKS])
        else:
            findings += checks.check(at, entity(entity_rows.index[k]))
    if context.version == 2:
        findings += crossref_findings(entity_rows, entity_ids, context, entity)
    findings += _uncited(source_rows, cited)
    findings += label_findings(entity_rows, labels or entity, entities)
    for rows in (source_rows, entity_rows):
        for k in rows.having(DATES):
            findings += rebase(rows.at(k), rows.fields[DATES][k])
    for k in source_rows.having(CHECKS):
        findings += rebase(source_rows.at(k), source_rows.fields[CHECKS][k])
    return findings


def _ids(items: Rows, kind: str, findings: list[Finding]) -> set[str]:
    """The set of ids; a finding for each repeated one."""
    ids: list[str | None] = list(items.column(ID))
    present = set(ids)
    present.discard(None)
    known = cast(set[str], present)
    if len(known) == len(ids) - ids.count(None):  # no id repeated
        return known
    first: dict[str, Path] = {}
    for k, item_id in enumerate(ids):
        if item_id is not None and item_id in first:
            message = f"duplicate {kind} id {brief(item_id)} (first at {json_path(first[item_id])})"
            findings.append(Finding("E201", (*items.at(k), "id"), message))
        elif item_id is not None:
            first[item_id] = items.at(k)
    return set(first)


def _uncited(sources: Rows, cited: set[str]) -> Iterator[Finding]:
    for k, source_id in enumerate(sources.column(ID)):
        if source_id is not None and source_id not in cited:
            yield Finding("W401", sources.at(k), f"source {brief(source_id)} is never cited")
