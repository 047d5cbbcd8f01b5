"""The pager: long human output at a terminal goes through $CPKB_PAGER, $PAGER or less, as git
and gh do; never when piped; `--no-pager`, an empty CPKB_PAGER or `cat` turn it off, and a
pager quit early ends the run quietly with status 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ptys import run_on_terminal
from tests.synthetic import generator

RECORDING = """#!/bin/sh
echo "$0" >> "{log}"
cat > "{log}.got"
"""
QUITTING = """#!/bin/sh
exec 0<&-
echo quit >> "{log}"
"""


def pager(tmp_path: Path, body: str, name: str = "pager") -> tuple[Path, Path]:
    """A pager script that records each call in a log; (script, log)."""
    log = tmp_path / f"{name}.log"
    script = tmp_path / f"{name}.sh"
    script.write_text(body.format(log=log), encoding="utf-8")
    script.chmod(0o755)
    return script, log


def environment(**env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CPKB_", "NO_COLOR"))}
    for name in ("FORCE_COLOR", "PAGER", "LESS"):
        clean.pop(name, None)
    return {**clean, "COLUMNS": "80", "LINES": "20", "TERM": "xterm-256color", **env}


def at_terminal(*args: str, cwd: Path, **env: str) -> tuple[int, str, str]:
    """(status, what the terminal got, stderr) for cpkb ARGS with stdout on a terminal."""
    status, screen, errors = run_on_terminal(
        list(args), env=environment(**env), cwd=cwd, stderr=False, pager=True
    )
    return status, screen.decode("utf-8", errors="replace"), errors


def calls(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def test_long_output_at_a_terminal_goes_through_the_pager(tmp_path: Path) -> None:
    script, log = pager(tmp_path, RECORDING)
    status, screen, errors = at_terminal("stats", cwd=tmp_path, PAGER=str(script))
    assert status == 0 and errors == ""
    assert calls(log) == 1 and "Statistics" not in screen
    paged = Path(f"{log}.got").read_text(encoding="utf-8")
    assert "Statistics" in paged and "\x1b[" in paged  # the table, in colour, as at a terminal


def test_cpkb_pager_comes_before_pager(tmp_path: Path) -> None:
    ours, our_log = pager(tmp_path, RECORDING, "ours")
    theirs, their_log = pager(tmp_path, RECORDING, "theirs")
    status, _, _ = at_terminal("sources", cwd=tmp_path, PAGER=str(theirs), CPKB_PAGER=str(ours))
    assert status == 0 and calls(our_log) == 1 and calls(their_log) == 0


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--no-pager", "stats"], {}),
        (["stats", "--no-pager"], {}),  # a global option, after the command as before it
        (["stats"], {"CPKB_PAGER": ""}),
        (["stats"], {"CPKB_PAGER": "cat"}),
        (["stats"], {"LINES": "500"}),  # it fits the screen
    ],
    ids=["--no-pager", "--no-pager after", "CPKB_PAGER empty", "CPKB_PAGER cat", "short output"],
)
def test_no_pager_when_turned_off_or_not_needed(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    script, log = pager(tmp_path, RECORDING)
    status, screen, errors = at_terminal(*args, cwd=tmp_path, PAGER=str(script), **env)
    assert status == 0 and errors == ""
    assert calls(log) == 0 and "Statistics" in screen


@pytest.mark.parametrize(
    "missing", ["no-such-pager-cpkb", "no-such-pager-cpkb -R", "/nowhere/less"]
)
def test_a_pager_that_cannot_run_leaves_the_output_on_the_terminal(
    tmp_path: Path, missing: str
) -> None:
    """As when no pager is set (the shell's "not found" lost the output, with status 0)."""
    status, screen, _ = at_terminal("stats", cwd=tmp_path, PAGER=missing)
    assert status == 0 and "Statistics" in screen and "not found" not in screen


LINGERING = """#!/bin/sh
echo started >> "{log}"
cat > /dev/null
sleep 1
echo ended >> "{log}"
"""


def test_terminated_while_paging_it_waits_for_the_pager(tmp_path: Path) -> None:
    """As git does: a cpkb told to end (SIGTERM) while its pager runs ends once the pager has;
    it went at once, leaving the pager holding the terminal (echo off) under the shell."""
    script, log = pager(tmp_path, LINGERING)
    primary, secondary = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cpkb", "stats"],
        env=environment(PAGER=str(script)),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=subprocess.PIPE,
    )
    os.close(secondary)
    deadline = time.monotonic() + 60
    while calls(log) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.terminate()
    try:
        status = process.wait(timeout=60)
    finally:
        process.kill()
        os.close(primary)
    ended = log.read_text(encoding="utf-8").split()
    assert status == -signal.SIGTERM and process.stderr is not None
    assert ended == ["started", "ended"] and process.stderr.read() == b""


def test_piped_output_is_never_paged(tmp_path: Path) -> None:
    script, log = pager(tmp_path, RECORDING)
    for args in (["stats"], ["show", "adal-azamat"], ["validate"], ["programme", "list"]):
        result = subprocess.run(
            [sys.executable, "-m", "cpkb", *args],
            env=environment(PAGER=str(script), CPKB_PAGER=str(script)),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0 and result.stdout and result.stderr == ""
    assert calls(log) == 0


def test_a_pager_quit_early_ends_quietly(tmp_path: Path) -> None:
    """More than a pipe holds, to a pager that closed its input: the write fails (EPIPE)."""
    data = tmp_path / "big.json"
    with data.open("w", encoding="utf-8") as out:
        generator().generate(2000, 7, out)
    script, log = pager(tmp_path, QUITTING)
    args = ["--data", str(data), "official", "list"]
    status, _, errors = at_terminal(*args, cwd=tmp_path, PAGER=str(script), COLUMNS="200")
    assert calls(log) == 1
    assert status == 0 and errors == ""  # no traceback, no "Broken pipe"


TIMING = """#!{python}
import sys, time
count, first = 0, None
for line in sys.stdin.buffer:
    count += 1
    if count == {screen}:
        first = time.monotonic()
with open("{log}", "w") as out:
    out.write(f"{{first}} {{time.monotonic()}} {{count}}")
"""


def generated_kb(tmp_path: Path, n: int) -> Path:
    data = tmp_path / "big.json"
    with data.open("w", encoding="utf-8") as out:
        generator().generate(n, 7, out)
    return data


def test_the_first_screen_reaches_the_pager_while_the_rest_is_made(tmp_path: Path) -> None:
    """A long table streams: the pager has its first screenful well before the output ends
    (held until complete, both would come at once)."""
    data = generated_kb(tmp_path, 6000)
    cache = {"CPKB_CACHE_DIR": str(tmp_path / "cache"), "CPKB_INDEX": "always"}
    for args in (["show", "any", "--json"], ["stats", "--json"], ["stats"]):  # index, kept
        subprocess.run([sys.executable, "-m", "cpkb", "--data", str(data), *args],
                       env=environment(**cache), capture_output=True, check=False)  # fmt: skip
    log = tmp_path / "times"
    script = tmp_path / "timing.py"
    script.write_text(TIMING.format(python=sys.executable, screen=20, log=log), encoding="utf-8")
    script.chmod(0o755)
    start = time.monotonic()
    status, _, errors = at_terminal(
        "--data", str(data), "stats", cwd=tmp_path, CPKB_PAGER=str(script), **cache
    )
    first, end, count = log.read_text(encoding="utf-8").split()
    assert status == 0 and errors == "" and int(count) > 1000
    assert end > first != "None"
    assert float(end) - float(first) > float(first) - start, (start, first, end)  # most after


def test_a_pager_quit_after_the_first_screen_ends_quietly(tmp_path: Path) -> None:
    """As a person reads a screenful and presses q: the rest is never made, the run exits 0."""
    data = generated_kb(tmp_path, 2000)
    args = ["--data", str(data), "official", "list"]
    status, screen, errors = at_terminal(*args, cwd=tmp_path, CPKB_PAGER="head -n 20")
    assert status == 0 and errors == ""
    assert screen.count("\n") == 20 and "Officials" in screen
