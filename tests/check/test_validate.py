"""`cpkb validate`: one broken fixture per rule, every problem located, the JSON contract."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from cpkb.check.controls import CONTROL_BELOW
from cpkb.check.rules import RULES
from cpkb.check.whole import check_bytes
from cpkb.cli import app
from cpkb.kb.document import value_lines
from cpkb.query.text import visible

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = sorted((DATA / "good").glob("*.json"))
BAD = sorted((DATA / "bad").glob("*.json"))
TESTED_ELSEWHERE = {"E005", "E008", "E301"}  # need a generated file, a missing one, a source text


def validate(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["validate", *args], env={"COLUMNS": "200"})


def problems(runner: CliRunner, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = validate(runner, *args, "--json")
    report = json.loads(result.stdout)
    assert report["valid"] is (result.exit_code == 0)
    return result.exit_code, report["problems"]


def expected_code(fixture: Path) -> str:
    return fixture.name.split("-", 1)[0]


def test_every_rule_has_a_fixture_or_a_test() -> None:
    covered = {expected_code(f) for f in BAD} | TESTED_ELSEWHERE
    assert covered == set(RULES)


def test_rule_codes_are_stable_and_well_formed() -> None:
    for code, rule in RULES.items():
        assert rule.code == code and code[0] in "EW" and code[1:].isdigit() and len(code) == 4
        assert rule.severity == ("error" if code[0] == "E" else "warning")
        assert rule.name and rule.summary.endswith(".")
    assert len({r.name for r in RULES.values()}) == len(RULES)


@pytest.mark.parametrize("fixture", [*GOOD, DATA / "mini.json"], ids=lambda p: p.name)
def test_good_files_are_valid(runner: CliRunner, fixture: Path) -> None:
    strict = () if fixture.name == "mini.json" else ("--strict",)  # mini has a deliberate W403
    exit_code, found = problems(runner, str(fixture), *strict)
    assert exit_code == 0
    assert all(p["severity"] == "warning" for p in found)


def test_the_bundled_file_is_valid_even_strictly(runner: CliRunner) -> None:
    result = validate(runner, "--strict")
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout and "0 errors, 0 warnings" in result.stdout


@pytest.mark.parametrize("fixture", BAD, ids=lambda p: p.name)
def test_each_broken_file_reports_its_problem(runner: CliRunner, fixture: Path) -> None:
    code = expected_code(fixture)
    exit_code, found = problems(runner, str(fixture))
    assert {p["code"] for p in found} == {code}, found
    assert exit_code == (3 if code.startswith("E") else 0)
    for problem in found:
        assert set(problem) == {"severity", "code", "entity", "path", "line", "message"}
        assert problem["severity"] == RULES[code].severity
        assert problem["message"]
        if code != "E003":  # an empty file has no line to point at
            assert isinstance(problem["line"], int) and problem["line"] >= 1


@pytest.mark.parametrize("fixture", BAD, ids=lambda p: p.name)
def test_human_output_names_code_rule_and_place(runner: CliRunner, fixture: Path) -> None:
    code = expected_code(fixture)
    result = validate(runner, str(fixture), "--strict")
    assert result.exit_code == 3
    first = result.stdout.splitlines()[0]
    assert f" {code} {RULES[code].name}:" in first
    place = first.split(f" {RULES[code].severity} ")[0]
    assert place.startswith(str(fixture))
    if code != "E003":
        assert place.removeprefix(str(fixture)).strip(":").isdigit()  # FILE:LINE:
    assert "invalid" in result.stdout.splitlines()[-1]


def test_problems_inside_entities_name_the_entity_and_path(runner: CliRunner) -> None:
    _, found = problems(runner, str(DATA / "bad" / "E203-unknown-target.json"))
    assert found == [
        {
            "severity": "error",
            "code": "E203",
            "entity": "alpha-person",
            "path": "$.entities[0].claims[1].target",
            "line": 42,
            "message": "targets unknown entity 'nobody'",
        }
    ]


def test_syntax_errors_give_line_and_column(runner: CliRunner) -> None:
    _, found = problems(runner, str(DATA / "bad" / "E001-json-syntax.json"))
    assert found[0]["line"] == 33 and "line 33, column 11" in found[0]["message"]
    assert found[0]["path"] is None and found[0]["entity"] is None


def test_every_problem_is_reported_not_only_the_first(runner: CliRunner, tmp_path: Path) -> None:
    doc = json.loads((DATA / "good" / "small.json").read_text(encoding="utf-8"))
    doc["entities"][0]["type"] = "person"  # E105
    doc["entities"][0]["claims"][1]["target"] = "nobody"  # E203
    doc["entities"][1]["sources"] = []  # E112
    doc["entities"][2]["claims"][0].pop("unit")  # E206
    doc["sources"][0]["date"] = "yesterday"  # E107
    bad = tmp_path / "many.json"
    bad.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    exit_code, found = problems(runner, str(bad))
    assert exit_code == 3
    assert sorted(p["code"] for p in found) == ["E105", "E107", "E112", "E203", "E206"]
    lines = [p["line"] for p in found]
    assert lines == sorted(lines)  # in file order


def test_warnings_fail_only_with_strict(runner: CliRunner) -> None:
    fixture = str(DATA / "bad" / "W401-source-never-cited.json")
    assert validate(runner, fixture).exit_code == 0
    result = validate(runner, fixture, "--strict")
    assert result.exit_code == 3
    assert json.loads(validate(runner, fixture, "--strict", "--json").stdout)["valid"] is False


def test_the_file_can_be_given_four_ways(runner: CliRunner) -> None:
    fixture = str(DATA / "bad" / "E203-unknown-target.json")
    for args in (
        ["validate", fixture],
        ["validate", "--data", fixture],
        ["--data", fixture, "validate"],
    ):
        assert runner.invoke(app, args).exit_code == 3, args
    result = runner.invoke(app, ["validate"], env={"CPKB_DATA": fixture})
    assert result.exit_code == 3 and fixture in result.stdout
    both = runner.invoke(app, ["validate", fixture, "--data", fixture])
    assert both.exit_code == 2 and "once" in both.stderr


@pytest.mark.parametrize("make", ["missing", "directory"])
def test_an_unreadable_file_is_a_problem_too(runner: CliRunner, tmp_path: Path, make: str) -> None:
    target = tmp_path / "kb.json"
    if make == "directory":
        target.mkdir()
    exit_code, found = problems(runner, str(target))
    assert exit_code == 3
    assert [p["code"] for p in found] == ["E008"]
    assert ("no such file" if make == "missing" else "directory") in found[0]["message"]


def test_source_text_finds_every_quote(runner: CliRunner) -> None:
    text = DATA / "good" / "small.source.txt"
    result = validate(
        runner, str(DATA / "good" / "small.json"), "--source-text", f"src-report={text}"
    )
    assert result.exit_code == 0, result.output
    assert f"7 of 7 quotes citing src-report found in {text}" in result.stdout


def test_source_text_normalises_typography_space_and_case(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = tmp_path / "typographic.txt"
    text.write_text("АЛФА – МИНИСТР.\n\ngamma   counted 😀 events.", encoding="utf-8")
    fixture = str(DATA / "good" / "every-field.json")
    result = validate(runner, fixture, "--source-text", f"src-2={text}")
    assert result.exit_code == 0, result.output


def test_source_text_lists_the_quotes_it_cannot_find(runner: CliRunner, tmp_path: Path) -> None:
    text = tmp_path / "partial.txt"
    text.write_text("Alpha Person is an official. Beta Org is an organisation.", encoding="utf-8")
    args = [str(DATA / "good" / "small.json"), "--source-text", f"src-report={text}"]
    exit_code, found = problems(runner, *args)
    assert exit_code == 3
    assert {p["code"] for p in found} == {"E301"}
    assert len(found) == 5
    assert all(p["path"].endswith(".quote") and p["entity"] and p["line"] for p in found)
    human = validate(runner, *args)
    assert "2 of 7 quotes citing src-report found" in human.stdout
    assert "'Gamma fell by 10%.'" in human.stdout


@pytest.mark.parametrize(
    ("arg", "says"),
    [
        ("src-report", "SOURCE_ID=FILE"),
        ("=x.txt", "SOURCE_ID=FILE"),
        ("nope={text}", "no source 'nope'"),
        ("src-report={missing}", "no such file"),
    ],
)
def test_source_text_usage_errors(runner: CliRunner, tmp_path: Path, arg: str, says: str) -> None:
    text = DATA / "good" / "small.source.txt"
    arg = arg.format(text=text, missing=tmp_path / "missing.txt")
    result = validate(runner, str(DATA / "good" / "small.json"), "--source-text", arg)
    assert result.exit_code == 2
    assert says in result.stderr and "Traceback" not in result.output


def test_json_output_is_exact_even_for_hostile_messages(runner: CliRunner) -> None:
    _, found = problems(runner, str(DATA / "bad" / "W404-control-characters.json"))
    assert found[0]["message"] == r"holds control characters (\x07, \x1b), shown escaped"


def test_value_lines_point_at_values_and_fall_back_to_parents() -> None:
    text = '{\n "a": [\n  1,\n  {"b": "x",\n   "c": [true]}\n ],\n "d": {}\n}'
    lines = value_lines(text, {("a", 1, "c", 0), ("d", "missing"), ("a", 0)})
    assert lines[("a",)] == 2 and lines[("a", 0)] == 3 and lines[("a", 1)] == 4
    assert lines[("a", 1, "c", 0)] == 5 and lines[("d",)] == 7
    assert ("d", "missing") not in lines
    assert value_lines("[" * 50_000 + "]" * 50_000, {(0,) * 40_000}) in ({}, {(): 1})


# Large files are read fast: the top level and each source and entity on their own, whole-document
# scans only when the text can hold what they look for. The answers are the same for every layout.


def small() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / "good" / "small.json").read_text(encoding="utf-8"))
    return doc


def found(text: str) -> list[tuple[str, str | None, int | None]]:
    checked = check_bytes(text.encode("utf-8"))
    return [(p.rule.code, p.path, p.line) for p in checked.problems]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def one_entity_a_line(doc: dict[str, Any]) -> str:
    entities = ",\n".join(json.dumps(e, ensure_ascii=False) for e in doc["entities"])
    rest = json.dumps({k: v for k, v in doc.items() if k != "entities"}, ensure_ascii=False)
    return rest[:-1] + ',\n"entities": [\n' + entities + "\n]}\n"


LAYOUTS = {
    "indented": lambda doc: json.dumps(doc, indent=2),
    "one line": lambda doc: json.dumps(doc),
    "one entity a line": one_entity_a_line,
    "spaced": lambda doc: "\n\t" + json.dumps(doc, indent=1, separators=(" , ", " : ")) + "\r\n",
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_problems_are_located_whatever_the_layout(layout: str) -> None:
    doc = small()
    doc["schema_version"] = 3
    doc["sources"][0]["date"] = "soon"
    doc["entities"][0]["type"] = "person-0"
    doc["entities"][2]["type"] = "person-2"
    doc["entities"][2]["claims"][1]["target"] = "nobody"
    text = LAYOUTS[layout](doc)
    assert sorted(found(text)) == sorted(
        [
            ("E101", "$.schema_version", line_of(text, '"schema_version"')),
            ("E107", "$.sources[0].date", line_of(text, '"soon"')),
            ("E105", "$.entities[0].type", line_of(text, '"person-0"')),
            ("E105", "$.entities[2].type", line_of(text, '"person-2"')),
            ("E203", "$.entities[2].claims[1].target", line_of(text, '"nobody"')),
        ]
    )


@pytest.mark.parametrize(
    "summary",
    ["A\x1b[31m", "tab\there", "line\u2028break", "c1\x85", "bidi\u2066x", "nbsp\xa0", "back\\n"],
)
@pytest.mark.parametrize("ascii_only", [True, False])
def test_control_characters_are_found_however_written(summary: str, ascii_only: bool) -> None:
    doc = small()
    doc["entities"][1]["summary"] = summary
    problems = found(json.dumps(doc, ensure_ascii=ascii_only))
    expected = [("W404", "$.entities[1].summary", 1)] if visible(summary) != summary else []
    assert problems == expected


@pytest.mark.parametrize(
    ("escaped", "lone"),
    [(r"\ud800", True), (r"\udc00", True), (r"\ud83d\ude00", False), (r"\\ud800", False),
     (r"\\\ud800", True), (r"\ud83d\ud83d\ude00", True), (r"\uDBFF\uDFFF", False)],
)  # fmt: skip
def test_lone_surrogates_are_found_and_pairs_are_not(escaped: str, lone: bool) -> None:
    text = json.dumps(small(), indent=1).replace("A test organisation.", escaped)
    codes = {code for code, _, _ in found(text)}
    assert codes == ({"E009"} if lone else set())


@pytest.mark.parametrize(
    ("number", "odd"),
    [("NaN", True), ("Infinity", True), ("-Infinity", True), ("1e400", True), ("-1e309", True),
     ("1" + "0" * 320, True), ("9" * 5000, True), ("1" + "0" * 300, False), ("1.5e308", False),
     ("1e-400", False), ('"NaN"', False)],
)  # fmt: skip
def test_numbers_out_of_range_are_found_and_others_are_not(number: str, odd: bool) -> None:
    text = json.dumps(small(), indent=1).replace('"value": -10', f'"value": {number}')
    problems = found(text)
    assert ("E006" in {code for code, _, _ in problems}) is odd, problems


def test_visible_escapes_nothing_past_the_characters_searched_for() -> None:
    rest = [*range(CONTROL_BELOW, 0xD800), *range(0xE000, 0x110000)]
    text = "".join(map(chr, rest))
    assert visible(text) == text


@pytest.mark.parametrize(
    ("text", "codes", "says"),
    [("\ufeff\ufeff" + json.dumps(small()), ["E001"], "BOM"),
     (json.dumps(small()) + " []", ["E001"], "Extra data"),
     (json.dumps(small())[:-1] + ", }", ["E001"], "property name"),
     ("[" + json.dumps(small()) + "]", ["E004"], "top level"),
     (json.dumps(small())[:-1] + ',\n"entities": []}', ["E007", "W401"], "repeated")],
)  # fmt: skip
def test_unusual_top_levels_read_as_json_loads_reads_them(
    text: str, codes: list[str], says: str
) -> None:
    problems = check_bytes(text.encode("utf-8")).problems
    assert sorted(p.rule.code for p in problems) == sorted(codes)
    first = next(p for p in problems if p.rule.code == codes[0])
    assert says in first.message and first.line == text.count("\n") + 1


def test_readme_lists_every_rule_as_the_code_has_it() -> None:
    readme = (DATA.parent.parent / "README.md").read_text(encoding="utf-8")
    row = re.compile(r"^\| `([EW]\d{3})` \| `([a-z-]+)` \| (error|warning) \| (yes|no)\b", re.M)
    documented = {
        code: (name, level, refused == "yes") for code, name, level, refused in row.findall(readme)
    }
    assert documented == {c: (r.name, r.severity, r.refused) for c, r in RULES.items()}
