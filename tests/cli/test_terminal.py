"""Output at a real terminal (a pseudo-terminal): tables and colour, NO_COLOR, progress."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.ptys import run_on_terminal

COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;[25];[0-9;]+)m")


def environment(**env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CPKB_", "NO_COLOR"))}
    clean.pop("FORCE_COLOR", None)
    return {**clean, "COLUMNS": "120", "LINES": "50", "TERM": "xterm-256color", **env}


def at_terminal(*args: str, cwd: Path, **env: str) -> str:
    """Run cpkb with stdout on a pseudo-terminal; return what the terminal received."""
    status, screen, errors = run_on_terminal(
        list(args), env=environment(**env), cwd=cwd, stderr=False
    )
    assert status == 0, errors
    return screen.decode("utf-8", errors="replace")


def test_terminal_gets_a_coloured_table(tmp_path: Path) -> None:
    assert COLOUR.search(at_terminal("show", "adal-azamat", cwd=tmp_path))
    screen = at_terminal("programme", "list", cwd=tmp_path)
    assert "Adal Azamat" in screen and "─" in screen  # a Rich table, not tab-separated lines
    assert "\t" not in screen


def test_no_color_removes_colour_at_a_terminal(tmp_path: Path) -> None:
    screen = at_terminal("show", "adal-azamat", cwd=tmp_path, NO_COLOR="1")
    assert "Adal Azamat" in screen
    assert not COLOUR.search(screen)


def test_index_build_shows_progress_only_at_a_terminal(tmp_path: Path) -> None:
    env = environment(CPKB_INDEX="always", CPKB_CACHE_DIR=str(tmp_path / "cache"))
    args = ["search", "unicef", "--json"]
    status, terminal, out = run_on_terminal(args, env=env, cwd=tmp_path, stdout=False)
    assert status == 0 and '"id": "unicef"' in out
    assert b"indexing the data file" in terminal
    _, again, _ = run_on_terminal(args, env=env, cwd=tmp_path, stdout=False)
    assert b"indexing" not in again  # the index is current: no bar
    env["CPKB_CACHE_DIR"] = str(tmp_path / "cache2")
    piped = subprocess.run(
        [sys.executable, "-m", "cpkb", *args], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert piped.returncode == 0 and piped.stderr == ""
