"""Time whole-process cpkb runs against the floor (`python -c pass`) and jq, on growing KBs.

Usage: python bench/run.py [--sizes 1000,10000,100000] [--runs N] [--quick] [--cpkb PATH]

Builds (or reuses, under bench/kbs/) synthetic KBs with bench/generate.py, runs each command once
to warm up and then --runs times, prints a Markdown table of medians with the ratios cpkb/jq and
cpkb/floor and the issue's targets with pass/fail, and writes the raw numbers and the machine to
bench/results/<UTC time>.json. A command cpkb does not have (usage error, exit 2) shows as n/a.
"Cold" rows time the first run after the data file changed: a fresh copy with one entity edited
before every run. "First run" rows time a file never seen: no index, no validate memo.

Commands are started by a minimal helper interpreter, because Linux counts the peak RSS of the
process that spawned a child into the child's own: spawned from here, the floor would look bigger.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import pty
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import generate

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BUNDLED = ROOT / "data" / "kb.json"
BUNDLED_PROBES = {
    "id": "adal-azamat",
    "name": "Qazaqstan Balalary",
    "two_words": "child protection",
    "typo": "Qazakstan Balalry",
    "cyrillic": "Қазақстан балалары",
    "last": "sexual-offences-involving-minors",
}
COLD_RUNS = 3  # at most; each needs a fresh copy of the data file

SELECT_ID = ".entities[] | select(.id == $q)"
SELECT_NAME = ".entities[] | select(.name == $q)"
SELECT_TYPE = '[.entities[] | select(.type == "statistic")]'
SELECT_PROGRAMMES = '[.entities[] | select(.type == "programme")]'
PROGRAMME_LINES = '.entities[] | select(.type == "programme")'  # a line each (jq -c)
SELECT_ALL = ".entities[]"  # what an export reads: every entity
SUBSTRING = '.entities[] | select([.name, .summary, .aliases[]] | any(test($q; "i")))'
# key, label, cpkb arguments ({probe} filled in), jq equivalent: (program, probe for $q) or None
COMMANDS: list[tuple[str, str, list[str], tuple[str, str] | None]] = [
    ("version", "--version", ["--version"], None),
    ("help", "--help", ["--help"], None),
    ("stats", "stats (table)", ["stats"], None),
    ("show_id_json", "show ID --json", ["show", "{id}", "--json"], (SELECT_ID, "id")),
    ("show_name", "show NAME (table)", ["show", "{name}"], (SELECT_NAME, "name")),
    ("search_words", 'search "two words" --json', ["search", "{two_words}", "--json"],
     (SUBSTRING, "two_words")),
    ("search_typo", "search typo --json", ["search", "{typo}", "--json"], (SUBSTRING, "typo")),
    ("search_cyrillic", "search Cyrillic --json", ["search", "{cyrillic}", "--json"],
     (SUBSTRING, "cyrillic")),
    ("xref", "xref ID --depth 2 --json", ["xref", "{id}", "--depth", "2", "--json"], None),
    ("path", "path ID LAST --json", ["path", "{id}", "{last}", "--json"], None),
    ("show_as_of", "show ID --as-of 2020 --json", ["show", "{id}", "--as-of", "2020", "--json"],
     None),
    ("show_known_by", "show ID --known-by 2020 --json",
     ["show", "{id}", "--known-by", "2020", "--json"], None),
    ("timeline", "timeline ID --json", ["timeline", "{id}", "--json"], None),
    ("brief", "brief ID (Markdown)", ["brief", "{id}"], None),
    ("graph", "graph --focus ID --depth 2", ["graph", "--focus", "{id}", "--depth", "2"], None),
    ("stats_json", "stats --json (whole file)", ["stats", "--json"], (SELECT_TYPE, "")),
    ("validate", "validate", ["validate"], None),
    ("list_json", "programme list --json", ["programme", "list", "--json"],
     (SELECT_PROGRAMMES, "")),
    ("list_jsonl", "programme list --format jsonl", ["programme", "list", "--format", "jsonl"],
     (PROGRAMME_LINES, "")),
    ("export_jsonl", "export jsonl", ["export", "jsonl"], (SELECT_ALL, "")),
    ("export_jsonld", "export jsonld", ["export", "jsonld"], (SELECT_ALL, "")),
    ("export_csv", "export csv DIR", ["export", "csv", "exported-csv", "--force"],
     (SELECT_ALL, "")),
    ("export_sqlite", "export sqlite FILE", ["export", "sqlite", "exported.sqlite", "--force"],
     (SELECT_ALL, "")),
]  # fmt: skip
# Human listings: the time until their first byte reaches a pipe, and until their first screen
# reaches a terminal (through a pager), the rest not waited for.
FIRST_BYTE: list[tuple[str, str, list[str]]] = [
    ("stats_first", "stats (table): first byte in a pipe", ["stats"]),
    ("list_first", "programme list: first byte in a pipe", ["programme", "list"]),
]
FIRST_SCREEN: list[tuple[str, str, list[str]]] = [
    ("stats_screen", "stats (table): first screen at a terminal", ["stats"]),
    ("list_screen", "programme list: first screen at a terminal", ["programme", "list"]),
]
SCREEN = (40, 120)  # the pseudo-terminal's lines and columns
BUNDLED_ONLY = {"version", "help", "stats"}  # they do not read the data, or print all of it
# Timed on the version-2 KB too (its claims have ids, periods and a vocabulary), beside `show`.
TIME_KEYS = ("show_id_json", "show_as_of", "show_known_by", "timeline", "path")
COLD = ("show_id_json", "validate")

# Requests "timeout\0stdout\0stderr\0argv0\0argv1...\n"; answers "seconds exit_code maxrss_kib".
SPAWNER = r"""
import os, signal, sys, time
child = 0
def expire(signum, frame):
    if child:
        os.kill(child, signal.SIGKILL)
signal.signal(signal.SIGALRM, expire)
null = os.open(os.devnull, os.O_RDONLY)
for line in sys.stdin.buffer:
    timeout, out, err, *argv = [os.fsdecode(f) for f in line.rstrip(b"\n").split(b"\0")]
    fds = [os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644) for p in (out, err)]
    actions = [(os.POSIX_SPAWN_DUP2, fd, n) for n, fd in enumerate([null, *fds])]
    try:
        start = time.perf_counter()
        child = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        signal.alarm(int(timeout))
        _, status, usage = os.wait4(child, 0)
        seconds = time.perf_counter() - start
        signal.alarm(0)
        child = 0
        answer = f"{seconds!r} {os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}"
    except OSError as exc:
        answer = f"error {exc}"
    for fd in fds:
        os.close(fd)
    sys.stdout.write(answer.replace("\n", " ") + "\n")
    sys.stdout.flush()
"""


@dataclass
class Sample:
    seconds: float
    code: int
    rss_kib: int


class Spawner:
    """Runs commands from a small helper process; reads back time, exit code and peak RSS."""

    def __init__(self, env: dict[str, str], workdir: Path, timeout: int) -> None:
        self.env, self.workdir, self.timeout = env, workdir, timeout
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", SPAWNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=workdir,
        )

    def run(self, argv: Sequence[str]) -> tuple[Sample, bytes, bytes]:
        out, err = self.workdir / "last-stdout.txt", self.workdir / "last-stderr.txt"
        fields = [str(self.timeout), str(out), str(err), *argv]
        if any("\0" in f or "\n" in f for f in fields):
            raise ValueError(f"cannot pass {argv!r} to the spawner")
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(b"\0".join(os.fsencode(f) for f in fields) + b"\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().decode()
        if not answer or answer.startswith("error"):
            raise RuntimeError(f"could not run {argv!r}: {answer.strip() or 'spawner died'}")
        seconds, code, rss = answer.split()
        return Sample(float(seconds), int(code), int(rss)), out.read_bytes(), err.read_bytes()

    def peak_kib(self) -> int | None:
        """The spawner's own peak RSS: the smallest peak RSS it can report for a child."""
        status = Path(f"/proc/{self.proc.pid}/status")
        found = re.search(r"^VmHWM:\s*(\d+)", status.read_text(), re.M) if status.exists() else None
        return int(found.group(1)) if found else None

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


@dataclass
class Timing:
    """The runs of one command line."""

    argv: list[str]
    status: str = "ok"  # ok | n/a (exit 2: no such command yet) | error | missing
    note: str = ""
    samples: list[Sample] = field(default_factory=list)
    stdout_bytes: int = 0

    def median(self) -> float | None:
        return statistics.median(s.seconds for s in self.samples) if self.usable() else None

    def peak_mib(self) -> float | None:
        peak = max((s.rss_kib for s in self.samples), default=0) if self.usable() else 0
        return peak / 1024 if peak else None  # none for a first byte: the run is cut short

    def usable(self) -> bool:
        return self.status == "ok" and bool(self.samples)


@dataclass
class Row:
    kb: str
    key: str
    label: str
    cpkb: Timing
    jq: Timing | None = None


def first_line(data: bytes) -> str:
    lines = [ln.strip("│ ") for ln in data.decode(errors="replace").splitlines() if ln.strip()]
    errors = [ln for ln in lines if "rror" in ln or "No such" in ln]
    return (errors or lines or [""])[0][:160]


@dataclass
class Bench:
    """One benchmark run: how to run things, and the rows measured so far."""

    spawner: Spawner
    cpkb: list[str]
    jq: str | None
    runs: int
    warmup: bool
    budget: float
    rows: list[Row] = field(default_factory=list)
    only: list[str] | None = None  # row keys; None: every row

    def measure(
        self, argv: list[str], *, cold: Callable[[], None] | None = None, runs: int = 0
    ) -> Timing:
        """Time `argv` (after an untimed warm-up unless cold); stop once a run is over budget."""
        timing, warmup = Timing(argv), self.warmup and cold is None
        total = (runs or self.runs) + warmup
        for attempt in range(total):
            if cold:
                cold()
            sample, out, err = self.spawner.run(argv)
            if sample.code == 2:
                return Timing(argv, "n/a", first_line(err))
            if sample.code not in (0, 1):
                killed = sample.code < 0 and sample.seconds >= self.spawner.timeout
                why = f"timed out after {self.spawner.timeout} s" if killed else first_line(err)
                return Timing(argv, "error", f"exit {sample.code}: {why}", timing.samples)
            if sample.code == 1:
                timing.note = f"exit 1: {first_line(err)}"
            timing.stdout_bytes = len(out)
            if attempt >= warmup:
                timing.samples.append(sample)
                if sample.seconds > self.budget and attempt + 1 < total:
                    timing.note = f"{len(timing.samples)} run(s): slower than {self.budget:g} s"
                    break
        return timing

    def first_byte(
        self, argv: list[str], until: Callable[..., float | None] | None = None
    ) -> Timing:
        """Time until `argv` writes its first byte to a pipe (or what `until` waits for), after
        an untimed warm-up; each run is stopped there."""
        timing = Timing(argv)
        for attempt in range(self.runs + self.warmup):
            seconds = (until or first_byte_of)(argv, self.spawner)
            if seconds is None:
                return Timing(argv, "error", "no output", timing.samples)
            if attempt >= self.warmup:
                timing.samples.append(Sample(seconds, 0, 0))
        return timing

    def time_kb(
        self,
        kb: str,
        path: Path | None,
        probes: dict[str, str],
        keys: Sequence[str] | None = None,
    ) -> None:
        data = ["--data", str(path)] if path else []
        wanted = keys if keys is not None else self.only
        for key, label, args, jq in COMMANDS:
            if (path and key in BUNDLED_ONLY) or (wanted is not None and key not in wanted):
                continue
            progress(f"{kb}: cpkb {label}")
            argv = [*self.cpkb, *data, *(a.format(**probes) for a in args)]
            row = Row(kb, key, label, self.measure(argv))
            if jq:
                row.jq = self.time_jq(label, jq, probes, path or BUNDLED)
            self.rows.append(row)
        for rows, until in ((FIRST_BYTE, first_byte_of), (FIRST_SCREEN, first_screen_of)):
            for key, label, args in rows:
                if wanted is not None and key not in wanted:
                    continue
                progress(f"{kb}: cpkb {label}")
                timing = self.first_byte([*self.cpkb, *data, *args], until)
                self.rows.append(Row(kb, key, label, timing))

    def time_jq(
        self, label: str, jq: tuple[str, str], probes: dict[str, str], path: Path
    ) -> Timing:
        if self.jq is None:
            return Timing([], "missing", "jq not found")
        progress(f"  jq for {label}")
        program, probe = jq
        query = probes.get(probe, "")
        query = re.escape(query) if program == SUBSTRING else query
        return self.measure([self.jq, "-c", "--arg", "q", query, program, str(path)])

    def time_cold(self, kb: str, path: Path, probes: dict[str, str], memos: Path) -> None:
        """After the data file changed: each run on a fresh copy in which one entity was edited
        (a longer name each time), so the index must be brought up to date and `validate` must
        check that entity again (it remembers the others, in `memos`). Both are also timed on a
        file never seen (no index, no memo at all): their first run."""
        copy = path.with_name(f"cold-{path.name}")
        counter = iter(range(1, 1_000_000))
        text = path.read_text(encoding="utf-8")
        name = json.dumps(probes["name"], ensure_ascii=False)
        assert text.count(f'"name":{name}') == 1, "the probe's name must appear once"

        def fresh_copy() -> None:
            edited = f'"name":{name[:-1]} {next(counter)}"'
            copy.write_text(text.replace(f'"name":{name}', edited), encoding="utf-8")

        def first_time() -> None:
            shutil.copyfile(path, copy)
            shutil.rmtree(memos, ignore_errors=True)
            for index in memos.parent.glob("*.sqlite"):  # warm rows are done: all indexes go
                index.unlink()

        for key, label, args, _ in COMMANDS:
            if key in COLD:
                progress(f"{kb} cold: cpkb {label}")
                argv = [*self.cpkb, "--data", str(copy), *(a.format(**probes) for a in args)]
                fresh_copy()
                self.spawner.run(argv)  # untimed: the index and memo of the file before the edit
                timing = self.measure(argv, cold=fresh_copy, runs=min(self.runs, COLD_RUNS))
                self.rows.append(Row(f"{kb}, cold", f"{key}_cold", label, timing))
        for key, label, args, _ in COMMANDS:
            if key in COLD:
                progress(f"{kb} first run: cpkb {label}")
                argv = [*self.cpkb, "--data", str(copy), *(a.format(**probes) for a in args)]
                timing = self.measure(argv, cold=first_time, runs=min(self.runs, COLD_RUNS))
                self.rows.append(Row(f"{kb}, first run", f"{key}_first", label, timing))
        copy.unlink(missing_ok=True)


def first_byte_of(argv: list[str], spawner: Spawner) -> float | None:
    """Seconds from starting `argv` to its first byte on a pipe; None if none came."""
    start = time.perf_counter()
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, env=spawner.env, cwd=spawner.workdir,
                          ) as proc:  # fmt: skip
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], spawner.timeout)
        first = proc.stdout.read(1) if ready else b""
        seconds = time.perf_counter() - start
        proc.kill()
    return seconds if first else None


def first_screen_of(argv: list[str], spawner: Spawner) -> float | None:
    """Seconds from starting `argv` with its output on a pseudo-terminal of SCREEN until the
    terminal has a screenful of lines, shown through a pager that reads one and quits (`head`:
    the pager a person quits after the first screen), or all of a shorter output; None if
    nothing came."""
    lines, columns = SCREEN
    env = {**spawner.env, "LINES": str(lines), "COLUMNS": str(columns), "TERM": "xterm-256color",
           "CPKB_PAGER": f"head -n {lines}"}  # fmt: skip
    primary, secondary = pty.openpty()
    start, got, ended = time.perf_counter(), 0, False
    with subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=secondary,
                          stderr=subprocess.DEVNULL, env=env, cwd=spawner.workdir,
                          start_new_session=True) as proc:  # fmt: skip
        os.close(secondary)
        while got < lines:
            left = start + spawner.timeout - time.perf_counter()
            ready, _, _ = select.select([primary], [], [], max(left, 0))
            chunk = _read_terminal(primary) if ready else b""
            if not chunk:
                ended = bool(ready)  # the output ended within the screen
                break
            got += chunk.count(b"\n")
        seconds = time.perf_counter() - start
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # cpkb, and the pager it started
    os.close(primary)
    return seconds if got >= lines or (ended and got) else None


def _read_terminal(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the terminal's other end is closed
        return b""


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def size_name(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def parse_sizes(text: str) -> list[int]:
    sizes = set()
    for part in text.lower().replace("_", "").split(","):
        size = int(part.strip().removesuffix("k")) * (1000 if part.strip().endswith("k") else 1)
        if size < 2:
            raise argparse.ArgumentTypeError(f"size {part!r}: a KB here needs 2 entities or more")
        sizes.add(size)
    return sorted(sizes)


def kb_file(kbs: Path, size: int, seed: int) -> tuple[Path, dict[str, str]]:
    """The cached KB of `size` entities and its probes, generated when missing."""
    path = kbs / f"kb-{size}-seed{seed}-v{generate.GENERATOR_VERSION}.json"
    probes_path = path.with_suffix(".probes.json")
    if path.is_file() and probes_path.is_file():
        return path, dict(json.loads(probes_path.read_text(encoding="utf-8")))
    started, partial = time.perf_counter(), path.with_name(path.name + ".tmp")
    with partial.open("w", encoding="utf-8") as out:
        probes = generate.generate(size, seed, out)
    partial.replace(path)
    probes_path.write_text(json.dumps(probes, ensure_ascii=False, indent=2), encoding="utf-8")
    progress(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path, probes


def time_kb(kbs: Path, size: int, seed: int) -> tuple[Path, dict[str, str]]:
    """The version-2 KB the commands over time are timed on (bench/writes.py makes it)."""
    import writes

    return writes.kb_file(kbs, size, seed)


def child_env(kbs: Path) -> dict[str, str]:
    """The environment of every timed command: no CPKB_* settings, a cache dir of its own, and
    bytecode caching on, as for an installed program (PYTHONDONTWRITEBYTECODE would make every
    run of a source checkout compile cpkb's modules again)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPKB_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["XDG_CACHE_HOME"] = str(kbs / "cache")
    return env


def cpkb_command(option: str | None, env: dict[str, str]) -> list[str]:
    """--cpkb PATH; else the `cpkb` script installed beside this interpreter, as a user runs it;
    else this interpreter's `-m cpkb` (with src/ on PYTHONPATH if needed)."""
    if option:
        found = shutil.which(option)
        if found is None:
            raise SystemExit(f"bench: --cpkb {option!r}: no such program")
        return [str(Path(found).absolute())]
    script = Path(sys.executable).parent / "cpkb"
    if script.is_file():
        return [str(script)]
    if subprocess.run(
        [sys.executable, "-c", "import cpkb"], env=env, capture_output=True
    ).returncode:
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")])
        )
    return [sys.executable, "-m", "cpkb"]


def output_of(argv: list[str], env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    return (done.stdout or done.stderr).strip()


def machine(cpkb: list[str], jq: str | None, env: dict[str, str]) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo")
    text = cpuinfo.read_text() if cpuinfo.is_file() else ""
    models = re.findall(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    git = ["git", "-C", str(ROOT)]
    return {
        "cpu": models[0].strip() if models else platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "cpkb": output_of([*cpkb, "--version"], env),
        "cpkb_command": cpkb,
        "jq": output_of([jq, "--version"]) if jq else "not found",
        "git_commit_at_end": output_of([*git, "rev-parse", "--short", "HEAD"]),
        "git_dirty": bool(output_of([*git, "status", "--porcelain", "--untracked-files=no"])),
        "load_average_at_end": list(os.getloadavg()),  # other work on the machine skews times
    }


def source_digest() -> str:
    """A hash of the checkout's src/: if it changes during a run, rows mix code versions."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src").rglob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def spread(timing: Timing) -> str:
    times = [s.seconds for s in timing.samples] if timing.usable() else []
    return f"{ms(min(times))}–{ms(max(times))}" if len(times) > 1 else "—"


def mib(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} MiB"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def times(value: float | None) -> str:
    if value is None:
        return "—"
    if value == int(value):
        return f"{value:.0f}×"
    return f"{value:.3f}×" if value < 0.1 else f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


def cell(timing: Timing | None) -> str:
    if timing is None:
        return "—"
    return ms(timing.median()) if timing.usable() else timing.status


def table(rows: list[Row], floor: Timing) -> str:
    lines = [
        "| KB | command | cpkb median | min–max | cpkb peak RSS | jq median | jq peak RSS "
        "| cpkb/jq | cpkb/floor |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
        f"| — | floor: `python -c pass` | {ms(floor.median())} | {spread(floor)} "
        f"| {mib(floor.peak_mib())} | | | | 1× |",
    ]
    for row in rows:
        jq = row.jq.median() if row.jq else None
        lines.append(
            f"| {row.kb} | {row.label} | {cell(row.cpkb)} | {spread(row.cpkb)} "
            f"| {mib(row.cpkb.peak_mib())} | {cell(row.jq)} "
            f"| {mib(row.jq.peak_mib() if row.jq else None)} "
            f"| {times(ratio(row.cpkb.median(), jq))} "
            f"| {times(ratio(row.cpkb.median(), floor.median()))} |"
        )
    return "\n".join(lines)


SEARCHES = ("search_words", "search_typo", "search_cyrillic")
LIKE_JQ = ("stats_json", "list_json", "list_jsonl", "export_jsonl", "export_jsonld",
           "export_csv", "export_sqlite")  # fmt: skip
TIMED_LIKE_SHOW = ("show_as_of", "show_known_by", "timeline", "path")


def targets(rows: list[Row], floor: Timing) -> list[dict[str, Any]]:
    """The issue's targets, checked against this run's medians."""
    found = {(r.kb, r.key): r for r in rows}
    label = {key: text for key, text, _, _ in COMMANDS}
    label |= {key: text for key, text, _ in [*FIRST_BYTE, *FIRST_SCREEN]}

    def median(row: Row) -> float | None:
        return row.cpkb.median()

    def vs_floor(row: Row) -> float | None:
        return ratio(row.cpkb.median(), floor.median())

    def vs_jq(row: Row) -> float | None:
        return ratio(row.cpkb.median(), row.jq.median() if row.jq else None)

    def peak(row: Row) -> float | None:
        return row.cpkb.peak_mib()

    specs: list[Spec] = [
        (f"bundled: {label[k]} ≤ {f}× floor", "bundled", [k], vs_floor, f, times)
        for k, f in (("show_id_json", 6), ("stats", 9), ("version", 5))
    ]
    for key, limit in [("show_id_json", 0.1)] + [(k, 0.15) for k in SEARCHES]:
        specs.append((f"100k warm: {label[key]} ≤ {ms(limit)}", "100k", [key], median, limit, ms))
        name = f"100k warm: {label[key]} ≥ 15× faster than jq"
        specs.append((name, "100k", [key], vs_jq, 1 / 15, times))
    for key in TIMED_LIKE_SHOW:  # issue 14: within the target show has, on a version-2 KB
        specs.append((f"100k v2 warm: {label[key]} ≤ 100 ms", "100k v2", [key], median, 0.1, ms))
    # issue 17: a brief of one entity within a second
    specs.append((f"100k warm: {label['brief']} ≤ 1 s", "100k", ["brief"], median, 1.0, ms))
    for key in LIKE_JQ:  # issue 17: listings and exports within 1.5× jq's selection
        specs.append((f"100k warm: {label[key]} ≤ 1.5× jq", "100k", [key], vs_jq, 1.5, times))
    name = "100k warm: peak RSS of stats --json, programme list --json/jsonl and exports ≤ 300 MiB"
    specs.append((name, "100k", list(LIKE_JQ), peak, 300, mib))
    for key, text, _ in [*FIRST_BYTE, *FIRST_SCREEN]:  # issue 17: a first screen within 1 s
        specs.append((f"100k warm: {text} ≤ 1 s", "100k", [key], median, 1.0, ms))
    name = "100k warm: peak RSS of show ID --json and search ≤ 60 MiB"
    specs.append((name, "100k", ["show_id_json", *SEARCHES], peak, 60, mib))
    name = "100k cold (an entity edited): show ID --json, the index brought up to date, ≤ 10 s"
    specs.append((name, "100k, cold", ["show_id_json_cold"], median, 10, ms))
    name = "100k cold (an entity edited): validate ≤ 3 s"
    specs.append((name, "100k, cold", ["validate_cold"], median, 3, ms))
    for key, limit in (("claim_add", 3), ("import", 15), ("diff", 10)):  # issue 16
        specs.append(
            (f"100k v2: {WRITE_LABELS[key]} ≤ {limit} s", "100k v2", [key], median, limit, ms)
        )
    return [evaluate(found, *spec) for spec in specs]


WRITE_LABELS = {
    "claim_add": "claim add ID (end to end)",
    "import": "import of 10,000 claims in one write",
    "diff": "diff of two versions differing in 100 claims",
}


# name, KB, row keys, the value of a row, its limit (the worst row counts), how to show a value
Spec = tuple[
    str, str, list[str], Callable[[Row], "float | None"], float, Callable[["float | None"], str]
]


def evaluate(
    found: dict[tuple[str, str], Row],
    name: str,
    kb: str,
    keys: list[str],
    value: Callable[[Row], float | None],
    limit: float,
    show: Callable[[float | None], str],
) -> dict[str, Any]:
    result: dict[str, Any] = {"target": name, "limit": show(limit), "passed": None}
    rows = [found[kb, key] for key in keys if (kb, key) in found]
    missing = [r.cpkb.status for r in rows if not r.cpkb.usable()]
    values = [value(r) for r in rows]
    if not rows or missing or None in values:
        result["measured"] = "not measured" if not rows else (missing or ["n/a"])[0]
        return result
    worst = max(v for v in values if v is not None)
    result.update(measured=show(worst), passed=worst <= limit)
    return result


def targets_table(items: list[dict[str, Any]]) -> str:
    marks = {True: "pass", False: "**FAIL**", None: "—"}
    lines = ["| target | measured | limit | result |", "|---|--:|--:|---|"]
    for t in items:
        lines.append(f"| {t['target']} | {t['measured']} | {t['limit']} | {marks[t['passed']]} |")
    return "\n".join(lines)


def write_results(directory: Path, payload: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{payload['stamp']}.json"
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add = parser.add_argument
    add(
        "--sizes",
        type=parse_sizes,
        default=[1000, 10_000, 100_000],
        help="KB sizes, comma-separated (default 1000,10000,100000; 10k works too)",
    )
    add("--runs", type=int, help="timed runs per command (default 5; 1 with --quick)")
    add("--quick", action="store_true", help="no warm-up runs; 1 timed run unless --runs")
    add("--seed", type=int, default=1, help="generator seed (default 1)")
    add("--cpkb", help="time this installed cpkb program instead of `python -m cpkb`")
    add("--jq", default="jq", help="the jq program (default: jq on PATH)")
    add(
        "--budget",
        type=float,
        default=60,
        help="stop repeating a command once a run takes longer, in seconds (default 60)",
    )
    add("--timeout", type=int, default=900, help="kill a run after this many seconds")
    add(
        "--rows",
        choices=("all", "reads", "time", "writes"),
        default="all",
        help="time reading commands, only those over time (show --as-of, --known-by, timeline "
        "and path on the version-2 KB, beside show), write commands (bench/writes.py), or all "
        "(default)",
    )
    add(
        "--only",
        type=lambda text: [key.strip() for key in text.split(",") if key.strip()],
        help="time only these rows, by key (e.g. show_id_json,stats_json,stats_first): at the "
        "sizes given, not on the bundled KB, and no cold or first-run rows",
    )
    add("--kbs-dir", type=Path, default=BENCH / "kbs", help="KB cache (default bench/kbs)")
    add("--results-dir", type=Path, default=BENCH / "results", help="default bench/results")
    args = parser.parse_args(argv)
    args.runs = args.runs or (1 if args.quick else 5)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started, clock, load = datetime.now(timezone.utc), time.perf_counter(), os.getloadavg()
    kbs = args.kbs_dir.resolve()
    kbs.mkdir(parents=True, exist_ok=True)
    env = child_env(kbs)
    cpkb = cpkb_command(args.cpkb, env)
    jq = shutil.which(args.jq)
    reads = args.rows in ("all", "reads")
    files = {size: kb_file(kbs, size, args.seed) for size in args.sizes} if reads else {}
    timed = time_kb(kbs, max(args.sizes), args.seed) if args.rows != "writes" else None
    shutil.rmtree(kbs / "cache", ignore_errors=True)  # our own XDG_CACHE_HOME: start clean
    source = source_digest()
    spawner = Spawner(env, kbs, args.timeout)
    bench = Bench(spawner, cpkb, jq, args.runs, not args.quick, args.budget, only=args.only)
    try:
        progress("floor: python -c pass")
        floor = bench.measure([sys.executable, "-c", "pass"])
        if reads:
            if args.only is None:
                bench.time_kb("bundled", None, BUNDLED_PROBES)
            for size, (path, probes) in files.items():
                bench.time_kb(size_name(size), path, probes)
            memos = kbs / "cache" / "cpkb" / "validate"  # where validate remembers, in our cache
            if args.only is None:
                bench.time_cold(size_name(size), path, probes, memos)
        if timed is not None:
            bench.time_kb(f"{size_name(max(args.sizes))} v2", *timed, keys=TIME_KEYS)
        written = None
        if args.rows in ("all", "writes"):
            import writes

            written = writes.time_writes(bench, kbs, max(args.sizes), args.seed, env)
        spawner_kib = spawner.peak_kib()
    finally:
        spawner.close()
        shutil.rmtree(kbs / "cache", ignore_errors=True)  # indexes of 100k KBs are big
    checks = targets(bench.rows, floor)
    bundled_size = len(json.loads(BUNDLED.read_text("utf-8"))["entities"])
    kb_sizes = {"bundled": (bundled_size, BUNDLED)} if reads else {}
    kb_sizes |= {size_name(n): (n, path) for n, (path, _) in files.items()}
    v2_file = written if written is not None else timed[0] if timed is not None else None
    if v2_file is not None:
        kb_sizes[f"{size_name(max(args.sizes))} v2"] = (max(args.sizes), v2_file)
    payload = {
        "started": started.isoformat(timespec="seconds"),
        "stamp": started.strftime("%Y%m%dT%H%M%SZ"),
        "duration_seconds": round(time.perf_counter() - clock, 1),
        "machine": machine(cpkb, jq, env) | {"load_average_at_start": list(load)},
        "source_digest": {"start": source, "end": source_digest()},
        "config": {k: v for k, v in vars(args).items() if not isinstance(v, Path)}
        | {"warmup": not args.quick, "generator_version": generate.GENERATOR_VERSION},
        "kbs": {
            k: {"entities": n, "path": str(p), "bytes": p.stat().st_size}
            for k, (n, p) in kb_sizes.items()
        },
        "probes": {"bundled": BUNDLED_PROBES} | {size_name(n): p for n, (_, p) in files.items()},
        "spawner_peak_rss_kib": spawner_kib,
        "floor": asdict(floor),
        "rows": [asdict(r) for r in bench.rows],
        "targets": checks,
    }
    print(report(payload, bench.rows, floor))
    print(f"\nRaw results: {write_results(args.results_dir, payload)}")
    return 0


def rss_note(spawner_kib: int | None) -> str:
    if spawner_kib is None:
        return ""
    return (
        f"Peak RSS under {spawner_kib / 1024:.0f} MiB is the measuring process's own: Linux "
        "counts it into its children's.\n\n"
    )


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"


def report(payload: dict[str, Any], rows: list[Row], floor: Timing) -> str:
    info, config = payload["machine"], payload["config"]
    runs = f"{config['runs']} timed run(s)" + (" after a warm-up" if config["warmup"] else "")
    kbs = "; ".join(
        f"{name} = {kb['entities']:,} entities ({megabytes(kb['bytes'])})"
        for name, kb in payload["kbs"].items()
    )
    digest = payload["source_digest"]
    changed = digest["start"] != digest["end"]
    warning = "**Warning: src/ changed during the run; rows mix code versions.**\n\n"
    return (warning if changed else "") + (
        f"cpkb benchmark, {payload['started']}: {info['cpu']}, {info['cores']} cores, "
        f"Python {info['python']}, {info['cpkb']}, {info['jq']}; medians of {runs}; "
        f"the run took {payload['duration_seconds']:.0f} s.\n\nKBs: {kbs}.\n\n"
        f"{table(rows, floor)}\n\n{rss_note(payload['spawner_peak_rss_kib'])}"
        f"Targets (issue 5):\n\n{targets_table(payload['targets'])}"
    )


if __name__ == "__main__":
    sys.exit(main())
