"""Human output at a terminal, as git and gh give it: held until complete, then shown through a
pager when it is longer than the screen. Piped, it is written as it is, less the trailing
spaces Rich pads table cells with.

The pager is `--no-pager`'s none, else $CPKB_PAGER, else $PAGER, else `less -FRX` (an empty
value or `cat` means none). Quitting the pager early is not an error: the run exits 0.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator

DEFAULT_PAGER = "less -FRX"
OFF = ("", "cat")
TRAILING_SPACES = re.compile(r"[ ]+$", re.MULTILINE)


class Held(io.StringIO):
    """Output held back, that Rich takes for the stream it replaces (a terminal or not, and
    its encoding, so an ASCII terminal still gets ASCII borders)."""

    def __init__(self, terminal: bool, encoding: str | None) -> None:
        super().__init__()
        self.terminal = terminal
        self._encoding = encoding or "utf-8"

    def isatty(self) -> bool:
        return self.terminal

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


def pager_command(*, no_pager: bool) -> str | None:
    """The pager to use, or None for none."""
    if no_pager:
        return None
    for name in ("CPKB_PAGER", "PAGER"):
        if name in os.environ:
            chosen = os.environ[name].strip()
            return None if chosen in OFF else chosen
    return DEFAULT_PAGER if shutil.which("less") else None


@contextlib.contextmanager
def screen(*, no_pager: bool) -> Iterator[None]:
    """Hold what the block prints on standard output, then show it (see the module)."""
    real = sys.stdout
    terminal = real.isatty()
    held = Held(terminal, getattr(real, "encoding", None))
    try:
        with contextlib.redirect_stdout(held):
            yield
    finally:
        text = held.getvalue()
        command = pager_command(no_pager=no_pager) if terminal else None
        if not terminal:
            text = TRAILING_SPACES.sub("", text)
        if command and longer_than_screen(text):
            page(command, text, real)
        else:
            real.write(text)
            real.flush()


def longer_than_screen(text: str) -> bool:
    return text.count("\n") >= shutil.get_terminal_size().lines


def page(command: str, text: str, real: io.TextIOBase | object) -> None:
    """Show `text` through the pager `command` (run by the shell, as git does)."""
    env = {**os.environ}
    env.setdefault("LESS", "FRX")  # as git: quit if one screen, keep colour, no clearing
    env.setdefault("LV", "-c")
    encoding = getattr(real, "encoding", None) or "utf-8"
    try:
        process = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the pager's
    try:
        _feed(process, text.encode(encoding, errors="backslashreplace"))
        process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


def _feed(process: subprocess.Popen[bytes], data: bytes) -> None:
    """Write to the pager; one that was quit early (q) has simply read enough."""
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        process.stdin.write(data)
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        process.stdin.close()
