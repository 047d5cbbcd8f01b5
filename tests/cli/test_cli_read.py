"""The read commands through the real Typer app: output, JSON contract, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cpkb import __version__
from cpkb.cli import app

pytestmark = pytest.mark.v1_bundled


ESC = "\x1b"


def run(runner: CliRunner, *args: str, data: Path | None = None, width: int = 200) -> Result:
    """Run cpkb; a wide console keeps table cells on one line, so assertions see whole phrases."""
    prefix = ["--data", str(data)] if data else []
    return runner.invoke(app, [*prefix, *args], env={"COLUMNS": str(width)})


def run_json(runner: CliRunner, *args: str, data: Path | None = None) -> Any:
    result = run(runner, *args, "--json", data=data)
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout
    return json.loads(result.stdout)


def test_version(runner: CliRunner) -> None:
    result = run(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cpkb {__version__}"


def test_no_arguments_shows_help(runner: CliRunner) -> None:
    result = run(runner)
    assert "stats" in result.output and "show" in result.output


def test_stats_table_fits_a_narrow_terminal(runner: CliRunner) -> None:
    result = run(runner, "stats", width=80)
    assert result.exit_code == 0
    assert "-30 percent" in result.stdout and "2025-11-29" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_stats_table_shows_both_figures_with_units_and_attribution(runner: CliRunner) -> None:
    result = run(runner, "stats")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "-30 percent" in out and "-12.5 percent" in out
    assert "decrease" in out and "stable" in out
    assert "Law on Ensuring Women’s Rights" in out
    assert "The Gulf Observer" in out
    assert ESC not in out


def test_stats_json_is_an_array_of_statistic_entities(runner: CliRunner) -> None:
    stats = run_json(runner, "stats")
    assert {s["type"] for s in stats} == {"statistic"}
    values = {s["id"]: next(c for c in s["claims"] if c["property"] == "value") for s in stats}
    grave = values["particularly-grave-crimes-against-children"]
    assert (grave["value"], grave["unit"], grave["qualifiers"]["trend"]) == (
        -30,
        "percent",
        "stable",
    )
    assert values["sexual-offences-involving-minors"]["value"] == -12.5


CONTRACT_KEYS = ["id", "type", "name", "aliases", "summary", "sources", "claims", "backlinks"]


def test_show_json_contract(runner: CliRunner) -> None:
    view = run_json(runner, "show", "adal-azamat")
    assert list(view) == CONTRACT_KEYS
    assert view["id"] == "adal-azamat" and view["type"] == "programme"
    for claim in view["claims"]:
        keys = list(claim)
        assert keys.index("property") < keys.index("value" if "value" in claim else "target")
        assert keys[-1] == "sources" and {"id", "rank", "current"} <= set(keys)
        assert ("value" in claim) != ("target" in claim)
        if "target" in claim:
            assert list(claim["target"]) == ["id", "type", "name"]
        assert all(list(c) == ["source", "quote"] for c in claim["sources"])
    outlined = next(c for c in view["claims"] if c["property"] == "outlined_by")
    assert outlined["target"] == {"id": "erlan-karin", "type": "official", "name": "Erlan Karin"}


def test_relations_are_readable_from_both_ends(runner: CliRunner) -> None:
    karin = run_json(runner, "show", "erlan-karin")
    regina = run_json(runner, "show", "regina-de-dominicis")
    met = [c for c in karin["claims"] if c["property"] == "met_with"]
    assert met and met[0]["target"]["id"] == "regina-de-dominicis"
    back = [b for b in regina["backlinks"] if b["property"] == "met_with"]
    assert back and back[0]["from"]["id"] == "erlan-karin"
    assert back[0]["sources"] == met[0]["sources"]


def test_json_is_utf8_without_escapes(runner: CliRunner) -> None:
    result = run(runner, "show", "law-on-ensuring-womens-rights-and-childrens-safety", "--json")
    assert "Women’s" in result.stdout and "\\u2019" not in result.stdout


@pytest.mark.parametrize(
    ("command", "expected_type"),
    [
        ("official", "official"),
        ("organisation", "organisation"),
        ("organization", "organisation"),
        ("org", "organisation"),
        ("law", "law"),
        ("programme", "programme"),
        ("program", "programme"),
        ("statistic", "statistic"),
        ("stat", "statistic"),
    ],
)
def test_type_list_json_and_aliases(runner: CliRunner, command: str, expected_type: str) -> None:
    items = run_json(runner, command, "list")
    assert items and {i["type"] for i in items} == {expected_type}
    assert all(list(i) == CONTRACT_KEYS for i in items)


def test_list_piped_is_tab_separated_lines(runner: CliRunner) -> None:
    result = run(runner, "programme", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "adal-azamat\tAdal Azamat\t" in "\n".join(lines)
    assert all(line.count("\t") == 2 for line in lines)


def test_type_show_renders_summary_claims_backlinks_and_citations(runner: CliRunner) -> None:
    result = run(runner, "programme", "show", "Adal Azamat")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("Adal Azamat", "Honest Citizen", "outlined_by", "Erlan Karin", "Citations"):
        assert text in out
    assert "“He also outlined ongoing programme initiatives" in out
    assert "The Gulf Observer, 2025-11-29" in out
    regina = run(runner, "show", "regina-de-dominicis").stdout
    assert "Referenced by" in regina and "met_with" in regina


def test_type_show_rejects_an_entity_of_another_type(runner: CliRunner) -> None:
    result = run(runner, "law", "show", "adal-azamat")
    assert result.exit_code == 1
    assert "not a law" in result.stderr and "adal-azamat" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "ref",
    [
        "adal-azamat",
        "Adal Azamat",
        "adal azamat",
        "ADAL-AZAMAT",
        "Adal_Azamat!",
        "Âdal Azamat",
        "honest citizen",
        "adalazamat",
    ],
)
def test_ref_resolution_ignores_case_accents_hyphens_punctuation(
    runner: CliRunner, ref: str
) -> None:
    assert run_json(runner, "show", ref)["id"] == "adal-azamat"


def test_ref_resolution_by_alias(runner: CliRunner) -> None:
    assert run_json(runner, "show", "Children of Kazakhstan")["id"] == "qazaqstan-balalary"
    assert run_json(runner, "show", "Head of State")["id"] == "president-of-kazakhstan"


def test_ambiguous_ref_lists_candidates(runner: CliRunner, mini: Path) -> None:
    result = run(runner, "show", "beta", data=mini)
    assert result.exit_code == 1
    assert "ambiguous" in result.stderr
    assert "beta-org" in result.stderr and "beta-law" in result.stderr
    assert result.stdout == ""


def test_not_found_suggests_names(runner: CliRunner) -> None:
    result = run(runner, "show", "Adal Azamatt Programme Nonexistent")
    assert result.exit_code == 1
    assert "no entity matches" in result.stderr
    assert "did you mean" in result.stderr and "Adal Azamat" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_sources_json(runner: CliRunner, bundled: dict[str, Any]) -> None:
    sources = run_json(runner, "sources")
    assert [list(s) for s in sources] == [
        ["id", "title", "publisher", "date", "url", "reliability", "claims"]
    ] * len(bundled["sources"])
    total_claims = sum(len(e["claims"]) for e in bundled["entities"])
    assert sources[0]["id"] == "gulf-observer-2025-11-29"
    assert sources[0]["claims"] == total_claims


def test_sources_human(runner: CliRunner) -> None:
    result = run(runner, "sources")
    assert result.exit_code == 0
    assert "The Gulf Observer" in result.stdout and "2025-11-29" in result.stdout


def test_info_json(runner: CliRunner, bundled_path: Path, bundled: dict[str, Any]) -> None:
    info = run_json(runner, "info")
    assert info["data_file"] == str(bundled_path)
    assert Path(info["data_file"]).is_absolute()
    assert info["schema_version"] == 1
    counts = info["counts"]
    assert counts["entities"] == len(bundled["entities"])
    assert sum(counts["by_type"].values()) == counts["entities"]
    assert counts["sources"] == len(bundled["sources"])


def test_info_human(runner: CliRunner, mini: Path) -> None:
    result = run(runner, "info", data=mini)
    assert result.exit_code == 0
    assert str(mini) in result.stdout and "statistic" in result.stdout


def test_data_env_var_selects_the_file(runner: CliRunner, mini: Path) -> None:
    result = runner.invoke(app, ["info", "--json"], env={"CPKB_DATA": str(mini)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data_file"] == str(mini)


def test_data_option_wins_over_env(runner: CliRunner, mini: Path, bundled_path: Path) -> None:
    result = runner.invoke(
        app, ["--data", str(bundled_path), "info", "--json"], env={"CPKB_DATA": str(mini)}
    )
    assert json.loads(result.stdout)["data_file"] == str(bundled_path)


def test_markup_in_data_prints_literally(runner: CliRunner, mini: Path) -> None:
    for args in (["show", "beta-org"], ["org", "list"], ["stats"], ["show", "alpha-person"]):
        result = run(runner, *args, data=mini)
        assert result.exit_code == 0, result.output
        assert "[bold red]Beta[/] Org" in result.stdout, args


def test_missing_data_file_is_a_bad_data_error(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "stats", data=tmp_path / "nope.json")
    assert result.exit_code == 3
    assert "no such file" in result.stderr and "nope.json" in result.stderr
    assert "Traceback" not in result.output


def test_invalid_json_names_line_and_column(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "schema_version": 1,\n  "sources": [,]\n}\n', encoding="utf-8")
    result = run(runner, "info", data=bad)
    assert result.exit_code == 3
    assert "line 3, column 15" in result.stderr and "cpkb validate" in result.stderr


def test_usage_error_exits_2(runner: CliRunner) -> None:
    assert run(runner, "show").exit_code == 2
    assert run(runner, "frobnicate").exit_code == 2


def test_stats_read_right_on_version_2(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fall is shown once, as its sign; the attribution is shown as whose it is; bars compare
    values of one unit only."""
    monkeypatch.delenv("CPKB_DATA", raising=False)  # the bundled KB, version 2
    monkeypatch.setenv("COLUMNS", "400")
    shown = runner.invoke(app, ["stats"]).stdout
    assert "-30 percent" in shown and "decrease" not in shown
    assert "(according to Erlan Karin)" in shown
    rows = {line.split("  ")[1].strip(): line for line in shown.splitlines() if "█" in line}
    assert rows  # the largest value of each unit gets the full bar, whatever the others'
    assert sum(line.count("█") == 12 for line in shown.splitlines()) >= 3
