"""Human output at a terminal, as git and gh give it: shown as it is made, through a pager once
it is longer than the screen (the pager starts with the first screenful and is fed the rest as
it comes); output that fits the screen is printed as it is. Piped, it is written as it is made,
less the trailing spaces Rich pads table cells with.

The pager is `--no-pager`'s none, else $CPKB_PAGER, else $PAGER, else `less -FRX` (an empty
value or `cat` means none). Quitting the pager early is not an error: the run stops, and exits 0.
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
from typing import TextIO

DEFAULT_PAGER = "less -FRX"
OFF = ("", "cat")
TRAILING_SPACES = re.compile(r"[ ]+$", re.MULTILINE)
SHELL = re.compile(r"""[|&;<>()$`\\"'*?\[\]#~=%{}!\n]""")  # what only a shell reads (as git)


class PagerQuit(Exception):
    """The pager was quit before the output ended: the run has nothing more to show. Not an
    OSError, so that Rich lets it through (it exits on a broken pipe of its own)."""


class Unwritten(Exception):
    """Standard output failed (`error`: a reader gone, a full disk): carried out of Rich, which
    would take a broken pipe for its own, to be raised again where cpkb reports it."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class Spool(io.TextIOBase):
    """Standard output while a human output is made, that Rich takes for the stream it replaces
    (a terminal or not, and its encoding, so an ASCII terminal still gets ASCII borders).

    Piped, each line goes on as it is complete, less its trailing spaces. At a terminal with a
    pager, the output is held until it is longer than the screen, then the pager is started and
    fed; without one (or if it never grows that long) it is written as it is."""

    def __init__(self, real: TextIO, command: str | None) -> None:
        super().__init__()
        self.real, self.command = real, command
        self.terminal = real.isatty()
        self._encoding = getattr(real, "encoding", None) or "utf-8"
        self.held: list[str] = []
        self.lines, self.screen = 0, shutil.get_terminal_size().lines
        self.pager: subprocess.Popen[bytes] | None = None
        self.previous: object = None  # the SIGINT handler while a pager runs
        self.previous_term: object = None  # and the SIGTERM handler

    def isatty(self) -> bool:
        return self.terminal

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not self.terminal:
            with _unwritten():
                self._trimmed(text)
        elif self.pager is not None:
            self._to_pager(text)
        elif self.command is None:
            with _unwritten():
                self.real.write(text)
        else:
            self.held.append(text)
            self.lines += text.count("\n")
            if self.lines >= self.screen:
                self._start_pager()
        return len(text)

    def flush(self) -> None:
        if self.pager is None:
            with _unwritten():
                self.real.flush()
        elif self.pager.stdin is not None and not self.pager.stdin.closed:
            with _quits():
                self.pager.stdin.flush()

    def _trimmed(self, text: str) -> None:
        """Piped: each complete line without its trailing spaces (the rest waits for its end)."""
        self.held.append(text)
        if "\n" in text:
            whole, _, rest = "".join(self.held).rpartition("\n")
            self.held = [rest] if rest else []
            self.real.write(TRAILING_SPACES.sub("", whole) + "\n")

    def _start_pager(self) -> None:
        """Start the pager on what is held; if it cannot start, write to the terminal."""
        env = {**os.environ}
        env.setdefault("LESS", "FRX")  # as git: quit if one screen, keep colour, no clearing
        env.setdefault("LV", "-c")
        text, self.held = "".join(self.held), []
        assert self.command is not None
        argv = _argv(self.command)
        try:
            self.pager = subprocess.Popen(
                argv, shell=isinstance(argv, str), stdin=subprocess.PIPE, env=env
            )
        except OSError:
            self.command = None
            self.real.write(text)
            return
        self.previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the pager's
        self.previous_term = signal.signal(signal.SIGTERM, self._terminated)
        self._to_pager(text)
        self.flush()

    def _terminated(self, number: int, _frame: object) -> None:
        """Told to end while the pager runs: its input ends, and cpkb ends once it has (as git
        does), so that it never holds the terminal after cpkb's shell has taken it back."""
        signal.signal(number, signal.SIG_DFL)
        assert self.pager is not None and self.pager.stdin is not None
        if not self.pager.stdin.closed:
            with contextlib.suppress(OSError):
                os.close(self.pager.stdin.fileno())  # under the buffer a write may be stopped in
        with contextlib.suppress(ChildProcessError):  # not wait(): it may be the one stopped
            os.waitpid(self.pager.pid, 0)
        os.kill(os.getpid(), number)

    def _to_pager(self, text: str) -> None:
        assert self.pager is not None and self.pager.stdin is not None
        with _quits():
            self.pager.stdin.write(text.encode(self._encoding, errors="backslashreplace"))

    def finish(self) -> None:
        """The end of the output: what is held is written; a pager is told, and waited for."""
        text, self.held = "".join(self.held), []
        if not self.terminal:
            self.real.write(TRAILING_SPACES.sub("", text))
        elif self.pager is None:
            self.real.write(text)
        if self.pager is None:
            self.real.flush()
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, OSError):
            assert self.pager.stdin is not None
            self.pager.stdin.close()
        try:
            self.pager.wait()
        finally:
            signal.signal(signal.SIGINT, self.previous)  # type: ignore[arg-type]
            signal.signal(signal.SIGTERM, self.previous_term)  # type: ignore[arg-type]


def _argv(command: str) -> str | list[str]:
    """The pager's words, run as they are (so that a missing program fails to start, and the
    output goes to the terminal); a command in the shell's syntax is the shell's to run."""
    return command if SHELL.search(command) else command.split()


@contextlib.contextmanager
def _unwritten() -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise Unwritten(exc) from None


@contextlib.contextmanager
def _quits() -> Iterator[None]:
    """A pager that was quit early (q) has simply read enough: the output stops there."""
    try:
        yield
    except (BrokenPipeError, ConnectionResetError):
        raise PagerQuit from None


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
    """Show what the block prints on standard output as it prints it (see the module)."""
    real = sys.stdout
    command = pager_command(no_pager=no_pager) if real.isatty() else None
    spool = Spool(real, command)
    try:
        with contextlib.redirect_stdout(spool):
            yield
    except PagerQuit:
        pass
    except Unwritten as failed:
        spool.held = []  # it cannot be written either
        raise failed.error from None
    finally:
        spool.finish()
