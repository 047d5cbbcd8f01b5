"""The write rows of bench/run.py (issue 16), on the largest KB as a canonical version-2 file
(bench/version2.py: bench/generate.py's output with stored claim ids, laid out as writes lay
it out).

- `claim add ID`: one claim added, end to end (lock, read, validate, write, fsync), with
  validate's memo of the file before the write warm, as it is after any earlier write;
- the same through the whole document (CPKB_WRITE_WHOLE=1: the file read whole through TinyDB's
  storage and laid out whole), the reference path of writes;
- `import` of 10,000 claims (a tenth of the entities' count below 100k) in one write, from a
  CSV of new claims each run, on a fresh copy whose memo is warm; and of 2,000 claims all on
  one entity (the ids an entity has are counted once, not once a claim);
- `diff OLD NEW` of two versions that differ in 100 claims.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import version2
from run import Bench, Row, Spawner, progress, size_name

IMPORTED = 10_000  # claims, at 100k entities
ON_ONE = 2_000  # claims, on one entity
DIFFERING = 100  # claims


def kb_file(kbs: Path, size: int, seed: int) -> tuple[Path, dict[str, str]]:
    """The cached canonical version-2 KB of `size` entities and its probes."""
    import json

    path = kbs / f"kb-{size}-seed{seed}-schema2.json"
    probes_path = path.with_suffix(".probes.json")
    if not (path.is_file() and probes_path.is_file()):
        progress(f"making {path.name}")
        probes = version2.write(size, seed, path)
        probes_path.write_text(json.dumps(probes, ensure_ascii=False), encoding="utf-8")
    return path, dict(json.loads(probes_path.read_text(encoding="utf-8")))


REMARK = "remark"  # the property the timed claims say, declared on each fresh copy


def claims_csv(path: Path, base: Path, count: int, tag: str, *, one: bool = False) -> None:
    """`count` new claims on entities of `base` picked at random, or all on the first if `one`
    (a remark each, paraphrased)."""
    import re

    raw = base.read_bytes()
    ids = re.findall(rb'\n    \{\n      "id": "([^"]+)"', raw[raw.find(b'\n  "entities"') :])
    rng = random.Random(tag)
    rows = ["entity,property,value,source,paraphrase"]
    for k in range(count):
        entity = (ids[0] if one else rng.choice(ids)).decode()
        rows.append(f"{entity},{REMARK},{tag} {k},synthetic-1,Said in bulk ({tag} {k}).")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def time_writes(bench: Bench, kbs: Path, size: int, seed: int, env: dict[str, str]) -> Path:
    """Time the write rows on a canonical version-2 KB of `size` entities; its path."""
    base, probes = kb_file(kbs, size, seed)
    kb = f"{size_name(size)} v2"
    work, cpkb = base.with_name(f"work-{base.name}"), bench.cpkb

    def fresh() -> None:
        shutil.copyfile(base, work)
        declare = ["property", "add", REMARK, "--label", REMARK, "--takes", "text"]
        bench.spawner.run([*cpkb, "--data", str(work), *declare])  # untimed, as is
        bench.spawner.run([*cpkb, "validate", str(work)])  # its memo, warm

    add = [*cpkb, "--data", str(work), "claim", "add", probes["id"], REMARK, "timed",
           "--source", "synthetic-1", "--paraphrase", "Timed."]  # fmt: skip
    progress(f"{kb}: cpkb claim add")
    fresh()
    bench.rows.append(Row(kb, "claim_add", "claim add ID", bench.measure(add)))
    progress(f"{kb}: cpkb claim add, whole document")
    whole = Spawner({**env, "CPKB_WRITE_WHOLE": "1"}, kbs, bench.spawner.timeout)
    try:
        timing = Bench(whole, cpkb, None, min(bench.runs, 3), False, bench.budget).measure(add)
    finally:
        whole.close()
    bench.rows.append(Row(kb, "claim_add_whole", "claim add ID (whole document)", timing))
    _time_import(bench, kb, work, fresh, base, size)
    _time_diff(bench, kb, base, work)
    for left in (work, work.with_name(f"{work.name}.lock")):  # the copy, and its writes' lock
        left.unlink(missing_ok=True)
    return base


def _time_import(
    bench: Bench, kb: str, work: Path, fresh: Callable[[], None], base: Path, size: int
) -> None:
    count = IMPORTED if size >= 100_000 else max(1, size // 10)
    feed = work.with_name("claims.csv")
    counter = iter(range(1, 1_000_000))

    def new_claims() -> None:
        fresh()
        claims_csv(feed, base, count, f"run-{next(counter)}")

    progress(f"{kb}: cpkb import of {count:,} claims")
    argv = [*bench.cpkb, "--data", str(work), "import", str(feed)]
    timing = bench.measure(argv, cold=new_claims, runs=min(bench.runs, 3))
    bench.rows.append(Row(kb, "import", f"import {count:,} claims (one write)", timing))

    def on_one() -> None:
        fresh()
        claims_csv(feed, base, ON_ONE, f"run-{next(counter)}", one=True)

    progress(f"{kb}: cpkb import of {ON_ONE:,} claims on one entity")
    timing = bench.measure(argv, cold=on_one, runs=min(bench.runs, 3))
    bench.rows.append(Row(kb, "import_one", f"import {ON_ONE:,} claims on one entity", timing))
    feed.unlink(missing_ok=True)


def _time_diff(bench: Bench, kb: str, base: Path, work: Path) -> None:
    """`diff` of the KB and a copy with DIFFERING claims added."""
    shutil.copyfile(base, work)
    feed = work.with_name("differ.csv")
    claims_csv(feed, base, DIFFERING, "differ")
    bench.spawner.run([*bench.cpkb, "--data", str(work), "import", str(feed)])
    feed.unlink(missing_ok=True)
    progress(f"{kb}: cpkb diff OLD NEW")
    argv = [*bench.cpkb, "diff", str(base), str(work)]
    label = f"diff OLD NEW ({DIFFERING} claims differ)"
    bench.rows.append(Row(kb, "diff", label, bench.measure(argv)))
