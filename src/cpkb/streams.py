"""The process's own streams and arguments: decoding argv, writing output that cannot fail
silently, and telling a failed write to standard output from other errors."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterable

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
