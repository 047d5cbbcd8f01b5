"""Claim ids and `supersedes` within one entity of a version-2 file: a claim may supersede only
claims of its own entity and property (E212), and never itself, however indirectly (E213). The
ids it names that no claim of its entity has are left to the rules that compare entities."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from cpkb.check.nodes import string_of
from cpkb.check.rules import Finding
from cpkb.kb.document import Path, brief
from cpkb.model.entities import made_claim_id

Foreign = tuple[int, int, str]  # a claim, the place in its `supersedes`, the id named there


def claim_ids(entity_id: object, claims: Sequence[object]) -> list[str | None]:
    """Each claim's id, as readers give it (model.entities.claim_id): the one stored, else the
    one made from its place; None when it has neither (an id or entity id not a string)."""
    ids: list[str | None] = []
    for j, claim in enumerate(claims):
        stored = claim.get("id", None) if isinstance(claim, dict) else None
        if isinstance(stored, str):
            ids.append(stored)
        elif stored is None and isinstance(entity_id, str) and isinstance(claim, dict):
            ids.append(made_claim_id(entity_id, j))
        else:
            ids.append(None)
    return ids


def supersedes_findings(
    at: Path, claims: Sequence[object], ids: Sequence[str | None]
) -> tuple[list[Finding], list[Foreign]]:
    """E212 and E213 within the entity at `at`; and the ids named that it does not hold."""
    own: dict[str, int] = {}
    for j, claim_id in enumerate(ids):
        if claim_id is not None:
            own.setdefault(claim_id, j)
    findings: list[Finding] = []
    foreign: list[Foreign] = []
    edges: dict[int, list[int]] = {}
    for j, claim in enumerate(claims):
        if not isinstance(claim, dict):
            continue
        names = claim.get("supersedes")
        for k, name in enumerate(names if isinstance(names, list) else ()):
            if not isinstance(name, str):
                continue
            if name not in own:
                foreign.append((j, k, name))
                continue
            edges.setdefault(j, []).append(own[name])
            findings += _other_property(at, claim, claims[own[name]], j, k, name)
    findings += cycles(at, edges, ids)
    return findings, foreign


def _other_property(
    at: Path, claim: dict[str, Any], other: object, j: int, k: int, name: str
) -> Iterator[Finding]:
    mine = string_of(claim, "property")
    theirs = string_of(other, "property") if isinstance(other, dict) else None
    if mine is not None and theirs is not None and mine != theirs:
        message = (
            f"supersedes {brief(name)}, a claim of property {brief(theirs)}, not {brief(mine)}"
        )
        yield Finding("E212", (*at, "claims", j, "supersedes", k), message)


def cycles(at: Path, edges: dict[int, list[int]], ids: Sequence[str | None]) -> list[Finding]:
    """E213 once for each cycle of claims superseding one another, at its first claim."""
    findings = []
    for ring in _strong_components(edges):
        if len(ring) > 1 or ring[0] in edges.get(ring[0], ()):
            first = min(ring)
            names = ", ".join(brief(ids[j]) for j in sorted(ring))
            message = (
                "supersedes itself" if len(ring) == 1 else f"supersedes itself through {names}"
            )
            findings.append(Finding("E213", (*at, "claims", first, "supersedes"), message))
    return findings


def _strong_components(edges: dict[int, list[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components of the graph `edges`, without recursion."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    found: list[list[int]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            following = edges.get(node, [])
            if i < len(following):
                work.append((node, i + 1))
                nxt = following[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                ring = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    ring.append(member)
                    if member == node:
                        break
                found.append(ring)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found
