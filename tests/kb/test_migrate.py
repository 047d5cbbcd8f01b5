"""`cpkb migrate`: every version-1 file becomes a valid version-2 file with the same answers."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cpkb.cli import app
from cpkb.errors import ExitCode
from cpkb.kb.migrate import declare, schema_name
from cpkb.kb.paths import default_data_path
from cpkb.model.entities import period_bounds

DATA = Path(__file__).resolve().parents[1] / "data"
VERSION_1 = [
    *sorted(p for p in (DATA / "good").glob("*.json") if "v2-" not in p.name),
    DATA / "mini.json",
    DATA / "v1-bundled.json",
]
VERSION_1 = [p for p in VERSION_1 if json.loads(p.read_bytes())["schema_version"] == 1]


def cli(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "200", "CPKB_TODAY": "2026-01-01"})


def shown(runner: CliRunner, data: Path) -> dict[str, Any]:
    """`show --json` of every entity of the file."""
    ids = [e["id"] for e in json.loads(data.read_bytes().decode("utf-8-sig"))["entities"]]
    views = {}
    for entity_id in ids:
        result = cli(runner, "--data", str(data), "show", entity_id, "--json")
        assert result.exit_code == 0, result.output
        views[entity_id] = json.loads(result.stdout)
    return views


def same_answers(before: Any, after: Any, at: str = "$") -> None:
    """`after` holds every key of `before` with the same value; a version-1 claim's start/end
    pair is the version-2 claim's period."""
    if isinstance(before, dict):
        assert isinstance(after, dict), at
        if "start" in before or "end" in before:
            start, end = period_bounds(after.get("period"))
            assert (before.get("start"), before.get("end")) == (start, end), at
        for key, value in before.items():
            if key not in ("start", "end"):
                assert key in after, f"{at}.{key}"
                same_answers(value, after[key], f"{at}.{key}")
    elif isinstance(before, list):
        assert isinstance(after, list) and len(before) == len(after), at
        for i, (one, other) in enumerate(zip(before, after, strict=True)):
            same_answers(one, other, f"{at}[{i}]")
    else:
        assert before == after and type(before) is type(after), at


@pytest.mark.parametrize("fixture", VERSION_1, ids=lambda p: p.name)
def test_every_version_1_file_migrates_valid_with_the_same_answers(
    runner: CliRunner, fixture: Path, tmp_path: Path
) -> None:
    migrated = tmp_path / "migrated.json"
    result = cli(runner, "migrate", str(fixture), "-o", str(migrated))
    assert result.exit_code == 0, result.output
    assert "migrated to schema version 2" in result.stderr and result.stdout == ""
    document = json.loads(migrated.read_text(encoding="utf-8"))
    assert document["schema_version"] == 2 and list(document)[:3] == [
        "$schema", "schema_version", "properties"
    ]  # fmt: skip
    checked = cli(runner, "validate", str(migrated), "--json")
    assert checked.exit_code == 0, checked.output
    same_answers(shown(runner, fixture), shown(runner, migrated))


def test_claims_store_the_ids_readers_gave_them_and_periods_replace_start_end(
    runner: CliRunner, tmp_path: Path
) -> None:
    migrated = tmp_path / "mini.json"
    assert cli(runner, "migrate", str(DATA / "mini.json"), "-o", str(migrated)).exit_code == 0
    entities = json.loads(migrated.read_bytes())["entities"]
    claims = {c["id"]: c for e in entities for c in e["claims"]}
    assert list(claims["gamma-stat-c2"])[:3] == ["id", "property", "value"]
    assert claims["gamma-stat-c2"]["period"] == "2024/2025"
    assert not any("start" in c or "end" in c for c in claims.values())


def test_dry_run_says_what_would_change_and_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = tmp_path / "mini.json"
    data.write_bytes((DATA / "mini.json").read_bytes())
    result = cli(runner, "migrate", str(data), "--dry-run")
    assert result.exit_code == 0, result.output
    assert data.read_bytes() == (DATA / "mini.json").read_bytes()
    lines = result.stdout.splitlines()
    assert "would migrate to schema version 2" in lines[0] and "nothing written" in lines[0]
    assert "  claim gamma-stat-c2: start/end -> period 2024/2025" in lines
    assert "  property member_of: takes entity (organisation)" in lines
    assert "  property value: takes quantity" in lines


def test_in_place_keeps_the_mode_and_then_has_nothing_to_do(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = tmp_path / "small.json"
    data.write_bytes((DATA / "good" / "small.json").read_bytes())
    data.chmod(0o640)
    assert cli(runner, "migrate", str(data)).exit_code == 0
    assert json.loads(data.read_bytes())["schema_version"] == 2
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["small.json"]  # no temporary file left
    again = cli(runner, "migrate", str(data))
    assert again.exit_code == 0 and "already schema version 2" in again.stderr


def test_the_bundled_file_is_never_rewritten(runner: CliRunner) -> None:
    before = default_data_path().read_bytes()
    result = cli(runner, "migrate")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.count("\n") == 1 and "bundled knowledge base" in result.stderr
    result = cli(runner, "migrate", "-o", str(default_data_path()))
    assert result.exit_code == ExitCode.USAGE
    assert default_data_path().read_bytes() == before


def test_a_file_other_commands_refuse_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    bad = DATA / "bad" / "E203-unknown-target.json"
    result = cli(runner, "migrate", str(bad), "-o", str(tmp_path / "out.json"))
    assert result.exit_code == ExitCode.BAD_DATA and "unknown entity 'nobody'" in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_an_unwritable_output_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "sub"
    out.parent.write_text("a file, not a folder")
    result = cli(runner, "migrate", str(DATA / "mini.json"), "-o", str(out))
    assert result.exit_code == ExitCode.OUTPUT and "cannot write" in result.stderr


def test_what_a_property_takes_is_inferred_from_its_values_only() -> None:
    types = {"o": "organisation", "p": "official"}
    claims = [
        {"property": "member_of", "target": "o"},
        {"property": "member_of", "target": "p"},
        {"property": "budget", "value": 5, "unit": "KZT"},
        {"property": "count", "value": 5, "unit": "staff"},
        {"property": "count", "value": 7.5},
        {"property": "acting", "value": False},
        {"property": "founded", "value": "2020-05"},
        {"property": "highlighted", "value": "a text"},
        {"property": "highlighted", "target": "o"},
        {"property": "odd", "value": "one"},
        {"property": "odd", "value": 2},
    ]
    declared, notes = declare(claims, types)
    takes = {d["name"]: (d["takes"], d.get("types")) for d in declared}
    assert takes == {
        "member_of": ("entity", ["official", "organisation"]),
        "budget": ("quantity", None),
        "count": ("number", None),
        "acting": ("boolean", None),
        "founded": ("text", None),  # a date is never guessed
        "highlighted": ("text", ["organisation"]),
        "odd": ("text", None),
    }
    assert [note.split(":")[0] for note in notes] == ["highlighted", "odd"]
    assert declared[0]["label"] == "member of"


@pytest.mark.parametrize(
    ("before", "after"),
    [("./cpkb.schema.json", "./cpkb.schema.json"), ("../../data/cpkb-1.schema.json",
     "../../data/cpkb.schema.json"), ("cpkb-1.schema.json", "cpkb.schema.json"),
     (None, "./cpkb.schema.json")],
)  # fmt: skip
def test_schema_names_the_bundled_schema_where_the_old_one_was(before: Any, after: str) -> None:
    assert schema_name(before) == after
