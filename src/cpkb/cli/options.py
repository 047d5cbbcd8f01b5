"""Option sets that several commands share, added by a decorator (as sqlite-utils'
`@output_options`): a command declares one parameter (`timing` or `out`) and gets the options
packed into it, so each set is written once."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer

from cpkb.query.current import TimeOptions

Command = Callable[..., Any]
TIME_PANEL = "Time: what is current, and what was known"
OptionalText = Optional[str]  # noqa: UP045 - typer needs Optional on Python 3.10


def _time(flag: str, kind: Any, help_text: str, **more: Any) -> Any:
    """The annotation of one time option, in the time panel of --help."""
    return Annotated[kind, typer.Option(flag, help=help_text, rich_help_panel=TIME_PANEL, **more)]


DATE = {"metavar": "DATE", "show_default": False}
TIME = {
    "as_of": _time("--as-of", OptionalText, "What was current at DATE (YYYY, YYYY-MM or "
                   "YYYY-MM-DD; default: today).", **DATE),
    "known_by": _time("--known-by", OptionalText, "Only what sources dated by DATE said "
                      "(undated sources are left out).", **DATE),
    "every": _time("--all", bool, "Every claim, each with its rank, its time and whether it "
                   "is current."),
    "current": _time("--current", bool, "With --json: only the current claims (what human "
                     "output shows by default)."),
}  # fmt: skip


def option(name: str, annotation: Any, *, required: bool = False) -> inspect.Parameter:
    """A keyword option with Typer's annotation; its default is the type's empty value."""
    default: Any = False if annotation.__origin__ is bool else None
    if required:
        default = inspect.Parameter.empty
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=annotation)  # fmt: skip


def packing(
    name: str, added: list[inspect.Parameter], pack: Callable[..., Any]
) -> Callable[[Command], Command]:
    """A decorator giving a command the options `added`, handed to it as `pack(**options)` in
    its parameter `name`. Typer reads the signature the decorator writes."""

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != name]

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            given = {p.name: kwargs.pop(p.name, p.default) for p in added}
            return command(*args, **kwargs, **{name: pack(**given)})

        params = [*own, *added]
        run.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        return run

    return decorate


def time_options(*names: str) -> Callable[[Command], Command]:
    """--as-of, --known-by, --all and --current (or those `names`), as `timing: TimeOptions`."""
    added = [option(n, TIME[n]) for n in names or TIME]
    return packing("timing", added, checked_timing)


def checked_timing(**given: Any) -> TimeOptions:
    """The time options, a date that is not one a usage error before any work (an index built,
    a data file read)."""
    timing = TimeOptions(**given)
    timing.reading()
    return timing
