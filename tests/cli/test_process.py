"""The cpkb process as a shell runs it: pipes, closed and full streams, locales, odd --data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpkb.cli import app
from cpkb.query.catalog import MemoryCatalog

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.json"
CPKB = shutil.which("cpkb")
COMMAND = [CPKB] if CPKB else [sys.executable, "-m", "cpkb"]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPKB_")}
    env.update(extra)
    return env


def shell(script: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run a bash script in which `cpkb` is the program under test."""
    env = environment(**extra)
    prelude = f'cpkb() {{ {" ".join(COMMAND)} "$@"; }}\n'
    return subprocess.run(["bash", "-c", prelude + script], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_a_pipe_is_read_once_so_not_found_is_not_an_empty_file() -> None:
    done = shell(f"cpkb --data <(cat {MINI}) show nobody")
    assert done.returncode == 1, done.stderr
    assert "no entity matches 'nobody'" in done.stderr


def test_bad_data_from_a_pipe_is_reported_as_itself() -> None:
    done = shell("cpkb --data <(echo '{') show x")
    assert done.returncode == 3
    assert "invalid JSON" in done.stderr and "is empty" not in done.stderr


@pytest.mark.parametrize("data", ["/dev/zero", "/tmp"])
def test_an_unreadable_path_says_to_check_it_not_to_validate(data: str) -> None:
    done = shell(f"cpkb --data {data} info")
    assert done.returncode == 3
    assert "(check --data or CPKB_DATA)" in done.stderr and "validate" not in done.stderr


def test_an_empty_data_path_is_a_usage_error() -> None:
    done = shell('cpkb --data "" info')
    assert done.returncode == 2
    assert "needs the path of a data file" in done.stderr


@pytest.mark.parametrize(
    "args",
    ["stats", "show adal-azamat --json", "xref adal-azamat", "graph", "validate", "--help",
     "official list --json"],
)  # fmt: skip
def test_a_full_disk_is_one_line_and_status_5(args: str) -> None:
    done = shell(f"cpkb {args} > /dev/full")
    assert done.returncode == 5, done.stderr
    assert done.stderr == "cpkb: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("args", ["stats", "show adal-azamat --json", "--help", "--version"])
def test_a_closed_stdout_is_one_line_and_status_5(args: str) -> None:
    done = shell(f"cpkb {args} >&-")
    assert done.returncode == 5
    assert done.stderr == "cpkb: error: standard output is closed (nothing can be printed)\n"


@pytest.mark.parametrize("args", [["--help"], ["show", "--help"], ["stats"], ["xref", "unicef"]])
def test_a_reader_gone_before_anything_is_written_is_not_an_error(args: list[str]) -> None:
    """`cpkb --help | head -1`: the reader has all it wanted."""
    read, write = os.pipe()
    os.close(read)
    process = subprocess.Popen([*COMMAND, *args], stdout=write, stderr=subprocess.PIPE,
                               env=environment())  # fmt: skip
    os.close(write)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert err == b""


def test_json_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    document = json.loads(MINI.read_text(encoding="utf-8"))
    document["entities"][0]["name"] = "Smile 😀 Қазақ"
    data = tmp_path / "emoji.json"
    data.write_text(json.dumps(document), encoding="utf-8")
    for extra in ({"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONUTF8": "0"}):
        done = subprocess.run([*COMMAND, "--data", str(data), "show", "alpha-person", "--json"],
                              capture_output=True, env=environment(**extra))  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout.decode("utf-8"))["name"] == "Smile 😀 Қазақ"


def test_arguments_in_a_non_utf8_locale_are_decoded() -> None:
    env = environment(LC_ALL="C", PYTHONUTF8="0")
    done = subprocess.run([*COMMAND, "search", "Қазақстан балалары", "--json"],
                          capture_output=True, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["id"] == "qazaqstan-balalary"


def test_debug_shows_the_traceback_of_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: MemoryCatalog, entity_id: str) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(MemoryCatalog, "neighbourhood", broken)
    quiet = CliRunner().invoke(app, ["show", "adal-azamat"])
    assert quiet.exit_code == 4
    assert "Traceback" not in quiet.stderr and "internal error: RuntimeError: boom" in quiet.stderr
    loud = CliRunner().invoke(app, ["--debug", "show", "adal-azamat"])
    assert loud.exit_code == 4
    assert "Traceback" in loud.stderr and "RuntimeError: boom" in loud.stderr


def test_data_may_follow_the_command() -> None:
    done = shell(f"cpkb show alpha-person --data {MINI} --json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == "alpha-person"
    literal = shell(f"cpkb search -- --data {MINI}")  # after --, words to search the bundled KB
    assert literal.returncode in (0, 1) and "alpha" not in literal.stdout


@pytest.mark.parametrize("args", ["show alpha-person --json", "validate -", "stats --json"])
def test_data_from_standard_input(args: str) -> None:
    done = shell(f"cpkb --data - {args} < {MINI}")
    assert done.returncode == 0, done.stderr
    if "--json" in args:
        json.loads(done.stdout)
