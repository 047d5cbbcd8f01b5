"""The Typer app and what every command shares: settings, error mapping, output.

Commands live in cpkb.commands.*; heavy modules (rich, tinydb, rapidfuzz) are imported inside
them so that `--help`, `--version` and `show ID --json` start fast.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperCommand

from cpkb import __version__
from cpkb.cli.completion import complete_ref
from cpkb.errors import CpkbError, ExitCode
from cpkb.query.text import visible

if TYPE_CHECKING:
    from typer._click import Context as ClickContext

    from cpkb.model.entities import Entity, KnowledgeBase
    from cpkb.present.human import ProgressBar
    from cpkb.present.views import View
    from cpkb.query.catalog import Catalog

DEBUG_ENV = "CPKB_DEBUG"


def report(message: str, hint: str | None = None) -> None:
    line = f"cpkb: error: {message}" + (f" ({hint})" if hint else "")
    print(visible(line), file=sys.stderr)


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
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (`cpkb ... | head`): not an error
            raise typer.Exit(ExitCode.OK) from None
        except Exception as exc:
            if settings(ctx).debug:
                raise
            report(
                f"internal error: {type(exc).__name__}: {exc}",
                "this is a bug: please report it, with the output of --debug",
            )
            raise typer.Exit(ExitCode.INTERNAL) from None


@dataclass
class Settings:
    data: Path | None
    debug: bool
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
    from cpkb.present.human import ProgressBar

    return ProgressBar(description)


def settings(ctx: ClickContext) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings(data=None, debug=os.environ.get(DEBUG_ENV) == "1")
    return root.obj


def _typer(**kwargs: Any) -> typer.Typer:
    return typer.Typer(
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
RefArg = Annotated[str, typer.Argument(help=REF_HELP, autocompletion=complete_ref)]


def _version(value: bool) -> None:
    if value:
        print(f"cpkb {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    data: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option(
            "--data",
            envvar="CPKB_DATA",
            help="Data file to use instead of the bundled one.",
            show_default=False,
            readable=False,  # the store reports an unreadable file (exit 3), not a usage error
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors (or CPKB_DEBUG=1).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Query the knowledge base. Every command takes --json; run 'cpkb COMMAND --help' for more."""
    ctx.obj = Settings(data=data, debug=debug or os.environ.get(DEBUG_ENV) == "1")


def emit(ctx: typer.Context, as_json: bool, data: Any, human: str, **extra: Any) -> None:
    """Print `data` as JSON, or hand it to the named renderer in cpkb.render."""
    if as_json:
        from cpkb.present.views import dumps

        sys.stdout.write(dumps(data) + "\n")
        return
    from cpkb.present import human as render

    getattr(render, human)(data, **extra)


def source_views(ctx: typer.Context) -> dict[str, View]:
    """The sources by id, for citing them in human output."""
    from cpkb.present.views import source_view

    return {i: source_view(s) for i, s in settings(ctx).catalog().sources().items()}
