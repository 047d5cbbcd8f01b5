"""`cpkb export csv` and `cpkb export jsonl`: the flat statement table, on real files, from the
file and from the index; and what every export shares (columns from the field table, never
overwriting without --force)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpkb.cli import app
from cpkb.kb import store
from cpkb.model import fields
from cpkb.model.entities import Entity
from cpkb.present import flatfiles
from cpkb.present.statements import COLUMNS, csv_cell

DATA = Path(__file__).resolve().parents[1] / "data"
V2 = DATA / "good" / "v2-time.json"
MINI = DATA / "mini.json"
V1_BUNDLED = DATA / "v1-bundled.json"


def export(runner: CliRunner, data: Path, *args: str) -> str:
    result = runner.invoke(app, ["--data", str(data), "export", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def jsonl(runner: CliRunner, data: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in export(runner, data, "jsonl").splitlines()]


def expected_rows(data: Path) -> int:
    """One row per claim and citation, and one for a claim that cites nothing."""
    kb = store.load(data)
    return sum(max(1, len(c.sources)) for e in kb for c in e.claims)


def by_claim(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["claim_id"]: row for row in rows}


# --- the columns -----------------------------------------------------------------------------


def test_every_field_of_the_table_has_a_column() -> None:
    claim = {"claim_id" if f.name == "id" else f.name for f in fields.CLAIM} - {"sources"}
    citation = {f"citation_{f.name}" for f in fields.CITATION} - {"citation_source"}
    source = {f"source_{f.name}" for f in fields.SOURCE}
    assert claim | citation | source | {"entity_id", "entity_type", "entity_name"} <= set(COLUMNS)
    assert len(set(COLUMNS)) == len(COLUMNS)
    assert COLUMNS.index("current") == COLUMNS.index("rank") + 1  # as show --json has them


# --- jsonl -----------------------------------------------------------------------------------


def test_jsonl_carries_the_version_2_fields(runner: CliRunner) -> None:
    rows = jsonl(runner, V2)
    assert len(rows) == expected_rows(V2)
    assert all(list(row) == list(COLUMNS) for row in rows)
    claims = by_claim(rows)
    approved = claims["cp-approved"]
    assert approved["supersedes"] == ["cp-coordinated"]
    assert approved["start"] == "2026-01-27"
    assert approved["citation_quote"] is None
    paraphrase = "The Government approved the programme on 27 January 2026."
    assert approved["citation_paraphrase"] == paraphrase
    assert approved["citation_locator"] == "art. 1"
    assert approved["source_url"] == "https://example.org/decree"
    assert approved["source_lang"] == "ru"
    assert claims["cp-implemented"]["stated_by_name"] == "A. Person"
    assert claims["cp-implemented"]["target_name"] == "A. Person"
    assert claims["cp-budget-usd"]["approx"] is True
    assert claims["rate-2024"]["baseline"] == 10


def test_jsonl_says_what_is_current_and_why_not(runner: CliRunner) -> None:
    claims = by_claim(jsonl(runner, V2))
    status = {i: (row["rank"], row["current"], row["status"]) for i, row in claims.items()}
    assert status["cp-coordinated"] == ("normal", False, "superseded")
    assert status["cp-approved"] == ("normal", True, "current")
    assert status["rate-2019"] == ("normal", False, "earlier")  # a series: the vocabulary counts
    assert status["ap-old-post"] == ("normal", False, "ended")
    assert status["lx-administrative"] == ("preferred", True, "current")
    assert status["lx-criminal"] == ("normal", False, "outranked")
    assert status["lx-civil"] == ("deprecated", False, "deprecated")


def test_jsonl_of_a_version_1_file(runner: CliRunner) -> None:
    rows = jsonl(runner, MINI)
    assert len(rows) == expected_rows(MINI)
    gamma = by_claim(rows)["gamma-stat-c2"]  # as show --json names it
    assert (gamma["period"], gamma["start"], gamma["end"]) == ("2024/2025", None, None)
    assert gamma["qualifiers"] == {"trend": "stable"}
    assert gamma["rank"] == "normal"
    assert by_claim(rows)["gamma-stat-c3"]["target_name"] == "[bold red]Beta[/] Org"  # as it is


def test_jsonl_of_the_bundled_file_cites_every_source(runner: CliRunner) -> None:
    rows = jsonl(runner, V1_BUNDLED)
    assert len(rows) == expected_rows(V1_BUNDLED)
    assert all(row["source_title"] and row["citation_quote"] for row in rows)


def test_jsonl_is_written_as_the_entities_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flatfiles, "BATCH", 5)
    kb = store.load(V1_BUNDLED)
    pulled: list[str] = []

    def entities() -> Iterator[Entity]:
        for entity in kb:
            pulled.append(entity.id)
            yield entity

    chunks = flatfiles.jsonl_lines(kb, entities())
    first = next(chunks)
    assert len(pulled) == 5
    rest = "".join(chunks)
    assert len(pulled) == len(kb.entities)
    assert len((first + rest).splitlines()) == expected_rows(V1_BUNDLED)


def test_jsonl_escapes_what_a_terminal_would_act_on(runner: CliRunner, tmp_path: Path) -> None:
    document = json.loads(MINI.read_text(encoding="utf-8"))
    document["entities"][0]["claims"][0]["value"] = "bidi \u202e here, C1 \u009b there"
    data = tmp_path / "controls.json"
    data.write_text(json.dumps(document), encoding="utf-8")
    out = export(runner, data, "jsonl")
    assert "\u202e" not in out and "\\u202e" in out and "\\u009b" in out
    values = {row["value"] for row in map(json.loads, out.splitlines())}
    assert "bidi \u202e here, C1 \u009b there" in values


# --- csv -------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_csv_has_the_rows_of_jsonl(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["--data", str(V2), "export", "csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 6 entities and 13 claims" in result.stderr
    header, *rows = read_csv(out / "claims.csv")
    assert tuple(header) == COLUMNS
    expected = [[str(csv_cell(v)) for v in row.values()] for row in jsonl(runner, V2)]
    assert rows == expected
    assert out.joinpath("claims.csv").read_bytes().count(b"\r\n") == len(rows) + 1  # RFC 4180


def test_csv_records_beside_the_statements(runner: CliRunner, tmp_path: Path) -> None:
    export(runner, V2, "csv", str(tmp_path))
    kb = store.load(V2)
    tables = {name: read_csv(tmp_path / name) for name in flatfiles.CSV_FILES}
    assert tables["entities.csv"][0] == [f.name for f in fields.ENTITY if f.kind != "claims"]
    assert [r[0] for r in tables["entities.csv"][1:]] == list(kb.entities)
    assert [r[0] for r in tables["sources.csv"][1:]] == list(kb.sources)
    assert [r[0] for r in tables["properties.csv"][1:]] == list(kb.properties)
    header, post_a = tables["entities.csv"][0], tables["entities.csv"][3]
    cited = json.loads(post_a[header.index("sources")])
    assert cited == [{"source": "old-report", "paraphrase": "Post A exists."}]
    blog = dict(zip(tables["sources.csv"][0], tables["sources.csv"][4], strict=True))
    assert blog["date"] == "" and blog["kind"] == "blog"  # an undated source


def test_csv_quotes_and_encodes_what_it_must(runner: CliRunner, tmp_path: Path) -> None:
    document = json.loads(MINI.read_text(encoding="utf-8"))
    odd = 'a "quoted", comma\nand a new line — Қазақстан'
    document["entities"][0]["claims"][0]["value"] = odd
    data = tmp_path / "odd.json"
    data.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    export(runner, data, "csv", str(tmp_path / "out"))
    header, first, *_ = read_csv(tmp_path / "out" / "claims.csv")
    assert dict(zip(header, first, strict=True))["value"] == odd
    raw = (tmp_path / "out" / "claims.csv").read_bytes()
    assert '"a ""quoted"", comma\nand a new line — Қазақстан"'.encode() in raw


def test_csv_refuses_to_overwrite_without_force(runner: CliRunner, tmp_path: Path) -> None:
    export(runner, MINI, "csv", str(tmp_path))
    before = (tmp_path / "claims.csv").read_bytes()
    result = runner.invoke(app, ["--data", str(V2), "export", "csv", str(tmp_path)])
    assert result.exit_code == 2
    assert "claims.csv already exists (use --force to replace it)" in result.stderr
    assert (tmp_path / "claims.csv").read_bytes() == before
    export(runner, V2, "csv", str(tmp_path), "--force")
    assert (tmp_path / "claims.csv").read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(flatfiles.CSV_FILES)


def test_csv_into_a_file_is_one_line_of_error(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["--data", str(MINI), "export", "csv", str(blocker)])
    assert result.exit_code == 5, result.output
    assert result.stderr.startswith(f"cpkb: error: cannot write {blocker}: ")
    assert len(result.stderr.splitlines()) == 1


# --- from the index --------------------------------------------------------------------------


@pytest.mark.parametrize("data", [V1_BUNDLED, MINI, V2], ids=["bundled", "mini", "v2"])
def test_the_index_exports_what_the_file_does(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data: Path
) -> None:
    outputs = []
    for mode in ("never", "always"):
        monkeypatch.setenv("CPKB_INDEX", mode)
        export(runner, data, "csv", str(tmp_path / mode))
        files = [(tmp_path / mode / name).read_bytes() for name in flatfiles.CSV_FILES]
        outputs.append((export(runner, data, "jsonl"), export(runner, data, "jsonld"), files))
    assert outputs[0] == outputs[1]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic knowledge base of 2,500 entities (more than a batch)."""
    from tests.synthetic import generator

    data = tmp_path_factory.mktemp("synthetic") / "synthetic.json"
    with data.open("w", encoding="utf-8") as out:
        generator().generate(2500, 3, out)
    return data


def test_a_synthetic_file_from_the_index_streams_in_batches(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, synthetic: Path
) -> None:
    outputs = []
    for mode in ("never", "always"):
        monkeypatch.setenv("CPKB_INDEX", mode)
        outputs.append(export(runner, synthetic, "jsonl"))
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == expected_rows(synthetic)


def test_jsonl_into_a_pipe_that_closes_early(synthetic: Path) -> None:
    """`cpkb export jsonl | head -1`: the first line, then a quiet exit 0."""
    from tests.cli.test_installed import COMMAND

    process = subprocess.Popen(
        [*COMMAND, "--data", str(synthetic), "export", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == b""
    assert json.loads(first)["entity_id"] == "republic-of-kazakhstan"


def test_every_export_command_has_help_with_an_example(runner: CliRunner) -> None:
    for command in ("sqlite", "csv", "jsonl", "jsonld"):
        result = runner.invoke(app, ["export", command, "--help"])
        assert result.exit_code == 0, result.output
        assert f"Example: cpkb export {command}" in result.output


def test_a_killed_exports_temporary_files_are_removed_by_the_next(
    runner: CliRunner, tmp_path: Path
) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()  # its pid names no process now
    out, db, brief = tmp_path / "out", tmp_path / "x.db", tmp_path / "brief.md"
    out.mkdir()
    stale = [out / f"claims.csv.{gone.pid}.tmp", tmp_path / f"x.db.{gone.pid}.tmp",
             tmp_path / f"brief.md.{gone.pid}.tmp"]  # fmt: skip
    kept = [tmp_path / f"x.db.{os.getppid()}.tmp", out / "notes.tmp"]  # a live writer's; not ours
    for path in [*stale, *kept]:
        path.write_text("left", encoding="utf-8")
    for args in (["export", "csv", str(out)], ["export", "sqlite", str(db)],
                 ["brief", "a-person", "-o", str(brief)]):  # fmt: skip
        result = runner.invoke(app, ["--data", str(V2), *args])
        assert result.exit_code == 0, result.output
    assert not any(p.exists() for p in stale) and all(p.exists() for p in kept)
