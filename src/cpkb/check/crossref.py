"""The rules of a version-2 file that compare entities, from their summaries (Summary.extra):
claim ids are unique (E211), `supersedes` names a claim of its own entity (E212), targets have a
type their property takes (E210), former ids are neither live nor shared (E215); each property
is declared once and used (E216, W408).

Set arithmetic, in C, finds whether there is a problem with ids; only then are claims read one
by one. Target types are looked up claim by claim, for the claims whose property restricts them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import chain, compress
from operator import itemgetter
from typing import Any

from cpkb.check.context import Context
from cpkb.check.rules import Finding
from cpkb.check.summary import EXTRA, ID, Rows
from cpkb.check.vocabulary import property_findings
from cpkb.kb.document import Path, brief, json_path
from cpkb.model.fields import ENTITY_TYPES

Reader = Callable[[int], dict[str, Any]]
_NONE: tuple[Any, ...] = ((), (), (), "", (), ())  # the extra of an entity that has none


class Extras:
    """The extras of the entities' summaries, field by field."""

    def __init__(self, rows: Rows) -> None:
        extras = [_NONE if e is None else e for e in rows.column(EXTRA)]
        columns: list[Sequence[Any]] = list(zip(*extras, strict=True)) if extras else [()] * 6
        self.ids: Sequence[tuple[str | None, ...]] = columns[0]
        self.uses: Sequence[tuple[str, ...]] = columns[1]
        self.former: Sequence[tuple[str, ...]] = columns[2]
        self.kinds: Sequence[str] = columns[3]
        self.typed: Sequence[tuple[tuple[int, str, str], ...]] = columns[4]
        self.foreign: Sequence[tuple[tuple[int, int, str], ...]] = columns[5]
        flat = list(chain.from_iterable(self.ids))
        self.count = len(flat) - flat.count(None)
        known: set[Any] = set(flat)
        known.discard(None)
        self.known: set[str] = known


def crossref_findings(
    rows: Rows, entity_ids: set[str], context: Context, entity: Reader
) -> list[Finding]:
    """The version-2 rules that compare the entities of `rows` (`entity(i)` reads entity `i`)."""
    extras = Extras(rows)
    findings: list[Finding] = []
    if len(extras.known) != extras.count:
        findings += _duplicate_ids(rows, extras, entity)
    findings += _foreign(rows, extras)
    findings += _types(rows, extras, context)
    findings += _former(rows, extras.former, entity_ids, entity)
    findings += property_findings(context, set().union(*extras.uses))
    return findings


def _duplicate_ids(rows: Rows, extras: Extras, entity: Reader) -> Iterator[Finding]:
    """E211 at each claim whose id an earlier claim has."""
    first: dict[str, Path] = {}
    for k, ids in enumerate(extras.ids):
        for j, claim_id in enumerate(ids):
            at = (*rows.at(k), "claims", j)
            if claim_id is None or first.setdefault(claim_id, at) == at:
                continue
            earlier = json_path(first[claim_id])
            claim = entity(rows.index[k])["claims"][j]
            if "id" in claim:
                yield Finding("E211", (*at, "id"), f"duplicate claim id {brief(claim_id)} "
                              f"(first at {earlier})")  # fmt: skip
            else:
                message = f"its id made from its place, {brief(claim_id)} (it stores none), is "
                yield Finding("E211", at, message + f"also the id of {earlier}: store another")


def _foreign(rows: Rows, extras: Extras) -> Iterator[Finding]:
    """E212 for each id a claim supersedes that no claim of its entity has."""
    for k in compress(range(len(extras.foreign)), extras.foreign):
        for j, place, name in extras.foreign[k]:
            at = (*rows.at(k), "claims", j, "supersedes", place)
            if name in extras.known:
                owner = next(rows.fields[ID][n] for n, ids in enumerate(extras.ids) if name in ids)
                message = f"supersedes {brief(name)}, a claim of another entity ({brief(owner)})"
            else:
                message = f"supersedes {brief(name)}, which is no claim's id"
            yield Finding("E212", at, message)


def _types(rows: Rows, extras: Extras, context: Context) -> Iterator[Finding]:
    """E210 for each target whose type its claim's property does not take. Whether there is
    one is found in C: the pairs (property, target type) of all such claims, less those the
    vocabulary allows, and those of unknown targets (E203)."""
    if not any(extras.typed):
        return
    kind_of = dict(zip(rows.fields[ID], extras.kinds, strict=True))
    flat = list(chain.from_iterable(extras.typed))
    kinds = map(kind_of.get, map(itemgetter(1), flat))
    used = set(zip(map(itemgetter(2), flat), kinds, strict=True))
    allowed = {(n, t) for n, spec in context.vocabulary.items() for t in spec.types or ()}
    if not {pair for pair in used - allowed if pair[1]}:
        return
    for k in compress(range(len(extras.typed)), extras.typed):
        for j, target, name in extras.typed[k]:
            spec, kind = context.vocabulary.get(name), kind_of.get(target)
            if spec is None or spec.types is None or not kind or kind in spec.types:
                continue
            takes = " or ".join(_in_order(spec.types))
            message = f"{brief(name)} takes a target of type {takes}, not {kind} {brief(target)}"
            yield Finding("E210", (*rows.at(k), "claims", j, "target"), message)


def _in_order(types: frozenset[str]) -> list[str]:
    return [t for t in ENTITY_TYPES if t in types] + sorted(types - set(ENTITY_TYPES))


def _former(
    rows: Rows, former: Sequence[tuple[str, ...]], entity_ids: set[str], entity: Reader
) -> Iterator[Finding]:
    """E215 for a former id that is a live entity's id, or that an earlier entity lists."""
    flat = list(chain.from_iterable(former))
    if entity_ids.isdisjoint(flat) and len(set(flat)) == len(flat):
        return
    owners: dict[str, str] = {}
    for k in compress(range(len(former)), former):
        own = rows.fields[ID][k] or ""
        for name in former[k]:
            if name in entity_ids:
                message = f"{brief(name)} is the id of an entity: a former id is never a live one"
            elif name in owners:
                message = f"{brief(name)} is also a former id of entity {brief(owners[name])}"
            else:
                owners[name] = own
                continue
            listed = entity(rows.index[k]).get("former_ids") or []
            yield Finding("E215", (*rows.at(k), "former_ids", listed.index(name)), message)
