"""The console-script entry point, with a fast lane for the calls scripts make most.

`cpkb --version`, `cpkb show REF [--json]`, `cpkb search QUERY --json`, `cpkb stats [--json]` and
`cpkb TYPE list --json`
(each with an optional leading `--data PATH`) are answered here without importing Typer, which
costs more than most answers. Anything else, and any call that fails,
goes to the full Typer app (cpkb.cli), which therefore also produces every error message: the fast
lane prints only on success, and prints exactly what the full app would.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from cpkb import __version__, streams
from cpkb.errors import ExitCode
from cpkb.kb import collector

if TYPE_CHECKING:
    from pathlib import Path

    from cpkb.model.entities import KnowledgeBase
    from cpkb.present.human.progress import ProgressBar
    from cpkb.present.views import View
    from cpkb.query.catalog import Catalog
    from cpkb.query.current import Reading


def main() -> None:
    """The console script: cpkb's one exit point."""
    collector.one_shot()
    sys.exit(run(streams.decoded(sys.argv[1:])))


def hoisted(argv: list[str]) -> list[str]:
    """`--data PATH` given after the command moved before it, where it belongs (like gh and
    git: `cpkb show X --data f.json` is `cpkb --data f.json show X`); `--` ends options."""
    end = argv.index("--") if "--" in argv else len(argv)
    moved: list[str] = []
    rest: list[str] = []
    i = 0
    while i < end:
        arg = argv[i]
        if i > 0 and arg == "--data" and i + 1 < end:
            moved += argv[i : i + 2]
            i += 2
            continue
        (moved if i > 0 and arg.startswith("--data=") else rest).append(arg)
        i += 1
    return moved + rest + argv[end:]


def run(argv: list[str]) -> int:
    """The fast lane if it applies, else the full app; the exit status. Whatever fails to reach
    standard output (a full disk, a closed stream) is one line on stderr, never a traceback."""
    argv = hoisted(argv)
    if not streams.stdout_open():
        streams.say("cpkb: error: standard output is closed (nothing can be printed)")
        return ExitCode.OUTPUT
    streams.forgiving()
    before = streams.stdout_identity()
    try:
        code = fast_lane(argv)
        if code is None:
            from cpkb.cli import run as full_app

            code = full_app(argv)
        sys.stdout.flush()
    except SystemExit as exc:  # only Rich exits on its own: see below
        code = exc.code if isinstance(exc.code, int) else ExitCode.INTERNAL
    except KeyboardInterrupt:
        code = ExitCode.INTERRUPTED
    except OSError as exc:
        if not streams.is_output_error(exc):
            raise
        code = streams.output_failed(exc)
    if code == 1 and streams.silenced_since(before):  # Rich met a closed pipe, exited 1
        code = ExitCode.OK
    return code


def fast_lane(argv: list[str]) -> int | None:
    """An exit status when `argv` is a call this lane answers and it succeeded; else None."""
    if os.environ.get("CPKB_DEBUG") == "1":
        return None
    if argv in (["--version"], ["-V"]):
        print(f"cpkb {__version__}")
        return 0
    data, rest = split_data_option(argv)
    as_json = rest.count("--json") == 1
    words = [arg for arg in rest[1:] if arg != "--json"]
    lane = LANES.get((rest[0] if rest else "", as_json, len(words)))
    if lane is None and as_json and words == ["list"]:
        lane = type_list(rest[0])
    if lane is None or any(word.startswith("-") for word in words) or "--json" in rest[:1]:
        return None
    try:
        printer = lane(data, words)  # everything is computed before anything is printed
    except Exception:  # the full app reports it, with its exit code
        return None
    printer()
    sys.stdout.flush()
    return 0


def split_data_option(argv: list[str]) -> tuple[str | None, list[str]]:
    """`--data PATH` or `--data=PATH` before the command; (None, argv) when absent."""
    if argv[:1] == ["--data"] and len(argv) > 1 and argv[1]:
        return argv[1], argv[2:]
    if argv and argv[0].startswith("--data=") and len(argv[0]) > len("--data="):
        return argv[0][len("--data=") :], argv[1:]
    return None, argv


def _catalog(data: str | None) -> Catalog:
    from cpkb.index.catalog import open_catalog
    from cpkb.kb.paths import resolve_data_path

    path = resolve_data_path(data)
    bar = progress_bar if sys.stderr.isatty() else None
    return open_catalog(path, load=lambda: read(path), progress=bar)


def progress_bar(description: str) -> ProgressBar:
    """The bar on stderr while the index is built."""
    from cpkb.present.human.progress import ProgressBar

    return ProgressBar(description)


def read(path: Path | str) -> KnowledgeBase:
    """The whole file: only when there is no current index (tinydb is imported only then)."""
    from cpkb.kb.store import load

    return load(path)


def write(text: str) -> Printer:
    return lambda: streams.write_utf8(text)


def _shown(data: str | None, ref: str) -> tuple[Catalog, KnowledgeBase, View, Reading]:
    """What `show REF` prints, made as the full command makes it (cpkb.cli.read.show_ref)."""
    from cpkb.present.views import entity_view
    from cpkb.query.current import Reading

    catalog = _catalog(data)
    entity = catalog.resolve(ref)
    kb = catalog.neighbourhood(entity.id)
    read = Reading.asked()
    return catalog, kb, entity_view(kb, entity, read), read


def show_json(data: str | None, words: list[str]) -> Printer:
    from cpkb.present.jsonout import dumps

    return write(dumps(_shown(data, words[0])[2]) + "\n")


def show_human(data: str | None, words: list[str]) -> Printer:
    from cpkb.present import human
    from cpkb.present.views import source_view

    catalog, kb, view, read = _shown(data, words[0])
    sources = {i: source_view(s) for i, s in catalog.sources().items()}
    return lambda: human.show_entity(view, sources, human.shown_for(kb, read))


def search_json(data: str | None, words: list[str]) -> Printer:
    from cpkb.present.jsonout import dumps
    from cpkb.present.views import hit_view

    hits = _catalog(data).search(words[0], entity_type=None, limit=10)
    if not hits:
        raise LookupError("no hits: the full app reports it")
    return write(dumps([hit_view(hit) for hit in hits]) + "\n")


def listed(data: str | None, entity_type: str) -> Printer:
    """`TYPE list --json` and `stats --json`, as cpkb.cli.read.print_listing prints them."""
    from cpkb.kb.paths import resolve_data_path
    from cpkb.present.listing import listing

    path = resolve_data_path(data)
    chunks = listing(path, entity_type, load=lambda: read(path))
    return lambda: streams.write_chunks(chunks)


def type_list(command: str) -> Lane | None:
    """The lane of `ENTITY_TYPE list --json` when `command` names a type (or an alias of one)."""
    from cpkb.model.fields import TYPES

    for entity_type in TYPES:
        if command in (entity_type.name, *entity_type.aliases):
            return lambda data, _: listed(data, entity_type.name)
    return None


def stats(data: str | None, as_json: bool) -> Printer:
    """`stats --json` and `stats`, as cpkb.cli.read prints them."""
    from cpkb.kb.paths import resolve_data_path
    from cpkb.present.listing import stats_table
    from cpkb.present.views import source_view

    if as_json:
        return listed(data, "statistic")
    path = resolve_data_path(data)
    laid = stats_table(path, load=lambda: read(path))
    from cpkb.present import human

    sources = {i: source_view(s) for i, s in laid.sources.items()}
    return lambda: human.show_stats(laid.views, sources, laid.scales)


Printer = Callable[[], object]
Lane = Callable[[str | None, list[str]], Printer]
LANES: dict[tuple[str, bool, int], Lane] = {
    ("show", True, 1): show_json,
    ("show", False, 1): show_human,
    ("search", True, 1): search_json,
    ("stats", True, 0): lambda data, _: stats(data, True),
    ("stats", False, 0): lambda data, _: stats(data, False),
}
