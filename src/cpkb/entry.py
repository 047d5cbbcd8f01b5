"""The console-script entry point, with a fast lane for the calls scripts make most.

`cpkb --version`, `cpkb show REF [--json]`, `cpkb timeline REF [--json]`, `cpkb path A B [--json]`
(these three with the time options, cpkb.lanes), `cpkb search QUERY --json`, `cpkb stats [--json]`
and `cpkb TYPE list --json` (each with an optional leading `--data PATH`) are answered here without
importing Typer, which costs more than most answers. Anything else, and any call that fails,
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
    from cpkb.query.catalog import Catalog
    from cpkb.query.current import TimeOptions as Asked


def main() -> None:
    """The console script: cpkb's one exit point."""
    collector.one_shot()
    sys.exit(run(streams.decoded(sys.argv[1:])))


def run(argv: list[str]) -> int:
    """The fast lane if it applies, else the full app; the exit status. Whatever fails to reach
    standard output (a full disk, a closed stream) is one line on stderr, never a traceback."""
    argv = streams.hoisted(argv)
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
    from cpkb.lanes import TAKES, given, time_options

    data, rest = split_data_option(argv)
    split = time_options(rest[1:])
    if split is None:
        return None
    args, asked = split
    as_json = "--json" in args
    words = [arg for arg in args if arg != "--json"]
    if any(word.startswith("-") for word in words) or "--json" in rest[:1]:
        return None
    if args.count("--json") > 1:  # the app's --json all the same: left to it, as is any repeat
        return None
    command = rest[0] if rest else ""
    if command in ("show", "search") and len(words) > 1:
        words = [" ".join(words)]  # words without quotes: one reference, one query
    lane = LANES.get((command, as_json, len(words)))
    if lane is not None and not given(asked) <= TAKES.get(command, set()):
        return None
    if lane is None and as_json and words == ["list"] and not given(asked):
        lane = type_list(command)  # no time options: the kept views are today's
    if lane is None:
        return None
    try:
        printer = lane(data, words, asked)  # everything is computed before anything is printed
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


def show_lane(as_json: bool) -> Lane:
    def lane(data: str | None, words: list[str], asked: Asked) -> Printer:
        from cpkb import lanes

        return lanes.show(_catalog(data), words[0], asked, as_json=as_json)

    return lane


def timeline_lane(as_json: bool) -> Lane:
    def lane(data: str | None, words: list[str], asked: Asked) -> Printer:
        from cpkb import lanes

        return lanes.timeline(_catalog(data), words[0], asked, as_json=as_json)

    return lane


def path_lane(as_json: bool) -> Lane:
    def lane(data: str | None, words: list[str], asked: Asked) -> Printer:
        from cpkb import lanes

        return lanes.path(_catalog(data), words[0], words[1], asked, as_json=as_json)

    return lane


def search_json(data: str | None, words: list[str], asked: Asked) -> Printer:
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
            return lambda data, _, __: listed(data, entity_type.name)
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
    rows = iter(laid.views)
    first = next(rows, None)
    if first is None:
        raise LookupError("nothing to list: the full app tells it")
    from itertools import chain

    from cpkb.lanes import on_screen
    from cpkb.present import human

    sources = {i: source_view(s) for i, s in laid.sources.items()}
    return on_screen(lambda: human.show_stats(chain([first], rows), sources, laid.scales))


Printer = Callable[[], object]
Lane = Callable[[str | None, list[str], "Asked"], Printer]
LANES: dict[tuple[str, bool, int], Lane] = {
    ("show", True, 1): show_lane(True),
    ("show", False, 1): show_lane(False),
    ("timeline", True, 1): timeline_lane(True),
    ("timeline", False, 1): timeline_lane(False),
    ("path", True, 2): path_lane(True),
    ("path", False, 2): path_lane(False),
    ("search", True, 1): search_json,
    ("stats", True, 0): lambda data, _, __: stats(data, True),
    ("stats", False, 0): lambda data, _, __: stats(data, False),
}
