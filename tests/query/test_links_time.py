"""xref, path and graph through time: by default only links current at the date are shown and
walked (and what was left out is said); --all shows every one, marked; JSON lists every link
with `current`, and --current only the current ones. tests/data/good/v2-time.json: a-person
held post A from 2019 to 2024 (a paraphrase of a 2020 source), then post B from 1 March 2025
(a 2025-11-29 source); the children programme is implemented by a-person."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cpkb.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "good" / "v2-time.json"


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, ["--data", str(DATA), *args])


def links(*args: str) -> list[tuple[str, bool]]:
    result = cli("xref", "a-person", "--json", *args)
    assert result.exit_code == 0, result.output
    view: dict[str, Any] = json.loads(result.stdout)
    return [(link["entity"]["id"], link["current"]) for link in view["links"]]


def test_xref_shows_current_links_and_says_what_it_hid() -> None:
    shown = cli("xref", "a-person")
    assert shown.exit_code == 0, shown.output
    assert "post-b" in shown.stdout and "post-a" not in shown.stdout
    assert "1 link not current on 2026-12-07 not shown: --all" in shown.stdout
    every = cli("xref", "a-person", "--all")
    assert "post-a [1] (not current)" in every.stdout and "not shown" not in every.stdout


def test_xref_as_of_a_date_shows_what_held_then() -> None:
    then = cli("xref", "a-person", "--as-of", "2020")
    assert "post-a" in then.stdout and "post-b" not in then.stdout


def test_xref_json_lists_every_link_with_current() -> None:
    assert links() == [("post-a", False), ("post-b", True), ("children-programme", True)]
    assert links("--current") == [("post-b", True), ("children-programme", True)]
    assert links("--as-of", "2020", "--current") == [("post-a", True), ("children-programme", True)]


def test_known_by_leaves_out_what_no_source_had_said() -> None:
    """By the end of 2020 only the statistics office had written: of post B, nothing."""
    assert links("--known-by", "2020") == [("post-a", True)]


def test_path_walks_only_current_links_by_default() -> None:
    none_now = cli("path", "children-programme", "post-a")
    assert none_now.exit_code == 1 and none_now.stdout == ""
    assert "only links current on 2026-12-07 are followed: --all" in none_now.stderr
    then = cli("path", "children-programme", "post-a", "--as-of", "2020")
    assert then.exit_code == 0 and then.stdout.startswith("2 steps\n")
    every = cli("path", "children-programme", "post-a", "--all")
    assert "(not current)" in every.stdout


def test_path_json_walks_every_link_and_marks_it() -> None:
    found = cli("path", "children-programme", "post-a", "--json")
    steps = json.loads(found.stdout)["steps"]
    assert [(s["to"]["id"], s["current"]) for s in steps] == [
        ("a-person", True),
        ("post-a", False),
    ]
    assert cli("path", "children-programme", "post-a", "--json", "--current").exit_code == 1


def test_graph_draws_current_links_and_dashes_the_rest_with_all() -> None:
    drawn = cli("graph", "--focus", "a-person")
    assert '"post-a"' not in drawn.stdout and '"post-b"' in drawn.stdout
    assert drawn.stderr == "1 link not current on 2026-12-07 not shown: --all\n"
    every = cli("graph", "--focus", "a-person", "--all")
    assert '"a-person" -> "post-a" [label="holds_position", style=dashed];' in every.stdout
    assert every.stderr == ""
    dotted = cli("graph", "--focus", "a-person", "--all", "--format", "mermaid")
    assert '-.->|"holds_position"|' in dotted.stdout


def test_graph_json_marks_current_and_current_limits() -> None:
    view = json.loads(cli("graph", "--focus", "a-person", "--format", "json").stdout)
    assert {(k["target"], k["current"]) for k in view["links"]} == {
        ("post-a", False),
        ("post-b", True),
        ("a-person", True),
    }
    only = json.loads(cli("graph", "--focus", "a-person", "--json", "--current").stdout)
    assert all(k["current"] for k in only["links"]) and len(only["links"]) == 2


def test_a_bad_date_is_a_usage_error() -> None:
    for command in (["xref", "a-person"], ["path", "a-person", "post-b"], ["graph"]):
        result = cli(*command, "--as-of", "2025-13")
        assert result.exit_code == 2 and "is not a date" in result.stderr, command


@pytest.mark.parametrize("date", ["2025-00", "2025-00-00", "2025-06-00", "２０２５", "2025-0６"])
def test_a_month_or_day_of_zero_or_other_digits_are_not_a_date(date: str) -> None:
    """Month 00 is no month (it was read as the whole year), and a date is ASCII digits."""
    for option in ("--as-of", "--known-by"):
        result = cli("xref", "a-person", option, date)
        assert result.exit_code == 2 and "is not a date" in result.stderr, (option, date)


@pytest.mark.parametrize("known_by", ["2000", "2025-06"])
@pytest.mark.parametrize("pair", [("children-programme", "post-a"), ("a-person", "post-b")])
def test_path_known_by_walks_only_what_was_known(known_by: str, pair: tuple[str, str]) -> None:
    """A claim no source had said by the date is never a step, in JSON (every link) as with
    --all (it was an internal error: the chain was found through it, then not drawn)."""
    asked = ["--data", str(DATA), "path", *pair, "--known-by", known_by]
    for index in ("always", "never"):
        env = {"CPKB_INDEX": index}
        every = CliRunner().invoke(app, [*asked, "--all"], env=env)
        as_json = CliRunner().invoke(app, [*asked, "--json"], env=env)
        assert "internal error" not in as_json.stderr and as_json.exit_code in (0, 1), index
        assert as_json.exit_code == every.exit_code, (index, every.stderr)


@pytest.mark.parametrize(
    "command", [["show", "x"], ["xref", "x"], ["timeline"], ["conflicts"], ["stats"], ["graph"],
                ["official", "list"], ["brief", "x"], ["path", "x", "y"]],
)  # fmt: skip
def test_a_bad_date_is_told_before_the_data_is_read(tmp_path: Path, command: list[str]) -> None:
    """Before an index is built (seconds, on a big file), or a missing file is found."""
    args = ["--data", str(tmp_path / "missing.json"), *command, "--known-by", "2025-13"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "is not a date" in result.stderr, result.stderr
