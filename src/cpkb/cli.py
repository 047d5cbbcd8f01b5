"""The console-script entry point: the app with every command registered."""

from __future__ import annotations

import os
import sys
import traceback

from cpkb.app import DEBUG_ENV, app
from cpkb.commands import (
    graph,  # noqa: F401
    read,  # noqa: F401  (registers the commands)
    search,  # noqa: F401
    validate,  # noqa: F401
)
from cpkb.errors import ExitCode

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="cpkb")
    except Exception:  # pragma: no cover - the command class maps everything it can
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        traceback.print_exc(limit=0)
        sys.exit(ExitCode.INTERNAL)
