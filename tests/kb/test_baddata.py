"""Every command on a bad data file: one stderr line, exit 3, no traceback, never a wrong answer."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from cpkb.check.rules import RULES
from cpkb.check.whole import check_bytes
from cpkb.cli import app
from cpkb.cli.context import CpkbCommand, main_callback
from cpkb.errors import DataError, ExitCode
from cpkb.kb import store

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = DATA / "good" / "small.json"
BAD = sorted((DATA / "bad").glob("*.json"))
SRC = Path(__file__).resolve().parents[2] / "src"
COMMANDS = [
    ["info"],
    ["stats"],
    ["sources", "--json"],
    ["show", "alpha-person"],
    ["official", "list"],
    ["search", "alpha"],
    ["xref", "beta-org"],
    ["graph"],
]
DOCUMENTED_EXITS = {int(code) for code in ExitCode}


def run(runner: CliRunner, data: Path, *args: str) -> Result:
    return runner.invoke(app, ["--data", str(data), *args], env={"COLUMNS": "120"})


def refused(fixture: Path) -> bool:
    return RULES[fixture.name.split("-", 1)[0]].refused


def assert_bad_data(result: Result, data: Path, *words: str) -> None:
    assert result.exit_code == ExitCode.BAD_DATA, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cpkb: error: ") and str(data) in lines[0]
    assert "cpkb validate" in lines[0] or "check --data" in lines[0]
    assert all(word in lines[0] for word in words), (words, lines[0])
    assert len(lines[0]) < 1000
    assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.parametrize("fixture", BAD, ids=lambda p: p.name)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_commands_refuse_what_they_could_misread(
    runner: CliRunner, fixture: Path, command: list[str]
) -> None:
    result = run(runner, fixture, *command)
    if refused(fixture):
        assert_bad_data(result, fixture)
    else:  # format rules only: the answer comes from the file as written
        assert result.exit_code in (ExitCode.OK, ExitCode.NOT_FOUND), result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("E001-json-syntax.json", ["line 33, column 11"]),
        ("E001-truncated.json", ["invalid JSON", "line 50"]),
        ("E002-latin1.json", ["not UTF-8", "line 55"]),
        ("E003-empty.json", ["empty"]),
        ("E004-top-level.json", ["top level must be an object"]),
        ("E006-nan.json", ["gamma-rate", "out of range"]),
        ("E007-duplicate-key.json", ["'value' twice"]),
        ("E009-lone-surrogate.json", ["$.entities[1].summary", "surrogate"]),
        ("E101-schema-version.json", ["schema version 99"]),
        ("E102-missing-field.json", ["beta-org", "$.entities[1].summary", "missing"]),
        ("E103-unknown-field.json", ["$.entities[2].claims[0].unti", "unknown field"]),
        ("E104-wrong-type.json", ["alpha-person", "aliases", "must be an array"]),
        ("E105-unknown-type.json", ["unknown entity type 'company'"]),
        ("E201-duplicate-entity-id.json", ["duplicate entity id 'beta-org'", "$.entities[3]"]),
        ("E202-unknown-source.json", ["unknown source 'src-missing'", "beta-org"]),
        ("E203-unknown-target.json", ["unknown entity 'nobody'", "alpha-person"]),
        ("E112-no-citation.json", ["at least one source", "claims[0].sources"]),
    ],
)
def test_the_message_names_the_problem_and_where(
    runner: CliRunner, fixture: str, words: list[str]
) -> None:
    path = DATA / "bad" / fixture
    assert_bad_data(run(runner, path, "info"), path, *words)


def test_format_problems_do_not_change_answers(runner: CliRunner) -> None:
    result = run(runner, DATA / "bad" / "E204-self-target.json", "show", "alpha-person", "--json")
    assert result.exit_code == 0
    claims = json.loads(result.stdout)["claims"]
    assert claims[-1]["property"] == "reports_to" and claims[-1]["target"]["id"] == "alpha-person"
    result = run(runner, DATA / "bad" / "E106-bad-id.json", "show", "Beta Org", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == "Beta Org"


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    assert_bad_data(run(runner, missing, "info"), missing, "no such file")


def test_directory(runner: CliRunner, tmp_path: Path) -> None:
    assert_bad_data(run(runner, tmp_path, "stats"), tmp_path, "is a directory")


def test_device(runner: CliRunner) -> None:
    zero = Path("/dev/zero")  # endless: reading it would never finish
    if not zero.exists():
        pytest.skip("no /dev/zero")
    assert_bad_data(run(runner, zero, "info"), zero, "is a device")


def test_unknown_home_directory(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--data", "~no-such-user-cpkb/kb.json", "info"])
    assert result.exit_code == 3 and "no such file" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(runner: CliRunner, tmp_path: Path) -> None:
    locked = tmp_path / "locked.json"
    locked.write_bytes(SMALL.read_bytes())
    locked.chmod(0)
    assert_bad_data(run(runner, locked, "info"), locked, "permission denied")


def _drop_file_capabilities() -> None:  # runs in the child, before exec
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for capability in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            os._exit(99)


def test_permission_denied_even_for_root(tmp_path: Path) -> None:
    """As root, drop the capabilities that override file modes, so the mode applies again."""
    locked = tmp_path / "locked.json"
    locked.write_bytes(SMALL.read_bytes())
    locked.chmod(0)
    process = subprocess.run(
        [sys.executable, "-m", "cpkb", "--data", str(locked), "info"],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        preexec_fn=_drop_file_capabilities if os.geteuid() == 0 else None,
        timeout=60,
    )
    if process.returncode == 99:
        pytest.skip("cannot drop capabilities here")
    assert process.returncode == 3, process.stderr
    assert process.stderr.count("\n") == 1 and "permission denied" in process.stderr


def test_deep_nesting_everywhere(runner: CliRunner, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert_bad_data(run(runner, deep, "info"), deep, "nested too deeply")
    result = runner.invoke(app, ["validate", str(deep), "--json"])
    assert result.exit_code == 3
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["E005"]


def test_deep_but_readable_nesting_inside_a_valid_file(runner: CliRunner, tmp_path: Path) -> None:
    doc = json.loads(SMALL.read_text(encoding="utf-8"))
    doc["entities"][1]["aliases"] = ["x", json.loads("[" * 400 + "]" * 400)]
    doc["entities"][0]["claims"][0]["value"] = json.loads("[" * 400 + "]" * 400)
    deep = tmp_path / "deep.json"
    deep.write_text(json.dumps(doc), encoding="utf-8")
    assert_bad_data(run(runner, deep, "show", "beta-org"), deep)
    result = runner.invoke(app, ["validate", str(deep), "--json"])
    assert result.exit_code == 3, result.output
    assert {p["code"] for p in json.loads(result.stdout)["problems"]} <= {"E104", "E005"}


def test_megabyte_strings(runner: CliRunner, tmp_path: Path) -> None:
    doc = json.loads(SMALL.read_text(encoding="utf-8"))
    doc["entities"][1]["summary"] = "word " * 200_000
    ok = tmp_path / "long-summary.json"
    ok.write_text(json.dumps(doc), encoding="utf-8")
    result = run(runner, ok, "show", "beta-org", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["summary"] == "word " * 200_000
    doc["entities"][1]["id"] = "b" * 1_000_000  # too long an id, and now beta-org dangles
    bad = tmp_path / "long-id.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    assert_bad_data(run(runner, bad, "info"), bad, "unknown entity 'beta-org'")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 3
    assert max(len(line) for line in result.stdout.splitlines()) < 1000
    doc["entities"][1]["x" * 1_000_000] = 1
    assert_bad_data(run(runner, bad, "info"), bad)


def test_numbers_too_long_to_read(runner: CliRunner, tmp_path: Path) -> None:
    text = SMALL.read_text(encoding="utf-8").replace('"value": -10', '"value": ' + "9" * 5000)
    huge = tmp_path / "huge.json"
    huge.write_text(text, encoding="utf-8")
    assert_bad_data(run(runner, huge, "stats"), huge, "number")
    result = runner.invoke(app, ["validate", str(huge), "--json"])
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["E006"]
    text = text.replace("9" * 5000, "1" + "0" * 320)  # readable, but beyond a double
    huge.write_text(text, encoding="utf-8")
    assert_bad_data(run(runner, huge, "stats"), huge, "out of range")


def test_wrong_types_anywhere(runner: CliRunner, tmp_path: Path) -> None:
    """Replace each value of a valid file, one at a time, by each wrong JSON type."""
    doc = json.loads(SMALL.read_text(encoding="utf-8"))
    bad = tmp_path / "typed.json"
    for path in _paths(doc):
        original = _get(doc, path)
        wrongs = [w for w in (None, True, 3, "s", [], {}) if type(w) is not type(original)]
        for n, wrong in enumerate(w for w in wrongs if not (path[-1] == "url" and w is None)):
            _set(doc, path, wrong)
            bad.write_text(json.dumps(doc), encoding="utf-8")
            try:
                store.load(bad)
            except DataError:
                assert check_bytes(bad.read_bytes()).errors(), (path, wrong)
                if n == 0:  # and through the CLI, once per place
                    assert_bad_data(run(runner, bad, "info", "--json"), bad)
        _set(doc, path, original)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in [(*at, k), *_paths(v, (*at, k))]]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in [(*at, i), *_paths(v, (*at, i))]]
    return []


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(doc, path[:-1])[path[-1]] = value


# Property tests: whatever the bytes, the loader, validate and a command end with a documented exit.

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


def _all_paths_and_root(doc: Any) -> list[tuple[Any, ...]]:
    return [(), *_paths(doc)]


def check_everything(raw: bytes, tmp_path: Path) -> None:
    data = tmp_path / "fuzz.json"
    data.write_bytes(raw)
    try:
        store.load(data)
        loaded = True
    except DataError:
        loaded = False
    checked = check_bytes(raw)
    assert all(p.rule.code in RULES for p in checked.problems)
    if not checked.errors():
        assert loaded, [p.message for p in checked.problems]  # valid means usable
    if not loaded:
        assert checked.errors()  # refused means validate says why
    if any(p.rule.refused for p in checked.problems):
        assert not loaded, [p.message for p in checked.problems]  # as the rules table says
    runner = CliRunner()
    for args in (["info", "--json"], ["show", "alpha-person"], ["validate", "--json"]):
        result = runner.invoke(app, ["--data", str(data), *args])
        assert result.exit_code in DOCUMENTED_EXITS - {ExitCode.INTERNAL}, result.output
        assert "Traceback" not in result.output
        if args[0] == "validate":
            assert json.loads(result.stdout)["valid"] is (result.exit_code == 0)


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(value=JSON)
def test_arbitrary_json_values(tmp_path: Path, value: Any) -> None:
    check_everything(json.dumps(value).encode(), tmp_path)


@FUZZ
@given(value=JSON, data=st.data())
def test_valid_files_with_one_value_replaced(
    tmp_path: Path, value: Any, data: st.DataObject
) -> None:
    doc = json.loads(SMALL.read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(_all_paths_and_root(doc)))
    if path:
        _set(doc, path, value)
    else:
        doc = value
    check_everything(json.dumps(doc, indent=1).encode(), tmp_path)


@FUZZ
@given(data=st.data())
def test_valid_files_with_bytes_mutated(tmp_path: Path, data: st.DataObject) -> None:
    raw = bytearray(SMALL.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        byte = data.draw(st.sampled_from(list(b'{}[]",:0-.eE\\ntu\x00\xff\xc3')))
        if action == "replace":
            raw[position] = byte
        elif action == "delete":
            del raw[position]
        else:
            raw.insert(position, byte)
    check_everything(bytes(raw), tmp_path)


# Internal errors: a command that fails in a way cpkb did not foresee.

broken = typer.Typer()
broken.callback()(main_callback)


@broken.command("explode", cls=CpkbCommand)
def explode() -> None:
    """A command with a bug, to see how CpkbCommand reports one."""
    raise RuntimeError("something cpkb did not foresee")


def test_an_internal_error_is_one_line_and_exit_4(runner: CliRunner) -> None:
    result = runner.invoke(broken, ["explode"])
    assert result.exit_code == ExitCode.INTERNAL
    assert result.stderr.count("\n") == 1
    assert "internal error: RuntimeError: something cpkb did not foresee" in result.stderr
    assert "please report it" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("args", "env"), [(["--debug"], {}), ([], {"CPKB_DEBUG": "1"})])
def test_debug_shows_the_traceback(runner: CliRunner, args: list[str], env: dict[str, str]) -> None:
    result = runner.invoke(broken, [*args, "explode"], env=env)
    assert result.exit_code == ExitCode.INTERNAL
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: something cpkb did not foresee" in result.stderr
