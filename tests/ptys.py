"""Run cpkb with its output on a real pseudo-terminal, as a person at a terminal would see it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path


def run_on_terminal(
    args: list[str],
    *,
    env: dict[str, str],
    cwd: Path | None = None,
    stdout: bool = True,
    stderr: bool = True,
    pager: bool = False,
) -> tuple[int, bytes, str]:
    """(exit status, what the terminal got, what was piped) for `python -m cpkb ARGS`.

    `stdout`/`stderr` choose which streams go to the terminal; the others are piped. Unless
    `pager`, cpkb pages nothing (CPKB_PAGER=cat): `less` would wait for keys nobody types.
    """
    if not pager:
        env = {**env, "CPKB_PAGER": "cat"}
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cpkb", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=secondary if stdout else subprocess.PIPE,
        stderr=secondary if stderr else subprocess.PIPE,
    )
    os.close(secondary)
    shown = read_to_end(primary)
    piped = process.stdout if not stdout else process.stderr if not stderr else None
    text = piped.read().decode("utf-8", errors="replace") if piped else ""
    status = process.wait(timeout=60)
    os.close(primary)
    return status, shown, text


def read_to_end(primary: int) -> bytes:
    """What a terminal's primary side gets until the child closes the terminal."""
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
