"""The Typer app and what every command shares: settings, error mapping, output.

Commands live in cpkb.cli.*; heavy modules (rich, tinydb, rapidfuzz) are imported inside
them so that `--help`, `--version` and `show ID --json` start fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Concatenate, Optional, ParamSpec, TypeVar

import typer
from typer.core import TyperCommand

from cpkb import __version__, streams
from cpkb.cli.completion import complete_ref
from cpkb.cli.group import CpkbGroup
from cpkb.errors import CpkbError, ExitCode
from cpkb.query.text import visible

if TYPE_CHECKING:
    from typer._click import Context as ClickContext

    from cpkb.model.entities import Entity, KnowledgeBase
    from cpkb.present.human.progress import ProgressBar
    from cpkb.present.views import View
    from cpkb.query.catalog import Catalog

DEBUG_ENV = "CPKB_DEBUG"
T = TypeVar("T")
P = ParamSpec("P")


def report(message: str, hint: str | None = None) -> None:
    line = f"cpkb: error: {message}" + (f" ({hint})" if hint else "")
    print(visible(line), file=sys.stderr)


def internal(ctx: ClickContext, exc: Exception) -> typer.Exit:
    """Report a bug in cpkb (with its traceback under --debug); the exit to raise."""
    if settings(ctx).debug:
        traceback.print_exception(exc)
    report(
        f"internal error: {type(exc).__name__}: {exc}",
        "this is a bug: please report it, with the output of --debug",
    )
    return typer.Exit(ExitCode.INTERNAL)


class CpkbCommand(TyperCommand):
    """Maps every exception a command raises to one stderr line and its exit code."""

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except CpkbError as exc:
            report(exc.message, exc.hint)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except OSError as exc:
            if not streams.is_output_error(exc):
                raise internal(ctx, exc) from None
            raise typer.Exit(streams.output_failed(exc)) from None
        except Exception as exc:
            raise internal(ctx, exc) from None
            raise typer.Exit(ExitCode.INTERNAL) from None


@dataclass
class Settings:
    data: Path | None
    debug: bool
    no_pager: bool = False
    _kb: KnowledgeBase | None = None
    _catalog: Catalog | None = None

    def data_path(self) -> Path:
        from cpkb.kb.paths import resolve_data_path

        return resolve_data_path(self.data)

    def kb(self) -> KnowledgeBase:
        """The whole data file, read and checked (once per run)."""
        if self._kb is None:
            from cpkb.kb import store

            self._kb = store.load(self.data_path())
        return self._kb

    def catalog(self) -> Catalog:
        """Lookups for show and search: from the cached index for big files, else from memory."""
        if self._catalog is None:
            from cpkb.index.catalog import open_catalog

            bar = progress_bar if sys.stderr.isatty() else None
            self._catalog = open_catalog(self.data_path(), load=self.kb, progress=bar)
        return self._catalog

    def resolve(self, ref: str, entity_type: str | None = None) -> Entity:
        return self.catalog().resolve(ref, entity_type=entity_type)


def progress_bar(description: str) -> ProgressBar:
    """The bar on stderr while the index is built."""
    from cpkb.present.human.progress import ProgressBar

    return ProgressBar(description)


def settings(ctx: ClickContext) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings(data=None, debug=os.environ.get(DEBUG_ENV) == "1")
    return root.obj


def _typer(**kwargs: Any) -> typer.Typer:
    return typer.Typer(
        cls=CpkbGroup,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        **kwargs,
    )


app = _typer(
    name="cpkb",
    help="The child-protection knowledge base: sourced facts on Kazakhstan's child-protection "
    "policy (officials, organisations, laws, programmes, statistics).",
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (the documented contract).")]
REF_HELP = "An id, name or alias (case, accents, script and small typos forgiven)."


def data_file_argument(verb: str) -> Any:
    """The optional data-file argument of a command that acts on a whole file. Click does not
    check it: an unreadable file is the command's to report, in its own words."""
    return typer.Argument(
        help=f"Data file to {verb} (default: --data, CPKB_DATA, or the bundled file).",
        show_default=False,
        readable=False,
    )


RefArg = Annotated[str, typer.Argument(metavar="REF", help=REF_HELP, autocompletion=complete_ref)]
RefWordsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="REF",
        help=REF_HELP + " Words without quotes are read as one reference.",
        autocompletion=complete_ref,
        show_default=False,
    ),
]


def joined(words: list[str]) -> str:
    """The one reference that words typed without quotes make ('show Adal Azamat')."""
    return " ".join(words)


class ColorMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _version(value: bool) -> None:
    if value:
        print(f"cpkb {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    data: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option(
            "--data",
            envvar="CPKB_DATA",
            metavar="PATH",
            help="Data file to use instead of the bundled one.",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors (or CPKB_DEBUG=1).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    color: Annotated[
        ColorMode,
        typer.Option(
            "--color",
            case_sensitive=False,
            help="Colour human output: auto (NO_COLOR, FORCE_COLOR, a terminal), always, never.",
        ),
    ] = ColorMode.auto,
    no_pager: Annotated[
        bool,
        typer.Option("--no-pager", help="Never page human output (or CPKB_PAGER=cat)."),
    ] = False,
) -> None:
    """Query the knowledge base. Every command takes --json; run 'cpkb COMMAND --help' for more."""
    if data == "":  # a path pathlib would read as the current folder
        raise typer.BadParameter("needs the path of a data file", param_hint="'--data'")
    debugging = debug or os.environ.get(DEBUG_ENV) == "1"
    from cpkb.present import colour

    colour.choose(color.value)
    ctx.obj = Settings(data=Path(data) if data else None, debug=debugging, no_pager=no_pager)


def print_json(data: object) -> None:
    """Print `data` as JSON (the documented contract)."""
    from cpkb.present.jsonout import dumps

    streams.write_utf8(dumps(data) + "\n")


def emit(
    as_json: bool,
    data: T,
    human: Callable[Concatenate[T, P], None],
    *args: P.args,
    **extra: P.kwargs,
) -> None:
    """Print `data` as JSON, or hand it to `human`, a renderer of cpkb.present.human."""
    if as_json:
        print_json(data)
    else:
        human(data, *args, **extra)


def said_empty(as_json: bool, views: list[View], what: str) -> bool:
    """Whether an empty listing was told, as one line on stderr: human output of an empty list
    puts nothing on stdout (`--json` prints `[]` instead, and nothing is told)."""
    if views or as_json:
        return False
    print(f"cpkb: no {what}", file=sys.stderr)
    return True


def source_views(ctx: typer.Context) -> dict[str, View]:
    """The sources by id, for citing them in human output."""
    from cpkb.present.views import source_view

    return {i: source_view(s) for i, s in settings(ctx).catalog().sources().items()}
