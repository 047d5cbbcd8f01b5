"""Time each paired implementation of cpkb against its partner, on the same inputs, in one run.

Usage: python bench/pairs.py [--runs N] [--short-runs N] [--sizes 1000,20000,100000]
                             [--validate-sizes 20000,100000] [--pairs 1,2,3,4,5] [--quick]

Issue 12: every pair earns its keep by measurement, else it is merged into one.

1. JSON reading: the careful reader (store.parse_json on the decoded text: json with a duplicate-key
   hook, then the lone-surrogate scan) against the fast one (fastjson.loads: orjson and its
   checks), in-process, from the file's bytes, with the garbage collector paused and not.
2. Models: the careful parse (parse._owned(..., parse._entity), i.e. parse_entity without its quick
   attempt) against parse_entity as it runs (quick.entity), over every entity, GC paused; also
   parse_entity on the documents store.load hands it.
3. validate: whole processes of the reference path (CPKB_VALIDATE_REFERENCE=1) against the item by
   item path with no memo (a fresh CPKB_CACHE_DIR) and with a warm memo, one entity edited.
4. Fast lane against Typer (CPKB_DEBUG=1): whole processes of the installed script, bundled KB.
5. str against Path helpers: `python -c` processes running the lane as shipped, with pathlib
   imported first, and with plain_data_path disabled (resolve_data_path, hence pathlib, used), next
   to the floor; plus `-X importtime` of pathlib.

Variants of a pair run interleaved (round after round, their order rotated), after a warm-up
round, so that machine noise falls on both. The script prints, for each pair and input, the two
medians, their spread, the ratio, the saving and the rounds the faster one won, then a verdict;
the raw numbers go to bench/results/pairs-<UTC time>.json.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import run

BENCH = Path(__file__).resolve().parent
BUNDLED = run.BUNDLED
T = TypeVar("T")
REFERENCE_ENV = "CPKB_VALIDATE_REFERENCE"
LANE_TARGET = 6  # issue 5: bundled `show ID --json` within 6x the floor
# The console script's own lines (it imports re), then the call: `cpkb show adal-azamat --json`.
SHOW_CODE = (
    "import re, sys; from cpkb.entry import main; "
    "sys.argv = ['cpkb', 'show', 'adal-azamat', '--json']; sys.exit(main())"
)
NO_STR_PATH = "import cpkb.kb.paths as p; p.plain_data_path = lambda option: None; "
LANE_COMMANDS = [
    ("show_id_json", "show ID --json", ["show", "adal-azamat", "--json"]),
    ("show_name", "show NAME", ["show", "Adal Azamat"]),
    ("search_json", 'search "two words" --json', ["search", "child protection", "--json"]),
    ("stats_json", "stats --json", ["stats", "--json"]),
    ("stats", "stats", ["stats"]),
]


# --- what is measured --------------------------------------------------------------------------


@dataclass
class Variant:
    """The timed runs of one implementation on one input, round by round."""

    key: str
    label: str
    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)  # whole processes only
    error: str = ""

    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else math.nan

    def spread(self) -> str:
        if len(self.seconds) < 2:
            return "—"
        return f"{duration(min(self.seconds))}–{duration(max(self.seconds))}"


@dataclass
class Comparison:
    """The slow (careful, reference) and fast member of a pair on one input."""

    pair: int
    input: str
    condition: str
    slow: Variant
    fast: Variant
    same_output: bool | None = None  # whole processes: did both print the same bytes each round

    def ratio(self) -> float:
        return self.fast.median() / self.slow.median()

    def saving(self) -> float:
        return self.slow.median() - self.fast.median()

    def share(self) -> float:
        return self.saving() / self.slow.median()

    def wins(self) -> int:
        return sum(f < s for f, s in zip(self.fast.seconds, self.slow.seconds, strict=False))

    def rounds(self) -> int:
        return min(len(self.fast.seconds), len(self.slow.seconds))

    def pays(self, min_share: float) -> bool:
        """Saves at least `min_share` of the slow median, and was faster in 80% of the rounds."""
        if self.slow.error or self.fast.error or not self.rounds():
            return False
        return self.share() >= min_share and self.wins() >= math.ceil(0.8 * self.rounds())


@dataclass
class Report:
    comparisons: list[Comparison] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    verdicts: dict[int, str] = field(default_factory=dict)


def duration(seconds: float) -> str:
    if math.isnan(seconds):
        return "—"
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    if seconds < 0.01:
        return f"{sign}{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{sign}{seconds * 1000:.1f} ms"
    return f"{sign}{seconds:.2f} s"


def progress(message: str) -> None:
    print(f"pairs: {message}", file=sys.stderr, flush=True)


def rotated(items: Sequence[T], k: int) -> list[T]:
    k %= len(items)
    return [*items[k:], *items[:k]]


# --- pairs 1 and 2: in-process, in a worker interpreter per input -------------------------------


def worker(kind: str, path: Path, runs: int, warmup: int) -> dict[str, Any]:
    """Time the variants of `kind` on `path` in this interpreter; their seconds and checks."""
    from cpkb.kb import collector, fastjson, files, parse, quick, read, store

    raw = files.read_bytes(path)
    info: dict[str, Any] = {"bytes": len(raw)}
    tasks: dict[str, tuple[Callable[[], object], bool]] = {}
    if kind == "reader":

        def careful() -> object:
            return read.parse_json(path, files.decode(path, raw))

        def fast() -> object:
            return fastjson.loads(raw)

        answered = fast()
        info["fast_answered"] = answered is not None
        info["same_document"] = answered == careful()
        del answered
        tasks = {
            "careful_paused": (careful, True),
            "fast_paused": (fast, True),
            "careful_gc": (careful, False),
            "fast_gc": (fast, False),
        }
    else:
        entities = json.loads(raw)["entities"]
        documents = store.read_all(path)[3]  # what store.load parses

        def careful_parse() -> object:
            return [
                parse.careful_entity(doc, f"$.entities[{i}]", 1) for i, doc in enumerate(entities)
            ]

        def fast_parse() -> object:
            return [
                parse.parse_entity(doc, f"$.entities[{i}]", 1) for i, doc in enumerate(entities)
            ]

        def via_load() -> object:
            return [
                parse.parse_entity(doc, f"$.entities[{i}]", 1) for i, doc in enumerate(documents)
            ]

        info["entities"] = len(entities)
        info["quick_declined"] = sum(quick.entity(doc, 1) is None for doc in entities)
        info["quick_declined_on_tinydb_documents"] = sum(
            quick.entity(doc, 1) is None for doc in documents
        )
        info["same_models"] = careful_parse() == fast_parse() == via_load()
        tasks = {
            "careful": (careful_parse, True),
            "fast": (fast_parse, True),
            "via_load": (via_load, True),
        }
    seconds: dict[str, list[float]] = {key: [] for key in tasks}
    for attempt in range(warmup + runs):
        for key in rotated(list(tasks), attempt):
            task, paused = tasks[key]
            gc.collect()
            if paused:
                with collector.paused():
                    start = time.perf_counter()
                    result = task()
                    elapsed = time.perf_counter() - start
            else:
                start = time.perf_counter()
                result = task()
                elapsed = time.perf_counter() - start
            del result
            if attempt >= warmup:
                seconds[key].append(elapsed)
    return {"seconds": seconds, "info": info}


def in_process(bench: Bench, kind: str, path: Path) -> dict[str, Any]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, str(path)]
    argv += ["--runs", str(bench.runs), "--warmup", str(int(bench.warmup))]
    done = subprocess.run(argv, env=bench.env, capture_output=True, text=True, timeout=3600)
    if done.returncode:
        raise SystemExit(f"pairs: worker {kind} on {path} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def pair_reader(bench: Bench, inputs: dict[str, Path], report: Report) -> None:
    infos = {}
    for name, path in inputs.items():
        progress(f"1 reader: {name}")
        result = in_process(bench, "reader", path)
        infos[name], seconds = result["info"], result["seconds"]
        for condition, suffix in (("GC paused", "paused"), ("GC on", "gc")):
            slow = Variant(f"careful_{suffix}", "careful reader", seconds[f"careful_{suffix}"])
            fast = Variant(f"fast_{suffix}", "fast reader (orjson)", seconds[f"fast_{suffix}"])
            report.comparisons.append(Comparison(1, name, condition, slow, fast))
    progress("1 reader: import orjson in a fresh interpreter")
    code = "import time; t = time.perf_counter(); import orjson; print(time.perf_counter() - t)"
    imports = [float(output([sys.executable, "-c", code], bench.env)) for _ in range(bench.runs)]
    report.extras["reader"] = {"inputs": infos, "import_orjson_seconds": imports}


def pair_parse(bench: Bench, inputs: dict[str, Path], report: Report) -> None:
    infos = {}
    for name, path in inputs.items():
        progress(f"2 parse: {name}")
        result = in_process(bench, "parse", path)
        infos[name], seconds = result["info"], result["seconds"]
        slow = Variant("careful", "careful parse", seconds["careful"])
        fast = Variant("fast", "parse_entity (quick)", seconds["fast"])
        report.comparisons.append(Comparison(2, name, "GC paused, dicts", slow, fast))
        via = Variant("via_load", "parse_entity on TinyDB docs", seconds["via_load"])
        report.comparisons.append(Comparison(2, name, "as store.load runs it", slow, via))
    report.extras["parse"] = {"inputs": infos}


# --- pairs 3, 4 and 5: whole processes ----------------------------------------------------------


@dataclass
class Process:
    """A command line timed as one variant, by a spawner with its own environment."""

    variant: Variant
    spawner: run.Spawner
    argv: list[str]
    before: Callable[[], None] | None = None  # untimed, before each of its runs
    outputs: list[bytes] = field(default_factory=list)


@dataclass
class Bench:
    env: dict[str, str]
    work: Path
    cpkb: list[str]
    runs: int
    short_runs: int
    warmup: bool
    timeout: int
    spawners: list[run.Spawner] = field(default_factory=list)

    def spawner(self, **extra: str) -> run.Spawner:
        spawner = run.Spawner(self.env | extra, self.work, self.timeout)
        self.spawners.append(spawner)
        return spawner

    def close(self) -> None:
        for spawner in self.spawners:
            spawner.close()
        self.spawners.clear()

    def interleave(
        self, processes: list[Process], runs: int, each_round: Callable[[], None] | None = None
    ) -> None:
        """A warm-up round, then `runs` rounds of every process, their order rotated."""
        for attempt in range(int(self.warmup) + runs):
            if each_round:
                each_round()
            for proc in rotated(processes, attempt):
                if proc.variant.error:
                    continue
                if proc.before:
                    proc.before()
                sample, out, err = proc.spawner.run(proc.argv)
                if sample.code != 0:
                    proc.variant.error = f"exit {sample.code}: {run.first_line(err)}"
                    progress(f"  {proc.variant.label}: {proc.variant.error}")
                elif attempt >= self.warmup:
                    proc.variant.seconds.append(sample.seconds)
                    proc.variant.rss_kib.append(sample.rss_kib)
                    proc.outputs.append(out)


def agree(*procs: Process) -> bool:
    """Whether the processes printed the same bytes in every round."""
    return all(len(set(outs)) == 1 for outs in zip(*(p.outputs for p in procs), strict=False))


def pair_validate(
    bench: Bench, files: dict[str, tuple[Path, dict[str, str]]], report: Report
) -> None:
    for name, (path, probes) in files.items():
        progress(f"3 validate: {name}")
        validate_one(bench, name, path, probes, report)


def validate_one(
    bench: Bench, name: str, path: Path, probes: dict[str, str], report: Report
) -> None:
    """The three ways of validating one KB, each run on a fresh edit of the same copy."""
    work = bench.work / f"validate-{name}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    edited, memo, fresh = work / path.name, work / "memo", work / "fresh"
    text = path.read_text(encoding="utf-8")
    label = json.dumps(probes["name"], ensure_ascii=False)
    if text.count(f'"name":{label}') != 1:
        raise SystemExit(f"pairs: the probe name {label} must appear once in {path}")
    counter = itertools.count()

    def edit() -> None:  # one entity's name changed: the memo must check it again
        changed = f'"name":{label[:-1]} {next(counter)}"'
        edited.write_text(text.replace(f'"name":{label}', changed), encoding="utf-8")

    argv = [*bench.cpkb, "validate", str(edited)]
    reference = Process(
        Variant("reference", "whole document (reference)"),
        bench.spawner(**{REFERENCE_ENV: "1", "CPKB_CACHE_DIR": str(work / "unused")}),
        argv,
    )
    no_memo = Process(
        Variant("items_no_memo", "item by item, no memo"),
        bench.spawner(CPKB_CACHE_DIR=str(fresh)),
        argv,
        before=lambda: shutil.rmtree(fresh, ignore_errors=True),
    )
    warm = Process(
        Variant("items_warm_memo", "item by item, warm memo"),
        bench.spawner(CPKB_CACHE_DIR=str(memo)),
        argv,
    )
    edit()
    warm.spawner.run(argv)  # untimed: the memo of the file before the edits
    if not any(memo.rglob("*")):
        raise SystemExit(f"pairs: validate left no memo in {memo}")
    bench.interleave([reference, no_memo, warm], bench.runs, each_round=edit)
    same = agree(reference, no_memo, warm)
    for proc, condition in ((no_memo, "no memo"), (warm, "warm memo, 1 entity edited")):
        report.comparisons.append(
            Comparison(3, name, condition, reference.variant, proc.variant, same)
        )
    bench.close()
    shutil.rmtree(work, ignore_errors=True)


def pair_processes(bench: Bench, wanted: set[int], report: Report) -> None:
    """Pairs 4 and 5 in the same rounds, with the floor: all short processes on the bundled KB."""
    plain, debug = bench.spawner(), bench.spawner(CPKB_DEBUG="1")
    floor = Process(Variant("floor", "python -c pass"), plain, [sys.executable, "-c", "pass"])
    procs, lanes = [floor], []
    if 4 in wanted:
        for key, label, args in LANE_COMMANDS:
            lane = Process(Variant(f"lane_{key}", f"lane: {label}"), plain, [*bench.cpkb, *args])
            typer = Process(Variant(f"typer_{key}", f"Typer: {label}"), debug, [*bench.cpkb, *args])
            lanes.append((label, typer, lane))
            procs += [lane, typer]
    helpers = {}
    if 5 in wanted:
        for key, label, code in (
            ("str", "lane, str path (as shipped)", SHOW_CODE),
            ("pathlib", "lane + import pathlib", "import pathlib; " + SHOW_CODE),
            ("path", "lane, Path helper only", NO_STR_PATH + SHOW_CODE),
        ):
            argv = [sys.executable, "-c", code]
            helpers[key] = Process(Variant(f"helper_{key}", label), plain, argv)
        procs += helpers.values()
    progress(f"4/5 short processes: {len(procs)} command lines, {bench.short_runs} rounds")
    bench.interleave(procs, bench.short_runs)
    report.extras["floor"] = asdict(floor.variant)
    for label, typer, lane in lanes:
        same = agree(typer, lane)
        report.comparisons.append(
            Comparison(4, "bundled", label, typer.variant, lane.variant, same)
        )
    if helpers:
        same = agree(*helpers.values())
        for key, condition in (("pathlib", "pathlib imported"), ("path", "Path helper only")):
            compared = Comparison(
                5, "bundled", condition, helpers[key].variant, helpers["str"].variant, same
            )
            report.comparisons.append(compared)
        report.extras["helpers"] = helper_checks(bench, helpers, floor.variant)
    bench.close()


PATHLIB_LINE = re.compile(r"^import time:\s+\d+ \|\s+(\d+) \|\s*pathlib$", re.M)


def pathlib_import(argv: list[str], env: dict[str, str]) -> tuple[float | None, bool]:
    """pathlib's cumulative import time under -X importtime (None: not imported); Typer seen."""
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    found = PATHLIB_LINE.search(done.stderr)
    typer = re.search(r"\|\s*typer$", done.stderr, re.M) is not None
    return (int(found.group(1)) / 1e6 if found else None), typer


def helper_checks(bench: Bench, helpers: dict[str, Process], floor: Variant) -> dict[str, Any]:
    """pathlib's import time alone and inside the lane, and the lane's target with each helper."""
    progress("5 helpers: -X importtime")
    python = [sys.executable, "-X", "importtime", "-c"]
    fresh, inside, typer_seen, pathlib_in_str = [], [], False, False
    for _ in range(bench.short_runs):
        alone, _ = pathlib_import([*python, "import pathlib"], bench.env)
        lane, typer = pathlib_import([*python, NO_STR_PATH + SHOW_CODE], bench.env)
        shipped, typer_too = pathlib_import([*python, SHOW_CODE], bench.env)
        fresh += [alone] if alone is not None else []
        inside += [lane] if lane is not None else []
        typer_seen |= typer or typer_too
        pathlib_in_str |= shipped is not None
    limit = LANE_TARGET * floor.median()
    return {
        "importtime_pathlib_fresh_seconds": fresh,
        "importtime_pathlib_in_lane_seconds": inside,
        "typer_imported_by_a_lane_variant": typer_seen,
        "pathlib_imported_with_str_path": pathlib_in_str,
        "target_limit_seconds": limit,
        "target": {
            key: {
                "median": proc.variant.median(),
                "x_floor": proc.variant.median() / floor.median(),
                "met": proc.variant.median() <= limit,
            }
            for key, proc in helpers.items()
        },
    }


def output(argv: list[str], env: dict[str, str]) -> str:
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout


# --- verdicts and the report --------------------------------------------------------------------


def pick(report: Report, pair: int, condition: str | None = None) -> list[Comparison]:
    return [
        c
        for c in report.comparisons
        if c.pair == pair and (condition is None or c.condition == condition)
    ]


def said(c: Comparison) -> str:
    return (
        f"saves {duration(c.saving())} at {c.input} ({c.share():.0%}; "
        f"{c.ratio():.2f}x), faster in {c.wins()}/{c.rounds()} rounds"
    )


def judged(c: Comparison | None, min_share: float, what: str = "") -> str:
    if c is None:
        return "not measured"
    if c.slow.error or c.fast.error:
        return f"not measured: {c.slow.error or c.fast.error}"
    if c.pays(min_share):
        return f"keeps its place: {what}{said(c)}"
    short = c.share() < min_share
    why = f"saves under {min_share:.0%}" if short else "too few rounds won to tell it from noise"
    return f"does not pay ({why}): merge: {what}{said(c)}"


def verdicts(report: Report, min_share: float) -> dict[int, str]:
    found: dict[int, str] = {}
    if rows := pick(report, 1, "GC paused"):
        last = rows[-1]
        notes = [f"{c.input} {duration(c.saving())} ({c.share():.0%})" for c in rows[:-1]]
        imports = report.extras["reader"]["import_orjson_seconds"]
        found[1] = (
            f"{judged(last, min_share)}; elsewhere, GC paused: {', '.join(notes)}; "
            f"importing orjson costs {duration(statistics.median(imports))} once per process"
        )
    if rows := pick(report, 2, "GC paused, dicts"):
        last = rows[-1]
        info = report.extras["parse"]["inputs"][last.input]
        load = pick(report, 2, "as store.load runs it")[-1]
        found[2] = (
            f"{judged(last, min_share)} (the index build); through store.load it declines on "
            f"{info['quick_declined_on_tinydb_documents']}/{info['entities']} TinyDB documents "
            f"({load.ratio():.2f}x the careful parse): there the pair pays nothing"
        )
    if rows := pick(report, 3, "warm memo, 1 entity edited"):
        no_memo = pick(report, 3, "no memo")[-1]
        found[3] = (
            f"{judged(rows[-1], min_share, 'with its memo ')}; with no memo it {said(no_memo)}"
        )
    if rows := pick(report, 4):
        show = next(c for c in rows if c.condition == "show ID --json")
        others = "; ".join(
            f"{c.condition} {duration(c.saving())} ({c.share():.0%})" for c in rows if c is not show
        )
        found[4] = f"{judged(show, min_share, 'on show ID --json ')}; others: {others}"
    if rows := pick(report, 5, "Path helper only"):
        target = report.extras["helpers"]["target"]
        met = "meets" if target["path"]["met"] else "MISSES"
        found[5] = (
            f"{judged(rows[0], min_share)}; without the str path the lane {met} its target "
            f"({target['path']['x_floor']:.2f}x the floor, limit {LANE_TARGET}x; "
            f"{target['str']['x_floor']:.2f}x with it)"
        )
    return found


TITLES = {
    1: "JSON reading: careful reader vs fast reader (fastjson)",
    2: "Building models: careful parse vs fast parse (quick)",
    3: "validate: whole document (reference) vs item by item",
    4: "Fast lane vs Typer (whole processes, bundled KB)",
    5: "str vs Path helpers (whole processes, `show ID --json`, bundled KB)",
}


def table(rows: list[Comparison]) -> str:
    lines = [
        "| input | condition | slow | median | min–max | fast | median | min–max "
        "| fast/slow | saving | faster in | same output |",
        "|---|---|---|--:|--:|---|--:|--:|--:|--:|--:|---|",
    ]
    for c in rows:
        same = {None: "", True: "yes", False: "**NO**"}[c.same_output]
        lines.append(
            f"| {c.input} | {c.condition} | {c.slow.label} | {duration(c.slow.median())} "
            f"| {c.slow.spread()} | {c.fast.label} | {duration(c.fast.median())} "
            f"| {c.fast.spread()} | {c.ratio():.2f}× | {duration(c.saving())} ({c.share():.0%}) "
            f"| {c.wins()}/{c.rounds()} | {same} |"
        )
    return "\n".join(lines)


def extras_text(report: Report) -> dict[int, str]:
    text: dict[int, str] = {}
    if "reader" in report.extras:
        reader = report.extras["reader"]
        imports = reader["import_orjson_seconds"]
        checks = ", ".join(
            f"{name}: {'answers' if i['fast_answered'] else 'declines'}"
            f"{'' if i['same_document'] else ' (DIFFERENT DOCUMENT)'}"
            for name, i in reader["inputs"].items()
        )
        text[1] = (
            f"`import orjson` in a fresh interpreter: {duration(statistics.median(imports))} "
            f"(median; {duration(min(imports))}–{duration(max(imports))}); cpkb uses the fast "
            f"reader from 1 MiB. Fast reader: {checks}. With that import counted (the first "
            f"read of a process), GC paused: {first_use(report, statistics.median(imports))}."
        )
    if "parse" in report.extras:
        text[2] = "Quick declined (fell back to careful) on: " + ", ".join(
            f"{name}: {i['quick_declined']}/{i['entities']} dicts, "
            f"{i['quick_declined_on_tinydb_documents']} TinyDB documents"
            f"{'' if i['same_models'] else ' (DIFFERENT MODELS)'}"
            for name, i in report.extras["parse"]["inputs"].items()
        )
    if "floor" in report.extras:
        floor = Variant(**report.extras["floor"])
        text[4] = f"Floor `python -c pass`: {duration(floor.median())} ({floor.spread()})."
    if "helpers" in report.extras:
        h = report.extras["helpers"]
        fresh, inside = (
            h["importtime_pathlib_fresh_seconds"],
            h["importtime_pathlib_in_lane_seconds"],
        )
        target = "; ".join(
            f"{key}: {duration(t['median'])} = {t['x_floor']:.2f}× floor "
            f"({'meets' if t['met'] else 'MISSES'})"
            for key, t in h["target"].items()
        )
        text[5] = (
            f"`-X importtime` pathlib, cumulative: {median_of(fresh)} in a fresh interpreter, "
            f"{median_of(inside)} inside the lane (Path helper only). Target ≤ {LANE_TARGET}× "
            f"floor = {duration(h['target_limit_seconds'])}: {target}. pathlib imported with the "
            f"str path: {h['pathlib_imported_with_str_path']}; Typer imported by a lane variant: "
            f"{h['typer_imported_by_a_lane_variant']}."
        )
    return text


def first_use(report: Report, imports: float) -> str:
    return ", ".join(
        f"{c.input} {duration(c.fast.median() + imports)} vs {duration(c.slow.median())}"
        for c in pick(report, 1, "GC paused")
    )


def median_of(values: list[float]) -> str:
    return duration(statistics.median(values)) if values else "—"


def render(report: Report, payload: dict[str, Any]) -> str:
    info, config = payload["machine"], payload["config"]
    loads = ", ".join(f"{k} {v:.2f}" for k, v in report.extras["load_average_before"].items())
    rounds = f"{config['runs']} rounds ({config['short_runs']} for whole short processes)"
    lines = [
        f"cpkb pairs, {payload['started']}: {info['cpu']}, {info['cores']} cores, Python "
        f"{info['python']}, {info['cpkb']} at {info['git_commit_at_end']}; medians of {rounds}"
        f"{' after a warm-up' if config['warmup'] else ''}; load average "
        f"{info['load_average_at_start'][0]:.2f} at start, {info['load_average_at_end'][0]:.2f} "
        f"at end (before each pair: {loads}); the run took {payload['duration_seconds']:.0f} s. "
        f"A pair pays when the fast one saves ≥ {config['min_saving']:.0%} of the slow median "
        "and wins ≥ 80% of rounds.",
    ]
    notes = extras_text(report)
    for pair, title in TITLES.items():
        rows = pick(report, pair)
        if not rows:
            continue
        lines += ["", f"## {pair}. {title}", "", table(rows)]
        if pair in notes:
            lines += ["", notes[pair]]
        lines += ["", f"**Verdict {pair}:** {report.verdicts.get(pair, 'not measured')}"]
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add = parser.add_argument
    add("--runs", type=int, help="timed rounds per pair (default 7; 1 with --quick)")
    add("--short-runs", type=int, help="rounds for pairs 4 and 5 (default 21; 1 with --quick)")
    add("--quick", action="store_true", help="no warm-up; 1 round unless told: a smoke test")
    add(
        "--sizes",
        type=run.parse_sizes,
        default=[1000, 20_000, 100_000],
        help="KB sizes for pairs 1 and 2, besides the bundled KB (default 1k,20k,100k)",
    )
    add(
        "--validate-sizes",
        type=run.parse_sizes,
        default=[20_000, 100_000],
        help="KB sizes for pair 3 (default 20k,100k)",
    )
    add("--pairs", default="1,2,3,4,5", help="which pairs to time (default 1,2,3,4,5)")
    add(
        "--min-saving",
        type=float,
        default=0.10,
        help="share of the slow median a pair must save to pay (default 0.10)",
    )
    add("--seed", type=int, default=1, help="generator seed (default 1)")
    add("--timeout", type=int, default=900, help="kill a run after this many seconds")
    add("--kbs-dir", type=Path, default=BENCH / "kbs", help="KB cache (default bench/kbs)")
    add("--results-dir", type=Path, default=BENCH / "results", help="default bench/results")
    args = parser.parse_args(argv)  # fmt: skip
    args.runs = args.runs or (1 if args.quick else 7)
    args.short_runs = args.short_runs or (1 if args.quick else 21)
    args.pairs = {int(p) for p in args.pairs.split(",") if p.strip()}
    if args.runs < 1 or args.short_runs < 1 or not args.pairs <= set(TITLES):
        parser.error("--runs and --short-runs must be at least 1; --pairs among 1,2,3,4,5")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started, clock, load = datetime.now(timezone.utc), time.perf_counter(), os.getloadavg()
    kbs = args.kbs_dir.resolve()
    work = kbs / "pairs-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = run.child_env(kbs) | {"XDG_CACHE_HOME": str(work / "cache")}
    if subprocess.run([sys.executable, "-c", "import cpkb"], env=env).returncode:
        raise SystemExit("pairs: run me with an interpreter that has cpkb installed (.venv)")
    cpkb = run.cpkb_command(None, env)
    sizes = sorted({*args.sizes, *args.validate_sizes})
    files = {run.size_name(n): run.kb_file(kbs, n, args.seed) for n in sizes}
    inputs = {"bundled": BUNDLED} | {
        run.size_name(n): files[run.size_name(n)][0] for n in args.sizes
    }
    source = run.source_digest()
    bench = Bench(env, work, cpkb, args.runs, args.short_runs, not args.quick, args.timeout)
    report = Report()
    loads = report.extras["load_average_before"] = {}
    try:
        if args.pairs & {4, 5}:
            loads["4/5"] = os.getloadavg()[0]
            pair_processes(bench, args.pairs, report)
        if 1 in args.pairs:
            loads["1"] = os.getloadavg()[0]
            pair_reader(bench, inputs, report)
        if 2 in args.pairs:
            loads["2"] = os.getloadavg()[0]
            pair_parse(bench, inputs, report)
        if 3 in args.pairs:
            loads["3"] = os.getloadavg()[0]
            chosen = {run.size_name(n): files[run.size_name(n)] for n in args.validate_sizes}
            pair_validate(bench, chosen, report)
    finally:
        bench.close()
        shutil.rmtree(work, ignore_errors=True)
    report.verdicts = verdicts(report, args.min_saving)
    machine = run.machine(cpkb, None, env) | {"load_average_at_start": list(load)}
    machine.pop("jq", None)
    payload: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "stamp": "pairs-" + started.strftime("%Y%m%dT%H%M%SZ"),
        "duration_seconds": round(time.perf_counter() - clock, 1),
        "machine": machine,
        "source_digest": {"start": source, "end": run.source_digest()},
        "config": {k: (sorted(v) if isinstance(v, set) else v) for k, v in vars(args).items()
                   if not isinstance(v, Path)} | {"warmup": not args.quick},
        "kbs": {name: {"path": str(p), "bytes": p.stat().st_size} for name, p in inputs.items()}
        | {name: {"path": str(p), "bytes": p.stat().st_size} for name, (p, _) in files.items()},
        "comparisons": [
            asdict(c) | {"ratio": c.ratio(), "saving_seconds": c.saving(), "wins": c.wins(),
                         "pays": c.pays(args.min_saving)}
            for c in report.comparisons
        ],
        "extras": report.extras,
        "verdicts": {str(k): v for k, v in report.verdicts.items()},
    }  # fmt: skip
    if payload["source_digest"]["start"] != payload["source_digest"]["end"]:
        print("**Warning: src/ changed during the run; rows mix code versions.**\n")
    print(render(report, payload))
    print(f"\nRaw results: {run.write_results(args.results_dir, payload)}")
    return 0


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", choices=("reader", "parse"), required=True)
    parser.add_argument("path", type=Path)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--warmup", type=int, required=True)
    args = parser.parse_args(argv)
    print(json.dumps(worker(args.worker, args.path, args.runs, args.warmup)))
    return 0


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]) if "--worker" in sys.argv[1:2] else main())
