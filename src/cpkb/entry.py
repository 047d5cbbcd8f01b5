"""The console-script entry point, with a fast lane for the calls scripts make most.

`cpkb --version`, `cpkb show REF [--json]`, `cpkb search QUERY --json` and `cpkb stats [--json]`
(each with an optional leading `--data PATH`) are answered here without importing Typer, which
costs more than most answers. Anything else, and any call that fails,
goes to the full Typer app (cpkb.cli), which therefore also produces every error message: the fast
lane prints only on success, and prints exactly what the full app would.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from cpkb import __version__
from cpkb.kb import collector

if TYPE_CHECKING:
    from pathlib import Path

    from cpkb.model.entities import KnowledgeBase
    from cpkb.present.human import ProgressBar
    from cpkb.query.catalog import Catalog


def main() -> None:
    """Run cpkb: the fast lane if it applies, else the full app."""
    collector.one_shot()
    for stream in (sys.stdout, sys.stderr):  # a non-UTF-8 terminal gets escapes, not a crash
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        code = fast_lane(sys.argv[1:])
    except BrokenPipeError:  # `cpkb ... | head`: the reader has all it wanted
        code = 0
    except KeyboardInterrupt:
        code = 130
    if code is None:
        from cpkb.cli import main as full_app

        full_app()
        return
    sys.exit(code)


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
    from cpkb.kb.paths import plain_data_path, resolve_data_path

    path = plain_data_path(data) or resolve_data_path(data)  # a string spares importing pathlib
    bar = progress_bar if sys.stderr.isatty() else None
    return open_catalog(path, load=lambda: read(path), progress=bar)


def progress_bar(description: str) -> ProgressBar:
    """The bar on stderr while the index is built."""
    from cpkb.present.human import ProgressBar

    return ProgressBar(description)


def read(path: Path | str) -> KnowledgeBase:
    """The whole file: only when there is no current index (tinydb is imported only then)."""
    from cpkb.kb.store import load

    return load(path)


def write(text: str) -> Printer:
    return lambda: sys.stdout.write(text)


def show_json(data: str | None, words: list[str]) -> Printer:
    from cpkb.present.views import dumps, entity_view

    catalog = _catalog(data)
    entity = catalog.resolve(words[0])
    return write(dumps(entity_view(catalog.neighbourhood(entity.id), entity)) + "\n")


def show_human(data: str | None, words: list[str]) -> Printer:
    from cpkb.present import human as render
    from cpkb.present.views import entity_view, source_view

    catalog = _catalog(data)
    entity = catalog.resolve(words[0])
    view = entity_view(catalog.neighbourhood(entity.id), entity)
    sources = {i: source_view(s) for i, s in catalog.sources().items()}
    return lambda: render.show_entity(view, sources)


def search_json(data: str | None, words: list[str]) -> Printer:
    from cpkb.present.views import dumps, hit_view

    hits = _catalog(data).search(words[0], entity_type=None, limit=10)
    if not hits:
        raise LookupError("no hits: the full app reports it")
    return write(dumps([hit_view(hit) for hit in hits]) + "\n")


def stats(data: str | None, as_json: bool) -> Printer:
    from cpkb.kb.paths import plain_data_path, resolve_data_path
    from cpkb.present.views import dumps, entities_view, source_view

    kb = read(plain_data_path(data) or resolve_data_path(data))
    views = entities_view(kb, kb.of_type("statistic"))
    if as_json:
        return write(dumps(views) + "\n")
    from cpkb.present import human as render

    sources = {i: source_view(s) for i, s in kb.sources.items()}
    return lambda: render.show_stats(views, sources)


Printer = Callable[[], object]
Lane = Callable[[str | None, list[str]], Printer]
LANES: dict[tuple[str, bool, int], Lane] = {
    ("show", True, 1): show_json,
    ("show", False, 1): show_human,
    ("search", True, 1): search_json,
    ("stats", True, 0): lambda data, _: stats(data, True),
    ("stats", False, 0): lambda data, _: stats(data, False),
}
