"""`cpkb validate` on large files: the fast path (item by item, with a memo of the items that
passed and worker processes) reports exactly what the reference path reports, and the memo never
hides a change. The reference: CPKB_VALIDATE_REFERENCE=1, or check_bytes(..., fast=False).
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpkb.check import items as itemcheck
from cpkb.check import memo as itemcache
from cpkb.check.memo import ItemMemo
from cpkb.check.problems import Checked
from cpkb.check.whole import check_bytes
from cpkb.kb import workers as forked
from tests.synthetic import generator

ROOT = Path(__file__).resolve().parents[2]
LARGE = 25_000  # over cpkb.kb.workers.PARALLEL_FROM: a first run checks items in worker processes


@functools.cache
def generated(n: int, seed: int) -> str:
    """A synthetic KB as bench/generate.py writes it: one source or entity a line."""
    out = io.StringIO()
    generator().generate(n, seed, out)
    return out.getvalue()


class Lines:
    """A generated KB, line by line, to edit entity by entity."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.first = self.lines.index('"entities":[') + 1

    def entity(self, i: int) -> dict[str, Any]:
        entity: dict[str, Any] = json.loads(self.lines[self.first + i].lstrip(","))
        return entity

    def put(self, i: int, value: object, *, indent: int | None = None) -> None:
        """Replace entity `i` (keeping its separator) by `value`, written on one line or more."""
        comma = "," if i else ""  # bench/generate.py starts each line but the first with one
        self.lines[self.first + i] = comma + json.dumps(value, ensure_ascii=False, indent=indent)

    def edit(self, i: int, change: Callable[[dict[str, Any]], object]) -> None:
        entity = self.entity(i)
        change(entity)
        self.put(i, entity)

    def text(self) -> str:
        return "\n".join(self.lines)


def _target_claim(entity: dict[str, Any]) -> dict[str, Any]:
    claim: dict[str, Any] = next(c for c in entity["claims"] if "target" in c)
    return claim


def broken(n: int, seed: int) -> str:
    """A generated KB with problems of many kinds, in items spread over the file."""
    kb = Lines(generated(n, seed))
    step = n // 16
    with_target = [i for i in range(1, n, 97) if any("target" in c for c in kb.entity(i)["claims"])]
    first_id = kb.entity(0)["id"]
    kb.edit(step, lambda e: e["sources"][0].update(source="no-such-source"))  # E202
    kb.edit(with_target[0], lambda e: _target_claim(e).update(target="no-such-entity"))  # E203
    kb.edit(with_target[1], lambda e: _target_claim(e).update(target=e["id"]))  # E204
    kb.edit(with_target[2], lambda e: e.update(id="Not A Slug"))  # E106, and E203 elsewhere
    kb.edit(2 * step, lambda e: e.pop("summary"))  # E102
    kb.edit(3 * step, lambda e: e.update(aliases="one alias"))  # E104
    kb.edit(4 * step, lambda e: e.update(id=first_id))  # E201
    kb.edit(5 * step, lambda e: e["claims"][0].update(date="2023-02-29"))  # E207
    kb.edit(6 * step, lambda e: e["aliases"].append(e["name"].upper()))  # W402
    kb.edit(7 * step, lambda e: e["claims"][0]["sources"].append(e["claims"][0]["sources"][0]))
    kb.edit(8 * step, lambda e: e["claims"][0].update(start="2020-05", end="2019"))  # W406
    kb.edit(9 * step, lambda e: e.update(name="   "))  # E108
    kb.put(10 * step, "not an entity")  # E104, a line of its own
    kb.put(11 * step, kb.entity(11 * step) | {"type": "weird"}, indent=2)  # E105, many lines
    kb.put(12 * step, kb.entity(12 * step), indent=1)  # valid, on many lines
    return kb.text()


def cli(path: Path, cache: Path, *args: str, reference: bool = False) -> tuple[int, str]:
    """Run the installed command; its exit status and output."""
    env = {**os.environ, "CPKB_CACHE_DIR": str(cache), "COLUMNS": "200"}
    env["CPKB_VALIDATE_REFERENCE"] = "1" if reference else "0"
    command = [sys.executable, "-m", "cpkb", "validate", str(path), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert not done.stderr, done.stderr
    return done.returncode, done.stdout


def test_a_large_file_reads_the_same_fast_as_by_reference(tmp_path: Path) -> None:
    path = tmp_path / "large.json"
    path.write_text(broken(LARGE, 3), encoding="utf-8")
    cache = tmp_path / "cache"
    expected = cli(path, cache, reference=True)
    codes = set(re.findall(r": (?:error|warning) ([EW][0-9]{3}) ", expected[1]))
    assert {"E102", "E104", "E105", "E106", "E108", "E201", "E202", "E203", "E204"} <= codes
    assert {"E207", "W402", "W403", "W406", "W407"} <= codes and expected[0] == 3
    assert not (cache / "validate").exists()  # the reference path keeps no memo
    assert cli(path, cache) == expected  # every item checked, by worker processes
    assert len(list((cache / "validate").iterdir())) == 1
    assert cli(path, cache) == expected  # with the memo: only the items that failed
    with path.open("a", encoding="utf-8") as tail:
        tail.write("   \n")  # changed, and not: the memo still serves
    assert cli(path, cache) == (expected[0], expected[1])


def check(raw: bytes, memo: ItemMemo | None = None) -> Checked:
    return check_bytes(raw, memo=memo)


def views(checked: Checked) -> list[dict[str, Any]]:
    return [problem.view() for problem in checked.problems]


def reference(raw: bytes) -> list[dict[str, Any]]:
    return views(check_bytes(raw, fast=False))


@pytest.fixture
def examined(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """How many items the fast path checked since last asked (the memo knew the others)."""
    counts: list[int] = []
    examine = itemcheck._examine

    def counting(parts: Any, raw: bytes, pending: Any) -> Any:
        counts.append(len(pending))
        return examine(parts, raw, pending)

    def count() -> int:
        total = sum(counts)
        counts.clear()
        return total

    monkeypatch.setattr(itemcheck, "_examine", counting)
    return count


def written(doc: dict[str, Any], indent: int | None) -> bytes:
    """`doc` indented, or one entity a line (as bench/generate.py writes it)."""
    if indent:
        return json.dumps(doc, ensure_ascii=False, indent=indent).encode()
    entities = ",\n".join(json.dumps(e, ensure_ascii=False) for e in doc["entities"])
    rest = json.dumps({k: v for k, v in doc.items() if k != "entities"}, ensure_ascii=False)
    return (rest[:-1] + ',\n"entities": [\n' + entities + "\n]}\n").encode()


@pytest.mark.parametrize("indent", [None, 2], ids=["one entity a line", "indented"])
def test_the_memo_serves_unchanged_items_and_never_a_changed_one(
    examined: Callable[[], int], indent: int | None
) -> None:
    doc = json.loads(generated(300, 11))
    raw = written(doc, indent)
    first = check(raw)
    assert examined() == len(doc["sources"]) + 300 and first.memo is not None
    assert views(check(raw, first.memo)) == views(first) == reference(raw)
    assert examined() == 0  # every item was known

    doc["entities"][150]["type"] = "weird"  # breaks the schema: E105
    doc["entities"].insert(10, doc["entities"][20] | {"id": "a-new-one"})
    del doc["entities"][200]
    edited = written(doc, indent)
    again = check(edited, first.memo)
    assert views(again) == reference(edited)
    assert any(p["code"] == "E105" for p in views(again))
    assert examined() == 2  # the changed and the added item: not the hundreds of others


def test_worker_processes_report_what_one_process_does(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = broken(400, 5).encode()
    one = views(check(raw))
    monkeypatch.setattr(forked, "PARALLEL_FROM", 50)
    if sys.platform == "linux" and len(os.sched_getaffinity(0)) > 1:
        assert forked.workers(400) > 1  # the parallel path runs
    assert views(check(raw)) == one == reference(raw)


FIELDS = st.sampled_from(["id", "type", "name", "aliases", "summary", "sources", "claims"])
KEYS = st.sampled_from(["source", "quote", "target", "value", "property", "unit"])
SCALARS = st.none() | st.booleans() | st.integers() | st.sampled_from(["", " ", "x", "Nurlan"])
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 59), FIELDS, VALUES)
def test_any_edit_after_a_memo_is_reported_as_by_reference(
    index: int, field: str, value: object
) -> None:
    kb = Lines(generated(60, 2))
    raw = kb.text().encode()
    memo = check(raw).memo
    kb.edit(index, lambda e: e.update({field: value}))
    edited = kb.text().encode()
    assert views(check(edited, memo)) == reference(edited)


def test_a_corrupt_or_unwritable_memo_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "kb.json"
    path.write_text(broken(200, 9), encoding="utf-8")
    cache = tmp_path / "cache"
    expected = cli(path, cache, reference=True)
    assert cli(path, cache) == expected
    (memo,) = (cache / "validate").iterdir()
    memo.write_bytes(memo.read_bytes()[:1000] + b"garbage")
    assert cli(path, cache) == expected
    assert len(itemcache.load(path, "another stamp")) == 0
    unwritable = tmp_path / "file-not-dir"
    unwritable.write_text("")
    assert cli(path, unwritable) == expected


def test_a_few_edits_do_not_rewrite_the_memo_many_do(tmp_path: Path) -> None:
    path, cache = tmp_path / "kb.json", tmp_path / "cache"
    kb = Lines(generated(300, 4))
    path.write_text(kb.text(), encoding="utf-8")
    cli(path, cache)
    (memo,) = (cache / "validate").iterdir()
    written = memo.read_bytes()
    kb.edit(100, lambda e: e.update(name=e["name"] + " Jr"))
    path.write_text(kb.text(), encoding="utf-8")
    assert cli(path, cache) == cli(path, cache, reference=True)
    assert memo.read_bytes() == written  # one item to check again next time: not worth a write
    for i in range(0, 300, 10):
        kb.edit(i, lambda e: e.update(summary=e["summary"] + "."))
    path.write_text(kb.text(), encoding="utf-8")
    assert cli(path, cache) == cli(path, cache, reference=True)
    assert memo.read_bytes() != written


LINE_BREAKERS = {
    "a repeated key": lambda line: line.replace('{"id":', '{"id":"x","id":', 1),
    "NaN": lambda line: line.replace('"claims":[', '"claims":[NaN,', 1),
    "a lone surrogate": lambda line: line.replace('"summary":"', '"summary":"\\ud800', 1),
    "a control character": lambda line: line.replace('"summary":"', '"summary":"\\u202e', 1),
    "two entities on a line": lambda line: line + line,
    "a trailing comma": lambda line: line.replace("]}]}", "]},]}", 1),
    "not JSON": lambda line: line[:-5],
}


@pytest.mark.parametrize("fault", list(LINE_BREAKERS))
def test_an_unusual_line_is_read_the_careful_way(fault: str) -> None:
    kb = Lines(generated(300, 6))
    memo = check(kb.text().encode()).memo
    kb.lines[kb.first + 123] = LINE_BREAKERS[fault](kb.lines[kb.first + 123])
    raw = kb.text().encode()
    assert views(check(raw)) == views(check(raw, memo)) == reference(raw)
