"""Listings read back from the index (cpkb.present.listing) print the very bytes the views make:
`TYPE list --json` and `stats --json`, by the fast lane and by the full app, on the bundled KB,
the fixtures, a hostile KB and a generated one, compared with `dumps` of `entities_view`; and the
stored bytes are what a warm listing prints (changed in the index, the output changes)."""

from __future__ import annotations

import datetime as dt
import json
import marshal
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cpkb import entry
from cpkb.cli import app
from cpkb.index.schema import location
from cpkb.kb import store
from cpkb.model.entities import Claim, KnowledgeBase
from cpkb.model.fields import TYPES
from cpkb.present.flatfiles import CSV_FILES, jsonl_lines, write_csv
from cpkb.present.formats import jsonl_line
from cpkb.present.jsonld import jsonld_chunks
from cpkb.present.jsonout import dumps
from cpkb.present.views import entities_view
from cpkb.query.current import Reading
from cpkb.query.time import holds_at, steady, today
from tests.conftest import MINI, TESTS, V1_BUNDLED
from tests.synthetic import generator

DATA = TESTS / "data"
FIXTURES = [MINI, V1_BUNDLED, DATA / "brief-hostile.json", *sorted((DATA / "good").glob("*.json"))]
# Characters a terminal acts on (C1 CSI, bidi override, line separator, DEL, ESC): JSON escapes
# all but ESC, which json.dumps writes as \u001b.
HOSTILE = '\x9b31m\u202e\u2028\x7f\x1b[2J\u061c "quoted" \\ back'


def hostile(target: Path) -> Path:
    """mini.json with terminal controls in every name, alias, summary and quote."""
    doc = json.loads(MINI.read_text(encoding="utf-8"))
    for entity in doc["entities"]:
        entity["name"] += HOSTILE
        entity["aliases"] = [alias + HOSTILE for alias in entity["aliases"]]
        entity["summary"] += HOSTILE
        for citation in [*entity["sources"], *(c for k in entity["claims"] for c in k["sources"])]:
            if "quote" in citation:
                citation["quote"] += HOSTILE
    target.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return target


def generated(target: Path, n: int = 400) -> Path:
    with target.open("w", encoding="utf-8") as out:
        generator().generate(n, 7, out)
    return target


@pytest.fixture(params=["bundled", *(p.name for p in FIXTURES), "hostile", "generated"])
def kb_file(request: pytest.FixtureRequest, tmp_path: Path, bundled_path: Path) -> Path:
    """A copy of the KB (beside the source texts it cites), read through the index."""
    name: str = request.param
    if name == "hostile":
        return hostile(tmp_path / "hostile.json")
    if name == "generated":
        return generated(tmp_path / "generated.json")
    found = bundled_path if name == "bundled" else next(p for p in FIXTURES if p.name == name)
    shutil.copytree(found.parent, tmp_path / "kb", ignore=shutil.ignore_patterns("bad", "*.py"))
    return tmp_path / "kb" / found.name


@pytest.fixture(autouse=True)
def through_the_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CPKB_INDEX", "always")  # the fixtures are below the size that wants one
    monkeypatch.setenv("CPKB_CACHE_DIR", str(tmp_path / "cache"))


def index(path: Path) -> None:
    """Build the index of `path`, as `show` does."""
    CliRunner().invoke(app, ["--data", str(path), "show", "any-entity", "--json"])
    assert Path(location(path)).is_file()


def reference(path: Path, entity_type: str) -> bytes:
    """`dumps` of the views, as every other `--json` command prints its views."""
    kb = store.load(path)
    return (dumps(entities_view(kb, kb.of_type(entity_type), Reading.asked())) + "\n").encode()


def by_lane(argv: list[str], capsysbinary: pytest.CaptureFixture[bytes]) -> bytes:
    assert entry.fast_lane(argv) == 0, "the fast lane declined"
    return capsysbinary.readouterr().out


def by_app(argv: list[str]) -> bytes:
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def listings(path: Path) -> list[tuple[str, list[str]]]:
    data = ["--data", str(path)]
    every = [(t.name, [*data, t.name, "list", "--json"]) for t in TYPES]
    return [*every, ("statistic", [*data, "stats", "--json"])]


def test_listings_print_the_bytes_of_the_views(
    kb_file: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """Made (and stored), then read back from the index: by both ways, the same bytes."""
    index(kb_file)
    for entity_type, argv in listings(kb_file):
        expected = reference(kb_file, entity_type)
        assert by_app(argv) == expected, argv  # made, and stored for the next time
        assert by_app(argv) == expected, argv  # read back
        assert by_lane(argv, capsysbinary) == expected, argv
    assert stored_kinds(kb_file) == {f"json:{t.name}" for t in TYPES}
    kb = store.load(kb_file)
    lines = "".join(jsonl_lines(kb, kb)).encode("utf-8")
    argv = ["--data", str(kb_file), "export", "jsonl"]
    assert by_app(argv) == lines  # made, and kept
    assert by_app(argv) == lines  # read back
    assert "export:jsonl" in stored_kinds(kb_file)
    document = "".join(jsonld_chunks(kb, kb, base="urn:x:")).encode("utf-8")
    argv = ["--data", str(kb_file), "export", "jsonld", "--base", "urn:x:"]
    assert by_app(argv) == document  # made, and kept
    assert by_app(argv) == document  # read back
    assert "export:jsonld urn:x:" in stored_kinds(kb_file)
    assert_csv_alike(kb_file, kb)
    for entity_type in TYPES:  # --format tsv is made from the views, never from kept lines
        made = by_app(["--data", str(kb_file), entity_type.name, "list", "--format", "tsv"])
        piped = by_app(["--data", str(kb_file), entity_type.name, "list"])
        assert piped == made.split(b"\n", 1)[1], entity_type.name


def stored_kinds(path: Path) -> set[str]:
    with sqlite3.connect(location(path)) as db:
        return {kind for (kind,) in db.execute("SELECT kind FROM view_sets")}


def test_hostile_text_is_escaped_in_stored_bytes(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = hostile(tmp_path / "kb.json")
    index(path)
    argv = ["--data", str(path), "official", "list", "--json"]
    by_app(argv)
    printed = by_lane(argv, capsysbinary).decode("utf-8")
    assert printed.encode() == reference(path, "official")
    assert "\\u009b31m\\u202e\\u2028\\u007f\\u001b[2J\\u061c" in printed
    assert not {"\x9b", "\u202e", "\u2028", "\x7f", "\x1b"} & set(printed)
    assert json.loads(printed)[0]["name"].endswith(HOSTILE)


def tamper(path: Path, kind: str) -> None:
    """Change the stored bytes of `kind` in the index, as only reading them back would show."""
    with sqlite3.connect(location(path)) as db:
        db.execute(
            'UPDATE view_rows SET bytes = CAST(replace(CAST(bytes AS TEXT), \'"name": "\','
            ' \'"name": "STORED \') AS BLOB) WHERE kind = ?',
            (kind,),
        )


def test_a_warm_listing_prints_the_stored_bytes(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """Fails if a warm listing makes its views again instead of reading the index's."""
    path = generated(tmp_path / "kb.json", 200)
    index(path)
    argv = ["--data", str(path), "programme", "list", "--json"]
    by_app(argv)
    tamper(path, "json:programme")
    for printed in (by_app(argv), by_lane(argv, capsysbinary)):
        names = [view["name"] for view in json.loads(printed)]
        assert names and all(name.startswith("STORED ") for name in names)


def test_stored_views_are_not_used_on_another_day_or_for_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day outside the stored set's days, or the data file changed: the views are made again."""
    path = generated(tmp_path / "kb.json", 200)
    index(path)
    argv = ["--data", str(path), "statistic", "list", "--json"]
    by_app(argv)
    tamper(path, "json:statistic")
    monkeypatch.setenv("CPKB_TODAY", "2001-06-15")
    assert by_app(argv) == reference(path, "statistic")  # made again, for that day
    tamper(path, "json:statistic")
    monkeypatch.setenv("CPKB_TODAY", "2026-12-07")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"name":"', '"name":"Renamed ', 1), encoding="utf-8")
    assert by_app(argv) == reference(path, "statistic")


def test_without_an_index_the_listing_is_made_from_the_file(
    monkeypatch: pytest.MonkeyPatch, bundled_path: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("CPKB_INDEX", "never")
    for entity_type, argv in listings(bundled_path):
        assert by_app(argv) == reference(bundled_path, entity_type)
    assert not (tmp_path / "cache").exists()


CLAIMS = [Claim(property="p", sources=(), start=s, end=e) for s, e in [
    ("2020", None), (None, "2021-06"), ("2022-03-04", "2022-03-04"), ("2024-02", "2025"),
    ("not a date", "2023-13"), (None, None),
]]  # fmt: skip
days = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31))


@given(day=days, offset=st.integers(0, 40_000))
def test_steady_days_hold_as_the_day_does(day: dt.date, offset: int) -> None:
    """Within the days `steady` gives, every claim holds as on `day`; just outside, one does not."""
    found = steady(CLAIMS, day)
    assert found.first <= day <= found.last

    def alike(other: dt.date) -> bool:
        return all(holds_at(c, other) == holds_at(c, day) for c in CLAIMS)

    inside = min(found.first + dt.timedelta(days=offset), found.last)
    assert alike(found.first) and alike(found.last) and alike(inside)
    if found.first > dt.date.min:
        assert not alike(found.first - dt.timedelta(days=1))
    if found.last < dt.date.max:
        assert not alike(found.last + dt.timedelta(days=1))


def test_steady_days_of_no_claims_are_every_day() -> None:
    found = steady([], today())
    assert (found.first, found.last) == (dt.date.min, dt.date.max)


def test_piped_lines_are_read_from_the_index(tmp_path: Path) -> None:
    """Fails if a piped listing reads the file while a current index holds the entities."""
    path = generated(tmp_path / "kb.json", 200)
    index(path)
    with sqlite3.connect(location(path)) as db:
        rows = db.execute(
            "SELECT documents.rowid, doc FROM entities JOIN documents"
            " ON documents.rowid = entities.rowid WHERE type = 'law'"
        ).fetchall()
        for rowid, doc in rows:
            changed = marshal.loads(doc) | {"summary": "FROM THE INDEX"}
            db.execute(
                "UPDATE documents SET doc = ? WHERE rowid = ?", (marshal.dumps(changed, 2), rowid)
            )
    lines = by_app(["--data", str(path), "law", "list"]).decode().splitlines()
    assert len(lines) == len(rows) > 0
    assert all(line.endswith("\tFROM THE INDEX") for line in lines)


from cpkb.present.pager import TRAILING_SPACES  # noqa: E402


def stats_reference(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The `stats` table as made from the views of the whole file."""
    from cpkb.present import human
    from cpkb.present.views import source_view

    kb = store.load(path)
    views = entities_view(kb, kb.of_type("statistic"), Reading.asked(), current=True)
    capsys.readouterr()
    human.show_stats(views, {i: source_view(s) for i, s in kb.sources.items()})
    return TRAILING_SPACES.sub("", capsys.readouterr().out)  # as a pipe gets it


@pytest.mark.parametrize("n", [60, 700])  # one table; pages of PAGE rows
def test_the_stats_table_from_the_index_is_the_table_from_the_file(
    n: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = generated(tmp_path / "kb.json", n)
    expected = stats_reference(path, capsys)
    index(path)
    argv = ["--data", str(path), "stats"]
    made, kept = by_app(argv), by_app(argv)
    assert made.decode() == kept.decode() == expected
    assert "table:statistic" in stored_kinds(path)
    with sqlite3.connect(location(path)) as db:  # bars scaled to nothing: none drawn
        db.execute("UPDATE view_sets SET note = '{}' WHERE kind = 'table:statistic'")
    assert "█" in expected and "█" not in by_app(argv).decode()


def test_a_warm_export_prints_the_kept_lines(tmp_path: Path) -> None:
    path = generated(tmp_path / "kb.json", 200)
    index(path)
    argv = ["--data", str(path), "export", "jsonl"]
    made = by_app(argv)
    with sqlite3.connect(location(path)) as db:
        db.execute(
            'UPDATE view_rows SET bytes = CAST(replace(CAST(bytes AS TEXT), \'"property":"\','
            " '\"property\":\"KEPT ') AS BLOB) WHERE kind = 'export:jsonl'"
        )
    rows = [json.loads(line) for line in by_app(argv).splitlines()]
    assert len(rows) == len(made.splitlines()) > 0
    assert all(row["property"].startswith("KEPT ") for row in rows)


def test_a_warm_jsonld_export_is_of_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept nodes, under the day it is read at (the export's own node says it)."""
    path = generated(tmp_path / "kb.json", 200)
    index(path)
    argv = ["--data", str(path), "export", "jsonld"]
    by_app(argv)
    with sqlite3.connect(location(path)) as db:
        db.execute(
            "UPDATE view_rows SET bytes = CAST(replace(CAST(bytes AS TEXT), ?, ?) AS BLOB)"
            " WHERE kind LIKE ?",
            ('"@type":"Claim"', '"@type":"KEPT"', "export:jsonld %"),
        )
    warm = by_app(argv).decode()
    assert '"@type":"KEPT"' in warm and '"@type":"Claim"' not in warm
    monkeypatch.setenv("CPKB_TODAY", "2026-12-08")  # within the kept days (a generated KB's
    later = by_app(argv).decode()  # dates are of the past)
    assert later == warm.replace('"@value":"2026-12-07"', '"@value":"2026-12-08"', 1)


def assert_csv_alike(path: Path, kb: KnowledgeBase) -> None:
    """`export csv` made and kept, then read back: the files `write_csv` writes."""
    folder = path.parent / "csv"
    (folder / "reference").mkdir(parents=True)
    write_csv(folder / "reference", kb, kb)
    for run in ("made", "kept"):
        by_app(["--data", str(path), "export", "csv", str(folder / run)])
        for name in CSV_FILES:
            expected = (folder / "reference" / name).read_bytes()
            assert (folder / run / name).read_bytes() == expected, (run, name)
    assert "export:csv" in stored_kinds(path)


def test_a_warm_csv_export_writes_the_kept_parts(tmp_path: Path) -> None:
    path = generated(tmp_path / "kb.json", 200)
    index(path)
    argv = ["--data", str(path), "export", "csv", str(tmp_path / "out"), "--force"]
    by_app(argv)
    with sqlite3.connect(location(path)) as db:
        db.execute("UPDATE view_sets SET note = ? WHERE kind = 'export:csv'", ('["A\\r\\n", "B"]',))
    by_app(argv)
    assert (tmp_path / "out" / "sources.csv").read_bytes() == b"A\r\n"
    assert (tmp_path / "out" / "properties.csv").read_bytes() == b"B"


def test_the_jsonl_form_is_a_line_a_view(tmp_path: Path) -> None:
    """The form `--format jsonl` prints: made, then read back, the lines it writes."""
    from cpkb.present.listing import listing

    path = generated(tmp_path / "kb.json", 200)
    index(path)
    kb = store.load(path)
    views = entities_view(kb, kb.of_type("law"), Reading.asked())
    expected = b"".join(jsonl_line(view).encode() for view in views)
    for _ in ("made", "kept"):
        assert b"".join(listing(path, "law", load=lambda: kb, form="jsonl")) == expected
    assert "jsonl:law" in stored_kinds(path)


def test_a_paged_stats_table_is_at_most_page_width_wide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages fill the terminal up to PAGE_WIDTH: beyond it they would only pad (at 10,000
    columns, a page of padding took seconds to lay out)."""
    from rich.cells import cell_len

    from cpkb.present.human.stats import PAGE_WIDTH

    path = generated(tmp_path / "kb.json", 700)
    widths = {}
    for columns in (120, 2000):
        monkeypatch.setenv("COLUMNS", str(columns))
        out = by_app(["--data", str(path), "stats"]).decode()
        widths[columns] = max(cell_len(line) for line in out.splitlines())
    assert widths[120] <= 120 and PAGE_WIDTH - 2 <= widths[2000] <= PAGE_WIDTH
