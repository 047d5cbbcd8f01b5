"""What every write must pass: the checks of `cpkb validate`, over the whole result.

kb.write cannot import the checks (they sit above it), so commands hand it `validate_write`.
It runs validate's item-by-item path with its memo (only the items the memo does not know are
read again), keeps the errors (warnings never refuse a write: `validate` exits 0 on them),
and checks the quotes of the entities the write changed against the texts their sources hold.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cpkb.check.problems import Problem
    from cpkb.kb.write import Proposal

View = dict[str, Any]


@functools.cache
def schema(version: int = 2) -> Mapping[str, Any]:
    from cpkb.kb.paths import schema_path

    loaded: Mapping[str, Any] = json.loads(schema_path(version).read_text(encoding="utf-8"))
    return loaded


def validate_write(proposal: Proposal) -> list[View]:
    """The errors of the file a write would leave, located (as `validate --json` shows them)."""
    version = proposal.draft.header.get("schema_version")
    found = check_errors(proposal.path, proposal.after, version=1 if version == 1 else 2)
    return [p.view() for p in found] + list(held_text_problems(proposal))


def check_errors(path: Path, raw: bytes, *, version: int = 2) -> list[Problem]:
    """validate's errors in `raw`, the file `path` is to hold (a file of schema `version`);
    its memo kept up to date."""
    from cpkb.check import memo as itemcache
    from cpkb.check.items import check_items
    from cpkb.check.problems import located
    from cpkb.check.rules import RULES
    from cpkb.check.whole import check_bytes
    from cpkb.kb import collector

    stamp = itemcache.stamp()
    memo = itemcache.load(path, stamp)
    with collector.paused():
        found = check_items(raw, schema=schema(version), memo=memo, parallel=True)
        if found is None:  # a file only the reference path reads
            checked = check_bytes(raw, schema=schema(version), fast=False)
            return [p for p in checked.problems if p.is_error]
        errors = [f for f in found.findings if RULES[f.code].severity == "error"]
        problems = located(errors, found.lines, found.owner)
    if not problems and found.memo.worth_saving():
        itemcache.save(path, found.memo, stamp)
    return problems


def held_text_problems(proposal: Proposal) -> Iterator[View]:
    """E301 for each quote of a changed entity that is not in its source's held text."""
    from cpkb.check.quotes import citations, normalise
    from cpkb.kb.document import brief, json_path

    draft = proposal.draft
    held = {s["id"]: s["text_file"] for s in draft.sources if _holds_text(s)}
    texts: dict[str, str | None] = {}
    for change in draft.changes().values():
        entity = change.after
        if entity is None or not held:
            continue
        at = ("entities", draft.index(entity["id"]))
        for cited_at, citation in citations(at, entity):
            source, quote = citation.get("source"), citation.get("quote")
            if not isinstance(source, str) or source not in held or not isinstance(quote, str):
                continue
            if source not in texts:
                texts[source] = _read_text(proposal.path.parent / held[source])
            text = texts[source]
            if text is None or normalise(quote) not in text:
                why = "quote not found in" if text is not None else "cannot read the held text"
                message = f"{why} {held[source]}: {brief(quote, 80)}"
                yield _problem("E301", json_path((*cited_at, "quote")), entity["id"], message)


def _holds_text(source: object) -> bool:
    return isinstance(source, dict) and isinstance(source.get("text_file"), str)


def _read_text(path: Path) -> str | None:
    """A held text, normalised as quotes are compared; None if it cannot be read."""
    from cpkb.check.quotes import normalise

    try:
        if not os.path.isfile(path):
            return None
        return normalise(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None


def _problem(code: str, path: str, entity: str, message: str) -> View:
    return {"severity": "error", "code": code, "entity": entity, "path": path, "line": None,
            "message": message}  # fmt: skip
