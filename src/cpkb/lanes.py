"""The fast lane's answers over time (cpkb.entry dispatches to them): `show REF`, `timeline REF`
and `path A B` with --as-of, --known-by, --all and --current, made as the full commands make
them (cpkb.cli.read, cpkb.cli.history, cpkb.cli.links), without importing Typer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cpkb.query.current import TimeOptions as Asked

if TYPE_CHECKING:
    from cpkb.present.views import View
    from cpkb.query.catalog import Catalog

Printer = Callable[[], object]
# The options each command takes here; any other goes to the full app.
VALUED = {"--as-of": "as_of", "--known-by": "known_by"}
FLAGS = {"--all": "every", "--current": "current"}
TAKES = {"show": {"as_of", "known_by", "every", "current"},
         "path": {"as_of", "known_by", "every", "current"}, "timeline": {"known_by"}}  # fmt: skip


def given(asked: Asked) -> set[str]:
    """The time options a call gave."""
    return {name for name, value in asked._asdict().items() if value not in (None, False)}


def time_options(args: list[str]) -> tuple[list[str], Asked] | None:
    """`args` without the time options, and those; None if one is repeated or lacks its value."""
    rest: list[str] = []
    found: dict[str, str | bool] = {}
    i = 0
    while i < len(args):
        name = VALUED.get(args[i]) or FLAGS.get(args[i])
        if name is None:
            rest.append(args[i])
        elif name in found or (args[i] in VALUED and i + 1 == len(args)):
            return None
        else:
            found[name] = args[i + 1] if args[i] in VALUED else True
            i += args[i] in VALUED
        i += 1
    return rest, Asked(**found)  # type: ignore[arg-type]


def show(catalog: Catalog, ref: str, asked: Asked, *, as_json: bool) -> Printer:
    """`show REF` (cpkb.cli.read.show_ref)."""
    from cpkb.present.views import entity_view

    entity = catalog.resolve(ref)
    kb = catalog.neighbourhood(entity.id)
    read = asked.reading()
    view = entity_view(kb, entity, read, current=asked.current)
    if as_json:
        return _json(view)
    from cpkb.present import human

    shown = human.shown_for(kb, read, every=asked.every)
    return on_screen(lambda: human.show_entity(view, _sources(catalog), shown))


def timeline(catalog: Catalog, ref: str, asked: Asked, *, as_json: bool) -> Printer:
    """`timeline REF` (cpkb.cli.history.timeline_cmd)."""
    from cpkb.present.history import timeline_view
    from cpkb.query.catalog import with_events

    kb, entities = with_events(catalog, catalog.resolve(ref))
    view = timeline_view(kb, entities, Asked(known_by=asked.known_by).reading())
    if as_json:
        return _json(view)
    if not view:
        raise LookupError("nothing to list: the full app tells it")
    from cpkb.present import human

    return on_screen(lambda: human.show_timeline(view, _sources(catalog)))


def path(catalog: Catalog, start: str, goal: str, asked: Asked, *, as_json: bool) -> Printer:
    """`path A B` when a chain is found (cpkb.cli.links.path_cmd; none: the full app says so)."""
    from cpkb.present.views import path_view
    from cpkb.query.catalog import shortest_chain

    first, last = catalog.resolve(start), catalog.resolve(goal)
    if first.id == last.id:
        raise LookupError("the same entity: the full app says so")
    only = asked.only_current(as_json)
    found = shortest_chain(catalog, first.id, last.id, asked.reading(), only_current=only)
    if found is None:
        raise LookupError("no chain: the full app reports it")
    view = path_view(first, last, found)
    if as_json:
        return _json(view)
    from cpkb.present import human

    return on_screen(lambda: human.show_path(view, _sources(catalog)))


def on_screen(draw: Printer) -> Printer:
    """Human output as the full app shows it: paged at a terminal, trimmed when piped."""

    def shown() -> None:
        from cpkb.present.pager import screen

        with screen(no_pager=False):
            draw()

    return shown


def _json(view: object) -> Printer:
    from cpkb import streams
    from cpkb.present.jsonout import dumps

    text = dumps(view) + "\n"
    return lambda: streams.write_utf8(text)


def _sources(catalog: Catalog) -> dict[str, View]:
    from cpkb.present.views import source_view

    return {i: source_view(s) for i, s in catalog.sources().items()}
