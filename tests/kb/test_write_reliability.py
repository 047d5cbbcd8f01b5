"""Writes under stress, for real: processes (not threads) on real files. Concurrent writers,
kill -9 at random moments, readers during writes, a full disk, read-only files and folders, a
file replaced by another program, a lock whose holder died. README: "Every write"."""

from __future__ import annotations

import contextlib
import json
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.synthetic import version_2
from tests.writes import COMMAND, claim_ids, environment, make_kb, run

# One process making many writes through the CLI, in this process (cpkb.cli.run): each prints
# the exit status and the id it printed, a JSON line a write.
WRITER = """
import contextlib, io, json, sys
from cpkb.cli import run
path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for k in range(count):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(["--data", path, "claim", "add", "post-a", "status", f"{name}-{k}",
                    "--source", "article", "--paraphrase", f"{name} said {k}."])
    print(json.dumps({"code": code, "id": out.getvalue().strip()}), flush=True)
"""
# Reads the file as fast as it can until told to stop; prints how many claims each read held.
READER = """
import json, os, sys
path, stop = sys.argv[1], sys.argv[2]
counts = []
while not os.path.exists(stop):
    with open(path, "rb") as handle:
        data = json.loads(handle.read())
    counts.append(sum(len(e["claims"]) for e in data["entities"]))
print(json.dumps(counts))
"""


def python(code: str, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], env=environment(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)  # type: ignore[call-overload]  # fmt: skip


def test_eight_concurrent_writers_lose_no_write(tmp_path: Path) -> None:
    kb = make_kb(tmp_path)
    writers = [python(WRITER, str(kb), f"w{n}", "50") for n in range(8)]
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
        results += [json.loads(line) for line in out.splitlines()]
    assert len(results) == 400 and all(r["code"] == 0 for r in results)
    ids = {r["id"] for r in results}
    assert len(ids) == 400 and ids <= claim_ids(kb)
    values = {c.get("value") for e in json.loads(kb.read_bytes())["entities"] for c in e["claims"]}
    assert {f"w{n}-{k}" for n in range(8) for k in range(50)} <= values
    assert run("--data", str(kb), "validate").returncode == 0


def test_readers_during_writes_see_the_old_file_or_the_new(tmp_path: Path) -> None:
    kb = make_kb(tmp_path)
    stop = tmp_path / "stop"
    readers = [python(READER, str(kb), str(stop)) for _ in range(2)]
    writer = python(WRITER, str(kb), "w", "30")
    _, err = writer.communicate(timeout=600)
    stop.touch()
    assert writer.returncode == 0, err
    for reader in readers:
        seen, problem = reader.communicate(timeout=60)
        assert reader.returncode == 0, problem  # every read parsed: never a torn file
        counts = json.loads(seen)
        assert counts and counts == sorted(counts)  # and never an older file after a newer
    assert len(claim_ids(kb)) == 13 + 30


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A canonical version-2 file of 20,000 entities (~45 MB); validated, so its memo is warm."""
    path = tmp_path_factory.mktemp("big") / "kb.json"
    version_2().write(20_000, 1, path)
    declared = run(
        "--data", str(path), "property", "add", "remark", "--label", "remark", "--takes", "text"
    )
    assert declared.returncode == 0, declared.stderr
    assert run("validate", str(path)).returncode == 0
    return path


def test_kill_9_at_random_moments_never_loses_an_acknowledged_write(big: Path) -> None:
    rng, acknowledged = random.Random(9), set()
    args = ["--data", str(big), "claim", "add", "republic-of-kazakhstan", "remark", "v",
            "--source", "synthetic-1", "--paraphrase"]  # fmt: skip
    for warm_up in range(2):  # the second, as long as a write takes
        started = time.perf_counter()
        first = run(*args, f"Warm-up {warm_up}.")
        assert first.returncode == 0, first.stderr
        acknowledged.add(first.stdout.strip())
    lifetime = time.perf_counter() - started
    for n in range(50):
        argv = [*COMMAND, *args, f"Said {n}."]
        writer = subprocess.Popen(
            argv, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        time.sleep(rng.uniform(0, 1.2 * lifetime))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        if writer.returncode == 0:
            acknowledged.add(out.decode().strip())
        raw = big.read_bytes()  # always a whole file, holding every acknowledged write
        assert raw.endswith(b"\n  ]\n}\n")
        assert all(b'"id": "%s"' % claim_id.encode() in raw for claim_id in acknowledged)
        if n % 10 == 9:  # the whole file checked as `validate` checks it
            checked = run("validate", str(big))
            assert checked.returncode == 0, checked.stdout[-2000:]
    assert 2 < len(acknowledged) < 52, acknowledged  # some writes were killed, some were not
    after = run(*args, "After.")  # the next write removes the leftovers of the killed ones
    assert after.returncode == 0, after.stderr
    assert not list(big.parent.glob("kb.json.*.tmp"))
    ids = {c["id"] for e in orjson.loads(big.read_bytes())["entities"] for c in e["claims"]}
    assert acknowledged <= ids


def _limited(size: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_a_write_error_during_the_replace_leaves_the_original(tmp_path: Path) -> None:
    kb = make_kb(tmp_path)
    before = kb.read_bytes()
    done = subprocess.run(
        [*COMMAND, "--data", str(kb), "claim", "add", "post-a", "status", "x", "--source",
         "article", "--paraphrase", "p"],
        env=environment(), capture_output=True, text=True,
        preexec_fn=lambda: _limited(len(before) - 100),
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "could not be written (File too large)" in done.stderr
    assert kb.read_bytes() == before
    assert not list(tmp_path.glob("kb.json.*.tmp"))


@contextlib.contextmanager
def small_disk(folder: Path, size: int) -> Iterator[Path]:
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_during_the_replace_leaves_the_original(tmp_path: Path) -> None:
    size = len(make_kb(tmp_path).read_bytes())
    with small_disk(tmp_path / "disk", size + size // 2) as disk:
        kb = make_kb(disk)
        before = kb.read_bytes()
        done = run("--data", str(kb), "claim", "add", "post-a", "status", "x", "--source",
                   "article", "--paraphrase", "p")  # fmt: skip
        assert done.returncode == 3
        assert done.stderr.count("\n") == 1
        assert "could not be written (No space left on device)" in done.stderr
        assert kb.read_bytes() == before
        assert not list(disk.glob("kb.json.*.tmp"))


ADD = ["claim", "add", "post-a", "status", "x", "--source", "article", "--paraphrase", "p"]


def test_a_read_only_file_is_refused(tmp_path: Path) -> None:
    kb = make_kb(tmp_path)
    kb.chmod(0o444)
    done = run("--data", str(kb), *ADD)
    assert done.returncode == 3 and "is read-only (make it writable" in done.stderr


def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    kb = make_kb(tmp_path)
    before = kb.read_bytes()
    tmp_path.chmod(0o555)
    try:
        done = run("--data", str(kb), *ADD)
    finally:
        tmp_path.chmod(0o755)
    assert done.returncode == 3 and "its folder" in done.stderr and "read-only" in done.stderr
    assert kb.read_bytes() == before


def test_a_file_replaced_by_another_program_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    from cpkb.errors import DataError
    from cpkb.kb.draft import Draft
    from cpkb.kb.write import transact

    kb = make_kb(tmp_path)
    theirs = tmp_path / "theirs.json"
    theirs.write_bytes(kb.read_bytes().replace(b"Another post.", b"Their post."))

    def change(draft: Draft) -> None:
        post = draft.entity("post-a")
        assert post is not None
        draft.put({**post, "summary": "Our post."})
        replace = f"import os; os.replace({str(theirs)!r}, {str(kb)!r})"
        subprocess.run([sys.executable, "-c", replace], check=True)  # another program

    with pytest.raises(DataError, match="was changed by another program"):
        transact(kb, change, validate=lambda proposal: [])
    assert b"Their post." in kb.read_bytes()


HOLDER = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_a_lock_held_by_a_dead_process_is_free(tmp_path: Path) -> None:
    kb = make_kb(tmp_path)
    holder = python(HOLDER, f"{kb}.lock")
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.send_signal(signal.SIGKILL)
    holder.communicate()
    started = time.perf_counter()
    assert run("--data", str(kb), *ADD, env={"CPKB_LOCK_TIMEOUT": "5"}).returncode == 0
    assert time.perf_counter() - started < 5


def test_a_lock_held_by_a_live_process_times_out_clearly(tmp_path: Path) -> None:
    kb = make_kb(tmp_path)
    before = kb.read_bytes()
    holder = python(HOLDER, f"{kb}.lock")
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        done = run("--data", str(kb), *ADD, env={"CPKB_LOCK_TIMEOUT": "1"})
    finally:
        holder.kill()
        holder.communicate()
    assert done.returncode == 3
    assert f"another write has held its lock ({kb}.lock) for 1 s" in done.stderr
    assert kb.read_bytes() == before


def test_leftovers_of_killed_writes_are_removed_and_nothing_else(tmp_path: Path) -> None:
    kb = make_kb(tmp_path)
    dead = tmp_path / "kb.json.999999999.tmp"
    other = tmp_path / "notes.999999999.tmp"
    dead.write_bytes(b"partial")
    other.write_bytes(b"someone else's")
    assert run("--data", str(kb), *ADD).returncode == 0
    assert not dead.exists() and other.exists()
