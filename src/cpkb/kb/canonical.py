"""Which data files are known to be laid out canonically as a whole, without reading them.

A spliced write (kb.spliced) replaces only the entities it changes, so it leaves a file
canonical only if the file was; checking every other entity would cost what writing the whole
file does. So each write whose result is canonical leaves a stamp in the cache: the file's
path, its identity just after the write (device, inode, size, times: any later change moves
them) and cpkb's code key (the layout's rules). A file with the stamp is spliced; any other
(copied, checked out, edited by hand, or written by another version of cpkb) is laid out whole,
once, by the write, which stamps it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from cpkb.kb import atomic, cache


def known(target: Path, identity: Sequence[object]) -> bool:
    """Whether the last write left the file with this identity canonical."""
    try:
        with open(_entry(target), encoding="utf-8") as handle:
            return handle.read() == _stamp(target, identity)
    except (OSError, ValueError):
        return False


def stamp(target: Path, identity: Sequence[object]) -> None:
    """Note that the file, as it is now (`identity`), is laid out canonically (best effort)."""
    with contextlib.suppress(OSError):
        atomic.write_bytes(
            Path(_entry(target)), _stamp(target, identity).encode(), durable=False, make_folder=True
        )


def _entry(target: Path) -> str:
    return cache.entry("layout", os.path.realpath(target), "canonical")


def _stamp(target: Path, identity: Sequence[object]) -> str:
    return f"{os.path.realpath(target)}\n{list(identity)}\n{cache.code_key()}\n"
