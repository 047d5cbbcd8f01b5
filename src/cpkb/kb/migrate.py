"""A version-1 data file rewritten as version 2, saying the same: every answer stays as it was.

Each claim stores the id cpkb already gives it (model.entities.claim_id), a figure's
`start`/`end` becomes its `period` (as readers of version 1 take it), and the properties the
file uses are declared, with what each takes inferred from its claims and nothing else guessed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Any, NamedTuple

from cpkb.model.entities import made_claim_id
from cpkb.model.fields import ENTITY_TYPES

SCHEMA_NAME = "cpkb.schema.json"  # the bundled schema of version 2
Document = dict[str, Any]


class Migration(NamedTuple):
    """The document as version 2, and what changed (for `--dry-run` and the report)."""

    document: Document
    schema: tuple[object, str]  # `$schema` before and after
    ids: tuple[str, ...]  # the ids given to claims
    periods: tuple[tuple[str, str], ...]  # (claim id, period) of each start/end made a period
    properties: tuple[Document, ...]  # the declarations
    notes: tuple[str, ...]  # what no declaration quite fits: properties used in several ways


def migrate(document: Document) -> Migration:
    """`document`, a version-1 data file as read, as version 2 (`document` is not changed)."""
    types = {e.get("id"): e.get("type") for e in document.get("entities", [])}
    ids: list[str] = []
    periods: list[tuple[str, str]] = []
    entities = [_entity(entity, ids, periods) for entity in document.get("entities", [])]
    claims = [claim for entity in entities for claim in entity.get("claims", [])]
    properties, notes = declare(claims, types)
    before = document.get("$schema")
    top: Document = {"$schema": schema_name(before), "schema_version": 2}
    top["properties"] = list(properties)
    top |= {k: v for k, v in document.items() if k not in top and k != "entities"}
    top["entities"] = entities
    return Migration(top, (before, top["$schema"]), tuple(ids), tuple(periods), properties, notes)


def schema_name(before: object) -> str:
    """`$schema` naming the bundled schema, in the folder the old one named (the data file's
    own, as the bundled file has it, if it named none)."""
    if not isinstance(before, str):
        return "./" + SCHEMA_NAME
    folder = posixpath.dirname(before)
    return posixpath.join(folder, SCHEMA_NAME) if folder else SCHEMA_NAME


def _entity(entity: Document, ids: list[str], periods: list[tuple[str, str]]) -> Document:
    claims = []
    for n, claim in enumerate(entity.get("claims", [])):
        claim_id = made_claim_id(entity["id"], n)
        ids.append(claim_id)
        migrated: Document = {"id": claim_id}
        for key, value in claim.items():
            if key not in ("start", "end"):
                migrated[key] = value
            elif "period" not in migrated:  # version 1's figure period, as readers take it
                period = f"{claim.get('start', '..')}/{claim.get('end', '..')}"
                migrated["period"] = period
                periods.append((claim_id, period))
        claims.append(migrated)
    return {**entity, "claims": claims}


def declare(
    claims: Iterable[Document], types: dict[Any, Any]
) -> tuple[tuple[Document, ...], tuple[str, ...]]:
    """A declaration of each property the claims use, in order of first use: its label from its
    name, what it takes from the claims' values, and the types of their targets; and a note on
    each property used in ways that no one declaration fits."""
    uses: dict[str, list[Document]] = {}
    for claim in claims:
        uses.setdefault(claim["property"], []).append(claim)
    declared, notes = [], []
    for name, used in uses.items():
        takes = _takes(used)
        declaration: Document = {"name": name, "label": name.replace("_", " "), "takes": takes}
        seen = {types.get(c["target"]) for c in used if "target" in c}
        if seen:  # a literal property also used with targets keeps their types (see README)
            declaration["types"] = [t for t in ENTITY_TYPES if t in seen]
        if takes is None:
            declaration["takes"] = "text"
            notes.append(
                f"{name}: values of several kinds, declared text: validate reports the others"
            )
        elif seen and takes != "entity":
            notes.append(
                f"{name}: used with values and targets, declared {takes} with its targets' types"
            )
        declared.append(declaration)
    return tuple(declared), tuple(notes)


def _takes(claims: list[Document]) -> str | None:
    """What all the claims' values are: entity, quantity, number, boolean or text; None if
    they are of several kinds."""
    values = [c["value"] for c in claims if "value" in c]
    if not values:
        return "entity"
    kinds = {_kind(value) for value in values}
    if kinds == {"number"}:
        return "quantity" if all("unit" in c for c in claims if "value" in c) else "number"
    return kinds.pop() if len(kinds) == 1 else None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, (int, float)) else "text"
