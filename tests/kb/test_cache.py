"""The one atomic write and the user cache: temporary files, staleness, the cache key, bounds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cpkb.kb import atomic, cache


def test_replacing_writes_all_or_nothing(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.replacing(target) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]  # no temporary file left
    atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"


def test_temporary_files_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    gone = tmp_path / f"x.sqlite.{dead.stdout.strip()}.tmp"
    mine = tmp_path / f"x.sqlite.{os.getpid()}.tmp"
    old = tmp_path / "y.sqlite.1.tmp"  # pid 1 is alive: removed for its age only
    for path in (gone, mine, old):
        path.write_bytes(b"x")
    assert atomic.remove_stale(str(tmp_path)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, old.name])
    os.utime(old, (time.time() - atomic.STALE_AFTER - 60,) * 2)
    assert atomic.remove_stale(str(tmp_path)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [mine.name]


def test_the_cache_key_follows_the_source_files(tmp_path: Path) -> None:
    """A copy of the package with one source file changed has another key."""
    import shutil

    import cpkb

    package = Path(cpkb.__file__).parent
    copy = tmp_path / "src" / "cpkb"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    if not (copy / "data").is_dir():  # a checkout: the bundled files are beside src/
        shutil.copytree(package.parent.parent / "data", copy / "data")
    code = "from cpkb.kb.cache import code_key; print(code_key())"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}

    def key() -> str:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True)  # fmt: skip
        return done.stdout

    before = key()
    assert key() == before
    with (copy / "query" / "search.py").open("a", encoding="utf-8") as out:
        out.write("\n# changed\n")
    assert key() != before


def test_tidy_removes_unused_and_excess_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CPKB_CACHE_DIR", str(tmp_path))
    (tmp_path / "index").mkdir()
    now = time.time()
    a, b, c = (f"{n:016x}.sqlite" for n in (10, 11, 12))
    for name, age in ((a, 0), (b, 10), (c, cache.MAX_AGE + 10)):
        path = tmp_path / "index" / name
        path.write_bytes(b"x" * 100)
        os.utime(path, (now - age, now - age))
    cache.tidy()
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == [a, b]
    monkeypatch.setattr(cache, "MAX_BYTES", 150)
    cache.tidy()  # the most recently used first, until the bound
    assert [p.name for p in (tmp_path / "index").iterdir()] == [a]
    assert cache.clear() == (1, 100, 0)


def test_cache_clear_removes_only_what_cpkb_made(tmp_path: Path) -> None:
    env = {**os.environ, "CPKB_CACHE_DIR": str(tmp_path)}
    for kind in ("index", "validate"):
        (tmp_path / kind).mkdir()
        (tmp_path / kind / "notes.txt").write_text("mine", encoding="utf-8")
    made = [tmp_path / "index" / f"{1:016x}.sqlite", tmp_path / "index" / f"{1:016x}.sqlite-wal",
            tmp_path / "validate" / f"{2:016x}.memo.12345.tmp"]  # fmt: skip
    for path in made:
        path.write_bytes(b"x")
    done = subprocess.run([sys.executable, "-m", "cpkb", "cache", "clear"], env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "removed 3 entries" in done.stderr and "left 2 other files alone" in done.stderr
    assert not any(p.exists() for p in made)
    assert all((tmp_path / kind / "notes.txt").exists() for kind in ("index", "validate"))
