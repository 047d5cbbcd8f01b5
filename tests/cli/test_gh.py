"""cpkb behaving like gh, rg and git: one-line usage errors, words without quotes, --data anywhere
(and from stdin), empty results, suggestions from search, `version`, the man page."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from cpkb import __version__
from cpkb.cli import app
from tests.conftest import MINI


def cpkb(*args: str, data: object = MINI, stdin: str | None = None) -> Result:
    prefix = ["--data", str(data)] if data is not None else []
    return CliRunner().invoke(app, [*prefix, *args], input=stdin)


def error(*args: str, data: object = MINI) -> tuple[int, str, str]:
    """Exit code, stdout and the one stderr line of a failing call (more lines fail the test)."""
    done = cpkb(*args, data=data)
    assert done.stderr.count("\n") == 1, done.stderr
    return done.exit_code, done.stdout, done.stderr.rstrip("\n")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["people"], "no command 'people' — try 'official', 'organisation', … (cpkb --help)"),
        (["stat"],
         "'stat' alone is no command — did you mean 'stats' or 'stat list'? (cpkb --help)"),
        (["sorces"], "no command 'sorces' — did you mean 'sources' or 'source'? (cpkb --help)"),
        (["official", "lst"],
         "no command 'lst' in 'cpkb official' — did you mean 'list'? (cpkb official --help)"),
        (["show"], "missing argument 'REF' (cpkb show --help)"),
        (["show", "--bogus", "x"], "no such option: --bogus (cpkb show --help)"),
        (["show", "--jsn", "x"], "no such option: --jsn — did you mean --json? (cpkb show --help)"),
        (["search", "x", "--limit", "0"],
         "invalid value for '--limit' / '-n': 0 is not in the range x>=1 (cpkb search --help)"),
        (["search", "x", "--type", "people"],
         "unknown type 'people' (use one of official, organisation, law, programme, statistic, "
         "place, event, survey, document, position)"),
    ],
)  # fmt: skip
def test_a_usage_error_is_one_line_and_exit_2(args: list[str], line: str) -> None:
    code, out, err = error(*args)
    assert (code, out, err) == (2, "", f"cpkb: error: {line}")


def test_an_option_missing_its_value_is_one_line() -> None:
    assert error("--data", data=None) == (
        2,
        "",
        "cpkb: error: option '--data' requires an argument (cpkb --help)",
    )


def test_a_hidden_alias_still_works_with_its_subcommand() -> None:
    done = cpkb("stat", "list", "--json")
    assert done.exit_code == 0 and done.stdout.startswith("[")


def test_no_arguments_still_prints_help_and_exits_2() -> None:
    done = cpkb(data=None)
    assert done.exit_code == 2 and "Usage: cpkb" in done.stdout + done.stderr
    assert "error" not in done.stderr


def test_unquoted_words_are_one_query() -> None:
    quoted = cpkb("search", "Alpha Person", "--json")
    words = cpkb("search", "Alpha", "Person", "--json")
    assert words.exit_code == 0 and words.stdout == quoted.stdout
    assert '"alpha-person"' in words.stdout


@pytest.mark.parametrize("command", [["show"], ["official", "show"], ["xref"]])
def test_unquoted_words_are_one_reference(command: list[str]) -> None:
    done = cpkb(*command, "Alpha", "Person", "--json" if command != ["xref"] else "--depth=1")
    assert done.exit_code == 0, done.stderr
    assert "alpha-person" in done.stdout


def test_unquoted_words_that_name_nothing_say_so_once() -> None:
    assert error("show", "Alpha", "Nobody") == (
        1,
        "",
        "cpkb: error: no entity matches 'Alpha Nobody' (did you mean: Alpha Person?)",
    )


def test_a_path_from_an_entity_to_itself_is_a_usage_error() -> None:
    code, out, err = error("path", "alpha-person", "Alpha Person", "--json")
    assert (code, out) == (2, "")
    assert err == (
        "cpkb: error: 'alpha-person' and 'Alpha Person' are the same entity, "
        "alpha-person (Alpha Person) (a path links two different entities)"
    )


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A valid knowledge base with nothing in it, as `cpkb init` makes it."""
    path = tmp_path_factory.mktemp("empty") / "empty.json"
    assert cpkb("init", str(path), data=None).exit_code == 0
    return str(path)


LISTS = {
    ("stats",): "statistics",
    ("sources",): "sources",
    ("official", "list"): "officials",
    ("organisation", "list"): "organisations",
    ("timeline",): "dated claims",
    ("conflicts",): "conflicts",
}


@pytest.mark.parametrize("command", list(LISTS))
def test_an_empty_list_is_brackets_with_json(empty: str, command: tuple[str, ...]) -> None:
    done = cpkb(*command, "--json", data=empty)
    assert (done.exit_code, done.stdout, done.stderr) == (0, "[]\n", "")


@pytest.mark.parametrize("command", list(LISTS))
def test_an_empty_list_is_told_on_stderr(empty: str, command: tuple[str, ...]) -> None:
    done = cpkb(*command, data=empty)
    assert (done.exit_code, done.stdout, done.stderr) == (0, "", f"cpkb: no {LISTS[command]}\n")


def test_a_search_without_hits_is_brackets_and_exit_1(empty: str) -> None:
    done = cpkb("search", "alpha", "--json", data=empty)
    assert (done.exit_code, done.stdout) == (1, "[]\n")
    assert done.stderr == "cpkb: error: no entity matches 'alpha' (try fewer or shorter words)\n"


@pytest.mark.parametrize(
    "command",
    [["show", "x"], ["show", "x", "--json"], ["official", "show", "x"], ["xref", "x"],
     ["cite", "x"], ["brief", "x"], ["path", "x", "y", "--json"]],
)  # fmt: skip
def test_a_single_object_not_found_is_one_line_and_exit_1(empty: str, command: list[str]) -> None:
    assert error(*command, data=empty) == (1, "", "cpkb: error: no entity matches 'x'")


def test_not_found_suggests_search_hits_names_first() -> None:
    code, out, err = error("show", "ministry of health", data=None)
    assert (code, out) == (1, "")
    assert err.startswith(
        "cpkb: error: no entity matches 'ministry of health' (did you mean: Ministry of Education"
    )


def test_suggestions_are_the_same_from_the_index() -> None:
    told = {
        mode: CliRunner().invoke(app, ["show", "president tokaev speech"], env={"CPKB_INDEX": mode})
        for mode in ("always", "never")
    }
    assert told["always"].exit_code == told["never"].exit_code == 1
    assert told["always"].stderr == told["never"].stderr
    assert "(did you mean: Kassym-Jomart Tokayev, " in told["never"].stderr


def test_version_alone_is_the_one_line_of_version_option() -> None:
    assert cpkb("version").stdout == cpkb("--version").stdout == f"cpkb {__version__}\n"


def test_version_verbose_tells_python_platform_data_and_index(tmp_path: Path) -> None:
    data = tmp_path / "kb.json"  # a file of its own: no other test has indexed it
    shutil.copyfile(MINI, data)
    done = cpkb("version", "--verbose", data=data)
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["cpkb", "python", "platform", "data", "index"]
    assert lines[1].startswith(f"python    {platform.python_version()} ")
    assert lines[3] == f"data      {data} (--data or CPKB_DATA, schema version 1)"
    assert lines[4].endswith("(not built; not used, CPKB_INDEX=auto)")


def test_version_json_has_the_index_in_use(tmp_path: Path) -> None:
    env = {"CPKB_INDEX": "always"}
    built = CliRunner().invoke(app, ["--data", str(MINI), "show", "beta-org"], env=env)  # builds it
    assert built.exit_code == 0
    done = CliRunner().invoke(app, ["--data", str(MINI), "version", "--json"], env=env)
    view = json.loads(done.stdout)
    assert view["cpkb_version"] == __version__ and view["platform"] == platform.platform()
    assert view["data_file"] == {"path": str(MINI), "bundled": False, "schema_version": 1}
    index = view["index"]
    assert (index["exists"], index["current"], index["used"], index["mode"]) == (
        True, True, True, "always")  # fmt: skip
    assert Path(index["path"]).is_file()


def test_version_of_the_bundled_file_and_of_a_missing_one() -> None:
    bundled = json.loads(cpkb("version", "--json", data=None).stdout)["data_file"]
    assert bundled["bundled"] is True and bundled["schema_version"] == 2
    missing = cpkb("version", "--json", data="/nonexistent/kb.json")
    assert missing.exit_code == 0
    assert json.loads(missing.stdout)["data_file"]["problem"].endswith("no such file")


def typer_commands(typer_app: typer.Typer, prefix: str = "cpkb") -> Iterator[str]:
    """Every visible command path, read from the Typer app's registrations (not from Click)."""
    for command in typer_app.registered_commands:
        if not command.hidden:
            name = command.name or (command.callback.__name__ if command.callback else "")
            yield f"{prefix} {name.replace('_', '-')}"
    for group in typer_app.registered_groups:
        if group.hidden or group.typer_instance is None:
            continue
        name = group.name or group.typer_instance.info.name
        if not isinstance(name, str):  # a group added without a name lends its commands
            yield from typer_commands(group.typer_instance, prefix)
            continue
        yield f"{prefix} {name}"
        yield from typer_commands(group.typer_instance, f"{prefix} {name}")


def test_the_man_page_has_every_command() -> None:
    done = cpkb("man", data=None)
    assert done.exit_code == 0 and done.stdout.startswith(".TH CPKB 1 ")
    sections = {line[4:].replace("\\-", "-") for line in done.stdout.splitlines()
                if line.startswith(".SS ")}  # fmt: skip
    expected = set(typer_commands(app))
    assert {"cpkb show", "cpkb official list", "cpkb export sqlite", "cpkb man"} <= expected
    assert sections == expected
    for heading in ("NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT"):
        assert f".SH {heading}\n" in done.stdout


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_the_man_page_renders(tmp_path: Path) -> None:
    source = tmp_path / "cpkb.1"
    source.write_text(cpkb("man", data=None).stdout, encoding="utf-8")
    shown = subprocess.run(["groff", "-man", "-Tutf8", "-P", "-cbou", str(source)],
                           capture_output=True, text=True, check=True, timeout=60)  # fmt: skip
    errors = [line for line in shown.stderr.splitlines() if "cannot adjust" not in line]
    assert errors == []
    assert "cpkb show [OPTIONS]" in shown.stdout and "--as-of DATE" in shown.stdout
    assert "\\-" not in shown.stdout and "\\f" not in shown.stdout


def installed(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script (its fast lane included), without the caller's CPKB_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPKB_")}
    command = [shutil.which("cpkb") or "cpkb", *args]
    return subprocess.run(command, input=stdin, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [["show", "alpha-person", "--data", str(MINI), "--json"],
     ["show", "alpha-person", "--json", f"--data={MINI}"],
     ["--data", str(MINI), "show", "alpha-person", "--json"]],
)  # fmt: skip
def test_data_before_or_after_the_command(args: list[str]) -> None:
    runner = CliRunner().invoke(app, args)
    process = installed(*args)
    assert runner.exit_code == process.returncode == 0, process.stderr
    assert json.loads(runner.stdout)["id"] == json.loads(process.stdout)["id"] == "alpha-person"


@pytest.mark.parametrize(
    "args",
    [["search", "alpha", "person", "--data", "-", "--json"], ["--data", "-", "stats"],
     ["show", "Alpha", "Person", "--data=-"], ["version", "--verbose", "--data", "-"]],
)  # fmt: skip
def test_data_from_standard_input_anywhere(args: list[str]) -> None:
    done = installed(*args, stdin=MINI.read_text(encoding="utf-8"))
    assert done.returncode == 0, done.stderr
    assert done.stdout and done.stderr == ""


def test_an_empty_stats_is_told_by_the_fast_lane_too(empty: str) -> None:
    done = installed("--data", empty, "stats")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "cpkb: no statistics\n")
    assert installed("--data", empty, "stats", "--json").stdout == "[]\n"


def test_an_installed_usage_error_is_one_line() -> None:
    done = installed("people")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "cpkb: error: no command 'people' — try 'official', 'organisation', … (cpkb --help)\n"
    )


@pytest.mark.parametrize("alias", ["program", "organization", "org", "doc"])
def test_an_alias_of_a_type_alone_is_its_help(alias: str) -> None:
    done = cpkb(alias, data=None)
    assert done.exit_code == 2 and "error" not in done.stderr
    assert "list" in done.stdout + done.stderr


@pytest.mark.parametrize(
    "args",
    [["show", "Alpha", "Person", "--json"], ["show", "Alpha", "Person"],
     ["search", "alpha", "person", "--json"], ["show", "Alpha", "Person", "--", "--json"]],
)  # fmt: skip
def test_the_fast_lane_reads_words_as_the_app_does(args: list[str]) -> None:
    fast = installed("--data", str(MINI), *args)
    full = cpkb(*args)
    assert (fast.returncode, fast.stdout, fast.stderr) == (full.exit_code, full.stdout, full.stderr)


def test_validate_keeps_its_own_data_option_in_both_paths() -> None:
    runner = cpkb("validate", str(MINI), "--data", str(MINI), data=None)
    process = installed("validate", str(MINI), "--data", str(MINI))
    assert runner.exit_code == process.returncode == 2
    assert runner.stderr == process.stderr
    assert "once" in process.stderr
