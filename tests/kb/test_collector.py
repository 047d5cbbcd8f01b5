"""The garbage collector is paused while a file is read, and is on again afterwards; only the
console script's own process freezes what a read leaves behind."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cpkb.cli import app
from cpkb.kb import collector, store
from tests.conftest import V1_BUNDLED

PROBE = """
import gc, sys
from cpkb.kb import collector
from cpkb.kb import store
if sys.argv[2] == "one-shot":
    collector.one_shot()
seen = []
real_load = store._load
def spy(path):
    seen.append(gc.isenabled())
    return real_load(path)
store._load = spy
kb = store.load(sys.argv[1])
print(len(kb.entities), seen, gc.isenabled(), gc.get_freeze_count() > 0)
"""


def probe(data: Path, mode: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(data), mode], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_load_pauses_the_collector_then_resumes_it() -> None:
    assert probe(V1_BUNDLED, "library") == "17 [False] True False"


def test_a_one_shot_process_freezes_what_load_leaves() -> None:
    assert probe(V1_BUNDLED, "one-shot") == "17 [False] True True"


def test_nested_pauses_resume_once_at_the_outermost() -> None:
    assert gc.isenabled()
    with collector.paused():
        with collector.paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_with_the_collector_off_leaves_it_off() -> None:
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_commands_run_in_process_freeze_nothing(runner: CliRunner, bundled_path: Path) -> None:
    before = gc.get_freeze_count()
    result = runner.invoke(app, ["--data", str(bundled_path), "stats", "--json"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled() and gc.get_freeze_count() == before
    assert store.load(bundled_path).entities  # a library call leaves it on, too
    assert gc.isenabled() and gc.get_freeze_count() == before


def test_the_console_script_runs_one_shot(bundled_path: Path) -> None:
    script = (
        "import gc, sys\n"
        "from cpkb import entry\n"
        "sys.argv = ['cpkb', '--data', sys.argv[1], 'stats', '--json']\n"
        "try:\n"
        "    entry.main()\n"
        "except SystemExit as done:\n"
        "    print(done.code, gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(bundled_path)], capture_output=True, text=True
    )
    assert done.stderr.strip() == "0 True True"
    assert done.stdout.startswith("[")
