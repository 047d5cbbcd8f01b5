"""Pure work on the runs of a large array, by forked worker processes that inherit it; results
in order. Ctrl-C, a dead worker or no process to be had never hang or break the work."""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, NoReturn, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 2000  # items per unit of work
PARALLEL_FROM = 20_000
MAX_WORKERS = 4

Work = Callable[[int, Sequence[Any]], Any]


def runs(
    work: Callable[[int, Sequence[T]], R], items: Sequence[T], *, parallel: bool = True
) -> Iterator[R]:
    """`work(start, items[start : start + CHUNK])` for each run, in order; by workers when
    `parallel` pays. `work` must be pure, its results picklable. Stop early: the workers stop."""
    starts = range(0, len(items), CHUNK)
    count = workers(len(items)) if parallel else 1
    pool = _Pool.start(work, items, starts, count) if count > 1 else None
    done = 0
    if pool is not None:
        with pool:
            for result in pool.results(len(starts)):
                yield result
                done += 1
    for start in starts[done:]:  # no workers, or one of them died: the rest is done here
        yield work(start, items[start : start + CHUNK])


def chunks(
    work: Callable[[Sequence[T]], list[R]], items: Sequence[T], *, parallel: bool = True
) -> Iterator[list[R]]:
    """`work(items)`, one result per item, a run of items at a time (see `runs`)."""
    return runs(lambda _, part: work(part), items, parallel=parallel)


def workers(count: int) -> int:
    """How many worker processes `count` items are worth: 1 means none."""
    if count < PARALLEL_FROM or sys.platform != "linux":
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return min(cpus, MAX_WORKERS)


class _Pool:
    """Forked workers: worker k does runs k, k + count, ... and writes their results, pickled,
    to its pipe; results are read back in order, round the workers."""

    def __init__(self) -> None:
        self.workers: list[tuple[int, IO[bytes]]] = []  # pid, the pipe's end to read

    @classmethod
    def start(cls, work: Work, items: Sequence[Any], starts: range, count: int) -> _Pool | None:
        """`count` workers at work; None (and no worker left) if they cannot all be had."""
        pool = cls()
        try:
            for k in range(count):
                pool._fork(work, items, starts[k::count])
        except OSError:  # no process, descriptor or memory to be had: work in this process
            pool.__exit__()
            return None
        except BaseException:  # Ctrl-C
            pool.__exit__()
            raise
        return pool

    def _fork(self, work: Work, items: Sequence[Any], mine: range) -> None:
        read, write = os.pipe()
        # Ctrl-C is for this process, which stops the workers: they ignore it, and it waits
        # (blocked) until this worker is known, so that it is stopped too.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pid = os.fork()
            if pid == 0:
                inherited = [read, *(pipe.fileno() for _, pipe in self.workers)]
                _serve(write, inherited, work, items, mine)
            self.workers.append((pid, os.fdopen(read, "rb")))
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def results(self, count: int) -> Iterator[Any]:
        """The results of runs 0, 1, ... in order; stops early if a worker died."""
        for n in range(count):
            try:
                result = pickle.load(self.workers[n % len(self.workers)][1])
            except (EOFError, OSError, pickle.UnpicklingError, MemoryError, ValueError):
                return  # the worker died: the caller does the rest
            yield result

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *_: object) -> None:
        """Stop every worker (finished or not) and wait for it."""
        for pid, pipe in self.workers:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
            pipe.close()
        self.workers = []


def _serve(
    write: int, inherited: list[int], work: Work, items: Sequence[Any], mine: range
) -> NoReturn:
    """A worker's life: its runs' results to `write`, then exit, without Python's clean-up."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        for descriptor in inherited:
            os.close(descriptor)
        with os.fdopen(write, "wb") as out:
            for start in mine:
                pickle.dump(work(start, items[start : start + CHUNK]), out, pickle.HIGHEST_PROTOCOL)
                out.flush()
        status = 0
    finally:
        os._exit(status)
