"""A few real runs of the `cpkb` program, from a folder that is not the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cpkb

CPKB = shutil.which("cpkb")
COMMAND = [CPKB] if CPKB else [sys.executable, "-m", "cpkb"]


def cpkb_run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CPKB_")}
    environment.pop("NO_COLOR", None)
    environment["CPKB_TODAY"] = os.environ.get("CPKB_TODAY", "2026-12-07")
    environment.update(env)
    return subprocess.run(
        [*COMMAND, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=60
    )


def test_stats_from_another_folder(tmp_path: Path) -> None:
    result = cpkb_run("stats", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "-30 percent" in result.stdout
    assert "\x1b" not in result.stdout  # piped: no ANSI codes
    assert result.stderr == ""


def test_programme_show_and_json_id(tmp_path: Path) -> None:
    shown = cpkb_run("programme", "show", "Adal Azamat", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Honest Citizen" in shown.stdout
    as_json = cpkb_run("programme", "show", "Adal Azamat", "--json", cwd=tmp_path)
    assert json.loads(as_json.stdout)["id"] == "adal-azamat"


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_json_pipes_into_jq(tmp_path: Path) -> None:
    shown = cpkb_run("official", "list", "--json", cwd=tmp_path)
    names = subprocess.run(
        ["jq", "-r", ".[].name"], input=shown.stdout, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "Erlan Karin" in names and "Regina De Dominicis" in names


def test_bundled_data_ships_inside_the_package(tmp_path: Path) -> None:
    info = json.loads(cpkb_run("info", "--json", cwd=tmp_path).stdout)
    data_file = Path(info["data_file"])
    assert data_file.is_file()
    if "site-packages" in cpkb.__file__:  # an installed wheel, not the checkout
        assert data_file.parent == Path(cpkb.__file__).parent / "data"


def test_module_entry_point_and_version(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cpkb", "--version"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == f"cpkb {cpkb.__version__}"


def test_no_color_and_errors_on_stderr(tmp_path: Path) -> None:
    result = cpkb_run("show", "no such thing at all", cwd=tmp_path, NO_COLOR="1")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("cpkb: error: no entity matches")
    assert "Traceback" not in result.stderr


def modules_after(entry: str, args: list[str], cwd: Path) -> set[str]:
    """The modules imported by running cpkb (`entry` is cpkb.cli or cpkb.entry) with `args`."""
    call = "run(sys.argv[1:])" if entry == "cpkb.cli" else "main()"
    function = call.partition("(")[0]
    code = (
        f"import sys; from {entry} import {function}; sys.argv = ['cpkb', *{args!r}]\n"
        f"try:\n    {call}\nexcept SystemExit:\n    pass\n"
        "print(*sorted(sys.modules), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)
    return set(result.stderr.split())


def test_show_json_does_not_import_rich(tmp_path: Path) -> None:
    loaded = modules_after("cpkb.cli", ["show", "adal-azamat", "--json"], tmp_path)
    assert "cpkb.present.views" in loaded and "rich" not in loaded


def test_version_and_help_do_not_load_data_or_tinydb(tmp_path: Path) -> None:
    for args in (["--version"], ["--help"]):
        loaded = modules_after("cpkb.cli", args, tmp_path)
        assert "typer" in loaded and not loaded & {"tinydb", "cpkb.kb.store"}, args


# Each call, and whether the fast lane answers it (else it declines and the full app does).
FAST_CALLS = [
    (["show", "adal-azamat", "--json"], True),
    (["show", "--json", "Children of Kazakhstan"], True),
    (["search", "Қазақстан балалары", "--json"], True),
    (["--data", "BUNDLED", "show", "unicef", "--json"], True),
    (["show", "no such entity anywhere", "--json"], False),
    (["show", "president", "--json"], False),
    (["search", "zzzz qqqq", "--json"], False),
    (["--version"], True),
    (["stats"], True),
    (["stats", "--json"], True),
    (["--data", "MINI", "stats"], True),
    (["show", "regina-de-dominicis"], True),
    (["show", "Honest Citizen"], True),
    (["show", "no such entity anywhere"], False),
    (["--data=MINI", "show", "beta"], False),
    (["stats", "--limit", "3"], False),
    (["--data", "V2", "show", "children-programme"], True),
    (["--data", "V2", "show", "children-programme", "--json"], True),
    (["--data", "V2", "stats"], True),
    # Over time (cpkb.lanes): show, timeline and path with the options they take.
    (["--data", "V2", "show", "a-person", "--as-of", "2020", "--json"], True),
    (["--data", "V2", "show", "a-person", "--known-by", "2025-06", "--all"], True),
    (["--data", "V2", "show", "a-person", "--current", "--json", "--as-of", "2026"], True),
    (["--data", "V2", "show", "a-person", "--as-of", "2020", "--as-of", "2021"], False),
    (["--data", "V2", "show", "a-person", "--as-of", "not a date", "--json"], False),
    (["--data", "V2", "show", "a-person", "--as-of"], False),
    (["--data", "V2", "timeline", "a-person", "--json"], True),
    (["--data", "V2", "timeline", "children-programme", "--known-by", "2026-02"], True),
    # Nothing dated known by then: the app tells it on stderr, so the lane leaves it to the app.
    (["--data", "V2", "timeline", "children-programme", "--known-by", "2025-12"], False),
    (["--data", "V2", "timeline", "a-person", "--as-of", "2020"], False),  # timeline has none
    (["--data", "V2", "path", "children-programme", "post-a", "--json"], True),
    (["--data", "V2", "path", "children-programme", "post-a", "--as-of", "2020"], True),
    (["--data", "V2", "path", "children-programme", "post-a"], False),  # ended: no chain now
    (["--data", "V2", "path", "children-programme", "post-a", "--all"], True),
    (["--data", "V2", "path", "a-person", "law-x", "--json", "--current"], False),
    # --json given twice is --json to the app: the lane declines rather than print a table.
    (["show", "adal-azamat", "--json", "--json"], False),
    (["stats", "--json", "--json"], False),
    (["--data", "V2", "timeline", "a-person", "--json", "--json"], False),
    (["--data", "V2", "path", "children-programme", "post-a", "--json", "--json"], False),
]


def lane_answers(args: list[str], cwd: Path) -> bool:
    """Whether cpkb.entry's fast lane answers `args` itself (it prints nothing when it declines)."""
    code = "import sys; from cpkb.entry import fast_lane; sys.exit(fast_lane(sys.argv[1:]) != 0)"
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True)
    return done.returncode == 0


@pytest.mark.parametrize(("args", "answered"), FAST_CALLS)
def test_fast_lane_answers_exactly_like_the_full_app(
    args: list[str], answered: bool, tmp_path: Path, bundled_path: Path, mini: Path
) -> None:
    from typer.testing import CliRunner

    from cpkb.cli import app

    v2 = Path(__file__).resolve().parents[1] / "data" / "good" / "v2-time.json"
    names = {"BUNDLED": str(bundled_path), "MINI": str(mini), "--data=MINI": f"--data={mini}",
             "V2": str(v2)}  # fmt: skip
    args = [names.get(a, a) for a in args]
    assert lane_answers(args, tmp_path) == answered  # else both sides are the full app
    fast = cpkb_run(*args, cwd=tmp_path, COLUMNS="100")
    full = CliRunner().invoke(app, args, env={"COLUMNS": "100"})
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        full.exit_code,
        full.stdout,
        full.stderr,
    )


def test_fast_lane_does_not_import_typer_or_rich(tmp_path: Path) -> None:
    loaded = modules_after("cpkb.entry", ["show", "adal-azamat", "--json"], tmp_path)
    assert "cpkb.present.views" in loaded and not loaded & {"typer", "rich"}


@pytest.mark.parametrize(
    "argv", [["show", "adal-azamat"], ["stats"], ["timeline", "adal-azamat"]], ids=" ".join
)
def test_the_fast_lanes_human_output_does_not_import_typer(argv: list[str], tmp_path: Path) -> None:
    loaded = modules_after("cpkb.entry", argv, tmp_path)
    assert "cpkb.present.pager" in loaded and "typer" not in loaded
