"""The semantic diff and the three-way merge (kb.diff, kb.merge): pure, over documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from cpkb.kb import layout
from cpkb.kb.diff import counts, diff, diff_bytes, empty
from cpkb.kb.merge import merge

V2 = Path(__file__).resolve().parents[1] / "data" / "good" / "v2-time.json"
Doc = dict[str, Any]


@pytest.fixture
def base() -> Doc:
    document: Doc = json.loads(V2.read_bytes())
    return document


def entity(document: Doc, entity_id: str) -> Doc:
    found: Doc = next(e for e in document["entities"] if e["id"] == entity_id)
    return found


def claim(document: Doc, claim_id: str) -> Doc:
    found: Doc = next(c for e in document["entities"] for c in e["claims"] if c["id"] == claim_id)
    return found


def test_nothing_changed_is_empty_whatever_the_order(base: Doc) -> None:
    moved = copy.deepcopy(base)
    moved["entities"].reverse()
    assert empty(diff(base, moved))


def test_diff_tells_entities_claims_sources_and_ranks(base: Doc) -> None:
    new = copy.deepcopy(base)
    entity(new, "a-person")["name"] = "A. B. Person"
    claim(new, "lx-criminal")["rank"] = "deprecated"
    entity(new, "law-x")["claims"].pop(0)
    new["entities"] = [e for e in new["entities"] if e["id"] != "post-b"]
    new["sources"].append({"id": "s", "title": "t", "publisher": "p", "date": None, "url": None,
                           "reliability": "r"})  # fmt: skip
    changes = diff(base, new)
    assert [e["id"] for e in changes["entities"]["removed"]] == ["post-b"]
    changed = {c["id"]: c for c in changes["entities"]["changed"]}
    assert changed["a-person"]["fields"] == {"name": {"old": "A. Person", "new": "A. B. Person"}}
    law = changed["law-x"]["claims"]
    assert [c["id"] for c in law["removed"]] == ["lx-administrative"]
    assert law["ranked"] == [
        {"id": "lx-criminal", "old": "normal", "new": "deprecated", "reason": "disputed"}
    ]
    tally = counts(changes)
    assert tally["sources"]["added"] == 1 and tally["claims"]["ranked"] == 1
    assert tally["claims"]["removed"] == 1  # post-b had none


def test_diff_of_canonical_bytes_parses_only_what_differs(base: Doc) -> None:
    new = copy.deepcopy(base)
    claim(new, "rate-2024")["value"] = 7
    old_raw, new_raw = layout.document_bytes(base), layout.document_bytes(new)

    def never(raw: bytes) -> Doc:
        raise AssertionError("canonical files are compared entity by entity")

    assert diff_bytes(old_raw, new_raw, parse=never) == diff(base, new)
    mangled = json.dumps(new).encode()
    assert diff_bytes(old_raw, mangled, parse=json.loads) == diff(base, new)


def test_merge_takes_each_sides_changes_to_different_claims(base: Doc) -> None:
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    claim(ours, "ap-new-post")["end"] = "2026"
    claim(theirs, "cp-budget-kzt")["value"] = 1400000000000
    entity(theirs, "post-a")["aliases"] = ["Post Alpha"]
    theirs["entities"].append({**entity(base, "post-a"), "id": "post-c", "name": "Post C"})
    merged, conflicts = merge(base, ours, theirs)
    assert conflicts == []
    assert claim(merged, "ap-new-post")["end"] == "2026"
    assert claim(merged, "cp-budget-kzt")["value"] == 1400000000000
    assert entity(merged, "post-a")["aliases"] == ["Post Alpha"]
    assert [e["id"] for e in merged["entities"]][-1] == "post-c"


def test_both_sides_changing_one_claim_is_a_conflict_keeping_ours(base: Doc) -> None:
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    claim(ours, "rate-2024")["value"] = 7
    claim(theirs, "rate-2024")["value"] = 9
    claim(theirs, "rate-2019")["unit"] = "per cent"
    merged, conflicts = merge(base, ours, theirs)
    assert [c.what for c in conflicts] == ["claim 'rate-2024' of entity 'the-rate'"]
    only = conflicts[0]
    assert (only.base["value"], only.ours["value"], only.theirs["value"]) == (8, 7, 9)
    assert claim(merged, "rate-2024")["value"] == 7
    assert claim(merged, "rate-2019")["unit"] == "per cent"


def test_a_change_to_what_the_other_side_removed_is_a_conflict(base: Doc) -> None:
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    ours["entities"] = [e for e in ours["entities"] if e["id"] != "post-b"]
    entity(theirs, "post-b")["summary"] = "Still a post."
    merged, conflicts = merge(base, ours, theirs)
    assert [c.what for c in conflicts] == ["entity 'post-b'"]
    assert conflicts[0].ours is None
    assert "post-b" not in [e["id"] for e in merged["entities"]]


def test_same_change_on_both_sides_merges_once(base: Doc) -> None:
    ours = copy.deepcopy(base)
    claim(ours, "lx-civil")["note"] = "Wrong."
    merged, conflicts = merge(base, ours, copy.deepcopy(ours))
    assert conflicts == [] and merged == ours


def test_their_addition_after_a_claim_we_removed_is_kept(base: Doc) -> None:
    ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
    entity(ours, "a-person")["claims"].pop()  # ap-new-post
    added = {**claim(base, "ap-old-post"), "id": "ap-third"}
    entity(theirs, "a-person")["claims"].append(added)
    merged, conflicts = merge(base, ours, theirs)
    assert conflicts == []
    assert [c["id"] for c in entity(merged, "a-person")["claims"]] == ["ap-old-post", "ap-third"]
