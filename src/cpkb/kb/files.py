"""Reading a data file's bytes, and the errors for a file that cannot be read or used."""

from __future__ import annotations

import os
import shlex
import stat
import sys
from typing import TYPE_CHECKING

from cpkb.errors import DataError
from cpkb.kb.paths import STDIN, default_data_path

if TYPE_CHECKING:
    from pathlib import Path

# A pipe or other non-regular file can be read only once: what was read, by path.
_READ_ONCE: dict[str, bytes] = {}
CHECK_PATH = "check --data or CPKB_DATA"


def validate_hint(path: Path | str) -> str:
    """How to see every problem of this file."""
    named = "" if str(path) == str(default_data_path()) else f" {shlex.quote(str(path))}"
    return f"run 'cpkb validate{named}' to see every problem in the file"


def bad_data(path: Path | str, problem: str) -> DataError:
    """The error for a data file that was read but cannot be used."""
    return DataError(path, problem, hint=validate_hint(path))


def unreadable(path: Path | str, problem: str) -> DataError:
    """The error for a data file that cannot be read at all."""
    return DataError(path, problem, hint=CHECK_PATH)


def read_bytes(path: Path | str) -> bytes:
    """The file's bytes, with every way of failing to read it turned into a DataError. A pipe
    (`--data <(...)`) is read once: asked again, it gives the same bytes."""
    if str(path) in _READ_ONCE:
        return _READ_ONCE[str(path)]
    if str(path) == STDIN:
        _READ_ONCE[STDIN] = sys.stdin.buffer.read() if sys.stdin is not None else b""
        return _READ_ONCE[STDIN]
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise unreadable(path, "is a device, not a data file")
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise unreadable(path, "no such file") from None
    except IsADirectoryError:
        raise unreadable(path, "is a directory, not a data file") from None
    except PermissionError:
        raise unreadable(path, "permission denied") from None
    except OSError as exc:
        raise unreadable(path, f"cannot be read ({exc.strerror or exc})") from None
    except MemoryError:
        raise unreadable(path, "is too large to read") from None
    if not stat.S_ISREG(mode):
        _READ_ONCE[str(path)] = raw
    return raw


def read_input(path: Path | str, *, hint: str = "") -> bytes:
    """An input file that is not the data file (`--text`, `import FILE`), read as `read_bytes`
    reads one; its errors hinted at what named it, not at --data."""
    try:
        return read_bytes(path)
    except DataError as exc:
        raise DataError(exc.path, exc.problem, hint=hint) from None


def decode(path: Path | str, raw: bytes) -> str:
    """UTF-8 text (a leading byte-order mark is allowed)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        problem = f"is not UTF-8 (byte 0x{raw[exc.start]:02x} at line {line}, column {column})"
        raise bad_data(path, problem) from None
