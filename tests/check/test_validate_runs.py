"""`cpkb validate`'s memo recognises runs of unchanged items by one hash each (cpkb.check.memo's
Layout.runs): whatever changed around them, what it reports is what the reference path reports.
Runs are made short here, so that small files hold many.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpkb.check import memo as itemcache
from cpkb.check import scan as itemscan
from cpkb.check.memo import ItemMemo
from tests.check.test_validate_speed import (
    Lines,
    check,
    examined,
    generated,
    reference,
    views,
    written,
)

__all__ = ["examined"]  # a fixture, used by name
RUN = 7


@pytest.fixture(autouse=True)
def short_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(itemcache, "RUN", RUN)
    monkeypatch.setattr(itemscan, "RUN", RUN)


def saved(memo: ItemMemo | None) -> ItemMemo:
    """The memo as the next run reads it: with its run keys, as itemcache.save writes it."""
    assert memo is not None
    for name, layout in memo.layouts.items():
        layout.seal(name, memo.raw)
    return ItemMemo(memo.layouts, context=memo.context)


def runs_served(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts, as they come, the runs the scan recognised."""
    served: list[int] = []
    add_run = itemscan.Items.add_run

    def counting(items: itemscan.Items, layout: Any, first: int, end: int, start: int) -> None:
        served.append(end - first)
        add_run(items, layout, first, end, start)

    monkeypatch.setattr(itemscan.Items, "add_run", counting)
    return served


def test_unchanged_runs_are_served_whole(
    examined: Callable[[], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = Lines(generated(100, 21))
    raw = kb.text().encode()
    memo = saved(check(raw).memo)
    assert len(memo.layouts["entities"].runs) == -(-100 // RUN)
    examined()
    served = runs_served(monkeypatch)
    assert views(check(raw, memo)) == reference(raw)
    sources = len(json.loads(raw)["sources"])
    assert sum(served) == sources + 100 and examined() == 0
    served.clear()
    kb.edit(50, lambda e: e.update(name=e["name"] + " Jr"))
    edited = kb.text().encode()
    assert views(check(edited, memo)) == reference(edited)
    assert examined() == 1 and sum(served) == sources + 100 - RUN  # all but the edited run


EDITS: dict[str, Callable[[Lines], None]] = {
    "an entity inserted": lambda kb: kb.lines.insert(kb.first + 30, kb.lines[kb.first + 5]),
    "an entity removed": lambda kb: kb.lines.pop(kb.first + 30),
    "two entities swapped": lambda kb: kb.lines.__setitem__(
        slice(kb.first + 20, kb.first + 22), kb.lines[kb.first + 21 : kb.first + 19 : -1]
    ),
    "a duplicate id": lambda kb: kb.edit(40, lambda e: e.update(id=kb.entity(3)["id"])),
    "an unknown target": lambda kb: kb.lines.__setitem__(
        kb.first + 61, kb.lines[kb.first + 61].replace('"target":"', '"target":"x', 1)
    ),
    "white space between items": lambda kb: kb.lines.insert(kb.first + 14, "   "),
    "an entity over lines": lambda kb: kb.put(33, kb.entity(33), indent=2),
    "a broken entity": lambda kb: kb.edit(70, lambda e: e.pop("summary")),
    "the last entity removed": lambda kb: kb.lines.pop(kb.first + 99),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_any_change_around_runs_is_reported_as_by_reference(edit: str) -> None:
    kb = Lines(generated(100, 22))
    memo = saved(check(kb.text().encode()).memo)
    EDITS[edit](kb)
    edited = kb.text().encode()
    assert views(check(edited, memo)) == reference(edited)
    again = saved(check(edited, memo).memo)  # a memo made from a run that used one
    assert views(check(edited, again)) == reference(edited)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 59), st.sampled_from(["copy", "drop", "edit"]))))
def test_edits_anywhere_after_a_memo_with_runs_are_reported_as_by_reference(
    edits: list[tuple[int, str]],
) -> None:
    kb = Lines(generated(60, 23))
    memo = saved(check(kb.text().encode()).memo)
    for index, how in edits:
        count = len(kb.lines) - kb.first - 1  # the last line closes the array
        at = kb.first + 1 + index % max(1, count - 1)  # the first entity has no comma
        if how == "copy":
            kb.lines.insert(at, kb.lines[at])
        elif how == "drop" and count > 2:
            kb.lines.pop(at)
        elif how == "edit":
            kb.lines[at] = kb.lines[at].replace('"name":"', '"name":"Z', 1)
    edited = kb.text().encode()
    assert views(check(edited, memo)) == reference(edited)


def test_labels_shared_and_no_longer_after_a_memo() -> None:
    kb = Lines(generated(100, 24))
    kb.edit(45, lambda e: e.update(name=kb.entity(12)["name"]))
    raw = kb.text().encode()
    shared = [p for p in views(check(raw)) if p["code"] == "W403"]
    memo = check(raw).memo
    kb.edit(45, lambda e: e.update(name="Someone Else Entirely"))
    unshared = kb.text().encode()
    found = views(check(unshared, memo))
    assert found == reference(unshared) and len(found) < len(views(check(raw))) and shared
    memo = saved(check(unshared, memo).memo)
    kb.edit(46, lambda e: e.update(aliases=[kb.entity(80)["name"].upper()]))
    kb.lines.insert(kb.first + 90, kb.lines[kb.first + 10])  # an entity twice: its labels too
    again = kb.text().encode()
    assert views(check(again, memo)) == reference(again)


@pytest.mark.parametrize("indent", [None, 2], ids=["one entity a line", "indented"])
def test_lines_inside_runs_are_the_lines_of_the_file(
    indent: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = json.loads(generated(100, 25))
    for k in range(3, 100, 9):  # a shared label in every run: a problem to locate in each
        doc["entities"][k]["name"] = doc["entities"][k - 2]["name"]
    memo = saved(check(written(doc, indent)).memo)
    doc["entities"][40]["summary"] += " (edited)"
    doc["entities"].insert(60, doc["entities"][61] | {"id": "one-more"})
    edited = written(doc, indent)
    served = runs_served(monkeypatch)
    found = views(check(edited, memo))
    assert found == reference(edited) and sum(served) > 50
    assert sum(p["code"] == "W403" for p in found) >= 11
