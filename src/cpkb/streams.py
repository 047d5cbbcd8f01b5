"""The process's own streams and arguments: decoding argv, writing output that cannot fail
silently, and telling a failed write to standard output from other errors."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterable
from typing import BinaryIO, TextIO

from cpkb.errors import ExitCode

# What writing to standard output raises when the disk is full or the stream is closed.
OUTPUT_ERRNOS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EBADF, errno.EIO, errno.EDQUOT})


def decoded(argv: list[str]) -> list[str]:
    """Arguments as typed: in a locale Python does not read as UTF-8, non-ASCII bytes arrive
    as lone surrogates; UTF-8 bytes among them are decoded, anything else is left as it is."""
    return [_decoded(arg) for arg in argv]


def _decoded(arg: str) -> str:
    if arg.isascii() or not any("\udc80" <= c <= "\udcff" for c in arg):
        return arg
    try:
        return os.fsencode(arg).decode("utf-8")
    except UnicodeError:
        return arg


# Commands with a --data option of their own ('validate FILE --data FILE' is an error there).
OWN_DATA_OPTION = frozenset({"validate"})
GLOBAL_VALUED = ("--data", "--color")  # global options that take a value
GLOBAL_FLAGS = ("--no-pager",)


def hoisted(argv: list[str]) -> list[str]:
    """Global options given after the command moved before it, where they belong (like gh and
    git: `cpkb show X --data f.json` is `cpkb --data f.json show X`, `cpkb stats --no-pager`
    is `cpkb --no-pager stats`); `--` ends options."""
    end = argv.index("--") if "--" in argv else len(argv)
    valued: tuple[str, ...] = GLOBAL_VALUED
    if command_word(argv[:end]) in OWN_DATA_OPTION:
        valued = tuple(o for o in GLOBAL_VALUED if o != "--data")
    moved: list[str] = []
    rest: list[str] = []
    i = 0
    while i < end:
        arg = argv[i]
        if i > 0 and arg in valued and i + 1 < end:
            moved += argv[i : i + 2]
            i += 2
            continue
        is_global = arg in GLOBAL_FLAGS or arg.startswith(tuple(f"{o}=" for o in valued))
        (moved if i > 0 and is_global else rest).append(arg)
        i += 1
    return moved + rest + argv[end:]


def command_word(argv: list[str]) -> str | None:
    """The command a command line names: its first word that is neither an option nor the
    value of a leading --data."""
    i = 0
    while i < len(argv):
        if argv[i] == "--data":
            i += 2
        elif argv[i].startswith("-"):
            i += 1
        else:
            return argv[i]
    return None


def stdout_open() -> bool:
    """Whether standard output can be written at all (`cpkb ... >&-` closes it)."""
    if sys.stdout is None:
        return False
    try:
        descriptor = sys.stdout.fileno()
    except (ValueError, io.UnsupportedOperation):  # not a real file: a test's stream
        return True
    try:
        os.fstat(descriptor)
    except OSError:
        return False
    return True


def forgiving() -> None:
    """A terminal that cannot show a character gets an escape for it, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def write_utf8(text: str) -> None:
    """`text` as UTF-8 bytes whatever the locale (JSON must stay JSON in an ASCII locale)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a test's StringIO: it takes text
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))


class Utf8Output:
    """Standard output taking text and writing it as UTF-8 whatever the locale, as it goes (no
    newline translation: CSV's own line ends stay)."""

    def __init__(self, buffer: BinaryIO) -> None:
        self.buffer = buffer

    def write(self, text: str) -> int:
        self.buffer.write(text.encode("utf-8"))
        return len(text)


def utf8_output() -> TextIO | Utf8Output:
    """Where to write text that must be UTF-8 (a test's StringIO takes text as it is)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        return sys.stdout
    sys.stdout.flush()
    return Utf8Output(buffer)


def write_chunks(chunks: Iterable[bytes]) -> None:
    """UTF-8 `chunks` to standard output as they are (text to a test's StringIO)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(b"".join(chunks).decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.writelines(chunks)


def is_output_error(exc: OSError) -> bool:
    """Whether `exc` is a failed write to a stream (not to a named file)."""
    return exc.filename is None and exc.errno in OUTPUT_ERRNOS


def silence_stdout() -> None:
    """Point standard output at /dev/null, so that what is still buffered cannot fail again
    (and print 'Exception ignored') when the interpreter flushes it on the way out."""
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def output_failed(exc: OSError) -> int:
    """The exit status of a run whose output could not be written, said once on stderr."""
    silence_stdout()
    if exc.errno == errno.EPIPE:  # `cpkb ... | head`: the reader has all it wanted
        return ExitCode.OK
    say(f"cpkb: error: cannot write the output: {exc.strerror or exc}")
    return ExitCode.OUTPUT


def stdout_identity() -> tuple[int, int] | None:
    """What standard output is now (device, inode), to tell later whether it was replaced."""
    try:
        st = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    return st.st_dev, st.st_ino


def silenced_since(before: tuple[int, int] | None) -> bool:
    """Whether standard output was pointed at /dev/null since `before` (as Rich does, then
    exits 1, when the reader of a pipe went away)."""
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    now = stdout_identity()
    return before is not None and before != now == (null.st_dev, null.st_ino)


def say(line: str) -> None:
    """One line on standard error, if it can still be written."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(line, file=sys.stderr, flush=True)
