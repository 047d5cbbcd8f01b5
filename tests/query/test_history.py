"""show --as-of/--known-by/--all/--current, timeline and conflicts through the CLI, on the
version-2 fixture of a programme coordinated then approved (tests/data/good/v2-time.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpkb.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "good" / "v2-time.json"


def run(*args: str) -> Any:
    result = CliRunner().invoke(app, ["--data", str(DATA), *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout) if "--json" in args else result.stdout


def statuses(view: dict[str, Any]) -> dict[str, str]:
    return {claim["id"]: claim["status"] for claim in view["claims"]}


def test_json_lists_every_claim_with_whether_it_is_current() -> None:
    view = run("show", "children-programme", "--json")
    assert statuses(view)["cp-coordinated"] == "superseded"
    assert [c["id"] for c in view["claims"] if c["current"]] == [
        "cp-approved", "cp-budget-kzt", "cp-budget-usd", "cp-implemented",
    ]  # fmt: skip
    current = run("show", "children-programme", "--json", "--current")
    assert "cp-coordinated" not in statuses(current)


def test_as_of_and_known_by() -> None:
    before = run("show", "children-programme", "--json", "--as-of", "2025-12")
    assert statuses(before)["cp-coordinated"] == "current"
    known = run("show", "children-programme", "--json", "--known-by", "2025-11-29")
    assert list(statuses(known)) == ["cp-coordinated", "cp-implemented"]
    assert known["known_by"] == {"date": "2025-11-29", "claims_left_out": 3}


def test_human_output_shows_what_is_current_and_says_what_it_hid() -> None:
    shown = run("show", "children-programme")
    claims = shown.split("Claims")[1].split("Citations")[0]
    assert "approved" in claims and "being coordinated" not in claims
    assert "1 claim not current on 2026-12-07 not shown: --all" in shown
    every = run("show", "children-programme", "--all")
    assert "being coordinated" in every and "superseded" in every
    assert "implemented by" in shown  # the vocabulary's label, not the property's name


def test_a_bad_date_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["--data", str(DATA), "show", "law-x", "--as-of", "2025-13"])
    assert result.exit_code == 2
    assert "--as-of '2025-13' is not a date" in result.stderr


def test_timeline_is_in_order_and_filtered() -> None:
    events = run("timeline", "--json")
    dates = [e["date"] for e in events]
    assert dates == ["2019", "2019", "2024", "2025-03-01", "2026-01-27"]
    assert {e["claim"]["id"] for e in events} >= {"ap-old-post", "cp-approved"}
    since = run("timeline", "--json", "--since", "2025")
    assert [e["claim"]["id"] for e in since] == ["ap-new-post", "cp-approved"]
    assert [e["claim"]["id"] for e in run("timeline", "a-person", "--json")] == [
        "ap-old-post", "ap-new-post",
    ]  # fmt: skip
    known = run("timeline", "--json", "--known-by", "2025-11-29")
    assert "cp-approved" not in {e["claim"]["id"] for e in known}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), [["the-rate", "value"], ["law-x", "liability_kind"]]),
        (("law-x",), [["law-x", "liability_kind"]]),
        (("children-programme",), []),  # two budgets in two currencies are not compared
    ],
)
def test_conflicts(args: tuple[str, ...], expected: list[list[str]]) -> None:
    found = run("conflicts", *args, "--json")
    assert [[c["entity"]["id"], c["property"]] for c in found] == expected
    for conflict in found:
        assert all(claim["sources"] for claim in conflict["claims"])


def test_known_by_withholds_a_summary_that_draws_on_later_sources() -> None:
    early = run("show", "a-person", "--json", "--known-by", "2019")
    assert early["summary"] is None and early["claims"] == []
    later = run("show", "a-person", "--json", "--known-by", "2020")
    assert later["summary"] == "An official who held one post, then another."


def test_a_staters_page_lists_what_it_is_recorded_as_saying() -> None:
    view = run("show", "a-person", "--json")
    assert [(s["about"]["id"], s["id"]) for s in view["statements"]] == [
        ("children-programme", "cp-implemented")
    ]
    assert "Statements attributed" in run("show", "a-person")


def test_timeline_of_one_entity_keeps_to_the_events_linked_to_it() -> None:
    assert {e["entity"]["id"] for e in run("timeline", "law-x", "--json")} <= {"law-x"}
