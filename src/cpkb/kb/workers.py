"""Pure work on the items of a large array, split between worker processes.

The workers are forked, so they inherit the items (and compiled validators) instead of receiving
copies; only the results travel back, in order. Linux only, where forking is safe and cheap, and
only from PARALLEL_FROM items: below that, forking costs more than it saves. Cheap only while the
parent's heap is small: a worker that reads a parsed document of a million objects copies every
page it touches (reference counts are writes), so `cpkb validate` forks while it holds bytes,
not documents. cpkb.indexer forks by this module's `workers` too, with a pool of its own: its
work is numbered by where each chunk starts, and it forks holding the parsed document.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 2000  # items per unit of work
PARALLEL_FROM = 20_000
MAX_WORKERS = 4

# Set in this process before the workers fork: they inherit it instead of receiving a copy.
_job: tuple[Callable[[Sequence[Any]], list[Any]], Sequence[Any]] | None = None


def chunks(
    work: Callable[[Sequence[T]], list[R]], items: Sequence[T], *, parallel: bool = True
) -> Iterator[list[R]]:
    """`work(items)`, one result per item, chunk by chunk as they are done, in order; computed
    by worker processes when `parallel` pays. Stop early, and the workers stop.

    `work` must be pure (its effects in a worker are lost) and never sees more than CHUNK items
    at a time; it need not be picklable, but its results must be.
    """
    global _job
    count = workers(len(items)) if parallel else 1
    if count == 1:
        yield from (work(items[start : start + CHUNK]) for start in range(0, len(items), CHUNK))
        return
    import multiprocessing  # only here: importing it costs more than most runs of one item

    _job = (work, items)
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            yield from pool.imap(_run, range(0, len(items), CHUNK))
    finally:
        _job = None


def _run(start: int) -> list[Any]:
    assert _job is not None, "set before forking"
    work, items = _job
    return work(items[start : start + CHUNK])


def workers(count: int) -> int:
    """How many worker processes `count` items are worth: 1 means none."""
    if count < PARALLEL_FROM or sys.platform != "linux":
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return min(cpus, MAX_WORKERS)
