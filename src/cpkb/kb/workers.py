"""Pure work on the items of a large array, split between forked worker processes.

Forked, so workers inherit the items instead of receiving copies; only results travel back, in
order. Linux only, and only from PARALLEL_FROM items: below that, forking costs more than it
saves. Used by `cpkb validate` (which forks while it holds bytes) and by the index build (which
forks holding the parsed document).
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
_job: tuple[Callable[[int, Sequence[Any]], Any], Sequence[Any]] | None = None


def runs(
    work: Callable[[int, Sequence[T]], R], items: Sequence[T], *, parallel: bool = True
) -> Iterator[R]:
    """`work(start, items[start : start + CHUNK])` for each run of items, in order, as they are
    done; by worker processes when `parallel` pays. Stop early, and the workers stop.

    `work` must be pure (its effects in a worker are lost); it need not be picklable, but its
    results must be.
    """
    global _job
    starts = range(0, len(items), CHUNK)
    count = workers(len(items)) if parallel else 1
    if count == 1:
        yield from (work(start, items[start : start + CHUNK]) for start in starts)
        return
    import multiprocessing  # only here: importing it costs more than most runs of one item

    _job = (work, items)
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            yield from pool.imap(_run, starts)
    finally:
        _job = None


def chunks(
    work: Callable[[Sequence[T]], list[R]], items: Sequence[T], *, parallel: bool = True
) -> Iterator[list[R]]:
    """`work(items)`, one result per item, a run of items at a time (see `runs`)."""
    return runs(lambda _, part: work(part), items, parallel=parallel)


def _run(start: int) -> Any:
    assert _job is not None, "set before forking"
    work, items = _job
    return work(start, items[start : start + CHUNK])


def workers(count: int) -> int:
    """How many worker processes `count` items are worth: 1 means none."""
    if count < PARALLEL_FROM or sys.platform != "linux":
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return min(cpus, MAX_WORKERS)
