"""The full Typer app with every command registered (cpkb.entry runs it)."""

from __future__ import annotations

import os
import sys
import traceback

from cpkb.cli import (
    brief,  # noqa: F401  (each import registers its commands)
    cache,
    cite,  # noqa: F401  (each import registers its commands)
    claims,
    edit,  # noqa: F401
    export,
    gitdrivers,  # noqa: F401
    history,
    importing,  # noqa: F401
    links,  # noqa: F401
    manpage,  # noqa: F401
    migrate,  # noqa: F401
    read,  # noqa: F401
    records,
    search,  # noqa: F401
    validate,  # noqa: F401
    version,  # noqa: F401
    write,  # noqa: F401
)
from cpkb.cli.context import DEBUG_ENV, app
from cpkb.errors import ExitCode
from cpkb.query.text import visible

__all__ = ["app", "run"]

app.add_typer(cache.app, name="cache")
app.add_typer(export.app, name="export")
app.add_typer(history.app)
app.add_typer(claims.app, name="claim")
app.add_typer(records.source_app, name="source")
app.add_typer(records.property_app, name="property")


def run(argv: list[str]) -> int:
    """Run the app; its exit status. An error outside any command (CpkbCommand maps those) is
    one line too."""
    try:
        app(prog_name="cpkb", args=argv)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or ExitCode.OK
        return ExitCode.NOT_FOUND  # sys.exit("message") printed the message
    except Exception as exc:  # pragma: no cover - reached only by a bug in option parsing
        if os.environ.get(DEBUG_ENV) == "1" or "--debug" in argv:
            traceback.print_exc()
        message = f"cpkb: error: internal error: {type(exc).__name__}: {exc}"
        print(visible(message) + " (this is a bug: please report it)", file=sys.stderr)
        return ExitCode.INTERNAL
    return ExitCode.OK
