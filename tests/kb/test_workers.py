"""The one fork pool (cpkb.kb.workers): results in order, and nothing a worker or the system
does to it (a dead worker, no descriptors, little memory, Ctrl-C) hangs or breaks a command.
The last three run real processes under real limits and signals on a 20,000-entity file."""

from __future__ import annotations

import os
import pty
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from cpkb.kb import workers
from tests.ptys import read_to_end
from tests.synthetic import generator

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="workers fork on Linux only")


@pytest.fixture
def forced(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Three workers for any number of items, in runs of 10; a test that hangs fails."""
    monkeypatch.setattr(workers, "PARALLEL_FROM", 0)
    monkeypatch.setattr(workers, "CHUNK", 10)
    monkeypatch.setattr(workers, "workers", lambda count: 3)
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("hangs"))
    signal.alarm(30)
    yield
    signal.alarm(0)


def squares(start: int, items: Sequence[int]) -> tuple[int, list[int]]:
    return start, [item * item for item in items]


@linux_only
def test_results_come_back_in_order(forced: None) -> None:
    items = list(range(95))
    found = list(workers.runs(squares, items))
    assert found == [
        (start, [i * i for i in items[start : start + 10]]) for start in range(0, 95, 10)
    ]
    assert list(workers.chunks(lambda part: [-i for i in part], items)) == [
        [-i for i in items[start : start + 10]] for start in range(0, 95, 10)
    ]


@linux_only
def test_a_worker_that_dies_leaves_its_work_to_this_process(forced: None) -> None:
    parent = os.getpid()

    def fragile(start: int, items: Sequence[int]) -> tuple[int, list[int]]:
        if start == 40 and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
        return squares(start, items)

    items = list(range(95))
    assert list(workers.runs(fragile, items)) == list(
        map(squares, range(0, 95, 10), [items[start : start + 10] for start in range(0, 95, 10)])
    )
    assert children(parent) == []


@linux_only
def test_stopping_early_stops_the_workers(forced: None) -> None:
    found = workers.runs(squares, list(range(1000)))
    assert next(found) == (0, [i * i for i in range(10)])
    assert len(children(os.getpid())) == 3
    found.close()
    assert children(os.getpid()) == []


def test_without_a_pipe_the_work_is_done_here(
    forced: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_descriptors() -> tuple[int, int]:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(os, "pipe", no_descriptors)
    assert list(workers.runs(squares, [1, 2, 3])) == [(0, [1, 4, 9])]


def children(pid: int) -> list[str]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listing:
        return listing.read().split()


# Real processes under real limits, on a file big enough for workers.


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("workers") / "kb-20000.json"
    with path.open("w", encoding="utf-8") as out:
        generator().generate(workers.PARALLEL_FROM, 1, out)
    return path


def cpkb(
    data: Path, cache: Path, *args: str, limit: tuple[int, int] | None = None
) -> subprocess.CompletedProcess[str]:
    """`cpkb --data DATA ARGS` through the index, under resource `limit` (kind, value) if given."""

    def limited() -> None:
        if limit is not None:
            resource.setrlimit(limit[0], (limit[1], limit[1]))

    env = {**os.environ, "CPKB_INDEX": "always", "CPKB_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "cpkb", "--data", str(data), *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, preexec_fn=limited
    )


@linux_only
def test_validate_with_few_descriptors_works_in_one_process(big: Path, tmp_path: Path) -> None:
    """Under `ulimit -n 8` there is no pipe for a worker: validate does the work itself."""
    free = cpkb(big, tmp_path / "free", "validate", "--json")
    limited = cpkb(
        big, tmp_path / "limited", "validate", "--json", limit=(resource.RLIMIT_NOFILE, 8)
    )
    assert (limited.returncode, limited.stdout, limited.stderr) == (
        free.returncode,
        free.stdout,
        free.stderr,
    )
    assert free.returncode == 0, free.stderr


@linux_only
def test_little_memory_ends_the_build_one_way_or_another(big: Path, tmp_path: Path) -> None:
    """Under `ulimit -v 300000` the build ends (it used to hang for good): it succeeds, or
    fails with one line; nothing is left in the cache but an index."""
    entity = "republic-of-kazakhstan"
    free = cpkb(big, tmp_path / "free", "show", entity, "--json")
    assert free.returncode == 0, free.stderr
    memory = (resource.RLIMIT_AS, 300_000 * 1024)
    limited = cpkb(big, tmp_path / "limited", "show", entity, "--json", limit=memory)
    if limited.returncode == 0:
        assert limited.stdout == free.stdout
    else:
        assert limited.stdout == "" and len(limited.stderr.splitlines()) == 1, limited.stderr
    left = [p.name for p in (tmp_path / "limited").rglob("*") if p.is_file()]
    assert all(name.endswith(".sqlite") for name in left), left


@linux_only
@pytest.mark.parametrize("delay", [0.0, 0.1, 0.4])
def test_ctrl_c_during_a_parallel_build_is_quiet(big: Path, tmp_path: Path, delay: float) -> None:
    """Ctrl-C at a terminal (SIGINT to the whole process group) while workers build the index:
    exit 130, no traceback from any process, the cursor shown again, no temporary file left,
    no worker left running."""
    env = {**os.environ, "CPKB_INDEX": "always", "CPKB_CACHE_DIR": str(tmp_path), "TERM": "xterm"}
    primary, secondary = pty.openpty()
    command = [sys.executable, "-m", "cpkb", "--data", str(big), "show", "republic-of-kazakhstan"]
    process = subprocess.Popen(
        command,
        env=env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        start_new_session=True,
    )
    os.close(secondary)
    forked = wait_for_workers(process)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    shown = read_all(primary)
    status = process.wait(timeout=30)
    assert status == 130, shown[-2000:]
    assert b"Traceback" not in shown and b"KeyboardInterrupt" not in shown, shown[-2000:]
    assert shown.rfind(b"\x1b[?25h") > shown.rfind(b"\x1b[?25l")  # the cursor is back
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []
    time.sleep(0.2)
    assert not [pid for pid in forked if Path(f"/proc/{pid}").exists()]


def wait_for_workers(process: subprocess.Popen[bytes]) -> list[str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        found = children(process.pid)
        if found:
            return found
        time.sleep(0.005)
    raise AssertionError("no worker was forked")


def read_all(descriptor: int) -> bytes:
    shown = read_to_end(descriptor)
    os.close(descriptor)
    return shown
