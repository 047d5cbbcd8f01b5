"""`--format` and `--fields` on every listing, through the real CLI: each format holds the same
records as `--json`, and the format (not the colour) follows the terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cpkb.cli import app
from cpkb.present.rows import KINDS
from tests.conftest import MINI
from tests.ptys import run_on_terminal

DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad" / "E106-bad-id.json"  # three problems
ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;[25];[0-9;]+)m")

# (command line, the listing it is, where its JSON records are)
LISTINGS: list[tuple[list[str], str]] = [
    (["programme", "list"], "list"),
    (["official", "list"], "list"),
    (["organisation", "list"], "list"),
    (["law", "list"], "list"),
    (["statistic", "list"], "list"),
    (["stats"], "stats"),
    (["search", "child"], "search"),
    (["sources"], "sources"),
    (["xref", "adal-azamat"], "xref"),
    (["path", "adal-azamat", "unicef"], "path"),
    (["timeline"], "timeline"),
    (["conflicts"], "conflicts"),
    (["validate", str(BAD)], "validate"),
    (["--data", str(MINI), "organisation", "list"], "list"),
    (["--data", str(MINI), "sources"], "sources"),
    (["--data", str(MINI), "timeline"], "timeline"),
]
IDS = [" ".join(a for a in args if a not in ("--data", str(MINI))) for args, _ in LISTINGS]


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> str:
    result = cli(*args)
    assert result.exit_code in (0, 3), result.output  # validate exits 3 on a bad file
    return result.stdout


def records(view: Any, name: str) -> list[Any]:
    """The JSON records of a listing: the array's elements, or the list its object holds."""
    inner = {"xref": "links", "path": "steps", "validate": "problems"}
    return view[inner[name]] if name in inner else view


def row_count(view: Any, name: str) -> int:
    """Flat rows: one a record, and one a claim of each conflict."""
    if name == "conflicts":
        return sum(len(conflict["claims"]) for conflict in view)
    return len(records(view, name))


@pytest.mark.parametrize(("args", "name"), LISTINGS, ids=IDS)
def test_every_format_holds_the_json_records(args: list[str], name: str) -> None:
    view = json.loads(ok(*args, "--json"))
    assert ok(*args, "--format", "json") == ok(*args, "--json")
    expected = row_count(view, name)
    fields = list(KINDS[name].defaults)

    table = list(csv.reader(io.StringIO(ok(*args, "--format", "csv"), newline="")))
    assert table[0] == fields and len(table) == expected + 1
    assert all(len(row) == len(fields) for row in table)

    lines = ok(*args, "--format", "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == records(view, name)

    tsv = ok(*args, "--format", "tsv").splitlines()
    assert tsv[0].split("\t") == fields and len(tsv) == expected + 1
    assert all(line.count("\t") == len(fields) - 1 for line in tsv)

    markdown = ok(*args, "--format", "markdown").splitlines()
    assert markdown[0] == "| " + " | ".join(fields) + " |"
    assert re.fullmatch(r"\|( --- \|)+", markdown[1]) and len(markdown) == expected + 2

    assert ok(*args, "--format", "table").strip() or expected == 0


@pytest.mark.parametrize(("args", "name"), LISTINGS[5:13], ids=IDS[5:13])
def test_fields_choose_and_order_the_columns(args: list[str], name: str) -> None:
    chosen = list(reversed(KINDS[name].fields[:3]))
    asked = ",".join(chosen)
    table = list(csv.reader(io.StringIO(ok(*args, "--format", "csv", "--fields", asked))))
    assert table[0] == chosen
    every = list(csv.reader(io.StringIO(ok(*args, "--format", "csv", "--fields", ",".join(
        KINDS[name].fields)))))  # fmt: skip
    assert [row[:3][::-1] for row in every[1:]] == table[1:]


@pytest.mark.parametrize(("args", "name"), LISTINGS[:13], ids=IDS[:13])
def test_an_unknown_field_is_a_one_line_usage_error(args: list[str], name: str) -> None:
    result = cli(*args, "--format", "csv", "--fields", KINDS[name].fields[0] + ",nonsense")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "'nonsense'" in result.stderr
    assert ",".join(KINDS[name].fields) in result.stderr  # the valid ones, listed


def test_a_field_named_twice_is_a_usage_error() -> None:
    """A CSV header naming a column twice loses one to every reader keyed by name."""
    result = cli("sources", "--format", "csv", "--fields", "id,title,id")
    assert result.exit_code == 2 and result.stdout == "" and "'id'" in result.stderr
    assert result.stderr.count("\n") == 1


def test_fields_are_not_for_json_and_json_is_not_another_format() -> None:
    for extra in (["--format", "json"], ["--format", "jsonl"]):
        result = cli("sources", *extra, "--fields", "id")
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
    result = cli("sources", "--json", "--format", "csv")
    assert result.exit_code == 2 and "--json" in result.stderr


def test_cited_records_keep_their_sources() -> None:
    view = json.loads(ok("xref", "adal-azamat", "--json"))
    rows = list(csv.DictReader(io.StringIO(ok("xref", "adal-azamat", "--format", "csv"))))
    sources = {s["id"]: s for s in json.loads(ok("sources", "--json"))}
    for link, row in zip(view["links"], rows, strict=True):
        cited = link["sources"]
        assert row["source"].split(" | ") == [c["source"] for c in cited]
        said = row["cited"]
        assert all(c.get("quote", c.get("paraphrase", "")) in said for c in cited)
        assert row["url"].split(" | ") == [sources[c["source"]]["url"] or "" for c in cited]


def test_markdown_escapes_pipes_and_csv_quotes(tmp_path: Path) -> None:
    document = json.loads(MINI.read_text(encoding="utf-8"))
    document["sources"][0]["title"] = 'A | B, "quoted"\nand more'
    data = tmp_path / "kb.json"
    data.write_text(json.dumps(document), encoding="utf-8")
    markdown = ok("--data", str(data), "sources", "--format", "markdown", "--fields", "title")
    assert "A \\| B" in markdown.splitlines()[2]
    table = list(csv.reader(io.StringIO(ok("--data", str(data), "sources", "--format", "csv"))))
    assert table[1][1] == 'A | B, "quoted"\\x0aand more'  # one line: the newline escaped


def test_piped_list_stays_header_less_and_fields_follow() -> None:
    lines = ok("programme", "list").splitlines()
    assert lines[0].startswith("adal-azamat\tAdal Azamat\t")
    assert ok("programme", "list", "--format", "tsv").splitlines()[1:] == lines
    assert ok("programme", "list", "--fields", "name,id").splitlines()[0] == (
        "Adal Azamat\tadal-azamat"
    )


def test_validate_keeps_its_lines_unless_a_format_is_asked() -> None:
    plain = cli("validate", str(BAD))
    assert plain.exit_code == 3 and re.search(r"E106-bad-id\.json:\d+:", plain.stdout)
    table = list(csv.reader(io.StringIO(cli("validate", str(BAD), "--format", "csv").stdout)))
    assert table[0] == list(KINDS["validate"].defaults) and len(table) == 4


def environment(**env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CPKB_", "NO_COLOR"))}
    for name in ("FORCE_COLOR", "PAGER"):
        clean.pop(name, None)
    return {**clean, "COLUMNS": "120", "LINES": "500", "TERM": "xterm-256color", **env}


def piped(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpkb", *args],
        env=environment(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_force_color_piped_still_gives_plain_lines() -> None:
    result = piped("programme", "list", FORCE_COLOR="1")
    assert result.returncode == 0 and "\x1b" not in result.stdout
    assert result.stdout == piped("programme", "list").stdout
    assert all(line.count("\t") == 2 for line in result.stdout.splitlines())


@pytest.mark.parametrize("command", [["stats"], ["sources"], ["search", "child"], ["info"]])
def test_piped_tables_have_no_trailing_spaces(command: list[str]) -> None:
    for out in (cli(*command).stdout, piped(*command).stdout):  # the full app, the fast lane
        assert out.strip()
        assert not [line for line in out.splitlines() if line.endswith(" ")]


def test_color_option_overrides_the_environment() -> None:
    assert COLOUR.search(cli("--color", "always", "show", "adal-azamat").stdout)
    assert "\x1b" not in piped("--color", "never", "stats", FORCE_COLOR="1").stdout
    assert "\x1b[" in piped("stats", "--color", "always").stdout  # after the command too
    assert "\x1b" not in piped("stats", "--color=never", FORCE_COLOR="1").stdout


def at_terminal(*args: str, **env: str) -> str:
    status, screen, errors = run_on_terminal(list(args), env=environment(**env), stderr=False)
    assert status == 0, errors
    return screen.decode("utf-8", errors="replace").replace("\r\n", "\n")


def test_no_color_at_a_terminal_has_no_colour() -> None:
    for args in (["stats"], ["programme", "list"], ["conflicts"]):
        screen = at_terminal(*args, NO_COLOR="1")
        assert screen.strip() and not COLOUR.search(screen)


def test_a_list_at_a_terminal_has_the_piped_columns_and_a_header() -> None:
    screen = ANSI.sub("", at_terminal("programme", "list"))
    assert re.search(r"\bid\s+name\s+summary\b", screen)
    assert "adal-azamat" in screen and "\t" not in screen


def unsplittable(command: str, view: Any) -> set[str]:
    """The ids, dates and numbers a listing's table shows, from its JSON."""
    if command == "stats":
        values = [c for v in view for c in v["claims"] if c["property"] == "value"]
        numbers = {f"{c['value']:,}" if abs(c["value"]) >= 10_000 else str(c["value"])
                   for c in values}  # fmt: skip
        return numbers | {c["date"] for c in values if "date" in c}
    if command == "timeline":
        return {e["date"] for e in view} | {e["entity"]["id"] for e in view}
    if command == "conflicts":
        return {c["entity"]["id"] for c in view}
    if command == "sources":
        return {s["id"] for s in view} | {s["date"] for s in view if s["date"]}
    return {item["id"] for item in view}


HEADERS = {
    "stats": ("statistic", "value", "attributed", "source"),
    "law": ("id", "name", "summary"),
    "search": ("score", "entity", "matched"),
    "timeline": ("date", "entity", "claim", "source"),
    "conflicts": ("value", "details", "status", "cited"),
    "sources": ("id", "publisher", "date", "reliability"),
}


@pytest.mark.parametrize("width", [40, 50, 80])
@pytest.mark.parametrize(
    "command",
    [["stats"], ["law", "list"], ["search", "child"], ["timeline"], ["conflicts"], ["sources"]],
)
def test_narrow_terminals_split_no_id_date_or_number(command: list[str], width: int) -> None:
    screen = ANSI.sub("", at_terminal(*command, COLUMNS=str(width)))
    words = set(re.findall(r"\S+", screen))
    view = json.loads(ok(*command, "--json") if command[0] != "stats" else ok("stats", "--json",
        "--current"))  # fmt: skip
    for word in unsplittable(command[0], view):
        assert any(word in w for w in words), (word, width)
    for header in HEADERS[command[0]]:
        assert header in words or f"{header}:" in words, (header, width)
    if width < 80:  # a whole table would not fit: one record as `field: value` lines
        assert re.search(r"^(id|statistic|score|date|value): ", screen, re.MULTILINE)
