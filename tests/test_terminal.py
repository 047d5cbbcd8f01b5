"""Output at a real terminal (a pseudo-terminal): tables and colour, and NO_COLOR honoured."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")

COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;[25];[0-9;]+)m")


def at_terminal(*args: str, cwd: Path, **env: str) -> str:
    """Run cpkb with stdout on a pseudo-terminal; return what the terminal received."""
    primary, secondary = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CPKB_", "NO_COLOR"))}
    environment.update({"COLUMNS": "120", "LINES": "50", "TERM": "xterm-256color", **env})
    environment.pop("FORCE_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "cpkb", *args],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=subprocess.PIPE,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(primary)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    return b"".join(chunks).decode("utf-8", errors="replace")


def test_terminal_gets_a_coloured_table(tmp_path: Path) -> None:
    assert COLOUR.search(at_terminal("show", "adal-azamat", cwd=tmp_path))
    screen = at_terminal("programme", "list", cwd=tmp_path)
    assert "Adal Azamat" in screen and "─" in screen  # a Rich table, not tab-separated lines
    assert "\t" not in screen


def test_no_color_removes_colour_at_a_terminal(tmp_path: Path) -> None:
    screen = at_terminal("show", "adal-azamat", cwd=tmp_path, NO_COLOR="1")
    assert "Adal Azamat" in screen
    assert not COLOUR.search(screen)


def stderr_at_terminal(*args: str, cwd: Path, **env: str) -> tuple[str, str]:
    """Run cpkb, stderr on a pseudo-terminal, stdout piped: (stdout, what the terminal got)."""
    primary, secondary = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CPKB_")}
    environment.update({"COLUMNS": "100", "TERM": "xterm-256color", **env})
    process = subprocess.Popen(
        [sys.executable, "-m", "cpkb", *args],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=secondary,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    out = process.stdout.read().decode() if process.stdout else ""
    process.wait(timeout=60)
    os.close(primary)
    return out, b"".join(chunks).decode("utf-8", errors="replace")


def test_index_build_shows_progress_only_at_a_terminal(tmp_path: Path) -> None:
    env = {"CPKB_INDEX": "always", "CPKB_CACHE_DIR": str(tmp_path / "cache")}
    out, terminal = stderr_at_terminal("search", "unicef", "--json", cwd=tmp_path, **env)
    assert '"id": "unicef"' in out
    assert "indexing the data file" in terminal
    _, again = stderr_at_terminal("search", "unicef", "--json", cwd=tmp_path, **env)
    assert "indexing" not in again  # the index is current: no bar
    piped = subprocess.run(
        [sys.executable, "-m", "cpkb", "search", "unicef", "--json"],
        cwd=tmp_path,
        env={**os.environ, **env, "CPKB_CACHE_DIR": str(tmp_path / "cache2")},
        capture_output=True,
        text=True,
    )
    assert piped.returncode == 0 and piped.stderr == ""
