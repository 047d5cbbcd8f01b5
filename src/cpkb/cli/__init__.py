"""The full Typer app with every command registered (cpkb.entry runs it)."""

from __future__ import annotations

import os
import sys

from cpkb.cli import (
    links,  # noqa: F401  (each import registers its commands)
    read,  # noqa: F401
    search,  # noqa: F401
    validate,  # noqa: F401
)
from cpkb.cli.context import DEBUG_ENV, app
from cpkb.errors import ExitCode
from cpkb.query.text import visible

__all__ = ["app", "main"]


def main() -> None:
    """Run the app; an error outside any command (CpkbCommand maps those) is one line too."""
    try:
        app(prog_name="cpkb")
    except Exception as exc:  # pragma: no cover - reached only by a bug in option parsing
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        message = f"cpkb: error: internal error: {type(exc).__name__}: {exc}"
        print(visible(message) + " (this is a bug: please report it)", file=sys.stderr)
        sys.exit(ExitCode.INTERNAL)
