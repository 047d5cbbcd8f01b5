"""cpkb behaving like gh, rg and git: one-line usage errors, words without quotes, --data anywhere
(and from stdin), empty results, suggestions from search, `version`, the man page."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner, Result

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
